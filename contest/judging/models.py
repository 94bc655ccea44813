"""What the judging process keeps besides the scores: re-score requests, paper sheets entered
by two clerks, and the answers of the score API (idempotency)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core.extensions import db
from contest.core.types import ExactDecimal, UTCDateTime, utcnow

if TYPE_CHECKING:
    from contest.events.models import (
        Judge,
    )
    from contest.registration.models import Entrant


class RescoreRequest(db.Model):
    """The chief judge asks a judge to score an entrant again; open until resubmitted."""

    __tablename__ = "rescore_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("judges.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.Text)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entrant: Mapped[Entrant] = relationship()
    judge: Mapped[Judge] = relationship()


class PaperEntry(db.Model):
    """One clerk's transcription of a value from a judge's paper sheet (double entry)."""

    __tablename__ = "paper_entries"
    __table_args__ = (
        sa.UniqueConstraint("entrant_id", "criterion_id", "judge_id", "clerk_id"),
        sa.CheckConstraint("value >= 0", name="value_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("judges.id", ondelete="CASCADE"))
    clerk_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the chief judge kept the judge's tablet value over the value the clerks agreed
    # on; cleared when this entry changes.
    overruled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiRequest(db.Model):
    """A processed request's idempotency key and its response: a retry gets the same answer
    and changes nothing."""

    __tablename__ = "api_requests"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[int]
    body: Mapped[dict] = mapped_column(sa.JSON)
