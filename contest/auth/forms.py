"""Forms for logging in and changing one's password."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from contest.services.accounts import MIN_PASSWORD_LENGTH, AccountError

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
