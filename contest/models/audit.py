"""The append-only audit log: who, when, what, old → new, why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, mapped_column

from contest.extensions import db
from contest.models.types import UTCDateTime, utcnow


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
