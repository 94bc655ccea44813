"""Units and their contacts, judges and their accounts, and the trades' panels."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import STAFF, object_required, roles_required
from contest.accounts.models import Role, User
from contest.core.extensions import db
from contest.core.web import on_refusal
from contest.events.access import can_manage_event
from contest.events.models import Event, Judge, Trade, Unit
from contest.organise import people_setup
from contest.organise.base import event_page, in_event, submitted
from contest.organise.forms import options, row_id, text
from contest.organise.people_forms import (
    AccountRoleForm,
    ContactForm,
    JudgeAccountForm,
    JudgeForm,
    LinkAccountForm,
    PanelForm,
    PasswordForm,
    UnitForm,
)

bp = Blueprint("people", __name__, url_prefix="/events/<int:event_id>")

#: A judge's unit is chosen in the form's ``unit`` box.
UNIT_ALIAS = (("unit_id", "unit"),)


# --- units -------------------------------------------------------------------------------------


def _units_page(event: Event, form: UnitForm, status: int = 200):
    return render_template(
        "organise/units.html",
        event=event,
        units=people_setup.units_with_contacts(event),
        form=form,
    ), status


@bp.route("/units", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def units(event: Event):
    """The event's units with their contacts, and a form for a new unit."""
    form = UnitForm()
    if not form.is_submitted():
        return _units_page(event, form)
    if form.validate():
        on_refusal(lambda refused: _units_page(event, form), form)
        unit = people_setup.create_unit(current_user, event, form.to_input())
        flash(_("Unit %(name)s added.", name=unit.name), "success")
        return redirect(url_for(".units", event_id=event.id))
    return _units_page(event, form, 400)


def _unit_page(
    event: Event,
    unit: Unit,
    *,
    form: UnitForm | None = None,
    contact: ContactForm | None = None,
    link: LinkAccountForm | None = None,
    status: int = 200,
):
    return render_template(
        "organise/unit.html",
        event=event,
        unit=unit,
        form=form
        or UnitForm(
            formdata=None, data={"code": unit.code, "name": unit.name, "kind": unit.kind.value}
        ),
        contact=contact or ContactForm(formdata=None, prefix="contact"),
        link=link or LinkAccountForm(formdata=None, prefix="link"),
    ), status


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Unit, "unit_id")
def unit(event: Event, unit: Unit):
    """A unit: its details and its contacts."""
    if request.method == "GET":
        return _unit_page(event, unit)
    form = UnitForm()
    if form.validate():
        on_refusal(lambda refused: _unit_page(event, unit, form=form), form)
        people_setup.update_unit(current_user, unit, form.to_input())
        flash(_("Unit %(name)s is saved.", name=unit.name), "success")
        return redirect(url_for(".unit", event_id=event.id, unit_id=unit.id))
    return _unit_page(event, unit, form=form, status=400)


@bp.post("/units/<int:unit_id>/contacts")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Unit, "unit_id")
def create_contact(event: Event, unit: Unit):
    """A new unit-contact account for the unit."""
    form = ContactForm(prefix="contact")
    if form.validate():
        on_refusal(lambda refused: _unit_page(event, unit, contact=form), form)
        user = people_setup.create_contact(
            current_user,
            unit,
            username=form.username.data.strip(),
            name=form.name.data.strip(),
            password=form.password.data,
            phone=text(form.phone.data),
        )
        flash(_("Account %(name)s created.", name=user.username), "success")
        return redirect(url_for(".unit", event_id=event.id, unit_id=unit.id))
    return _unit_page(event, unit, contact=form, status=400)


@bp.post("/units/<int:unit_id>/contacts/link")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Unit, "unit_id")
def link_contact(event: Event, unit: Unit):
    """Make an existing unit-contact account a contact of this unit too."""
    form = LinkAccountForm(prefix="link")
    if form.validate():
        on_refusal(lambda refused: _unit_page(event, unit, link=form), form, prefix="link-")
        user = people_setup.link_contact(current_user, unit, form.username.data)
        flash(_("%(name)s is now a contact of this unit.", name=user.name), "success")
        return redirect(url_for(".unit", event_id=event.id, unit_id=unit.id))
    return _unit_page(event, unit, link=form, status=400)


def _contact(unit: Unit, user_id: int) -> User:
    """A contact of the unit (404 for any other account)."""
    user = db.session.get(User, user_id)
    if user is None or user not in unit.contacts:
        abort(404)
    return user


@bp.post("/units/<int:unit_id>/contacts/<int:user_id>/remove")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Unit, "unit_id")
def remove_contact(event: Event, unit: Unit, user_id: int):
    """The account stops being a contact of the unit (it is not deleted)."""
    user = _contact(unit, user_id)
    people_setup.remove_contact(current_user, unit, user)
    flash(_("%(name)s is no longer a contact of this unit.", name=user.name), "success")
    return redirect(url_for(".unit", event_id=event.id, unit_id=unit.id))


def _password_page(event: Event, user: User, form: PasswordForm, back: str, status: int = 200):
    return render_template(
        "organise/password.html", event=event, user=user, form=form, back=back
    ), status


#: Accounts whose passwords an organiser may reset: those that come with an event.
EVENT_ROLES = (Role.UNIT_CONTACT, Role.JUDGE, Role.CHIEF_JUDGE)


def _reset(event: Event, user: User, back: str):
    if user.role not in EVENT_ROLES:
        abort(403)  # organisers' and administrators' accounts are the administrator's
    form = PasswordForm()
    if form.validate_on_submit():
        on_refusal(lambda refused: _password_page(event, user, form, back), form)
        people_setup.reset_password(current_user, user, form.password.data)
        flash(_("Password of %(name)s reset.", name=user.username), "success")
        return redirect(back)
    return _password_page(event, user, form, back, submitted(form))


@bp.route("/units/<int:unit_id>/contacts/<int:user_id>/password", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Unit, "unit_id")
def contact_password(event: Event, unit: Unit, user_id: int):
    """A new password for one of the unit's contacts."""
    user = _contact(unit, user_id)
    return _reset(event, user, url_for(".unit", event_id=event.id, unit_id=unit.id))


# --- judges ------------------------------------------------------------------------------------


def _unit_choices(form: JudgeForm, event: Event) -> JudgeForm:
    form.unit.choices = options([("", "—"), *((u.id, f"{u.code} {u.name}") for u in event.units)])
    return form


def _judges_page(event: Event, form: JudgeForm, status: int = 200):
    return render_template(
        "organise/judges.html",
        event=event,
        judges=people_setup.judges_with_panels(event),
        form=_unit_choices(form, event),
    ), status


@bp.route("/judges", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@event_page
def judges(event: Event):
    """The event's judges with their panels and accounts, and a form for a new judge."""
    form = _unit_choices(JudgeForm(), event)
    if not form.is_submitted():
        return _judges_page(event, form)
    if form.validate():
        on_refusal(lambda refused: _judges_page(event, form), form, aliases=UNIT_ALIAS)
        judge = people_setup.create_judge(current_user, event, form.to_input())
        flash(_("Judge %(name)s added.", name=judge.name), "success")
        return redirect(url_for(".judge", event_id=event.id, judge_id=judge.id))
    return _judges_page(event, form, 400)


def _judge_page(
    event: Event,
    judge: Judge,
    *,
    form: JudgeForm | None = None,
    account: JudgeAccountForm | None = None,
    link: LinkAccountForm | None = None,
    role: AccountRoleForm | None = None,
    status: int = 200,
):
    if form is None:
        form = JudgeForm(
            formdata=None,
            data={
                "code": judge.code,
                "name": judge.name,
                "unit": str(judge.unit_id or ""),
                "phone": judge.phone,
            },
        )
    if role is None:
        role = AccountRoleForm(
            formdata=None, prefix="role", role=judge.user.role.value if judge.user else None
        )
    return render_template(
        "organise/judge.html",
        event=event,
        judge=judge,
        form=_unit_choices(form, event),
        new_account=account or JudgeAccountForm(formdata=None, prefix="account"),
        link=link or LinkAccountForm(formdata=None, prefix="link"),
        role=role,
        panels=sorted(judge.panels, key=lambda m: (m.trade.position, m.trade.id)),
    ), status


@bp.route("/judges/<int:judge_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Judge, "judge_id")
def judge(event: Event, judge: Judge):
    """A judge: details, account and panels."""
    if request.method == "GET":
        return _judge_page(event, judge)
    form = _unit_choices(JudgeForm(), event)
    if form.validate():
        on_refusal(lambda refused: _judge_page(event, judge, form=form), form, aliases=UNIT_ALIAS)
        people_setup.update_judge(current_user, judge, form.to_input())
        flash(_("Judge %(name)s is saved.", name=judge.name), "success")
        return redirect(url_for(".judge", event_id=event.id, judge_id=judge.id))
    return _judge_page(event, judge, form=form, status=400)


def _back_to(event: Event, judge: Judge):
    return redirect(url_for(".judge", event_id=event.id, judge_id=judge.id))


@bp.post("/judges/<int:judge_id>/account")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Judge, "judge_id")
def create_account(event: Event, judge: Judge):
    """A new judge or chief-judge account for the judge."""
    form = JudgeAccountForm(prefix="account")
    if form.validate():
        on_refusal(lambda refused: _judge_page(event, judge, account=form), form, prefix="account-")
        user = people_setup.create_judge_account(
            current_user,
            judge,
            username=form.username.data.strip(),
            password=form.password.data,
            role=Role(form.role.data),
        )
        flash(_("Account %(name)s created.", name=user.username), "success")
        return _back_to(event, judge)
    return _judge_page(event, judge, account=form, status=400)


@bp.post("/judges/<int:judge_id>/account/link")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Judge, "judge_id")
def link_account(event: Event, judge: Judge):
    """Give the judge an existing judge or chief-judge account."""
    form = LinkAccountForm(prefix="link")
    if form.validate():
        on_refusal(
            lambda refused: _judge_page(event, judge, link=form),
            form,
            aliases=(("role", "username"),),
            prefix="link-",
        )
        user = people_setup.link_judge_account(current_user, judge, form.username.data)
        flash(_("%(name)s now logs in as %(user)s.", name=judge.name, user=user.username))
        return _back_to(event, judge)
    return _judge_page(event, judge, link=form, status=400)


@bp.post("/judges/<int:judge_id>/account/unlink")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Judge, "judge_id")
def unlink_account(event: Event, judge: Judge):
    """The judge's account stops being linked to the judge (it is not deleted)."""
    people_setup.unlink_judge_account(current_user, judge)
    flash(_("The account is no longer linked to %(name)s.", name=judge.name), "success")
    return _back_to(event, judge)


@bp.post("/judges/<int:judge_id>/account/role")
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Judge, "judge_id")
def account_role(event: Event, judge: Judge):
    """Make the judge's account a judge or chief-judge account."""
    if judge.user is None:
        abort(404)
    form = AccountRoleForm(prefix="role")
    if form.validate():
        on_refusal(lambda refused: _judge_page(event, judge, role=form), form, prefix="role-")
        people_setup.set_account_role(current_user, judge, Role(form.role.data))
        flash(_("The account's role is saved."), "success")
        return _back_to(event, judge)
    return _judge_page(event, judge, role=form, status=400)


@bp.route("/judges/<int:judge_id>/account/password", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Judge, "judge_id")
def judge_password(event: Event, judge: Judge):
    """A new password for the judge's account."""
    if judge.user is None:
        abort(404)
    return _reset(event, judge.user, url_for(".judge", event_id=event.id, judge_id=judge.id))


# --- panels ------------------------------------------------------------------------------------


def _panel_page(event: Event, trade: Trade, form: PanelForm, status: int = 200):
    return render_template(
        "organise/panel.html",
        event=event,
        trade=trade,
        form=form,
        judges=people_setup.judges_with_panels(event),
    ), status


def _panel_choices(form: PanelForm, event: Event) -> PanelForm:
    form.judges.choices = options((j.id, j.code) for j in event.judges)
    form.chief.choices = options([("", "—"), *((j.id, j.code) for j in event.judges)])
    return form


@bp.route("/trades/<int:trade_id>/panel", methods=["GET", "POST"])
@roles_required(*STAFF)
@object_required(Event, "event_id", can_manage_event)
@in_event(Trade, "trade_id")
def panel(event: Event, trade: Trade):
    """The trade's panel of judges and its chief judge (裁判长)."""
    if request.method == "GET":
        chief = next((str(m.judge_id) for m in trade.panel if m.is_chief), "")
        form = PanelForm(
            formdata=None,
            judges=[m.judge_id for m in trade.panel],
            chief=chief,
            version=trade.version,
        )
        return _panel_page(event, trade, _panel_choices(form, event))
    form = _panel_choices(PanelForm(), event)
    if not form.validate():
        return _panel_page(event, trade, form, 400)
    chief = int(form.chief.data) if form.chief.data else None
    on_refusal(lambda refused: _panel_page(event, trade, form), form)
    members = set(form.judges.data or [])
    people_setup.set_panel(current_user, trade, members, chief, row_id(form.version.data))
    flash(_("The panel of %(trade)s is saved.", trade=trade.name), "success")
    return redirect(url_for("organise.trades.edit", event_id=event.id, trade_id=trade.id))
