"""The organiser's forms for people: units and their contacts, judges and their accounts,
and the trades' panels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from contest.accounts.forms import ACCOUNT_FIELDS
from contest.accounts.models import Role
from contest.accounts.services import MIN_PASSWORD_LENGTH
from contest.events.models import UnitKind
from contest.organise.forms import MultiCheckboxField, OrganiseForm, choices_of, row_id, text
from contest.organise.people_setup import JudgeInput, UnitInput


class AccountNameMixin:
    """The shape of a username, as the administrator's form has it."""

    refusal_fields = ACCOUNT_FIELDS

    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=3, max=64),
            Regexp(
                r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, dot, dash or underscore.")
            ),
        ],
    )


def password_field(label) -> PasswordField:
    return PasswordField(
        label, validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )


def mobile_field(label) -> StringField:
    return StringField(
        label,
        validators=[
            Optional(),
            Regexp(r"^1\d{10}$", message=_l("Enter an 11-digit mobile number.")),
        ],
    )


# --- units and contacts ------------------------------------------------------------------------


class UnitForm(OrganiseForm):
    """A participating unit."""

    code = StringField(_l("Unit code"))
    name = StringField(_l("Unit name"))
    kind = SelectField(_l("Kind"), choices=choices_of(UnitKind), default=UnitKind.DISTRICT.value)
    submit = SubmitField(_l("Save"))

    def to_input(self) -> UnitInput:
        return UnitInput(text(self.code.data), text(self.name.data), self.kind.data)


class ContactForm(AccountNameMixin, OrganiseForm):
    """A new unit-contact account."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    phone = mobile_field(_l("Mobile phone"))
    password = password_field(_l("Initial password"))
    submit = SubmitField(_l("Create contact account"))


class LinkAccountForm(AccountNameMixin, OrganiseForm):
    """An existing account, by username."""

    submit = SubmitField(_l("Link account"))


class PasswordForm(OrganiseForm):
    """A new password for someone else's account."""

    refusal_fields = ACCOUNT_FIELDS

    password = password_field(_l("New password"))
    submit = SubmitField(_l("Reset password"))


# --- judges and panels -------------------------------------------------------------------------

JUDGE_ROLE_CHOICES = choices_of(Role, (Role.JUDGE, Role.CHIEF_JUDGE))


class JudgeForm(OrganiseForm):
    """A judge or score clerk of the event."""

    code = StringField(_l("Judge code"))
    name = StringField(_l("Full name"))
    unit = SelectField(
        _l("Unit"),
        choices=[],
        default="",
        description=_l("Judges do not score entrants of their own unit (回避)."),
    )
    phone = mobile_field(_l("Mobile phone"))
    submit = SubmitField(_l("Save"))

    def to_input(self) -> JudgeInput:
        return JudgeInput(
            code=text(self.code.data),
            name=text(self.name.data),
            unit_id=row_id(self.unit.data),
            phone=text(self.phone.data),
        )


class JudgeAccountForm(AccountNameMixin, OrganiseForm):
    """A new account for a judge."""

    role = SelectField(_l("Role"), choices=JUDGE_ROLE_CHOICES, default=Role.JUDGE.value)
    password = password_field(_l("Initial password"))
    submit = SubmitField(_l("Create account"))


class AccountRoleForm(OrganiseForm):
    """Judge or chief judge."""

    role = SelectField(_l("Role"), choices=JUDGE_ROLE_CHOICES)
    submit = SubmitField(_l("Change role"))


class PanelForm(OrganiseForm):
    """Who sits on a trade's panel, and who chairs it."""

    judges = MultiCheckboxField(_l("Panel"), coerce=int, choices=[])
    chief = RadioField(_l("Chief judge"), choices=[], validate_choice=True, default="")
    version = HiddenField()
    submit = SubmitField(_l("Save panel"))
