"""Organiser home and the event hub; the configuration screens live in ``events``
(settings, schedule, award rules, copy), ``trades`` and ``people`` (units, contacts,
judges, panels), each a blueprint nested in this one."""

from flask import Blueprint, g, render_template

from contest.accounts.access import STAFF, object_required, roles_required
from contest.core.labels import selection_text
from contest.core.refusals import has_errors
from contest.events.access import can_manage_event
from contest.events.models import Event
from contest.organise import banks as bank_screens
from contest.organise import events as event_screens
from contest.organise import exam_keying as keying_screens
from contest.organise import exam_setup as exam_screens
from contest.organise import people as people_screens
from contest.organise import places as place_screens
from contest.organise import proctors as proctor_screens
from contest.organise import trade_list
from contest.organise import trades as trade_screens
from contest.registration import services as registration
from contest.registration import summaries
from contest.results import rules_text
from contest.stages import services as stages

bp = Blueprint("organise", __name__)
bp.register_blueprint(event_screens.bp)
bp.register_blueprint(trade_screens.bp)
bp.register_blueprint(people_screens.bp)
bp.register_blueprint(place_screens.bp)
bp.register_blueprint(proctor_screens.bp)
bp.register_blueprint(exam_screens.bp)
bp.register_blueprint(keying_screens.bp)
bp.register_blueprint(bank_screens.bp)


@bp.context_processor
def template_helpers() -> dict:
    """Helpers of the organiser's templates."""
    return {"has_errors": has_errors, "selection_text": selection_text}


@bp.get("/")
@roles_required(*STAFF)
def home():
    """Every event with its key figures."""
    return render_template("organise/home.html", events=summaries.event_summaries())


@bp.get("/events/<int:event_id>")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
def event(event: Event):
    """One event's hub: trades with their schemes and panels, units, schedule, award rules,
    and the way to every configuration screen."""
    g.timezone = event.timezone
    return render_template(
        "organise/event.html",
        event=event,
        trades=trade_list.trade_rows(event),
        units=registration.unit_summaries(event),
        windows=stages.event_windows(event),
        rules=event.award_rules,
        stated=rules_text.event_rules(event),
        judges=len(event.judges),
    )
