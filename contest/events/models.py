"""An event, its units, trades, marking schemes and award rules, and its judges and their panels."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core import labels
from contest.core.extensions import db
from contest.core.types import ExactDecimal, UTCDateTime, enum_type, utcnow
from contest.domain.scoring import Aggregation, CriterionKind, Recusal

if TYPE_CHECKING:
    from contest.accounts.models import User
    from contest.events.models import (
        AwardRule,
        Component,
        Criterion,
        Event,
        Judge,
        PanelMember,
        Trade,
        Unit,
    )
    from contest.registration.models import Entrant, Team
    from contest.stages.models import StageWindow


class UnitKind(StrEnum):
    """The kind of body fielding a team."""

    DISTRICT = "district"  # 县市区总工会
    INDUSTRY = "industry"  # 产业工会
    ENTERPRISE = "enterprise"  # 直属企业工会
    OTHER = "other"


class Event(db.Model):
    """A contest (赛事): many trades, one schedule, one set of award rules."""

    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint("decimals >= 0 AND decimals <= 6", name="decimals_range"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    host: Mapped[str | None] = mapped_column(sa.String(200))  # 主办单位
    venue: Mapped[str | None] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Shanghai")
    decimals: Mapped[int] = mapped_column(default=2)
    placement_points: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    medals_by_field: Mapped[bool] = mapped_column(default=False)
    # One person in one trade unless the event allows more (PRODUCT.md §2).
    multiple_trades_allowed: Mapped[bool] = mapped_column(default=False)
    # Bumped by each organiser's edit of the event (settings, schedule, award rules): an
    # edit made on an older version is refused rather than overwriting someone else's.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    units: Mapped[list[Unit]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Unit.id"
    )
    trades: Mapped[list[Trade]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Trade.position"
    )
    award_rules: Mapped[list[AwardRule]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="AwardRule.position"
    )
    teams: Mapped[list[Team]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Team.id"
    )
    entrants: Mapped[list[Entrant]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Entrant.id"
    )
    judges: Mapped[list[Judge]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Judge.id"
    )
    windows: Mapped[list[StageWindow]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="StageWindow.id"
    )

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


unit_contacts = sa.Table(
    "unit_contacts",
    db.metadata,
    sa.Column("unit_id", sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Unit(db.Model):
    """A participating body (参赛单位): a district union, industry union or enterprise."""

    __tablename__ = "units"
    __table_args__ = (sa.UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[UnitKind] = mapped_column(enum_type(UnitKind, "unit_kind"))

    event: Mapped[Event] = relationship(back_populates="units")
    contacts: Mapped[list[User]] = relationship(secondary=unit_contacts, order_by="User.id")
    teams: Mapped[list[Team]] = relationship(back_populates="unit", order_by="Team.id")
    entrants: Mapped[list[Entrant]] = relationship(back_populates="unit", order_by="Entrant.id")

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class UnitPlaces(db.Model):
    """The places a unit has in a trade (名额分配), set apart from the trade's quota per unit
    (a big district gets more places than an enterprise union); 0 enters no one."""

    __tablename__ = "unit_places"
    __table_args__ = (sa.CheckConstraint("places >= 0", name="places_non_negative"),)

    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    trade_id: Mapped[int] = mapped_column(
        sa.ForeignKey("trades.id", ondelete="CASCADE"), primary_key=True
    )
    places: Mapped[int]


class Trade(db.Model):
    """A trade (工种) within an event: the ranked field with its own marking scheme."""

    __tablename__ = "trades"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "code"),
        sa.CheckConstraint("team_size IS NULL OR team_size > 0", name="team_size_positive"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("unit_quota IS NULL OR unit_quota > 0", name="unit_quota_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str | None] = mapped_column(sa.String(50))  # 一类/二类, 职工组/学生组
    tie_breakers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    min_entrants: Mapped[int | None]
    team_size: Mapped[int | None]
    recusal: Mapped[Recusal] = mapped_column(
        enum_type(Recusal, "trade_recusal"), default=Recusal.SAME_UNIT
    )
    # Registration limits (PRODUCT.md §2).
    capacity: Mapped[int | None]
    unit_quota: Mapped[int | None]
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    min_skill_level: Mapped[str | None] = mapped_column(sa.String(20))
    # Draw of lots: the recorded seed reproduces station numbers and codes.
    draw_seed: Mapped[str | None] = mapped_column(sa.String(64))
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sign-off by the chief judge: scores frozen while locked.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Paper sheets entered twice by two clerks; a value counts only when both agree.
    double_entry: Mapped[bool] = mapped_column(default=False)
    # Rules from real contest documents (SCORING.md §7): penalty kinds that disqualify and
    # how many ({"equipment": 2}), the overtime deduction ({"component", "limit",
    # "per_minute", "zero_after"}), team tie-breakers, and the fewest starters for a trade
    # that awards anything.
    disqualify_on: Mapped[dict[str, int]] = mapped_column(
        sa.JSON, default=dict, server_default="{}"
    )
    # The trade's 扣分标准: the points one penalty of a kind takes ({"安全文明生产": "5"}),
    # offered on the chief judge's desk and stated in the rules text (not a package key).
    penalty_points: Mapped[dict[str, str]] = mapped_column(
        sa.JSON, default=dict, server_default="{}"
    )
    overtime: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    team_tie_breakers: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default="[]")
    min_started: Mapped[int | None]
    # Bumped by each organiser's edit of the trade (settings, scheme, schedule, panel) and
    # by nothing else: an edit made on an older version is refused (locks, draws and scores
    # leave it alone).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    event: Mapped[Event] = relationship(back_populates="trades")
    components: Mapped[list[Component]] = relationship(
        back_populates="trade", cascade="all, delete-orphan", order_by="Component.position"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="trade",
        order_by="Criterion.position",
        viewonly=True,
    )
    panel: Mapped[list[PanelMember]] = relationship(
        back_populates="trade", cascade="all, delete-orphan", order_by="PanelMember.judge_id"
    )
    entrants: Mapped[list[Entrant]] = relationship(back_populates="trade", order_by="Entrant.id")
    clerks: Mapped[list[User]] = relationship(secondary="trade_clerks", order_by="User.id")

    @property
    def is_locked(self) -> bool:
        """Whether the chief judge has signed off the trade's scores."""
        return self.locked_at is not None

    def __repr__(self) -> str:
        return f"<Trade {self.code}>"


trade_clerks = sa.Table(
    "trade_clerks",
    db.metadata,
    sa.Column("trade_id", sa.ForeignKey("trades.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

component_judges = sa.Table(
    "component_judges",
    db.metadata,
    sa.Column("component_id", sa.ForeignKey("components.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("judge_id", sa.ForeignKey("judges.id", ondelete="CASCADE"), primary_key=True),
)


class Component(db.Model):
    """A weighted part of a trade (理论, 实操, …), scored directly or through criteria."""

    __tablename__ = "components"
    __table_args__ = (
        sa.UniqueConstraint("trade_id", "code"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
        sa.CheckConstraint("max > 0", name="max_positive"),
        sa.CheckConstraint("step > 0", name="step_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trade_id: Mapped[int] = mapped_column(sa.ForeignKey("trades.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    weight: Mapped[Decimal] = mapped_column(ExactDecimal)
    # For a component without criteria: the range and granularity of the entered score.
    max: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(100))
    step: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal("0.01"))

    trade: Mapped[Trade] = relationship(back_populates="components")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="component", cascade="all, delete-orphan", order_by="Criterion.position"
    )
    # Empty means "every judge of the trade's panel".
    judges: Mapped[list[Judge]] = relationship(secondary=component_judges, order_by="Judge.id")

    @property
    def is_direct(self) -> bool:
        """Whether the score is entered directly (no criteria)."""
        return not self.criteria


class Criterion(db.Model):
    """A marked item (评分项) of a component, as SCORING.md §1 defines it."""

    __tablename__ = "criteria"
    __table_args__ = (
        sa.UniqueConstraint("trade_id", "code"),
        sa.CheckConstraint("max > 0", name="max_positive"),
        sa.CheckConstraint("step > 0", name="step_positive"),
        sa.CheckConstraint("scale IS NULL OR scale > 0", name="scale_positive"),
        sa.CheckConstraint("trim >= 0", name="trim_non_negative"),
        sa.CheckConstraint("factor > 0", name="factor_positive"),
        sa.CheckConstraint("max_spread IS NULL OR max_spread >= 0", name="spread_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    component_id: Mapped[int] = mapped_column(sa.ForeignKey("components.id", ondelete="CASCADE"))
    # Denormalised so that criterion codes are unique within the whole trade.
    trade_id: Mapped[int] = mapped_column(sa.ForeignKey("trades.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)  # order within the trade
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    max: Mapped[Decimal] = mapped_column(ExactDecimal)
    kind: Mapped[CriterionKind] = mapped_column(
        enum_type(CriterionKind, "criterion_kind"), default=CriterionKind.MEASUREMENT
    )
    scale: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    step: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal("0.01"))
    aggregation: Mapped[Aggregation] = mapped_column(
        enum_type(Aggregation, "criterion_aggregation"), default=Aggregation.MEAN
    )
    trim: Mapped[int] = mapped_column(default=1)
    factor: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(1))
    max_spread: Mapped[Decimal | None] = mapped_column(ExactDecimal)

    component: Mapped[Component] = relationship(back_populates="criteria")
    trade: Mapped[Trade] = relationship()

    @property
    def entry_max(self) -> Decimal:
        """The largest value a judge may enter: the scale if set, else the maximum mark."""
        return self.scale if self.scale is not None else self.max


class AwardRule(db.Model):
    """A rule turning ranks into nominations (SCORING.md §5); applied in ``position`` order."""

    __tablename__ = "award_rules"
    __table_args__ = (sa.UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    # Exactly one of top / ranks / percent(+rounding, of) / top_by_field / manual, as in the
    # package.
    select: Mapped[dict] = mapped_column(sa.JSON)
    min_total: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    min_entrants: Mapped[int | None]
    max_age: Mapped[int | None]
    trades: Mapped[list[str] | None] = mapped_column(sa.JSON)  # trade codes; None = all
    group: Mapped[str | None] = mapped_column(sa.String(64))
    # {"levels": 1, "cap": "技师"} or {"to": "技师", "cap": "高级技师"}
    promote: Mapped[dict | None] = mapped_column(sa.JSON)
    # SCORING.md §7: pass lines per component ({"theory": "60"}) and "F" / "M"
    min_components: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)
    gender: Mapped[str | None] = mapped_column(sa.String(1))

    event: Mapped[Event] = relationship(back_populates="award_rules")


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


labels.register(
    UnitKind,
    {
        UnitKind.DISTRICT: _l("District union"),
        UnitKind.INDUSTRY: _l("Industry union"),
        UnitKind.ENTERPRISE: _l("Enterprise union"),
        UnitKind.OTHER: _l("Other"),
    },
)
