"""Writing to the append-only audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from contest.domain import audit_chain
from contest.extensions import db
from contest.models import AuditEntry, Event, User
from contest.models.types import utcnow

#: Serialises writers of the audit chain on PostgreSQL (held until the transaction ends).
CHAIN_LOCK = 7_265_183_341
#: PostgreSQL: the chain's lock, then its last hash (a function of a migration).
CHAIN_HEAD = sa.select(sa.func.audit_chain_head(sa.literal(CHAIN_LOCK, sa.BigInteger)))

SYSTEM = "system"
SCHEDULER = "scheduler"


def record(
    actor: User | str | None,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str | None = None,
    event: Event | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction: who, what, old → new, why.

    ``actor`` is the acting account, or a label such as ``"scheduler"`` for automatic changes.
    """
    user = actor if isinstance(actor, User) else None
    label = user.name if user else (actor or SYSTEM)
    entry = AuditEntry(
        user_id=user.id if user else None,
        actor=label,
        event_id=event.id if event else None,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        old=old,
        new=new,
        reason=reason,
        at=utcnow(),
    )
    db.session.add(entry)
    return entry


@sa_event.listens_for(Session, "before_flush")
def _seal(session: Session, _context: Any, _instances: Any) -> None:
    """Chain the new audit entries, in the order they were added (their id order), to the
    last entry in the database. Writers take turns: PostgreSQL by an advisory lock held to
    the end of the transaction, taken with the read of the last hash in one round trip
    (``audit_chain_head``); SQLite by starting the write transaction here (one writer)."""
    new = [o for o in session.new if isinstance(o, AuditEntry)]
    if not new:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        head = CHAIN_HEAD
    else:
        table = AuditEntry.__table__
        connection.execute(sa.update(table).where(sa.false()).values(id=table.c.id))
        head = sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    previous = connection.execute(head).scalar_one_or_none() or audit_chain.GENESIS
    for entry in sorted(new, key=lambda added: sa.inspect(added).insert_order):
        entry.at = entry.at or utcnow()
        entry.prev_hash = previous
        entry.hash = previous = audit_chain.entry_hash(previous, entry.content())


def chain() -> Iterator[tuple[int, str | None, str | None, dict[str, Any]]]:
    """Every entry, in id order, as the verifier reads it."""
    rows = db.session.execute(
        sa.select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
    ).scalars()
    for entry in rows:
        yield entry.id, entry.prev_hash, entry.hash, entry.content()


def verify_chain() -> tuple[int, list[audit_chain.Break], AuditEntry | None]:
    """How many entries there are, where the chain breaks, and the last entry (whose hash
    can be noted elsewhere to detect removal of the newest entries)."""
    count = 0

    def counted():
        nonlocal count
        for item in chain():
            count += 1
            yield item

    breaks = audit_chain.verify(counted())
    last = db.session.execute(
        sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one_or_none()
    return count, breaks, last
