"""Appeals (申诉): during its trade's appeal window a team leader (the unit's contact) files
one written appeal per entrant; the trade's chief judge (or the organisers, for the
arbitration group) decides it with a reason. An upheld appeal unlocks the trade so the chief
judge can send sheets back for re-scoring: each sheet sent back can be scored again by its
judge after the scoring window has closed, until the results are published (judging's
re-score orders). Everything is audited.
"""

from __future__ import annotations

import sqlalchemy as sa
from blinker import Namespace
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from contest.accounts.models import User
from contest.appeals.models import Appeal
from contest.core import audit
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.refusal import N_, Refused
from contest.domain.stages import StageKind
from contest.events.models import Event, Trade, Unit
from contest.publication import services as publications
from contest.publication.models import Decision
from contest.registration.models import Entrant, RegistrationStatus
from contest.stages import services as stages

TEXT_LIMITS = (10, 2000)


#: An appeal was upheld (sender: the appeal; ``actor``, ``reason``): judging reopens the
#: trade if it was signed off, so that the entrant's sheets can be sent back for re-scoring.
appeal_upheld = Namespace().signal("appeal-upheld")


class AppealError(Refused):
    """A refused appeal step; ``code`` says why."""

    NOT_COMPETING = "not_competing"
    DUPLICATE = "duplicate"
    TEXT = "text"
    DECIDED = "decided"
    REASON_REQUIRED = "reason_required"
    PUBLISHED = "published"

    reasons = {
        NOT_COMPETING: N_("This entrant is not competing, so no appeal can be filed."),
        DUPLICATE: N_("An appeal has already been filed for this entrant; only one is allowed."),
        TEXT: N_("Write the appeal in %(low)s to %(high)s characters."),
        DECIDED: N_("This appeal has already been decided."),
        REASON_REQUIRED: N_("Give the reason for the decision."),
        PUBLISHED: N_("The results are published; appeals can no longer be decided."),
    }
    statuses = {NOT_COMPETING: 404, DUPLICATE: 409, DECIDED: 409, PUBLISHED: 409}


def appeal_for(entrant: Entrant) -> Appeal | None:
    """The entrant's appeal, if one has been filed."""
    return db.session.execute(
        sa.select(Appeal).where(Appeal.entrant_id == entrant.id)
    ).scalar_one_or_none()


def file(actor: User, entrant: Entrant, text: str) -> Appeal:
    """File the entrant's appeal (the caller has checked the actor acts for the unit).

    Raises ``stages.WindowClosed`` outside the trade's appeal window, and ``AppealError``
    for an entrant not competing, a second appeal, or a text too short or too long.
    """
    trade = db.session.get(Trade, entrant.trade_id)
    stages.require_open(trade.event, StageKind.APPEAL, trade)
    if entrant.registration_status != RegistrationStatus.APPROVED:
        raise AppealError(AppealError.NOT_COMPETING)
    if appeal_for(entrant) is not None:
        raise AppealError(AppealError.DUPLICATE)
    text = (text or "").strip()
    low, high = TEXT_LIMITS
    if not low <= len(text) <= high:
        raise AppealError(AppealError.TEXT, low=low, high=high)
    appeal = Appeal(
        event_id=entrant.event_id,
        trade_id=trade.id,
        entrant_id=entrant.id,
        filed_by_id=actor.id,
        text=text,
    )
    db.session.add(appeal)
    try:
        db.session.flush()  # the unique entrant_id settles a race between two filings
    except IntegrityError:
        raise AppealError(AppealError.DUPLICATE) from None
    audit.record(
        actor, "appeal.file", "appeal", appeal.id, event=trade.event,
        new={"entrant": entrant.code, "trade": trade.code, "text": text},
    )  # fmt: skip
    return appeal


def decide(actor: User, appeal: Appeal, upheld: bool, reason: str) -> None:
    """Record the decision. Upheld: the trade is unlocked (if it was signed off) and the
    entrant's sheets may be re-scored; rejected: nothing else changes."""
    reason = (reason or "").strip()
    if not reason:
        raise AppealError(AppealError.REASON_REQUIRED)
    if appeal.status != Decision.PENDING:
        raise AppealError(AppealError.DECIDED)
    if publications.published(appeal.event, publications.RESULTS) is not None:
        raise AppealError(AppealError.PUBLISHED)
    updated = db.session.execute(
        sa.update(Appeal)
        .where(Appeal.id == appeal.id, Appeal.status == Decision.PENDING)
        .values(
            status=Decision.UPHELD if upheld else Decision.REJECTED,
            decided_by_id=actor.id,
            decided_at=utcnow(),
            decision_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:  # decided by someone else a moment ago
        raise AppealError(AppealError.DECIDED)
    db.session.refresh(appeal)
    if upheld:
        appeal_upheld.send(appeal, actor=actor, reason=reason)
    audit.record(
        actor, "appeal.decide", "appeal", appeal.id, event=appeal.event,
        old={"status": Decision.PENDING.value},
        new={"status": appeal.status.value, "entrant": appeal.entrant.code},
        reason=reason,
    )  # fmt: skip


#: What the appeal pages show of each appeal, loaded with it.
_SHOWN = (
    selectinload(Appeal.entrant).selectinload(Entrant.unit),
    selectinload(Appeal.filed_by),
    selectinload(Appeal.decided_by),
)


def for_unit(unit: Unit) -> list[Appeal]:
    """The unit's appeals, newest first (what its team leader sees)."""
    return list(
        db.session.execute(
            sa.select(Appeal)
            .join(Entrant, Entrant.id == Appeal.entrant_id)
            .where(Entrant.unit_id == unit.id)
            .options(*_SHOWN)
            .order_by(Appeal.filed_at.desc())
        ).scalars()
    )


def for_trade(trade: Trade) -> list[Appeal]:
    """The trade's appeals, pending first (what the chief judge decides)."""
    return list(
        db.session.execute(
            sa.select(Appeal)
            .where(Appeal.trade_id == trade.id)
            .options(*_SHOWN)
            .order_by((Appeal.status == Decision.PENDING).desc(), Appeal.filed_at)
        ).scalars()
    )


def competing(unit: Unit) -> list[Entrant]:
    """The unit's approved entrants (those an appeal may be filed for), by station."""
    return list(
        db.session.execute(
            sa.select(Entrant)
            .where(
                Entrant.unit_id == unit.id,
                Entrant.registration_status == RegistrationStatus.APPROVED,
            )
            .options(selectinload(Entrant.trade))
            .order_by(Entrant.station_no.nulls_last(), Entrant.code)
        ).scalars()
    )


def counts(event: Event) -> dict[int, dict[Decision, int]]:
    """How many appeals of each decision every trade of the event has."""
    found: dict[int, dict[Decision, int]] = {}
    for trade_id, status, n in db.session.execute(
        sa.select(Appeal.trade_id, Appeal.status, sa.func.count())
        .where(Appeal.event_id == event.id)
        .group_by(Appeal.trade_id, Appeal.status)
    ):
        found.setdefault(trade_id, {})[status] = n
    return found
