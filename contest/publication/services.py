"""What an event makes public: the nomination list for 公示, and the final results.

Each is published once per event (a unique row), as the results stood at that moment, so
what the public saw is kept even if results change later (a change after 公示 is itself a
recorded decision).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from contest.core.extensions import db
from contest.domain.results import award_lists
from contest.events.models import Event, Trade, Unit
from contest.publication.models import Publication
from contest.registration.models import Entrant, Team
from contest.results import services as results

NOTICE = "public_notice"
RESULTS = "results"


def published(event: Event, kind: str) -> Publication | None:
    """The event's publication of this kind, if it has been made."""
    return db.session.execute(
        sa.select(Publication).where(Publication.event_id == event.id, Publication.kind == kind)
    ).scalar_one_or_none()


def names_of(event: Event) -> dict[str, Any]:
    entrants = {
        code: {"name": name, "unit": unit, "team": team}
        for code, name, unit, team in db.session.execute(
            sa.select(Entrant.code, Entrant.name, Unit.name, Team.name)
            .join(Unit, Unit.id == Entrant.unit_id)
            .outerjoin(Team, Team.id == Entrant.team_id)
            .where(Entrant.event_id == event.id)
        )
    }
    trades = dict(
        db.session.execute(
            sa.select(Trade.code, Trade.name).where(Trade.event_id == event.id)
        ).all()
    )
    return {"entrants": entrants, "trades": trades}


def nominations_of(event: Event) -> dict[str, Any]:
    spec = results.event_spec(event)
    trades = results.stored_trades(event)
    places = {(t.code, e.code): e for t in trades for e in t.entrants}
    trade_of = {e.code: t.code for t in trades for e in t.entrants}
    names = names_of(event)
    lists = []
    for award in award_lists(spec, trades):
        rows = []
        for code in award.entrants:
            trade = trade_of[code]
            entry = places[(trade, code)]
            person = names["entrants"].get(code, {})
            rows.append(
                {
                    "entrant": code,
                    "name": person.get("name"),
                    "unit": person.get("unit"),
                    "trade": trade,
                    "trade_name": names["trades"].get(trade),
                    "rank": entry.placing.rank,
                    "total": str(entry.score.total) if entry.score.total is not None else None,
                    "promoted_to": award.promotions.get(code),
                }
            )
        lists.append({"code": award.rule.code, "title": award.rule.title, "entrants": rows})
    return {"awards": lists}


def publish(event: Event, kind: str, payload: dict[str, Any]) -> Publication | None:
    if published(event, kind) is not None:
        return None
    publication = Publication(event_id=event.id, kind=kind, payload=payload)
    db.session.add(publication)
    db.session.flush()
    return publication


def publish_notice(event: Event) -> Publication | None:
    """Publish the nomination list for 公示 (once); None if it was already published."""
    return publish(event, NOTICE, nominations_of(event))
