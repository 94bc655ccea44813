"""The paper fallback's answer sheets keyed in twice: the trade's list of sheets and where
each stands, one entrant's sheet to key, and the organiser's decision where the two keyings
differ."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from contest.core.extensions import db
from contest.core.refusals import describe_problem
from contest.core.web import on_refusal
from contest.domain.exams import ItemType
from contest.domain.refusal import Refused
from contest.events.models import Event, Trade
from contest.exams import paper_entry, setup
from contest.exams.models import ExamSetting
from contest.organise import exam_changes
from contest.organise.exam_setup import exam_view
from contest.registration.models import Entrant

bp = Blueprint(
    "exam_keying", __name__, url_prefix="/events/<int:event_id>/trades/<int:trade_id>/exam/sheets"
)


@bp.app_template_global()
def shown_response(kind: ItemType, response: Any) -> str:
    """A keyed response as the clerk typed it (a blank shown as such)."""
    if response is None:
        return _("(blank)")
    if kind == ItemType.JUDGE:
        return setup.key_text(kind, response)
    if kind == ItemType.MULTIPLE:
        return "".join(response)
    if kind == ItemType.FILL:
        return " | ".join(blank or _("(blank)") for blank in response)
    return str(response)


@bp.get("")
@exam_view
def index(event: Event, trade: Trade, setting: ExamSetting):
    """Every entrant's answer sheet and where it stands."""
    return render_template(
        "organise/exam_keying.html",
        event=event,
        trade=trade,
        sheets=paper_entry.sheets(setting),
    )


def _entrant(trade: Trade, entrant_id: int) -> Entrant:
    entrant = db.session.get(Entrant, entrant_id)
    if entrant is None or entrant.trade_id != trade.id:
        abort(404)
    return entrant


def _sheet_page(event, trade, setting, entrant, refused: Refused | None = None):
    """The sheet's page; after a refusal, with what was typed and each question's problem."""
    problems = refused.problems if refused is not None else ()
    return render_template(
        "organise/exam_keying_sheet.html",
        event=event,
        trade=trade,
        sheet=paper_entry.sheet(setting, entrant),
        typed=request.form if refused is not None else {},
        errors={p.path[2:]: describe_problem(refused, p, located=False) for p in problems},
    )


@bp.route("/<int:entrant_id>", methods=["GET", "POST"])
@exam_view
def sheet(event: Event, trade: Trade, setting: ExamSetting, entrant_id: int):
    """Key the entrant's answer sheet (the first or the second keying)."""
    entrant = _entrant(trade, entrant_id)
    if request.method == "GET":
        return _sheet_page(event, trade, setting, entrant)
    on_refusal(lambda refused: _sheet_page(event, trade, setting, entrant, refused))
    typed = {key[2:]: value for key, value in request.form.items() if key.startswith("r-")}
    found = exam_changes.key_sheet(current_user, trade, setting, entrant, typed)
    name = entrant.name
    if found.stage == paper_entry.Stage.COUNTED:
        message = _("Both keyings of %(name)s's sheet agree: the answers count.", name=name)
    elif found.stage == paper_entry.Stage.DIFFERING:
        message = ngettext(
            "The keyings of %(name)s's sheet differ on %(num)s question: decide it from the sheet.",
            "The keyings of %(name)s's sheet differ on %(num)s questions: decide them from the "
            "sheet.",
            len(found.differing),
            name=name,
        )
    else:
        message = _(
            "First keying of %(name)s's sheet saved; another clerk keys it again.", name=name
        )
    flash(message, "warn" if found.stage == paper_entry.Stage.DIFFERING else "success")
    return redirect(url_for(".sheet", event_id=event.id, trade_id=trade.id, entrant_id=entrant.id))


@bp.post("/<int:entrant_id>/decide")
@exam_view
def decide(event: Event, trade: Trade, setting: ExamSetting, entrant_id: int):
    """Decide the questions where the keyings differ, from the sheet, with a reason."""
    entrant = _entrant(trade, entrant_id)
    on_refusal(lambda refused: _sheet_page(event, trade, setting, entrant, refused))
    typed = {key[2:]: value for key, value in request.form.items() if key.startswith("r-")}
    reason = request.form.get("reason", "")
    exam_changes.decide_sheet(current_user, trade, setting, entrant, typed, reason)
    flash(_("Decided: the answers of %(name)s count.", name=entrant.name), "success")
    return redirect(url_for(".sheet", event_id=event.id, trade_id=trade.id, entrant_id=entrant.id))
