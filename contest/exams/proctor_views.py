"""The proctor's console (监考): the room of one exam — who waits, sits, is paused, has lost
the connection or has handed in, how many questions each has answered and the time left —
and the proctor's actions, each with a reason and in the audit trail: extend one entrant's
time, pause and resume one entrant or the whole room for an incident, hand a paper in.

A proctor sees the exams they are given and nothing else; the event's organisers see every
exam of their events."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from contest.accounts.access import object_required, roles_required
from contest.accounts.models import Role
from contest.core.web import on_refusal
from contest.exams import proctors, setup
from contest.exams.forms import ExtendForm, ProctorForm
from contest.exams.models import ExamSetting
from contest.registration.models import Entrant

bp = Blueprint("proctor", __name__)

PROCTORS = (Role.PROCTOR, Role.ORGANISER, Role.ADMIN)
watches = object_required(ExamSetting, "exam_id", proctors.can_proctor)


@bp.get("/")
@roles_required(*PROCTORS)
def home():
    """The exams this account watches."""
    return render_template("exams/proctor_home.html", exams=proctors.proctors_exams(current_user))


def _room(setting: ExamSetting, partial: bool = False, status: int = 200):
    return render_template(
        "exams/proctor_table.html" if partial else "exams/proctor.html",
        setting=setting,
        trade=setting.trade,
        event=setting.trade.event,
        seats=proctors.room(setting),
        extend=ExtendForm(),
        action=ProctorForm(),
    ), status


@bp.get("/exams/<int:exam_id>")
@roles_required(*PROCTORS)
@watches
def room(setting: ExamSetting):
    """The room: every entrant of the trade with their sitting."""
    return _room(setting, partial=request.args.get("part") == "table")


def _entrant(setting: ExamSetting, form: ProctorForm) -> Entrant:
    found = proctors.entrants_of(setting, [int(form.entrant.data or 0)])
    if not found:
        abort(404)
    return found[0]


def _back(setting: ExamSetting):
    return redirect(url_for(".room", exam_id=setting.id))


def _refused_again(setting: ExamSetting, form: ProctorForm) -> None:
    on_refusal(lambda refused: _room(setting), form, field="reason")


@bp.post("/exams/<int:exam_id>/extend")
@roles_required(*PROCTORS)
@watches
def extend(setting: ExamSetting):
    """Give one entrant more time, with a reason."""
    form = ExtendForm()
    if not form.validate():
        flash(_("Give the minutes and a reason."), "error")
        return _room(setting, status=400)
    entrant = _entrant(setting, form)
    _refused_again(setting, form)
    proctors.extend(current_user, setting, entrant, form.minutes.data, form.reason.data)
    flash(
        _("%(name)s has %(minutes)s more minutes.", name=entrant.name, minutes=form.minutes.data),
        "success",
    )
    return _back(setting)


@bp.post("/exams/<int:exam_id>/pause")
@roles_required(*PROCTORS)
@watches
def pause(setting: ExamSetting):
    """Pause one entrant's sitting, or every running sitting of the room, with a reason."""
    return _pause_or_resume(setting, proctors.pause)


@bp.post("/exams/<int:exam_id>/resume")
@roles_required(*PROCTORS)
@watches
def resume(setting: ExamSetting):
    """Let paused sittings go on, their time held."""
    return _pause_or_resume(setting, proctors.resume)


def _pause_or_resume(setting: ExamSetting, action):
    form = ProctorForm()
    if not form.validate():
        flash(_("Give a reason."), "error")
        return _room(setting, status=400)
    if form.entrant.data:
        entrants = [_entrant(setting, form)]
    else:
        entrants = proctors.entrants_of(setting, [s.entrant.id for s in proctors.room(setting)])
    _refused_again(setting, form)
    count = action(current_user, setting, entrants, form.reason.data)
    if action is proctors.pause:
        message = ngettext("%(num)s sitting paused.", "%(num)s sittings paused.", count)
    else:
        message = ngettext("%(num)s sitting goes on.", "%(num)s sittings go on.", count)
    flash(message, "success" if count else "info")
    return _back(setting)


@bp.post("/exams/<int:exam_id>/hand-in")
@roles_required(*PROCTORS)
@watches
def hand_in(setting: ExamSetting):
    """Hand one entrant's paper in for them, with a reason."""
    form = ProctorForm()
    if not form.validate():
        flash(_("Give a reason."), "error")
        return _room(setting, status=400)
    entrant = _entrant(setting, form)
    _refused_again(setting, form)
    proctors.force_submit(current_user, setting, entrant, form.reason.data)
    flash(_("The paper of %(name)s is handed in.", name=entrant.name), "success")
    return _back(setting)


@bp.post("/exams/<int:exam_id>/open")
@roles_required(*PROCTORS)
@watches
def open_room(setting: ExamSetting):
    """开考: entrants may start from now (the papers are sealed first if they are not)."""
    on_refusal(lambda refused: _room(setting))
    setup.open_exam(current_user, setting)
    flash(_("The exam is open: entrants may start."), "success")
    return _back(setting)


@bp.post("/exams/<int:exam_id>/close")
@roles_required(*PROCTORS)
@watches
def close_room(setting: ExamSetting):
    """结束考试: no one may start from now; sittings begun go on for their own time."""
    on_refusal(lambda refused: _room(setting))
    setup.close_exam(current_user, setting)
    flash(_("The exam is closed: no one may start now."), "success")
    return _back(setting)
