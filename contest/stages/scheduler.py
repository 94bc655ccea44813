"""The scheduler that opens and closes stage windows on time (APScheduler 3.x).

- Planned transitions are date jobs in a persistent job store (the app's database), and a
  periodic *reconcile* job applies anything due and re-syncs the date jobs with the planned
  windows — so nothing depends on any single job having fired, and a transition missed while
  no scheduler ran is applied once at start.
- Every transition is a conditional update (``services.stages.transition``), so even two
  schedulers apply it once; still, only one scheduler works at a time: on PostgreSQL it
  holds an advisory lock, on SQLite a file lock in the instance folder. A second one waits.
- ``flask --app wsgi scheduler`` runs it as its own process (production); under
  ``make run`` it runs inside the development server (``CONTEST_SCHEDULER_IN_PROCESS``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from blinker import Namespace
from flask import Flask

from contest.core.extensions import db
from contest.core.transaction import unit_of_work
from contest.stages import services as stages

log = logging.getLogger(__name__)

#: Sent with the time on every run of the periodic job, inside its unit of work: a feature
#: with work due by the clock connects to it (the exams end the sittings out of time).
tick = Namespace().signal("scheduler-tick")
JOB_TABLE = "apscheduler_jobs"
ADVISORY_LOCK = 7_265_183_340  # any fixed number; the same in every process of the product
RECONCILE = "reconcile"

#: The app the jobs run in; set by ``start`` in the process that runs the scheduler.
_app: Flask | None = None
_scheduler: BaseScheduler | None = None
_store_engine: sa.Engine | None = None
_leadership: Leadership | None = None


def now() -> datetime:
    return datetime.now(UTC)


def run_due() -> list[stages.Applied]:
    """Apply every due transition (the target of the date jobs)."""
    assert _app is not None, "the scheduler's app is not set"
    with _app.app_context(), unit_of_work():
        applied = stages.apply_due(now())
        tick.send(now())
    for item in applied:
        log.info(
            "stage %s %s %s → %s", item.event, item.kind.value, item.trade or "", item.to.value
        )
    return applied


def reconcile() -> None:
    """Apply whatever is due, then bring the date jobs in line with the planned windows."""
    run_due()
    if _scheduler is not None:
        with _app.app_context():  # type: ignore[union-attr]
            sync_jobs(_scheduler)


def sync_jobs(scheduler: BaseScheduler) -> None:
    """One date job per future planned transition; stale ones removed."""
    wanted = {
        f"window-{window_id}-{target.value}": when
        for when, window_id, target in stages.planned(now())
    }
    for job in scheduler.get_jobs():
        if job.id.startswith("window-") and job.id not in wanted:
            job.remove()
    for job_id, when in wanted.items():
        scheduler.add_job(
            "contest.stages.scheduler:run_due", "date", run_date=when, id=job_id,
            replace_existing=True, misfire_grace_time=None, coalesce=True,
        )  # fmt: skip


class Leadership:
    """The right to be the one working scheduler: a PostgreSQL advisory lock held on its own
    connection, or an exclusive file lock for SQLite."""

    def __init__(self, app: Flask):
        self.app = app
        self.connection: Any = None
        self.file: Any = None

    def acquire(self) -> bool:
        with self.app.app_context():
            engine = db.engine
        if engine.dialect.name == "postgresql":
            self.connection = engine.connect()
            held = self.connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK}
            ).scalar_one()
            self.connection.commit()
            if not held:
                self.connection.close()
                self.connection = None
            return bool(held)
        self.file = open(self.lock_path(engine.url), "w")  # noqa: SIM115 - held open for the process's lifetime
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.file.close()
            self.file = None
            return False
        return True

    def lock_path(self, url: sa.URL) -> str:
        """Next to the SQLite database file: one working scheduler per database."""
        if url.database and url.database != ":memory:":
            return f"{url.database}.scheduler-lock"
        os.makedirs(self.app.instance_path, exist_ok=True)
        return os.path.join(self.app.instance_path, "scheduler-lock")

    def release(self) -> None:
        if self.connection is not None:
            self.connection.execute(
                sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK}
            )
            self.connection.close()
            self.connection = None
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None


def build(app: Flask, kind: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """A scheduler with the persistent job store and the periodic reconcile job."""
    global _app, _scheduler, _store_engine
    _app = app
    # The job store gets an engine of its own, closed by ``stop``.
    _store_engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    scheduler = kind(
        jobstores={"default": SQLAlchemyJobStore(engine=_store_engine, tablename=JOB_TABLE)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )
    scheduler.add_job(
        "contest.stages.scheduler:reconcile", "interval", id=RECONCILE, replace_existing=True,
        seconds=app.config["SCHEDULER_INTERVAL"], next_run_time=now(),
    )  # fmt: skip
    _scheduler = scheduler
    return scheduler


def stop(scheduler: BaseScheduler) -> None:
    """Shut the scheduler down, close its job store's connections (including any its loop
    opened while shutting down) and give up the leadership."""
    global _scheduler, _store_engine, _leadership
    if scheduler.running:
        scheduler.shutdown(wait=True)
    if _store_engine is not None:
        _store_engine.dispose()
    if _leadership is not None:
        _leadership.release()
    _scheduler = _store_engine = _leadership = None


def start_in_process(app: Flask) -> BaseScheduler | None:
    """Run the scheduler in the background of this process, if no other scheduler works."""
    global _leadership
    leadership = Leadership(app)
    if not leadership.acquire():
        log.warning("another scheduler is working; this process does not schedule")
        return None
    scheduler = build(app, BackgroundScheduler)
    _leadership = leadership
    scheduler.start()
    return scheduler


def run_forever(app: Flask, wait: float = 30.0) -> None:
    """The scheduler process: wait to become the working scheduler, then run (blocking)."""
    global _leadership
    leadership = Leadership(app)
    while not leadership.acquire():
        log.info("another scheduler is working; checking again in %.0f s", wait)
        time.sleep(wait)
    runner = build(app, BlockingScheduler)
    _leadership = leadership
    try:
        runner.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop(runner)
