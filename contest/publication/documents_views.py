"""Views of the documents area: the final award lists as PDF and Excel, certificates, and
the public certificate verification page.

Nothing here is shown before the event's results are published: an unpublished event's
documents are 404, as if they did not exist; withdrawn results answer 410 with a page that
says when and why. A certificate's verification page, once it was issued, always answers:
revoked, the page says so.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from contest.accounts.access import STAFF, object_required, roles_required
from contest.core.files import XLSX
from contest.events import services as events
from contest.events.access import can_manage_event
from contest.events.models import Event
from contest.publication import documents
from contest.publication import services as publications
from contest.publication.models import Publication
from contest.publication.views import withdrawn_page

bp = Blueprint("documents", __name__)

PDF = "application/pdf"
#: Longest certificate number worth looking up (they are about 20 characters).
CODE_LIMIT = 64


def _published(event: Event) -> Publication:
    """The event's results publication; 404 while the results are not public, 410 (with
    the page saying when and why) once they are withdrawn."""
    g.timezone = event.timezone
    publication = documents.results_publication(event)
    if publication is None:
        withdrawn = publications.withdrawn(event, publications.RESULTS)
        if withdrawn is not None:
            abort(withdrawn_page(event, withdrawn))
        abort(404)
    return publication


def _download(data: bytes, mimetype: str, ascii_name: str, name: str, cache: bool) -> Response:
    """A file download whose name keeps its Chinese (RFC 6266 / RFC 5987 ``filename*``)."""
    response = Response(data, mimetype=mimetype)
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", ascii_name)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    # Published documents never change; a certificate bundle is the organisers' own.
    response.headers["Cache-Control"] = "public, max-age=300" if cache else "private, no-store"
    return response


@bp.get("/e/<slug>/awards.pdf")
def awards_pdf(slug: str):
    """The final award lists (获奖名单) as PDF."""
    event = events.event_by_slug(slug) or abort(404)
    data = documents.award_lists_pdf(event, _published(event))
    title = _("Award lists")
    return _download(data, PDF, f"{event.slug}-awards.pdf", f"{event.name}-{title}.pdf", True)


@bp.get("/e/<slug>/awards.xlsx")
def awards_xlsx(slug: str):
    """The final award lists (获奖名单) as an Excel workbook."""
    event = events.event_by_slug(slug) or abort(404)
    data = documents.award_lists_workbook(event, _published(event))
    title = _("Award lists")
    return _download(data, XLSX, f"{event.slug}-awards.xlsx", f"{event.name}-{title}.xlsx", True)


def _genuine(code: str) -> documents.CertificateFacts | None:
    return documents.genuine_certificate(code) if len(code) <= CODE_LIMIT else None


@bp.get("/certificates/<code>.pdf")
def certificate_pdf(code: str):
    """One certificate (荣誉证书) with its QR code; 404 unless the number is genuine, 410
    (the verification page, saying so) once it is revoked."""
    facts = _genuine(code)
    if facts is None:
        abort(404)
    g.timezone = facts.event.timezone
    if facts.revoked:
        page = render_template("documents/verify.html", code=facts.code, facts=facts, checked=True)
        abort(make_response(page, 410))
    data = documents.certificate_pdf(facts)
    title = _("Certificate of honour")
    name = f"{title}-{facts.name}-{facts.code}.pdf"
    return _download(data, PDF, f"certificate-{facts.code}.pdf", name, cache=True)


@bp.get("/verify")
def verify_form():
    """A form to type a certificate number; a submitted number goes to its verify page."""
    code = request.args.get("code", "").strip().upper()
    if code:
        return redirect(url_for(".verify", code=code[:CODE_LIMIT]))
    return render_template("documents/verify.html", code="", facts=None, checked=False)


@bp.get("/verify/<code>")
def verify(code: str):
    """Whether a certificate number is genuine, what it certifies and whether it was revoked
    (404 only for a number never issued)."""
    facts = _genuine(code)
    if facts is not None:
        g.timezone = facts.event.timezone
    page = render_template("documents/verify.html", code=code, facts=facts, checked=True)
    return page, 200 if facts is not None else 404


@bp.get("/documents/events/<int:event_id>/certificates.pdf")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
def event_certificates_pdf(event: Event):
    """Every certificate of the event in one PDF, for printing (organisers only)."""
    _published(event)
    data = documents.certificates_pdf(event)
    title = _("Certificates")
    name = f"{event.name}-{title}.pdf"
    return _download(data, PDF, f"{event.slug}-certificates.pdf", name, cache=False)
