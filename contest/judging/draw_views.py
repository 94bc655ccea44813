"""The draw of lots (抽签) and check-in (检录) of a trade, on the registration desk's
addresses: the draw with its seed, stations and codes, the printable station and door
lists, and check-in on a tablet."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import object_required, part_of
from contest.core.labels import LABELS
from contest.core.web import on_refusal
from contest.events.access import can_check_in, can_manage_event
from contest.events.models import Trade
from contest.judging import draw, reports
from contest.judging.forms import CheckInForm, DrawForm
from contest.registration.models import Entrant

bp = Blueprint("draw", __name__)


def _manage_trade(user, trade: Trade) -> bool:
    return can_manage_event(user, trade.event)


# --- draw ----------------------------------------------------------------------------------


def _draw_page(trade: Trade, form: DrawForm, status: int = 200):
    g.timezone = trade.event.timezone
    return (
        render_template(
            "judging/draw.html",
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
        "judging/check_in.html",
        trade=trade,
        query=query,
        entrants=draw.search(trade, query),
        form=CheckInForm(),
    )


@bp.post("/trades/<int:trade_id>/check-in/<int:entrant_id>")
@object_required(Trade, "trade_id", can_check_in)
@part_of(Entrant, "entrant_id", "trade")
def mark(trade: Trade, entrant: Entrant):
    """Record one entrant's check-in; absent entrants become DNS."""
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
