"""Forms for managing accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from contest.auth.forms import ACCOUNT_FIELDS
from contest.labels import LABELS
from contest.models import Role
from contest.services.accounts import MIN_PASSWORD_LENGTH


class CreateUserForm(FlaskForm):
    """A new administrator or organiser account (other accounts come with their event)."""

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
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, LABELS[Role][r]) for r in (Role.ORGANISER, Role.ADMIN)],
    )
    phone = StringField(
        _l("Mobile phone"),
        validators=[
            Optional(),
            Regexp(r"^1\d{10}$", message=_l("Enter an 11-digit mobile number.")),
        ],
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
    )
    submit = SubmitField(_l("Create account"))

    refusal_fields = ACCOUNT_FIELDS


class ResetPasswordForm(FlaskForm):
    """An administrator sets a new password for an account."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Reset password"))

    refusal_fields = ACCOUNT_FIELDS
