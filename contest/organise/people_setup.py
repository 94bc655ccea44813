"""Units with their contacts, judges with their accounts, and the trades' panels.

Accounts are created through ``services.accounts`` (hashed passwords, audited); this module
links them: a unit contact to their units, a judge's account to the judge. A chief judge
(裁判长) of a panel needs an account with the chief-judge role, if they have an account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from contest.accounts import services as accounts
from contest.accounts.models import Role, User
from contest.core.extensions import db
from contest.domain.refusal import Problem
from contest.events.models import (
    Event,
    Judge,
    PanelMember,
    Trade,
    Unit,
    UnitKind,
    component_judges,
    unit_contacts,
)
from contest.organise.setup import (
    STUB_EVENT,
    Invalid,
    bump,
    claim,
    problem,
    read,
    record_change,
)
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import Score

MOBILE = re.compile(r"^1\d{10}$")
JUDGE_ROLES = (Role.JUDGE, Role.CHIEF_JUDGE)


# --- units -------------------------------------------------------------------------------------


@dataclass
class UnitInput:
    """A unit as submitted."""

    code: str | None = None
    name: str | None = None
    kind: str | None = None


def unit_state(unit: Unit) -> dict[str, Any]:
    """A unit's settings, for the audit log."""
    return {"code": unit.code, "name": unit.name, "kind": unit.kind}


def _checked_unit(event_id: int, data: UnitInput, unit: Unit | None) -> UnitInput:
    node = {"code": data.code or None, "name": data.name or None, "kind": data.kind or None}
    document = {"units": [{k: v for k, v in node.items() if v is not None}]}
    read_unit = read({"event": STUB_EVENT, **document}, "units[0].").units[0]
    query = sa.select(Unit.id).where(Unit.event_id == event_id, Unit.code == read_unit.code)
    if unit is not None:
        query = query.where(Unit.id != unit.id)
    if db.session.execute(query).first() is not None:
        raise Invalid([problem("code", "code_taken", code=read_unit.code)])
    return UnitInput(read_unit.code, read_unit.name, read_unit.kind)


def create_unit(actor: User, event: Event, data: UnitInput) -> Unit:
    """A new participating unit of the event."""
    checked = _checked_unit(event.id, data, None)
    unit = Unit(event=event, code=checked.code, name=checked.name, kind=UnitKind(checked.kind))
    db.session.add(unit)
    db.session.flush()
    record_change(actor, "unit.create", "unit", unit.id, None, unit_state(unit), event=event)
    return unit


def update_unit(actor: User, unit: Unit, data: UnitInput) -> None:
    """Change a unit; a new code is carried into the stored results."""
    checked = _checked_unit(unit.event_id, data, unit)
    before = unit_state(unit)
    unit.code, unit.name, unit.kind = checked.code, checked.name, UnitKind(checked.kind)
    record_change(actor, "unit.update", "unit", unit.id, before, unit_state(unit), event=unit.event)
    if before["code"] != unit.code:
        db.session.flush()
        results.recompute_event(unit.event)


@dataclass(frozen=True)
class UnitRow:
    """A unit with its contact accounts and how many entrants it has."""

    unit: Unit
    contacts: list[User]
    entrants: int


def units_with_contacts(event: Event) -> list[UnitRow]:
    """The event's units by code, with their contacts, in a fixed number of queries."""
    units = list(
        db.session.execute(
            sa.select(Unit).where(Unit.event_id == event.id).order_by(Unit.code)
        ).scalars()
    )
    linked: dict[int, list[User]] = {}
    for unit_id, user in db.session.execute(
        sa.select(unit_contacts.c.unit_id, User)
        .join(User, User.id == unit_contacts.c.user_id)
        .join(Unit, Unit.id == unit_contacts.c.unit_id)
        .where(Unit.event_id == event.id)
        .order_by(User.username)
    ):
        linked.setdefault(unit_id, []).append(user)
    entrants = dict(
        db.session.execute(
            sa.select(Entrant.unit_id, sa.func.count())
            .where(Entrant.event_id == event.id)
            .group_by(Entrant.unit_id)
        ).all()
    )
    return [UnitRow(u, linked.get(u.id, []), entrants.get(u.id, 0)) for u in units]


# --- unit contacts -----------------------------------------------------------------------------


def _link_contact(actor: User, unit: Unit, user: User) -> None:
    db.session.execute(unit_contacts.insert().values(unit_id=unit.id, user_id=user.id))
    db.session.expire(unit, ["contacts"])
    record_change(
        actor,
        "unit.contact_add",
        "unit",
        unit.id,
        None,
        {"user": user.username, "name": user.name},
        event=unit.event,
    )


def create_contact(
    actor: User, unit: Unit, *, username: str, name: str, password: str, phone: str | None
) -> User:
    """A new unit-contact account, linked to the unit (``AccountError`` if refused)."""
    user = accounts.create_user(
        actor,
        username=username,
        name=name,
        role=Role.UNIT_CONTACT,
        password=password,
        phone=phone or None,
    )
    _link_contact(actor, unit, user)
    return user


def link_contact(actor: User, unit: Unit, username: str) -> User:
    """Make an existing unit-contact account (e.g. last year's) a contact of the unit too."""
    user = accounts.find_by_username(username)
    if user is None:
        raise Invalid([problem("username", "unknown_account", value=username.strip())])
    if user.role != Role.UNIT_CONTACT:
        raise Invalid([problem("username", "not_contact_account", role=user.role)])
    if user in unit.contacts:
        raise Invalid([problem("username", "already_contact", value=user.username)])
    _link_contact(actor, unit, user)
    return user


def remove_contact(actor: User, unit: Unit, user: User) -> None:
    """Unlink a contact from the unit (the account itself stays)."""
    db.session.execute(
        unit_contacts.delete().where(
            unit_contacts.c.unit_id == unit.id, unit_contacts.c.user_id == user.id
        )
    )
    db.session.expire(unit, ["contacts"])
    record_change(
        actor,
        "unit.contact_remove",
        "unit",
        unit.id,
        {"user": user.username, "name": user.name},
        None,
        event=unit.event,
    )


def reset_password(actor: User, user: User, password: str) -> None:
    """Set a new password for a contact's or judge's account (``AccountError`` if weak)."""
    accounts.reset_password(actor, user, password)


# --- judges ------------------------------------------------------------------------------------


@dataclass
class JudgeInput:
    """A judge as submitted; ``unit_id`` is one of the event's units or None."""

    code: str | None = None
    name: str | None = None
    unit_id: int | None = None
    phone: str | None = None


def judges_with_panels(event: Event) -> list[Judge]:
    """The event's judges by code, with unit, account and panels loaded."""
    return list(
        db.session.execute(
            sa.select(Judge)
            .where(Judge.event_id == event.id)
            .options(
                selectinload(Judge.unit),
                selectinload(Judge.user),
                selectinload(Judge.panels).selectinload(PanelMember.trade),
            )
            .order_by(Judge.code)
        ).scalars()
    )


def judge_state(judge: Judge) -> dict[str, Any]:
    """A judge's details, for the audit log."""
    return {
        "code": judge.code,
        "name": judge.name,
        "unit": judge.unit.code if judge.unit else None,
        "phone": judge.phone,
    }


def _checked_judge(
    event: Event, data: JudgeInput, judge: Judge | None
) -> tuple[str, str, Unit | None]:
    problems: list[Problem] = []
    node = {"code": data.code or None, "name": data.name or None, "trades": []}
    try:
        read_judge = read(
            {"event": STUB_EVENT, "judges": [{k: v for k, v in node.items() if v is not None}]},
            "judges[0].",
        ).judges[0]
    except Invalid as error:
        problems.extend(error.problems)
        read_judge = None
    unit = None
    if data.unit_id is not None:
        unit = db.session.get(Unit, data.unit_id)
        if unit is None or unit.event_id != event.id:
            problems.append(problem("unit_id", "dangling", what="unit", ref=str(data.unit_id)))
    if data.phone and not MOBILE.match(data.phone):
        problems.append(problem("phone", "bad_mobile"))
    if read_judge is not None:
        query = sa.select(Judge.id).where(Judge.event_id == event.id, Judge.code == read_judge.code)
        if judge is not None:
            query = query.where(Judge.id != judge.id)
        if db.session.execute(query).first() is not None:
            problems.append(problem("code", "code_taken", code=read_judge.code))
    if problems or read_judge is None:
        raise Invalid(problems)
    return read_judge.code, read_judge.name, unit


def create_judge(actor: User, event: Event, data: JudgeInput) -> Judge:
    """A new judge of the event (on no panel yet)."""
    code, name, unit = _checked_judge(event, data, None)
    judge = Judge(event=event, code=code, name=name, unit=unit, phone=data.phone or None)
    db.session.add(judge)
    db.session.flush()
    record_change(actor, "judge.create", "judge", judge.id, None, judge_state(judge), event=event)
    return judge


def _judge_trades(judge: Judge) -> list[Trade]:
    return list(
        db.session.execute(
            sa.select(Trade)
            .join(PanelMember, PanelMember.trade_id == Trade.id)
            .where(PanelMember.judge_id == judge.id)
            .order_by(Trade.position, Trade.id)
        ).scalars()
    )


def update_judge(actor: User, judge: Judge, data: JudgeInput) -> None:
    """Change a judge; their panels' results follow a new unit (recusal) or code."""
    code, name, unit = _checked_judge(judge.event, data, judge)
    before = judge_state(judge)
    judge.code, judge.name, judge.unit, judge.phone = code, name, unit, data.phone or None
    after = judge_state(judge)
    record_change(actor, "judge.update", "judge", judge.id, before, after, event=judge.event)
    if before["unit"] != after["unit"] or before["code"] != after["code"]:
        db.session.flush()
        for trade in _judge_trades(judge):
            results.recompute_trade(trade)


def is_chief_anywhere(user: User) -> bool:
    """Whether the account is the chief judge of any panel, in any event."""
    return (
        db.session.execute(
            sa.select(PanelMember.trade_id)
            .join(Judge, Judge.id == PanelMember.judge_id)
            .where(Judge.user_id == user.id, PanelMember.is_chief)
            .limit(1)
        ).first()
        is not None
    )


def _is_chief(judge: Judge) -> bool:
    return any(member.is_chief for member in judge.panels)


def _account_problems(judge: Judge, user: User) -> list[Problem]:
    problems = []
    if user.role not in JUDGE_ROLES:
        problems.append(problem("username", "not_judge_account", role=user.role))
    elif user.role != Role.CHIEF_JUDGE and _is_chief(judge):
        problems.append(problem("role", "chief_needs_role", judge=judge.code))
    taken = db.session.execute(
        sa.select(Judge.code).where(
            Judge.event_id == judge.event_id, Judge.user_id == user.id, Judge.id != judge.id
        )
    ).scalar_one_or_none()
    if taken is not None:
        problems.append(problem("username", "account_in_use", judge=taken))
    return problems


def _attach(actor: User, judge: Judge, user: User) -> None:
    before = judge.user.username if judge.user else None
    judge.user = user
    record_change(
        actor,
        "judge.account",
        "judge",
        judge.id,
        {"user": before},
        {"user": user.username},
        event=judge.event,
    )


def create_judge_account(
    actor: User, judge: Judge, *, username: str, password: str, role: Role
) -> User:
    """A new judge or chief-judge account for the judge (``AccountError`` if refused)."""
    if role not in JUDGE_ROLES:
        raise Invalid([problem("role", "not_judge_account", role=role)])
    if role != Role.CHIEF_JUDGE and _is_chief(judge):
        raise Invalid([problem("role", "chief_needs_role", judge=judge.code)])
    user = accounts.create_user(
        actor, username=username, name=judge.name, role=role, password=password, phone=judge.phone
    )
    _attach(actor, judge, user)
    return user


def link_judge_account(actor: User, judge: Judge, username: str) -> User:
    """Give the judge an existing judge or chief-judge account (e.g. last year's)."""
    user = accounts.find_by_username(username)
    if user is None:
        raise Invalid([problem("username", "unknown_account", value=username.strip())])
    problems = _account_problems(judge, user)
    if problems:
        raise Invalid(problems)
    _attach(actor, judge, user)
    return user


def unlink_judge_account(actor: User, judge: Judge) -> None:
    """The judge no longer logs in with their account (the account itself stays)."""
    if judge.user is None:
        return
    record_change(
        actor,
        "judge.account",
        "judge",
        judge.id,
        {"user": judge.user.username},
        {"user": None},
        event=judge.event,
    )
    judge.user = None


def set_account_role(actor: User, judge: Judge, role: Role) -> None:
    """Make the judge's account a judge or chief-judge account; an account that chairs a
    panel anywhere stays a chief-judge account."""
    user = judge.user
    if user is None or user.role == role:
        return
    if role not in JUDGE_ROLES or user.role not in JUDGE_ROLES:
        raise Invalid([problem("role", "not_judge_account", role=user.role)])
    if role != Role.CHIEF_JUDGE and is_chief_anywhere(user):
        raise Invalid([problem("role", "chief_needs_role", judge=judge.code)])
    record_change(
        actor,
        "user.role",
        "user",
        user.id,
        {"role": user.role},
        {"role": role},
        event=judge.event,
    )
    user.role = role


# --- panels ------------------------------------------------------------------------------------


def panel_state(trade: Trade) -> dict[str, Any]:
    """Who sits on the trade's panel and who chairs it, for the audit log."""
    members = sorted(trade.panel, key=lambda m: m.judge.code)
    chief = next((m.judge.code for m in members if m.is_chief), None)
    return {"judges": [m.judge.code for m in members], "chief": chief}


def set_panel(
    actor: User, trade: Trade, members: set[int], chief: int | None, version: int | None
) -> None:
    """Seat exactly ``members`` (judge ids) on the trade's panel, ``chief`` in the chair.

    The chief judge sits on the panel; their account, if any, must be a chief-judge
    account. A judge who has entered scores in the trade keeps their seat. Refused
    (``Stale``) when the form was loaded on an older version of the trade.
    """
    event = trade.event
    claim(trade, version)
    judges = {j.id: j for j in event.judges}
    if chief is not None:
        members = members | {chief}
    problems = [
        problem("judges", "dangling", what="judge", ref=str(judge_id))
        for judge_id in sorted(members - set(judges))
    ]
    if problems:
        raise Invalid(problems)
    if chief is not None:
        account = judges[chief].user
        if account is not None and account.role != Role.CHIEF_JUDGE:
            problems.append(problem("chief", "chief_needs_role", judge=judges[chief].code))
    seated = {m.judge_id: m for m in trade.panel}
    leaving = set(seated) - members
    if leaving:
        scored = db.session.execute(
            sa.select(Judge.code)
            .join(Score, Score.judge_id == Judge.id)
            .join(Entrant, Entrant.id == Score.entrant_id)
            .where(Judge.id.in_(leaving), Entrant.trade_id == trade.id)
            .distinct()
            .order_by(Judge.code)
        ).scalars()
        problems.extend(problem("judges", "judge_has_scores", judge=code) for code in scored)
    if problems:
        raise Invalid(problems)

    before = panel_state(trade)
    for judge_id in leaving:
        trade.panel.remove(seated[judge_id])
    if leaving:
        component_ids = [c.id for c in trade.components]
        db.session.execute(
            component_judges.delete().where(
                component_judges.c.component_id.in_(component_ids),
                component_judges.c.judge_id.in_(leaving),
            )
        )
        for component in trade.components:
            db.session.expire(component, ["judges"])
    for judge_id in sorted(members):
        member = seated.get(judge_id)
        if member is None:
            member = PanelMember(judge=judges[judge_id])
            trade.panel.append(member)
        member.is_chief = judge_id == chief
    db.session.flush()
    if record_change(
        actor, "trade.panel", "trade", trade.id, before, panel_state(trade), event=event
    ):
        bump(trade)
        results.recompute_trade(trade)
