"""Unit contacts register their unit's team and entrants: by form or by Excel roster."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import STAFF, object_required, part_of, roles_required
from contest.accounts.models import Role
from contest.core import pagination
from contest.core.files import XLSX
from contest.core.refusals import describe, describe_problem
from contest.core.web import on_refusal
from contest.domain.lifecycle import NotNow
from contest.domain.refusal import Refused
from contest.domain.registration import Applicant
from contest.domain.stages import StageKind, WindowClosed
from contest.events.access import can_act_for_unit
from contest.events.models import Trade, Unit
from contest.registration import places, roster, withdrawal
from contest.registration import services as registration
from contest.registration.facts import stationed, windows
from contest.registration.forms import EntrantForm, ReasonForm, RosterForm, TeamForm
from contest.registration.models import Entrant
from contest.stages import services as stages

bp = Blueprint("unit", __name__)


@bp.get("/")
@roles_required(Role.UNIT_CONTACT)
def home():
    """The contact's units; straight to the unit page when there is only one."""
    units = registration.units_for_contact(current_user)
    if len(units) == 1:
        return redirect(url_for(".unit", unit_id=units[0].id))
    return render_template("unit/home.html", units=units)


def _page(unit: Unit, status: int = 200, **forms):
    g.timezone = unit.event.timezone
    forms.setdefault("roster_form", RosterForm())
    entrants = registration.unit_entrants(unit, pagination.requested())
    open_ = windows(unit.event)
    return (
        render_template(
            "unit/unit.html",
            unit=unit,
            entrants=entrants,
            actions=withdrawal.row_actions(current_user, entrants.items, open_),
            team=registration.team_of(unit),
            window=stages.window(unit.event, StageKind.REGISTRATION),
            open=open_.registration_open,
            review_open=open_.review_open,
            is_staff=current_user.has_role(*STAFF),
            remove_form=ReasonForm(),
            places=_places(unit),
            **forms,
        ),
        status,
    )


def _places(unit: Unit) -> list[tuple[Trade, int | None, int]]:
    """Each trade with the unit's places in it and its entries so far."""
    rules = registration.rules_for(unit.event)
    entered = places.entered(unit.event)
    return [
        (t, rules.quota(unit.code, t.code), entered[(unit.code, t.code)]) for t in _trades(unit)
    ]


@bp.get("/<int:unit_id>")
@object_required(Unit, "unit_id", can_act_for_unit)
def unit(unit: Unit):
    """The unit's team and entrants with their registration status (IDs masked)."""
    return _page(unit)


@bp.route("/<int:unit_id>/team", methods=["GET", "POST"])
@object_required(Unit, "unit_id", can_act_for_unit)
def team(unit: Unit):
    """Register or update the unit's team: name, leader, coach, contact phone."""
    existing = registration.team_of(unit)
    form = TeamForm(obj=existing)
    if request.method == "GET" and existing is None:
        form.name.data = registration.default_team_name(unit)
    if form.validate_on_submit():
        _closed_again(unit)
        registration.save_team(
            current_user,
            unit,
            name=form.name.data,
            leader_name=form.leader_name.data or None,
            coach_name=form.coach_name.data or None,
            contact_phone=form.contact_phone.data or None,
            reason=_staff_reason(),
        )
        flash(_("The team has been saved."), "success")
        return redirect(url_for(".unit", unit_id=unit.id))
    return _form_page("unit/team.html", unit, form)


def _trades(unit: Unit) -> list[Trade]:
    return sorted(unit.event.trades, key=lambda t: (t.position, t.id))


def _entrant_form(unit: Unit, entrant: Entrant | None = None) -> EntrantForm:
    form = EntrantForm(obj=entrant)
    form.trade.choices = [(t.code, f"{t.name}（{t.code}）") for t in _trades(unit)]
    if entrant is not None and request.method == "GET":
        form.trade.data = entrant.trade.code
        form.gender.data = entrant.gender.value if entrant.gender else ""
        form.skill_level.data = entrant.skill_level or ""
    return form


def _applicant(form: EntrantForm) -> Applicant:
    return Applicant(
        name=form.name.data.strip(),
        id_number=form.id_number.data.strip().upper(),
        gender=form.gender.data or None,
        birth_date=form.birth_date.data,
        trade=form.trade.data,
        skill_level=form.skill_level.data or None,
        phone=form.phone.data.strip(),
        employer=(form.employer.data or "").strip() or None,
    )


def _staff_reason() -> str | None:
    return (request.form.get("reason") or "").strip() or None


def _closed_again(unit: Unit, form: EntrantForm | None = None, template: str = "", **context):
    """Should registration be closed, show the unit's page again (telling staff they may
    still correct, giving a reason); should the entrant be refused, the form again with each
    problem under its field."""

    def page(refused: Refused):
        if form is None or _closed(refused):
            return _closed_page(unit, refused)
        return _form_page(template, unit, form, **context)

    on_refusal(page, form)


def _closed(refused: Refused) -> bool:
    """Whether the refusal says the registration window is closed (to this change)."""
    return isinstance(refused, WindowClosed) or (
        isinstance(refused, NotNow) and refused.code == "registration_closed"
    )


def _closed_page(unit: Unit, refused: Refused):
    """The unit's page after a refusal; staff are told they may still correct."""
    if _closed(refused) and current_user.has_role(*STAFF):
        flash(_("Organisers may still correct registrations, giving a reason."), "info")
    return _page(unit)


def _form_page(template: str, unit: Unit, form, status: int | None = None, **context):
    g.timezone = unit.event.timezone
    code = status if status is not None else (400 if form.is_submitted() else 200)
    entrant = context.get("entrant")
    needs_reason = current_user.has_role(*STAFF) and (
        not stages.is_open(unit.event, StageKind.REGISTRATION)
        or (entrant is not None and stationed(entrant))
    )
    return (
        render_template(template, unit=unit, form=form, needs_reason=needs_reason, **context),
        code,
    )


@bp.route("/<int:unit_id>/entrants/new", methods=["GET", "POST"])
@object_required(Unit, "unit_id", can_act_for_unit)
def add_entrant(unit: Unit):
    """Register one entrant by form."""
    form = _entrant_form(unit)
    if form.validate_on_submit():
        _closed_again(unit, form, "unit/entrant.html")
        registration.register(current_user, unit, [_applicant(form)], reason=_staff_reason())
        flash(_("%(name)s has been registered and awaits review.", name=form.name.data), "success")
        return redirect(url_for(".unit", unit_id=unit.id))
    return _form_page("unit/entrant.html", unit, form)


@bp.route("/<int:unit_id>/entrants/<int:entrant_id>", methods=["GET", "POST"])
@object_required(Unit, "unit_id", can_act_for_unit)
@part_of(Entrant, "entrant_id", "unit")
def edit_entrant(unit: Unit, entrant: Entrant):
    """Correct a registration (it goes back to review)."""
    form = _entrant_form(unit, entrant)
    if form.validate_on_submit():
        _closed_again(unit, form, "unit/entrant.html", entrant=entrant)
        registration.update_entrant(current_user, entrant, _applicant(form), reason=_staff_reason())
        flash(_("The registration of %(name)s has been updated.", name=entrant.name), "success")
        return redirect(url_for(".unit", unit_id=unit.id))
    return _form_page("unit/entrant.html", unit, form, entrant=entrant)


@bp.post("/<int:unit_id>/entrants/<int:entrant_id>/remove")
@object_required(Unit, "unit_id", can_act_for_unit)
@part_of(Entrant, "entrant_id", "unit")
def remove_entrant(unit: Unit, entrant: Entrant):
    """Take back a registration nothing depends on yet (it is deleted)."""
    name = entrant.name
    _closed_again(unit)
    withdrawal.take_back(current_user, entrant, reason=_staff_reason())
    flash(_("The registration of %(name)s has been withdrawn.", name=name), "success")
    return redirect(url_for(".unit", unit_id=unit.id))


@bp.post("/<int:unit_id>/entrants/<int:entrant_id>/withdraw")
@object_required(Unit, "unit_id", can_act_for_unit)
@part_of(Entrant, "entrant_id", "unit")
def withdraw_entrant(unit: Unit, entrant: Entrant):
    """The entrant withdraws from the contest (退赛), giving a reason; kept, marked WD."""
    name = entrant.name
    on_refusal(lambda refused: _page(unit))
    withdrawal.withdraw(current_user, entrant, reason=request.form.get("reason"))
    flash(_("%(name)s has withdrawn from the contest; every score and record is kept.", name=name),
          "success")  # fmt: skip
    return redirect(url_for(".unit", unit_id=unit.id, _anchor="entrants"))


@bp.get("/<int:unit_id>/roster-template.xlsx")
@object_required(Unit, "unit_id", can_act_for_unit)
def roster_template(unit: Unit):
    """The event's Excel roster template."""
    return send_file(
        io.BytesIO(roster.template(unit.event)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{unit.event.slug}-roster.xlsx",
    )


@bp.post("/<int:unit_id>/roster")
@object_required(Unit, "unit_id", can_act_for_unit)
def upload_roster(unit: Unit):
    """Register every entrant of an uploaded roster, or none, with a full error report."""
    form = RosterForm()
    if not form.validate_on_submit():
        return _page(unit, 400, roster_form=form)

    def report(refused: Refused):
        if isinstance(refused, WindowClosed):
            return _closed_page(unit, refused)
        problems = [describe_problem(refused, p) for p in refused.problems]
        summary = describe(refused)
        return _page(unit, roster_form=form, roster_report=problems, roster_summary=summary)

    on_refusal(report)
    created = roster.import_roster(
        current_user, unit, form.file.data.stream, reason=_staff_reason()
    )
    flash(_("%(n)d entrants have been registered from the roster.", n=len(created)), "success")
    return redirect(url_for(".unit", unit_id=unit.id, _anchor="entrants"))
