"""An import killed in the middle (SIGKILL, no chance to clean up) leaves the database as it
was: the event it was replacing is intact and nothing of the new one is there."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.generate import package
from contest.core.extensions import db
from contest.domain.package import read_package
from contest.events.models import Event, Trade
from contest.packages import importing
from contest.registration.models import Entrant
from contest.results.models import Score
from tests.packages import small_package

ROOT = Path(__file__).resolve().parents[2]


def snapshot(app) -> dict:
    with app.app_context():
        count = lambda model: db.session.execute(  # noqa: E731
            sa.select(sa.func.count()).select_from(model)
        ).scalar_one()
        names = db.session.execute(sa.select(Event.name)).scalars().all()
        return {"events": names, "trades": count(Trade), "entrants": count(Entrant),
                "scores": count(Score)}  # fmt: skip


def writing(url: sa.URL) -> bool:
    """Whether another process is inside a write transaction on the database right now."""
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, timeout=0)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.rollback()
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            connection.close()
    engine = sa.create_engine(url.set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection:
            return bool(
                connection.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_an_import_killed_midway_changes_nothing(app, database_url, tmp_path):
    with app.app_context():
        importing.import_package(read_package(small_package()))
        db.session.commit()
    before = snapshot(app)

    big = package(trades=40, per_trade=(30, 40), slug="small-games", seed=7)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(big, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": database_url, "CONTEST_SECRET_KEY": "fault-test"}
    importer = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "import-package", str(path)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    # Closed and waited for at the end; killed first if the test fails before killing it.
    with importer:
        try:
            url = sa.engine.make_url(database_url)
            deadline = time.monotonic() + 60
            while not writing(url):
                assert importer.poll() is None, importer.communicate()
                assert time.monotonic() < deadline, "the import never started writing"
                time.sleep(0.05)
            time.sleep(0.5)  # well into the replacement
            assert importer.poll() is None, "the import finished before it could be killed"
            importer.send_signal(signal.SIGKILL)
            importer.communicate(timeout=30)  # also closes its pipes
            assert importer.returncode == -signal.SIGKILL
        finally:
            importer.kill()  # nothing to do once it has ended

    deadline = time.monotonic() + 30
    while writing(url) and time.monotonic() < deadline:  # PostgreSQL notices the dead client
        time.sleep(0.1)
    assert snapshot(app) == before
    with app.app_context():
        assert db.session.execute(sa.select(Event.name)).scalar_one() == "小型测试赛"


@pytest.fixture(autouse=True)
def _no_leftover_writer(database_url):
    yield
    url = sa.engine.make_url(database_url)
    deadline = time.monotonic() + 30
    while writing(url) and time.monotonic() < deadline:
        time.sleep(0.1)
