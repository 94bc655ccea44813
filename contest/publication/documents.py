"""The documents an event publishes with its results: the final award lists (PDF and Excel),
a certificate per award (PDF, with a QR code to the public verification page), and what the
verification page says about a certificate number.

Everything is read from the results publication, which never changes once made, so the
award-list documents are rendered once per process and language and then served from a
small cache (results day is a burst of downloads of the same file).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale, gettext
from openpyxl import Workbook

from contest.core.extensions import db
from contest.core.files import fill_sheet, render_pdf, workbook_bytes
from contest.core.links import public_url
from contest.events.models import Event
from contest.publication import certificates
from contest.publication import services as publications
from contest.publication.models import Certificate, Publication

CACHE_SIZE = 16


# --- what was published ---------------------------------------------------------------------


def results_publication(event: Event) -> Publication | None:
    """The event's published results, or None while they are not public."""
    return publications.published(event, publications.RESULTS)


@dataclass(frozen=True)
class AwardRow:
    """One line of a final award list."""

    number: int
    entrant: str
    name: str
    unit: str
    trade: str
    rank: int | None
    total: Decimal | None
    promoted_to: str | None
    certificate: str | None


@dataclass(frozen=True)
class AwardList:
    """One final award list: its rule's code and title, and its rows."""

    code: str
    title: str
    rows: list[AwardRow]


@dataclass(frozen=True)
class Change:
    """A change made to the 公示 lists by an upheld objection."""

    award: str
    entrant: str
    name: str
    what: str
    reason: str


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(value) if value not in (None, "") else None
    except InvalidOperation:
        return None


def award_lists(publication: Publication) -> list[AwardList]:
    """The final award lists as published, numbered from 1 within each list."""
    lists = []
    for award in publication.payload.get("awards", []):
        rows = [
            AwardRow(
                number=number,
                entrant=row["entrant"],
                name=row.get("name") or "",
                unit=row.get("unit") or "",
                trade=row.get("trade_name") or row.get("trade") or "",
                rank=row.get("rank"),
                total=_decimal(row.get("total")),
                promoted_to=row.get("promoted_to"),
                certificate=row.get("certificate"),
            )
            for number, row in enumerate(award["entrants"], start=1)
        ]
        lists.append(AwardList(award["code"], award["title"], rows))
    return lists


def changes(publication: Publication) -> list[Change]:
    """The changes made by upheld objections, in words."""
    entrants = publication.payload.get("entrants", {})
    result = []
    for change in publication.payload.get("changes", []):
        if change.get("action") == "change":
            title = change.get("to_title") or change.get("to") or ""
            what = gettext("Moved to the list “%(award)s”", award=title)
        else:
            what = gettext("Removed from the list")
        result.append(
            Change(
                award=change.get("award_title") or change.get("award") or "",
                entrant=change["entrant"],
                name=entrants.get(change["entrant"], {}).get("name") or "",
                what=what,
                reason=change.get("reason") or "",
            )
        )
    return result


# --- award lists -----------------------------------------------------------------------------


def _cached(
    kind: str, event: Event, publication: Publication, render: Callable[[], bytes]
) -> bytes:
    """Render once per publication, language and kind (the publication never changes; an
    edit of the event's name or host makes a new copy)."""
    cache: OrderedDict = current_app.extensions.setdefault("documents_cache", OrderedDict())
    stamps = (publication.published_at.isoformat(), event.updated_at.isoformat())
    key = (kind, publication.id, *stamps, str(get_locale()))
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    data = render()
    cache[key] = data
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
    return data


def award_lists_pdf(event: Event, publication: Publication) -> bytes:
    """获奖名单 as PDF: every final award list, then the changes made after the 公示."""

    def render() -> bytes:
        return render_pdf(
            "pdf/awards.html",
            event=event,
            publication=publication,
            lists=award_lists(publication),
            changes=changes(publication),
            verify_at=public_url("documents.verify_form"),
        )

    return _cached("awards.pdf", event, publication, render)


def award_lists_workbook(event: Event, publication: Publication) -> bytes:
    """获奖名单 as an .xlsx workbook: one sheet with every list, one with the changes."""

    def render() -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.title = gettext("Award lists")
        header = [
            gettext("Award"),
            gettext("No."),
            gettext("Name"),
            gettext("Unit"),
            gettext("Trade"),
            gettext("Rank"),
            gettext("Total"),
            gettext("Promoted to"),
            gettext("Certificate number"),
        ]
        rows = [
            [
                award.title, row.number, row.name, row.unit, row.trade, row.rank or "",
                row.total if row.total is not None else "", row.promoted_to or "",
                row.certificate or "",
            ]
            for award in award_lists(publication)
            for row in award.rows
        ]  # fmt: skip
        fill_sheet(sheet, header, rows, event.decimals)
        fill_sheet(
            book.create_sheet(gettext("Changes after the public notice")),
            [gettext("Award"), gettext("Entrant"), gettext("Name"), gettext("Change"),
             gettext("Reason")],
            [[c.award, c.entrant, c.name, c.what, c.reason] for c in changes(publication)],
            event.decimals,
        )  # fmt: skip
        return workbook_bytes(book)

    return _cached("awards.xlsx", event, publication, render)


# --- certificates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate certifies, as published, and whether it still stands."""

    code: str
    name: str
    unit: str
    trade: str
    award: str
    promoted_to: str | None
    event: Event
    issued_at: datetime
    revoked_at: datetime | None = None
    revocation_reason: str | None = None
    #: When the results it was issued with were withdrawn (and not published again).
    results_withdrawn_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def _published_rows(event: Event) -> dict[str, dict[str, Any]]:
    """Every award row that carried a certificate, by its code: from the current results
    publication first, then from withdrawn ones (newest first) — what the certificate was
    issued for, even after a withdrawal."""
    rows: dict[str, dict[str, Any]] = {}
    for publication in publications.history(event):
        if publication.kind != publications.RESULTS:
            continue
        current = not publication.is_withdrawn
        for award in publication.payload.get("awards", []):
            for row in award["entrants"]:
                code = row.get("certificate")
                if code and (current or code not in rows):
                    rows[code] = row
    return rows


def _facts(
    certificate: Certificate,
    rows: dict[str, dict[str, Any]],
    withdrawn: Publication | None = None,
) -> CertificateFacts:
    row = rows.get(certificate.code)
    if row is None:  # not in any published list: say what the database holds
        entrant = certificate.entrant
        row = {"name": entrant.name, "unit": entrant.unit.name, "trade_name": entrant.trade.name}
    return CertificateFacts(
        code=certificate.code,
        name=row.get("name") or "",
        unit=row.get("unit") or "",
        trade=row.get("trade_name") or row.get("trade") or "",
        award=certificate.title,
        promoted_to=row.get("promoted_to"),
        event=certificate.event,
        issued_at=certificate.issued_at,
        revoked_at=certificate.revoked_at,
        revocation_reason=certificate.revocation_reason,
        results_withdrawn_at=withdrawn.withdrawn_at if withdrawn is not None else None,
    )


def genuine_certificate(code: str) -> CertificateFacts | None:
    """What the certificate with this number certifies and whether it was revoked, or None
    if it is not genuine (a wrong check part, or never issued). A certificate once issued
    is always found here: revoked, or its results withdrawn, the page says so."""
    verification = certificates.verify(code)
    certificate = verification.certificate
    if not verification.genuine or certificate is None:
        return None
    event = certificate.event
    withdrawn = publications.withdrawn(event, publications.RESULTS)
    return _facts(certificate, _published_rows(event), withdrawn)


def verify_url(code: str) -> str:
    """The absolute address of the public verification page of a certificate (at the
    configured public address, whatever host the request named)."""
    return public_url("documents.verify", code=code)


def qr_data_uri(text: str) -> str:
    """A QR code (SVG, error correction M, with its quiet zone) as a data URI."""
    return segno.make_qr(text, error="m").svg_data_uri(scale=4, border=4)


def _certificate_pages(facts: list[CertificateFacts]) -> list[dict[str, Any]]:
    pages = []
    for f in facts:
        url = verify_url(f.code)
        pages.append({"facts": f, "url": url, "qr": qr_data_uri(url)})
    return pages


def certificate_pdf(facts: CertificateFacts) -> bytes:
    """荣誉证书: one A4 landscape page with the certificate number and a QR code to its
    verification page."""
    return render_pdf("pdf/certificate.html", pages=_certificate_pages([facts]))


def event_certificates(event: Event) -> list[CertificateFacts]:
    """Every valid (unrevoked) certificate issued for the event, in the order issued."""
    rows = _published_rows(event)
    found = db.session.execute(
        sa.select(Certificate)
        .where(Certificate.event_id == event.id, Certificate.revoked_at.is_(None))
        .order_by(Certificate.id)
    ).scalars()
    return [_facts(certificate, rows) for certificate in found]


def certificates_pdf(event: Event) -> bytes:
    """All of an event's valid certificates in one PDF, one page each, for printing."""
    pages = _certificate_pages(event_certificates(event))
    return render_pdf("pdf/certificate.html", pages=pages, event=event)
