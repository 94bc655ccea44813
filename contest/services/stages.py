"""Whether a stage window is open, decided from the stored windows on every write."""

from __future__ import annotations

import sqlalchemy as sa

from contest.domain.stages import TRADE_OVERRIDABLE, StageKind, StageState
from contest.extensions import db
from contest.models import Event, StageWindow, Trade


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
