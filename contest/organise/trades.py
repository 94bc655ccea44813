"""Trade screens: the trade editor (settings, limits, tie-breakers, marking scheme), copy,
delete and order."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import STAFF, object_required, roles_required
from contest.core.files import XLSX
from contest.core.refusals import describe_problem
from contest.core.web import on_refusal
from contest.events.access import can_manage_event
from contest.events.models import Event, Judge, Trade
from contest.organise import (
    event_setup,
    exam_setup,
    trade_checks,
    trade_list,
    trade_scheme,
    trade_setup,
)
from contest.organise.base import event_page, in_event, rebuild, submitted
from contest.organise.forms import options, row_id, text
from contest.organise.setup import Invalid
from contest.organise.trade_forms import (
    CopyTradeForm,
    TradeForm,
    TradeScheduleForm,
    apply_trade_action,
    trade_data,
    trade_input,
    without_blank_rows,
)
from contest.organise.trade_scheme import ComponentInput, CriterionInput, TradeInput
from contest.registration import places
from contest.registration import services as registration
from contest.results import exam_analysis, rules_text
from contest.results.exam_analysis import ExamAnalysis

bp = Blueprint("trades", __name__, url_prefix="/events/<int:event_id>/trades")


def _default_trade() -> TradeInput:
    """A starting scheme: theory 30 % entered directly, practical 70 % with criteria."""
    return TradeInput(
        components=[
            ComponentInput(code="theory", name=_("Theory"), weight="0.3", max="100", step="0.5"),
            ComponentInput(
                code="practical", name=_("Practical"), weight="0.7", criteria=[CriterionInput()]
            ),
        ]
    )


def _breaker_choices(form: TradeForm) -> list[tuple[str, str]]:
    """Tie-breakers this scheme offers: its components, its criteria, and time."""
    options = [("", "—")]
    for component in form.components:
        code = text(component.form.code.data)
        if code:
            name = text(component.form.name.data) or code
            options.append((f"component:{code}", _("Component: %(name)s", name=name)))
    for component in form.components:
        for criterion in component.form.criteria:
            code = text(criterion.form.code.data)
            if code:
                name = text(criterion.form.name.data) or ""
                options.append(
                    (f"criterion:{code}", _("Criterion: %(code)s %(name)s", code=code, name=name))
                )
    options.append(("time", _("Completion time (shorter is better)")))
    return options


def _components(form: TradeForm) -> list[tuple[str, str]]:
    """The scheme's components as (code, name)."""
    found = []
    for component in form.components:
        code = text(component.form.code.data)
        if code:
            found.append((code, text(component.form.name.data) or code))
    return found


def _team_breaker_choices(form: TradeForm) -> list[tuple[str, str]]:
    """Team tie-breakers this scheme offers: the sum of a component's scores, and time."""
    choices = [("", "—")]
    for code, name in _components(form):
        choices.append((f"component:{code}", _("Sum of the %(name)s scores", name=name)))
    choices.append(("time", _("Sum of the completion times (shorter is better)")))
    return choices


def _choose(entry, choices: list[tuple[str, str]]) -> None:
    """Offer ``choices`` in a select, and the value it holds if the scheme no longer has it
    (to be refused by name rather than silently changed)."""
    values = {value for value, _ in choices}
    extra = [(entry.data, entry.data)] if entry.data and entry.data not in values else []
    entry.choices = options(choices + extra)


def _prepare(form: TradeForm, panel: list[Judge]) -> TradeForm:
    """Choices that depend on the trade: its panel, and the tie-breakers and components of
    the scheme."""
    judges = options((j.id, f"{j.code} {j.name}") for j in panel)
    for component in form.components:
        component.form.judges.choices = judges
    breakers = _breaker_choices(form)
    for entry in form.tie_breakers:
        _choose(entry, breakers)
    team = _team_breaker_choices(form)
    for entry in form.team_tie_breakers:
        _choose(entry, team)
    _choose(form.overtime.form.component, [("", "—"), *_components(form)])
    return form


def _panel(trade: Trade | None) -> list[Judge]:
    if trade is None:
        return []
    return sorted((m.judge for m in trade.panel), key=lambda j: j.id)


def _data(form: TradeForm) -> dict:
    return {key: value for key, value in form.data.items() if key != "csrf_token"}


def _editor(event: Event, trade: Trade | None, form: TradeForm, status: int = 200):
    panel = _panel(trade)
    _prepare(form, panel)
    found = trade_checks.scheme_warnings(trade) if trade else []
    warnings = [describe_problem(Invalid, w, located=False) for w in found]
    entrants = trade_list.entrant_count(trade) if trade else 0
    rules = rules_text.trade_statement(trade) if trade else None
    return render_template(
        "organise/trade.html",
        event=event,
        trade=trade,
        has_exam=trade is not None and exam_analysis.has_exam(trade),
        form=form,
        panel=panel,
        warnings=warnings,
        entrants=entrants,
        rules=rules,
    ), status


def _submit(event: Event, trade: Trade | None):
    """Handle the editor's POST: a row button, or saving."""
    form = _prepare(TradeForm(), _panel(trade))
    action = request.form.get("action", "save")
    if action != "save":
        return _editor(event, trade, rebuild(TradeForm, apply_trade_action(_data(form), action)))
    if not form.validate():
        return _editor(event, trade, form, 400)
    data = without_blank_rows(_data(form))
    shown = _prepare(rebuild(TradeForm, data), _panel(trade))
    on_refusal(lambda refused: _editor(event, trade, shown), shown)
    if trade is None:
        trade, _warnings = trade_setup.create_trade(current_user, event, trade_input(data))
    else:
        trade_setup.update_trade(current_user, trade, trade_input(data))
    flash(_("Trade %(code)s is saved.", code=trade.code), "success")
    _over_quota(event, trade)
    return redirect(url_for(".edit", event_id=event.id, trade_id=trade.id))


def _over_quota(event: Event, trade: Trade) -> None:
    """Warn of the units with more entries in the trade than its quota now allows."""
    units = {u.code: u.name for u in event.units}
    over = [
        o for o in places.warnings(event, registration.rules_for(event)) if o.trade == trade.code
    ]
    if over:
        flash(
            _(
                "More entries than places: %(units)s.",
                units=_("、").join(
                    _(
                        "%(unit)s (%(quota)s place(s), %(entered)s entered)",
                        unit=units.get(o.unit, o.unit),
                        quota=o.quota,
                        entered=o.entered,
                    )
                    for o in over
                ),
            ),
            "warn",
        )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def create(event: Event):
    """A new trade with its scheme."""
    if request.method == "POST":
        return _submit(event, None)
    return _editor(event, None, TradeForm(data=trade_data(_default_trade())))


@bp.route("/<int:trade_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Trade, "trade_id")
def edit(event: Event, trade: Trade):
    """The trade editor; saving recomputes the trade's results."""
    if request.method == "POST":
        return _submit(event, trade)
    form = TradeForm(data=trade_data(trade_scheme.trade_input(trade)))
    return _editor(event, trade, form)


@bp.route("/<int:trade_id>/copy", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Trade, "trade_id")
def copy(event: Event, trade: Trade):
    """A copy of the trade in this event under a new code."""
    form = CopyTradeForm(data={"name": trade.name})

    def page():
        return render_template("organise/trade_copy.html", form=form, event=event, trade=trade)

    if form.validate_on_submit():
        on_refusal(lambda refused: page(), form)
        new = trade_list.copy_trade(
            current_user,
            trade,
            code=text(form.code.data),
            name=text(form.name.data),
            panel=form.panel.data,
        )
        flash(_("Trade %(code)s copied to %(new)s.", code=trade.code, new=new.code), "success")
        return redirect(url_for(".edit", event_id=event.id, trade_id=new.id))
    return page(), submitted(form)


@bp.route("/<int:trade_id>/schedule", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Trade, "trade_id")
def schedule(event: Event, trade: Trade):
    """The trade's own scoring and appeal windows; left empty, the event's apply."""
    plan = event_setup.schedule_input(event, trade)
    form = TradeScheduleForm(data={**TradeScheduleForm.initial(plan), "version": trade.version})

    def page():
        return render_template(
            "organise/schedule.html",
            form=form,
            event=event,
            trade=trade,
            windows=event_setup.trade_windows(trade),
            followed=event_setup.event_windows(event),
        )

    if form.validate_on_submit():
        on_refusal(lambda refused: page(), form)
        event_setup.plan_trade_schedule(
            current_user, trade, form.to_input(), row_id(form.version.data)
        )
        flash(_("The schedule of %(trade)s is saved.", trade=trade.name), "success")
        return redirect(url_for("organise.events.timeline", event_id=event.id))
    return page(), submitted(form)


@bp.post("/<int:trade_id>/delete")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Trade, "trade_id")
def delete(event: Event, trade: Trade):
    """Remove a trade that has no entrants."""
    code = trade.code
    form = TradeForm(data=trade_data(trade_scheme.trade_input(trade)))
    on_refusal(lambda refused: _editor(event, trade, form), form)
    trade_list.delete_trade(current_user, trade)
    flash(_("Trade %(code)s is deleted.", code=code), "success")
    return redirect(url_for("organise.event", event_id=event.id))


@bp.post("/<int:trade_id>/move")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Trade, "trade_id")
def move(event: Event, trade: Trade):
    """Move the trade up or down the event's list (the order of every results list)."""
    offset = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if offset is None:
        abort(400)
    trade_list.move_trade(current_user, trade, offset)
    return redirect(url_for("organise.event", event_id=event.id, _anchor="trades"))


def _analysis(trade: Trade) -> ExamAnalysis:
    """The item analysis of the trade's exam; 404 if the trade has none."""
    found = exam_analysis.exam_analysis(trade)
    if found is None:
        abort(404, _("Trade %(code)s has no theory exam.", code=trade.code))
    return found


@bp.get("/<int:trade_id>/exam")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Trade, "trade_id")
def exam(event: Event, trade: Trade):
    """The trade's exam: its state and actions, the item analysis (attempts, score
    distribution, items) and the corrections made after the exam."""
    return exam_setup.exam_page(event, trade)


@bp.get("/<int:trade_id>/exam.xlsx")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Trade, "trade_id")
def exam_xlsx(event: Event, trade: Trade):
    """The item table as an Excel workbook."""
    data = exam_analysis.analysis_workbook(trade, _analysis(trade))
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{event.slug}-{trade.code}-items.xlsx",
    )
