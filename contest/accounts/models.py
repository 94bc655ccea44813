"""Accounts and their roles."""

from __future__ import annotations

import functools
import secrets
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from contest.core import labels
from contest.core.extensions import db
from contest.core.types import UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from contest.accounts.models import User


class Role(StrEnum):
    """What an account is for; object rights (which unit, which panel) come from links."""

    ADMIN = "admin"
    ORGANISER = "organiser"
    UNIT_CONTACT = "unit_contact"
    CHIEF_JUDGE = "chief_judge"
    JUDGE = "judge"
    ENTRANT = "entrant"
    PROCTOR = "proctor"


def new_session_token() -> str:
    """A fresh random session token (see ``User.session_token``)."""
    return secrets.token_urlsafe(32)


def _hash_method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


@functools.cache
def _unused_hash(method: str) -> str:
    """The hash of a password nobody has, made as the application makes every hash."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def check_no_password(password: str) -> bool:
    """Check ``password`` against a hash no account has, and answer False: logging in as an
    unknown or disabled account then takes as long as with a wrong password, so the time
    the answer takes does not tell which usernames exist."""
    check_password_hash(_unused_hash(_hash_method()), password)
    return False


class User(UserMixin, db.Model):
    """A person who logs in. Passwords are stored only as salted hashes."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: What the session and the remember cookie name the account by (Flask-Login's
    #: "alternative id"): a new one ends every session and remember cookie at once.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_session_token
    )

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password``."""
        self.password_hash = generate_password_hash(password, method=_hash_method())

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """Flask-Login: the session token, not the row id, so that sessions can end."""
        return self.session_token

    def end_sessions(self) -> None:
        """End every session and remember cookie of this account, on every device."""
        self.session_token = new_session_token()

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated accounts cannot log in
        return self.active

    def has_role(self, *roles: Role) -> bool:
        """Whether the account's role is one of ``roles``."""
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


labels.register(
    Role,
    {
        Role.ADMIN: _l("Platform administrator"),
        Role.ORGANISER: _l("Organiser"),
        Role.UNIT_CONTACT: _l("Unit contact"),
        Role.CHIEF_JUDGE: _l("Chief judge"),
        Role.JUDGE: _l("Judge"),
        Role.ENTRANT: _l("Entrant"),
        Role.PROCTOR: _l("Proctor"),
    },
)
