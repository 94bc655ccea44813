"""Stage windows of an event and the transitions between their states.

Every event has planned windows (registration, review, scoring, appeal, public notice and
publication); a trade may override scoring and appeal. A window moves pending → open →
closed; an organiser may reopen a closed window with a reason. Publication is a single
instant: it goes straight from pending to closed ("done") when it is reached.
"""

from __future__ import annotations

from datetime import datetime
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


def due(
    state: StageState,
    opens_at: datetime,
    closes_at: datetime | None,
    last_change: datetime | None,
    now: datetime,
) -> StageState | None:
    """The state the schedule says a window should move to now, or None.

    - A pending window opens at ``opens_at``; if its close time has passed too (the
      scheduler was down the whole time) it closes directly, once. Publication (no close
      time) is "closed" — done — once its instant is reached.
    - An open window closes at ``closes_at``, unless someone reopened it by hand after that
      time (``last_change`` later than ``closes_at``): a manual decision is not undone.
    - A closed window stays closed; reopening is only ever done by hand.
    """
    if state == StageState.PENDING and opens_at <= now:
        if closes_at is None or closes_at <= now:
            return StageState.CLOSED
        return StageState.OPEN
    if state == StageState.OPEN and closes_at is not None and closes_at <= now:
        if last_change is not None and last_change > closes_at:
            return None
        return StageState.CLOSED
    return None


def next_instant(
    state: StageState, opens_at: datetime, closes_at: datetime | None, now: datetime
) -> tuple[datetime, StageState] | None:
    """When the window's next planned transition falls after ``now``, and to which state."""
    if state == StageState.PENDING and opens_at > now:
        return opens_at, (StageState.OPEN if closes_at is not None else StageState.CLOSED)
    if state in (StageState.PENDING, StageState.OPEN) and closes_at is not None and closes_at > now:
        return closes_at, StageState.CLOSED
    return None
