"""What an event makes public: the nomination list for 公示, and the final results.

Each is published as the results stood at that moment, so what the public saw is kept even
if results change later (a change after 公示 is itself a recorded decision). At most one
publication of each kind is current; a publication is never deleted but withdrawn, with a
reason, and publishing again after a withdrawal makes a new one. Both publishing and
withdrawing are audited.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.core.queries import lock_row
from contest.core.types import utcnow
from contest.domain.lifecycle import Action
from contest.domain.refusal import N_, Refused
from contest.domain.results import award_lists
from contest.events.models import Event, Trade, Unit
from contest.publication import readiness
from contest.publication.models import Publication
from contest.registration.models import Entrant, Team
from contest.results import services as results

NOTICE = "public_notice"
RESULTS = "results"
KINDS = (NOTICE, RESULTS)
#: Longest reason kept for a withdrawal.
REASON_LIMIT = 2000


class PublicationError(Refused):
    """A refused publication or withdrawal; ``code`` says why."""

    NOTICE_PUBLISHED = "notice_published"
    NOT_PUBLISHED = "not_published"
    REASON_REQUIRED = "reason_required"
    RESULTS_PUBLISHED = "results_published"
    CHANGED = "changed"

    reasons = {
        NOTICE_PUBLISHED: N_(
            "The nomination list is already on public notice; withdraw it, giving a reason, "
            "before publishing it again."
        ),
        NOT_PUBLISHED: N_("Nothing of this kind is published: there is nothing to withdraw."),
        REASON_REQUIRED: N_("Give the reason for the withdrawal; the public pages show it."),
        RESULTS_PUBLISHED: N_(
            "The results were published from this public notice: withdraw the results first."
        ),
        CHANGED: N_(
            "What would be published has changed since the preview was shown: look at the "
            "preview again before confirming."
        ),
    }
    statuses = {
        NOTICE_PUBLISHED: 409,
        NOT_PUBLISHED: 409,
        RESULTS_PUBLISHED: 409,
        CHANGED: 409,
    }


def published(event: Event, kind: str) -> Publication | None:
    """The event's current publication of this kind (never a withdrawn one), if any."""
    return db.session.execute(
        sa.select(Publication).where(
            Publication.event_id == event.id,
            Publication.kind == kind,
            Publication.withdrawn_at.is_(None),
        )
    ).scalar_one_or_none()


def latest(event: Event, kind: str) -> Publication | None:
    """The event's newest publication of this kind, current or withdrawn."""
    return db.session.execute(
        sa.select(Publication)
        .where(Publication.event_id == event.id, Publication.kind == kind)
        .order_by(Publication.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def withdrawn(event: Event, kind: str) -> Publication | None:
    """The newest withdrawn publication of this kind, when none is current (what the
    public pages explain instead of showing it)."""
    found = latest(event, kind)
    return found if found is not None and found.is_withdrawn else None


def history(event: Event) -> list[Publication]:
    """Every publication of the event, newest first (withdrawn ones too)."""
    return list(
        db.session.execute(
            sa.select(Publication)
            .where(Publication.event_id == event.id)
            .order_by(Publication.id.desc())
        ).scalars()
    )


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


def publish(
    event: Event, kind: str, payload: dict[str, Any], actor: User | None = None
) -> Publication | None:
    """Make ``payload`` the current publication of this kind (audited); None if one is
    current already. The caller has checked the lifecycle's preconditions."""
    if published(event, kind) is not None:
        return None
    publication = Publication(
        event_id=event.id,
        kind=kind,
        payload=payload,
        published_by_id=actor.id if actor is not None else None,
    )
    db.session.add(publication)
    db.session.flush()
    audit.record(
        actor or audit.SYSTEM, "publication.publish", "publication", publication.id,
        event=event, new={"kind": kind},
    )  # fmt: skip
    return publication


def publish_notice(event: Event, actor: User | None = None) -> Publication | None:
    """Publish the nomination list for 公示; None if it is already on notice. Refused
    (``NotNow``, naming the trade) unless every trade is locked and complete."""
    lock_row(Event, event.id)
    if published(event, NOTICE) is not None:
        return None
    readiness.require(event, Action.NOTICE)
    return publish(event, NOTICE, nominations_of(event), actor)


def withdraw(actor: User, event: Event, kind: str, reason: str | None) -> Publication:
    """Withdraw the current publication of this kind, with a reason the public pages show;
    the row is kept. The nomination list cannot be withdrawn while the results published
    from it are current."""
    reason = (reason or "").strip()[:REASON_LIMIT]
    if not reason:
        raise PublicationError(PublicationError.REASON_REQUIRED)
    lock_row(Event, event.id)
    current = published(event, kind)
    if current is None:
        raise PublicationError(PublicationError.NOT_PUBLISHED)
    if kind == NOTICE and published(event, RESULTS) is not None:
        raise PublicationError(PublicationError.RESULTS_PUBLISHED)
    current.withdrawn_at, current.withdrawn_by_id = utcnow(), actor.id
    current.withdrawal_reason = reason
    db.session.flush()
    audit.record(
        actor, "publication.withdraw", "publication", current.id, event=event,
        old={"kind": kind, "published_at": current.published_at.isoformat()},
        new={"withdrawn_at": current.withdrawn_at.isoformat()}, reason=reason,
    )  # fmt: skip
    return current
