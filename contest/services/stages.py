"""Whether a stage window is open, decided from the stored windows on every write."""

from __future__ import annotations

import sqlalchemy as sa

from contest.domain.stages import TRADE_OVERRIDABLE, StageKind, StageState, can_transition
from contest.extensions import db
from contest.models import Event, StageTransition, StageWindow, Trade, User
from contest.models.types import utcnow
from contest.services import audit


class WindowClosed(Exception):
    """A write was attempted outside its stage window."""

    def __init__(self, kind: StageKind):
        super().__init__(kind.value)
        self.kind = kind


def window(event: Event, kind: StageKind, trade: Trade | None = None) -> StageWindow | None:
    """The window that governs ``kind`` (a trade's own override first, where allowed)."""
    if trade is not None and kind in TRADE_OVERRIDABLE:
        own = db.session.execute(
            sa.select(StageWindow).where(StageWindow.trade_id == trade.id, StageWindow.kind == kind)
        ).scalar_one_or_none()
        if own is not None:
            return own
    return db.session.execute(
        sa.select(StageWindow).where(
            StageWindow.event_id == event.id,
            StageWindow.trade_id.is_(None),
            StageWindow.kind == kind,
        )
    ).scalar_one_or_none()


def is_open(event: Event, kind: StageKind, trade: Trade | None = None) -> bool:
    """Whether the window exists and is open now."""
    found = window(event, kind, trade)
    return found is not None and found.state == StageState.OPEN


def require_open(event: Event, kind: StageKind, trade: Trade | None = None) -> None:
    """Raise ``WindowClosed`` unless the window is open."""
    if not is_open(event, kind, trade):
        raise WindowClosed(kind)


class TransitionRefused(ValueError):
    """The window is not in a state from which it may move to the target."""


def transition(
    window: StageWindow,
    target: StageState,
    actor: User | None,
    reason: str | None = None,
) -> bool:
    """Move a window to ``target`` exactly once, whoever else tries at the same moment.

    The change is a conditional update (only from the state just read), so of two
    concurrent attempts one applies and the other finds nothing to do (returns False).
    Applied changes are recorded as a ``StageTransition`` and in the audit log.
    """
    current = window.state
    if current == target:
        return False
    if not can_transition(current, target):
        raise TransitionRefused(f"{current.value} → {target.value}")
    changed = db.session.execute(
        sa.update(StageWindow)
        .where(StageWindow.id == window.id, StageWindow.state == current)
        .values(state=target, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.refresh(window)
        return False
    db.session.refresh(window)
    db.session.add(
        StageTransition(
            window_id=window.id,
            from_state=current,
            to_state=target,
            by_user_id=actor.id if actor else None,
            reason=reason,
        )
    )
    audit.record(
        actor or audit.SCHEDULER,
        f"stage.{target.value}",
        "stage_window",
        window.id,
        event=window.event,
        old={"state": current.value},
        new={"state": target.value},
        reason=reason,
    )
    return True
