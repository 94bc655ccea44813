"""Units, teams and entrants: reading them, registering, correcting and reviewing.

Taking a registration back and withdrawing an entrant are in ``withdrawal``, the coverage
report in ``reports``."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from blinker import Namespace
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from contest.accounts.models import Role, User
from contest.core import audit, pagination
from contest.core.extensions import db
from contest.core.queries import as_dict, lock_row
from contest.domain import lifecycle
from contest.domain.lifecycle import Action, Facts
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
from contest.domain.scoring import DeclaredStatus
from contest.domain.stages import StageKind
from contest.events.models import Event, Trade, Unit, unit_contacts
from contest.registration import places
from contest.registration.facts import entrant_facts, windows
from contest.registration.models import Entrant, Gender, RegistrationStatus, Team
from contest.stages import services as stages

#: Sent with a trade whose field changed (an entrant approved, returned, moved in or out,
#: withdrawn): its results are computed again (``create_app`` connects the receiver).
entrants_changed = Namespace().signal("entrants-changed")


class EntrantRefused(Refused):
    """A change to one entrant that cannot be made."""

    GONE = "gone"
    CLASH = "clash"
    DECLARED = "declared"

    reasons = {
        GONE: N_("This registration no longer exists: it has been taken back meanwhile."),
        CLASH: N_(
            "%(name)s cannot be saved in %(trade)s: another entrant of that trade already has "
            "the same station, anonymous code or ID number. Nothing was changed."
        ),
        DECLARED: N_(
            "%(name)s is marked “%(status)s”: only the organisers can change the registration now."
        ),
    }
    default_status = 409


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
        places=places.places_of(event),
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
            new=snapshot(entrant),
            reason=reason,
        )
    return created


def current(entrant: Entrant) -> Entrant:
    """The entrant as committed now (read again after taking a lock); refused if it was
    taken back meanwhile."""
    found = db.session.execute(
        sa.select(Entrant).where(Entrant.id == entrant.id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if found is None:
        raise EntrantRefused(EntrantRefused.GONE)
    return found


def flush_entrant(entrant: Entrant) -> None:
    """Write the entrant's changes now: a clash with another entrant of its trade (station,
    anonymous code, ID number) is refused with a clear message, nothing changed."""
    name, trade = entrant.name, entrant.trade.name
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        raise EntrantRefused(EntrantRefused.CLASH, name=name, trade=trade) from None


def update_entrant(
    actor: User, entrant: Entrant, applicant: Applicant, *, reason: str | None = None
) -> None:
    """Change a registration; it goes back to review unless staff made the change.

    A unit corrects its registration while registration is open, or a returned one until
    the review closes (``Action.CORRECT``); staff may correct later, giving a reason. Nobody
    moves an entrant with a station to another trade (``Action.MOVE``): it withdraws instead.
    """
    event = entrant.event
    lock_row(Event, event.id)
    entrant = current(entrant)
    staff = actor.has_role(Role.ADMIN, Role.ORGANISER)
    known = entrant_facts(entrant, windows(event))
    if entrant.status is not None and not staff:
        raise EntrantRefused(EntrantRefused.DECLARED, name=entrant.name, status=entrant.status)
    if not (staff and reason):
        lifecycle.check(Action.CORRECT, known)
    old_trade = entrant.trade
    if applicant.trade != old_trade.code:
        lifecycle.check(Action.MOVE, known)
    problems = check_applicants(
        [applicant], entrant.unit.code, rules_for(event), registered_in(event, excluding=entrant)
    )
    if problems:
        raise RegistrationError(problems)
    old = snapshot(entrant)
    trade = db.session.execute(
        sa.select(Trade).where(Trade.event_id == event.id, Trade.code == applicant.trade)
    ).scalar_one()
    entrant.trade = trade
    _apply(entrant, complete(applicant))
    if not staff:
        entrant.registration_status = RegistrationStatus.SUBMITTED
        entrant.review_note = None
    flush_entrant(entrant)
    audit.record(
        actor,
        "entrant.update",
        "entrant",
        entrant.id,
        event=event,
        old=old,
        new=snapshot(entrant),
        reason=reason,
    )
    for changed in {old_trade, trade}:
        entrants_changed.send(changed)


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
    WITHDRAWN = "withdrawn"

    reasons = {
        NOTHING_SELECTED: N_("Select at least one registration."),
        REASON_REQUIRED: N_("Give the reason for returning the registrations."),
        WITHDRAWN: N_("%(names)s withdrew from the contest: their registrations are not reviewed."),
    }
    statuses = {WITHDRAWN: 409}


def review(
    actor: User, event: Event, ids: Iterable[int], *, approve: bool, reason: str | None = None
) -> list[Entrant]:
    """Approve the event's registrations ``ids``, or return them to their units with a
    reason (required); returns them.

    Only while registration or review is open (``Action.REVIEW``), whoever reviews; a
    registration with a station is not returned (``Action.RETURN``: the entrant withdraws
    instead), nor is a withdrawn entrant's reviewed.
    """
    lock_row(Event, event.id)
    open_ = windows(event)
    lifecycle.check(
        Action.REVIEW,
        Facts(registration_open=open_.registration_open, review_open=open_.review_open),
    )
    entrants = list(
        db.session.execute(
            sa.select(Entrant)
            .where(Entrant.event_id == event.id, Entrant.id.in_(list(ids)))
            .order_by(Entrant.code)
            .execution_options(populate_existing=True)
        ).scalars()
    )
    if not entrants:
        raise ReviewRefused(ReviewRefused.NOTHING_SELECTED)
    if not approve and not reason:
        raise ReviewRefused(ReviewRefused.REASON_REQUIRED)
    withdrawn = [e.name for e in entrants if e.status == DeclaredStatus.WD]
    if withdrawn:
        raise ReviewRefused(ReviewRefused.WITHDRAWN, names="、".join(withdrawn))
    for entrant in entrants:  # a signed-off trade's field is settled
        known = replace(entrant_facts(entrant, open_), locked=entrant.trade.is_locked)
        lifecycle.check(
            Action.APPROVE if approve else Action.RETURN, known, trade=entrant.trade.name
        )
    status = RegistrationStatus.APPROVED if approve else RegistrationStatus.RETURNED
    changed: dict[int, Trade] = {}
    for entrant in entrants:
        old = {"status": entrant.registration_status.value, "note": entrant.review_note}
        if entrant.registration_status != status:
            changed[entrant.trade_id] = entrant.trade
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
    db.session.flush()
    for trade in changed.values():
        entrants_changed.send(trade)
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


def snapshot(entrant: Entrant) -> dict[str, Any]:
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
