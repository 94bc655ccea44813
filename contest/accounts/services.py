"""Accounts: authentication, creation, passwords, activation — each change audited."""

from __future__ import annotations

import sqlalchemy as sa

from contest.accounts.models import Role, User, check_no_password
from contest.core import audit
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.refusal import N_, Refused

MIN_PASSWORD_LENGTH = 8


class AccountError(Refused):
    """A request about an account that cannot be carried out; ``code`` says why."""

    USERNAME_TAKEN = "username_taken"
    WRONG_PASSWORD = "wrong_password"
    WEAK_PASSWORD = "weak_password"
    LAST_ADMIN = "last_admin"

    reasons = {
        USERNAME_TAKEN: N_("This username is already taken."),
        WRONG_PASSWORD: N_("The current password is not correct."),
        WEAK_PASSWORD: N_("Use at least %(n)d characters, mixing letters with digits or symbols."),
        LAST_ADMIN: N_("The last active administrator cannot be disabled."),
    }
    statuses = {LAST_ADMIN: 409}


def find_by_username(username: str) -> User | None:
    """The account with this username (case-insensitive), if any."""
    return db.session.execute(
        sa.select(User).where(sa.func.lower(User.username) == username.strip().lower())
    ).scalar_one_or_none()


def everyone() -> list[User]:
    """Every account, by role and username."""
    return list(db.session.execute(sa.select(User).order_by(User.role, User.username)).scalars())


def authenticate(username: str, password: str) -> User | None:
    """The active account matching the credentials, or None; both outcomes are audited.
    Every attempt checks a password hash, also for unknown and disabled accounts."""
    user = find_by_username(username)
    if user is not None and user.active:
        matches = user.check_password(password)
    else:
        matches = check_no_password(password)
    if user is None or not matches:
        audit.record(
            user,
            "auth.login_failed",
            "user",
            user.id if user else None,
            new={"username": username.strip()[:64]},
        )
        return None
    user.last_login_at = utcnow()
    audit.record(user, "auth.login", "user", user.id)
    return user


def create_user(
    actor: User | None,
    *,
    username: str,
    name: str,
    role: Role,
    password: str,
    phone: str | None = None,
) -> User:
    """A new account with a hashed password."""
    if find_by_username(username) is not None:
        raise AccountError(AccountError.USERNAME_TAKEN)
    _check_strength(password)
    user = User(username=username.strip(), name=name.strip(), role=role, phone=phone)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "user.create",
        "user",
        user.id,
        new={"username": user.username, "name": user.name, "role": user.role.value},
    )
    return user


def change_password(user: User, current: str, new: str) -> None:
    """The account holder changes their own password, proving the current one; every
    session of the account ends (the caller logs the current one in again)."""
    if not user.check_password(current):
        raise AccountError(AccountError.WRONG_PASSWORD)
    _check_strength(new)
    user.set_password(new)
    user.end_sessions()
    audit.record(user, "user.password_change", "user", user.id)


def reset_password(actor: User, user: User, new: str, reason: str | None = None) -> None:
    """An administrator sets a new password for someone else; their sessions end."""
    _check_strength(new)
    user.set_password(new)
    user.end_sessions()
    audit.record(actor, "user.password_reset", "user", user.id, reason=reason)


def log_out(user: User) -> None:
    """The account holder logs out: every session of the account ends, on every device."""
    user.end_sessions()
    audit.record(user, "auth.logout", "user", user.id)


def sign_out_everywhere(actor: User, user: User) -> None:
    """An administrator ends every session and remember cookie of an account (强制下线)."""
    user.end_sessions()
    audit.record(actor, "user.sign_out_everywhere", "user", user.id)


def set_active(actor: User, user: User, active: bool) -> None:
    """Enable or disable an account; the last active administrator cannot be disabled.
    Disabling ends the account's sessions: enabling it again does not bring them back."""
    if not active and user.role == Role.ADMIN and _active_admins() <= 1:
        raise AccountError(AccountError.LAST_ADMIN)
    if user.active == active:
        return
    audit.record(
        actor,
        "user.activate" if active else "user.deactivate",
        "user",
        user.id,
        old={"active": user.active},
        new={"active": active},
    )
    user.active = active
    if not active:
        user.end_sessions()


def _active_admins() -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    ).scalar_one()


def _check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH or password.isdigit() or password.isalpha():
        raise AccountError(AccountError.WEAK_PASSWORD, n=MIN_PASSWORD_LENGTH)
