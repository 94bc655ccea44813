"""Forms of registration: a unit's team, entrants and roster; the registration desk's review."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from contest.domain.registration import MOBILE
from contest.domain.skills import SKILL_LADDER


class ReviewForm(FlaskForm):
    """Approve or return the selected registrations."""

    reason = StringField(
        _l("Reason for returning"),
        validators=[Optional(), Length(max=500)],
        description=_l("Required when returning registrations; the unit contact sees it."),
    )
    approve = SubmitField(_l("Approve selected"))
    send_back = SubmitField(_l("Return selected"))

    refusal_fields = {"reason_required": "reason"}


class ReviewFilter(FlaskForm):
    """Which registrations to show (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    trade = SelectField(_l("Trade"), validators=[Optional()])
    unit = SelectField(_l("Unit"), validators=[Optional()])


PHONE = Regexp(MOBILE.pattern, message=_l("Enter an 11-digit mobile number."))


class TeamForm(FlaskForm):
    """The unit's team (代表队)."""

    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=200)])
    leader_name = StringField(_l("Team leader"), validators=[Optional(), Length(max=100)])
    coach_name = StringField(_l("Coach"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), PHONE])
    reason = StringField(
        _l("Reason for the change"),
        validators=[Optional(), Length(max=500)],
        description=_l("Required for organisers' corrections after registration has closed."),
    )
    submit = SubmitField(_l("Save team"))


class EntrantForm(FlaskForm):
    """One entrant; the registration rules themselves are checked by the service."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    id_number = StringField(_l("ID number"), validators=[DataRequired(), Length(max=18)])
    gender = SelectField(
        _l("Gender"),
        choices=[
            SelectChoice("", _l("From the ID number")),
            SelectChoice("M", _l("Male")),
            SelectChoice("F", _l("Female")),
        ],
        validators=[Optional()],
    )
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    trade = SelectField(_l("Trade"), validators=[DataRequired()])
    skill_level = SelectField(
        _l("Skill level"),
        choices=[SelectChoice("", "—"), *(SelectChoice(level, level) for level in SKILL_LADDER)],
        validators=[Optional()],
    )
    phone = StringField(_l("Mobile phone"), validators=[DataRequired(), PHONE])
    employer = StringField(_l("Employer"), validators=[Optional(), Length(max=200)])
    reason = StringField(
        _l("Reason for the change"),
        validators=[Optional(), Length(max=500)],
        description=_l("Required for organisers' corrections after registration has closed."),
    )
    submit = SubmitField(_l("Save entrant"))


class RosterForm(FlaskForm):
    """An Excel roster upload."""

    file = FileField(
        _l("Excel roster (.xlsx)"),
        validators=[
            FileRequired(message=_l("Choose a file to upload.")),
            FileAllowed(["xlsx"], message=_l("Upload the roster as an .xlsx workbook.")),
        ],
    )
    submit = SubmitField(_l("Upload roster"))


class ReasonForm(FlaskForm):
    """A button that may need a reason (e.g. removing an entrant after the window)."""

    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class PlacesUploadForm(FlaskForm):
    """The places per unit and trade as an Excel sheet."""

    file = FileField(
        _l("Excel sheet of places (.xlsx)"),
        validators=[
            FileRequired(message=_l("Choose a file to upload.")),
            FileAllowed(["xlsx"], message=_l("Upload the places as an .xlsx workbook.")),
        ],
    )
    submit = SubmitField(_l("Upload the places"))
