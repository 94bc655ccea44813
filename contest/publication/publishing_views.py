"""The organisers' publishing pages (``/publication/events/<event>/…``):

- the event's publications: where the 公示 and the results stand, every publication made
  (withdrawn ones too), and the certificates;
- the preview of the 公示 list or of the results — exactly what would be published, with
  the trades that stop it — and its confirmation (a POST carrying the preview's
  fingerprint);
- withdrawing a publication, and revoking a certificate: each a confirmation page saying
  what it undoes, with a required reason.

Organisers and administrators only; every refusal says why and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import STAFF, object_required, part_of, roles_required
from contest.core.refusals import describe
from contest.core.web import on_refusal
from contest.domain import lifecycle
from contest.domain.refusal import Refused
from contest.events.access import can_manage_event
from contest.events.models import Event
from contest.publication import certificates, publishing
from contest.publication import services as publications
from contest.publication.forms import PublishForm, RevokeForm, WithdrawForm
from contest.publication.models import Certificate

bp = Blueprint("publishing", __name__)

#: The kinds in addresses: ``public_notice`` or ``results``.
KIND = f"<any({publications.NOTICE}, {publications.RESULTS}):kind>"


@bp.app_template_global()
def publication_overdue(found: publishing.Standing) -> str:
    """The sentence saying a publication's time has come without it, and why (used by the
    organisers' stage page too)."""
    return publishing.overdue_text(found)


@bp.app_template_global()
def refusal_text(refused: Refused) -> str:
    """A refusal's message in the user's language."""
    return describe(refused)


def event_page(view: Callable) -> Callable:
    """Show the page's times in the event's time zone (below ``object_required``)."""

    @wraps(view)
    def wrapped(event: Event, *args, **kwargs):
        g.timezone = event.timezone
        return view(event, *args, **kwargs)

    return wrapped


def _hub(event: Event):
    return redirect(url_for(".event", event_id=event.id))


@bp.get("/events/<int:event_id>/")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def event(event: Event):
    """Where the 公示 and the results stand, every publication made and the certificates."""
    return render_template(
        "publication/event.html",
        event=event,
        standing=publishing.standing(event),
        history=publications.history(event),
        certificates=certificates.of_event(event),
    )


def _preview_page(event: Event, kind: str, form: PublishForm | None = None):
    shown = publishing.preview(event, kind)
    form = form or PublishForm(formdata=None, data={"digest": shown.digest})
    form.digest.data = shown.digest
    return render_template("publication/preview.html", event=event, preview=shown, form=form)


@bp.get(f"/events/<int:event_id>/{KIND}/preview")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def preview(event: Event, kind: str):
    """Exactly what publishing would make public now, the trades that stop it, and the
    confirmation."""
    return _preview_page(event, kind)


@bp.post(f"/events/<int:event_id>/{KIND}/publish")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def publish(event: Event, kind: str):
    """Publish what the preview showed (its fingerprint must still match)."""
    form = PublishForm()
    if not form.validate():
        return _preview_page(event, kind), 400
    on_refusal(lambda refused: _preview_page(event, kind))
    reason = _("Published after the preview was confirmed")
    publishing.confirm(current_user, event, kind, form.digest.data, reason)
    if kind == publications.NOTICE:
        flash(_("The nomination list is published for public notice."), "success")
    else:
        flash(_("The results and award lists are published; the certificates are issued."),
              "success")  # fmt: skip
    return _hub(event)


def _withdraw_page(event: Event, kind: str, form: WithdrawForm):
    return render_template(
        "publication/withdraw.html",
        event=event,
        kind=kind,
        publication=publications.published(event, kind),
        undoes=lifecycle.UNDOES[lifecycle.Reopen.WITHDRAW_PUBLICATION],
        form=form,
    )


@bp.route(f"/events/<int:event_id>/{KIND}/withdraw", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def withdraw(event: Event, kind: str):
    """Withdraw the current publication of this kind, with a reason, after seeing what
    that undoes."""
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _withdraw_page(event, kind, form), 400 if form.is_submitted() else 200
    on_refusal(lambda refused: _withdraw_page(event, kind, form), form)
    publications.withdraw(current_user, event, kind, form.reason.data)
    flash(_("The publication is withdrawn; the public pages say so."), "success")
    return _hub(event)


def _revoke_page(event: Event, certificate: Certificate, form: RevokeForm):
    return render_template(
        "publication/revoke.html", event=event, certificate=certificate, form=form
    )


@bp.route("/events/<int:event_id>/certificates/<int:certificate_id>/revoke",
          methods=["GET", "POST"])  # fmt: skip
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
@part_of(Certificate, "certificate_id", "event")
def revoke(event: Event, certificate: Certificate):
    """Revoke a certificate, with a reason, after seeing what it certifies."""
    form = RevokeForm()
    if not form.validate_on_submit():
        return _revoke_page(event, certificate, form), 400 if form.is_submitted() else 200
    on_refusal(lambda refused: _revoke_page(event, certificate, form), form)
    certificates.revoke(current_user, certificate, form.reason.data)
    flash(_("Certificate %(code)s is revoked.", code=certificate.code), "success")
    return redirect(url_for(".event", event_id=event.id, _anchor="certificates"))
