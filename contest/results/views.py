"""Internal results: the event overview for organisers, and each trade's full breakdown for
organisers and the trade's chief judge, with Excel and PDF exports.

Names and units are shown (these pages are not public) — but not to someone who scores the
trade, until it is signed off (``blindness``); resident ID numbers never are. Responses are
marked ``private, no-store`` so no shared cache keeps them.
"""

from __future__ import annotations

import io

from flask import Blueprint, g, render_template, send_file
from flask_login import current_user

from contest.accounts.access import STAFF, object_required, roles_required
from contest.core.files import XLSX
from contest.core.types import utcnow
from contest.events.access import can_manage_event, can_run_trade
from contest.events.models import Event, Trade
from contest.results import exports, overview, report, report_files
from contest.results.blindness import blind

bp = Blueprint("results", __name__)

PRIVATE = {"Cache-Control": "private, no-store"}
PDF = "application/pdf"


def _download(data: bytes, mimetype: str, name: str):
    response = send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name
    )
    response.headers.update(PRIVATE)
    return response


# --- the event -------------------------------------------------------------------------------


@bp.get("/events/<int:event_id>")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
def event(event: Event):
    """Every trade's state, team rankings, unit and medal tables, award nominations."""
    g.timezone = event.timezone
    return render_template("results/event.html", report=overview.event_report(event)), PRIVATE


@bp.get("/events/<int:event_id>/results.xlsx")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
def event_xlsx(event: Event):
    """The whole event's results as the results workbook (individual, teams, units, awards)."""
    return _download(exports.results_workbook(event), XLSX, f"{event.slug}-results.xlsx")


@bp.get("/events/<int:event_id>/results.pdf")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
def event_pdf(event: Event):
    """The event's summary as a PDF."""
    g.timezone = event.timezone
    data = report_files.event_pdf(overview.event_report(event), utcnow())
    return _download(data, PDF, f"{event.slug}-results.pdf")


# --- one trade -------------------------------------------------------------------------------


def _report(trade: Trade) -> report.TradeReport:
    """The trade's report as the user may see it: blind while they score it."""
    return report.trade_report(trade, blind=blind(current_user, trade))


@bp.get("/trades/<int:trade_id>")
@object_required(Trade, "trade_id", can_run_trade)
def trade(trade: Trade):
    """Every entrant's breakdown: each judge's values, marks, components, total, rank and
    why, flags, awards."""
    g.timezone = trade.event.timezone
    return (
        render_template(
            "results/trade.html",
            report=_report(trade),
            staff=current_user.has_role(*STAFF),
        ),
        PRIVATE,
    )


@bp.get("/trades/<int:trade_id>/results.xlsx")
@object_required(Trade, "trade_id", can_run_trade)
def trade_xlsx(trade: Trade):
    """The trade's results (one row per entrant) and every judge's values, as .xlsx."""
    data = report_files.trade_workbook(_report(trade))
    return _download(data, XLSX, f"{trade.event.slug}-{trade.code}-results.xlsx")


@bp.get("/trades/<int:trade_id>/results.pdf")
@object_required(Trade, "trade_id", can_run_trade)
def trade_pdf(trade: Trade):
    """The trade's results and every judge's values as a landscape PDF."""
    g.timezone = trade.event.timezone
    data = report_files.trade_pdf(_report(trade), utcnow())
    return _download(data, PDF, f"{trade.event.slug}-{trade.code}-results.pdf")
