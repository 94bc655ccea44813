"""The ``contest-package/1`` document as data: what ``read_package`` returns once every part
of it is well formed and every reference resolves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

from contest.domain.awards import AwardRule, Decisions
from contest.domain.exams import (
    Attempt,
    Exam,
    Item,
    Marked,
    Paper,
    draw_papers,
    item_analysis,
    mark_attempt,
)
from contest.domain.refusal import Problem
from contest.domain.results import EventSpec, compute_trade, results_document
from contest.domain.scoring import (
    ComponentSpec,
    CriterionSpec,
    DeclaredStatus,
    EntrantInput,
    JudgeRef,
    Overtime,
    Penalty,
    Recusal,
    TradeSpec,
    is_recused,
)


@dataclass(frozen=True)
class Window:
    """A planned window; ``closes`` is None for publication (a single instant)."""

    opens: datetime
    closes: datetime | None = None


@dataclass(frozen=True)
class CriterionData:
    spec: CriterionSpec
    name: str
    description: str | None = None


@dataclass(frozen=True)
class ComponentData:
    code: str
    name: str
    weight: Decimal
    max: Decimal
    step: Decimal
    criteria: tuple[CriterionData, ...]
    judges: tuple[str, ...]


@dataclass(frozen=True)
class TradeData:
    code: str
    name: str
    category: str | None
    components: tuple[ComponentData, ...]
    tie_breakers: tuple[str, ...]
    min_entrants: int | None
    team_size: int | None
    recusal: Recusal
    schedule: Mapping[str, Window]
    # SCORING.md §7
    disqualify_on: Mapping[str, int] = field(default_factory=dict)
    overtime: Overtime | None = None
    team_tie_breakers: tuple[str, ...] = ()
    min_started: int | None = None


@dataclass(frozen=True)
class EventData:
    slug: str
    name: str
    starts_on: date
    timezone: str
    decimals: int
    placement_points: tuple[int, ...]
    medals_by_field: bool
    schedule: Mapping[str, Window]
    award_rules: tuple[AwardRule, ...]


@dataclass(frozen=True)
class UnitData:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class TeamData:
    code: str
    unit: str
    name: str


@dataclass(frozen=True)
class EntrantData:
    code: str
    name: str
    unit: str
    trade: str
    team: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    id_number: str | None = None
    skill_level: str | None = None


@dataclass(frozen=True)
class JudgeData:
    code: str
    name: str
    unit: str | None
    trades: tuple[str, ...]
    chief: bool = False


@dataclass(frozen=True)
class ScoreData:
    entrant: str
    value: Decimal
    criterion: str | None = None
    judge: str | None = None
    component: str | None = None
    item: str | None = None  # EXAMS.md §5: a short item of the entrant's paper, by a judge


@dataclass(frozen=True)
class Package:
    """A whole event as the package describes it."""

    event: EventData
    units: tuple[UnitData, ...]
    trades: tuple[TradeData, ...]
    teams: tuple[TeamData, ...]
    entrants: tuple[EntrantData, ...]
    judges: tuple[JudgeData, ...]
    scores: tuple[ScoreData, ...]
    factors: tuple[tuple[str, str, Decimal], ...]  # (entrant, criterion, factor)
    excusals: tuple[tuple[str, str, str], ...]  # (entrant, judge, reason)
    times: tuple[tuple[str, Decimal], ...]  # (entrant, seconds)
    statuses: tuple[tuple[str, DeclaredStatus], ...]  # (entrant, status)
    # SCORING.md §7: penalties, and the organisers' decisions on award rules
    penalties: tuple[tuple[str, Penalty], ...] = ()  # (entrant, penalty)
    ineligible: tuple[tuple[str, str, str | None], ...] = ()  # (rule, entrant, reason)
    manual_awards: tuple[tuple[str, str], ...] = ()  # (rule, entrant)
    # EXAMS.md §5: the question bank, the trades' exams and the entrants' responses
    question_bank: tuple[Item, ...] = ()
    exams: tuple[Exam, ...] = ()
    answers: tuple[tuple[str, str, Any], ...] = ()  # (entrant, item, response or None)
    warnings: tuple[Problem, ...] = ()

    def event_spec(self) -> EventSpec:
        """The event-wide settings the results depend on."""
        event = self.event
        return EventSpec(
            slug=event.slug,
            starts_on=event.starts_on,
            decimals=event.decimals,
            placement_points=event.placement_points,
            medals_by_field=event.medals_by_field,
            award_rules=event.award_rules,
            units=tuple(u.code for u in self.units),
            decisions=Decisions(
                frozenset((rule, entrant) for rule, entrant, _ in self.ineligible),
                frozenset(self.manual_awards),
            ),
        )

    def results(self) -> dict[str, Any]:
        """The ``contest-results/1`` document for this package."""
        trades = [
            compute_trade(self.event_spec(), self.trade_spec(t), self.entrant_inputs(t.code))
            for t in self.trades
        ]
        return results_document(self.event_spec(), trades)

    def trade_spec(self, trade: TradeData) -> TradeSpec:
        """The marking scheme and panel of one trade, for the scoring engine."""
        return trade_spec(trade, [j for j in self.judges if trade.code in j.trades])

    def entrant_inputs(self, trade: str) -> list[EntrantInput]:
        """Everything entered for the entrants of one trade, for the scoring engine."""
        return self._inputs_by_trade.get(trade, [])

    def exam_papers(self, trade: str) -> dict[str, Any]:
        """Each paper of the trade's exam: its item codes section by section, in drawn order,
        voided items included (``exam-papers``, EXAMS.md §5). KeyError: the trade has no exam."""
        return {"papers": [list(paper.items) for paper in self._papers[trade]]}

    def exam_report(self, trade: str) -> dict[str, Any]:
        """The item analysis of the trade's exam over every attempt (``exam-report``,
        EXAMS.md §3, §5); ``p`` and ``D`` with 2 places. KeyError: the trade has no exam."""
        exam = self._exams[trade]
        found = item_analysis(exam, self._papers[trade], self._marked.get(trade, []))
        return {
            "items": [
                {
                    "code": s.code,
                    "p": str(s.p) if s.p is not None else None,
                    "D": str(s.D) if s.D is not None else None,
                    "flagged": s.flagged,
                }
                for s in found
            ]
        }

    @cached_property
    def _exams(self) -> dict[str, Exam]:
        return {exam.trade: exam for exam in self.exams}

    @cached_property
    def _papers(self) -> dict[str, tuple[Paper, ...]]:
        """Each exam's papers, drawn once, by trade."""
        return {exam.trade: draw_papers(exam, self.question_bank) for exam in self.exams}

    @cached_property
    def _marked(self) -> dict[str, list[Marked]]:
        """Every attempt at each trade's exam, marked (EXAMS.md §3): an entrant has one when
        an answer names them; their short items are marked by the component's panel (its
        judges, else the trade's) less recusal and excusals."""
        bank = {item.code: item for item in self.question_bank}
        responses: dict[str, dict[str, Any]] = defaultdict(dict)
        for entrant, item, response in self.answers:
            responses[entrant][item] = response
        values: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(dict)
        for score in self.scores:
            if score.item is not None and score.judge is not None:
                values[score.entrant][(score.item, score.judge)] = score.value
        excused: dict[str, set[str]] = defaultdict(set)
        for entrant, judge, _ in self.excusals:
            excused[entrant].add(judge)
        trades = {t.code: t for t in self.trades}
        marked: dict[str, list[Marked]] = defaultdict(list)
        for exam in self.exams:
            spec = self.trade_spec(trades[exam.trade])
            component = spec.component(exam.component)
            seats = (component.judges if component else ()) or spec.judge_codes
            units = spec.judge_units
            for e in self.entrants:
                if e.trade != exam.trade or e.code not in responses:
                    continue
                panel = [
                    j
                    for j in seats
                    if not is_recused(spec.recusal, units.get(j), e.unit)
                    and j not in excused[e.code]
                ]
                attempt = Attempt(e.code, responses[e.code], values[e.code])
                papers = self._papers[exam.trade]
                marked[exam.trade].append(mark_attempt(exam, papers, bank, attempt, panel))
        return marked

    def _exam_scores(self) -> dict[str, dict[str, Fraction]]:
        """The score each attempt gives the component its exam feeds, by entrant."""
        scores: dict[str, dict[str, Fraction]] = defaultdict(dict)
        maxima = {(t.code, c.code): c.max for t in self.trades for c in t.components}
        for exam in self.exams:
            for marked in self._marked.get(exam.trade, []):
                score = marked.score(maxima[(exam.trade, exam.component)])
                if score is not None:
                    scores[marked.entrant][exam.component] = score
        return scores

    @cached_property
    def _inputs_by_trade(self) -> dict[str, list[EntrantInput]]:
        """Every entrant's input, grouped by trade in one pass over the package."""
        values: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(dict)
        direct: dict[str, dict[str, Decimal | Fraction]] = defaultdict(dict)
        for score in self.scores:
            if score.component is not None:
                direct[score.entrant][score.component] = score.value
            elif score.criterion is not None and score.judge is not None:
                values[score.entrant][(score.criterion, score.judge)] = score.value
        for entrant, exam_scores in self._exam_scores().items():
            direct[entrant].update(exam_scores)
        factors: dict[str, dict[str, Decimal]] = defaultdict(dict)
        for entrant, criterion, factor in self.factors:
            factors[entrant][criterion] = factor
        excused: dict[str, set[str]] = defaultdict(set)
        for entrant, judge, _ in self.excusals:
            excused[entrant].add(judge)
        times, statuses = dict(self.times), dict(self.statuses)
        penalties: dict[str, list[Penalty]] = defaultdict(list)
        for entrant, penalty in self.penalties:
            penalties[entrant].append(penalty)
        grouped: dict[str, list[EntrantInput]] = defaultdict(list)
        for e in self.entrants:
            grouped[e.trade].append(
                EntrantInput(
                    code=e.code,
                    unit=e.unit,
                    team=e.team,
                    status=statuses.get(e.code),
                    time=times.get(e.code),
                    values=values[e.code],
                    direct=direct[e.code],
                    factors=factors[e.code],
                    excused=frozenset(excused[e.code]),
                    birth_date=e.birth_date,
                    skill_level=e.skill_level,
                    gender=e.gender,
                    penalties=tuple(penalties[e.code]),
                )
            )
        return grouped


def trade_spec(trade: TradeData, judges: Iterable[JudgeData]) -> TradeSpec:
    """The scoring engine's view of a trade."""
    return TradeSpec(
        code=trade.code,
        components=tuple(
            ComponentSpec(
                code=c.code,
                weight=c.weight,
                max=c.max,
                step=c.step,
                criteria=tuple(k.spec for k in c.criteria),
                judges=c.judges,
            )
            for c in trade.components
        ),
        judges=tuple(JudgeRef(j.code, j.unit) for j in judges),
        tie_breakers=trade.tie_breakers,
        min_entrants=trade.min_entrants,
        team_size=trade.team_size,
        recusal=trade.recusal,
        disqualify_on=trade.disqualify_on,
        overtime=trade.overtime,
        team_tie_breakers=trade.team_tie_breakers,
        min_started=trade.min_started,
    )
