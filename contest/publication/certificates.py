"""Certificates: issued on publication, one per entrant and award, each with a code whose
check part only this server can make (HMAC with the secret key), so a certificate number
that was typed wrong or altered is recognised as not genuine."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from contest.core.extensions import db
from contest.events.models import Event
from contest.publication.models import Certificate
from contest.registration.models import Entrant

CHECK_LENGTH = 6


def _check(serial: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"certificate:{serial}".encode(), hashlib.sha256).hexdigest()
    return digest[:CHECK_LENGTH].upper()


def make_code(event: Event, number: int) -> str:
    """``<year><event id>-<number>-<check>``, e.g. ``2026007-00012-3FA9C1``."""
    serial = f"{event.starts_on.year}{event.id:03d}-{number:05d}"
    return f"{serial}-{_check(serial)}"


def well_formed(code: str) -> bool:
    """Whether the code's check part matches the rest (before any database lookup)."""
    serial, _, check = code.strip().upper().rpartition("-")
    return bool(serial) and hmac.compare_digest(check, _check(serial))


def issue(event: Event, awards: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Issue a certificate for every (award, entrant) of the final award lists that has none
    yet; returns every code by (award code, entrant code). Idempotent."""
    entrants = dict(
        db.session.execute(
            sa.select(Entrant.code, Entrant.id).where(Entrant.event_id == event.id)
        ).all()
    )
    existing = {
        (award, code): cert
        for award, code, cert in db.session.execute(
            sa.select(Certificate.award_code, Entrant.code, Certificate.code)
            .join(Entrant, Entrant.id == Certificate.entrant_id)
            .where(Certificate.event_id == event.id)
        )
    }
    number = len(existing)
    for award in awards:
        for row in award["entrants"]:
            key = (award["code"], row["entrant"])
            if key in existing or row["entrant"] not in entrants:
                continue
            number += 1
            code = make_code(event, number)
            db.session.add(
                Certificate(
                    code=code,
                    event_id=event.id,
                    entrant_id=entrants[row["entrant"]],
                    award_code=award["code"],
                    title=award["title"],
                )
            )
            existing[key] = code
    db.session.flush()
    return existing


@dataclass(frozen=True)
class Verification:
    """What the public verify page says about a code."""

    genuine: bool
    certificate: Certificate | None = None


def verify(code: str) -> Verification:
    """Genuine only if the check part is right and the certificate was issued."""
    code = code.strip().upper()
    if not well_formed(code):
        return Verification(False)
    found = db.session.execute(
        sa.select(Certificate).where(Certificate.code == code)
    ).scalar_one_or_none()
    return Verification(found is not None, found)


def for_entrant(entrant: Entrant) -> list[Certificate]:
    """An entrant's certificates, for their own page and the self-lookup."""
    return list(
        db.session.execute(
            sa.select(Certificate)
            .where(Certificate.entrant_id == entrant.id)
            .order_by(Certificate.id)
        ).scalars()
    )
