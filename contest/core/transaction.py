"""Where work is committed, and nowhere else: once per request (``contest.core.web``), once
per command-line command or scheduler run (``unit_of_work``). Services and views only add
and flush; any exception rolls the whole unit back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from contest.core.extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did if it ends normally; roll it all back if it raises."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    db.session.commit()


def rollback() -> None:
    """Discard the current transaction; the connection itself may be gone."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.remove()
