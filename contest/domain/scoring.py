"""Marks, panels and totals (SCORING.md §1–2, §4).

Pure functions over plain data: a trade's marking scheme (``TradeSpec``) and one entrant's
entered values (``EntrantInput``) give that entrant's criterion marks, component scores,
total, status and flags (``EntrantScore``), with a breakdown explaining every number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Context, Decimal, Inexact, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import cached_property, reduce
from math import ceil

from contest.domain.numbers import exact, is_multiple, reasonable, round_half_up

# --- vocabulary ------------------------------------------------------------------------------


class CriterionKind(StrEnum):
    """Objective measurement or subjective judgement (SCORING.md §1)."""

    MEASUREMENT = "measurement"
    JUDGEMENT = "judgement"


class Aggregation(StrEnum):
    """How a panel's values for one criterion combine (SCORING.md §1)."""

    MEAN = "mean"
    MEDIAN = "median"
    SUM = "sum"
    TRIMMED_MEAN = "trimmed_mean"
    TRIMMED_SUM = "trimmed_sum"

    @property
    def trims(self) -> bool:
        """Whether the rule drops the highest and lowest values first."""
        return self in (Aggregation.TRIMMED_MEAN, Aggregation.TRIMMED_SUM)


class Recusal(StrEnum):
    """Whether judges of the entrant's own unit are kept off the panel (SCORING.md §4)."""

    SAME_UNIT = "same_unit"
    NONE = "none"


class DeclaredStatus(StrEnum):
    """A status the chief judge declares; such an entrant is never ranked (SCORING.md §2)."""

    DNS = "DNS"
    DQ = "DQ"
    WD = "WD"


class Status(StrEnum):
    """An entrant's computed status: ranked only when ``ok``."""

    OK = "ok"
    INCOMPLETE = "incomplete"
    DNS = "DNS"
    DQ = "DQ"
    WD = "WD"


def is_recused(recusal: Recusal, judge_unit: object, entrant_unit: object) -> bool:
    """SCORING.md §4: a judge of the entrant's own unit may not score them (unless "none")."""
    return recusal == Recusal.SAME_UNIT and judge_unit is not None and judge_unit == entrant_unit


# --- marking scheme --------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion as SCORING.md §1 defines it."""

    code: str
    max: Decimal
    kind: CriterionKind = CriterionKind.MEASUREMENT
    scale: Decimal | None = None
    step: Decimal = Decimal("0.01")
    aggregation: Aggregation = Aggregation.MEAN
    trim: int = 1
    factor: Decimal = Decimal(1)
    max_spread: Decimal | None = None

    @property
    def entry_max(self) -> Decimal:
        """The largest value a judge may enter: the scale if set, else the maximum mark."""
        return self.scale if self.scale is not None else self.max

    @property
    def min_panel(self) -> int:
        """The fewest judges the aggregation rule can work with."""
        return 2 * self.trim + 1 if self.aggregation.trims else 1


@dataclass(frozen=True)
class ComponentSpec:
    """A weighted component: entered directly (no criteria) or the sum of its criteria."""

    code: str
    weight: Decimal
    max: Decimal = Decimal(100)
    step: Decimal = Decimal("0.01")
    criteria: tuple[CriterionSpec, ...] = ()
    judges: tuple[str, ...] = ()  # the component's own panel; empty = the trade's judges

    @property
    def is_direct(self) -> bool:
        """Whether the score is entered directly."""
        return not self.criteria


@dataclass(frozen=True)
class JudgeRef:
    """A judge of the trade's panel and the unit they come from (for recusal)."""

    code: str
    unit: str | None = None


#: The kind of the deduction an overtime makes (penalties carry the kinds organisers name).
OVERTIME = "overtime"


@dataclass(frozen=True)
class Overtime:
    """超时扣分 (SCORING.md §7): ``per_minute`` off ``component`` for every minute or part of
    one over ``limit`` seconds; more than ``zero_after`` seconds over makes the component 0."""

    component: str
    limit: Decimal
    per_minute: Decimal
    zero_after: Decimal | None = None

    def minutes_over(self, seconds: Decimal) -> int:
        """Whole minutes over the limit, a part of a minute counting as one."""
        return max(0, ceil(exact(seconds - self.limit) / 60))

    def zeroes(self, seconds: Decimal) -> bool:
        """Whether the time is so far over that the component counts 0."""
        return self.zero_after is not None and seconds > self.limit + self.zero_after


@dataclass(frozen=True)
class TradeSpec:
    """A trade's marking scheme, panel and ranking settings."""

    code: str
    components: tuple[ComponentSpec, ...]
    judges: tuple[JudgeRef, ...] = ()
    tie_breakers: tuple[str, ...] = ()
    min_entrants: int | None = None
    team_size: int | None = None
    recusal: Recusal = Recusal.SAME_UNIT
    # SCORING.md §7: penalties of a kind that disqualify, and how many (设备损坏两次取消资格)
    disqualify_on: Mapping[str, int] = field(default_factory=dict)
    overtime: Overtime | None = None
    team_tie_breakers: tuple[str, ...] = ()
    min_started: int | None = None

    @property
    def criteria(self) -> tuple[CriterionSpec, ...]:
        """Every criterion of the trade, in the trade's order."""
        return tuple(c for component in self.components for c in component.criteria)

    @cached_property
    def judge_codes(self) -> tuple[str, ...]:
        """The codes of the trade's panel, in order."""
        return tuple(j.code for j in self.judges)

    @cached_property
    def judge_units(self) -> dict[str, str | None]:
        """Each panel judge's unit, by judge code."""
        return {j.code: j.unit for j in self.judges}

    def criterion(self, code: str) -> CriterionSpec | None:
        """The criterion with this code, if any."""
        return next((c for c in self.criteria if c.code == code), None)

    def component(self, code: str) -> ComponentSpec | None:
        """The component with this code, if any."""
        return next((c for c in self.components if c.code == code), None)

    def judge(self, code: str) -> JudgeRef | None:
        """The panel judge with this code, if any."""
        return next((j for j in self.judges if j.code == code), None)


@dataclass(frozen=True)
class Penalty:
    """A recorded penalty (安全文明生产扣分): points off one criterion or component (SCORING.md
    §7). Zero points record an incident that only counts towards disqualification."""

    kind: str
    points: Decimal
    criterion: str | None = None
    component: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class EntrantInput:
    """Everything entered for one entrant of a trade."""

    code: str
    unit: str
    team: str | None = None
    status: DeclaredStatus | None = None
    time: Decimal | None = None  # completion time in seconds
    values: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)  # (criterion, judge)
    # component → entered score, or an exam's exact score (EXAMS.md §3)
    direct: Mapping[str, Decimal | Fraction] = field(default_factory=dict)
    factors: Mapping[str, Decimal] = field(default_factory=dict)  # criterion → own factor
    excused: frozenset[str] = frozenset()  # judges excused from this entrant
    birth_date: date | None = None  # for age-limited awards
    skill_level: str | None = None  # for promotions
    gender: str | None = None  # "F" or "M", for awards to women or men
    penalties: tuple[Penalty, ...] = ()


# --- entry validation ------------------------------------------------------------------------


class EntryError(StrEnum):
    """Why an entered value is refused (SCORING.md §1, §4)."""

    OUT_OF_RANGE = "out_of_range"
    OFF_STEP = "off_step"
    RECUSED = "recused"
    EXCUSED = "excused"
    NOT_ON_PANEL = "not_on_panel"


def check_value(value: Decimal, maximum: Decimal, step: Decimal) -> EntryError | None:
    """A value must lie in 0..maximum and be a multiple of step (an unreasonable number —
    see ``numbers.reasonable`` — is out of range before any arithmetic)."""
    if not reasonable(value) or value < 0 or value > maximum:
        return EntryError.OUT_OF_RANGE
    if not is_multiple(value, step):
        return EntryError.OFF_STEP
    return None


def check_judge_value(
    trade: TradeSpec,
    criterion: CriterionSpec,
    judge: JudgeRef,
    entrant_unit: str,
    value: Decimal,
    excused: frozenset[str] = frozenset(),
) -> EntryError | None:
    """Whether ``judge`` may enter ``value`` for this criterion of this entrant."""
    component = next(c for c in trade.components if criterion in c.criteria)
    if judge.code not in _panel_codes(trade, component):
        return EntryError.NOT_ON_PANEL
    if is_recused(trade.recusal, judge.unit, entrant_unit):
        return EntryError.RECUSED
    if judge.code in excused:
        return EntryError.EXCUSED
    return check_value(value, criterion.entry_max, criterion.step)


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deduction:
    """Points taken off a criterion's mark or a component's score, as the breakdown shows
    them: a penalty (its kind and reason) or an overtime (``over`` seconds past the limit,
    ``minutes`` counted; ``zeroed`` when more than the rule's ``zero_after`` seconds over
    make the component count 0)."""

    kind: str
    points: Fraction
    reason: str = ""
    over: Decimal | None = None
    minutes: int | None = None
    zeroed: bool = False
    zero_after: Decimal | None = None


def deducted(before: Fraction, deductions: tuple[Deduction, ...]) -> Fraction:
    """What is left of ``before`` after the deductions, never below 0 (SCORING.md §7)."""
    if any(d.zeroed for d in deductions):
        return Fraction(0)
    return max(Fraction(0), before - sum((d.points for d in deductions), Fraction(0)))


@dataclass(frozen=True)
class CriterionResult:
    """How one criterion's mark came about, judge by judge."""

    code: str
    panel: tuple[str, ...]  # judges expected to score, after recusal and excusal
    values: Mapping[str, Decimal]  # judge → value entered
    missing: tuple[str, ...] = ()
    recused: tuple[str, ...] = ()
    excused: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()  # judges whose values a trimmed rule dropped
    aggregate: Fraction | None = None
    factor: Decimal = Decimal(1)
    mark: Fraction | None = None  # after any deductions
    flag: str | None = None  # "panel:<code>" or "spread:<code>"
    deductions: tuple[Deduction, ...] = ()
    before: Fraction | None = None  # the mark before the deductions, when there are any

    @property
    def spread(self) -> Decimal | None:
        """max − min of the panel's values."""
        return max(self.values.values()) - min(self.values.values()) if self.values else None


@dataclass(frozen=True)
class ComponentResult:
    """A component's exact score (None while any part is missing)."""

    code: str
    weight: Decimal
    score: Fraction | None  # after any deductions
    criteria: tuple[CriterionResult, ...] = ()
    deductions: tuple[Deduction, ...] = ()
    before: Fraction | None = None  # the score before the deductions, when there are any


@dataclass(frozen=True)
class EntrantScore:
    """One entrant's computed status, components, total and flags, with the breakdown."""

    code: str
    status: Status
    components: tuple[ComponentResult, ...] = ()
    total_exact: Fraction | None = None
    total: Decimal | None = None  # rounded to the event's decimals
    flags: tuple[str, ...] = ()
    disqualified_by: str | None = None  # the penalty kind that disqualified (SCORING.md §7)

    @property
    def ranked(self) -> bool:
        """Only ``ok`` entrants are ranked."""
        return self.status == Status.OK

    def component(self, code: str) -> ComponentResult | None:
        """The component result with this code, if any."""
        return next((c for c in self.components if c.code == code), None)

    def criterion(self, code: str) -> CriterionResult | None:
        """The criterion result with this code, if any."""
        for component in self.components:
            for criterion in component.criteria:
                if criterion.code == code:
                    return criterion
        return None


def score_entrant(trade: TradeSpec, entrant: EntrantInput, decimals: int = 2) -> EntrantScore:
    """Compute one entrant's marks, total, status and flags (SCORING.md §1–2, §7)."""
    if entrant.status is not None:
        return EntrantScore(code=entrant.code, status=Status(entrant.status.value))
    if (kind := disqualifying_kind(trade, entrant.penalties)) is not None:
        return EntrantScore(code=entrant.code, status=Status.DQ, disqualified_by=kind)
    components = tuple(_score_component(trade, c, entrant) for c in trade.components)
    flags = tuple(
        criterion.flag
        for component in components
        for criterion in component.criteria
        if criterion.flag is not None
    )
    if any(c.score is None for c in components):
        return EntrantScore(entrant.code, Status.INCOMPLETE, components, flags=flags)
    total = sum((exact(c.weight) * c.score for c in components if c.score is not None), Fraction(0))
    return EntrantScore(
        entrant.code, Status.OK, components, total, round_half_up(total, decimals), flags
    )


def disqualifying_kind(trade: TradeSpec, penalties: tuple[Penalty, ...]) -> str | None:
    """The first kind (in the trade's order) with as many penalties as its ``disqualify_on``
    allows: that entrant is DQ (SCORING.md §7)."""
    for kind, count in trade.disqualify_on.items():
        if sum(1 for p in penalties if p.kind == kind) >= count:
            return kind
    return None


def _panel_codes(trade: TradeSpec, component: ComponentSpec) -> tuple[str, ...]:
    return component.judges or trade.judge_codes


def _penalties(
    penalties: tuple[Penalty, ...], *, criterion: str | None = None, component: str | None = None
) -> tuple[Deduction, ...]:
    return tuple(
        Deduction(p.kind, exact(p.points), p.reason)
        for p in penalties
        if (criterion is not None and p.criterion == criterion)
        or (component is not None and p.component == component)
    )


def _overtime(trade: TradeSpec, component: str, time: Decimal | None) -> tuple[Deduction, ...]:
    rule = trade.overtime
    if rule is None or rule.component != component or time is None or time <= rule.limit:
        return ()
    minutes = rule.minutes_over(time)
    points = exact(rule.per_minute) * minutes
    over = time - rule.limit
    return (Deduction(OVERTIME, points, over=over, minutes=minutes, zeroed=rule.zeroes(time),
                      zero_after=rule.zero_after),)  # fmt: skip


def _score_component(
    trade: TradeSpec, component: ComponentSpec, entrant: EntrantInput
) -> ComponentResult:
    result = _component_before_deductions(trade, component, entrant)
    deductions = _penalties(entrant.penalties, component=component.code) + _overtime(
        trade, component.code, entrant.time
    )
    if result.score is None or not deductions:
        return result
    score = deducted(result.score, deductions)
    return replace(result, score=score, deductions=deductions, before=result.score)


def _component_before_deductions(
    trade: TradeSpec, component: ComponentSpec, entrant: EntrantInput
) -> ComponentResult:
    if component.is_direct:
        value = entrant.direct.get(component.code)
        score = exact(value) if value is not None else None
        return ComponentResult(component.code, component.weight, score)
    # The panel is the component's, less recusals and excusals: the same for every criterion.
    units = trade.judge_units
    seats = _panel_codes(trade, component)
    recused = tuple(j for j in seats if is_recused(trade.recusal, units.get(j), entrant.unit))
    excused = tuple(j for j in seats if j in entrant.excused and j not in recused)
    panel = tuple(j for j in seats if j not in recused and j not in excused)
    criteria = tuple(
        _score_criterion(c, entrant, panel, recused, excused) for c in component.criteria
    )
    marks = [c.mark for c in criteria if c.mark is not None]
    score = sum(marks, Fraction(0)) if len(marks) == len(criteria) else None
    return ComponentResult(component.code, component.weight, score, criteria)


def _score_criterion(
    criterion: CriterionSpec,
    entrant: EntrantInput,
    panel: tuple[str, ...],
    recused: tuple[str, ...],
    excused: tuple[str, ...],
) -> CriterionResult:
    code = criterion.code
    entered = entrant.values
    values = {j: v for j in panel if (v := entered.get((code, j))) is not None}
    factor = entrant.factors.get(code, criterion.factor)
    if len(values) < len(panel):  # simply incomplete: no flag while values are still to come
        missing = tuple(j for j in panel if j not in values)
        return CriterionResult(code, panel, values, missing, recused, excused, factor=factor)
    if len(panel) < criterion.min_panel:
        small = f"panel:{code}"
        return CriterionResult(code, panel, values, (), recused, excused, factor=factor, flag=small)
    aggregate, dropped = aggregate_values(criterion, values)
    mark = aggregate
    if criterion.scale is not None:
        mark = mark / exact(criterion.scale) * exact(criterion.max)
    if factor != 1:
        mark *= exact(factor)
    spread_flag = (
        criterion.max_spread is not None
        and max(values.values()) - min(values.values()) > criterion.max_spread
    )
    flag = f"spread:{code}" if spread_flag else None
    deductions = _penalties(entrant.penalties, criterion=code)
    before = None
    if deductions:
        before, mark = mark, deducted(mark, deductions)
    return CriterionResult(
        code, panel, values, (), recused, excused, dropped, aggregate, factor, mark, flag,
        deductions, before,
    )  # fmt: skip


#: Adds entered values exactly or raises ``Inexact``: they are short decimals, so their sum
#: is a decimal too, found far faster than by adding fractions one by one.
_EXACT = Context(prec=100, traps=[Inexact, InvalidOperation])


def _fraction(total: Decimal, divisor: int = 1) -> Fraction:
    """``total / divisor`` exactly, as one fraction."""
    numerator, denominator = total.as_integer_ratio()
    return Fraction(numerator, denominator * divisor)


def aggregate_values(
    criterion: CriterionSpec, values: Mapping[str, Decimal]
) -> tuple[Fraction, tuple[str, ...]]:
    """Combine a complete panel's values by the criterion's rule.

    Returns the exact aggregate and the judges whose values a trimmed rule dropped (the
    lowest ``trim`` and the highest ``trim``; among equal values, by judge code, so the
    breakdown is the same whatever order the values arrived in).
    """
    aggregation = criterion.aggregation
    dropped: tuple[str, ...] = ()
    if aggregation in (Aggregation.MEAN, Aggregation.SUM):
        kept = list(values.values())  # the order does not matter
    else:
        ordered = sorted(values.items(), key=lambda item: (item[1], item[0]))
        trim = criterion.trim
        if aggregation.trims and trim:
            dropped = tuple(j for j, _ in ordered[:trim] + ordered[-trim:])
            ordered = ordered[trim:-trim]
        kept = [v for _, v in ordered]
    if aggregation == Aggregation.MEDIAN:
        middle = len(kept) // 2
        if len(kept) % 2:
            return exact(kept[middle]), dropped
        return _fraction(_EXACT.add(kept[middle - 1], kept[middle]), 2), dropped
    total = reduce(_EXACT.add, kept, Decimal(0))
    if aggregation in (Aggregation.SUM, Aggregation.TRIMMED_SUM):
        return _fraction(total), dropped
    return _fraction(total, len(kept)), dropped
