"""Judge home and trade pages: entrants appear only by station number and code."""

from flask import Blueprint, abort, g, render_template
from flask_login import current_user

from contest.auth.access import (
    JUDGING,
    can_chief_trade,
    can_judge_trade,
    object_required,
    roles_required,
)
from contest.models import Trade
from contest.services import judging

bp = Blueprint("judging", __name__)


@bp.get("/")
@roles_required(*JUDGING)
def home():
    """The panels this judge sits on, with their own progress on each."""
    seats = judging.panels_for_user(current_user)
    progress = {seat.trade_id: judging.panel_progress(seat.trade) for seat in seats}
    return render_template("judging/home.html", seats=seats, progress=progress)


@bp.get("/trades/<int:trade_id>")
@object_required(Trade, "trade_id", can_judge_trade)
def trade(trade: Trade):
    """The judge's sheets for this trade; the chief judge also sees every judge's progress."""
    g.timezone = trade.event.timezone
    judge = judging.judge_for_user(current_user, trade) or abort(403)
    progress = judging.panel_progress(trade)
    return render_template(
        "judging/trade.html",
        trade=trade,
        judge=judge,
        sheets=progress.sheets.get(judge.id, []),
        progress=progress,
        is_chief=can_chief_trade(current_user, trade),
    )
