"""Organisers configure events: the shared pieces of the organise_* services.

The configuration services (``event_setup``, ``trade_checks``, ``people_setup``)
validate what an organiser submits exactly as the contest-package reader validates a
package — by handing it the same document shape — so that a value the app accepts can
always be exported and imported again, and the app and the package speak with one voice.
Every change is audited (who, what, old → new); none of them commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.core.queries import lock_row
from contest.domain.numbers import MAX_PLACES, MAX_WHOLE_DIGITS, reasonable
from contest.domain.package import PACKAGE_FORMAT, Package, PackageError, Problem, read_package
from contest.domain.refusal import N_, Refused
from contest.events.models import Event, Trade

#: A value as the organiser typed it: text for decimals (read exactly by the package
#: reader), a whole number where the form already recognised one, or nothing.
Raw = int | str | None

#: A stand-in event for validating one part of an event on its own.
STUB_EVENT = {"slug": "validation", "name": "validation", "starts_on": "2000-01-01"}


class Invalid(PackageError):
    """Input the organiser has to correct; nothing was changed.

    ``problems`` carry a path naming the field (``code``, ``components[0].criteria[1].max``,
    ``award_rules[2].select.top``) and a code: a package's, or one of the codes below (some
    of them clearer words for a package's code on a form).
    """

    reasons = {
        "invalid": N_("Nothing was saved. Please correct the following:"),
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
            "minimum field, fewest starters, team size, team tie-breakers, recusal, the "
            "penalties that disqualify and the overtime rule cannot change until the trade is "
            "unlocked."
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
        "bad_field_row": N_(
            "each line needs a field size (or *) and a number of places, e.g. “10 1”"
        ),
        "bad_rank_range": N_("enter two ranks, the first not after the second"),
        "select_exactly_one": N_("choose how the rule selects entrants"),
        # SCORING.md §7 on the trade editor
        "bad_duration": N_(
            "“%(value)s” is not a time: enter minutes (60) or minutes and seconds (59:30)"
        ),
        "duration_too_long": N_("must be at most %(max)s minutes"),
        "team_breakers_need_team_size": N_(
            "team tie-breakers need a team size: set the team size or remove them"
        ),
        "duplicate_kind": N_("the kind “%(kind)s” is listed more than once"),
        "penalty_needs_rule": N_(
            "give the points one violation takes, the number of violations that disqualify, or both"
        ),
        "bad_team_tie_breaker": N_("“%(value)s” is not a tie-breaker of this trade"),
        "overtime_deducts_nothing": N_(
            "with 0 points a minute, give the time over the limit after which the component "
            "scores 0"
        ),
        # SCORING.md §7 on the award rules editor
        "pass_line_dangling": N_(
            "award rule “%(rule)s” has a pass line for component “%(code)s”, which this trade "
            "does not have: nobody of this trade can receive it"
        ),
        "cap_below_to": N_("must not be below the level promoted to (%(to)s)"),
        "no_such_component": N_(
            "trade %(trade)s has no component “%(code)s”: nobody of it could receive this "
            "award. Restrict the rule to the trades that have it."
        ),
        # the organisers' decisions on the award rules
        "unknown_rule": N_("there is no award rule “%(code)s” in this event"),
        "unknown_entrant": N_("there is no entrant “%(code)s” in this event"),
        "rule_not_manual": N_(
            "“%(rule)s” selects by rank: only a rule named by the organisers names its entrants"
        ),
        "rule_not_for_trade": N_(
            "“%(rule)s” does not apply to %(trade)s, the trade of %(entrant)s"
        ),
        "not_ranked": N_(
            "%(entrant)s is not ranked in %(trade)s (results not complete, did not start, "
            "withdrew or was disqualified): only a ranked entrant can be named"
        ),
        "already_decided": N_("this decision on %(entrant)s for “%(rule)s” is already in force"),
    }

    def __init__(self, problems: Iterable[Problem]):
        super().__init__(list(problems))


class Stale(Refused):
    """An organiser's edit made on a version of the event or trade that someone else has
    changed since the form was loaded: refused, nothing changed."""

    reasons = {
        "stale_event": N_(
            "Someone else changed this event while you were editing it, so nothing was saved. "
            "Reload the page to see their change, then make yours again."
        ),
        "stale_trade": N_(
            "Someone else changed this trade while you were editing it, so nothing was saved. "
            "Reload the page to see their change, then make yours again."
        ),
    }
    default_status = 409


def claim(row: Event | Trade, version: int | None) -> None:
    """Lock ``row`` for an organiser's edit until the request ends, and refuse the edit
    (``Stale``) unless the form was loaded on the version stored now. Only organisers' edits
    lock this way and change the version; locks, draws, scores and publication leave it
    alone, so a form stays valid through them."""
    model = type(row)
    lock_row(model, row.id)
    stored = db.session.execute(sa.select(model.version).where(model.id == row.id)).scalar_one()
    if version != stored:
        raise Stale("stale_trade" if model is Trade else "stale_event")
    row.version = stored


def bump(row: Event | Trade) -> None:
    """Record an organiser's edit of ``row`` (after ``claim``): forms loaded before it are
    stale from now on."""
    row.version += 1


def problem(path: str, code: str, /, **params: Any) -> Problem:
    """A problem at ``path`` (relative to the object being edited)."""
    return Problem(path, code, params)


def read(document: dict[str, Any], prefix: str) -> Package:
    """Validate ``document`` with the package reader; problems lose ``prefix`` from their path.

    Raises ``Invalid`` listing every problem found.
    """
    try:
        return read_package({"format": PACKAGE_FORMAT, **document})
    except PackageError as error:
        raise Invalid(relative(error.problems, prefix)) from None


def relative(problems: Iterable[Problem], prefix: str) -> list[Problem]:
    """The problems with ``prefix`` (e.g. ``trades[0].``) removed from their paths."""
    found = []
    for item in problems:
        path = item.path
        if path.startswith(prefix):
            path = path[len(prefix) :]
        elif path == prefix.rstrip("."):
            path = ""
        found.append(Problem(path, item.code, item.params))
    return found


def check_int(
    problems: list[Problem],
    path: str,
    value: Raw,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """A whole number within bounds, worded as the package reader words it (None if blank)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(problem(path, "not_integer", value=str(value)))
        return None
    if minimum is not None and value < minimum:
        problems.append(problem(path, "too_small", value=value, min=minimum))
        return None
    if maximum is not None and value > maximum:
        problems.append(problem(path, "too_large", value=value, max=maximum))
        return None
    return value


def check_decimal(
    problems: list[Problem],
    path: str,
    value: Raw,
    *,
    minimum: Decimal = Decimal(0),
    maximum: Decimal | None = None,
) -> Decimal | None:
    """A decimal within bounds, worded as the package reader words it (None if blank)."""
    if value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        problems.append(problem(path, "not_number", value=str(value)))
        return None
    if not reasonable(number):
        shown = str(value) if len(str(value)) <= 24 else f"{str(value)[:20]}…"
        problems.append(
            problem(
                path, "unreasonable_number", value=shown, whole=MAX_WHOLE_DIGITS, places=MAX_PLACES
            )
        )
        return None
    if number < minimum:
        problems.append(problem(path, "too_small", value=plain_number(number), min=minimum))
        return None
    if maximum is not None and number > maximum:
        problems.append(problem(path, "too_large", value=plain_number(number), max=maximum))
        return None
    return number


def plain_number(number: Decimal) -> str:
    """A decimal as it is stored in a JSON setting: exact, without an exponent."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_text(
    problems: list[Problem], path: str, value: str | None, max_length: int
) -> str | None:
    """Optional text, stripped, at most ``max_length`` characters (None if blank)."""
    if value is None or not value.strip():
        return None
    if len(value.strip()) > max_length:
        problems.append(problem(path, "too_long", max=max_length))
        return None
    return value.strip()


def jsonable(value: Any) -> Any:
    """A value as it is written to the audit log (decimals and dates as exact strings)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def record_change(
    actor: User,
    action: str,
    entity: str,
    entity_id: object,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    *,
    event: Event | None,
) -> bool:
    """Audit a change with only the keys that differ (old → new); False if nothing did.

    ``old`` None records a creation, ``new`` None a removal (all keys are kept then).
    """
    before, after = jsonable(old or {}), jsonable(new or {})
    if old is not None and new is not None:
        keys = [k for k in after if before.get(k) != after.get(k)]
        keys += [k for k in before if k not in after]
        if not keys:
            return False
        before = {k: before.get(k) for k in keys}
        after = {k: after.get(k) for k in keys}
    audit.record(
        actor,
        action,
        entity,
        entity_id,
        old=before if old is not None else None,
        new=after if new is not None else None,
        event=event,
    )
    return True
