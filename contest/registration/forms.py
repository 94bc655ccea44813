"""Forms of the registration desk."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional, Regexp


class ReviewForm(FlaskForm):
    """Approve or return the selected registrations."""

    reason = StringField(
        _l("Reason for returning"),
        validators=[Optional(), Length(max=500)],
        description=_l("Required when returning registrations; the unit contact sees it."),
    )
    approve = SubmitField(_l("Approve selected"))
    send_back = SubmitField(_l("Return selected"))


class ReviewFilter(FlaskForm):
    """Which registrations to show (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    trade = SelectField(_l("Trade"), validators=[Optional()])
    unit = SelectField(_l("Unit"), validators=[Optional()])


class DrawForm(FlaskForm):
    """Make (or, before any score, remake) the draw of a trade."""

    seed = StringField(
        _l("Seed"),
        validators=[
            Optional(),
            Length(min=4, max=64),
            Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Use letters, digits, dash or underscore.")),
        ],
        description=_l("Leave empty for a random seed. The seed is recorded and published."),
    )
    redraw = BooleanField(_l("Draw again (replaces the current stations and codes)"))
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Make the draw"))


class CheckInForm(FlaskForm):
    """Present or absent at check-in."""

    present = SubmitField(_l("Mark present"))
    absent = SubmitField(_l("Mark absent"))
