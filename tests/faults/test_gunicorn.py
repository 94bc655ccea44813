"""Several judges saving at once against gunicorn (2 workers) on the test database: every
acknowledged save is stored exactly once — also when a worker is killed in the middle. A
session ended in one worker is ended in every worker."""

from __future__ import annotations

import contextlib
import copy
import http.client
import http.cookiejar
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.extensions import db
from contest.domain.stages import StageKind, StageState
from contest.results.models import Score
from contest.stages.models import StageWindow
from tests.conftest import PASSWORD
from tests.factories import make_entrant, make_event, make_judge, make_trade, make_unit, make_user
from tests.faults.http import HttpTablet

ROOT = Path(__file__).resolve().parents[2]
JUDGES, ENTRANTS, CRITERIA = 8, 6, 4
#: What a client sees when the worker serving it is killed.
DROPPED = (OSError, http.client.HTTPException)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def contest(app):
    """One trade, eight judges with accounts, six entrants, scoring open."""
    with app.app_context():
        event = make_event()
        judges_unit, entrants_unit = make_unit(event, "JD"), make_unit(event, "A")
        trade = make_trade(event, criteria=CRITERIA)
        for n in range(1, JUDGES + 1):
            make_judge(trade, f"J{n}", unit=judges_unit,
                       user=make_user(Role.JUDGE, username=f"judge{n}"))  # fmt: skip
        entrants = [make_entrant(trade, entrants_unit, f"E{n}", station=n)
                    for n in range(1, ENTRANTS + 1)]  # fmt: skip
        now = datetime.now(UTC)
        db.session.add(StageWindow(event=event, kind=StageKind.SCORING, state=StageState.OPEN,
                                   opens_at=now - timedelta(hours=1),
                                   closes_at=now + timedelta(hours=8)))  # fmt: skip
        db.session.commit()
        return SimpleNamespace(trade=trade.id, entrants=[e.id for e in entrants])


@pytest.fixture(scope="module")
def server(database_url, _schema):
    """gunicorn (2 workers of 4 threads) on the test database, for the tests of the module.
    It runs in a process group of its own, which is killed whatever happens: also when it
    never answers, or a test fails with it half stopped."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CONTEST_SECRET_KEY": "gunicorn-test-secret",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "4",
    }
    master = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base, master, timeout=30)
        yield SimpleNamespace(base=base, master=master)
    finally:
        stop(master)


def wait_until_answering(base: str, master: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            return
        except OSError:
            assert master.poll() is None, "gunicorn did not start"
            assert time.monotonic() < deadline, "gunicorn did not answer"
            time.sleep(0.1)


def stop(master: subprocess.Popen) -> None:
    """Stop gunicorn as an operator would (SIGTERM: the workers finish and exit), then kill
    whatever is left of its process group."""
    if master.poll() is None:
        master.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            master.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(master.pid, signal.SIGKILL)
    master.wait()


def workers(master: subprocess.Popen) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def judge_all(server, contest, kill_after: int | None = None):
    """Every judge saves every criterion of every entrant, retrying a failed request with
    the same idempotency key (as the tablet does); returns the acknowledged values."""
    acknowledged: dict[tuple[int, str, str], str] = {}
    lock, done = threading.Lock(), threading.Event()
    errors: list[str] = []

    def judge(n: int) -> None:
        try:
            saves(n)
        except Exception as error:  # a judge that stopped early must fail the test
            errors.append(f"judge{n}: {error!r}")

    def log_in(n: int) -> HttpTablet:
        for _ in range(50):
            try:
                return HttpTablet(server.base, f"judge{n}", PASSWORD)
            except DROPPED:  # the worker died under us: log in again
                time.sleep(0.1)
        raise RuntimeError("could not log in")

    def saves(n: int) -> None:
        rng = random.Random(n)
        tablet = log_in(n)
        for entrant in contest.entrants:
            for c in range(1, CRITERIA + 1):
                value, key = str(rng.randint(0, 100) / 2), uuid.uuid4().hex
                for _ in range(50):
                    try:
                        status, body = tablet.save(contest.trade, entrant, f"P{c}", value, key)
                    except DROPPED:  # the worker died under us: send it again
                        time.sleep(0.1)
                        continue
                    if status == 200:
                        with lock:
                            acknowledged[(entrant, f"J{n}", f"P{c}")] = value
                        break
                    errors.append(f"{status} {body}")
                    return
                else:
                    errors.append("gave up")
                    return
                with lock:
                    if kill_after is not None and len(acknowledged) >= kill_after:
                        done.set()

    threads = [threading.Thread(target=judge, args=(n,)) for n in range(1, JUDGES + 1)]
    for thread in threads:
        thread.start()
    killed = None
    if kill_after is not None:
        assert done.wait(timeout=120), "the judges never got that far"
        killed = workers(server.master)[0]
        os.kill(killed, signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors[:5]
    return acknowledged, killed


def stored(app) -> dict[tuple[int, str, str], str]:
    from contest.events.models import Criterion, Judge

    with app.app_context():
        rows = db.session.execute(
            sa.select(Score.entrant_id, Judge.code, Criterion.code, Score.value)
            .join(Judge, Judge.id == Score.judge_id)
            .join(Criterion, Criterion.id == Score.criterion_id)
        ).all()
    values = {}
    for entrant, judge, criterion, value in rows:
        assert (entrant, judge, criterion) not in values, "a value stored twice"
        values[(entrant, judge, criterion)] = value
    return values


def test_many_judges_at_once_every_acknowledged_save_stored_once(app, contest, server):
    acknowledged, _ = judge_all(server, contest)
    assert len(acknowledged) == JUDGES * ENTRANTS * CRITERIA
    values = stored(app)
    assert len(values) == len(acknowledged)
    assert {k: Decimal(v) for k, v in acknowledged.items()} == values


def test_a_worker_killed_during_saves_loses_no_acknowledged_save(app, contest, server):
    acknowledged, killed = judge_all(server, contest, kill_after=40)
    assert killed is not None and killed not in workers(server.master)  # replaced
    assert len(acknowledged) == JUDGES * ENTRANTS * CRITERIA
    values = stored(app)
    assert {k: Decimal(v) for k, v in acknowledged.items()} == values


def cookies_of(tablet: HttpTablet) -> http.cookiejar.CookieJar:
    return next(
        handler.cookiejar
        for handler in tablet.opener.handlers
        if isinstance(handler, urllib.request.HTTPCookieProcessor)
    )


def test_cookies_copied_before_logout_open_nothing_in_any_worker(contest, server):
    tablet = HttpTablet(server.base, "judge1", PASSWORD)
    jar = http.cookiejar.CookieJar()
    for cookie in cookies_of(tablet):
        jar.set_cookie(copy.copy(cookie))
    thief = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    sheet = f"{server.base}/api/sheets/{contest.trade}/{contest.entrants[0]}"
    with thief.open(sheet, timeout=30) as response:  # the copy works while the session lasts
        assert response.status == 200
    form = urllib.parse.urlencode({"csrf_token": tablet.token}).encode()
    tablet.opener.open(server.base + "/logout", form, timeout=30).close()
    for _ in range(6):  # each on a new connection, to whichever worker takes it
        with thief.open(server.base + "/judging/", timeout=30) as response:
            assert urllib.parse.urlsplit(response.geturl()).path == "/login"
        with pytest.raises(urllib.error.HTTPError) as refused:
            thief.open(sheet, timeout=30)
        refused.value.close()
        assert refused.value.code == 401


def test_absurd_numbers_get_a_4xx_and_every_worker_keeps_answering(contest, server):
    """Numbers whose exact value would take minutes to work with are refused at once; /healthz
    answers in both workers meanwhile (the urllib timeout of 30 s is the bound)."""
    tablet = HttpTablet(server.base, "judge2", PASSWORD)
    for value in ("1E-999999999", "1E+999999999", "-1E-3000000"):
        status, body = tablet.save(contest.trade, contest.entrants[0], "P1", value)
        assert 400 <= status < 500 and body["message"], (value, status, body)
    for _ in range(4):
        with urllib.request.urlopen(server.base + "/healthz", timeout=30) as response:
            assert response.status == 200
