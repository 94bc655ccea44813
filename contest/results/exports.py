"""Results for people: an Excel workbook and a CSV file with Chinese headers.

Both carry the rows of the ``contest-results/1`` document, with names added. The workbook
has one sheet each for individual results, teams, units and award lists; the CSV file holds
the individual results (UTF-8 with a byte-order mark, so Excel opens it correctly).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext
from openpyxl import Workbook

from contest.core.extensions import db
from contest.core.files import csv_bytes, fill_sheet, workbook_bytes
from contest.core.labels import label
from contest.core.queries import as_dict
from contest.domain.numbers import round_half_up
from contest.domain.results import TradeResult, award_lists, units
from contest.domain.scoring import DeclaredStatus, Status
from contest.events.models import Component, Event, Trade, Unit
from contest.registration.models import Entrant, Team
from contest.results import services as results


class _Names:
    """Names of the event's trades, entrants, units, teams and components, by code."""

    def __init__(self, event: Event):
        self.trades = as_dict(sa.select(Trade.code, Trade.name).where(Trade.event_id == event.id))
        self.units = as_dict(sa.select(Unit.code, Unit.name).where(Unit.event_id == event.id))
        self.teams = as_dict(sa.select(Team.code, Team.name).where(Team.event_id == event.id))
        self.entrants = {
            code: (name, unit, team)
            for code, name, unit, team in db.session.execute(
                sa.select(Entrant.code, Entrant.name, Unit.code, Team.code)
                .join(Unit, Unit.id == Entrant.unit_id)
                .outerjoin(Team, Team.id == Entrant.team_id)
                .where(Entrant.event_id == event.id)
            )
        }
        self.components: dict[str, str] = {}
        for code, name in db.session.execute(
            sa.select(Component.code, Component.name)
            .join(Trade, Trade.id == Component.trade_id)
            .where(Trade.event_id == event.id)
            .order_by(Trade.position, Component.position)
        ):
            self.components.setdefault(code, name)


def _status(status: Status) -> str:
    if status == Status.OK:
        return gettext("Ranked")
    if status == Status.INCOMPLETE:
        return gettext("Incomplete")
    return label(DeclaredStatus(status.value))


def _number(value: Decimal | None) -> Decimal | str:
    return value if value is not None else ""


def individual_rows(event: Event, trades: Sequence[TradeResult], names: _Names):
    """Header and rows of the individual results, one row per entrant."""
    components = list(names.components)
    header = [
        gettext("Trade code"),
        gettext("Trade"),
        gettext("Rank"),
        gettext("Entrant code"),
        gettext("Name"),
        gettext("Unit"),
        gettext("Team"),
        gettext("Status"),
        gettext("Total"),
        *(names.components[c] for c in components),
        gettext("T-score"),
        gettext("Flags"),
        gettext("Awards"),
    ]
    titles = {rule.code: rule.title for rule in results.event_spec(event).award_rules}
    rows = []
    for trade in trades:
        for entrant in trade.entrants:
            name, unit, team = names.entrants.get(entrant.code, ("", "", None))
            scores = {c.code: c.score for c in entrant.score.components}
            rows.append(
                [
                    trade.code,
                    names.trades.get(trade.code, ""),
                    entrant.placing.rank or "",
                    entrant.code,
                    name,
                    names.units.get(unit, unit),
                    names.teams.get(team, "") if team else "",
                    _status(entrant.score.status),
                    _number(entrant.score.total),
                    *(_rounded(scores.get(c), event.decimals) for c in components),
                    _number(entrant.t_score),
                    " ".join(entrant.score.flags),
                    "、".join(titles.get(n.rule, n.rule) for n in entrant.awards),
                ]
            )
    return header, rows


def _rounded(value: Any, decimals: int) -> Decimal | str:
    return round_half_up(value, decimals) if value is not None else ""


def results_workbook(event: Event) -> bytes:
    """The results as an .xlsx workbook."""
    trades = results.stored_trades(event)
    spec = results.event_spec(event)
    names = _Names(event)
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Individual results")
    header, rows = individual_rows(event, trades, names)
    fill_sheet(sheet, header, rows, event.decimals)

    team_rows = [
        [
            trade.code,
            names.trades.get(trade.code, ""),
            t.rank or "",
            t.code,
            names.teams.get(t.code, ""),
            _number(t.score),
        ]
        for trade in trades
        for t in trade.teams
    ]
    fill_sheet(
        book.create_sheet(gettext("Team results")),
        [
            gettext("Trade code"),
            gettext("Trade"),
            gettext("Rank"),
            gettext("Team code"),
            gettext("Team"),
            gettext("Team score"),
        ],
        team_rows,
        event.decimals,
    )
    unit_rows = [
        [u.rank, u.code, names.units.get(u.code, ""), u.points, u.gold, u.silver, u.bronze]
        for u in units(spec, trades)
    ]
    fill_sheet(
        book.create_sheet(gettext("Unit standings")),
        [
            gettext("Rank"),
            gettext("Unit code"),
            gettext("Unit"),
            gettext("Points"),
            gettext("Gold"),
            gettext("Silver"),
            gettext("Bronze"),
        ],
        unit_rows,
        event.decimals,
    )
    ranks = {(t.code, e.code): e.placing.rank for t in trades for e in t.entrants}
    trade_of = {e.code: t.code for t in trades for e in t.entrants}
    award_rows = []
    for award in award_lists(spec, trades):
        for code in award.entrants:
            trade = trade_of[code]
            name, unit, _ = names.entrants.get(code, ("", "", None))
            award_rows.append(
                [
                    award.rule.code,
                    award.rule.title,
                    names.trades.get(trade, trade),
                    ranks[(trade, code)],
                    code,
                    name,
                    names.units.get(unit, unit),
                    award.promotions.get(code, ""),
                ]
            )
    fill_sheet(
        book.create_sheet(gettext("Award lists")),
        [
            gettext("Award code"),
            gettext("Award"),
            gettext("Trade"),
            gettext("Rank"),
            gettext("Entrant code"),
            gettext("Name"),
            gettext("Unit"),
            gettext("Promoted to"),
        ],
        award_rows,
        event.decimals,
    )
    return workbook_bytes(book)


def results_csv(event: Event) -> bytes:
    """The individual results as CSV, UTF-8 with a byte-order mark."""
    trades = results.stored_trades(event)
    header, rows = individual_rows(event, trades, _Names(event))
    return csv_bytes(header, rows)
