"""Refusals: their wording and status come from the kind of refusal, a subclass's own codes
first (contest.domain.refusal); a closed stage window says which state it is in."""

from datetime import UTC, datetime

from contest.domain.refusal import N_, Refused
from contest.domain.stages import StageKind, StageState, WindowClosed


class Base(Refused):
    reasons = {"a": N_("base a"), "b": N_("base b")}
    statuses = {"a": 404}


class Child(Base):
    reasons = {"a": N_("child a")}
    default_status = 409


def test_a_subclass_words_its_own_codes_and_inherits_the_rest():
    assert Child("a").template() == "child a"
    assert Child("b").template() == "base b"
    assert Child("z").template() is None
    assert (Child("a").status, Child("b").status, Base("b").status) == (404, 409, 400)


def test_a_refusal_keeps_its_details_and_problems():
    refused = Base("a", problems=["p"], n=3)
    assert (refused.code, refused.params, refused.problems) == ("a", {"n": 3}, ["p"])
    assert isinstance(refused, ValueError)


def test_a_closed_window_says_which_state_it_is_in():
    at = datetime(2026, 5, 10, 2, tzinfo=UTC)
    closed = WindowClosed(StageKind.SCORING, StageState.CLOSED, at, "Asia/Shanghai")
    pending = WindowClosed(StageKind.APPEAL, StageState.PENDING, at, "Asia/Shanghai")
    unplanned = WindowClosed(StageKind.REGISTRATION)
    assert closed.template() == "The %(stage)s window closed at %(at)s."
    assert pending.template() == "The %(stage)s window is not open yet; it opens at %(at)s."
    assert unplanned.template() == "No %(stage)s window is planned."
    assert (closed.status, pending.status, unplanned.status) == (423, 409, 409)
    assert closed.lead() is None
    assert pending.lead() == "The appeal was not filed: %(why)s"
    assert unplanned.lead() == "Registration is closed. %(why)s"
