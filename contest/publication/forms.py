"""Forms of the public pages — a real-name objection during 公示 and the entrant self-lookup —
and of the organisers' publishing: the confirmation of a preview, withdrawing a publication
and revoking a certificate, each of the last two with its reason."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from contest.core.refusals import describe
from contest.publication import certificates, notice
from contest.publication import services as publications
from contest.publication.certificates import CertificateError
from contest.publication.notice import NoticeError
from contest.publication.services import PublicationError

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


# --- the organisers' publishing ------------------------------------------------------------


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class PublishForm(FlaskForm):
    """The confirmation of a preview: it carries the preview's fingerprint, so that only
    what was shown is published."""

    digest = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Confirm and publish"))


class WithdrawForm(FlaskForm):
    """Withdraw a publication, with the reason the public pages show."""

    reason = TextAreaField(
        _l("Reason for the withdrawal"),
        validators=[
            DataRequired(message=_l("Give the reason for withdrawing the publication.")),
            Length(max=publications.REASON_LIMIT),
        ],
        filters=[_strip],
        description=_l("Shown on the public pages in place of what was published."),
    )
    submit = SubmitField(_l("Withdraw the publication"))

    refusal_fields = {PublicationError.REASON_REQUIRED: "reason"}


class RevokeForm(FlaskForm):
    """Revoke a certificate, with a reason (its verification page shows it)."""

    reason = TextAreaField(
        _l("Reason for revoking"),
        validators=[
            DataRequired(message=_l("Give the reason for revoking the certificate.")),
            Length(max=certificates.REASON_LIMIT),
        ],
        filters=[_strip],
        description=_l("Shown on the certificate's verification page."),
    )
    submit = SubmitField(_l("Revoke the certificate"))

    refusal_fields = {CertificateError.REASON_REQUIRED: "reason"}
