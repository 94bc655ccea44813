"""Stage windows of an event and the transitions between their states.

Every event has planned windows (registration, review, scoring, appeal, public notice and
publication); a trade may override scoring and appeal. A window moves pending → open →
closed; an organiser may reopen a closed window with a reason. Publication is a single
instant: it goes straight from pending to closed ("done") when it is reached.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from contest.domain.refusal import N_, Refused


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


class WindowClosed(Refused):
    """A write outside its stage window: the stage, the state of the window that governs
    the write (None when none is planned) and when it closed or will open, shown in the
    event's time zone."""

    reasons = {
        "window_closed": N_("The %(stage)s window closed at %(at)s."),
        "window_pending": N_("The %(stage)s window is not open yet; it opens at %(at)s."),
        "window_unplanned": N_("No %(stage)s window is planned."),
    }
    #: What the refusal means for the one refused, by stage (``%(why)s`` is the window).
    leads = {
        StageKind.REGISTRATION: N_("Registration is closed. %(why)s"),
        StageKind.APPEAL: N_("The appeal was not filed: %(why)s"),
    }

    def __init__(
        self,
        stage: StageKind,
        state: StageState | None = None,
        at: datetime | None = None,
        timezone: str | None = None,
    ) -> None:
        super().__init__("window_closed", stage=stage, state=state, at=at, timezone=timezone)

    @property
    def status(self) -> int:
        """Scores are locked (423) out of their window; anything else conflicts (409)."""
        return 423 if self.params["stage"] == StageKind.SCORING else 409

    def template(self) -> str | None:
        state, at = self.params["state"], self.params["at"]
        if state is None or at is None:
            return self.reason("window_unplanned")
        return self.reason("window_pending" if state == StageState.PENDING else "window_closed")

    def lead(self) -> str | None:
        return self.leads.get(self.params["stage"])


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
