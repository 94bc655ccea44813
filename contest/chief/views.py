"""Chief judge's desk: live progress, discrepancies, actions, judging analysis, sign-off."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from contest.auth.access import can_run_trade, object_required
from contest.models import Trade
from contest.services import chief

bp = Blueprint("chief", __name__)


@bp.get("/trades/<int:trade_id>")
@object_required(Trade, "trade_id", can_run_trade)
def desk(trade: Trade):
    """The trade's progress matrix and what needs attention before sign-off."""
    g.timezone = trade.event.timezone
    return render_template(
        "chief/desk.html",
        trade=trade,
        matrix=chief.matrix(trade),
        discrepancies=chief.discrepancies(trade),
        analysis=chief.analysis(trade),
    )
