"""The audit log: every change recorded — who, what, old → new, why — in a hash chain that
shows any entry edited or removed since (``contest.domain.audit_chain``). Entries are only
ever inserted; the ORM refuses updates and deletes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, Session, mapped_column

from contest.core import pagination
from contest.core.extensions import db
from contest.core.types import UTCDateTime, utcnow
from contest.domain import audit_chain


class Account(Protocol):
    """Who acts: any account (its id and its name at the time)."""

    id: int
    name: str


class Recorded(Protocol):
    """What an entry is filed under (an event)."""

    id: int


class AuditEntry(db.Model):
    """One recorded change. Rows are only ever inserted; the ORM refuses updates and deletes."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(sa.String(100))  # name at the time, or "scheduler"
    event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(64))  # e.g. "score.update", "user.create"
    entity: Mapped[str] = mapped_column(sa.String(64))  # e.g. "score", "user"
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    old: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    # The hash chain (contest.domain.audit_chain): the previous entry's hash and this one's.
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str | None] = mapped_column(sa.String(64))

    def content(self) -> dict[str, Any]:
        """What the chain's hash covers."""
        return {
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "old": self.old,
            "new": self.new,
            "reason": self.reason,
        }


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove a recorded audit entry."""


@sa_event.listens_for(AuditEntry, "before_update")
@sa_event.listens_for(AuditEntry, "before_delete")
def _refuse_change(mapper, connection, target):
    raise AuditLogIsAppendOnly(f"audit entry {target.id} cannot be changed or deleted")


#: Serialises writers of the audit chain on PostgreSQL (held until the transaction ends).
CHAIN_LOCK = 7_265_183_341
#: PostgreSQL: the chain's lock, then its last hash (a function of a migration).
CHAIN_HEAD = sa.select(sa.func.audit_chain_head(sa.literal(CHAIN_LOCK, sa.BigInteger)))

SYSTEM = "system"
SCHEDULER = "scheduler"


def record(
    actor: Account | str | None,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str | None = None,
    event: Recorded | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction: who, what, old → new, why.

    ``actor`` is the acting account, or a label such as ``"scheduler"`` for automatic changes.
    """
    user = None if actor is None or isinstance(actor, str) else actor
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


def recent(page: int = 1) -> Pagination:
    """A page of the audit log, newest first."""
    return pagination.page_of(sa.select(AuditEntry).order_by(AuditEntry.id.desc()), page)
