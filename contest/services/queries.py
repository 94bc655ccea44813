"""Small query helpers shared by the services."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import Select

from contest.extensions import db


def as_dict(statement: Select) -> dict[Any, Any]:
    """Run a two-column select (key, value) and return it as a dict."""
    return {key: value for key, value in db.session.execute(statement).all()}


def lock_row(model: type, row_id: int) -> None:
    """Take a write lock on one row until the transaction ends, so that check-then-write
    sequences (quota, capacity) cannot interleave. PostgreSQL locks the row; SQLite, which
    has one writer at a time, starts the write transaction here."""
    table = model.__table__  # type: ignore[attr-defined]
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(table.c.id).where(table.c.id == row_id).with_for_update())
    else:
        db.session.execute(sa.update(table).where(table.c.id == row_id).values(id=table.c.id))
