"""Forms about accounts: logging in, one's own password, and the administrator's."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from contest.accounts.models import Role
from contest.accounts.services import MIN_PASSWORD_LENGTH, AccountError
from contest.core.labels import LABELS

#: Where a refusal of the accounts service is shown on a form about an account.
ACCOUNT_FIELDS = {
    AccountError.USERNAME_TAKEN: "username",
    AccountError.WEAK_PASSWORD: "password",
    AccountError.WRONG_PASSWORD: "current",
}


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(FlaskForm):
    """The account holder's own password change."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))

    refusal_fields = {**ACCOUNT_FIELDS, AccountError.WEAK_PASSWORD: "new"}


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
