"""The event's internal overview, for organisers: every trade's state, the team rankings,
the unit and medal tables and the award lists, from the stored trade results (as
published). One trade's breakdown is ``report``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from contest.core.extensions import db
from contest.core.labels import selection_text
from contest.domain.ranking import competition_ranks
from contest.domain.results import EventSpec, TradeResult, award_lists, units
from contest.domain.scoring import Status
from contest.events.models import Event, Trade, Unit
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.report import (
    TeamRow,
    TradeState,
    event_teams,
    state_label,
    state_of,
    team_row,
)

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
    team_names = event_teams(event)

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
                TradeTeams(trade, tuple(team_row(t, team_names, who) for t in result.teams))
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
