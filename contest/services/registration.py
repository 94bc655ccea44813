"""Reading units, teams and entrants for the people who register them."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import Entrant, Event, Team, Unit, User
from contest.models.event import unit_contacts
from contest.services.queries import as_dict


@dataclass(frozen=True)
class UnitSummary:
    """A unit with its number of teams, entrants and trades entered."""

    unit: Unit
    teams: int
    entrants: int
    trades: int


def unit_summaries(event: Event) -> list[UnitSummary]:
    """Every unit of the event with its counts (units with no team show zeros)."""
    units = db.session.execute(
        sa.select(Unit).where(Unit.event_id == event.id).order_by(Unit.kind, Unit.code)
    ).scalars()
    teams = as_dict(
        sa.select(Team.unit_id, sa.func.count())
        .where(Team.event_id == event.id)
        .group_by(Team.unit_id)
    )
    entries = {
        unit_id: (count, trades)
        for unit_id, count, trades in db.session.execute(
            sa.select(
                Entrant.unit_id, sa.func.count(), sa.func.count(sa.distinct(Entrant.trade_id))
            )
            .where(Entrant.event_id == event.id)
            .group_by(Entrant.unit_id)
        )
    }
    return [UnitSummary(u, teams.get(u.id, 0), *entries.get(u.id, (0, 0))) for u in units]


def units_for_contact(user: User) -> list[Unit]:
    """The units this account is a contact for, newest event first."""
    return list(
        db.session.execute(
            sa.select(Unit)
            .join(unit_contacts, unit_contacts.c.unit_id == Unit.id)
            .where(unit_contacts.c.user_id == user.id)
            .options(selectinload(Unit.event))
            .order_by(Unit.event_id.desc(), Unit.code)
        ).scalars()
    )


def unit_entrants(unit: Unit) -> list[Entrant]:
    """The unit's entrants with trade and team loaded, by trade then name."""
    return list(
        db.session.execute(
            sa.select(Entrant)
            .where(Entrant.unit_id == unit.id)
            .options(selectinload(Entrant.trade), selectinload(Entrant.team))
            .order_by(Entrant.trade_id, Entrant.code)
        ).scalars()
    )


def entries_for_user(user: User) -> list[Entrant]:
    """Every entry linked to this account, newest event first."""
    return list(
        db.session.execute(
            sa.select(Entrant)
            .where(Entrant.user_id == user.id)
            .options(
                selectinload(Entrant.event),
                selectinload(Entrant.trade),
                selectinload(Entrant.unit),
                selectinload(Entrant.team),
            )
            .order_by(Entrant.event_id.desc(), Entrant.id)
        ).scalars()
    )
