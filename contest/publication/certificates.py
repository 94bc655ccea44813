"""Certificates: issued on publication, one per entrant and award, each with a code whose
check part only this server can make (HMAC with the secret key), so a certificate number
that was typed wrong or altered is recognised as not genuine.

A certificate is never deleted. It can be revoked by the organisers, with a reason
(audited); its verification page then says so, with the date, and still shows what it
certified. Publishing again after a withdrawal keeps the valid certificates of the awards
that did not change and issues new ones only for the others."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.refusal import N_, Refused
from contest.events.models import Event
from contest.publication.models import Certificate
from contest.registration.models import Entrant

CHECK_LENGTH = 6
#: Longest reason kept for a revocation.
REASON_LIMIT = 2000


class CertificateError(Refused):
    """A refused revocation; ``code`` says why."""

    REASON_REQUIRED = "reason_required"
    REVOKED = "revoked"

    reasons = {
        REASON_REQUIRED: N_("Give the reason for revoking the certificate."),
        REVOKED: N_("This certificate has already been revoked."),
    }
    statuses = {REVOKED: 409}


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


def _number(code: str) -> int:
    """The serial number inside a certificate code (0 if it has none)."""
    parts = code.split("-")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0


def issue(event: Event, awards: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Issue a certificate for every (award, entrant) of the final award lists that has no
    valid (unrevoked) one yet; returns every valid code by (award code, entrant code).
    Idempotent; a new number is never one given before, revoked or not."""
    entrants = dict(
        db.session.execute(
            sa.select(Entrant.code, Entrant.id).where(Entrant.event_id == event.id)
        ).all()
    )
    existing: dict[tuple[str, str], str] = {}
    number = 0
    for award, code, cert, revoked_at in db.session.execute(
        sa.select(Certificate.award_code, Entrant.code, Certificate.code, Certificate.revoked_at)
        .join(Entrant, Entrant.id == Certificate.entrant_id)
        .where(Certificate.event_id == event.id)
    ):
        number = max(number, _number(cert))
        if revoked_at is None:
            existing[(award, code)] = cert
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


def revoke(actor: User, certificate: Certificate, reason: str | None) -> None:
    """Revoke an issued certificate, with a reason (audited); it is kept, and its
    verification page says it was revoked. Revoking twice is refused."""
    reason = (reason or "").strip()[:REASON_LIMIT]
    if not reason:
        raise CertificateError(CertificateError.REASON_REQUIRED)
    revoked_at = utcnow()
    updated = db.session.execute(
        sa.update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
        .values(revoked_at=revoked_at, revoked_by_id=actor.id, revocation_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        raise CertificateError(CertificateError.REVOKED)
    db.session.refresh(certificate)
    audit.record(
        actor, "certificate.revoke", "certificate", certificate.id, event=certificate.event,
        old={"code": certificate.code, "award": certificate.award_code},
        new={"revoked_at": revoked_at.isoformat()}, reason=reason,
    )  # fmt: skip


def valid_keys(event: Event) -> set[tuple[str, str]]:
    """(award code, entrant code) of every valid (unrevoked) certificate of the event."""
    return {
        (award, code)
        for award, code in db.session.execute(
            sa.select(Certificate.award_code, Entrant.code)
            .join(Entrant, Entrant.id == Certificate.entrant_id)
            .where(Certificate.event_id == event.id, Certificate.revoked_at.is_(None))
        )
    }


def of_event(event: Event) -> list[Certificate]:
    """Every certificate issued for the event (revoked ones too), in the order issued."""
    return list(
        db.session.execute(
            sa.select(Certificate)
            .where(Certificate.event_id == event.id)
            .options(selectinload(Certificate.entrant), selectinload(Certificate.revoked_by))
            .order_by(Certificate.id)
        ).scalars()
    )


@dataclass(frozen=True)
class Verification:
    """What the public verify page says about a code."""

    genuine: bool
    certificate: Certificate | None = None


def verify(code: str) -> Verification:
    """Genuine only if the check part is right and the certificate was issued (a revoked
    certificate is genuine: its page says it was revoked)."""
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
