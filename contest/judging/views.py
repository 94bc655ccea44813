"""Judges' pages: their panels, their sheets, and the score sheet itself.

Entrants appear only by station number and anonymous code. The sheet page works without
JavaScript (a plain form); with it, ``static/js/sheet.js`` saves every value as it is
entered through the JSON API and queues entries on the tablet while the network is down.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import JUDGING, object_required, part_of, roles_required
from contest.core.refusals import describe, describe_problem
from contest.core.web import on_refusal
from contest.domain.refusal import Refused
from contest.domain.stages import StageKind
from contest.events.access import can_chief_trade, can_judge_trade
from contest.events.models import Trade
from contest.judging import exam_marking, exam_marking_views, facts, sheets
from contest.judging import services as judging
from contest.registration.models import CheckIn, Entrant
from contest.stages import services as stages

bp = Blueprint("judging", __name__)

# Marking the short items of a trade's theory exam (exam_marking_views), on this blueprint.
_EXAM = "/trades/<int:trade_id>/exam-marking"
bp.add_url_rule(_EXAM, "exam_marking", exam_marking_views.marking, methods=["GET"])
bp.add_url_rule(f"{_EXAM}/<code>", "exam_item", exam_marking_views.item, methods=["GET"])
bp.add_url_rule(f"{_EXAM}/<code>", "save_exam_item", exam_marking_views.save, methods=["POST"])


@bp.get("/")
@roles_required(*JUDGING)
def home():
    """The panels this judge sits on, with their own progress on each."""
    seats = judging.panels_for_user(current_user)
    progress = {seat.trade_id: judging.panel_progress(seat.trade) for seat in seats}
    sessions = {
        seat.trade_id: stages.window(seat.trade.event, StageKind.SCORING, seat.trade)
        for seat in seats
    }
    return render_template(
        "judging/home.html",
        seats=seats,
        progress=progress,
        sessions=sessions,
        paper=judging.clerk_trades(current_user),
        marking=exam_marking.entries(current_user),
    )


@bp.get("/trades/<int:trade_id>")
@object_required(Trade, "trade_id", can_judge_trade)
def trade(trade: Trade):
    """The judge's sheets for this trade (those of entrants not checked in, and of absent
    ones, shown as such); the chief judge also sees every judge's progress."""
    g.timezone = trade.event.timezone
    judge = judging.judge_for_user(current_user, trade) or abort(403)
    progress = judging.panel_progress(trade)
    return render_template(
        "judging/trade.html",
        trade=trade,
        judge=judge,
        sheets=progress.sheets.get(judge.id, []),
        absent=[e for e in judging.approved_entrants(trade) if e.check_in == CheckIn.ABSENT],
        present=CheckIn.PRESENT,
        progress=progress,
        is_chief=can_chief_trade(current_user, trade),
        scoring_open=stages.is_open(trade.event, StageKind.SCORING, trade),
        published=facts.published(trade.event),
        rescores=judging.open_rescores(judge),
    )


def _sheet_page(trade: Trade, entrant: Entrant, refused: Refused | None = None):
    """The sheet; after a refused save, each refused value's message next to its criterion.
    A sheet the judge cannot change now (``sheets.closed``) is shown read-only, saying why."""
    g.timezone = trade.event.timezone
    errors = {
        p.path: describe_problem(refused, p, located=False)
        for p in (refused.problems if refused is not None else ())
    }
    sheet = sheets.load(current_user, trade, entrant)
    closed = sheets.closed(sheet)
    return render_template(
        "judging/sheet.html",
        sheet=sheet,
        errors=errors,
        closed=describe(closed) if closed is not None else None,
    )


@bp.get("/trades/<int:trade_id>/sheets/<int:entrant_id>")
@object_required(Trade, "trade_id", can_judge_trade)
@part_of(Entrant, "entrant_id", "trade")
def sheet(trade: Trade, entrant: Entrant):
    """The score sheet for one entrant."""
    return _sheet_page(trade, entrant)


@bp.post("/trades/<int:trade_id>/sheets/<int:entrant_id>")
@object_required(Trade, "trade_id", can_judge_trade)
@part_of(Entrant, "entrant_id", "trade")
def save_sheet(trade: Trade, entrant: Entrant):
    """The sheet's plain form (without JavaScript): save every changed value, then submit if
    asked. Nothing is saved if any value is refused."""
    on_refusal(lambda refused: _sheet_page(trade, entrant, refused))
    typed = {key[6:]: value for key, value in request.form.items() if key.startswith("value-")}
    versions = {k[8:]: value for k, value in request.form.items() if k.startswith("version-")}
    reason = (request.form.get("reason") or "").strip()[:500] or None
    sheets.save_typed(current_user, trade, entrant, typed, versions, reason)
    if "submit" in request.form:
        sheets.submit(current_user, trade, entrant)
    flash(_("The sheet has been saved."), "success")
    return redirect(url_for(".sheet", trade_id=trade.id, entrant_id=entrant.id))
