"""What the judging process keeps besides the scores: re-score requests, paper sheets entered
by two clerks, and the answers of the score API (idempotency)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core.extensions import db
from contest.core.types import ExactDecimal, UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from contest.events.models import (
        Judge,
        Trade,
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


class DrawKind(StrEnum):
    """What a recorded draw did."""

    DRAW = "draw"  # the first draw of the trade
    REDRAW = "redraw"  # a new draw replacing every station and code
    TOP_UP = "top_up"  # stations for entrants approved after the draw, the others kept


class DrawRound(db.Model):
    """One draw of a trade as made: its seed and everything needed to make it again (the
    prefix, the first station, the codes already taken) with what it gave, so that anyone
    can check it from the seed. Kept when a redraw replaces it."""

    __tablename__ = "draw_rounds"
    __table_args__ = (
        sa.CheckConstraint("first_station > 0", name="first_station_positive"),
        sa.Index("ix_draw_rounds_trade_id", "trade_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trade_id: Mapped[int] = mapped_column(sa.ForeignKey("trades.id", ondelete="CASCADE"))
    kind: Mapped[DrawKind] = mapped_column(enum_type(DrawKind, "draw_kind"))
    seed: Mapped[str] = mapped_column(sa.String(64))
    prefix: Mapped[str] = mapped_column(sa.String(8))
    first_station: Mapped[int]
    taken: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # codes given before
    # What it gave: [{"entrant": code, "station": n, "code": anonymous code}, …]
    lots: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    made_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(sa.Text)

    trade: Mapped[Trade] = relationship()

    @property
    def entrants(self) -> list[str]:
        """The codes of the entrants it placed, in station order."""
        return [lot["entrant"] for lot in self.lots]
