"""Appeals (申诉) against a trade's results."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core.extensions import db
from contest.core.types import UTCDateTime, enum_type, utcnow
from contest.publication.models import Decision

if TYPE_CHECKING:
    from contest.accounts.models import User
    from contest.appeals.models import Appeal
    from contest.events.models import (
        Event,
        Trade,
    )
    from contest.registration.models import Entrant


class Appeal(db.Model):
    """A team leader's written appeal about one entrant's result: one per entrant, filed in
    the trade's appeal window, decided by the chief judge or the arbitration group."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    trade_id: Mapped[int] = mapped_column(sa.ForeignKey("trades.id", ondelete="CASCADE"))
    entrant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("entrants.id", ondelete="CASCADE"), unique=True
    )
    filed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[Decision] = mapped_column(
        enum_type(Decision, "appeal_status"), default=Decision.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    event: Mapped[Event] = relationship()
    trade: Mapped[Trade] = relationship()
    entrant: Mapped[Entrant] = relationship()
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
