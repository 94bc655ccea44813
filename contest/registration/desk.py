"""The registration desk's lists: the registrations to review with their counts, and the
coverage report (不留空白点). Withdrawn entrants are listed apart: they keep their
registration's state but no longer compete."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from contest.core import pagination
from contest.core.extensions import db
from contest.core.queries import as_dict
from contest.domain.scoring import DeclaredStatus
from contest.events.models import Event, Trade, Unit
from contest.registration.models import Entrant, RegistrationStatus, Team

#: Entrants who have not withdrawn.
COMPETING = sa.or_(Entrant.status.is_(None), Entrant.status != DeclaredStatus.WD)
#: The filter that shows the withdrawn entrants.
WITHDRAWN = DeclaredStatus.WD.value


def for_review(
    event: Event,
    *,
    status: str | None = None,
    trade: str | None = None,
    unit: str | None = None,
    page: int = 1,
) -> Pagination:
    """A page of the event's registrations, filtered (``status`` a review state, or
    ``WITHDRAWN``), with trade and unit loaded."""
    query = (
        sa.select(Entrant)
        .join(Trade, Trade.id == Entrant.trade_id)
        .join(Unit, Unit.id == Entrant.unit_id)
        .where(Entrant.event_id == event.id)
        .options(selectinload(Entrant.trade), selectinload(Entrant.unit))
        .order_by(Trade.position, Unit.code, Entrant.code)
    )
    if status == WITHDRAWN:
        query = query.where(Entrant.status == DeclaredStatus.WD)
    elif status:
        query = query.where(Entrant.registration_status == RegistrationStatus(status), COMPETING)
    if trade:
        query = query.where(Trade.code == trade)
    if unit:
        query = query.where(Unit.code == unit)
    return pagination.page_of(query, page)


def status_counts(event: Event) -> dict[Any, int]:
    """How many registrations of the event are in each review state, and how many entrants
    have withdrawn (``DeclaredStatus.WD``, not counted in their review state)."""
    counts: dict[Any, int] = as_dict(
        sa.select(Entrant.registration_status, sa.func.count())
        .where(Entrant.event_id == event.id, COMPETING)
        .group_by(Entrant.registration_status)
    )
    withdrawn = db.session.execute(
        sa.select(sa.func.count())
        .select_from(Entrant)
        .where(Entrant.event_id == event.id, Entrant.status == DeclaredStatus.WD)
    ).scalar_one()
    if withdrawn:
        counts[DeclaredStatus.WD] = withdrawn
    return counts


# --- coverage ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    """One unit's part in the event: teams, and entries against quota per trade."""

    unit: Unit
    has_team: bool
    entries: dict[str, int]  # trade code → entrants


@dataclass(frozen=True)
class Coverage:
    """不留空白点: units with no team, trades below their minimum field, quota use."""

    trades: list[Trade]
    rows: list[CoverageRow]
    field: dict[str, int]  # trade code → entrants (all units)

    @property
    def units_without_team(self) -> list[Unit]:
        return [row.unit for row in self.rows if not row.has_team]

    @property
    def trades_below_minimum(self) -> list[Trade]:
        return [
            t for t in self.trades if t.min_entrants and self.field.get(t.code, 0) < t.min_entrants
        ]


def coverage(event: Event) -> Coverage:
    """The coverage report of the event (every unit, every trade; withdrawn entrants do
    not count)."""
    trades = list(
        db.session.execute(
            sa.select(Trade).where(Trade.event_id == event.id).order_by(Trade.position, Trade.id)
        ).scalars()
    )
    units = list(
        db.session.execute(
            sa.select(Unit).where(Unit.event_id == event.id).order_by(Unit.kind, Unit.code)
        ).scalars()
    )
    with_team = set(
        db.session.execute(sa.select(Team.unit_id).where(Team.event_id == event.id)).scalars()
    )
    entries: dict[int, dict[str, int]] = defaultdict(dict)
    field_size: dict[str, int] = defaultdict(int)
    for unit_id, trade, count in db.session.execute(
        sa.select(Entrant.unit_id, Trade.code, sa.func.count())
        .join(Trade, Trade.id == Entrant.trade_id)
        .where(Entrant.event_id == event.id, COMPETING)
        .group_by(Entrant.unit_id, Trade.code)
    ):
        entries[unit_id][trade] = count
        field_size[trade] += count
    rows = [CoverageRow(u, u.id in with_team, entries.get(u.id, {})) for u in units]
    return Coverage(trades, rows, dict(field_size))
