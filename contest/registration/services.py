"""Units, teams and entrants: reading them, registering, reviewing, and the coverage report."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from contest.accounts.models import Role, User
from contest.core import audit, pagination
from contest.core.extensions import db
from contest.core.queries import as_dict, lock_row
from contest.domain.privacy import mask_id_number, mask_phone
from contest.domain.refusal import N_, Refused
from contest.domain.registration import (
    Applicant,
    Registered,
    RegistrationError,
    RowProblem,
    Rules,
    TradeLimits,
    check_applicants,
    complete,
)
from contest.domain.stages import StageKind
from contest.events.models import Event, Trade, Unit, unit_contacts
from contest.registration.models import Entrant, Gender, RegistrationStatus, Team
from contest.stages import services as stages


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


def unit_entrants(unit: Unit, page: int = 1) -> Pagination:
    """A page of the unit's entrants with trade and team loaded, by trade then code."""
    return pagination.page_of(
        sa.select(Entrant)
        .where(Entrant.unit_id == unit.id)
        .options(selectinload(Entrant.trade), selectinload(Entrant.team))
        .order_by(Entrant.trade_id, Entrant.code),
        page,
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


# --- registering ------------------------------------------------------------------------------


def rules_for(event: Event) -> Rules:
    """The registration rules of the event's trades."""
    trades = db.session.execute(sa.select(Trade).where(Trade.event_id == event.id)).scalars()
    return Rules(
        starts_on=event.starts_on,
        trades={
            t.code: TradeLimits(
                t.code, t.capacity, t.unit_quota, t.min_age, t.max_age, t.min_skill_level
            )
            for t in trades
        },
        multiple_trades_allowed=event.multiple_trades_allowed,
    )


def registered_in(event: Event, excluding: Entrant | None = None) -> list[Registered]:
    """Everyone registered in the event (optionally leaving out the entrant being edited)."""
    query = (
        sa.select(Entrant.id_number, Trade.code, Unit.code, Entrant.code)
        .join(Trade, Trade.id == Entrant.trade_id)
        .join(Unit, Unit.id == Entrant.unit_id)
        .where(Entrant.event_id == event.id)
    )
    if excluding is not None:
        query = query.where(Entrant.id != excluding.id)
    return [Registered(*row) for row in db.session.execute(query)]


def check_window(event: Event, actor: User, reason: str | None) -> None:
    """Unit contacts register only while registration is open; staff may correct later,
    giving a reason."""
    if not (actor.has_role(Role.ADMIN, Role.ORGANISER) and reason):
        stages.require_open(event, StageKind.REGISTRATION)


def register(
    actor: User | None,
    unit: Unit,
    applicants: list[Applicant],
    *,
    reason: str | None = None,
    check_stage: bool = True,
    known: list[RowProblem] | None = None,
) -> list[Entrant]:
    """Register a batch for ``unit``, all or nothing (caller commits).

    Raises ``WindowClosed`` outside the registration window (see ``check_window``) and
    ``RegistrationError`` with every problem found, including ``known`` ones the caller found
    while reading the batch (a cell with such a problem is not reported twice).
    """
    event = unit.event
    if check_stage:
        assert actor is not None
        check_window(event, actor, reason)
    lock_row(Event, event.id)
    rules = rules_for(event)
    problems = list(known or [])
    reported = {(p.row, p.column) for p in problems}
    problems += [
        p
        for p in check_applicants(applicants, unit.code, rules, registered_in(event))
        if (p.row, p.column) not in reported
    ]
    if problems:
        raise RegistrationError(sorted(problems, key=lambda p: p.row))
    trades = {
        t.code: t
        for t in db.session.execute(sa.select(Trade).where(Trade.event_id == event.id)).scalars()
    }
    team = team_of(unit)
    numbers = _entrant_numbers(event)
    created = []
    for applicant in map(complete, applicants):
        entrant = Entrant(
            event_id=event.id,
            trade=trades[applicant.trade],
            unit=unit,
            team=team,
            code=f"E{next(numbers):04d}",
            registration_status=RegistrationStatus.SUBMITTED,
        )
        _apply(entrant, applicant)
        db.session.add(entrant)
        created.append(entrant)
    db.session.flush()
    for entrant in created:
        audit.record(
            actor,
            "entrant.register",
            "entrant",
            entrant.id,
            event=event,
            new=_snapshot(entrant),
            reason=reason,
        )
    return created


def update_entrant(
    actor: User, entrant: Entrant, applicant: Applicant, *, reason: str | None = None
) -> None:
    """Change a registration; it goes back to review unless staff made the change."""
    event = entrant.event
    check_window(event, actor, reason)
    lock_row(Event, event.id)
    problems = check_applicants(
        [applicant], entrant.unit.code, rules_for(event), registered_in(event, excluding=entrant)
    )
    if problems:
        raise RegistrationError(problems)
    old = _snapshot(entrant)
    trade = db.session.execute(
        sa.select(Trade).where(Trade.event_id == event.id, Trade.code == applicant.trade)
    ).scalar_one()
    entrant.trade = trade
    _apply(entrant, complete(applicant))
    if not actor.has_role(Role.ADMIN, Role.ORGANISER):
        entrant.registration_status = RegistrationStatus.SUBMITTED
        entrant.review_note = None
    audit.record(
        actor,
        "entrant.update",
        "entrant",
        entrant.id,
        event=event,
        old=old,
        new=_snapshot(entrant),
        reason=reason,
    )


def remove_entrant(actor: User, entrant: Entrant, *, reason: str | None = None) -> None:
    """Take back a registration before the competition (no scores may exist yet)."""
    check_window(entrant.event, actor, reason)
    audit.record(
        actor,
        "entrant.remove",
        "entrant",
        entrant.id,
        event=entrant.event,
        old=_snapshot(entrant),
        reason=reason,
    )
    db.session.delete(entrant)


def save_team(
    actor: User,
    unit: Unit,
    *,
    name: str,
    leader_name: str | None,
    coach_name: str | None,
    contact_phone: str | None,
    reason: str | None = None,
) -> Team:
    """Create or update the unit's team (one team per unit and event)."""
    check_window(unit.event, actor, reason)
    team = team_of(unit)
    old = None
    if team is None:
        team = Team(event_id=unit.event_id, unit=unit, code=_team_code(unit), name=name)
        db.session.add(team)
    else:
        old = _team_snapshot(team)
    team.name, team.leader_name, team.coach_name = name, leader_name, coach_name
    team.contact_phone = contact_phone
    # Members registered before the team existed join it now.
    for entrant in unit.entrants:
        if entrant.team is None:
            entrant.team = team
    db.session.flush()
    audit.record(
        actor, "team.save", "team", team.id, event=unit.event, old=old, new=_team_snapshot(team)
    )
    return team


class ReviewRefused(Refused):
    """A review of registrations that cannot be made."""

    NOTHING_SELECTED = "nothing_selected"
    REASON_REQUIRED = "reason_required"

    reasons = {
        NOTHING_SELECTED: N_("Select at least one registration."),
        REASON_REQUIRED: N_("Give the reason for returning the registrations."),
    }


def review(
    actor: User, event: Event, ids: Iterable[int], *, approve: bool, reason: str | None = None
) -> list[Entrant]:
    """Approve the event's registrations ``ids``, or return them to their units with a
    reason (required); returns them."""
    entrants = list(
        db.session.execute(
            sa.select(Entrant).where(Entrant.event_id == event.id, Entrant.id.in_(list(ids)))
        ).scalars()
    )
    if not entrants:
        raise ReviewRefused(ReviewRefused.NOTHING_SELECTED)
    if not approve and not reason:
        raise ReviewRefused(ReviewRefused.REASON_REQUIRED)
    status = RegistrationStatus.APPROVED if approve else RegistrationStatus.RETURNED
    for entrant in entrants:
        old = {"status": entrant.registration_status.value, "note": entrant.review_note}
        entrant.registration_status = status
        entrant.review_note = None if approve else reason
        audit.record(
            actor,
            "entrant.approve" if approve else "entrant.return",
            "entrant",
            entrant.id,
            event=entrant.event,
            old=old,
            new={"status": status.value, "note": entrant.review_note},
            reason=reason,
        )
    return entrants


def applicant_of(entrant: Entrant) -> Applicant:
    """The registration data of an entrant, as a form shows it."""
    return Applicant(
        name=entrant.name,
        id_number=entrant.id_number,
        gender=entrant.gender.value if entrant.gender else None,
        birth_date=entrant.birth_date,
        trade=entrant.trade.code,
        skill_level=entrant.skill_level,
        phone=entrant.phone,
        employer=entrant.employer,
    )


def _apply(entrant: Entrant, applicant: Applicant) -> None:
    entrant.name = (applicant.name or "").strip()
    entrant.id_number = applicant.id_number
    entrant.gender = Gender(applicant.gender) if applicant.gender else None
    entrant.birth_date = applicant.birth_date
    entrant.skill_level = applicant.skill_level or None
    entrant.phone = applicant.phone or None
    entrant.employer = applicant.employer or None


def _snapshot(entrant: Entrant) -> dict[str, Any]:
    return {
        "code": entrant.code,
        "name": entrant.name,
        "trade": entrant.trade.code,
        "unit": entrant.unit.code,
        "id_number": mask_id_number(entrant.id_number),
        "skill_level": entrant.skill_level,
        "status": entrant.registration_status.value,
    }


def _team_snapshot(team: Team) -> dict[str, Any]:
    return {
        "code": team.code,
        "name": team.name,
        "leader": team.leader_name,
        "coach": team.coach_name,
        "phone": mask_phone(team.contact_phone),
    }


def team_of(unit: Unit) -> Team | None:
    """The unit's team, if it has registered one."""
    teams = db.session.execute(sa.select(Team).where(Team.unit_id == unit.id)).scalars().all()
    return teams[0] if len(teams) == 1 else None


def default_team_name(unit: Unit) -> str:
    """A team name from the unit's name: 江城区总工会 → 江城区代表队."""
    return unit.name.removesuffix("工会").removesuffix("总") + "代表队"


def _team_code(unit: Unit) -> str:
    existing = set(
        db.session.execute(sa.select(Team.code).where(Team.event_id == unit.event_id)).scalars()
    )
    return next(code for n in itertools.count(1) if (code := f"{unit.code}-{n}") not in existing)


def _entrant_numbers(event: Event) -> Iterator[int]:
    """Numbers for new entrant codes (E0001, …) after the highest already used."""
    codes = db.session.execute(sa.select(Entrant.code).where(Entrant.event_id == event.id))
    used = [int(c[1:]) for c in codes.scalars() if c[:1] == "E" and c[1:].isdigit()]
    return itertools.count(max(used, default=0) + 1)


# --- review and coverage ------------------------------------------------------------------------


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
    """The coverage report of the event (every unit, every trade)."""
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
        .where(Entrant.event_id == event.id)
        .group_by(Entrant.unit_id, Trade.code)
    ):
        entries[unit_id][trade] = count
        field_size[trade] += count
    rows = [CoverageRow(u, u.id in with_team, entries.get(u.id, {})) for u in units]
    return Coverage(trades, rows, dict(field_size))


def for_review(
    event: Event,
    *,
    status: str | None = None,
    trade: str | None = None,
    unit: str | None = None,
    page: int = 1,
) -> Pagination:
    """A page of the event's registrations, filtered, with trade and unit loaded."""
    query = (
        sa.select(Entrant)
        .join(Trade, Trade.id == Entrant.trade_id)
        .join(Unit, Unit.id == Entrant.unit_id)
        .where(Entrant.event_id == event.id)
        .options(selectinload(Entrant.trade), selectinload(Entrant.unit))
        .order_by(Trade.position, Unit.code, Entrant.code)
    )
    if status:
        query = query.where(Entrant.registration_status == RegistrationStatus(status))
    if trade:
        query = query.where(Trade.code == trade)
    if unit:
        query = query.where(Unit.code == unit)
    return pagination.page_of(query, page)


def status_counts(event: Event) -> dict[RegistrationStatus, int]:
    """How many registrations of the event are in each review state."""
    return as_dict(
        sa.select(Entrant.registration_status, sa.func.count())
        .where(Entrant.event_id == event.id)
        .group_by(Entrant.registration_status)
    )
