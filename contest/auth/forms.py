"""Forms for logging in and changing one's password."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from contest.services.accounts import MIN_PASSWORD_LENGTH, AccountError

#: What each account error means to the person who caused it.
ACCOUNT_ERRORS = {
    AccountError.USERNAME_TAKEN: _l("This username is already taken."),
    AccountError.WRONG_PASSWORD: _l("The current password is not correct."),
    AccountError.WEAK_PASSWORD: _l(
        "Use at least %(n)d characters, mixing letters with digits or symbols.",
        n=MIN_PASSWORD_LENGTH,
    ),
    AccountError.LAST_ADMIN: _l("The last active administrator cannot be disabled."),
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
