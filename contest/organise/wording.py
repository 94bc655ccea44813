"""The organiser's problems in the user's language, and where on the form they belong."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from flask_babel import gettext
from wtforms import Field, FieldList, Form, FormField

from contest.domain.package import Problem
from contest.domain.stages import StageKind
from contest.labels import label
from contest.messages import N_, PROBLEMS, THINGS
from contest.models import Role

#: Codes of the organise services, and clearer words for package codes on a form.
ORGANISE_PROBLEMS = {
    "code_taken": N_("the code “%(code)s” is already used in this event"),
    "slug_taken": N_("“%(value)s” is already the web address of another event"),
    "ends_before_starts": N_("must not be before the first day"),
    "window_order": N_("must not be earlier than the end of “%(stage)s”"),
    "window_started": N_("“%(stage)s” has already opened and cannot be removed"),
    "age_order": N_("must not be below the minimum age %(min)s"),
    "stale_form": N_(
        "Someone else changed this marking scheme in the meantime. "
        "Reload the page and make your changes again."
    ),
    "duplicate_breaker": N_("this tie-breaker is already in the list"),
    "criterion_has_scores": N_("Criterion %(code)s already has scores and cannot be removed."),
    "component_has_scores": N_(
        "Component %(code)s already has directly entered scores; "
        "it cannot be removed or given criteria."
    ),
    "scores_misfit": N_("an entered score (%(value)s) would no longer fit"),
    "trade_locked": N_(
        "The chief judge has locked this trade's scores. The marking scheme, tie-breakers, "
        "minimum field, team size and recusal cannot change until the trade is unlocked."
    ),
    "panel_too_small": N_(
        "Criterion %(code)s: the trimmed rule needs at least %(need)s judges, "
        "the panel has %(have)s."
    ),
    "trade_has_entrants": N_(
        "This trade has %(n)s entrant(s); only a trade without entrants can be deleted."
    ),
    "unknown_account": N_("there is no account “%(value)s”"),
    "not_contact_account": N_("this is a “%(role)s” account, not a unit contact's"),
    "already_contact": N_("“%(value)s” is already a contact of this unit"),
    "bad_mobile": N_("Enter an 11-digit mobile number."),
    "not_judge_account": N_("this is a “%(role)s” account, not a judge's"),
    "chief_needs_role": N_(
        "%(judge)s chairs a panel, so their account must be a chief judge account"
    ),
    "account_in_use": N_("this account already belongs to judge %(judge)s of this event"),
    "judge_has_scores": N_("judge %(judge)s has entered scores in this trade and stays on it"),
    "bad_field_row": N_("each line needs a field size (or *) and a number of places, e.g. “10 1”"),
    "bad_rank_range": N_("enter two ranks, the first not after the second"),
    "select_exactly_one": N_("choose how the rule selects entrants"),
}


def word(item: Problem) -> str:
    """What is wrong, without where (the form shows it next to the field)."""
    params = dict(item.params)
    if "what" in params:
        params["what"] = gettext(THINGS.get(params["what"], params["what"]))
    if "stage" in params:
        params["stage"] = label(StageKind(params["stage"]))
    if "role" in params:
        params["role"] = label(Role(params["role"]))
    template = ORGANISE_PROBLEMS.get(item.code) or PROBLEMS.get(item.code)
    return gettext(template, **params) if template is not None else item.code


def field_name(path: str) -> str:
    """A service path (``components[0].criteria[1].max``) as a form field name
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


def attach(
    form: Form,
    problems: Iterable[Problem],
    aliases: Iterable[tuple[str, str]] = (),
    prefix: str = "",
) -> list[str]:
    """Put each problem's message on its field; return those that belong to no one field.

    A path names a field directly, through an alias (a regular expression and its
    replacement), or through its nearest enclosing field (``…top_by_field[2]`` → the
    ``top_by_field`` box). ``prefix`` is the form's own (``contact-``) when it has one.
    """
    fields = {f.name: f for f in leaves(form)}
    rules = [(re.compile(pattern), replacement) for pattern, replacement in aliases]
    general: list[str] = []
    for item in problems:
        message = word(item)
        name = prefix + field_name(item.path) if item.path else ""
        target, seen = None, set()
        while name and target is None and name not in seen:
            seen.add(name)
            for pattern, replacement in rules:
                match = pattern.fullmatch(name)
                if match:
                    name = match.expand(replacement)
                    break
            target = fields.get(name)
            if target is None:
                name = name.rpartition("-")[0]
        if target is None:
            general.append(message)
        elif message not in target.errors:
            target.errors = [*target.errors, message]
    return general


def selection_text(select: dict) -> str:
    """How an award rule selects, in a few words (SCORING.md §5)."""
    if "top" in select:
        return gettext("places 1–%(n)s", n=select["top"])
    if "ranks" in select:
        first, last = select["ranks"]
        return gettext("places %(first)s–%(last)s", first=first, last=last)
    if "percent" in select:
        return gettext("the first %(percent)s %% of the field", percent=select["percent"])
    rows = []
    for size, places in select.get("top_by_field", []):
        if size is None:
            rows.append(gettext("otherwise %(k)s", k=places))
        else:
            rows.append(gettext("up to %(n)s entrants: %(k)s", n=size, k=places))
    return gettext("places by field size: %(rows)s", rows="; ".join(rows))
