"""The formal steps that make results final: appeals (申诉) against a trade's results,
real-name objections (异议) to the 公示 nomination list, and the certificates issued on
publication."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.types import UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from contest.models.event import Event, Trade
    from contest.models.registration import Entrant
    from contest.models.user import User


class Decision(StrEnum):
    """Where an appeal or an objection stands."""

    PENDING = "pending"
    UPHELD = "upheld"
    REJECTED = "rejected"


class ObjectionAction(StrEnum):
    """What an upheld objection does to the nomination it concerns."""

    REMOVE = "remove"  # the entrant is taken off that award list
    CHANGE = "change"  # the entrant moves to another award list


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


class Objection(db.Model):
    """A real-name objection to a nomination on the 公示 list, filed by anyone before the
    notice closes and decided by the organisers."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    award_code: Mapped[str] = mapped_column(sa.String(64))
    entrant_code: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(50))
    phone: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[Decision] = mapped_column(
        enum_type(Decision, "objection_status"), default=Decision.PENDING
    )
    action: Mapped[ObjectionAction | None] = mapped_column(
        enum_type(ObjectionAction, "objection_action")
    )
    new_award_code: Mapped[str | None] = mapped_column(sa.String(64))
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    event: Mapped[Event] = relationship()
    decided_by: Mapped[User | None] = relationship()


class Certificate(db.Model):
    """A certificate issued on publication for one entrant's award; its code (with a check
    part only the server can make) is printed with a QR code to ``/verify/<code>``."""

    __tablename__ = "certificates"
    __table_args__ = (sa.UniqueConstraint("entrant_id", "award_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="CASCADE"))
    award_code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    entrant: Mapped[Entrant] = relationship()
