"""The life of a trade, from registration to publication, as data: the steps it passes
through, the actions taken on it and what each action needs of the trade (and of the
entrant it concerns) before it is allowed.

A trade moves registration → review → drawn → checked in → scoring → locked → appeal →
public notice → published. Its step is not stored: it follows from the facts (windows,
counts, the lock, the publication), so it can never disagree with them. Every write asks
``check(action, facts)`` here, and is refused with the first precondition that does not
hold, in the user's language. Going back (reopening a window, unlocking, drawing again,
withdrawing a publication) needs a reason and says what it undoes (``UNDOES``).

Facts are gathered by the services (``Facts`` fields left ``None`` are not known); an
action whose precondition needs a fact that was not gathered is a programming error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from contest.domain.refusal import N_, Refused


class Step(StrEnum):
    """Where a trade is in its life, in order."""

    REGISTRATION = "registration"
    REVIEW = "review"
    DRAWN = "drawn"
    CHECKED_IN = "checked_in"
    SCORING = "scoring"
    LOCKED = "locked"
    APPEAL = "appeal"
    NOTICE = "notice"
    PUBLISHED = "published"


class Action(StrEnum):
    """Writes that depend on where the trade is."""

    CORRECT = "correct"  # a unit corrects (or takes back) its registration
    REVIEW = "review"  # approve or return registrations
    APPROVE = "approve"  # approve one registration (its trade's field grows)
    MOVE = "move"  # move an entrant to another trade
    RETURN = "return"  # send a registration back to its unit for correction
    WITHDRAW = "withdraw"  # an entrant withdraws (WD), every score and record kept
    DRAW = "draw"  # the first draw of stations and codes
    REDRAW = "redraw"  # a new draw, replacing every station and code
    TOP_UP = "top_up"  # stations for entrants approved after the draw, the others kept
    CHECK_IN = "check_in"
    SCORE = "score"  # a judge's value, on a tablet or through the API
    PAPER = "paper"  # a clerk's value from a paper sheet (double entry)
    MARK = "mark"  # a judge's mark of a short item of the trade's theory exam (EXAMS.md §3)
    NOTICE = "notice"  # put the trade's results and nominations on public notice
    PUBLISH = "publish"
    # The chief judge's corrections of a trade's results: re-score orders, excusals,
    # completion times, declared statuses, deciding between a paper and a tablet value.
    DESK = "desk"
    UNLOCK = "unlock"  # withdraw the chief judge's sign-off
    # An organiser's decision on an award rule (SCORING.md §7: an entrant who does not meet
    # its conditions, an entrant a manual rule names), or its withdrawal.
    DECIDE = "decide"
    # An organiser's correction of a sat exam (EXAMS.md §3): a key corrected, an item voided.
    AMEND_EXAM = "amend_exam"


class Reopen(StrEnum):
    """Steps back, each with a reason, each saying what it undoes."""

    WINDOW = "window"
    UNLOCK = "unlock"
    REDRAW = "redraw"
    WITHDRAW_PUBLICATION = "withdraw_publication"


#: What a step back undoes, as the organiser is told before confirming it.
UNDOES: Mapping[Reopen, str] = {
    Reopen.WINDOW: N_("The window opens again: what it governs can be changed until it closes."),
    Reopen.UNLOCK: N_(
        "The chief judge's sign-off is withdrawn: scores can be changed and the results are "
        "no longer final until the trade is locked again."
    ),
    Reopen.REDRAW: N_(
        "Every station and anonymous code of the trade changes; printed door lists and "
        "station cards no longer hold."
    ),
    Reopen.WITHDRAW_PUBLICATION: N_(
        "The published results are withdrawn: the public pages say so, and scores can be "
        "corrected until the results are published again."
    ),
}


@dataclass(frozen=True)
class Facts:
    """What is known of a trade (and of the entrant an action concerns) now."""

    registration_open: bool | None = None
    review_open: bool | None = None
    awaiting_review: int | None = None  # registrations submitted, not yet reviewed
    approved: int | None = None
    drawn: bool | None = None
    unstationed: int | None = None  # approved entrants without a station (late approvals)
    checked_in: int | None = None
    scored: bool | None = None  # any value has been entered for the trade
    scoring_open: bool | None = None
    appeal_open: bool | None = None
    locked: bool | None = None
    incomplete: int | None = None  # entrants whose results are not complete
    noticed: bool | None = None  # the public notice has opened
    published: bool | None = None
    # The entrant the action concerns.
    returned: bool | None = None  # the entrant's registration was returned for correction
    stationed: bool | None = None  # the entrant has a station from the draw
    present: bool | None = None  # the entrant checked in
    rescore: bool | None = None  # the chief ordered this judge to score this entrant again


@dataclass(frozen=True)
class Guard:
    """A precondition on the facts it ``needs``: it ``holds``, or the action is refused
    with ``code``."""

    code: str
    needs: tuple[str, ...]
    holds: Callable[..., bool]

    def test(self, facts: Facts) -> bool:
        values = [getattr(facts, name) for name in self.needs]
        missing = [name for name, value in zip(self.needs, values, strict=True) if value is None]
        assert not missing, f"facts not gathered for {self.code}: {missing}"
        return self.holds(*values)


def no(fact: str, code: str | None = None) -> Guard:
    """The fact is false (or zero)."""
    return Guard(code or fact, (fact,), lambda value: not value)


def given(fact: str, code: str) -> Guard:
    """The fact is true (or not zero)."""
    return Guard(code, (fact,), bool)


#: Each action's preconditions, in the order they are checked.
RULES: Mapping[Action, tuple[Guard, ...]] = {
    Action.CORRECT: (
        no("stationed", "drawn_entrant"),
        Guard(
            "registration_closed",
            ("registration_open", "returned", "review_open"),
            lambda open_, returned, review: open_ or (returned and review),
        ),
    ),
    Action.REVIEW: (
        Guard("review_closed", ("registration_open", "review_open"), lambda a, b: a or b),
    ),
    Action.MOVE: (no("stationed", "drawn_entrant"),),
    Action.APPROVE: (no("locked", "signed_off"),),
    Action.RETURN: (no("locked", "signed_off"), no("stationed", "drawn_entrant")),
    Action.WITHDRAW: (no("locked"),),
    Action.DRAW: (
        no("locked"),
        no("registration_open"),
        no("awaiting_review"),
        given("approved", "nobody_approved"),
    ),
    Action.REDRAW: (
        no("locked"),
        no("scored"),
        no("checked_in"),
        given("approved", "nobody_approved"),
    ),
    Action.TOP_UP: (
        no("locked"),
        given("drawn", "not_drawn"),
        given("unstationed", "nobody_unstationed"),
    ),
    Action.CHECK_IN: (no("locked"), given("drawn", "not_drawn"), given("stationed", "no_station")),
    Action.SCORE: (
        no("published"),
        no("locked"),
        Guard("scoring_closed", ("scoring_open", "rescore"), lambda a, b: a or b),
        given("present", "absent"),
    ),
    Action.PAPER: (
        no("published"),
        no("locked"),
        Guard("scoring_closed", ("scoring_open", "rescore"), lambda a, b: a or b),
    ),
    # The exam is sat apart from the practical's scoring window and check-in: a short item
    # is marked until the trade is signed off.
    Action.MARK: (no("published"), no("locked")),
    Action.NOTICE: (given("locked", "unlocked"), no("incomplete")),
    Action.PUBLISH: (given("locked", "unlocked"), no("incomplete"), no("published")),
    Action.DESK: (no("published"), no("locked")),
    Action.UNLOCK: (no("published"),),
    Action.DECIDE: (no("published"),),
    Action.AMEND_EXAM: (no("published"),),
}


class NotNow(Refused):
    """An action the trade's step does not allow yet, or any more."""

    reasons = {
        "published": N_(
            "The results have been published; withdraw the publication, giving a reason, "
            "before changing anything."
        ),
        "locked": N_("The chief judge has locked this trade; scores can no longer be changed."),
        "signed_off": N_(
            "The chief judge has signed %(trade)s off: its entrants can no longer change."
        ),
        "unlocked": N_("The chief judge has not locked %(trade)s yet."),
        "incomplete": N_("%(trade)s has %(count)s entrants whose results are not complete."),
        "drawn_entrant": N_(
            "The entrant has a station from the draw: withdraw the entrant instead, which "
            "keeps every score and record."
        ),
        "registration_closed": N_(
            "Registration is closed. A registration returned for correction can be "
            "corrected until the review closes."
        ),
        "review_closed": N_(
            "Neither registration nor review is open: registrations cannot be reviewed now."
        ),
        "registration_open": N_(
            "Registration is still open: draw once it has closed and every registration has "
            "been reviewed."
        ),
        "awaiting_review": N_(
            "%(count)s registrations of this trade await review: review them before the draw."
        ),
        "nobody_approved": N_("The trade has no approved entrants to draw."),
        "scored": N_("Scores have been entered: the draw can no longer be changed."),
        "checked_in": N_(
            "%(count)s entrants have checked in at their stations: a new draw would move "
            "every one of them. Give stations to late approvals instead."
        ),
        "not_drawn": N_("The trade has not been drawn yet."),
        "nobody_unstationed": N_("Every approved entrant already has a station."),
        "no_station": N_(
            "The entrant has no station yet: give the late approvals their stations first."
        ),
        "scoring_closed": N_("Scoring is not open for this trade."),
        "absent": N_("The entrant has not checked in: only entrants checked in can be scored."),
    }
    statuses = {"locked": 423, "published": 423, "scoring_closed": 423}
    default_status = 409


def refusal(action: Action, facts: Facts, **params: Any) -> NotNow | None:
    """The refusal of ``action`` on a trade with ``facts``, or None when it is allowed.
    ``params`` name the trade (``trade``) where a message needs it."""
    for guard in RULES[action]:
        if not guard.test(facts):
            counts = {"awaiting_review": facts.awaiting_review, "checked_in": facts.checked_in,
                      "incomplete": facts.incomplete}  # fmt: skip
            return NotNow(guard.code, count=counts.get(guard.code), **params)
    return None


def check(action: Action, facts: Facts, **params: Any) -> None:
    """Raise ``NotNow`` unless ``action`` is allowed on a trade with ``facts``."""
    refused = refusal(action, facts, **params)
    if refused is not None:
        raise refused


def step(facts: Facts) -> Step:
    """Where the trade is, from the facts (every fact of the trade must be known)."""
    unknown = sorted(name for name in _TRADE_FACTS if getattr(facts, name) is None)
    assert not unknown, f"facts not gathered: {unknown}"
    if facts.published:
        return Step.PUBLISHED
    if facts.noticed:
        return Step.NOTICE
    if facts.locked:
        return Step.APPEAL if facts.appeal_open else Step.LOCKED
    if facts.scored or facts.scoring_open:
        return Step.SCORING
    if facts.checked_in:
        return Step.CHECKED_IN
    if facts.drawn:
        return Step.DRAWN
    if facts.registration_open:
        return Step.REGISTRATION
    return Step.REVIEW


_TRADE_FACTS = frozenset(
    {"registration_open", "drawn", "checked_in", "scored", "scoring_open", "appeal_open",
     "locked", "noticed", "published"}
)  # fmt: skip
