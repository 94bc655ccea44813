"""Forms of the public pages: a real-name objection during 公示 and the entrant self-lookup."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TelField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from contest.core.refusals import describe
from contest.publication import notice
from contest.publication.notice import NoticeError

LAST_FOUR = re.compile(r"\d{3}[\dXx]")


class ObjectionForm(FlaskForm):
    """A real-name objection to one nomination; the rules are the notice service's (the same
    limits and messages), checked here so that every problem is shown at once."""

    nomination = SelectField(
        _l("Nomination you object to"),
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose the nomination from the list."))],
    )
    name = StringField(
        _l("Your real name"),
        description=_l("Objections are accepted only under a real name."),
    )
    phone = TelField(
        _l("Phone"),
        description=_l("So that the organisers can contact you; it is never published."),
    )
    text = TextAreaField(
        _l("Objection"),
        description=_l("Say what is wrong with the nomination and how you know it."),
    )
    submit = SubmitField(_l("Submit the objection"))

    #: Which field a refusal of the notice service belongs to (else the nomination).
    refusal_fields = {
        NoticeError.NAME: "name",
        NoticeError.PHONE: "phone",
        NoticeError.TEXT: "text",
        NoticeError.UNKNOWN_NOMINATION: "nomination",
    }

    def set_nominations(self, choices: list[tuple[str, str]]) -> None:
        """Offer these nominations (value, label), after an empty first choice."""
        self.nomination.choices = [("", _l("Choose a nomination…")), *choices]

    def validate_nomination(self, field):
        if field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError(describe(NoticeError(NoticeError.UNKNOWN_NOMINATION)))

    def validate_name(self, field):
        low, high = notice.NAME_LIMITS
        if not low <= len((field.data or "").strip()) <= high:
            raise ValidationError(describe(NoticeError(NoticeError.NAME, low=low, high=high)))

    def validate_phone(self, field):
        if not notice.PHONE.fullmatch(re.sub(r"\s", "", field.data or "")):
            raise ValidationError(describe(NoticeError(NoticeError.PHONE)))

    def validate_text(self, field):
        low, high = notice.TEXT_LIMITS
        if not low <= len((field.data or "").strip()) <= high:
            raise ValidationError(describe(NoticeError(NoticeError.TEXT, low=low, high=high)))


class LookupForm(FlaskForm):
    """Find one's own result: name and the last four characters of the resident ID number,
    or a certificate number."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    last4 = StringField(
        _l("Last four characters of your resident ID number"),
        validators=[Optional()],
        render_kw={"autocomplete": "off", "inputmode": "text", "maxlength": 4},
    )
    certificate = StringField(
        _l("Or: certificate number"),
        validators=[Optional(), Length(max=40)],
        description=_l("Printed on the certificate, e.g. 2026001-00012-3FA9C1."),
        render_kw={"autocomplete": "off"},
    )
    submit = SubmitField(_l("Look up"))

    def validate_last4(self, field):
        if field.data and not LAST_FOUR.fullmatch(field.data.strip()):
            raise ValidationError(
                _l("Enter the last four characters of the ID number: digits, or X at the end.")
            )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        by_name = bool((self.name.data or "").strip()) and bool(self.last4.data)
        if by_name or (self.certificate.data or "").strip():
            return True
        self.form_errors.append(
            _l(
                "Enter your name and the last four characters of your ID number, "
                "or a certificate number."
            )
        )
        return False

    @property
    def by_certificate(self) -> bool:
        """Whether to look up by certificate number (it wins when both are given)."""
        return bool((self.certificate.data or "").strip())
