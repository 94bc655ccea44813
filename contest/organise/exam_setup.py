"""A trade's exam in the organiser's area: the blueprint (组卷), the papers previewed,
sealed (封卷), opened (开考) and closed (结束考试), printed for the paper fallback (试卷,
答题卡, 参考答案), and the corrections after the exam (答案异议) on the exam page."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import STAFF, object_required, roles_required
from contest.core.web import on_refusal
from contest.events.access import can_manage_event
from contest.events.models import Event, Trade
from contest.exams import printing, setup
from contest.exams.models import ExamSetting
from contest.organise import exam_changes
from contest.organise.base import in_event, submitted
from contest.organise.exam_forms import (
    ExamForm,
    KeyForm,
    SealForm,
    VoidForm,
    choose,
    exam_input,
    form_data,
    item_choices,
    with_blank_rows,
)
from contest.organise.forms import text
from contest.results import exam_analysis

bp = Blueprint("exam_setup", __name__, url_prefix="/events/<int:event_id>/trades/<int:trade_id>")

#: Where a section's problem goes on the set-up form: too few items under its count.
SECTION_ALIASES = ((r"sections-(\d+)", r"sections-\1-count"),)


def trade_view(view: Callable) -> Callable:
    """Staff only, on one of the event's trades (403 for other roles, 404 for a trade of
    another event)."""
    return roles_required(*STAFF)(
        object_required(Event, "event_id", can_manage_event)(in_event(Trade, "trade_id")(view))
    )


def exam_view(view: Callable) -> Callable:
    """As ``trade_view``, with the trade's exam (404 if it has none)."""

    @wraps(view)
    def wrapped(event: Event, trade: Trade, *args, **kwargs):
        setting = setup.exam_of_trade(trade)
        if setting is None:
            abort(404, _("Trade %(code)s has no theory exam.", code=trade.code))
        return view(event, trade, setting, *args, **kwargs)

    return trade_view(wrapped)


def _exam_page(event: Event, trade: Trade) -> str:
    return url_for("organise.trades.exam", event_id=event.id, trade_id=trade.id)


def new_seed(event: Event, trade: Trade) -> str:
    """A seed that is random yet easy to read out and type: ``<event>-<trade>-<6 hex>``."""
    return f"{event.slug}-{trade.code}-{secrets.token_hex(3)}"


@bp.route("/exam/setup", methods=["GET", "POST"])
@trade_view
def edit(event: Event, trade: Trade):
    """Create or change the trade's exam (组卷); refused once the papers are sealed."""
    setting = setup.exam_of_trade(trade)
    form = ExamForm(data=form_data(setting, new_seed(event, trade)))
    choose(form, setup.exam_components(trade), setup.banks())

    def page():
        return render_template(
            "organise/exam_setup.html",
            event=event,
            trade=trade,
            setting=setting,
            form=with_blank_rows(form),
        )

    if form.validate_on_submit():
        on_refusal(lambda refused: page(), form, aliases=SECTION_ALIASES)
        exam_changes.save_exam(current_user, trade, exam_input(form))
        flash(_("The exam is saved."), "success")
        return redirect(url_for(".preview", event_id=event.id, trade_id=trade.id))
    return page(), submitted(form)


@bp.get("/exam/papers")
@exam_view
def preview(event: Event, trade: Trade, setting: ExamSetting):
    """Each paper with its sections, items, keys and marks: sealed, or as drawn now."""

    def page(papers=None):
        return render_template(
            "organise/exam_papers.html",
            event=event,
            trade=trade,
            setting=setting,
            papers=papers,
            key_text=setup.key_text,
            heading=printing.heading,
            seal=SealForm(),
        )

    on_refusal(lambda refused: page())
    return page(setup.papers_of_exam(setting))


def _state_change(action: Callable, confirmed: bool, message: str) -> Callable:
    def view(event: Event, trade: Trade, setting: ExamSetting):
        if confirmed:
            form = SealForm()
            if not form.validate_on_submit():
                abort(400, _("Tick the box to confirm."))
        on_refusal(lambda refused: exam_page(event, trade))
        action(current_user, setting)
        flash(message, "success")
        return redirect(_exam_page(event, trade))

    return view


@bp.post("/exam/seal")
@exam_view
def seal(event: Event, trade: Trade, setting: ExamSetting):
    """Seal the papers (封卷), confirmed."""
    return _state_change(setup.seal_exam, True, _("The papers are sealed."))(event, trade, setting)


@bp.post("/exam/open")
@exam_view
def open_(event: Event, trade: Trade, setting: ExamSetting):
    """Open the exam (开考), confirmed: the papers are sealed first if they are not."""
    return _state_change(setup.open_exam, True, _("The exam is open."))(event, trade, setting)


@bp.post("/exam/close")
@exam_view
def close(event: Event, trade: Trade, setting: ExamSetting):
    """Close the exam (结束考试)."""
    return _state_change(setup.close_exam, False, _("The exam is closed."))(event, trade, setting)


def _pdf(data: bytes, name: str):
    return send_file(
        io.BytesIO(data), mimetype="application/pdf", as_attachment=False, download_name=name
    )


@bp.get("/exam/papers/<int:number>.pdf")
@exam_view
def paper_pdf(event: Event, trade: Trade, setting: ExamSetting, number: int):
    """试卷: a sealed paper without keys."""
    data = printing.paper_pdf(setting, number)
    return _pdf(data, f"{event.slug}-{trade.code}-paper-{number}.pdf")


@bp.get("/exam/papers/<int:number>/sheet.pdf")
@exam_view
def sheet_pdf(event: Event, trade: Trade, setting: ExamSetting, number: int):
    """答题卡: the answer sheet of a sealed paper."""
    data = printing.answer_sheet_pdf(setting, number)
    return _pdf(data, f"{event.slug}-{trade.code}-sheet-{number}.pdf")


@bp.get("/exam/key.pdf")
@exam_view
def key_pdf(event: Event, trade: Trade, setting: ExamSetting):
    """参考答案: the keys of every sealed paper, for the organisers."""
    return _pdf(printing.key_pdf(setting), f"{event.slug}-{trade.code}-key.pdf")


# --- the exam page and the corrections after the exam --------------------------------------------


def exam_page(
    event: Event,
    trade: Trade,
    key_form: KeyForm | None = None,
    void_form: VoidForm | None = None,
):
    """The exam page: its state and actions, the item analysis, the corrections made."""
    analysis = exam_analysis.exam_analysis(trade)
    setting = setup.exam_of_trade(trade)
    if analysis is None or setting is None:
        abort(404, _("Trade %(code)s has no theory exam.", code=trade.code))
    codes = setup.items_on_papers(setting)
    return render_template(
        "organise/exam_analysis.html",
        event=event,
        trade=trade,
        analysis=analysis,
        setting=setting,
        seal=SealForm(),
        key_form=item_choices(key_form or KeyForm(formdata=None), codes),
        void_form=item_choices(void_form or VoidForm(formdata=None), codes),
        changes=setup.changes(setting),
        key_text=setup.key_text,
    )


@bp.post("/exam/key")
@exam_view
def change_key(event: Event, trade: Trade, setting: ExamSetting):
    """Correct an item's key for this exam, with a reason; every attempt is re-marked."""
    form = item_choices(KeyForm(), setup.items_on_papers(setting))
    on_refusal(lambda refused: exam_page(event, trade, key_form=form), form, field="item")
    if not form.validate_on_submit():
        return exam_page(event, trade, key_form=form), 400
    code = text(form.item.data) or ""
    kind = setup.item_type(setting, code)
    exam_changes.change_key(
        current_user, trade, setting, code, setup.key_from_text(kind, form.key.data),
        form.reason.data,
    )  # fmt: skip
    flash(_("The key of %(item)s is corrected; every attempt is re-marked.", item=code), "success")
    return redirect(_exam_page(event, trade))


@bp.post("/exam/void")
@exam_view
def void(event: Event, trade: Trade, setting: ExamSetting):
    """Void an item of the exam, with a reason; every attempt is re-marked."""
    form = item_choices(VoidForm(), setup.items_on_papers(setting))
    on_refusal(lambda refused: exam_page(event, trade, void_form=form), form, field="item")
    if not form.validate_on_submit():
        return exam_page(event, trade, void_form=form), 400
    code = text(form.item.data) or ""
    exam_changes.void_item(current_user, trade, setting, code, form.reason.data)
    flash(_("Item %(item)s is voided; every attempt is re-marked.", item=code), "success")
    return redirect(_exam_page(event, trade))
