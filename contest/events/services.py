"""Finding an event."""

from __future__ import annotations

import sqlalchemy as sa

from contest.core.extensions import db
from contest.events.models import Event, Trade


def event_by_slug(slug: str) -> Event | None:
    """The event with this slug, if any."""
    return db.session.execute(sa.select(Event).where(Event.slug == slug)).scalar_one_or_none()


def trade_by_code(event: Event, code: str) -> Trade | None:
    """The event's trade with this code, if any."""
    return db.session.execute(
        sa.select(Trade).where(Trade.event_id == event.id, Trade.code == code)
    ).scalar_one_or_none()
