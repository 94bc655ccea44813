"""What the results are computed from — judges' scores, directly entered component scores,
factors, excusals — and the computed results, stored per trade so that pages never recompute
them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core import labels
from contest.core.extensions import db
from contest.core.types import ExactDecimal, UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from contest.events.models import (
        Component,
        Criterion,
        Judge,
    )
    from contest.registration.models import Entrant
    from contest.results.models import Score


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
    # The value is the one two clerks agreed on from the judge's paper sheet (or the one the
    # chief judge took from it), not one the judge entered on a tablet.
    paper: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

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


class PenaltyRecord(db.Model):
    """A penalty the chief judge recorded (安全文明生产扣分, SCORING.md §7): points off one
    criterion or component of the entrant's trade, with its kind and reason. Never deleted:
    a penalty given in error is withdrawn with a reason and stops counting."""

    __tablename__ = "penalties"
    __table_args__ = (
        sa.CheckConstraint("points >= 0", name="points_non_negative"),
        sa.CheckConstraint("(criterion_id IS NULL) <> (component_id IS NULL)", name="one_target"),
        sa.Index("ix_penalties_entrant_id", "entrant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="CASCADE"))
    criterion_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("criteria.id", ondelete="CASCADE")
    )
    component_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("components.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(sa.String(32))
    points: Mapped[Decimal] = mapped_column(ExactDecimal)
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)

    entrant: Mapped[Entrant] = relationship()
    criterion: Mapped[Criterion | None] = relationship()
    component: Mapped[Component | None] = relationship()

    @property
    def target_code(self) -> str:
        """The code of the criterion or component it is taken from."""
        target = self.criterion or self.component
        assert target is not None
        return target.code


class AwardDecisionKind(StrEnum):
    """An organiser's decision on an award rule (SCORING.md §7)."""

    INELIGIBLE = "ineligible"  # does not meet the rule's conditions: passed over
    NAMED = "named"  # named for a manual rule (优胜奖若干)


class AwardDecision(db.Model):
    """An organiser's decision that an entrant does not meet a rule's conditions, or that a
    manual rule names them. Rules are kept by code (an edit of the event's rules rewrites
    them). Never deleted: withdrawn with a reason."""

    __tablename__ = "award_decisions"
    __table_args__ = (sa.Index("ix_award_decisions_entrant_id", "entrant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    rule_code: Mapped[str] = mapped_column(sa.String(64))
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="CASCADE"))
    kind: Mapped[AwardDecisionKind] = mapped_column(
        enum_type(AwardDecisionKind, "award_decision_kind")
    )
    reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)

    entrant: Mapped[Entrant] = relationship()


class TradeResultRecord(db.Model):
    """The latest computed results of one trade (``domain.snapshot`` format)."""

    __tablename__ = "trade_results"

    trade_id: Mapped[int] = mapped_column(
        sa.ForeignKey("trades.id", ondelete="CASCADE"), primary_key=True
    )
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


labels.register(ScoreState, {ScoreState.DRAFT: _l("Draft"), ScoreState.SUBMITTED: _l("Submitted")})
labels.register(
    AwardDecisionKind,
    {
        AwardDecisionKind.INELIGIBLE: _l("Does not meet the conditions"),
        AwardDecisionKind.NAMED: _l("Named by the organisers"),
    },
)
