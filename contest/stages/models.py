"""Planned stage windows and the record of every change to their state."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core.extensions import db
from contest.core.types import UTCDateTime, enum_type, utcnow
from contest.domain.stages import StageKind, StageState

if TYPE_CHECKING:
    from contest.accounts.models import User
    from contest.events.models import (
        Event,
        Trade,
    )
    from contest.stages.models import StageTransition, StageWindow


class StageWindow(db.Model):
    """One window of an event, or a trade's override of it (scoring, appeal)."""

    __tablename__ = "stage_windows"
    __table_args__ = (
        sa.CheckConstraint("closes_at IS NULL OR closes_at > opens_at", name="closes_after_opens"),
        # One window of each kind per event, and per trade for overrides.
        sa.Index(
            "uq_stage_windows_event_kind",
            "event_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("trade_id IS NULL"),
            postgresql_where=sa.text("trade_id IS NULL"),
        ),
        sa.Index(
            "uq_stage_windows_trade_kind",
            "trade_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("trade_id IS NOT NULL"),
            postgresql_where=sa.text("trade_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    trade_id: Mapped[int | None] = mapped_column(sa.ForeignKey("trades.id", ondelete="CASCADE"))
    kind: Mapped[StageKind] = mapped_column(enum_type(StageKind, "stage_kind"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)  # publication: the instant
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[StageState] = mapped_column(
        enum_type(StageState, "stage_state"), default=StageState.PENDING
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="windows")
    trade: Mapped[Trade | None] = relationship()
    transitions: Mapped[list[StageTransition]] = relationship(
        back_populates="window", cascade="all, delete-orphan", order_by="StageTransition.id"
    )


class StageTransition(db.Model):
    """A change of a window's state: by the scheduler (no user) or a named user with a reason."""

    __tablename__ = "stage_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(sa.ForeignKey("stage_windows.id", ondelete="CASCADE"))
    from_state: Mapped[StageState] = mapped_column(enum_type(StageState, "transition_from"))
    to_state: Mapped[StageState] = mapped_column(enum_type(StageState, "transition_to"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(sa.Text)

    window: Mapped[StageWindow] = relationship(back_populates="transitions")
    by_user: Mapped[User | None] = relationship()
