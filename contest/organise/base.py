"""What every organiser view shares: loading an event's object, rebuilding list forms and
the status of a form page shown again."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g
from wtforms import Form

from contest.accounts.access import part_of
from contest.events.models import Event


def in_event(model: type, arg: str) -> Callable:
    """Load ``model`` by the URL argument ``arg``; 404 unless it belongs to the event.

    Use below ``object_required(Event, "event_id", …)``: the view receives
    ``(event, obj, …)``, and times on the page are shown in the event's time zone.
    """

    def decorator(view: Callable) -> Callable:
        return part_of(model, arg, "event")(event_page(view))

    return decorator


def event_page(view: Callable) -> Callable:
    """Show the page's times in the event's time zone (below ``object_required``)."""

    @wraps(view)
    def wrapped(event: Event, *args, **kwargs):
        g.timezone = event.timezone
        return view(event, *args, **kwargs)

    return wrapped


def rebuild(form_class: type[Form], data: dict[str, Any], **kwargs) -> Form:
    """A form filled from ``data`` rather than from the request (after a row button, or
    with the rows the service saw)."""
    data = {key: value for key, value in data.items() if key not in ("csrf_token", "submit")}
    return form_class(formdata=None, data=data, **kwargs)


def submitted(form: Form) -> int:
    """The status of a form page shown again: 400 once the form was sent (and refused)."""
    return 400 if form.is_submitted() else 200
