"""Small query helpers shared by the services."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import Select

from contest.core.extensions import db


def as_dict(statement: Select) -> dict[Any, Any]:
    """Run a two-column select (key, value) and return it as a dict."""
    return {key: value for key, value in db.session.execute(statement).all()}


def lock_row(model: type, row_id: int, shared: bool = False) -> None:
    """Take a lock on one row until the transaction ends, so that check-then-write sequences
    (quota, capacity, a save racing a lock) cannot interleave. PostgreSQL locks the row —
    ``shared`` lets many holders in at once but keeps an exclusive one out; SQLite, which has
    one writer at a time, starts the write transaction here."""
    table = model.__table__  # type: ignore[attr-defined]
    if db.session.get_bind().dialect.name == "postgresql":
        query = sa.select(table.c.id).where(table.c.id == row_id)
        db.session.execute(query.with_for_update(read=shared))
    else:
        db.session.execute(sa.update(table).where(table.c.id == row_id).values(id=table.c.id))
