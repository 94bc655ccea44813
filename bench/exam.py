"""The exam burst: examinees sitting a trade's theory exam at once (EXAMS.md §4), each
figure next to /healthz measured the same way on the same server in the same run.

An event of one trade whose theory component is fed by an exam (a bank of about 200
objective items, a sealed paper of 60, the room open) and ``examinees`` approved entrants
with resident ID numbers. The browsers go through a reverse proxy (nginx, as in production:
it holds the examinees' keep-alive connections and opens one to gunicorn per request) and
are simulated by wrk with ``bench/exam.lua``, one connection each: sign in, open the paper,
read the state, then save an answer every 2–6 s. Runs of the examinees alternate with the
same connections asking /healthz at the same pace; then both again back to back (no
pause) on a few connections, for the capacity of the server. After the runs the stored
answers are counted against what the examinees were told (exactly once).

Called from ``bench.run`` (``make bench``; a small version in ``make bench-quick``).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import statistics
import subprocess
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.generate import exam_bank, package
from bench.run import (
    OUT,
    BenchError,
    Figure,
    Run,
    Server,
    free_port,
    log,
    percentile,
    task,
    wrk,
)

SLUG = "bench-exam"
SETTLE = 2.0  # seconds of a back-to-back run left out: the examinees sign in


@dataclass(frozen=True)
class ExamPlan:
    """How many examinees, and how long each run drives the server."""

    examinees: int
    seconds: int  # each paced run (examinees, and /healthz)
    rounds: int  # alternating paced runs of each
    ramp_ms: int  # the examinees start within this time
    capacity_seconds: int  # each back-to-back run
    drain: int = 2  # seconds at the end of a run in which nothing is sent (wrk's timeout + 2)
    capacity_connections: int = 32
    think: tuple[int, int] = (2000, 6000)  # between two saves of an examinee, ms


FULL = ExamPlan(examinees=1000, seconds=75, rounds=2, ramp_ms=20_000, capacity_seconds=15, drain=12)
QUICK = ExamPlan(examinees=100, seconds=12, rounds=1, ramp_ms=2_000, capacity_seconds=5)

KINDS = {
    "page": "sign-in page (GET)",
    "sign_in": "sign-in (POST, 302)",
    "paper": "paper opened (sitting started)",
    "state": "state (stored answers)",
    "save": "answer save",
    "healthz": "/healthz (same connections and pace)",
}


# --- the reverse proxy ---------------------------------------------------------------------------


def ensure_nginx() -> str:
    """nginx's path, installed from Debian when missing (as root)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing nginx (Debian package)")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT}
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        command = ["apt-get", "install", "-y", "--no-install-recommends", "nginx-light"]
        if subprocess.run(command, env=env, **quiet).returncode:
            subprocess.run(["apt-get", "update"], env=env, check=True, **quiet)
            subprocess.run(command, env=env, check=True, **quiet)
        found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not found:
        raise BenchError(
            "nginx is needed: apt-get install nginx-light (Debian) or brew install nginx"
        )
    return found


class Proxy:
    """nginx in front of the server, configured as the README's deployment (one worker
    process here): a new connection to gunicorn per request (HTTP/1.0, the default)."""

    def __init__(self, server: Server, folder: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "nginx.conf"
        config.write_text(
            f"""worker_processes 1;
worker_rlimit_nofile 16384;
pid {folder}/nginx.pid;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{self.port} backlog=4096;
        location / {{
            proxy_pass http://127.0.0.1:{server.port};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            client_max_body_size 16m;
        }}
    }}
}}
""",
            encoding="utf-8",
        )
        self.log = (folder / "nginx.log").open("w")
        self.master = subprocess.Popen(
            [ensure_nginx(), "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log"),
             "-g", "daemon off;"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).close()
                break
            except OSError:
                pass
            if self.master.poll() is not None:
                raise BenchError(f"nginx did not start: see {folder}")
            if time.monotonic() > deadline:
                raise BenchError("nginx did not answer within 20 s")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.master.poll() is None:
            self.master.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.master.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.master.kill()
        self.log.close()


# --- the event ------------------------------------------------------------------------------------


def responses(kind: str, labels: list[str], blanks: int) -> list[str]:
    """A few responses an examinee may give to an item, as JSON (right or wrong alike)."""
    if kind == "single":
        return [json.dumps(label) for label in labels]
    if kind == "multiple":
        return [json.dumps(sorted(pair)) for pair in itertools.pairwise(labels)]
    if kind == "judge":
        return ["true", "false"]
    return [json.dumps([f"答{n}"] * blanks) for n in range(1, 4)]


def build(run_: Run, env: dict[str, str], plan: ExamPlan) -> tuple[Path, list[str]]:
    """The event, its exam opened; the Lua table of examinees and items for exam.lua, and
    the examinees' admission numbers (wrk's thread n is the n-th)."""
    started = time.perf_counter()
    document = package(
        trades=1, per_trade=(plan.examinees, plan.examinees), slug=SLUG, seed=2026, scored=0
    )
    items, blueprint = exam_bank(seed=2026)
    event_path, bank_path = OUT / f"{SLUG}.json", OUT / f"{SLUG}-bank.json"
    event_path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    bank_path.write_text(
        json.dumps({"items": items, "exam": blueprint}, ensure_ascii=False), encoding="utf-8"
    )
    answer = task(env, "exam", str(event_path), str(bank_path))
    examinees, paper = answer["examinees"], answer["items"]
    if len(examinees) != plan.examinees:
        raise BenchError(f"{SLUG}: {len(examinees)} approved entrants, not {plan.examinees}")
    run_.details["exam"] = {"items": len(paper), "bank": len(items), "entrants": len(examinees)}
    log(
        f"built {SLUG}: {len(examinees)} entrants, a paper of {len(paper)} items from a bank of "
        f"{len(items)}, the exam open ({time.perf_counter() - started:.1f} s)"
    )
    rows = [f"{{{_lua(code)}, {_lua(last4)}}}" for code, last4 in examinees]
    shown = [
        f"{{code = {_lua(code)}, responses = {{{', '.join(map(_lua, responses(*spec)))}}}}}"
        for code, spec in paper.items()
    ]
    path = OUT / "exam-data.lua"
    path.write_text(
        "return {\n  examinees = {\n    "
        + ",\n    ".join(rows)
        + "\n  },\n  items = {\n    "
        + ",\n    ".join(shown)
        + "\n  },\n}\n",
        encoding="utf-8",
    )
    return path, [code for code, _ in examinees]


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII is a valid Lua string


# --- the runs -------------------------------------------------------------------------------------


def recorded(folder: Path) -> dict[str, Any]:
    """The examinees' lines written by exam.lua: latencies (ms) and start times (s) by kind,
    refusals, and the acknowledged saves by examinee and item."""
    found: dict[str, Any] = {kind: [] for kind in KINDS}
    found.update({"starts": {kind: [] for kind in KINDS}, "refused": {}, "last": {}})
    found.update({"acknowledged": 0, "replays": 0, "sent": 0, "unanswered": {}})
    for path in sorted(folder.glob("examinee-*.txt")):
        examinee = int(path.stem.rsplit("-", 1)[1])
        pending = None
        for text in path.read_text().splitlines():
            fields = text.split()
            kind, start, micros, status = fields[0], float(fields[1]), float(fields[2]), fields[3]
            if kind == "sent":
                found["sent"] += 1
                pending = (examinee, fields[4])
                continue
            if kind == "save":
                pending = None
            found[kind].append(micros / 1000)
            found["starts"][kind].append(start / 1e6)
            ok = status == ("302" if kind == "sign_in" else "200")
            if not ok:
                refusal = f"{kind} {status}"
                found["refused"][refusal] = found["refused"].get(refusal, 0) + 1
            if kind == "save" and ok:
                item, revision, replay = fields[4], int(fields[5]), fields[6] == "1"
                found["replays" if replay else "acknowledged"] += 1
                key = (examinee, item)
                found["last"][key] = max(found["last"].get(key, 0), revision)
        if pending:  # sent, never answered: it may or may not have been stored
            found["unanswered"][pending] = found["unanswered"].get(pending, 0) + 1
    return found


def paced(server_base: str, plan: ExamPlan, data: Path, mode: str, turn: int) -> dict[str, Any]:
    """One wrk run of every examinee (``mode`` exam) or of the same connections asking
    /healthz at the same pace (``mode`` healthz)."""
    folder = OUT / f"exam-{mode}-{turn}"
    shutil.rmtree(folder, ignore_errors=True)  # a kept run's files (--keep)
    folder.mkdir()
    low, high = plan.think
    figures = wrk(
        server_base, plan.examinees, plan.examinees, plan.seconds, "exam.lua",
        str(data), mode, SLUG, uuid.uuid4().hex[:10], str(folder), str(plan.ramp_ms),
        str(low), str(high), str(plan.seconds - plan.drain),
    )  # fmt: skip
    figures.update(recorded(folder))
    return figures


def back_to_back(
    server_base: str, plan: ExamPlan, data: Path, mode: str, workers: list[int]
) -> dict[str, Any]:
    """A few examinees saving (or asking /healthz) with no pause: what the server can take;
    with the workers' CPU time over a window after the sign-ins."""
    folder = OUT / f"exam-capacity-{mode}"
    shutil.rmtree(folder, ignore_errors=True)  # a kept run's files (--keep)
    folder.mkdir()
    connections = min(plan.capacity_connections, plan.examinees)
    sending = plan.capacity_seconds - min(plan.drain, 2)
    marks: list[tuple[float, float]] = []
    timers = [
        threading.Timer(at, lambda: marks.append((time.monotonic(), cpu_seconds(workers))))
        for at in (SETTLE, sending)
    ]
    for timer in timers:
        timer.start()
    figures = wrk(
        server_base, connections, connections, plan.capacity_seconds, "exam.lua",
        str(data), mode, SLUG, uuid.uuid4().hex[:10], str(folder), "0", "0", "0", str(sending),
    )  # fmt: skip
    for timer in timers:
        timer.join()
    figures.update(recorded(folder))
    (since, cpu_since), (until, cpu_until) = sorted(marks)
    kind = "save" if mode == "exam" else "healthz"
    served = sum(1 for start in figures["starts"][kind] if since <= start < until)
    figures["cpu_ms"] = (cpu_until - cpu_since) * 1000 / max(served, 1)
    return figures


def cpu_seconds(pids: list[int]) -> float:
    """The CPU time (user and system) the processes have used, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def steady_rate(figures: dict[str, Any], kind: str, settle: float) -> tuple[float, float]:
    """Requests of ``kind`` per second from ``settle`` seconds after the first (everyone has
    signed in by then) to the examinees' stop; and that window's length in seconds."""
    starts = sorted(figures["starts"][kind])
    if len(starts) < 2:
        return 0.0, 0.0
    first, last = starts[0] + settle, starts[-1]
    if last - first < 1:
        first = starts[0]
    window = [s for s in starts if first <= s < last]
    return len(window) / (last - first), last - first


def burst(
    run_: Run, server: Server, env: dict[str, str], quick: bool, analyze: Callable[[], None]
) -> None:
    """Build the exam event (then ``analyze`` the database), drive it through nginx, add the
    figures; errors go to ``run_``."""
    plan = QUICK if quick else FULL
    data, codes = build(run_, env, plan)
    analyze()
    proxy = Proxy(server, OUT / "nginx")
    try:
        pooled: dict[str, list[dict[str, Any]]] = {"healthz": [], "exam": []}
        for turn in range(plan.rounds):
            for mode in ("healthz", "exam"):
                figures = paced(proxy.base, plan, data, mode, turn)
                pooled[mode].append(figures)
                kind = "save" if mode == "exam" else "healthz"
                rate, seconds = steady_rate(figures, kind, plan.ramp_ms / 1000 + 3)
                log(
                    f"  wrk {mode}, {plan.examinees} examinees: {len(figures[kind])} requests "
                    f"({rate:.0f}/s over the last {seconds:.0f} s), "
                    f"p50 {percentile(figures[kind], 50):.1f} ms, "
                    f"p99 {percentile(figures[kind], 99):.1f} ms"
                )
        capacity = {
            mode: back_to_back(proxy.base, plan, data, mode, server.workers())
            for mode in ("healthz", "exam")
        }
    finally:
        proxy.stop()
        for mode, figures in capacity.items():
            kind = "save" if mode == "exam" else "healthz"
            log(
                f"  wrk {mode} back to back, {plan.capacity_connections} connections: "
                f"{steady_rate(figures, kind, SETTLE)[0]:.0f}/s, "
                f"p50 {percentile(figures[kind], 50):.1f} ms, "
                f"{figures['cpu_ms']:.1f} ms of the workers' CPU each"
            )
    stored = task(env, "exam-answers", SLUG)
    add_figures(run_, plan, pooled, capacity, stored, codes)


def add_figures(
    run_: Run,
    plan: ExamPlan,
    pooled: dict[str, list[dict[str, Any]]],
    capacity: dict[str, dict[str, Any]],
    stored: dict[str, Any],
    codes: list[str],
) -> None:
    """The figures, the errors and the exactly-once check."""
    every = [*pooled["healthz"], *pooled["exam"], *capacity.values()]
    for figures in every:
        if figures["refused"] or figures["socket_errors"]:
            run_.errors.append(
                f"exam burst: refused {figures['refused']}, {figures['socket_errors']} socket "
                f"errors: {figures['stderr'][:2000]}"
            )
    exam_runs = [*pooled["exam"], capacity["exam"]]
    saves = [v for f in pooled["exam"] for v in f["save"]]
    healthz = [v for f in pooled["healthz"] for v in f["healthz"]]
    signed = [v for f in pooled["exam"] for v in f["sign_in"]]
    mean_think = sum(plan.think) / 2 / 1000
    offered = plan.examinees / mean_think
    settle = plan.ramp_ms / 1000 + 3
    rate = statistics.median(steady_rate(f, "save", settle)[0] for f in pooled["exam"])
    cap_saves = steady_rate(capacity["exam"], "save", SETTLE)[0]
    cap_healthz = steady_rate(capacity["healthz"], "healthz", SETTLE)[0]
    errors = sum(sum(f["refused"].values()) + f["socket_errors"] for f in every)

    # Exactly once: every save acknowledged bumped one revision, and nothing else did.
    acknowledged = sum(f["acknowledged"] for f in exam_runs)
    last: dict[tuple[int, str], int] = {}
    for f in exam_runs:  # the same examinee numbers sign in to the same entrants each run
        for key, revision in f["last"].items():
            last[key] = max(last.get(key, 0), revision)
    # A save sent and never answered (wrk stopped first; none in a run the server keeps up
    # with) may have been stored or not: it may add one revision, or one answer, no more.
    unanswered: dict[tuple[str, str], int] = {}
    for f in exam_runs:
        for (n, item), count in f["unanswered"].items():
            unanswered[(codes[n - 1], item)] = unanswered.get((codes[n - 1], item), 0) + count
    told = {(codes[n - 1], item): revision for (n, item), revision in last.items()}
    kept = {(code, item): revision for code, item, revision in stored["answers"]}
    differ = sum(
        1
        for key in told.keys() | kept.keys()
        if not told.get(key, 0) <= kept.get(key, 0) <= told.get(key, 0) + unanswered.get(key, 0)
    )
    extra = stored["revisions"] - acknowledged
    lost = sum(unanswered.values())
    if differ or not 0 <= extra <= lost:
        run_.errors.append(
            f"exam burst: {stored['rows']} answers stored with {stored['revisions']} revisions, "
            f"for {len(last)} items answered by {acknowledged} saves acknowledged and {lost} "
            f"left unanswered; {differ} answers' revisions are not the last one an examinee was "
            f"told (or one more, left unanswered)"
        )
    run_.details["exam"].update(
        {
            "acknowledged": acknowledged,
            "replays": sum(f["replays"] for f in exam_runs),
            "stored_rows": stored["rows"],
            "stored_revisions": stored["revisions"],
            "differ": differ,
            "unanswered": lost,
            "stored_unanswered": extra,
            "offered": offered,
            "breakdown": breakdown_rows(pooled, capacity),
            "plan": plan,
        }
    )
    low, high = (ms // 1000 for ms in plan.think)
    pace = f"{plan.examinees:,} examinees, a save every {low}–{high} s"
    run_.add(
        Figure(
            f"Exam answer saves per second ({pace})",
            rate,
            "req/s",
            f"offered ({plan.examinees:,} ÷ {mean_think:g} s)",
            offered,
            "≥ 0.95× offered",
            rate >= 0.95 * offered,
        ),
        Figure(
            "Exam answer save p50 latency",
            percentile(saves, 50),
            "ms",
            "/healthz p50, same connections and pace",
            percentile(healthz, 50),
        ),
        Figure(
            "Exam answer save p99 latency",
            percentile(saves, 99),
            "ms",
            "/healthz p99, same connections and pace",
            percentile(healthz, 99),
        ),
        Figure(
            f"Exam sign-in p99 ({plan.examinees:,} within {plan.ramp_ms // 1000} s)",
            percentile(signed, 99),
            "ms",
            "/healthz p99, same connections and pace",
            percentile(healthz, 99),
        ),
        Figure(
            f"Exam answer saves per second back to back ({plan.capacity_connections} connections)",
            cap_saves,
            "req/s",
            "/healthz back to back",
            cap_healthz,
        ),
        Figure(
            "Exam burst: answers refused or lost (non-2xx, socket errors)",
            errors,
            "",
            target="0",
            passed=errors == 0,
        ),
        Figure(
            "Exam answers' revisions stored (PostgreSQL, after the runs)",
            stored["revisions"],
            "",
            "saves acknowledged to the examinees",
            acknowledged,
            "= 1×" if not lost else f"1× to 1× + {lost} unanswered",
            not differ and 0 <= extra <= lost,
        ),
        Figure(
            "gunicorn workers' CPU per answer save, back to back",
            capacity["exam"]["cpu_ms"],
            "ms",
            "per /healthz back to back",
            capacity["healthz"]["cpu_ms"],
        ),
    )


def breakdown_rows(
    pooled: dict[str, list[dict[str, Any]]], capacity: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    rows = []
    for mode, kinds in (("exam", list(KINDS)[:-1]), ("healthz", ["healthz"])):
        for kind in kinds:
            values = [v for f in pooled[mode] for v in f[kind]]
            rows.append(_row(f"paced, {KINDS[kind]}", values))
    rows.append(_row("back to back, answer save", capacity["exam"]["save"]))
    rows.append(_row("back to back, /healthz", capacity["healthz"]["healthz"]))
    return rows


def _row(name: str, values: list[float]) -> dict[str, Any]:
    return {
        "request": name,
        "count": len(values),
        **{f"p{p}": percentile(values, p) for p in (50, 90, 99)},
        "max": max(values, default=float("nan")),
    }


def describe(run_: Run) -> str:
    """How the examinees worked, for the report."""
    found = run_.details.get("exam", {})
    plan = found.get("plan")
    if plan is None:
        return "not run"
    low, high = (ms / 1000 for ms in plan.think)
    return (
        f"{plan.examinees:,} examinees through nginx, one connection each, signing in within "
        f"{plan.ramp_ms / 1000:g} s, then saving an answer every {low:g}–{high:g} s "
        f"({plan.rounds} × {plan.seconds} s, alternating with /healthz at the same pace); "
        f"then {plan.capacity_connections} connections back to back, {plan.capacity_seconds} s "
        f"each; a paper of {found['items']} items from a bank of {found['bank']}; "
        f"{found['acknowledged']:,} saves acknowledged, {found['replays']} answered as replays, "
        f"{found['unanswered']:,} left unanswered when wrk stopped (of which "
        f"{found['stored_unanswered']:,} stored); {found['stored_rows']:,} answers stored with "
        f"{found['stored_revisions']:,} revisions"
    )


def table(run_: Run) -> str:
    """The examinees' requests by kind, in milliseconds."""
    rows = [
        "| request | count | p50 | p90 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in run_.details.get("exam", {}).get("breakdown", []):
        rows.append(
            f"| {row['request']} | {row['count']} | {row['p50']:.1f} | {row['p90']:.1f} "
            f"| {row['p99']:.1f} | {row['max']:.1f} |"
        )
    return "\n".join(rows)
