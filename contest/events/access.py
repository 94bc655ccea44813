"""Who may act on an event's objects: the policies of ``object_required`` (a unit contact
only for their own units, a judge only on their own panels, staff everywhere)."""

from __future__ import annotations

import sqlalchemy as sa

from contest.accounts.access import JUDGING, STAFF
from contest.accounts.models import Role, User
from contest.core.extensions import db
from contest.events.models import Event, Judge, PanelMember, Trade, Unit, unit_contacts


def can_manage_event(user: User, event: Event) -> bool:
    """Organisers and admins manage every event on the platform."""
    return user.has_role(*STAFF)


def can_act_for_unit(user: User, unit: Unit) -> bool:
    """Staff, or a unit contact registered as a contact of this unit."""
    if user.has_role(*STAFF):
        return True
    if not user.has_role(Role.UNIT_CONTACT):
        return False
    return unit.id in contact_unit_ids(user)


def can_judge_trade(user: User, trade: Trade) -> bool:
    """A judge or chief judge sitting on this trade's panel."""
    return user.has_role(*JUDGING) and panel_membership(user, trade) is not None


def can_chief_trade(user: User, trade: Trade) -> bool:
    """The chief judge of this trade's panel."""
    member = panel_membership(user, trade) if user.has_role(Role.CHIEF_JUDGE) else None
    return member is not None and member.is_chief


def can_run_trade(user: User, trade: Trade) -> bool:
    """The chief judge's desk: the trade's chief judge, or the organisers' staff."""
    return user.has_role(*STAFF) or can_chief_trade(user, trade)


def can_check_in(user: User, trade: Trade) -> bool:
    """Check-in (检录) is run by the organisers' staff or the trade's chief judge."""
    return can_run_trade(user, trade)


def contact_unit_ids(user: User) -> set[int]:
    """Ids of the units this account is a contact for."""
    rows = db.session.execute(
        sa.select(unit_contacts.c.unit_id).where(unit_contacts.c.user_id == user.id)
    )
    return set(rows.scalars())


def panel_membership(user: User, trade: Trade) -> PanelMember | None:
    """This account's seat on the trade's panel, if it has one."""
    return db.session.execute(
        sa.select(PanelMember)
        .join(Judge, Judge.id == PanelMember.judge_id)
        .where(PanelMember.trade_id == trade.id, Judge.user_id == user.id)
    ).scalar_one_or_none()
