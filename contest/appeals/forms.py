"""Forms of the appeals area: a team leader's appeal, the decision on it, and the organisers'
decision on a 公示 objection.

Every POST is checked for its CSRF token by ``CSRFProtect`` before any view runs (the
templates send the session's token), so these forms do not check it again; that lets one page
carry a form per entrant or per objection, each with its own prefix. The rules themselves
(length of the text, a reason required, what an upheld objection does) are the services'.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from contest.appeals import services as appeals
from contest.publication import notice

REASON_MAX = 2000


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class _Form(FlaskForm):
    """Base of this area's forms (CSRF is checked app-wide, see the module docstring)."""

    class Meta:
        csrf = False


def _reason(description) -> TextAreaField:
    return TextAreaField(
        _l("Reason for the decision"),
        validators=[Optional(), Length(max=REASON_MAX)],
        filters=[_strip],
        description=description,
    )


class AppealForm(_Form):
    """A team leader's written appeal about one entrant's result."""

    text = TextAreaField(
        _l("Appeal"),
        filters=[_strip],
        description=_l(
            "What should be reviewed and why (%(low)s to %(high)s characters). "
            "Only one appeal can be filed per entrant.",
            low=appeals.TEXT_LIMITS[0],
            high=appeals.TEXT_LIMITS[1],
        ),
    )
    submit = SubmitField(_l("File the appeal"))

    refusal_fields = {appeals.AppealError.TEXT: "text"}


UPHELD, REJECTED = "upheld", "rejected"


class AppealDecisionForm(_Form):
    """The chief judge's (or the arbitration group's) decision on an appeal."""

    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice(UPHELD, _l("Uphold the appeal")),
            SelectChoice(REJECTED, _l("Reject the appeal")),
        ],
        validators=[DataRequired(message=_l("Choose a decision."))],
    )
    reason = _reason(_l("Required. The team leader sees it; it is kept in the audit log."))
    submit = SubmitField(_l("Record the decision"))

    refusal_fields = {appeals.AppealError.REASON_REQUIRED: "reason"}


class ObjectionDecisionForm(_Form):
    """The organisers' decision on an objection: reject it, or uphold it by removing the
    nomination or moving it to another award list."""

    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice(REJECTED, _l("Reject the objection")),
            SelectChoice("remove", _l("Uphold: remove the nomination from this award list")),
            SelectChoice("change", _l("Uphold: move the nomination to another award list")),
        ],
        validators=[DataRequired(message=_l("Choose a decision."))],
    )
    new_award = SelectField(_l("Move to award list"), validators=[Optional()])
    reason = _reason(
        _l(
            "Required; it is kept in the audit log. The reason for an upheld objection is "
            "published with the change."
        )
    )
    submit = SubmitField(_l("Record the decision"))

    refusal_fields = {
        notice.NoticeError.REASON_REQUIRED: "reason",
        notice.NoticeError.ACTION_REQUIRED: "decision",
        notice.NoticeError.UNKNOWN_AWARD: "new_award",
    }

    def fill(self, awards: dict[str, str], current: str) -> ObjectionDecisionForm:
        """Offer every other award list of the event as the target of a move."""
        self.new_award.choices = [SelectChoice("", "—")] + [
            SelectChoice(code, f"{title}（{code}）")
            for code, title in awards.items()
            if code != current
        ]
        return self
