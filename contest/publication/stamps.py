"""What an event's public pages depend on (its ``Stamp``), read in one small query on every
public request: the pages are cached under keys made of it (``caching``), so a change to the
event, its publications or its schedule shows at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from contest.core.extensions import db
from contest.events.models import Event, Trade
from contest.publication import services as publications
from contest.publication.models import Publication
from contest.stages.models import StageWindow


@dataclass(frozen=True)
class Stamp:
    """What an event's public pages depend on, read in one query: a page cached under a key
    made of these values is stale as soon as one of them changes."""

    event_id: int
    timezone: str
    changed: str
    notice: str | None  # the current publication of each kind
    results: str | None
    schedule: str
    notice_withdrawn: str | None = None  # the newest one, withdrawn, when none is current
    results_withdrawn: str | None = None
    trades: str = ""  # the trades' versions (their rules are on the event's home)


def _publication_stamp(pid: int | None, at: datetime | None) -> str | None:
    return None if pid is None else f"{pid}@{at.isoformat() if at else ''}"


def _newest(kind: str) -> sa.ScalarSelect[int]:
    """The id of the event's newest publication of ``kind`` (current or withdrawn)."""
    return (
        sa.select(sa.func.max(Publication.id))
        .where(Publication.event_id == Event.id, Publication.kind == kind)
        .correlate(Event)
        .scalar_subquery()
    )


@cache
def _stamp_query() -> sa.Select:
    """The stamp's query, built once (it runs on every public request; only ``slug`` varies)."""
    notice, final = aliased(Publication), aliased(Publication)
    own_windows = (StageWindow.event_id == Event.id, StageWindow.trade_id.is_(None))
    windows = sa.select(sa.func.count(StageWindow.id)).where(*own_windows).scalar_subquery()
    latest = sa.select(sa.func.max(StageWindow.updated_at)).where(*own_windows).scalar_subquery()
    trades = (
        sa.select(
            sa.func.count(Trade.id).cast(sa.String)
            + "@"
            + sa.func.coalesce(sa.func.sum(Trade.version), 0).cast(sa.String)
            + "@"
            + sa.func.coalesce(sa.func.sum(Trade.id), 0).cast(sa.String)
        )
        .where(Trade.event_id == Event.id)
        .correlate(Event)
        .scalar_subquery()
    )
    return (
        sa.select(
            Event.id,
            Event.timezone,
            Event.updated_at,
            notice.id,
            notice.published_at,
            notice.withdrawn_at,
            final.id,
            final.published_at,
            final.withdrawn_at,
            windows,
            latest,
            trades,
        )
        .select_from(Event)
        .outerjoin(notice, notice.id == _newest(publications.NOTICE))
        .outerjoin(final, final.id == _newest(publications.RESULTS))
        .where(Event.slug == sa.bindparam("slug"))
    )


def stamp(slug: str) -> Stamp | None:
    """The event's stamp: when it changed, which publications are current (id and time) or
    withdrawn, the state of its schedule and its trades' versions; None for an unknown
    slug."""
    row = db.session.execute(_stamp_query(), {"slug": slug}).first()
    if row is None:
        return None
    event_id, timezone, changed, notice_id, notice_at, notice_gone = row[:6]
    final_id, final_at, final_gone, count, last, trades = row[6:]
    return Stamp(
        event_id=event_id,
        timezone=timezone,
        changed=str(changed),
        notice=None if notice_gone else _publication_stamp(notice_id, notice_at),
        results=None if final_gone else _publication_stamp(final_id, final_at),
        schedule=f"{count}@{last}",
        notice_withdrawn=_publication_stamp(notice_id, notice_gone) if notice_gone else None,
        results_withdrawn=_publication_stamp(final_id, final_gone) if final_gone else None,
        trades=str(trades),
    )
