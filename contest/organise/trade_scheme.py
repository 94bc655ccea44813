"""A trade as the trade editor submits it (``TradeInput``), the stored trade as the editor
shows it, and as the audit log records it. Times of the overtime rule are shown and typed as
minutes (``60``) or minutes and seconds (``59:30``), and stored in seconds."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from contest.domain.scoring import CriterionSpec
from contest.events.models import Trade
from contest.organise.setup import Raw


@dataclass
class CriterionInput:
    """One criterion row as submitted; ``id`` is the stored criterion it edits (None: new)."""

    id: int | None = None
    code: str | None = None
    name: str | None = None
    description: str | None = None
    max: Raw = None
    kind: str | None = None
    scale: Raw = None
    step: Raw = None
    aggregation: str | None = None
    trim: Raw = None
    factor: Raw = None
    max_spread: Raw = None


@dataclass
class ComponentInput:
    """One component as submitted, with its criteria and its own panel (judge ids)."""

    id: int | None = None
    code: str | None = None
    name: str | None = None
    weight: Raw = None
    max: Raw = None
    step: Raw = None
    judges: list[int] = field(default_factory=list)
    criteria: list[CriterionInput] = field(default_factory=list)


@dataclass
class PenaltyInput:
    """A kind of penalty of the trade's 扣分标准: the points one violation takes, and how many
    violations disqualify (SCORING.md §7)."""

    kind: str | None = None
    points: Raw = None
    disqualify: Raw = None


@dataclass
class OvertimeInput:
    """The trade's 超时扣分 as typed (SCORING.md §7); every member blank: no overtime rule."""

    component: str | None = None
    limit: str | None = None  # minutes, or minutes:seconds
    per_minute: Raw = None
    zero_after: str | None = None

    def given(self) -> bool:
        """Whether anything of the rule was filled in."""
        return any(v is not None for v in (self.component, self.limit, self.per_minute,
                                           self.zero_after))  # fmt: skip


@dataclass
class TradeInput:
    """A trade's settings and marking scheme as submitted."""

    code: str | None = None
    name: str | None = None
    category: str | None = None
    tie_breakers: list[str] = field(default_factory=list)
    min_entrants: Raw = None
    team_size: Raw = None
    recusal: str | None = None
    capacity: Raw = None
    unit_quota: Raw = None
    min_age: Raw = None
    max_age: Raw = None
    min_skill_level: str | None = None
    components: list[ComponentInput] = field(default_factory=list)
    version: int | None = None  # the trade's version the form was loaded on
    # SCORING.md §7
    min_started: Raw = None
    team_tie_breakers: list[str] = field(default_factory=list)
    overtime: OvertimeInput = field(default_factory=OvertimeInput)
    penalties: list[PenaltyInput] = field(default_factory=list)


def plain(value: Decimal | None) -> str | None:
    """A stored decimal as an organiser would type it (no exponent)."""
    return None if value is None else format(value, "f")


def clock(seconds: str | Decimal | None) -> str | None:
    """Stored seconds as the editor shows them: whole minutes (``60``) or ``m:ss``."""
    if seconds is None:
        return None
    value = Decimal(str(seconds))
    if value != value.to_integral_value():
        return plain(value / 60)
    minutes, rest = divmod(int(value), 60)
    return str(minutes) if rest == 0 else f"{minutes}:{rest:02d}"


def penalty_inputs(trade: Trade) -> list[PenaltyInput]:
    """The trade's kinds of penalty: those with points first, in their order, then those
    that only disqualify."""
    points = trade.penalty_points or {}
    counts = trade.disqualify_on or {}
    kinds = list(points) + [kind for kind in counts if kind not in points]
    return [PenaltyInput(kind, points.get(kind), counts.get(kind)) for kind in kinds]


def overtime_input(stored: dict[str, Any] | None) -> OvertimeInput:
    """The stored overtime rule as the editor shows it."""
    if not stored:
        return OvertimeInput()
    return OvertimeInput(
        component=stored.get("component"),
        limit=clock(stored.get("limit")),
        per_minute=stored.get("per_minute"),
        zero_after=clock(stored.get("zero_after")),
    )


def trade_input(trade: Trade) -> TradeInput:
    """The stored trade as form input, for editing."""
    return TradeInput(
        code=trade.code,
        name=trade.name,
        category=trade.category,
        tie_breakers=list(trade.tie_breakers or []),
        min_entrants=trade.min_entrants,
        team_size=trade.team_size,
        recusal=trade.recusal.value,
        capacity=trade.capacity,
        unit_quota=trade.unit_quota,
        min_age=trade.min_age,
        max_age=trade.max_age,
        min_skill_level=trade.min_skill_level,
        version=trade.version,
        min_started=trade.min_started,
        team_tie_breakers=list(trade.team_tie_breakers or []),
        overtime=overtime_input(trade.overtime),
        penalties=penalty_inputs(trade),
        components=[
            ComponentInput(
                id=c.id,
                code=c.code,
                name=c.name,
                weight=plain(c.weight),
                max=plain(c.max) if c.is_direct else None,
                step=plain(c.step) if c.is_direct else None,
                judges=[j.id for j in c.judges],
                criteria=[
                    CriterionInput(
                        id=k.id,
                        code=k.code,
                        name=k.name,
                        description=k.description,
                        max=plain(k.max),
                        kind=k.kind.value,
                        scale=plain(k.scale),
                        step=plain(k.step),
                        aggregation=k.aggregation.value,
                        trim=k.trim,
                        factor=plain(k.factor),
                        max_spread=plain(k.max_spread),
                    )
                    for k in c.criteria
                ],
            )
            for c in trade.components
        ],
    )


def trade_state(trade: Trade) -> dict[str, Any]:
    """Everything an organiser sets on a trade, for the audit log."""
    return {
        "code": trade.code,
        "name": trade.name,
        "category": trade.category,
        "tie_breakers": list(trade.tie_breakers or []),
        "min_entrants": trade.min_entrants,
        "team_size": trade.team_size,
        "recusal": trade.recusal,
        "capacity": trade.capacity,
        "unit_quota": trade.unit_quota,
        "min_age": trade.min_age,
        "max_age": trade.max_age,
        "min_skill_level": trade.min_skill_level,
        "min_started": trade.min_started,
        "team_tie_breakers": list(trade.team_tie_breakers or []),
        "overtime": trade.overtime or None,
        "penalty_points": dict(trade.penalty_points or {}),
        "disqualify_on": dict(trade.disqualify_on or {}),
        "components": [
            {
                "code": c.code,
                "name": c.name,
                "weight": c.weight,
                "max": c.max,
                "step": c.step,
                "judges": [j.code for j in c.judges],
                "criteria": [
                    {
                        "name": k.name,
                        "description": k.description,
                        **{f.name: getattr(k, f.name) for f in fields(CriterionSpec)},
                    }
                    for k in c.criteria
                ],
            }
            for c in trade.components
        ],
    }
