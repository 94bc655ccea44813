"""Event screens: create, edit, copy; the planned schedule; the award rules."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import STAFF, object_required, part_of, roles_required
from contest.accounts.models import User
from contest.core.extensions import db
from contest.core.labels import label
from contest.core.web import on_refusal
from contest.domain.stages import StageState
from contest.events.access import can_manage_event
from contest.events.models import Event
from contest.organise import decisions, event_setup
from contest.organise.base import event_page, rebuild, submitted
from contest.organise.event_forms import (
    RULE_ALIASES,
    AwardRulesForm,
    CopyEventForm,
    DecisionForm,
    EventForm,
    ScheduleForm,
    apply_rules_action,
    blank_rule,
    rule_input,
    rule_row,
    with_pass_lines,
)
from contest.organise.forms import options, row_id, text
from contest.publication import publishing
from contest.results import rules_text
from contest.results.models import AwardDecision
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


def _components(event: Event) -> dict[str, list[tuple[str, str]]]:
    """Each trade's components as (code, name), by trade code."""
    return {t.code: [(c.code, c.name) for c in t.components] for t in event.trades}


def _rule_choices(form: AwardRulesForm, event: Event) -> AwardRulesForm:
    trades = options((t.code, f"{t.code} {t.name}") for t in event.trades)
    for entry in form.award_rules:
        entry.form.trades.choices = trades
    return form


def _rules_page(event: Event, form: AwardRulesForm, status: int = 200):
    _rule_choices(form, event)
    names: dict[str, str] = {}
    for listed in _components(event).values():
        for code, name in listed:
            names.setdefault(code, name)
    return render_template(
        "organise/awards.html",
        form=form,
        event=event,
        component_names=names,
        rules=rules_text.event_rules(event).awards,
    ), status


def _rows(event: Event, rows: list[dict], version) -> AwardRulesForm:
    """The rules form from ``rows``, each with a pass line for the components of its
    trades."""
    data = {"award_rules": with_pass_lines(rows, _components(event)), "version": version}
    return rebuild(AwardRulesForm, data)


@bp.route("/<int:event_id>/awards", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def awards(event: Event):
    """The ordered award rules (SCORING.md §5, §7); saving recomputes the results."""
    if request.method == "GET":
        rows = [rule_row(rule) for rule in event_setup.award_rule_inputs(event)]
        return _rules_page(event, _rows(event, rows, event.version))
    form = _rule_choices(AwardRulesForm(), event)
    version = form.version.data
    action = request.form.get("action", "save")
    if action != "save":
        rows = apply_rules_action(form.data["award_rules"], action)
        return _rules_page(event, _rows(event, rows, version))
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


# --- the organisers' decisions on the award rules --------------------------------------------


def _decisions_page(event: Event, form: DecisionForm, status: int = 200):
    rules = list(event.award_rules)
    form.rule.choices = options(
        (
            r.code,
            f"{r.title} ({r.code})"
            + (" · " + _("named by the organisers") if r.select.get("manual") else ""),
        )
        for r in rules
    )
    found = decisions.event_decisions(event)
    ids = {d.created_by_id for d in found} | {d.withdrawn_by_id for d in found}
    users = {
        user.id: user.name
        for user in db.session.execute(
            sa.select(User).where(User.id.in_([i for i in ids if i is not None]))
        ).scalars()
    }
    return render_template(
        "organise/decisions.html",
        event=event,
        form=form,
        titles={r.code: r.title for r in rules},
        current=[d for d in found if d.withdrawn_at is None],
        withdrawn=[d for d in found if d.withdrawn_at is not None],
        users=users,
    ), status


@bp.route("/<int:event_id>/decisions", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def decisions_page(event: Event):
    """The organisers' decisions on the award rules (SCORING.md §7): entrants who do not meet
    a rule's conditions, and the entrants the rules named by the organisers select; recording
    one recomputes the entrant's trade."""
    form = DecisionForm()
    if form.validate_on_submit():
        on_refusal(lambda refused: _decisions_page(event, form), form)
        decision = decisions.decide(current_user, event, form.to_input())
        flash(
            _(
                "The decision on %(entrant)s is recorded and the results of %(trade)s recomputed.",
                entrant=decision.entrant.code,
                trade=decision.entrant.trade.name,
            ),
            "success",
        )
        return redirect(url_for(".decisions_page", event_id=event.id))
    return _decisions_page(event, form, submitted(form))


@bp.post("/<int:event_id>/decisions/<int:decision_id>/withdraw")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@part_of(AwardDecision, "decision_id", "event")
def withdraw_decision(event: Event, decision: AwardDecision):
    """Withdraw a decision with a reason; it is kept, and stops counting."""
    g.timezone = event.timezone
    on_refusal(lambda refused: _decisions_page(event, DecisionForm(formdata=None)))
    decisions.withdraw(current_user, event, decision, request.form.get("reason"))
    flash(_("The decision on %(entrant)s is withdrawn.", entrant=decision.entrant.code), "success")
    return redirect(url_for(".decisions_page", event_id=event.id))
