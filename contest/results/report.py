"""Internal results for organisers and chief judges: every number of a trade explained judge
by judge, the event's tables (trades, teams, units, medals, nominations), and their Excel
and PDF exports.

The figures are the engine's (``contest.domain``): exact fractions rounded half up only for
display, decimals as computed — never floats. Names and units are shown, since these pages
are internal; resident ID numbers never are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import selectinload

from contest.core.extensions import db
from contest.core.files import fill_sheet, render_pdf, workbook_bytes
from contest.core.labels import label, selection_text
from contest.domain.numbers import exact, round_half_up
from contest.domain.ranking import TeamPlacing, competition_ranks
from contest.domain.results import EventSpec, TradeResult, award_lists, compute_trade, units
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
    def has_ties(self) -> bool:
        """Whether any entrant's total equals another's."""
        return any(r.ties for r in self.rows)


def trade_report(trade: Trade) -> TradeReport:
    """The trade's results computed afresh from its current data (read only: nothing is
    stored), with names, every judge's value and the reasons behind each rank."""
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
    judges = _panel(trade)
    rule_titles = {rule.code: rule.title for rule in event_spec.award_rules}
    times = {i.code: i.time for i in inputs}

    def who(code: str) -> str:
        return f"{code} {entrants[code][0]}" if code in entrants else code

    breakers = tuple(breaker_text(b, component_names, criterion_names) for b in spec.tie_breakers)
    notes = tie_notes(computed, who, component_names, criterion_names)
    passed = _passed_over(computed, rule_titles)
    rows = []
    for entrant in computed.entrants:
        name, unit, team, station, reason = entrants.get(
            entrant.code, (entrant.code, "", None, None, None)
        )
        score = entrant.score
        rows.append(
            EntrantRow(
                code=entrant.code,
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
                ties=tuple(notes.get(entrant.code, ())),
                flags=tuple(_flag(f, criterion_names) for f in score.flags),
                awards=tuple(
                    _award_text(n.rule, n.promoted_to, rule_titles) for n in entrant.awards
                ),
                passed_over=tuple(passed.get(entrant.code, ())),
            )
        )
    team_names = _team_names(trade.event)
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
        teams=tuple(_team_row(t, team_names, who) for t in computed.teams),
        ranked_count=computed.ranked_count,
        field_ok=computed.field_ok,
    )


def _trade_entrants(trade: Trade) -> dict[str, tuple[str, str, str | None, int | None, str | None]]:
    """code → (name, unit name, team name, station, status reason) of the approved entrants."""
    rows = db.session.execute(
        sa.select(
            Entrant.code,
            Entrant.name,
            Unit.name,
            Team.name,
            Entrant.station_no,
            Entrant.status_reason,
        )
        .join(Unit, Unit.id == Entrant.unit_id)
        .outerjoin(Team, Team.id == Entrant.team_id)
        .where(
            Entrant.trade_id == trade.id,
            Entrant.registration_status == RegistrationStatus.APPROVED,
        )
    )
    return {
        code: (name, unit, team, station, reason)
        for code, name, unit, team, station, reason in rows
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


def _team_names(event: Event) -> dict[str, tuple[str, str]]:
    """team code → (team name, unit name)."""
    rows = db.session.execute(
        sa.select(Team.code, Team.name, Unit.name)
        .join(Unit, Unit.id == Team.unit_id)
        .where(Team.event_id == event.id)
    )
    return {code: (name, unit) for code, name, unit in rows}


def _team_row(
    team: TeamPlacing, names: dict[str, tuple[str, str]], who: Callable[[str], str]
) -> TeamRow:
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
    )


def _flag(code: str, criterion_names: dict[str, str]) -> Flag:
    kind, _, criterion = code.partition(":")
    name = criterion_names.get(criterion)
    return Flag(code, kind, f"{criterion} {name}" if name else criterion)


def _award_text(rule: str, promoted_to: str | None, titles: dict[str, str]) -> str:
    title = titles.get(rule, rule)
    if promoted_to:
        return gettext("%(award)s (to %(level)s)", award=title, level=promoted_to)
    return title


def breaker_text(
    breaker: str, component_names: dict[str, str], criterion_names: dict[str, str]
) -> str:
    """A tie-breaker in words: "the practical score", "completion time"…"""
    kind, _, code = breaker.partition(":")
    if kind == "time":
        return gettext("completion time")
    if kind == "component":
        return gettext("the %(component)s score", component=component_names.get(code, code))
    if kind == "criterion":
        name = criterion_names.get(code)
        return gettext("the mark for %(criterion)s", criterion=f"{code} {name}" if name else code)
    return breaker


def tie_notes(
    computed: TradeResult,
    who: Callable[[str], str],
    component_names: dict[str, str],
    criterion_names: dict[str, str],
) -> dict[str, list[str]]:
    """For every entrant whose total equals a neighbour's: which tie-breaker put them
    ahead or behind, or that every breaker was equal and they share the rank."""
    notes: dict[str, list[str]] = {}
    for entrant in computed.entrants:
        tie = entrant.placing.tie
        if tie is None:
            continue
        if tie.breaker is None:
            notes.setdefault(tie.above, []).append(
                gettext(
                    "Equal with %(entrant)s on the total and every tie-breaker: "
                    "they share rank %(rank)s.",
                    entrant=who(entrant.code),
                    rank=entrant.placing.rank,
                )
            )
            notes.setdefault(entrant.code, []).append(
                gettext(
                    "Equal with %(entrant)s on the total and every tie-breaker: "
                    "they share rank %(rank)s.",
                    entrant=who(tie.above),
                    rank=entrant.placing.rank,
                )
            )
            continue
        decided = breaker_text(tie.breaker, component_names, criterion_names)
        notes.setdefault(tie.above, []).append(
            gettext(
                "Same total as %(entrant)s; placed ahead on %(breaker)s.",
                entrant=who(entrant.code),
                breaker=decided,
            )
        )
        notes.setdefault(entrant.code, []).append(
            gettext(
                "Same total as %(entrant)s; placed behind on %(breaker)s.",
                entrant=who(tie.above),
                breaker=decided,
            )
        )
    return notes


def _passed_over(computed: TradeResult, titles: dict[str, str]) -> dict[str, list[str]]:
    """entrant → why award rules whose cut they made did not select them."""
    found: dict[str, list[str]] = {}
    for (rule, entrant), why in computed.skipped.items():
        found.setdefault(entrant, []).append(
            gettext("%(award)s: %(reason)s", award=titles.get(rule, rule), reason=_why(why))
        )
    return found


def _why(why: str) -> str:
    kind, _, group = why.partition(":")
    if kind == "min_total":
        return gettext("total below the rule's minimum")
    if kind == "max_age":
        return gettext("over the rule's age limit, or no birth date")
    if kind == "promote":
        return gettext("cannot be promoted (no level on the ladder, or already at the cap)")
    if kind == "group":
        return gettext("already holds an award of group %(group)s", group=group)
    return why


# --- the event -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TradeLine:
    """One trade in the event overview."""

    trade: Trade
    state: TradeState
    entrants: int
    ranked: int
    incomplete: int
    declared: int  # DNS, DQ or WD
    field_ok: bool
    leaders: tuple[str, ...]  # rank 1, with names

    @property
    def state_label(self) -> str:
        return state_label(self.state)


@dataclass(frozen=True)
class TradeTeams:
    """The team ranking of one trade."""

    trade: Trade
    teams: tuple[TeamRow, ...]


@dataclass(frozen=True)
class UnitRow:
    """A unit in the overall table (placement points) and in the medal table."""

    rank: int
    code: str
    name: str
    points: int
    gold: int
    silver: int
    bronze: int

    @property
    def medals(self) -> int:
        return self.gold + self.silver + self.bronze


@dataclass(frozen=True)
class Nominee:
    """An entrant a rule selected."""

    code: str
    name: str
    unit: str
    trade: str
    rank: int | None
    total: Decimal | None
    promoted_to: str | None


@dataclass(frozen=True)
class AwardBlock:
    """One award rule and everyone it selected, by trade, then rank."""

    code: str
    title: str
    selection: str
    group: str | None
    nominees: tuple[Nominee, ...]
    promotes: bool


@dataclass(frozen=True)
class EventReport:
    """The event's internal overview."""

    event: Event
    trades: tuple[TradeLine, ...]
    teams: tuple[TradeTeams, ...]
    units: tuple[UnitRow, ...]
    medals: tuple[tuple[int, UnitRow], ...]  # (medal-table rank, unit), units with a medal
    awards: tuple[AwardBlock, ...]

    def count(self, state: TradeState) -> int:
        """How many trades are in ``state``."""
        return sum(1 for t in self.trades if t.state == state)


def event_report(event: Event) -> EventReport:
    """Every trade's state, the team rankings, the unit and medal tables and the award
    lists, from the stored trade results (as published)."""
    stored = results.stored_trades(event)
    spec = results.event_spec(event)
    trades = list(
        db.session.execute(
            sa.select(Trade).where(Trade.event_id == event.id).order_by(Trade.position, Trade.id)
        ).scalars()
    )
    by_code = {t.code: t for t in trades}
    entrants = {
        code: (name, unit)
        for code, name, unit in db.session.execute(
            sa.select(Entrant.code, Entrant.name, Unit.name)
            .join(Unit, Unit.id == Entrant.unit_id)
            .where(Entrant.event_id == event.id)
        )
    }
    unit_names = {
        code: name
        for code, name in db.session.execute(
            sa.select(Unit.code, Unit.name).where(Unit.event_id == event.id)
        )
    }
    team_names = _team_names(event)

    def who(code: str) -> str:
        return f"{code} {entrants[code][0]}" if code in entrants else code

    lines, team_blocks = [], []
    for result in stored:
        trade = by_code[result.code]
        statuses = [e.score.status for e in result.entrants]
        lines.append(
            TradeLine(
                trade=trade,
                state=state_of(trade, result),
                entrants=len(statuses),
                ranked=result.ranked_count,
                incomplete=statuses.count(Status.INCOMPLETE),
                declared=sum(1 for s in statuses if s not in (Status.OK, Status.INCOMPLETE)),
                field_ok=result.field_ok,
                leaders=tuple(who(e.code) for e in result.entrants if e.placing.rank == 1),
            )
        )
        if result.teams:
            team_blocks.append(
                TradeTeams(trade, tuple(_team_row(t, team_names, who) for t in result.teams))
            )
    table = [
        UnitRow(
            u.rank, u.code, unit_names.get(u.code, u.code), u.points, u.gold, u.silver, u.bronze
        )
        for u in units(spec, stored)
    ]
    return EventReport(
        event=event,
        trades=tuple(lines),
        teams=tuple(team_blocks),
        units=tuple(table),
        medals=medal_table(table),
        awards=tuple(_award_blocks(spec, stored, entrants, by_code)),
    )


def medal_table(table: Iterable[UnitRow]) -> tuple[tuple[int, UnitRow], ...]:
    """Units with a medal, ranked by gold, then silver, then bronze (equal → shared rank)."""
    medalled = [u for u in table if u.medals]
    ranks = competition_ranks([(u.code, (-u.gold, -u.silver, -u.bronze)) for u in medalled])
    ordered = sorted(medalled, key=lambda u: (ranks[u.code], u.code))
    return tuple((ranks[u.code], u) for u in ordered)


def _award_blocks(
    spec: EventSpec,
    stored: Sequence[TradeResult],
    entrants: dict[str, tuple[str, str]],
    trades: dict[str, Trade],
) -> list[AwardBlock]:
    placed = {e.code: (t.code, e) for t in stored for e in t.entrants}
    blocks = []
    for award in award_lists(spec, stored):
        nominees = []
        for code in award.entrants:
            trade, entrant = placed[code]
            name, unit = entrants.get(code, (code, ""))
            nominees.append(
                Nominee(
                    code,
                    name,
                    unit,
                    trades[trade].name if trade in trades else trade,
                    entrant.placing.rank,
                    entrant.score.total,
                    award.promotions.get(code),
                )
            )
        rule = award.rule
        blocks.append(
            AwardBlock(
                rule.code,
                rule.title,
                selection_text(rule.select.to_json()),
                rule.group,
                tuple(nominees),
                rule.promote is not None,
            )
        )
    return blocks


# --- exports ---------------------------------------------------------------------------------

STRUCK = Font(strike=True, color="6B7280")


def trade_workbook(report: TradeReport) -> bytes:
    """The trade's results as .xlsx: one row per entrant, then a sheet of every judge's
    values per criterion (dropped values struck through) with the marks."""
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Results")
    components = report.components
    header = [
        gettext("Rank"),
        gettext("Entrant code"),
        gettext("Name"),
        gettext("Unit"),
        gettext("Team"),
        gettext("Status"),
        *(name for _, name, _ in components),
        gettext("Total"),
        gettext("T-score"),
        gettext("Completion time (s)"),
        gettext("Tie-break"),
        gettext("Flags"),
        gettext("Awards"),
    ]
    rows = []
    for row in report.rows:
        scores = []
        for code, _, _ in components:
            line = row.component(code)
            scores.append(line.score.value if line is not None and line.score else None)
        rows.append(
            [
                row.rank,
                row.code,
                row.name,
                row.unit,
                row.team,
                row.status_label,
                *scores,
                row.total,
                row.t_score,
                row.time,
                " ".join(row.ties),
                " ".join(f.code for f in row.flags),
                "、".join(row.awards),
            ]
        )
    fill_sheet(sheet, header, rows, report.decimals)

    values = book.create_sheet(gettext("Judges' values"))
    judges = [j.code for j in report.judges]
    header = [
        gettext("Entrant code"),
        gettext("Name"),
        gettext("Component"),
        gettext("Criterion code"),
        gettext("Criterion"),
        *judges,
        gettext("Aggregate"),
        gettext("Factor"),
        gettext("Mark"),
        gettext("Dropped"),
        gettext("Flags"),
    ]
    lines, struck = [], []
    for row in report.rows:
        for component in row.components:
            for criterion in component.criteria:
                cells = []
                for column, cell in enumerate(criterion.cells, start=6):
                    if cell.value is not None:
                        cells.append(cell.value)
                        if cell.seat == Seat.DROPPED:
                            struck.append((len(lines) + 2, column))
                    elif cell.seat == Seat.OFF:
                        cells.append(None)
                    else:
                        cells.append(seat_label(cell.seat))
                lines.append(
                    [
                        row.code,
                        row.name,
                        component.name,
                        criterion.code,
                        criterion.name,
                        *cells,
                        criterion.aggregate.value if criterion.aggregate else None,
                        criterion.factor,
                        criterion.mark.value if criterion.mark else None,
                        " ".join(criterion.dropped),
                        criterion.flag,
                    ]
                )
    fill_sheet(values, header, lines, report.decimals, keep=(6, 6 + len(judges)))
    for row_number, column in struck:
        values.cell(row=row_number, column=column).font = STRUCK
    return workbook_bytes(book)


#: The results documents' own print styles, on top of the house stylesheet (templates carry
#: no style elements, so that every template passes the same strict-CSP check).
RESULTS_CSS = """
body { font-size: 9pt; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; break-after: avoid; }
th, td { padding: 1.2mm 1.6mm; vertical-align: top; }
td.r, th.r { text-align: right; }
tr { break-inside: avoid; }
del { color: #777; }
.meta { color: #444; font-size: 8.5pt; }
.note { font-size: 8pt; color: #333; }
"""
LANDSCAPE_CSS = "@page { size: A4 landscape; margin: 12mm 10mm 14mm; }"


def trade_pdf(report: TradeReport, printed_at: datetime) -> bytes:
    """The trade's results and every judge's values, A4 landscape."""
    return render_pdf(
        "pdf/results_trade.html", RESULTS_CSS, LANDSCAPE_CSS, report=report, printed_at=printed_at
    )


def event_pdf(report: EventReport, printed_at: datetime) -> bytes:
    """The event's summary: trades, unit and medal tables, teams, award lists."""
    return render_pdf("pdf/results_event.html", RESULTS_CSS, report=report, printed_at=printed_at)
