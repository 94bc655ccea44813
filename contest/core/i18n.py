"""Language and time zone: Simplified Chinese by default, English on request.

The language comes from the visitor's explicit choice (kept in the session), then the
account's saved preference, then the default — never from the browser's Accept-Language,
so a Chinese product shows Chinese unless someone asks otherwise. Times are shown in the
time zone of the event on the page (``g.timezone``), else the configured default.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, g, session
from flask_babel import format_date, format_datetime, format_percent, get_locale, gettext
from flask_login import current_user

from contest.core.labels import label
from contest.domain.lifecycle import UNDOES, Reopen


def select_locale() -> str:
    """The language for this request."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """The time zone for this request: the event being shown, else the default."""
    return g.get("timezone") or current_app.config["BABEL_DEFAULT_TIMEZONE"]


def html_lang() -> str:
    """The BCP 47 tag for the ``lang`` attribute: ``zh-CN`` or ``en``."""
    locale = get_locale()
    if locale is None or locale.language == "zh":
        return "zh-CN"
    return locale.language


def _datetime(value: datetime | None, format: str = "medium") -> str:
    return format_datetime(value, format) if value else ""


def _date(value: date | None, format: str = "long") -> str:
    return format_date(value, format) if value else ""


def register_template_helpers(app: Flask) -> None:
    """Filters ``datetime`` / ``date`` / ``percent`` in the user's language, and globals."""
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.globals["label"] = label
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.globals["undoes"] = undoes


def undoes(step: str) -> str:
    """What going back by ``step`` (a ``lifecycle.Reopen``) undoes, in the user's language."""
    return gettext(UNDOES[Reopen(step)])
