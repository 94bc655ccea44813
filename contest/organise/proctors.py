"""The event's exam rooms and their proctors: the organiser gives a room to a proctor (a new
account or an existing one) and takes it back."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import STAFF, object_required, roles_required
from contest.accounts.models import User
from contest.core.extensions import db
from contest.core.web import on_refusal
from contest.events.access import can_manage_event
from contest.events.models import Event
from contest.exams import proctors
from contest.exams.forms import GiveRoomForm
from contest.exams.models import ExamSetting
from contest.organise.base import event_page, submitted

bp = Blueprint("proctors", __name__, url_prefix="/events/<int:event_id>/proctors")


def _page(event: Event, sent: GiveRoomForm | None = None, status: int = 200):
    exams = proctors.event_exams(event.id)
    forms = {
        s.id: sent
        if sent is not None and sent._prefix == _prefix(s.id)
        else _form(s.id, blank=True)
        for s in exams
    }
    return render_template(
        "organise/proctors.html",
        event=event,
        exams=exams,
        proctors=proctors.proctors_of(exams),
        forms=forms,
    ), status


def _prefix(exam_id: int) -> str:
    return f"e{exam_id}-"


def _form(exam_id: int, blank: bool = False) -> GiveRoomForm:
    """The form of one exam: from the request, or blank."""
    if blank:
        return GiveRoomForm(formdata=None, prefix=_prefix(exam_id))
    return GiveRoomForm(prefix=_prefix(exam_id))


def _exam(event: Event, exam_id: int) -> ExamSetting:
    setting = db.session.get(ExamSetting, exam_id)
    if setting is None or setting.trade.event_id != event.id:
        abort(404)
    return setting


@bp.get("")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def index(event: Event):
    """Every exam of the event with its proctors."""
    return _page(event)


@bp.post("/<int:exam_id>")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def give(event: Event, exam_id: int):
    """Give an exam's room to a proctor."""
    setting = _exam(event, exam_id)
    form = _form(setting.id)
    if not form.validate():
        return _page(event, form, submitted(form))
    on_refusal(lambda refused: _page(event, form), form, field="username")
    user = proctors.give_room(
        current_user, setting, form.username.data, form.name.data, form.password.data
    )
    flash(_("%(name)s proctors %(trade)s.", name=user.name, trade=setting.trade.name), "success")
    return redirect(url_for(".index", event_id=event.id))


@bp.post("/<int:exam_id>/<int:user_id>/remove")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def take(event: Event, exam_id: int, user_id: int):
    """The proctor no longer proctors the exam."""
    setting = _exam(event, exam_id)
    user = db.get_or_404(User, user_id)
    proctors.take_room(current_user, setting, user)
    flash(
        _("%(name)s no longer proctors %(trade)s.", name=user.name, trade=setting.trade.name),
        "success",
    )
    return redirect(url_for(".index", event_id=event.id))
