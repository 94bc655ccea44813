"""Unit contact home and unit page."""

from flask import Blueprint, g, redirect, render_template, url_for
from flask_login import current_user

from contest.auth.access import can_act_for_unit, object_required, roles_required
from contest.models import Role, Unit
from contest.services import registration

bp = Blueprint("unit", __name__)


@bp.get("/")
@roles_required(Role.UNIT_CONTACT)
def home():
    """The contact's units; straight to the unit page when there is only one."""
    units = registration.units_for_contact(current_user)
    if len(units) == 1:
        return redirect(url_for(".unit", unit_id=units[0].id))
    return render_template("unit/home.html", units=units)


@bp.get("/<int:unit_id>")
@object_required(Unit, "unit_id", can_act_for_unit)
def unit(unit: Unit):
    """The unit's teams and entrants with their registration status (IDs masked)."""
    g.timezone = unit.event.timezone
    return render_template("unit/unit.html", unit=unit, entrants=registration.unit_entrants(unit))
