"""The registration desk: review registrations, coverage, draw of lots, check-in."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.auth.access import can_check_in, can_manage_event, object_required
from contest.core.web import on_refusal
from contest.extensions import db
from contest.labels import LABELS
from contest.models import Entrant, Event, RegistrationStatus, Trade
from contest.registration.forms import CheckInForm, DrawForm, ReviewFilter, ReviewForm
from contest.services import draw, registration, reports

bp = Blueprint("registration", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _manage_trade(user, trade: Trade) -> bool:
    return can_manage_event(user, trade.event)


# --- review --------------------------------------------------------------------------------


def _review_page(event: Event, form: ReviewForm, status: int = 200):
    g.timezone = event.timezone
    filters = ReviewFilter(request.args)
    filters.status.choices = [("", _("All"))] + [
        (s.value, LABELS[RegistrationStatus][s]) for s in RegistrationStatus
    ]
    filters.trade.choices = [("", _("All"))] + [(t.code, t.name) for t in event.trades]
    filters.unit.choices = [("", _("All"))] + [(u.code, u.name) for u in event.units]
    if not request.args:
        filters.status.data = RegistrationStatus.SUBMITTED.value
    entrants = registration.for_review(
        event, status=filters.status.data, trade=filters.trade.data, unit=filters.unit.data
    )
    counts = registration.status_counts(event)
    return (
        render_template(
            "registration/review.html",
            event=event,
            form=form,
            filters=filters,
            entrants=entrants,
            counts=counts,
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
    entrants = list(
        db.session.execute(
            sa.select(Entrant).where(Entrant.event_id == event.id, Entrant.id.in_(ids))
        ).scalars()
    )
    if not entrants:
        flash(_("Select at least one registration."), "error")
        return _review_page(event, form, 400)
    approve = bool(form.approve.data)
    reason = (form.reason.data or "").strip() or None
    if not approve and not reason:
        form.reason.errors = [_("Give the reason for returning the registrations.")]
        return _review_page(event, form, 400)
    registration.review(current_user, entrants, approve=approve, reason=reason)
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
    return render_template(
        "registration/coverage.html", event=event, report=registration.coverage(event)
    )


@bp.get("/events/<int:event_id>/coverage.xlsx")
@object_required(Event, "event_id", can_manage_event)
def coverage_xlsx(event: Event):
    """The coverage report as an Excel workbook."""
    data = reports.coverage_workbook(event, registration.coverage(event))
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{event.slug}-coverage.xlsx",
    )


# --- draw ----------------------------------------------------------------------------------


def _draw_page(trade: Trade, form: DrawForm, status: int = 200):
    g.timezone = trade.event.timezone
    return (
        render_template(
            "registration/draw.html",
            trade=trade,
            form=form,
            stations=draw.station_list(trade),
            pending=len(draw.drawable(trade)),
            verified=draw.verify_draw(trade) if trade.draw_seed else None,
        ),
        status,
    )


@bp.get("/trades/<int:trade_id>/draw")
@object_required(Trade, "trade_id", _manage_trade)
def draw_page(trade: Trade):
    """The trade's draw of lots: its seed, stations and codes, or the button to make it."""
    return _draw_page(trade, DrawForm())


@bp.post("/trades/<int:trade_id>/draw")
@object_required(Trade, "trade_id", _manage_trade)
def make_draw(trade: Trade):
    """Make the draw from a given or random seed."""
    form = DrawForm()
    if not form.validate():
        return _draw_page(trade, form, 400)
    if form.redraw.data and not (form.reason.data or "").strip():
        form.reason.errors = [_("Give the reason for drawing again.")]
        return _draw_page(trade, form, 400)
    on_refusal(lambda refused: _draw_page(trade, form))
    draw.make_draw(
        current_user,
        trade,
        form.seed.data or None,
        redraw=bool(form.redraw.data),
        reason=(form.reason.data or "").strip() or None,
    )
    flash(_("The draw has been made with seed %(seed)s.", seed=trade.draw_seed), "success")
    return redirect(url_for(".draw_page", trade_id=trade.id))


@bp.get("/trades/<int:trade_id>/stations.pdf")
@object_required(Trade, "trade_id", _manage_trade)
def stations_pdf(trade: Trade):
    """The printable station list (工位表): station, code — no names, for the venue."""
    return _pdf(reports.station_list_pdf(trade), f"{trade.event.slug}-{trade.code}-stations.pdf")


@bp.get("/trades/<int:trade_id>/door-list.pdf")
@object_required(Trade, "trade_id", _manage_trade)
def door_list_pdf(trade: Trade):
    """The door list for check-in (检录表): name, unit, masked ID, station, signature."""
    return _pdf(reports.door_list_pdf(trade), f"{trade.event.slug}-{trade.code}-door-list.pdf")


def _pdf(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name)


# --- check-in ------------------------------------------------------------------------------


@bp.get("/trades/<int:trade_id>/check-in")
@object_required(Trade, "trade_id", can_check_in)
def check_in(trade: Trade):
    """Check-in on a tablet: search by station number or name, mark present or absent."""
    g.timezone = trade.event.timezone
    query = request.args.get("q", "")[:50]
    return render_template(
        "registration/check_in.html",
        trade=trade,
        query=query,
        entrants=draw.search(trade, query),
        form=CheckInForm(),
    )


@bp.post("/trades/<int:trade_id>/check-in/<int:entrant_id>")
@object_required(Trade, "trade_id", can_check_in)
def mark(trade: Trade, entrant_id: int):
    """Record one entrant's check-in; absent entrants become DNS."""
    entrant = db.get_or_404(Entrant, entrant_id)
    if entrant.trade_id != trade.id:
        abort(404)
    form = CheckInForm()
    if not form.validate():
        abort(400)
    draw.check_in(current_user, entrant, present=bool(form.present.data))
    flash(
        _(
            "%(station)s %(name)s: %(state)s",
            station=entrant.station_no or "",
            name=entrant.name,
            state=LABELS[type(entrant.check_in)][entrant.check_in],
        ),
        "success",
    )
    return redirect(url_for(".check_in", trade_id=trade.id, q=request.args.get("q", "")))
