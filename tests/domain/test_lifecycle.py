"""The trade's lifecycle: each action's preconditions, the first unmet one named, and the
step a trade is at, from the facts."""

from __future__ import annotations

import pytest

from contest.domain.lifecycle import RULES, Action, Facts, NotNow, Step, check, refusal, step

SETTLED = Facts(registration_open=False, awaiting_review=0, approved=12, locked=False)


def code(action: Action, facts: Facts) -> str | None:
    refused = refusal(action, facts)
    return refused.code if refused else None


def test_a_draw_waits_for_registration_to_close_and_every_review():
    assert code(Action.DRAW, SETTLED) is None
    assert code(Action.DRAW, Facts(**{**vars(SETTLED), "registration_open": True})) == (
        "registration_open"
    )
    waiting = Facts(**{**vars(SETTLED), "awaiting_review": 3})
    refused = refusal(Action.DRAW, waiting)
    assert refused and refused.code == "awaiting_review" and refused.params["count"] == 3
    assert refused.status == 409


def test_a_redraw_after_check_in_is_refused_a_top_up_keeps_the_others():
    checked = Facts(locked=False, scored=False, checked_in=4, approved=13)
    assert code(Action.REDRAW, checked) == "checked_in"
    late = Facts(locked=False, drawn=True, unstationed=1)
    assert code(Action.TOP_UP, late) is None
    assert code(Action.TOP_UP, Facts(locked=False, drawn=True, unstationed=0)) == (
        "nobody_unstationed"
    )


def test_a_returned_registration_can_be_corrected_while_review_is_open():
    closed = dict(stationed=False, registration_open=False, review_open=True)
    assert code(Action.CORRECT, Facts(**closed, returned=True)) is None
    assert code(Action.CORRECT, Facts(**closed, returned=False)) == "registration_closed"
    after = {**closed, "review_open": False}
    assert code(Action.CORRECT, Facts(**after, returned=True)) == "registration_closed"


def test_a_rescore_order_opens_that_sheet_whatever_the_window():
    base = dict(published=False, locked=False, scoring_open=False, present=True)
    assert code(Action.SCORE, Facts(**base, rescore=False)) == "scoring_closed"
    assert code(Action.SCORE, Facts(**base, rescore=True)) is None
    assert code(Action.SCORE, Facts(**{**base, "published": True}, rescore=True)) == "published"
    with pytest.raises(NotNow) as refused:
        check(Action.SCORE, Facts(**{**base, "present": False}, rescore=True))
    assert refused.value.code == "absent" and refused.value.status == 409


def test_short_exam_items_are_marked_until_sign_off_whatever_the_window():
    assert code(Action.MARK, Facts(published=False, locked=False)) is None
    assert code(Action.MARK, Facts(published=False, locked=True)) == "locked"
    assert code(Action.MARK, Facts(published=True, locked=True)) == "published"
    assert refusal(Action.MARK, Facts(published=False, locked=True)).status == 423


def test_publication_needs_every_trade_locked_and_complete():
    assert code(Action.PUBLISH, Facts(locked=False, incomplete=0, published=False)) == "unlocked"
    assert code(Action.PUBLISH, Facts(locked=True, incomplete=2, published=False)) == "incomplete"
    assert code(Action.PUBLISH, Facts(locked=True, incomplete=0, published=False)) is None


def test_a_precondition_on_a_fact_not_gathered_is_a_programming_error():
    with pytest.raises(AssertionError, match="locked"):
        refusal(Action.DRAW, Facts())


def test_every_refusal_has_its_message():
    codes = {guard.code for guards in RULES.values() for guard in guards}
    assert codes <= set(NotNow.reasons)


def test_the_step_follows_from_the_facts():
    nothing = dict(registration_open=False, drawn=False, checked_in=0, scored=False,
                   scoring_open=False, appeal_open=False, locked=False, noticed=False,
                   published=False)  # fmt: skip
    assert step(Facts(**{**nothing, "registration_open": True})) == Step.REGISTRATION
    assert step(Facts(**nothing)) == Step.REVIEW
    assert step(Facts(**{**nothing, "drawn": True})) == Step.DRAWN
    assert step(Facts(**{**nothing, "drawn": True, "checked_in": 3})) == Step.CHECKED_IN
    assert step(Facts(**{**nothing, "scoring_open": True})) == Step.SCORING
    assert step(Facts(**{**nothing, "locked": True, "appeal_open": True})) == Step.APPEAL
    assert step(Facts(**{**nothing, "locked": True, "noticed": True})) == Step.NOTICE
    assert step(Facts(**{**nothing, "published": True})) == Step.PUBLISHED


def test_registrations_are_reviewed_only_while_registration_or_review_is_open():
    for registration_open, review_open in ((True, False), (False, True), (True, True)):
        facts = Facts(registration_open=registration_open, review_open=review_open)
        assert code(Action.REVIEW, facts) is None
    refused = refusal(Action.REVIEW, Facts(registration_open=False, review_open=False))
    assert refused and refused.code == "review_closed" and refused.status == 409


def test_an_entrant_with_a_station_is_neither_moved_nor_returned_nor_corrected():
    drawn, undrawn = Facts(stationed=True, locked=False), Facts(stationed=False, locked=False)
    for action in (Action.MOVE, Action.RETURN):
        assert code(action, drawn) == "drawn_entrant"
        assert code(action, undrawn) is None
    open_ = dict(registration_open=True, review_open=False, returned=False)
    assert code(Action.CORRECT, Facts(**open_, stationed=True)) == "drawn_entrant"
    assert code(Action.CORRECT, Facts(**open_, stationed=False)) is None


def test_an_entrant_withdraws_until_the_trade_is_locked():
    assert code(Action.WITHDRAW, Facts(locked=False)) is None
    refused = refusal(Action.WITHDRAW, Facts(locked=True), trade="焊工")
    assert refused and refused.code == "locked" and refused.status == 423


def test_the_notice_needs_every_trade_locked_and_complete_and_publishing_is_once():
    assert code(Action.NOTICE, Facts(locked=False, incomplete=0)) == "unlocked"
    assert code(Action.NOTICE, Facts(locked=True, incomplete=1)) == "incomplete"
    assert code(Action.NOTICE, Facts(locked=True, incomplete=0)) is None
    refused = refusal(Action.PUBLISH, Facts(locked=True, incomplete=3), trade="焊工")
    assert refused and refused.params == {"trade": "焊工", "count": 3}
    again = refusal(Action.PUBLISH, Facts(locked=True, incomplete=0, published=True))
    assert again and again.code == "published" and again.status == 423


def test_scoring_is_refused_once_published_whatever_else_holds():
    open_ = dict(locked=False, scoring_open=True, rescore=False, present=True)
    assert code(Action.SCORE, Facts(published=False, **open_)) is None
    with pytest.raises(NotNow) as refused:
        check(Action.SCORE, Facts(published=True, **open_))
    assert refused.value.code == "published" and refused.value.status == 423
    paper = dict(locked=False, scoring_open=True, rescore=False)
    assert code(Action.PAPER, Facts(published=True, **paper)) == "published"
    assert code(Action.PAPER, Facts(published=False, **paper)) is None


def test_only_entrants_checked_in_are_scored():
    facts = dict(published=False, locked=False, scoring_open=True, rescore=False)
    assert code(Action.SCORE, Facts(**facts, present=False)) == "absent"
    assert code(Action.SCORE, Facts(**facts, present=True)) is None


def test_the_chief_judges_corrections_stop_at_sign_off_and_publication():
    assert code(Action.DESK, Facts(published=False, locked=False)) is None
    assert code(Action.DESK, Facts(published=False, locked=True)) == "locked"
    refused = refusal(Action.DESK, Facts(published=True, locked=False))
    assert refused and refused.code == "published" and refused.status == 423
    with pytest.raises(AssertionError, match="published"):
        refusal(Action.DESK, Facts(locked=False))


def test_a_signed_off_trade_takes_no_approval_or_return():
    assert code(Action.APPROVE, Facts(locked=True)) == "signed_off"
    assert code(Action.APPROVE, Facts(locked=False)) is None
    assert code(Action.RETURN, Facts(locked=True, stationed=False)) == "signed_off"
    assert code(Action.UNLOCK, Facts(published=True)) == "published"
    assert code(Action.UNLOCK, Facts(published=False)) is None
