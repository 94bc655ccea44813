"""Award rules: ranks become nominations, titles, prizes and promotions (SCORING.md §5)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from contest.domain.numbers import exact
from contest.domain.skills import SKILL_LADDER, skill_rank


class Rounding(StrEnum):
    """How a percentage of the field becomes a whole number of places."""

    FLOOR = "floor"
    CEIL = "ceil"
    ROUND = "round"  # half up


@dataclass(frozen=True)
class Selection:
    """Exactly one way of choosing by rank (SCORING.md §5 ``select``)."""

    top: int | None = None
    ranks: tuple[int, int] | None = None
    percent: Decimal | None = None
    rounding: Rounding = Rounding.ROUND
    top_by_field: tuple[tuple[int | None, int], ...] | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``select`` object of the package format (percent as an exact string)."""
        if self.top is not None:
            return {"top": self.top}
        if self.ranks is not None:
            return {"ranks": list(self.ranks)}
        if self.percent is not None:
            return {"percent": str(self.percent), "rounding": self.rounding.value}
        assert self.top_by_field is not None
        return {"top_by_field": [list(row) for row in self.top_by_field]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Selection:
        """Read a ``select`` object that has already been validated."""
        if "top" in data:
            return cls(top=int(data["top"]))
        if "ranks" in data:
            return cls(ranks=(int(data["ranks"][0]), int(data["ranks"][1])))
        if "percent" in data:
            rounding = Rounding(data.get("rounding", Rounding.ROUND.value))
            return cls(percent=Decimal(str(data["percent"])), rounding=rounding)
        return cls(top_by_field=tuple((row[0], row[1]) for row in data["top_by_field"]))

    def cut(self, ranked_count: int) -> tuple[int, int] | None:
        """The inclusive band of ranks selected in a field of ``ranked_count`` (None: nobody)."""
        if self.top is not None:
            return (1, self.top)
        if self.ranks is not None:
            return self.ranks
        if self.percent is not None:
            return (1, percent_places(self.percent, ranked_count, self.rounding))
        assert self.top_by_field is not None
        for limit, places in self.top_by_field:
            if limit is None or limit >= ranked_count:
                return (1, places)
        return None


def percent_places(percent: Decimal, ranked_count: int, rounding: Rounding) -> int:
    """K = rounding(p / 100 × ranked count), computed exactly."""
    value = exact(percent) / 100 * ranked_count
    if rounding == Rounding.FLOOR:
        return math.floor(value)
    if rounding == Rounding.CEIL:
        return math.ceil(value)
    return math.floor(value + Fraction(1, 2))


@dataclass(frozen=True)
class Promotion:
    """Skill promotion: ``levels`` up the ladder, never above ``cap``."""

    levels: int = 1
    cap: str = SKILL_LADDER[-1]

    def new_level(self, current: str | None) -> str | None:
        """The level after promotion, or None if the entrant cannot be promoted."""
        position, cap = skill_rank(current), skill_rank(self.cap)
        if position is None or cap is None or position >= cap:
            return None
        return SKILL_LADDER[min(position + self.levels, cap)]


@dataclass(frozen=True)
class AwardRule:
    """One rule of the event's ordered list."""

    code: str
    title: str
    select: Selection
    min_total: Decimal | None = None
    min_entrants: int | None = None
    max_age: int | None = None
    trades: frozenset[str] | None = None
    group: str | None = None
    promote: Promotion | None = None


@dataclass(frozen=True)
class Candidate:
    """A ranked entrant as the award rules see them."""

    code: str
    rank: int
    total: Decimal
    birth_date: date | None = None
    skill_level: str | None = None


@dataclass(frozen=True)
class Nomination:
    """A rule that selected an entrant, with the new level for promotions."""

    rule: str
    entrant: str
    promoted_to: str | None = None


@dataclass
class TradeAwards:
    """The awards of one trade: per entrant in rule order, and why others were passed over."""

    by_entrant: dict[str, list[Nomination]] = field(default_factory=dict)
    skipped: dict[tuple[str, str], str] = field(default_factory=dict)  # (rule, entrant) → why

    def nominations(self) -> list[Nomination]:
        """Every nomination of the trade."""
        return [n for items in self.by_entrant.values() for n in items]


def age_on(birth_date: date, day: date) -> int:
    """Age in full years on ``day``; a 29 February birthday is reached on 1 March."""
    years = day.year - birth_date.year
    birthday_month_day = (birth_date.month, birth_date.day)
    if (day.month, day.day) < birthday_month_day:
        years -= 1
    return years


def apply_rules(
    rules: Sequence[AwardRule],
    trade: str,
    candidates: Sequence[Candidate],
    field_ok: bool,
    starts_on: date,
) -> TradeAwards:
    """Apply the event's rules to one trade's ranked entrants (SCORING.md §5).

    ``field_ok`` is False when the trade has fewer ranked entrants than its own minimum:
    then no rule applies at all. Within a ``group`` an entrant gets only the first rule that
    selects them, every condition included; rules of different groups stack.
    """
    result = TradeAwards()
    if not field_ok:
        return result
    count = len(candidates)
    taken: set[tuple[str, str]] = set()  # (group, entrant)
    for rule in rules:
        if rule.trades is not None and trade not in rule.trades:
            continue
        if rule.min_entrants is not None and count < rule.min_entrants:
            continue
        band = rule.select.cut(count)
        for candidate in sorted(candidates, key=lambda c: (c.rank, c.code)):
            if band is None or not band[0] <= candidate.rank <= band[1]:
                continue
            why, promoted = _refusal(rule, candidate, starts_on)
            if why is not None:
                result.skipped[(rule.code, candidate.code)] = why
                continue
            if rule.group is not None:
                if (rule.group, candidate.code) in taken:
                    result.skipped[(rule.code, candidate.code)] = f"group:{rule.group}"
                    continue
                taken.add((rule.group, candidate.code))
            result.by_entrant.setdefault(candidate.code, []).append(
                Nomination(rule.code, candidate.code, promoted)
            )
    return result


def _refusal(
    rule: AwardRule, candidate: Candidate, starts_on: date
) -> tuple[str | None, str | None]:
    """Why the rule's conditions reject the candidate (None if they pass), and the promotion."""
    if rule.min_total is not None and candidate.total < rule.min_total:
        return "min_total", None
    if rule.max_age is not None and (
        candidate.birth_date is None or age_on(candidate.birth_date, starts_on) > rule.max_age
    ):
        return "max_age", None
    if rule.promote is not None:
        promoted = rule.promote.new_level(candidate.skill_level)
        return ("promote", None) if promoted is None else (None, promoted)
    return None, None
