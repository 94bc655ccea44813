"""The registration desk: review registrations, coverage of units and trades."""

from __future__ import annotations

import io

from flask import Blueprint, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import object_required
from contest.core import pagination
from contest.core.files import XLSX
from contest.core.labels import LABELS
from contest.core.web import on_refusal
from contest.domain.scoring import DeclaredStatus
from contest.events.access import can_manage_event
from contest.events.models import Event
from contest.registration import desk, reports
from contest.registration import services as registration
from contest.registration.facts import windows
from contest.registration.forms import ReviewFilter, ReviewForm
from contest.registration.models import RegistrationStatus

bp = Blueprint("registration", __name__)


# --- review --------------------------------------------------------------------------------


def _review_page(event: Event, form: ReviewForm, status: int = 200):
    g.timezone = event.timezone
    filters = ReviewFilter(request.args)
    filters.status.choices = [
        ("", _("All")),
        *((s.value, LABELS[RegistrationStatus][s]) for s in RegistrationStatus),
        (desk.WITHDRAWN, LABELS[DeclaredStatus][DeclaredStatus.WD]),
    ]
    filters.trade.choices = [("", _("All"))] + [(t.code, t.name) for t in event.trades]
    filters.unit.choices = [("", _("All"))] + [(u.code, u.name) for u in event.units]
    if not request.args:
        filters.status.data = RegistrationStatus.SUBMITTED.value
    entrants = desk.for_review(
        event,
        status=filters.status.data,
        trade=filters.trade.data,
        unit=filters.unit.data,
        page=pagination.requested(),
    )
    counts = desk.status_counts(event)
    open_ = windows(event)
    return (
        render_template(
            "registration/review.html",
            event=event,
            form=form,
            filters=filters,
            entrants=entrants,
            counts=counts,
            open=open_.registration_open or open_.review_open,
        ),
        status,
    )


@bp.get("/events/<int:event_id>/review")
@object_required(Event, "event_id", can_manage_event)
def review(event: Event):
    """Registrations to review, filtered by status, trade and unit."""
    return _review_page(event, ReviewForm())


@bp.post("/events/<int:event_id>/review")
@object_required(Event, "event_id", can_manage_event)
def decide(event: Event):
    """Approve the selected registrations, or return them with a reason."""
    form = ReviewForm()
    if not form.validate():
        return _review_page(event, form, 400)
    ids = [int(i) for i in request.form.getlist("entrant") if i.isdigit()]
    approve = bool(form.approve.data)
    on_refusal(lambda refused: _review_page(event, form), form)
    entrants = registration.review(
        current_user, event, ids, approve=approve, reason=(form.reason.data or "").strip() or None
    )
    message = (
        _("%(n)d registrations approved.", n=len(entrants))
        if approve
        else _("%(n)d registrations returned to their units.", n=len(entrants))
    )
    flash(message, "success")
    return redirect(url_for(".review", event_id=event.id, **request.args))


# --- coverage ------------------------------------------------------------------------------


@bp.get("/events/<int:event_id>/coverage")
@object_required(Event, "event_id", can_manage_event)
def coverage(event: Event):
    """不留空白点: units without a team, trades below their minimum field, quota use."""
    g.timezone = event.timezone
    return render_template("registration/coverage.html", event=event, report=desk.coverage(event))


@bp.get("/events/<int:event_id>/coverage.xlsx")
@object_required(Event, "event_id", can_manage_event)
def coverage_xlsx(event: Event):
    """The coverage report as an Excel workbook."""
    data = reports.coverage_workbook(event, desk.coverage(event))
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{event.slug}-coverage.xlsx",
    )
