"""Benchmarks: every figure next to its baseline measured in the same run (``make bench``).

Builds events of three sizes in a fresh PostgreSQL database, serves the application with
gunicorn (2 workers) on 127.0.0.1, drives it with wrk and prints a table of figures,
baselines, ratios and targets; the full run also rewrites the figures in bench/RESULTS.md.
``--quick`` does the same on small events in about a minute and fails on errors, never on
speed (for CI).

    python -m bench.run [--quick] [--database-url URL] [--keep]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.generate import package

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
RESULTS = BENCH / "RESULTS.md"
BEGIN, END = "<!-- figures: begin -->", "<!-- figures: end -->"
USER_AGENT = "contest-bench"


@dataclass(frozen=True)
class Plan:
    """What one run builds and how long it drives the server."""

    small: dict[str, Any]  # the save benchmark's small event
    medium: dict[str, Any]  # fully scored: import, recomputation, public pages
    large: dict[str, Any]  # the save benchmark's large event
    roster_rows: int
    seconds: int  # each wrk run of the public page and /healthz
    public_rounds: int  # alternating runs of the public page and /healthz
    save_seconds: int  # each wrk run of the judges
    rounds: int  # runs of the judges on each event (alternating, pooled)
    judges: int = 16
    judges_per_trade: int = 4
    sheets: int = 24  # per judge, shared out among the rounds
    pause_ms: int = 500  # between two requests of one judge
    connections: int = 32  # public page and /healthz
    recompute_rounds: int = 3


FULL = Plan(
    small={"trades": 10, "per_trade": (20, 60), "criteria": (6, 10), "largest": 4},
    medium={"trades": 150, "per_trade": (20, 60), "criteria": 8},
    large={"trades": 1000, "per_trade": (20, 60), "criteria": (6, 10), "scored": 6, "largest": 4},
    roster_rows=10_000,
    seconds=8,
    public_rounds=4,
    save_seconds=30,
    rounds=2,
)
QUICK = Plan(
    small={"trades": 5, "per_trade": (5, 8), "criteria": (6, 10), "largest": 4},
    medium={"trades": 8, "per_trade": (5, 8), "criteria": 8},
    large={"trades": 40, "per_trade": (5, 8), "criteria": (6, 10), "scored": 4, "largest": 4},
    roster_rows=300,
    seconds=2,
    public_rounds=1,
    save_seconds=3,
    rounds=1,
    pause_ms=200,
    sheets=6,
    recompute_rounds=1,
)


class BenchError(RuntimeError):
    """Something failed: the run stops and exits non-zero."""


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# --- processes ---------------------------------------------------------------------------------


def run(args: list[str], env: dict[str, str], timeout: int = 600) -> str:
    """Run a command in the project folder; its stdout, or BenchError with its output."""
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"{' '.join(args[:6])} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def task(env: dict[str, str], *args: str) -> dict[str, Any]:
    """A ``bench.tasks`` command inside the application; its JSON answer."""
    output = run([sys.executable, "-m", "bench.tasks", *args], env)
    return json.loads(output.strip().splitlines()[-1])


def ensure_wrk() -> str:
    """wrk's path, installed from Debian when missing (as root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (Debian package)")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT}
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, **quiet).returncode:
            subprocess.run(["apt-get", "update"], env=env, check=True, **quiet)
            subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, check=True, **quiet)
        found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk is needed: apt-get install wrk (Debian) or brew install wrk")
    return found


def wrk(url: str, threads: int, connections: int, seconds: int, script: str, *args: str):
    """One wrk run; the figures its script prints on the line starting with BENCH."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(BENCH / script), url]
    if args:
        command += ["--", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    if done.returncode != 0:
        raise BenchError(f"wrk failed: {done.stderr[-2000:]}")
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            figures = json.loads(line[6:])
            figures["stderr"] = done.stderr.strip()
            return figures
    raise BenchError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


class Server:
    """gunicorn with the project's configuration, 2 workers, on a free local port."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log_path.open("w")
        server_env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            # Workers are not recycled during the run: their peak memory is one figure.
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_LOGLEVEL": "warning",
        }
        self.master = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=server_env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).close()
                break
            except OSError:
                if self.master.poll() is not None:
                    raise BenchError(f"gunicorn did not start: see {log_path}") from None
                if time.monotonic() > deadline:
                    raise BenchError("gunicorn did not answer within 60 s") from None
                time.sleep(0.2)

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.master.pid}/task/{self.master.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def memory(self) -> dict[int, dict[str, int]]:
        """Resident and peak resident memory of each worker, in kB."""
        figures = {}
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
            figures[pid] = {"rss": int(values["VmRSS"]), "peak": int(values["VmHWM"])}
        return figures

    def get(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.base + path, timeout=60) as answer:
                answer.read()
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    def stop(self) -> None:
        if self.master.poll() is None:
            self.master.send_signal(signal.SIGTERM)
            try:
                self.master.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.master.kill()
        self.log.close()


def login(base: str, username: str, password: str) -> tuple[str, str]:
    """Log a judge in as the browser does; (Cookie header, CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]

    def token(path: str) -> str:
        html = opener.open(base + path, timeout=30).read().decode()
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        if not found:
            raise BenchError(f"no CSRF token on {path} for {username}")
        return found.group(1)

    form = {"username": username, "password": password, "csrf_token": token("/login")}
    opener.open(base + "/login", urllib.parse.urlencode(form).encode(), timeout=30).read()
    csrf = token("/")
    if not any(cookie.name == "session" for cookie in jar):
        raise BenchError(f"{username} could not log in")
    return "; ".join(f"{c.name}={c.value}" for c in jar), csrf


# --- measuring -----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0–100) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * share // 100))
    return ordered[int(rank) - 1]


@dataclass
class Figure:
    """One line of the table: a figure, its baseline from the same run, the target."""

    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    target: str = ""
    passed: bool | None = None  # None: reported, no target

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline


@dataclass
class Run:
    """Everything measured in one run."""

    plan: Plan
    quick: bool
    machine: dict[str, str] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, *figures: Figure) -> None:
        for figure in figures:
            self.figures.append(figure)
            log(f"  {line(figure)}")


def line(figure: Figure) -> str:
    baseline = (
        f" | {figure.baseline_name} {number(figure.baseline, figure.unit)}"
        if (figure.baseline is not None)
        else ""
    )
    ratio = f" | ratio {figure.ratio:.2f}" if figure.ratio is not None else ""
    target = f" | target {figure.target}: {verdict(figure)}" if figure.target else ""
    return f"{figure.name}: {number(figure.value, figure.unit)}{baseline}{ratio}{target}"


def number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:g} {unit}"


def verdict(figure: Figure) -> str:
    return {True: "pass", False: "FAIL", None: "reported"}[figure.passed]


def machine(database_url: str) -> dict[str, str]:
    """CPU, cores, memory, OS, Python, PostgreSQL and tool versions, and the load."""
    cpu = "unknown"
    for text in Path("/proc/cpuinfo").read_text().splitlines():
        if text.startswith("model name"):
            cpu = text.split(":", 1)[1].strip()
            break
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    system = platform.platform()
    os_release = Path("/etc/os-release")
    if os_release.exists():
        found = re.search(r'^PRETTY_NAME="?([^"\n]+)', os_release.read_text(), re.M)
        system = found.group(1) if found else system
    engine = sa.create_engine(_driver(database_url).set(database="postgres"))
    with engine.connect() as connection:
        postgres = connection.execute(sa.text("SHOW server_version")).scalar_one()
        autovacuum = connection.execute(sa.text("SHOW autovacuum")).scalar_one()
    engine.dispose()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    gunicorn = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True
    ).stdout
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": f"{int(memory.group(1)) / 1024 / 1024:.1f} GiB" if memory else "unknown",
        "OS": f"{system} (kernel {platform.release()})",
        "Python": platform.python_version(),
        "PostgreSQL": f"{postgres.split()[0]} (autovacuum {autovacuum})",
        "gunicorn": gunicorn.strip().split()[-1].strip("()") if gunicorn.strip() else "unknown",
        "wrk": wrk_version.split()[1] if wrk_version.strip() else "unknown",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _driver(url: str) -> sa.URL:
    parsed = sa.engine.make_url(url)
    return parsed.set(drivername="postgresql+psycopg")


def analyze(url: str) -> None:
    """Refresh the planner's statistics after loading, as autovacuum would in production
    (it may be off on a test server; plans on empty-table statistics would be measured)."""
    engine = sa.create_engine(_driver(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("ANALYZE"))
    engine.dispose()


def fresh_database(url: str) -> None:
    """Drop and create the database of ``url``."""
    target = _driver(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


# --- the run -------------------------------------------------------------------------------


def build(run_: Run, env: dict[str, str], slugs: dict[str, str]) -> None:
    """Generate the three events and import them; register the roster; set up judges."""
    plan = run_.plan
    for size, spec in (("small", plan.small), ("medium", plan.medium), ("large", plan.large)):
        path = OUT / f"{slugs[size]}.json"
        started = time.perf_counter()
        document = package(slug=slugs[size], seed=2026, **spec)
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        log(
            f"generated {slugs[size]}: {len(document['trades'])} trades, "
            f"{len(document['entrants'])} entrants, {len(document['scores'])} scores "
            f"({time.perf_counter() - started:.1f} s)"
        )
        answer = task(env, "import", str(path))
        run_.details[f"import_{size}"] = answer
        log(
            f"imported {slugs[size]}: {answer['seconds']:.2f} s "
            f"(reading and checking the file {answer['check']:.2f} s)"
        )
        if size == "medium":
            run_.add(
                Figure(
                    f"Package import, {len(document['trades'])} trades, "
                    f"{len(document['scores']):,} scores",
                    answer["seconds"],
                    "s",
                    "reading and checking the file",
                    answer["check"],
                )
            )

    roster = package(
        trades=10, per_trade=(0, 0), slug=slugs["roster"], seed=2026, units=5, scored=0
    )
    path = OUT / f"{slugs['roster']}.json"
    path.write_text(json.dumps(roster, ensure_ascii=False), encoding="utf-8")
    task(env, "import", str(path))
    answer = task(env, "roster", slugs["roster"], "--rows", str(plan.roster_rows))
    run_.details["roster"] = answer
    run_.add(
        Figure(
            f"Roster upload, {answer['rows']:,} rows",
            answer["seconds"],
            "s",
            "reading the workbook",
            answer["parse"],
        )
    )

    for size in ("small", "large"):
        answer = task(
            env,
            "judges",
            slugs[size],
            "--accounts",
            str(plan.judges),
            "--per-trade",
            str(plan.judges_per_trade),
            "--sheets",
            str(plan.sheets),
        )
        if len(answer["judges"]) != plan.judges:
            raise BenchError(f"{slugs[size]}: {len(answer['judges'])} judges, not {plan.judges}")
        run_.details[f"judges_{size}"] = answer["judges"]

    answer = task(env, "publish", slugs["medium"])
    log(f"published {slugs['medium']} ({answer['seconds']:.1f} s)")
    run_.details["publish_medium"] = answer


def check_results(run_: Run, env: dict[str, str], slug: str) -> None:
    """Whether the event's stored results are what its data gives, after the saves."""
    answer = task(env, "check", slug)
    if answer["differ"]:
        run_.errors.append(f"{slug}: stored results out of date: {answer['differ']}")
    log(f"stored results of {slug} checked: {len(answer['differ'])} out of date")


def publish_large(run_: Run, env: dict[str, str], slugs: dict[str, str]) -> None:
    """Publish the largest event once the judges' saves on it are done and checked:
    publishing signs every trade off, and a signed-off trade takes no more scores."""
    check_results(run_, env, slugs["large"])
    answer = task(env, "publish", slugs["large"])
    log(
        f"published {slugs['large']} ({answer['seconds']:.1f} s; "
        f"{answer['declared_absent']:,} unscored entrants declared absent)"
    )
    run_.details["publish_large"] = answer


def measure_recompute(run_: Run, env: dict[str, str], slug: str) -> None:
    answer = task(env, "recompute", slug, "--rounds", str(run_.plan.recompute_rounds))
    run_.details["recompute"] = answer
    run_.add(
        Figure(
            f"Full recomputation, {answer['trades']} trades ({answer['rows']:,} score rows)",
            answer["recompute"],
            "s",
            "reading the score rows",
            answer["read"],
            "≤ 3× reading",
            answer["recompute"] <= 3 * answer["read"],
        ),
        Figure(
            "  the same against reading with the garbage collector paused",
            answer["recompute"],
            "s",
            "reading, collector paused",
            answer["read_paused"],
        ),
    )


def answered(folder: Path) -> dict[str, Any]:
    """The judges' answers written by saves.lua: latencies (µs) and refusals by kind."""
    figures: dict[str, Any] = {"load": [], "value": [], "submit": [], "idle": 0}
    figures.update({"load_failed": 0, "value_failed": 0, "submit_failed": 0})
    for path in sorted(folder.glob("judge-*.txt")):
        for text in path.read_text().splitlines():
            kind, micros, status = text.split()
            if kind == "idle":
                figures["idle"] += 1
                continue
            figures[kind].append(float(micros))
            if status != "200":
                figures[f"{kind}_failed"] += 1
    return figures


def judges_file(server: Server, judges: list[dict[str, Any]], path: Path, turn: int, turns: int):
    """The Lua table of logged-in judges for saves.lua, each with its share of entrants for
    this turn (every turn scores sheets nobody has touched)."""
    rows = []
    for judge in judges:
        cookie, token = login(server.base, judge["username"], judge["password"])
        entrants = judge["entrants"]
        share = -(-len(entrants) // turns)
        mine = entrants[turn * share : (turn + 1) * share]
        numbers = ", ".join(map(str, mine))
        codes = ", ".join(_lua(c) for c in judge["criteria"])
        rows.append(
            f"{{cookie = {_lua(cookie)}, token = {_lua(token)}, trade = {judge['trade']}, "
            f"entrants = {{{numbers}}}, criteria = {{{codes}}}}}"
        )
    path.write_text("return {\n  " + ",\n  ".join(rows) + "\n}\n", encoding="utf-8")


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII is a valid Lua string


def drive(run_: Run, server: Server, slugs: dict[str, str]) -> None:
    """The wrk runs: /healthz against the public results page, then the judges' saves."""
    plan = run_.plan
    trade = "T0000"
    page = f"/e/{slugs['medium']}/results/{trade}"
    for path in ("/healthz", page, f"/e/{slugs['medium']}/results", f"/e/{slugs['large']}/"):
        for _ in range(3):
            status = server.get(path)
            if status != 200:
                raise BenchError(f"GET {path} answered {status}")

    public: dict[str, list[dict[str, Any]]] = {"healthz": [], "page": []}
    for _turn in range(plan.public_rounds):
        for name, path in (("healthz", "/healthz"), ("page", page)):
            figures = wrk(server.base + path, 2, plan.connections, plan.seconds, "report.lua")
            if figures["status_errors"] or figures["socket_errors"]:
                run_.errors.append(f"GET {path}: {figures}")
            public[name].append(figures)
            log(
                f"  wrk {path}: {figures['requests'] / figures['seconds']:,.0f} req/s, "
                f"p99 {figures['p99'] / 1000:.1f} ms"
            )
    run_.details["public"] = public

    # Medians over the alternating runs: a burst of the machine's other work then moves one
    # run, not the figure.
    def rate(runs):
        return statistics.median(r["requests"] / r["seconds"] for r in runs)

    def p99(runs):
        return statistics.median(r["p99"] for r in runs) / 1000

    run_.add(
        Figure(
            f"Public trade results page, {plan.connections} connections",
            rate(public["page"]),
            "req/s",
            "/healthz",
            rate(public["healthz"]),
            "≥ 0.5× /healthz",
            rate(public["page"]) >= 0.5 * rate(public["healthz"]),
        ),
        Figure(
            "Public trade results page, p99 latency",
            p99(public["page"]),
            "ms",
            "/healthz p99",
            p99(public["healthz"]),
            "< 100 ms",
            p99(public["page"]) < 100,
        ),
    )

    saves: dict[str, dict[str, list[float]]] = {}
    nonce = uuid.uuid4().hex[:8]
    turns = plan.rounds + 1  # the last share of sheets is the lone judge's

    def judges_run(size: str, turn: int, judges: list[dict[str, Any]]) -> dict[str, Any]:
        path = OUT / f"judges-{size}-{turn}.lua"
        answers = OUT / f"saves-{size}-{turn}"
        answers.mkdir(exist_ok=True)
        judges_file(server, judges, path, turn, turns)
        figures = wrk(
            server.base, len(judges), len(judges), plan.save_seconds, "saves.lua",
            str(path), str(plan.pause_ms), f"{nonce}{turn}", str(answers),
        )  # fmt: skip
        figures.update(answered(answers))
        return figures

    for turn in range(plan.rounds):
        for size in ("small", "large"):
            figures = judges_run(size, turn, run_.details[f"judges_{size}"])
            failed = sum(figures[f"{k}_failed"] for k in ("load", "value", "submit"))
            if failed or figures["socket_errors"]:
                run_.errors.append(
                    f"saves on {slugs[size]}: {failed} refused, {figures['socket_errors']} "
                    f"socket errors: {figures['stderr'][:2000]}"
                )
            if figures["idle"]:
                run_.errors.append(f"saves on {slugs[size]}: the judges ran out of sheets")
            pooled = saves.setdefault(size, {"load": [], "value": [], "submit": []})
            for kind in pooled:
                pooled[kind] += [v / 1000 for v in figures[kind]]
            log(
                f"  wrk saves on {slugs[size]}: {len(figures['value'])} values, "
                f"{len(figures['submit'])} submits, {len(figures['load'])} loads, "
                f"value p50 {percentile([v / 1000 for v in figures['value']], 50):.1f} ms"
            )
    run_.details["saves"] = {
        size: {kind: len(values) for kind, values in kinds.items()} for size, kinds in saves.items()
    }
    alone = judges_run("small", plan.rounds, run_.details["judges_small"][:1])
    refused = {k: alone[f"{k}_failed"] for k in ("load", "value", "submit")}
    if any(refused.values()) or alone["socket_errors"] or alone["idle"]:
        run_.errors.append(
            f"the lone judge: refused {refused}, {alone['socket_errors']} socket errors, "
            f"{alone['idle']} requests after the last sheet: {alone['stderr'][:2000]}"
        )
    log(f"  wrk saves of one judge alone: value p50 {percentile(alone['value'], 50) / 1000:.1f} ms")
    run_.details["breakdown"] = []
    writes = {size: kinds["value"] + kinds["submit"] for size, kinds in saves.items()}
    pace = f"{plan.judges} judges, a request each every {plan.pause_ms} ms on average"
    for size in ("small", "large"):
        trades = (plan.small if size == "small" else plan.large)["trades"]
        kinds = saves[size]
        run_.add(
            Figure(
                f"Score save p50, {trades} trades ({pace})",
                percentile(writes[size], 50),
                "ms",
                "sheet load p50",
                percentile(kinds["load"], 50),
                "< 15 ms",
                percentile(writes[size], 50) < 15,
            ),
            Figure(
                f"Score save p99, {trades} trades",
                percentile(writes[size], 99),
                "ms",
                "sheet load p99",
                percentile(kinds["load"], 99),
                "< 100 ms",
                percentile(writes[size], 99) < 100,
            ),
        )
        for kind in ("load", "value", "submit"):
            values = kinds[kind]
            run_.details["breakdown"].append(
                {
                    "trades": trades,
                    "kind": kind,
                    "count": len(values),
                    **{f"p{p}": percentile(values, p) for p in (50, 90, 99)},
                    "max": max(values, default=float("nan")),
                }
            )
    lone = [v / 1000 for v in alone["value"] + alone["submit"]]
    run_.add(
        Figure(
            f"Score save p50, {plan.small['trades']} trades, 16 judges against one alone",
            percentile(writes["small"], 50),
            "ms",
            "one judge alone",
            percentile(lone, 50),
        ),
        Figure(
            f"Score save p50 at {plan.large['trades']} trades against {plan.small['trades']}",
            percentile(writes["large"], 50),
            "ms",
            f"p50 at {plan.small['trades']} trades",
            percentile(writes["small"], 50),
            "≤ 1.5×",
            percentile(writes["large"], 50) <= 1.5 * percentile(writes["small"], 50),
        ),
    )


def largest(run_: Run, server: Server, slugs: dict[str, str], idle: dict[int, dict[str, int]]):
    """The largest event's public pages for a while, then every worker's peak memory."""
    plan = run_.plan
    for path in (f"/e/{slugs['large']}/", f"/e/{slugs['large']}/results"):
        figures = wrk(server.base + path, 2, 8, max(2, plan.seconds // 3), "report.lua")
        if figures["status_errors"] or figures["socket_errors"]:
            run_.errors.append(f"GET {path}: {figures}")
        log(f"  wrk {path}: {figures['requests'] / figures['seconds']:,.0f} req/s")
    memory = server.memory()
    run_.details["memory"] = {"idle": idle, "end": memory}
    for number_, (pid, figures) in enumerate(sorted(memory.items()), start=1):
        run_.add(
            Figure(
                f"Peak RSS of worker {number_} (largest event: {plan.large['trades']} trades)",
                figures["peak"] / 1024,
                "MiB",
                "RSS after start",
                idle.get(pid, {}).get("rss", 0) / 1024 or None,
            )
        )


def table(run_: Run) -> str:
    """The figures as a Markdown table."""
    rows = [
        "| figure | value | baseline (same run) | ratio | target | result |",
        "|---|---:|---|---:|---|---|",
    ]
    for figure in run_.figures:
        baseline = (
            f"{figure.baseline_name}: {number(figure.baseline, figure.unit)}"
            if figure.baseline is not None
            else ""
        )
        ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else ""
        rows.append(
            f"| {figure.name.strip()} | {number(figure.value, figure.unit)} | {baseline} "
            f"| {ratio} | {figure.target} | {verdict(figure) if figure.target else 'reported'} |"
        )
    return "\n".join(rows)


KINDS = {
    "load": "sheet load (GET)",
    "value": "value save (draft, audit entry)",
    "submit": "sheet submit (audit entry, trade recomputed)",
}


def breakdown(run_: Run) -> str:
    """The judges' requests by kind, in milliseconds."""
    rows = [
        "| event | request | count | p50 | p90 | p99 | max |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in run_.details.get("breakdown", []):
        rows.append(
            f"| {row['trades']} trades | {KINDS[row['kind']]} | {row['count']} "
            f"| {row['p50']:.1f} | {row['p90']:.1f} | {row['p99']:.1f} | {row['max']:.1f} |"
        )
    return "\n".join(rows)


def report(run_: Run, started: float) -> str:
    from bench import exam

    machine_rows = "\n".join(f"| {key} | {value} |" for key, value in run_.machine.items())
    minutes = (time.monotonic() - started) / 60
    plan = run_.plan
    return (
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` "
        f"({minutes:.1f} minutes), on PostgreSQL, gunicorn 2 workers × 4 threads.\n\n"
        f"| machine | |\n|---|---|\n{machine_rows}\n\n{table(run_)}\n\n"
        f"Judges' requests ({plan.judges} judges, each pausing {plan.pause_ms} ms on average "
        f"(0.5–1.5×) between requests and starting at a random moment within one sheet's "
        f"time; {plan.rounds} × {plan.save_seconds} s per event), in milliseconds:\n\n"
        f"{breakdown(run_)}\n\n"
        f"Examinees' requests ({exam.describe(run_)}), in milliseconds:\n\n"
        f"{exam.table(run_)}\n"
    )


def write_results(text: str) -> None:
    """Replace the figures between the markers of RESULTS.md (the prose stays)."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else f"{BEGIN}\n{END}\n"
    if BEGIN not in current or END not in current:
        current += f"\n{BEGIN}\n{END}\n"
    head, rest = current.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    RESULTS.write_text(f"{head}{BEGIN}\n{text}{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small events, short runs (CI)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench"),
        help="PostgreSQL database to (re)create (default: $BENCH_DATABASE_URL or …/bench)",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--keep", action="store_true", help="keep bench/out")
    parser.add_argument(
        "--exam-only", action="store_true", help="the exam burst alone (RESULTS.md untouched)"
    )
    args = parser.parse_args(argv)
    from bench import exam  # it uses this module's helpers

    started = time.monotonic()
    plan = QUICK if args.quick else FULL
    database_url = args.database_url
    if args.quick:
        database_url = str(
            _driver(database_url)
            .set(database=_driver(database_url).database + "_quick")
            .render_as_string(hide_password=False)
        )
    run_ = Run(plan, args.quick)
    OUT.mkdir(exist_ok=True)
    ensure_wrk()
    url = sa.engine.make_url(database_url)
    if not url.get_backend_name().startswith("postgresql"):
        raise BenchError("the benchmark runs on PostgreSQL (the production database)")
    run_.machine = machine(database_url)
    log(f"machine: {run_.machine}")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CONTEST_SECRET_KEY": uuid.uuid4().hex,
        "CONTEST_ENV_NAME": "production",
        "CONTEST_PUBLIC_URL": "http://127.0.0.1",  # required in production; hosts are checked
        "LANG": "en_US.UTF-8",
    }
    redis = urllib.parse.urlsplit(args.redis_url)
    if reachable(redis.hostname or "127.0.0.1", redis.port or 6379):
        env["REDIS_URL"] = args.redis_url
        run_.machine["cache"] = "Redis (shared by the workers)"
    else:
        env.pop("REDIS_URL", None)
        run_.machine["cache"] = "in each worker's memory (no Redis found)"
    slugs = {
        "small": f"bench-{plan.small['trades']}",
        "medium": f"bench-{plan.medium['trades']}",
        "large": f"bench-{plan.large['trades']}",
        "roster": "bench-roster",
    }

    log(f"fresh database {url.database}")
    fresh_database(database_url)
    run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], env)
    if not args.exam_only:
        build(run_, env, slugs)
        analyze(database_url)
        measure_recompute(run_, env, slugs["medium"])

    log("serving with gunicorn (2 workers)")
    server = Server(env, OUT / "gunicorn.log")
    try:
        idle = server.memory()
        if not args.exam_only:
            drive(run_, server, slugs)
            publish_large(run_, env, slugs)
            largest(run_, server, slugs, idle)
        exam.burst(run_, server, env, args.quick, lambda: analyze(database_url))
    finally:
        server.stop()
    if not args.exam_only:
        check_results(run_, env, slugs["small"])  # the large event's before its publication
    run_.machine["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())

    text = report(run_, started)
    print("\n" + text)
    if run_.errors:
        print("ERRORS:\n  " + "\n  ".join(run_.errors), file=sys.stderr)
    if not args.quick and not args.exam_only:
        write_results(text)
        log(f"figures written to {RESULTS.relative_to(ROOT)}")
    if not args.keep:
        shutil.rmtree(OUT, ignore_errors=True)
    log(f"done in {(time.monotonic() - started) / 60:.1f} minutes")
    return 1 if run_.errors else 0


if __name__ == "__main__":
    # The module as bench.exam imports it, not a second copy: one BenchError.
    from bench import run as bench

    try:
        sys.exit(bench.main())
    except bench.BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        sys.exit(1)
