"""Event screens: create, edit, copy; the planned schedule; the award rules."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import STAFF, object_required, part_of, roles_required
from contest.core.labels import label
from contest.core.web import on_refusal
from contest.domain.stages import StageState
from contest.events.access import can_manage_event
from contest.events.models import Event
from contest.organise import event_setup
from contest.organise.base import event_page, rebuild, submitted
from contest.organise.event_forms import (
    RULE_ALIASES,
    AwardRulesForm,
    CopyEventForm,
    EventForm,
    ScheduleForm,
    apply_rules_action,
    blank_rule,
    rule_input,
    rule_row,
)
from contest.organise.forms import options, row_id, text
from contest.publication import publishing
from contest.stages import services as stages
from contest.stages.models import StageWindow

bp = Blueprint("events", __name__, url_prefix="/events")


def _hub(event: Event):
    return redirect(url_for("organise.event", event_id=event.id))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def create():
    """A new, empty event."""
    form = EventForm()

    def page():
        return render_template("organise/event_form.html", form=form, event=None)

    if form.validate_on_submit():
        on_refusal(lambda refused: page(), form)
        event = event_setup.create_event(current_user, form.to_input())
        flash(_("Event %(name)s created.", name=event.name), "success")
        return _hub(event)
    return page(), submitted(form)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def edit(event: Event):
    """The event's settings; results are recomputed when they depend on a change."""
    form = EventForm(data=EventForm.initial(event_setup.event_input(event)))

    def page():
        return render_template("organise/event_form.html", form=form, event=event)

    if form.validate_on_submit():
        on_refusal(lambda refused: page(), form)
        event_setup.update_event(current_user, event, form.to_input())
        flash(_("The event's settings are saved."), "success")
        return _hub(event)
    return page(), submitted(form)


@bp.route("/<int:event_id>/copy", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def copy(event: Event):
    """A new event made from this one (last year's as this year's template)."""
    form = CopyEventForm(data={"name": event.name})

    def page():
        return render_template("organise/event_copy.html", form=form, event=event)

    if form.validate_on_submit():
        on_refusal(lambda refused: page(), form)
        new = event_setup.copy_event(
            current_user,
            event,
            slug=text(form.slug.data),
            name=text(form.name.data),
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            judges=form.judges.data,
            schedule=form.schedule.data,
        )
        flash(_("Event %(name)s created from %(source)s.", name=new.name, source=event.name))
        return _hub(new)
    return page(), submitted(form)


@bp.route("/<int:event_id>/schedule", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def schedule(event: Event):
    """The planned windows, in the event's time zone. Opening and closing them is not
    done here."""
    plan = ScheduleForm.initial(event_setup.schedule_input(event))
    form = ScheduleForm(data={**plan, "version": event.version})

    def page():
        return render_template(
            "organise/schedule.html",
            form=form,
            event=event,
            trade=None,
            windows=event_setup.event_windows(event),
            followed={},
        )

    if form.validate_on_submit():
        on_refusal(lambda refused: page(), form)
        event_setup.plan_schedule(current_user, event, form.to_input(), row_id(form.version.data))
        flash(_("The schedule is saved."), "success")
        return _hub(event)
    return page(), submitted(form)


@bp.get("/<int:event_id>/timeline")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def timeline(event: Event):
    """Every window (trade overrides included) with its state and each change: when, by the
    scheduler or whom, and why; and the buttons to open or close one by hand."""
    return render_template(
        "organise/timeline.html",
        event=event,
        windows=stages.windows(event),
        publishing=publishing.standing(event),
    )


@bp.post("/<int:event_id>/windows/<int:window_id>/state")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@part_of(StageWindow, "window_id", "event")
def set_window_state(event: Event, window: StageWindow):
    """Open or close any window (a trade's too) by hand, now, with a reason."""
    try:
        target = StageState(request.form.get("state", ""))
    except ValueError:
        abort(400)
    if target == StageState.PENDING:
        abort(400)
    kind = publishing.needs_preview(window, target)
    if kind is not None:  # publishing goes through its preview, confirmed
        return redirect(url_for("publishing.preview", event_id=event.id, kind=kind))
    reason = (request.form.get("reason") or "").strip()[:500]
    if not reason:
        abort(400, _("Give the reason for opening or closing the window by hand."))
    if stages.transition(window, target, current_user, reason):
        flash(
            _("%(stage)s is now %(state)s.", stage=label(window.kind), state=label(target)),
            "success",
        )
    return redirect(url_for(".timeline", event_id=event.id))


def _rule_choices(form: AwardRulesForm, event: Event) -> AwardRulesForm:
    trades = options((t.code, f"{t.code} {t.name}") for t in event.trades)
    for entry in form.award_rules:
        entry.form.trades.choices = trades
    return form


def _rules_page(event: Event, form: AwardRulesForm, status: int = 200):
    _rule_choices(form, event)
    return render_template("organise/awards.html", form=form, event=event), status


@bp.route("/<int:event_id>/awards", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def awards(event: Event):
    """The ordered award rules (SCORING.md §5); saving recomputes the results."""
    if request.method == "GET":
        rows = [rule_row(rule) for rule in event_setup.award_rule_inputs(event)]
        data = {"award_rules": rows, "version": event.version}
        return _rules_page(event, AwardRulesForm(data=data))
    form = _rule_choices(AwardRulesForm(), event)
    version = form.version.data
    action = request.form.get("action", "save")
    if action != "save":
        rows = apply_rules_action(form.data["award_rules"], action)
        changed = rebuild(AwardRulesForm, {"award_rules": rows, "version": version})
        return _rules_page(event, changed)
    if not form.validate():
        return _rules_page(event, form, 400)
    rows = [row for row in form.data["award_rules"] if not blank_rule(row)]
    shown = _rule_choices(rebuild(AwardRulesForm, {"award_rules": rows, "version": version}), event)
    on_refusal(lambda refused: _rules_page(event, shown), shown, aliases=RULE_ALIASES)
    event_setup.replace_award_rules(
        current_user, event, [rule_input(r) for r in rows], row_id(version)
    )
    flash(_("The award rules are saved and the results recomputed."), "success")
    return redirect(url_for(".awards", event_id=event.id))
