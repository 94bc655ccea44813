"""Who may do what: the role decorator and the object decorator.

Every view states its access in one place, at the top, with ``roles_required`` (the kind of
account) and, for views about one object, ``object_required`` (this account's right to that
object, by a policy of the feature that owns it: ``contest.events.access``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required

from contest.accounts.models import Role, User
from contest.core.extensions import db

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
    def load_user(session_token: str) -> User | None:
        """The active account whose current session token the session or the remember
        cookie names; a token replaced since (``User.end_sessions``) names nobody."""
        user = db.session.execute(
            sa.select(User).where(User.session_token == session_token)
        ).scalar_one_or_none()
        return user if user is not None and user.active else None


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


def part_of(model: type, arg: str, owner: str) -> Callable:
    """Load ``model`` by the URL argument ``arg``; 404 unless it belongs to the object the
    view was given (its ``<owner>_id`` is that object's id), so that another unit's entrant
    or another trade's appeal is not even named. Use below ``object_required``: the view
    receives ``(owner, obj, …)``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(parent, *args, **kwargs):
            obj = db.session.get(model, kwargs.pop(arg))
            if obj is None or getattr(obj, f"{owner}_id") != parent.id:
                abort(404)
            return view(parent, obj, *args, **kwargs)

        return wrapped

    return decorator
