"""Award rules: ranks become nominations, titles, prizes and promotions (SCORING.md §5)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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


class Base(StrEnum):
    """Whom a percentage is of (SCORING.md §7): the ranked, those who started (all but DNS
    and WD), or every entrant of the trade."""

    RANKED = "ranked"
    STARTED = "started"
    REGISTERED = "registered"


@dataclass(frozen=True)
class FieldSize:
    """How many entrants of a trade are ranked, started and registered."""

    ranked: int
    started: int
    registered: int

    def of(self, base: Base) -> int:
        """The number a percentage of ``base`` is taken of."""
        return {Base.RANKED: self.ranked, Base.STARTED: self.started}.get(base, self.registered)


@dataclass(frozen=True)
class Selection:
    """Exactly one way of choosing (SCORING.md §5 ``select``, §7 ``of`` and ``manual``)."""

    top: int | None = None
    ranks: tuple[int, int] | None = None
    percent: Decimal | None = None
    rounding: Rounding = Rounding.ROUND
    top_by_field: tuple[tuple[int | None, int], ...] | None = None
    of: Base = Base.RANKED
    manual: bool = False  # the entrants the organisers name (优胜奖若干)

    def to_json(self) -> dict[str, Any]:
        """The ``select`` object of the package format (percent as an exact string)."""
        if self.top is not None:
            return {"top": self.top}
        if self.ranks is not None:
            return {"ranks": list(self.ranks)}
        if self.percent is not None:
            data = {"percent": str(self.percent), "rounding": self.rounding.value}
            return data if self.of == Base.RANKED else {**data, "of": self.of.value}
        if self.manual:
            return {"manual": True}
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
            of = Base(data.get("of", Base.RANKED.value))
            return cls(percent=Decimal(str(data["percent"])), rounding=rounding, of=of)
        if data.get("manual"):
            return cls(manual=True)
        return cls(top_by_field=tuple((row[0], row[1]) for row in data["top_by_field"]))

    def cut(self, size: FieldSize | int) -> tuple[int, int] | None:
        """The inclusive band of ranks selected in a field of this size (None: nobody; a
        manual selection names entrants instead of ranks)."""
        if isinstance(size, int):
            size = FieldSize(size, size, size)
        ranked_count = size.ranked
        if self.top is not None:
            return (1, self.top)
        if self.ranks is not None:
            return self.ranks
        if self.percent is not None:
            return (1, percent_places(self.percent, size.of(self.of), self.rounding))
        if self.manual:
            return None
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
    """Skill promotion: ``levels`` up the ladder — or, with ``to``, to that level (one step up
    for those already at or above it; no level recorded counts as below it) — never above
    ``cap`` (SCORING.md §5, §7)."""

    levels: int = 1
    cap: str = SKILL_LADDER[-1]
    to: str | None = None

    def new_level(self, current: str | None) -> str | None:
        """The level after promotion, or None if the entrant cannot be promoted."""
        position, cap = skill_rank(current), skill_rank(self.cap)
        if cap is None:
            return None
        if self.to is not None:
            target = skill_rank(self.to)
            if target is None or target > cap or (current is not None and position is None):
                return None
            if position is None or position < target:
                return SKILL_LADDER[target]
            return SKILL_LADDER[position + 1] if position < cap else None
        if position is None or position >= cap:
            return None
        return SKILL_LADDER[min(position + self.levels, cap)]

    def to_json(self) -> dict[str, Any]:
        """The ``promote`` object of the package format."""
        if self.to is not None:
            return {"to": self.to, "cap": self.cap}
        return {"levels": self.levels, "cap": self.cap}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Promotion:
        """Read a ``promote`` object that has already been validated."""
        cap = data.get("cap", SKILL_LADDER[-1])
        if data.get("to") is not None:
            return cls(cap=cap, to=data["to"])
        return cls(int(data.get("levels", 1)), cap)


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
    # SCORING.md §7: pass lines on rounded component scores (各部分均须及格), and gender
    min_components: Mapping[str, Decimal] | None = None
    gender: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A ranked entrant as the award rules see them."""

    code: str
    rank: int
    total: Decimal
    birth_date: date | None = None
    skill_level: str | None = None
    components: Mapping[str, Decimal] = field(default_factory=dict)  # rounded scores
    gender: str | None = None


@dataclass(frozen=True)
class Decisions:
    """The organisers' decisions the rules follow (SCORING.md §7): entrants who do not meet a
    rule's conditions (符合条件的…) and the entrants a manual rule names, as (rule, entrant)."""

    ineligible: frozenset[tuple[str, str]] = frozenset()
    named: frozenset[tuple[str, str]] = frozenset()


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
    size: FieldSize | None = None,
    decisions: Decisions | None = None,
) -> TradeAwards:
    """Apply the event's rules to one trade's ranked entrants (SCORING.md §5, §7).

    ``field_ok`` is False when the trade has fewer ranked (or started) entrants than its own
    minimum: then no rule applies at all. Within a ``group`` an entrant gets only the first
    rule that selects them, every condition included; rules of different groups stack.
    ``size`` gives the bases of percentages (by default, every base is the ranked count).
    """
    result = TradeAwards()
    if not field_ok:
        return result
    count = len(candidates)
    size = size or FieldSize(count, count, count)
    decisions = decisions or Decisions()
    taken: set[tuple[str, str]] = set()  # (group, entrant)
    for rule in rules:
        if rule.trades is not None and trade not in rule.trades:
            continue
        if rule.min_entrants is not None and count < rule.min_entrants:
            continue
        band = rule.select.cut(size)
        for candidate in sorted(candidates, key=lambda c: (c.rank, c.code)):
            if rule.select.manual:
                if (rule.code, candidate.code) not in decisions.named:
                    continue
            elif band is None or not band[0] <= candidate.rank <= band[1]:
                continue
            why, promoted = _refusal(rule, candidate, starts_on, decisions)
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
    rule: AwardRule, candidate: Candidate, starts_on: date, decisions: Decisions
) -> tuple[str | None, str | None]:
    """Why the rule's conditions reject the candidate (None if they pass), and the promotion."""
    if rule.min_total is not None and candidate.total < rule.min_total:
        return "min_total", None
    for component, line in (rule.min_components or {}).items():
        score = candidate.components.get(component)
        if score is None or score < line:
            return f"min_component:{component}", None
    if rule.gender is not None and candidate.gender != rule.gender:
        return "gender", None
    if rule.max_age is not None and (
        candidate.birth_date is None or age_on(candidate.birth_date, starts_on) > rule.max_age
    ):
        return "max_age", None
    if (rule.code, candidate.code) in decisions.ineligible:
        return "ineligible", None
    if rule.promote is not None:
        promoted = rule.promote.new_level(candidate.skill_level)
        return ("promote", None) if promoted is None else (None, promoted)
    return None, None
