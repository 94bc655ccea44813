"""The shared pieces of the organiser's forms (``event_forms``, ``trade_forms``,
``people_forms``).

Numbers are passed on as typed: the services read them exactly as the contest-package
reader reads a package, so a form and an imported package get the same checks and the same
words. The forms themselves only bound choices and the shape of accounts.

The list editors (trade scheme, award rules) work without JavaScript: buttons named
``action`` add, remove and move rows, and the page comes back with the changed list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtf_translations
from wtforms import Form, SelectChoice, SelectMultipleField
from wtforms.meta import DefaultMeta
from wtforms.widgets import CheckboxInput, ListWidget

from contest.core.labels import LABELS
from contest.organise.setup import Raw

WHOLE = re.compile(r"^[+-]?\d+$")


def text(value: Any) -> str | None:
    """Typed text without surrounding spaces; None when blank."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def whole(value: Any) -> Raw:
    """A whole number if it reads as one, else the text as typed (for the reader to refuse)."""
    if isinstance(value, int):
        return value
    value = text(value)
    if value is None:
        return None
    return int(value) if WHOLE.match(value) else value


def shown(value: Any) -> str:
    """A value as it goes back into a text box."""
    return "" if value is None else str(value)


def row_id(value: Any) -> int | None:
    """The stored row a list entry edits (None for a new row)."""
    value = text(value)
    return int(value) if value and value.isdigit() else None


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select choices from (value, label) pairs; values as text."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def choices_of(enum: type, members=None) -> list[SelectChoice]:
    """Select choices for an enum, labelled in the user's language."""
    return options((m.value, LABELS[enum][m]) for m in (members or enum))


class OrganiseForm(FlaskForm):
    """Base of the organiser's forms.

    Every POST is already checked for its CSRF token by ``CSRFProtect`` before any view
    runs (the templates send the session's token), so the forms do not check it a second
    time: that lets a list editor rebuild its form from data, and lets one page carry
    several forms with prefixes.
    """

    class Meta:
        csrf = False


class SubForm(Form):
    """A form inside a form (a list row, a window): WTForms' own messages in the user's
    language, as the enclosing Flask-WTF form has them."""

    class Meta(DefaultMeta):
        def get_translations(self, form):
            if current_app.config.get("WTF_I18N_ENABLED", True):
                return wtf_translations
            return super().get_translations(form)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def edit_list(rows: list[Any], verb: str, index: int, new: Any = None) -> None:
    """Add (after the end), remove, or move a row one place up or down."""
    if verb == "add":
        rows.append(new)
    elif not 0 <= index < len(rows):
        return
    elif verb == "remove":
        rows.pop(index)
    elif verb in ("up", "down"):
        target = index - 1 if verb == "up" else index + 1
        if 0 <= target < len(rows):
            rows[index], rows[target] = rows[target], rows[index]
