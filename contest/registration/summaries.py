"""Events and trades with their key figures (trades, units, teams, entrants, judges), in a
fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from contest.core.extensions import db
from contest.core.queries import as_dict
from contest.events.models import Event, Judge, PanelMember, Trade, Unit
from contest.registration.models import Entrant, Team


@dataclass(frozen=True)
class EventSummary:
    """An event with how many trades, units, teams and entrants it has."""

    event: Event
    trades: int
    units: int
    teams: int
    entrants: int


@dataclass(frozen=True)
class TradeSummary:
    """A trade with its entrant, unit and judge counts."""

    trade: Trade
    entrants: int
    units: int
    judges: int


def _counts(column, group_by) -> dict[int, int]:
    return as_dict(sa.select(group_by, sa.func.count(sa.distinct(column))).group_by(group_by))


def event_summaries() -> list[EventSummary]:
    """Every event, newest first, with its counts."""
    events = db.session.execute(
        sa.select(Event).order_by(Event.starts_on.desc(), Event.id.desc())
    ).scalars()
    trades = _counts(Trade.id, Trade.event_id)
    units = _counts(Unit.id, Unit.event_id)
    teams = _counts(Team.id, Team.event_id)
    entrants = _counts(Entrant.id, Entrant.event_id)
    return [
        EventSummary(
            e, trades.get(e.id, 0), units.get(e.id, 0), teams.get(e.id, 0), entrants.get(e.id, 0)
        )
        for e in events
    ]


def trade_summaries(event: Event) -> list[TradeSummary]:
    """The event's trades in order, with counts."""
    trades = db.session.execute(
        sa.select(Trade).where(Trade.event_id == event.id).order_by(Trade.position, Trade.id)
    ).scalars()
    in_event = Entrant.event_id == event.id
    entrants = as_dict(
        sa.select(Entrant.trade_id, sa.func.count()).where(in_event).group_by(Entrant.trade_id)
    )
    units = as_dict(
        sa.select(Entrant.trade_id, sa.func.count(sa.distinct(Entrant.unit_id)))
        .where(in_event)
        .group_by(Entrant.trade_id)
    )
    judges = as_dict(
        sa.select(PanelMember.trade_id, sa.func.count())
        .join(Judge, Judge.id == PanelMember.judge_id)
        .where(Judge.event_id == event.id)
        .group_by(PanelMember.trade_id)
    )
    return [
        TradeSummary(t, entrants.get(t.id, 0), units.get(t.id, 0), judges.get(t.id, 0))
        for t in trades
    ]
