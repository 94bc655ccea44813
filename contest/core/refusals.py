"""Refusals in the user's language: the message of a refusal and of each of its problems,
their place on a form, and their JSON form for API clients."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import format_datetime, gettext
from wtforms import Field, FieldList, Form, FormField

from contest.core.labels import label
from contest.domain.idcard import IdNumberError
from contest.domain.refusal import N_, Problem, Refused
from contest.domain.registration import COLUMN_TITLES, RowProblem

#: Words for the values of a problem's details, by the detail's name.
VOCABULARY: dict[str, dict[str, str]] = {
    "what": {
        "trade": N_("trade"),
        "unit": N_("unit"),
        "team": N_("team"),
        "entrant": N_("entrant"),
        "judge": N_("judge"),
        "panel_judge": N_("judge of this trade's panel"),
        "criterion": N_("criterion of this trade"),
        "component": N_("component of this trade"),
        "direct_component": N_("component scored directly"),
        "award_rule": N_("award rule"),
        "rule_component": N_("component of the trades the rule applies to"),
        "item": N_("item of the question bank"),
    },
    "gender": {"M": N_("Male"), "F": N_("Female")},
    "reason": {
        IdNumberError.LENGTH: N_("it must have 18 characters"),
        IdNumberError.CHARACTERS: N_("only digits, with X allowed as the last character"),
        IdNumberError.REGION: N_("the region code is not valid"),
        IdNumberError.BIRTH_DATE: N_("the birth date in it is not valid"),
        IdNumberError.CHECK_DIGIT: N_("the check digit is wrong"),
    },
}


def describe(error: Refused, context: bool = True) -> str:
    """What was refused and why, in the user's language (without what it means for the one
    refused, unless ``context``: the state of a window rather than a refused filing)."""
    text = _word(error.template(), error.code, error.params)
    lead = error.lead() if context else None
    return gettext(lead, why=text) if lead is not None else text


def describe_problem(
    kind: Refused | type[Refused], problem: Problem | RowProblem, located: bool = True
) -> str:
    """One problem of a refusal of this kind: where it is (unless ``located`` is false, for a
    message shown next to its field) and what is wrong there."""
    params = {
        key: gettext(VOCABULARY[key].get(value, value))
        if key in VOCABULARY and isinstance(value, str)
        else value
        for key, value in problem.params.items()
    }
    text = _word(kind.reason(problem.code), problem.code, params)
    where = _where(problem) if located else ""
    if isinstance(problem, RowProblem) and where:
        return gettext("%(where)s: %(text)s", where=where, text=text)
    return f"{where}: {text}" if where else text


def _where(problem: Problem | RowProblem) -> str:
    if isinstance(problem, Problem):
        return problem.path
    where = []
    if problem.row > 0:
        where.append(gettext("row %(row)d", row=problem.row))
    if problem.column:
        where.append(COLUMN_TITLES.get(problem.column, problem.column))
    return " ".join(where)


def _word(template: str | None, code: str, params: Mapping[str, Any]) -> str:
    if template is None:
        return code
    zone = params.get("timezone")
    return gettext(template, **{key: _readable(value, zone) for key, value in params.items()})


def _readable(value: Any, zone: str | None) -> Any:
    if isinstance(value, Enum):
        return label(value)
    if isinstance(value, datetime):
        return format_datetime(value.astimezone(ZoneInfo(zone)) if zone else value, "short")
    return value


def as_json(error: Refused) -> dict[str, Any]:
    """The JSON body of a refusal: its code, its message and its plain details."""
    body: dict[str, Any] = {"error": error.code, "message": describe(error)}
    for key, value in error.params.items():
        plain = _plain(value)
        if plain is not _SKIP:
            body[key] = plain
    if error.problems:
        body["problems"] = [describe_problem(error, p) for p in error.problems]
    return body


_SKIP = object()


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple) and all(isinstance(v, str | int) for v in value):
        return list(value)
    return _SKIP


# --- on a form -----------------------------------------------------------------------------


def place(
    form: Form,
    error: Refused,
    field: str | None = None,
    aliases: Iterable[tuple[str, str]] = (),
    prefix: str = "",
) -> list[str]:
    """Put the refusal's messages on the form; return those that belong to no field.

    A refusal without problems goes under the field the form names for its code
    (``form.refusal_fields``), else under ``field``. Each problem goes under the field its
    path names — directly, through an alias (a regular expression and its replacement), or
    through its nearest enclosing field (``…top_by_field[2]`` → the ``top_by_field`` box);
    ``prefix`` is the form's own (``contact-``) when it has one.
    """
    if not error.problems:
        message = describe(error)
        name = getattr(form, "refusal_fields", {}).get(error.code, field)
        if name is not None and name in form and message not in form[name].errors:
            form[name].errors = [*form[name].errors, message]
        return [message]
    fields = {f.name: f for f in leaves(form)}
    rules = [(re.compile(pattern), replacement) for pattern, replacement in aliases]
    general: list[str] = []
    for item in error.problems:
        message = describe_problem(error, item, located=False)
        target = _field_of(item, fields, rules, prefix)
        if target is None:
            general.append(message)
        elif message not in target.errors:
            target.errors = [*target.errors, message]
    return general


def _field_of(
    problem: Problem | RowProblem,
    fields: dict[str, Field],
    rules: list[tuple[re.Pattern[str], str]],
    prefix: str,
) -> Field | None:
    if isinstance(problem, RowProblem):  # a registration's: its column, else the name
        return fields.get(prefix + (problem.column or "")) or fields.get(prefix + "name")
    name = prefix + field_name(problem.path) if problem.path else ""
    seen: set[str] = set()
    while name and name not in seen:
        seen.add(name)
        for pattern, replacement in rules:
            match = pattern.fullmatch(name)
            if match:
                name = match.expand(replacement)
                break
        if name in fields:
            return fields[name]
        name = name.rpartition("-")[0]
    return None


def field_name(path: str) -> str:
    """A problem's path (``components[0].criteria[1].max``) as a form field's name
    (``components-0-criteria-1-max``)."""
    return re.sub(r"\[(\d+)\]", r"-\1", path).replace(".", "-")


def leaves(form: Form) -> Iterator[Field]:
    """Every input field of a form, inside lists and sub-forms too."""
    for item in form:
        if isinstance(item, FormField):
            yield from leaves(item.form)
        elif isinstance(item, FieldList):
            for entry in item.entries:
                if isinstance(entry, FormField):
                    yield from leaves(entry.form)
                else:
                    yield entry
        else:
            yield item


def has_errors(form: Form) -> bool:
    """Whether any field of the form carries a message."""
    return any(f.errors for f in leaves(form))
