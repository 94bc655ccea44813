"""Who may do what: the role decorator, the object decorator and the policies behind them.

Every view states its access in one place, at the top, with ``roles_required`` (the kind of
account) and, for views about one object, ``object_required`` (this account's right to that
object: a unit contact only their own units, a judge only their own panels).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required

from contest.extensions import db
from contest.models import Entrant, Event, Judge, PanelMember, Role, Trade, Unit, User
from contest.models.event import unit_contacts

STAFF = (Role.ADMIN, Role.ORGANISER)
JUDGING = (Role.JUDGE, Role.CHIEF_JUDGE)


def configure_login(manager: LoginManager) -> None:
    """Tell Flask-Login where the login page is and how to load an account."""
    manager.login_view = "auth.login"
    manager.login_message = _l("Please log in to see this page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            abort(401)
        flash(str(manager.login_message), manager.login_message_category)
        return redirect(url_for(manager.login_view, next=request.full_path.rstrip("?")))

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None


# --- policies: plain functions of (user, object) -----------------------------------------


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


def can_view_own_entry(user: User, entrant: Entrant) -> bool:
    """An entrant sees their own entries; staff see everyone's."""
    return user.has_role(*STAFF) or (user.has_role(Role.ENTRANT) and entrant.user_id == user.id)


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


# --- decorators ------------------------------------------------------------------------


def roles_required(*roles: Role) -> Callable:
    """Only logged-in accounts with one of ``roles``; others get 403 (anonymous: log in)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def object_required(model: type, arg: str, policy: Callable[[User, object], bool]) -> Callable:
    """Load ``model`` by the URL argument ``arg`` and pass it to the view in its place.

    404 if there is no such object, 403 unless ``policy(current_user, obj)`` allows it.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            obj = db.get_or_404(model, kwargs.pop(arg))
            if not policy(current_user, obj):
                abort(403)
            return view(obj, *args, **kwargs)

        return wrapped

    return decorator
