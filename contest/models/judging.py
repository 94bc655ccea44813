"""Judges, their panels, and everything they enter: scores, factors, excusals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.types import ExactDecimal, UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from contest.models.event import Component, Criterion, Event, Trade, Unit
    from contest.models.registration import Entrant
    from contest.models.user import User


class Judge(db.Model):
    """A judge or score clerk of an event; ``unit`` drives recusal (回避)."""

    __tablename__ = "judges"
    __table_args__ = (sa.UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(20))

    event: Mapped[Event] = relationship(back_populates="judges")
    unit: Mapped[Unit | None] = relationship()
    user: Mapped[User | None] = relationship()
    panels: Mapped[list[PanelMember]] = relationship(
        back_populates="judge", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Judge {self.code}>"


class PanelMember(db.Model):
    """A judge's place on a trade's panel; the chief judge (裁判长) signs the trade off."""

    __tablename__ = "panel_members"

    trade_id: Mapped[int] = mapped_column(
        sa.ForeignKey("trades.id", ondelete="CASCADE"), primary_key=True
    )
    judge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judges.id", ondelete="CASCADE"), primary_key=True
    )
    is_chief: Mapped[bool] = mapped_column(default=False)

    trade: Mapped[Trade] = relationship(back_populates="panel")
    judge: Mapped[Judge] = relationship(back_populates="panels")


class ScoreState(StrEnum):
    """A judge's value is a draft until submitted; only submitted values count."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class Score(db.Model):
    """One judge's value for one criterion of one entrant (as entered, before scaling)."""

    __tablename__ = "scores"
    __table_args__ = (
        sa.UniqueConstraint("entrant_id", "criterion_id", "judge_id"),
        sa.CheckConstraint("value >= 0", name="value_non_negative"),
        sa.Index("ix_scores_criterion_entrant", "criterion_id", "entrant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("judges.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    state: Mapped[ScoreState] = mapped_column(
        enum_type(ScoreState, "score_state"), default=ScoreState.SUBMITTED
    )
    # Bumped on every change; lets clients detect a concurrent edit.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entrant: Mapped[Entrant] = relationship()
    criterion: Mapped[Criterion] = relationship()
    judge: Mapped[Judge] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ComponentScore(db.Model):
    """A directly entered component score (e.g. the theory exam result)."""

    __tablename__ = "component_scores"
    __table_args__ = (
        sa.UniqueConstraint("entrant_id", "component_id"),
        sa.CheckConstraint("value >= 0", name="value_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="CASCADE"))
    component_id: Mapped[int] = mapped_column(sa.ForeignKey("components.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    entrant: Mapped[Entrant] = relationship()
    component: Mapped[Component] = relationship()

    __mapper_args__ = {"version_id_col": version}


class EntrantFactor(db.Model):
    """An entrant's own factor for a criterion (declared difficulty); replaces the default."""

    __tablename__ = "entrant_factors"
    __table_args__ = (sa.CheckConstraint("factor > 0", name="factor_positive"),)

    entrant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("entrants.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("criteria.id", ondelete="CASCADE"), primary_key=True
    )
    factor: Mapped[Decimal] = mapped_column(ExactDecimal)

    entrant: Mapped[Entrant] = relationship()
    criterion: Mapped[Criterion] = relationship()


class Excusal(db.Model):
    """The chief judge excuses a judge from an entrant's panel, for every criterion."""

    __tablename__ = "excusals"
    __table_args__ = (sa.UniqueConstraint("entrant_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("judges.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    entrant: Mapped[Entrant] = relationship()
    judge: Mapped[Judge] = relationship()


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


class ApiRequest(db.Model):
    """A processed request's idempotency key and its response: a retry gets the same answer
    and changes nothing."""

    __tablename__ = "api_requests"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[int]
    body: Mapped[dict] = mapped_column(sa.JSON)
