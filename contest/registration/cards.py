"""The entrant's card (参赛证/准考证): what its QR carries — a signed token naming the entrant,
made only by the platform — read back when the QR is scanned: by the door staff to check the
entrant in, by the entrant to sign in to the theory exam."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from contest.core.extensions import db
from contest.events.models import Event
from contest.registration.models import Entrant, RegistrationStatus


def _cards() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="exam-card")


def card_token(entrant: Entrant) -> str:
    """The token of the entrant's card."""
    return _cards().dumps([entrant.event_id, entrant.id])


def card_entrant(token: str, event: Event | None = None) -> Entrant | None:
    """The approved entrant a card's token names (of ``event``, if given), else None."""
    try:
        event_id, entrant_id = _cards().loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if event is not None and event_id != event.id:
        return None
    entrant = db.session.get(Entrant, entrant_id)
    if entrant is None or entrant.event_id != event_id:
        return None
    return entrant if entrant.registration_status == RegistrationStatus.APPROVED else None
