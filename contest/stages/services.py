"""Stage windows: whether one is open (decided from the stored windows on every write) and
the transitions the schedule calls for. Reaching a stage is announced (``stage_reached``);
the features it concerns act on it — the results when scoring closes, the publications when
the notice opens or publication is reached (``contest.create_app`` connects them).

Every transition is a conditional update (only from the state just read), so two scheduler
processes, or a scheduler and an organiser clicking at the same moment, apply it once; what
it sets off runs in the same transaction, only for the one that applied it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from blinker import Namespace
from sqlalchemy.orm import selectinload

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.refusal import N_, Refused
from contest.domain.stages import (
    TRADE_OVERRIDABLE,
    StageKind,
    StageState,
    WindowClosed,
    can_transition,
    due,
    next_instant,
)
from contest.events.models import Event, Trade
from contest.stages.models import StageTransition, StageWindow

#: A window reached a state (sender: the window; ``state``: the state it reached). Receivers
#: act in the transaction that moved it, once, and must be idempotent.
stage_reached = Namespace().signal("stage-reached")


def window(event: Event, kind: StageKind, trade: Trade | None = None) -> StageWindow | None:
    """The window that governs ``kind`` (a trade's own override first, where allowed), in
    one query: every write asks."""
    governs = governing(event.id, kind, trade.id if trade is not None else None)
    return db.session.execute(
        sa.select(StageWindow).where(StageWindow.id == governs)
    ).scalar_one_or_none()


def governing(
    event_id: int | sa.BindParameter[int],
    kind: StageKind,
    trade_id: int | sa.BindParameter[int] | None = None,
) -> sa.ScalarSelect[int]:
    """The id of the window that governs ``kind`` (for the trade ``trade_id``, if given), as
    a subquery, to be read with other rows (a score's save reads it with the trade it
    locks). The ids may be bound parameters, for a query built once."""
    governs = sa.and_(StageWindow.event_id == event_id, StageWindow.trade_id.is_(None))
    if trade_id is not None and kind in TRADE_OVERRIDABLE:
        governs = sa.or_(StageWindow.trade_id == trade_id, governs)
    return (
        sa.select(StageWindow.id)
        .where(governs, StageWindow.kind == kind)
        .order_by(StageWindow.trade_id.is_(None))  # the trade's own first
        .limit(1)
        .scalar_subquery()
    )


def windows(event: Event) -> list[StageWindow]:
    """Every window of the event (the trades' own too), in the order they are planned."""
    return list(
        db.session.execute(
            sa.select(StageWindow)
            .where(StageWindow.event_id == event.id)
            .order_by(StageWindow.opens_at, StageWindow.id)
        ).scalars()
    )


def event_windows(event: Event) -> list[StageWindow]:
    """The event-wide stage windows, in the order they are planned."""
    return list(
        db.session.execute(
            sa.select(StageWindow)
            .where(StageWindow.event_id == event.id, StageWindow.trade_id.is_(None))
            .order_by(StageWindow.opens_at)
        ).scalars()
    )


def is_open(event: Event, kind: StageKind, trade: Trade | None = None) -> bool:
    """Whether the window exists and is open now."""
    return is_opened(window(event, kind, trade))


def require_open(event: Event, kind: StageKind, trade: Trade | None = None) -> None:
    """Raise ``WindowClosed`` (naming the window) unless the window is open."""
    check_open(window(event, kind, trade), kind)


def check_open(found: StageWindow | None, kind: StageKind) -> None:
    """Raise ``WindowClosed`` unless ``found``, the window that governs ``kind``, is open."""
    if not is_opened(found):
        raise closed(kind, found)


def is_opened(found: StageWindow | None) -> bool:
    """Whether ``found`` (a window, or None when none is planned) is open."""
    return found is not None and found.state == StageState.OPEN


def closed(kind: StageKind, found: StageWindow | None) -> WindowClosed:
    """The refusal of a write outside ``found``, the window of ``kind`` (None if none is
    planned): its state, when it closed (or will open), in the event's time zone."""
    if found is None:
        return WindowClosed(kind)
    when = closed_since(found) if found.state == StageState.CLOSED else found.opens_at
    return WindowClosed(kind, found.state, when, found.event.timezone)


def closed_since(window: StageWindow) -> datetime | None:
    """When the window was last closed (by the scheduler or by hand), else its planned close."""
    last = db.session.execute(
        sa.select(StageTransition.at)
        .where(
            StageTransition.window_id == window.id, StageTransition.to_state == StageState.CLOSED
        )
        .order_by(StageTransition.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return last or window.closes_at


class TransitionRefused(Refused):
    """The window is not in a state from which it may move to the target."""

    reasons = {"transition": N_("The window cannot go from “%(current)s” to “%(target)s”.")}
    default_status = 409


def transition(
    window: StageWindow,
    target: StageState,
    actor: User | None,
    reason: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Move a window to ``target`` exactly once, whoever else tries at the same moment.

    The change is a conditional update (only from the state just read), so of two
    concurrent attempts one applies and the other finds nothing to do (returns False).
    Applied changes are recorded as a ``StageTransition`` (at ``at``, the scheduler's clock,
    or now) and in the audit log, and their effects run in the same transaction.
    """
    current = window.state
    if current == target:
        return False
    if not can_transition(current, target):
        raise TransitionRefused("transition", current=current, target=target)
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
    stage_reached.send(window, state=target)
    db.session.add(
        StageTransition(
            window_id=window.id,
            at=at or utcnow(),
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


# --- the schedule -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """A transition the schedule made."""

    window_id: int
    event: str
    kind: StageKind
    trade: str | None
    to: StageState


def apply_due(now: datetime) -> list[Applied]:
    """Apply every transition the planned windows call for at ``now`` (once each, whoever
    else runs this at the same moment); the caller commits."""
    last_change = dict(
        db.session.execute(
            sa.select(StageTransition.window_id, sa.func.max(StageTransition.at)).group_by(
                StageTransition.window_id
            )
        ).all()
    )
    windows = db.session.execute(
        sa.select(StageWindow)
        .where(StageWindow.state.in_([StageState.PENDING, StageState.OPEN]))
        .options(selectinload(StageWindow.event), selectinload(StageWindow.trade))
        .order_by(StageWindow.opens_at, StageWindow.id)
    ).scalars()
    applied = []
    for found in windows:
        target = due(found.state, found.opens_at, found.closes_at, last_change.get(found.id), now)
        if target is not None and transition(found, target, None, at=now):
            applied.append(
                Applied(
                    found.id,
                    found.event.slug,
                    found.kind,
                    found.trade.code if found.trade else None,
                    target,
                )
            )
    return applied


def planned(now: datetime) -> list[tuple[datetime, int, StageState]]:
    """Every future planned transition: (when, window id, target state)."""
    upcoming = []
    for found in db.session.execute(
        sa.select(StageWindow).where(StageWindow.state.in_([StageState.PENDING, StageState.OPEN]))
    ).scalars():
        step = next_instant(found.state, found.opens_at, found.closes_at, now)
        if step is not None:
            upcoming.append((step[0], found.id, step[1]))
    return sorted(upcoming)


def governed_trades(window: StageWindow) -> list[Trade]:
    """The trades a window applies to: its own trade, or the event's trades without their
    own window of that kind."""
    if window.trade_id is not None:
        return [window.trade] if window.trade else []
    own = set(
        db.session.execute(
            sa.select(StageWindow.trade_id).where(
                StageWindow.event_id == window.event_id,
                StageWindow.kind == window.kind,
                StageWindow.trade_id.is_not(None),
            )
        ).scalars()
    )
    return [t for t in window.event.trades if t.id not in own]


def timeline(event: Event) -> list[dict[str, Any]]:
    """Every window of the event with its planned times, state and transitions — the
    ``stages --json`` format."""
    windows = db.session.execute(
        sa.select(StageWindow)
        .where(StageWindow.event_id == event.id)
        .options(
            selectinload(StageWindow.trade),
            selectinload(StageWindow.transitions).selectinload(StageTransition.by_user),
        )
        .order_by(StageWindow.opens_at, StageWindow.id)
    ).scalars()
    return [
        {
            "window": w.kind.value,
            "trade": w.trade.code if w.trade else None,
            "opens": w.opens_at.isoformat(),
            "closes": w.closes_at.isoformat() if w.closes_at else None,
            "state": w.state.value,
            "transitions": [
                {
                    "to": t.to_state.value,
                    "at": t.at.isoformat(),
                    "by": t.by_user.name if t.by_user else audit.SCHEDULER,
                    "reason": t.reason,
                }
                for t in w.transitions
            ],
        }
        for w in windows
    ]
