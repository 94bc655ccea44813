"""Stage windows of an event and the transitions between their states.

Every event has planned windows (registration, review, scoring, appeal, public notice and
publication); a trade may override scoring and appeal. A window moves pending → open →
closed; an organiser may reopen a closed window with a reason. Publication is a single
instant: it goes straight from pending to closed ("done") when it is reached.
"""

from __future__ import annotations

from enum import StrEnum


class StageKind(StrEnum):
    """The kinds of window, in their normal order."""

    REGISTRATION = "registration"
    REVIEW = "review"
    SCORING = "scoring"
    APPEAL = "appeal"
    PUBLIC_NOTICE = "public_notice"
    PUBLISH = "publish"


#: Windows a trade may plan for itself, overriding the event's.
TRADE_OVERRIDABLE = frozenset({StageKind.SCORING, StageKind.APPEAL})


class StageState(StrEnum):
    """Where a window is in its life."""

    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"


#: Allowed moves: (kind-independent) from state → the states it may go to.
TRANSITIONS: dict[StageState, frozenset[StageState]] = {
    StageState.PENDING: frozenset({StageState.OPEN, StageState.CLOSED}),
    StageState.OPEN: frozenset({StageState.CLOSED}),
    StageState.CLOSED: frozenset({StageState.OPEN}),
}


def can_transition(current: StageState, target: StageState) -> bool:
    """Whether a window in ``current`` may move to ``target``."""
    return target in TRANSITIONS[current]
