"""Internal results of one trade, for organisers and its chief judge: every number
explained judge by judge, with the reasons behind each rank (``reasons``); and the pieces
the event overview (``overview``) and the files (``report_files``) share: the trade's
state, figures rounded for display, statuses and seats in words.

The figures are the engine's (``contest.domain``): exact fractions rounded half up only for
display, decimals as computed — never floats. Names and units are shown, since these pages
are internal — except to someone who scores the trade, until it is signed off (``blind``):
they see stations and anonymous codes only, as on their sheets. Resident ID numbers are
never shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import selectinload

from contest.core.extensions import db
from contest.core.labels import label
from contest.domain.numbers import exact, round_half_up
from contest.domain.ranking import TeamPlacing
from contest.domain.results import TradeResult, compute_trade
from contest.domain.scoring import (
    Aggregation,
    ComponentResult,
    CriterionResult,
    DeclaredStatus,
    Status,
    TradeSpec,
)
from contest.events.models import Component, Event, Judge, PanelMember, Trade, Unit
from contest.registration.models import Entrant, RegistrationStatus, Team
from contest.results import services as results
from contest.results.blindness import EntrantNames, anonymous
from contest.results.explain import Explained, disqualification, explained
from contest.results.reasons import award_text, breaker_text, passed_over, tie_notes

# --- small pieces ----------------------------------------------------------------------------


class TradeState(StrEnum):
    """Where a trade's results stand: signed off, complete, still incomplete, or empty."""

    LOCKED = "locked"
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    EMPTY = "empty"


class Seat(StrEnum):
    """What one judge's place in one criterion of one entrant holds."""

    COUNTED = "counted"  # a value that counts
    DROPPED = "dropped"  # a value the trimmed rule dropped
    MISSING = "missing"  # no submitted value yet
    RECUSED = "recused"  # same unit as the entrant (回避)
    EXCUSED = "excused"  # excused by the chief judge for this entrant
    OFF = "off"  # not on this component's panel


@dataclass(frozen=True)
class Figure:
    """A figure rounded half up for display, and whether rounding changed it."""

    value: Decimal
    exact: bool

    def __str__(self) -> str:
        return str(self.value)


def figure(value: Fraction | Decimal | None, places: int) -> Figure | None:
    """``value`` rounded half up to ``places`` (None stays None)."""
    if value is None:
        return None
    rounded = round_half_up(value, places)
    return Figure(rounded, exact(rounded) == exact(value))


def state_of(trade: Trade, result: TradeResult) -> TradeState:
    """Locked once signed off; else empty, incomplete (someone still lacks a score) or
    complete."""
    if trade.is_locked:
        return TradeState.LOCKED
    if not result.entrants:
        return TradeState.EMPTY
    if any(e.score.status == Status.INCOMPLETE for e in result.entrants):
        return TradeState.INCOMPLETE
    return TradeState.COMPLETE


def status_label(status: Status) -> str:
    """An entrant's status in words (the same words as the results workbook)."""
    if status == Status.OK:
        return gettext("Ranked")
    if status == Status.INCOMPLETE:
        return gettext("Incomplete")
    return label(DeclaredStatus(status.value))


def state_label(state: TradeState) -> str:
    """A trade's state in words."""
    return {
        TradeState.LOCKED: gettext("Locked"),
        TradeState.COMPLETE: gettext("Complete"),
        TradeState.INCOMPLETE: gettext("Incomplete"),
        TradeState.EMPTY: gettext("No entrants"),
    }[state]


def seat_label(seat: Seat) -> str:
    """What a judge's place holds, in words (for cells without a value that counts)."""
    return {
        Seat.COUNTED: gettext("Counted"),
        Seat.DROPPED: gettext("Dropped"),
        Seat.MISSING: gettext("Missing"),
        Seat.RECUSED: gettext("Recused"),
        Seat.EXCUSED: gettext("Excused"),
        Seat.OFF: gettext("Not on this component's panel"),
    }[seat]


# --- one trade -------------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgeColumn:
    """A judge of the trade's panel, as a column of the breakdown."""

    code: str
    name: str
    unit: str | None
    chief: bool


@dataclass(frozen=True)
class Cell:
    """One judge's value (or its absence) for one criterion of one entrant."""

    judge: str
    seat: Seat
    value: Decimal | None = None


@dataclass(frozen=True)
class CriterionLine:
    """How one criterion's mark came about: every judge's value, the aggregate, the mark."""

    code: str
    name: str
    cells: tuple[Cell, ...]
    aggregate: Figure | None
    factor: Decimal
    mark: Figure | None
    flag: str | None
    spread: Decimal | None
    #: The mark before penalties and each penalty in words (SCORING.md §7), if any.
    deductions: Explained | None = None

    @property
    def dropped(self) -> tuple[str, ...]:
        """The judges whose values the trimmed rule dropped."""
        return tuple(c.judge for c in self.cells if c.seat == Seat.DROPPED)


@dataclass(frozen=True)
class ComponentLine:
    """A component's score and what it weighs in the total."""

    code: str
    name: str
    weight: Decimal
    direct: bool
    score: Figure | None
    weighted: Figure | None
    criteria: tuple[CriterionLine, ...] = ()
    #: The score before penalties and overtime and each deduction in words, if any.
    deductions: Explained | None = None

    @property
    def deducted(self) -> tuple[str, ...]:
        """Every deduction within the component, its criteria's first, in words."""
        found = [line for c in self.criteria if c.deductions for line in c.deductions.lines]
        return (*found, *(self.deductions.lines if self.deductions else ()))


@dataclass(frozen=True)
class Flag:
    """A flag (``spread:P1``, ``panel:P1``) with the criterion it is about."""

    code: str
    kind: str  # "spread" or "panel"
    criterion: str  # "P1 外观"


@dataclass(frozen=True)
class EntrantRow:
    """Everything computed for one entrant, with names."""

    code: str
    name: str
    unit: str
    team: str | None
    station: int | None
    status: Status
    status_reason: str | None
    rank: int | None
    total: Decimal | None
    t_score: Decimal | None
    time: Decimal | None
    components: tuple[ComponentLine, ...]
    ties: tuple[str, ...]
    flags: tuple[Flag, ...]
    awards: tuple[str, ...]
    passed_over: tuple[str, ...]
    #: Why the penalties disqualified the entrant (SCORING.md §7), in words.
    disqualified: str | None = None

    @property
    def deducted(self) -> tuple[str, ...]:
        """Every deduction taken from the entrant, component by component, in words."""
        return tuple(line for c in self.components for line in c.deducted)

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def ranked(self) -> bool:
        return self.status == Status.OK

    def component(self, code: str) -> ComponentLine | None:
        """The line of one component, if the entrant has it."""
        return next((c for c in self.components if c.code == code), None)


@dataclass(frozen=True)
class TeamRow:
    """A team's place in one trade."""

    code: str
    name: str
    unit: str
    rank: int | None
    score: Decimal | None
    counted: tuple[str, ...]  # "E1 张伟"


@dataclass(frozen=True)
class CriterionInfo:
    """A criterion's rule, for the legend of the breakdown."""

    code: str
    name: str
    component: str
    max: Decimal
    scale: Decimal | None
    aggregation: Aggregation
    trim: int
    factor: Decimal
    max_spread: Decimal | None


@dataclass(frozen=True)
class TradeReport:
    """One trade's internal results."""

    trade: Trade
    event: Event
    state: TradeState
    decimals: int
    judges: tuple[JudgeColumn, ...]
    components: tuple[tuple[str, str, Decimal], ...]  # (code, name, weight)
    criteria: tuple[CriterionInfo, ...]
    tie_breakers: tuple[str, ...]  # in words
    rows: tuple[EntrantRow, ...]
    teams: tuple[TeamRow, ...]
    ranked_count: int
    field_ok: bool
    #: Entrants by station and anonymous code only: no names, units or teams.
    blind: bool = False

    @property
    def state_label(self) -> str:
        return state_label(self.state)

    @property
    def has_t_scores(self) -> bool:
        """Whether any entrant has a standard score (every trade with ranked entrants)."""
        return any(r.t_score is not None for r in self.rows)

    @property
    def has_times(self) -> bool:
        return any(r.time is not None for r in self.rows)

    @property
    def has_teams(self) -> bool:
        return bool(self.teams)

    @property
    def has_deductions(self) -> bool:
        """Whether a penalty or an overtime took anything off anyone's marks."""
        return any(r.deducted for r in self.rows)

    @property
    def has_ties(self) -> bool:
        """Whether any entrant's total equals another's."""
        return any(r.ties for r in self.rows)


def trade_report(trade: Trade, blind: bool = False) -> TradeReport:
    """The trade's results computed afresh from its current data (read only: nothing is
    stored), with names (or, ``blind``, stations and anonymous codes only), every judge's
    value and the reasons behind each rank."""
    event = trade.event
    spec = results.trade_spec(trade)
    inputs = results.entrant_inputs(trade)
    event_spec = results.event_spec(event)
    computed = compute_trade(event_spec, spec, inputs)
    places = event.decimals

    components = list(
        db.session.execute(
            sa.select(Component)
            .where(Component.trade_id == trade.id)
            .options(selectinload(Component.criteria))
            .order_by(Component.position, Component.id)
        ).scalars()
    )
    component_names = {c.code: c.name for c in components}
    criterion_names = {k.code: k.name for c in components for k in c.criteria}
    entrants = _trade_entrants(trade)
    if blind:
        entrants = anonymous(entrants)
    judges = _panel(trade)
    if blind:  # a judge's unit would tell whose unit a recused entrant is from
        judges = tuple(JudgeColumn(j.code, j.name, None, j.chief) for j in judges)
    rule_titles = {rule.code: rule.title for rule in event_spec.award_rules}
    times = {i.code: i.time for i in inputs}
    penalties = {i.code: i.penalties for i in inputs}

    def who(code: str) -> str:
        if code not in entrants:
            return code
        name, anon = entrants[code][0], entrants[code][5]
        return anon if blind else f"{code} {name}"

    breakers = tuple(breaker_text(b, component_names, criterion_names) for b in spec.tie_breakers)
    notes = tie_notes(computed, who, component_names, criterion_names)
    passed = passed_over(computed, rule_titles, component_names)
    rows = []
    for entrant in computed.entrants:
        name, unit, team, station, reason, anon = entrants.get(
            entrant.code, (entrant.code, "", None, None, None, entrant.code)
        )
        score = entrant.score
        rows.append(
            EntrantRow(
                code=anon if blind else entrant.code,
                name=name,
                unit=unit,
                team=team,
                station=station,
                status=score.status,
                status_reason=reason
                if score.status not in (Status.OK, Status.INCOMPLETE)
                else None,
                rank=entrant.placing.rank,
                total=score.total,
                t_score=entrant.t_score,
                time=times.get(entrant.code),
                components=tuple(
                    _component_line(c, spec, component_names, criterion_names, places)
                    for c in score.components
                ),
                disqualified=disqualification(
                    score.disqualified_by, penalties.get(entrant.code, ()), dict(spec.disqualify_on)
                ),
                ties=tuple(notes.get(entrant.code, ())),
                flags=tuple(_flag(f, criterion_names) for f in score.flags),
                awards=tuple(
                    award_text(n.rule, n.promoted_to, rule_titles) for n in entrant.awards
                ),
                passed_over=tuple(passed.get(entrant.code, ())),
            )
        )
    team_names = event_teams(trade.event)
    return TradeReport(
        trade=trade,
        event=event,
        state=state_of(trade, computed),
        decimals=places,
        judges=judges,
        components=tuple((c.code, c.name, c.weight) for c in components),
        criteria=tuple(
            CriterionInfo(
                k.code,
                k.name,
                c.name,
                k.max,
                k.scale,
                k.aggregation,
                k.trim,
                k.factor,
                k.max_spread,
            )
            for c in components
            for k in c.criteria
        ),
        tie_breakers=breakers,
        rows=tuple(rows),
        teams=() if blind else tuple(team_row(t, team_names, who) for t in computed.teams),
        ranked_count=computed.ranked_count,
        field_ok=computed.field_ok,
        blind=blind,
    )


def _trade_entrants(trade: Trade) -> EntrantNames:
    """code → (name, unit name, team name, station, status reason, anonymous code) of the
    approved entrants."""
    rows = db.session.execute(
        sa.select(
            Entrant.code,
            Entrant.name,
            Unit.name,
            Team.name,
            Entrant.station_no,
            Entrant.status_reason,
            Entrant.anon_code,
        )
        .join(Unit, Unit.id == Entrant.unit_id)
        .outerjoin(Team, Team.id == Entrant.team_id)
        .where(
            Entrant.trade_id == trade.id,
            Entrant.registration_status == RegistrationStatus.APPROVED,
        )
    )
    return {
        code: (name, unit, team, station, reason, anon or code)
        for code, name, unit, team, station, reason, anon in rows
    }


def _panel(trade: Trade) -> tuple[JudgeColumn, ...]:
    """The trade's judges in the engine's order (by id), with their units."""
    rows = db.session.execute(
        sa.select(Judge.code, Judge.name, Unit.name, PanelMember.is_chief)
        .join(PanelMember, PanelMember.judge_id == Judge.id)
        .outerjoin(Unit, Unit.id == Judge.unit_id)
        .where(PanelMember.trade_id == trade.id)
        .order_by(Judge.id)
    )
    return tuple(JudgeColumn(code, name, unit, chief) for code, name, unit, chief in rows)


def event_teams(event: Event) -> dict[str, tuple[str, str]]:
    """team code → (team name, unit name)."""
    rows = db.session.execute(
        sa.select(Team.code, Team.name, Unit.name)
        .join(Unit, Unit.id == Team.unit_id)
        .where(Team.event_id == event.id)
    )
    return {code: (name, unit) for code, name, unit in rows}


def team_row(
    team: TeamPlacing, names: dict[str, tuple[str, str]], who: Callable[[str], str]
) -> TeamRow:
    """A team's place in one trade, with names (``names`` from ``event_teams``)."""
    name, unit = names.get(team.code, (team.code, ""))
    return TeamRow(
        team.code, name, unit, team.rank, team.score, tuple(who(c) for c in team.counted)
    )


def _component_line(
    component: ComponentResult,
    spec: TradeSpec,
    component_names: dict[str, str],
    criterion_names: dict[str, str],
    places: int,
) -> ComponentLine:
    component_spec = spec.component(component.code)
    seats = (
        component_spec.judges
        if component_spec is not None and component_spec.judges
        else tuple(j.code for j in spec.judges)
    )
    weighted = None if component.score is None else exact(component.weight) * component.score
    return ComponentLine(
        code=component.code,
        name=component_names.get(component.code, component.code),
        weight=component.weight,
        direct=component_spec.is_direct if component_spec else not component.criteria,
        score=figure(component.score, places),
        weighted=figure(weighted, places),
        criteria=tuple(
            _criterion_line(c, spec, seats, criterion_names, places) for c in component.criteria
        ),
        deductions=explained(component.before, component.score, component.deductions, places),
    )


def _criterion_line(
    result: CriterionResult,
    spec: TradeSpec,
    seats: Sequence[str],
    criterion_names: dict[str, str],
    places: int,
) -> CriterionLine:
    cells = []
    for judge in (j.code for j in spec.judges):
        if judge not in seats:
            cells.append(Cell(judge, Seat.OFF))
        elif judge in result.recused:
            cells.append(Cell(judge, Seat.RECUSED))
        elif judge in result.excused:
            cells.append(Cell(judge, Seat.EXCUSED))
        elif judge in result.dropped:
            cells.append(Cell(judge, Seat.DROPPED, result.values.get(judge)))
        elif judge in result.values:
            cells.append(Cell(judge, Seat.COUNTED, result.values[judge]))
        else:
            cells.append(Cell(judge, Seat.MISSING))
    return CriterionLine(
        code=result.code,
        name=criterion_names.get(result.code, result.code),
        cells=tuple(cells),
        aggregate=figure(result.aggregate, places),
        factor=result.factor,
        mark=figure(result.mark, places),
        flag=result.flag,
        spread=result.spread,
        deductions=explained(result.before, result.mark, result.deductions, places),
    )


def _flag(code: str, criterion_names: dict[str, str]) -> Flag:
    kind, _, criterion = code.partition(":")
    name = criterion_names.get(criterion)
    return Flag(code, kind, f"{criterion} {name}" if name else criterion)
