"""Places per unit and trade (名额分配): the grid of the event's units and trades, saved at
once or uploaded from Excel, with the units that have more entries than their places."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import STAFF, object_required, roles_required
from contest.core.files import XLSX
from contest.core.refusals import describe, describe_problem
from contest.core.web import on_refusal
from contest.domain.refusal import Refused
from contest.events.access import can_manage_event
from contest.events.models import Event
from contest.organise.base import event_page
from contest.registration import places
from contest.registration import services as registration
from contest.registration.forms import PlacesUploadForm

bp = Blueprint("places", __name__, url_prefix="/events/<int:event_id>")


def _page(event: Event, *, form=None, typed=None, problems=(), summary=None, status=200):
    rules = registration.rules_for(event)
    return render_template(
        "organise/places.html",
        event=event,
        grid=places.grid(event, rules),
        over=places.warnings(event, rules),
        form=form or PlacesUploadForm(),
        typed=typed or {},
        problems=problems,
        summary=summary,
    ), status


@bp.get("/places")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def index(event: Event):
    """The grid: a unit's places in a trade, or empty for the trade's quota per unit."""
    return _page(event)


@bp.post("/places")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def save(event: Event):
    """Save the whole grid (nothing if a cell is not a number)."""
    values, bad = {}, []
    for unit in event.units:
        for trade in event.trades:
            raw = request.form.get(f"p-{unit.id}-{trade.id}", "")
            try:
                values[(unit.id, trade.id)] = places.read_value(raw)
            except ValueError:
                bad.append(f"{unit.name} · {trade.name}")
    if bad:
        flash(
            _("Not saved: places are whole numbers from 0 to %(most)s (%(cells)s).",
              most=places.MOST, cells=_("、").join(bad)),
            "error",
        )  # fmt: skip
        return _page(event, typed=request.form, status=400)
    places.set_places(current_user, event, values)
    flash(_("Places saved."), "success")
    return redirect(url_for(".index", event_id=event.id))


@bp.get("/places.xlsx")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
def download(event: Event):
    """The grid as an Excel sheet, to fill in and upload again."""
    data = places.workbook(event, registration.rules_for(event))
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{event.slug}-places.xlsx",
    )


@bp.post("/places/upload")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def upload(event: Event):
    """The grid from an Excel sheet: all of it, or nothing with each problem by row and
    column."""
    form = PlacesUploadForm()
    if not form.validate_on_submit():
        return _page(event, form=form, status=400)

    def report(refused: Refused):
        problems = [describe_problem(refused, p) for p in refused.problems]
        return _page(event, form=form, problems=problems, summary=describe(refused))

    on_refusal(report)
    values = places.read_workbook(event, form.file.data.stream)
    places.set_places(current_user, event, values)
    flash(_("Places saved from the sheet."), "success")
    return redirect(url_for(".index", event_id=event.id))
