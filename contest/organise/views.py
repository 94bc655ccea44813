"""Organiser home and event overview."""

from flask import Blueprint, g, render_template

from contest.auth.access import STAFF, can_manage_event, object_required, roles_required
from contest.models import Event
from contest.services import events, registration

bp = Blueprint("organise", __name__)


@bp.get("/")
@roles_required(*STAFF)
def home():
    """Every event with its key figures."""
    return render_template("organise/home.html", events=events.event_summaries())


@bp.get("/events/<int:event_id>")
@object_required(Event, "event_id", can_manage_event)
def event(event: Event):
    """One event: trades with their fields and panels, units with their entries, windows."""
    g.timezone = event.timezone
    return render_template(
        "organise/event.html",
        event=event,
        trades=events.trade_summaries(event),
        units=registration.unit_summaries(event),
        windows=events.event_windows(event),
    )
