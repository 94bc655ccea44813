"""The draw of lots (抽签) and check-in (检录) of a trade, on the registration desk's
addresses: the draw with its seed, stations and codes, the printable station and door
lists, and check-in on a tablet."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from contest.accounts.access import object_required, part_of
from contest.core.labels import LABELS
from contest.core.refusals import describe
from contest.core.web import on_refusal
from contest.domain import lifecycle
from contest.events.access import can_check_in, can_manage_event
from contest.events.models import Trade
from contest.judging import checkin, draw, reports
from contest.judging.forms import CheckInForm, DrawForm, TopUpForm
from contest.registration.models import Entrant

bp = Blueprint("draw", __name__)


def _manage_trade(user, trade: Trade) -> bool:
    return can_manage_event(user, trade.event)


# --- draw ----------------------------------------------------------------------------------


def _draw_page(
    trade: Trade,
    form: DrawForm | None = None,
    top_up_form: TopUpForm | None = None,
):
    g.timezone = trade.event.timezone
    overview = draw.overview(trade)
    return render_template(
        "judging/draw.html",
        trade=trade,
        form=form if form is not None else DrawForm(formdata=None),
        top_up_form=top_up_form if top_up_form is not None else TopUpForm(formdata=None),
        overview=overview,
        field=overview.field,
        refusals={
            action.value: describe(refused) if refused else None
            for action, refused in overview.refusals.items()
        },
        undoes=_(lifecycle.UNDOES[lifecycle.Reopen.REDRAW]),
    )


@bp.get("/trades/<int:trade_id>/draw")
@object_required(Trade, "trade_id", _manage_trade)
def draw_page(trade: Trade):
    """The trade's draw of lots: its step, its seeds, stations and codes, who has joined or
    left since, and the forms to draw, top up or draw again."""
    return _draw_page(trade)


@bp.post("/trades/<int:trade_id>/draw")
@object_required(Trade, "trade_id", _manage_trade)
def make_draw(trade: Trade):
    """Make the draw (or, ticked and with a reason, draw again) from a given or random seed."""
    form = DrawForm()
    if not form.validate():
        return _draw_page(trade, form), 400
    if form.redraw.data and not (form.reason.data or "").strip():
        form.reason.errors = [_("Give the reason for drawing again.")]
        return _draw_page(trade, form), 400
    on_refusal(lambda refused: _draw_page(trade, form))
    draw.make_draw(
        current_user,
        trade,
        form.seed.data or None,
        redraw=bool(form.redraw.data),
        reason=form.reason.data,
    )
    flash(_("The draw has been made with seed %(seed)s.", seed=trade.draw_seed), "success")
    return redirect(url_for(".draw_page", trade_id=trade.id))


@bp.post("/trades/<int:trade_id>/top-up")
@object_required(Trade, "trade_id", _manage_trade)
def top_up(trade: Trade):
    """Give the entrants approved after the draw their stations, keeping everyone else's."""
    form = TopUpForm()
    if not form.validate():
        return _draw_page(trade, top_up_form=form), 400
    on_refusal(lambda refused: _draw_page(trade, top_up_form=form))
    made = draw.top_up(current_user, trade, form.seed.data or None)
    flash(
        ngettext(
            "%(num)s late approval has been given a station (seed %(seed)s).",
            "%(num)s late approvals have been given stations (seed %(seed)s).",
            len(made.lots),
            seed=made.seed,
        ),
        "success",
    )
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


@bp.get("/trades/<int:trade_id>/cards.pdf")
@object_required(Trade, "trade_id", _manage_trade)
def cards_pdf(trade: Trade):
    """The entrants' cards (参赛证), eight to a page, each with its QR."""
    return _pdf(reports.cards_pdf(trade), f"{trade.event.slug}-{trade.code}-cards.pdf")


def _pdf(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name)


# --- check-in ------------------------------------------------------------------------------


def _check_in_page(trade: Trade, query: str):
    g.timezone = trade.event.timezone
    known = draw.field(trade)
    return render_template(
        "judging/check_in.html",
        trade=trade,
        query=query,
        field=known,
        tally=checkin.tally(known.stationed),
        entrants=checkin.search(known.stationed, query),
        drawn=trade.drawn_at is not None or bool(known.stationed or known.left),
        form=CheckInForm(),
    )


@bp.get("/trades/<int:trade_id>/check-in")
@object_required(Trade, "trade_id", can_check_in)
def check_in(trade: Trade):
    """Check-in on a tablet: the entrants with a station, searched by station number or
    name, marked present or absent, with the running counts; who awaits a station or has
    left the field is named above the list."""
    return _check_in_page(trade, request.args.get("q", "")[:50])


@bp.post("/trades/<int:trade_id>/check-in/<int:entrant_id>")
@object_required(Trade, "trade_id", can_check_in)
@part_of(Entrant, "entrant_id", "trade")
def mark(trade: Trade, entrant: Entrant):
    """Record one entrant's check-in; absent entrants become DNS."""
    form = CheckInForm()
    if not form.validate():
        abort(400)
    query = request.args.get("q", "")[:50]
    on_refusal(lambda refused: _check_in_page(trade, query))
    checkin.check_in(current_user, entrant, present=bool(form.present.data))
    flash(
        _(
            "%(station)s %(name)s: %(state)s",
            station=entrant.station_no or "",
            name=entrant.name,
            state=LABELS[type(entrant.check_in)][entrant.check_in],
        ),
        "success",
    )
    return redirect(url_for(".check_in", trade_id=trade.id, q=query))
