"""Backups of the whole database, and restoring one.

SQLite uses its online backup API: a consistent copy while the application keeps running.
PostgreSQL uses ``pg_dump`` (custom format) and ``pg_restore``, which must be installed on
the host (Debian: ``postgresql-client``); the URL's password may be given in ``~/.pgpass``.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa

from contest.core.extensions import db
from contest.domain.refusal import N_, Refused

SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Refused):
    """A backup or restore that cannot be made; ``code`` says why."""

    reasons = {
        "missing_tool": N_(
            "%(tool)s is not installed (Debian: apt-get install postgresql-client)."
        ),
        "not_a_backup": N_("%(file)s is not a backup of this product's database."),
        "no_file": N_("%(file)s does not exist."),
    }


def _dialect() -> str:
    return db.engine.dialect.name


def _libpq_url() -> str:
    """The database URL as pg_dump understands it (no SQLAlchemy driver suffix)."""
    url = db.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError("missing_tool", tool=name)
    return found


def backup(target: Path) -> Path:
    """Write a consistent copy of the database to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if _dialect() == "postgresql":
        subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", _libpq_url()],
            check=True,
            capture_output=True,
        )
        return target
    raw = db.engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(destination)  # type: ignore[union-attr]
        finally:
            destination.close()
    finally:
        raw.close()
    return target


def _check_sqlite_backup(source: Path) -> None:
    with source.open("rb") as file:
        if file.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError("not_a_backup", file=str(source))
    connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()
    if not {"alembic_version", "events", "audit_log"} <= tables:
        raise BackupError("not_a_backup", file=str(source))


def restore(source: Path) -> None:
    """Replace the whole database with the backup in ``source`` (stop the web workers and
    the scheduler first). Then ``flask db upgrade`` brings an older backup up to date."""
    if not source.is_file():
        raise BackupError("no_file", file=str(source))
    db.session.remove()
    if _dialect() == "postgresql":
        subprocess.run(
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
             f"--dbname={_libpq_url()}", str(source)],
            check=True,
            capture_output=True,
        )  # fmt: skip
        db.engine.dispose()
        return
    _check_sqlite_backup(source)
    db.engine.dispose()
    raw = db.engine.raw_connection()
    try:
        origin = sqlite3.connect(source)
        try:
            origin.backup(raw.driver_connection)  # type: ignore[arg-type]
        finally:
            origin.close()
    finally:
        raw.close()
    db.engine.dispose()


def summary() -> dict[str, int]:
    """Row counts of the main tables, printed after a backup or a restore."""
    names = ("events", "trades", "entrants", "scores", "audit_log")
    return {
        name: db.session.execute(
            sa.select(sa.func.count()).select_from(sa.table(name))
        ).scalar_one()
        for name in names
    }
