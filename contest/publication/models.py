"""What an event makes public and what follows from it: the publications (公示 list, final
results), real-name objections (异议) to the 公示 list and the certificates issued on
publication."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core.extensions import db
from contest.core.types import UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from contest.accounts.models import User
    from contest.events.models import (
        Event,
    )
    from contest.publication.models import Certificate, Objection, Publication
    from contest.registration.models import Entrant


class Decision(StrEnum):
    """Where an appeal or an objection stands."""

    PENDING = "pending"
    UPHELD = "upheld"
    REJECTED = "rejected"


class ObjectionAction(StrEnum):
    """What an upheld objection does to the nomination it concerns."""

    REMOVE = "remove"  # the entrant is taken off that award list
    CHANGE = "change"  # the entrant moves to another award list


class Publication(db.Model):
    """What an event made public when a stage was reached: the nomination list for 公示
    (``public_notice``) or the final results (``results``), as they stood at that moment."""

    __tablename__ = "publications"
    __table_args__ = (sa.UniqueConstraint("event_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    payload: Mapped[dict] = mapped_column(sa.JSON)

    event: Mapped[Event] = relationship()


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
