"""Forms of the exam pages: the entrant's sign-in and the proctor's actions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Regexp

from contest.exams.proctors import LONGEST_EXTENSION

#: The last 4 characters of a resident ID number.
LAST4 = r"^\s*[0-9]{3}[0-9Xx]\s*$"


class SignInForm(FlaskForm):
    """Admission number (准考证号) and the last 4 characters of the ID number."""

    admission = StringField(
        _l("Admission number"),
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    last4 = StringField(
        _l("Last 4 characters of the ID number"),
        validators=[
            DataRequired(),
            Regexp(
                r"^\s*[0-9]{3}[0-9Xx]\s*$",
                message=_l("Four characters: digits, the last may be X."),
            ),
        ],
        render_kw={"autocomplete": "off", "maxlength": 4, "inputmode": "text"},
    )
    submit = SubmitField(_l("Start the exam"))


class ProctorForm(FlaskForm):
    """One proctor action on one entrant (or, without an entrant, the whole room)."""

    entrant = HiddenField()
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class ExtendForm(ProctorForm):
    minutes = IntegerField(
        _l("Minutes"), validators=[DataRequired(), NumberRange(1, LONGEST_EXTENSION)], default=5
    )
    submit = SubmitField(_l("Extend"))


class GiveRoomForm(FlaskForm):
    """An exam room given to a proctor: an existing proctor account, or a new one (one form
    per exam on the page, prefixed ``e<exam id>``)."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    name = StringField(
        _l("Name"),
        validators=[Length(max=100)],
        description=_l("For a new account only."),
    )
    password = StringField(
        _l("Password"),
        validators=[Length(max=200)],
        description=_l("For a new account only; hand it to the proctor."),
        render_kw={"autocomplete": "new-password"},
    )
