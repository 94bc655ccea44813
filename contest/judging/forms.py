"""Forms of judging: the chief judge's desk, the clerks' page, the draw and check-in.

Every POST is checked for its CSRF token by ``CSRFProtect`` before any view runs (the
templates send the session's token), so the forms do not check it a second time; that lets
the desk carry several forms, each with its own prefix.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

REASON_MAX = 500


def optional_id(value: object) -> int | None:
    """A select's value as a row id, or None when empty or not a number."""
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        return None


class DeskForm(FlaskForm):
    """Base of the desk's forms (CSRF is checked app-wide, see the module docstring)."""

    #: A refusal for want of a reason is shown under the reason.
    refusal_fields = {"reason_required": "reason"}

    class Meta:
        csrf = False


def _reason(required: bool = True, label=None) -> StringField:
    validators = [DataRequired(message=_l("Give a reason."))] if required else [Optional()]
    return StringField(
        label or _l("Reason"),
        validators=[*validators, Length(max=REASON_MAX)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


def _entrant() -> SelectField:
    return SelectField(
        _l("Entrant"),
        coerce=optional_id,
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose an entrant."))],
    )


def _judge() -> SelectField:
    return SelectField(
        _l("Judge"),
        coerce=optional_id,
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose a judge."))],
    )


class RescoreForm(DeskForm):
    """Ask a judge to score an entrant again."""

    entrant = _entrant()
    judge = _judge()
    reason = _reason()
    submit = SubmitField(_l("Ask to re-score"))


class ExcuseForm(DeskForm):
    """Excuse a judge from an entrant's panel."""

    entrant = _entrant()
    judge = _judge()
    reason = _reason()
    submit = SubmitField(_l("Excuse the judge"))


TIME = re.compile(r"^(?:(?:(\d{1,4})[:：])?(\d{1,6})[:：])?(\d{1,7}(?:\.\d{1,3})?)$")


def parse_time(text: str) -> Decimal | None:
    """A completion time typed as seconds (``754.5``), ``mm:ss`` (``12:34.5``) or
    ``h:mm:ss``, as seconds; empty → None. Raises ValueError when it is none of these."""
    text = text.strip()
    if not text:
        return None
    match = TIME.match(text)
    if match is None:
        raise ValueError(text)
    hours, minutes, seconds = match.groups()
    try:
        value = Decimal(seconds)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits decimals only
        raise ValueError(text) from error
    if minutes is not None and value >= 60:
        raise ValueError(text)
    if hours is not None and int(minutes) >= 60:
        raise ValueError(text)
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + value


def clock(seconds: Decimal | None) -> str:
    """Seconds as ``m:ss`` (or ``h:mm:ss``), keeping any fraction: 754.5 → 12:34.5."""
    if seconds is None:
        return ""
    whole = int(seconds)
    fraction = seconds - whole
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    tail = f"{secs:02d}"
    if fraction:
        tail += str(fraction.normalize())[1:]
    return f"{hours}:{minutes:02d}:{tail}" if hours else f"{minutes}:{tail}"


class TimeForm(DeskForm):
    """Record, correct or clear an entrant's completion time."""

    entrant = _entrant()
    time = StringField(
        _l("Completion time"),
        validators=[Optional(), Length(max=20)],
        description=_l("Seconds, or minutes:seconds such as 12:34.5. Leave empty to clear."),
    )
    reason = _reason(required=False, label=_l("Reason (to change or clear a recorded time)"))
    submit = SubmitField(_l("Save the time"))

    seconds: Decimal | None = None  # the time read from the field, once validated

    def validate_time(self, field):
        try:
            self.seconds = parse_time(field.data or "")
        except ValueError as error:
            raise ValidationError(
                _l("Enter the time in seconds (e.g. 754.5) or as minutes:seconds (e.g. 12:34.5).")
            ) from error


class StatusForm(DeskForm):
    """Declare DNS, DQ or WD, or clear the declaration."""

    entrant = _entrant()
    status = SelectField(_l("Status"))
    reason = _reason()
    submit = SubmitField(_l("Save the status"))


class PenaltyForm(DeskForm):
    """Record a penalty: its kind (one the trade names, or typed), what it is taken from,
    the points (empty: the trade's standard for the kind) and the reason."""

    refusal_fields = {
        "reason_required": "reason",
        "reason_too_long": "reason",
        "kind_required": "kind",
        "kind_too_long": "other_kind",
        "points_required": "points",
        "points_range": "points",
        "unknown_target": "target",
        "not_competing": "kind",
    }

    kind = SelectField(_l("Kind of penalty"), validate_choice=False)
    other_kind = StringField(
        _l("Or another kind"),
        validators=[Optional(), Length(max=32)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        description=_l("Type it when the list does not have it."),
    )
    target = SelectField(
        _l("Taken from"),
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose a criterion or a component."))],
    )
    points = StringField(
        _l("Points off"),
        validators=[Optional(), Length(max=40)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        description=_l(
            "Leave empty to take the trade's standard for the kind. 0 records an incident "
            "that takes no points."
        ),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    reason = _reason()
    submit = SubmitField(_l("Record the penalty"))

    value: Decimal | None = None  # the points read from the field, once validated

    @property
    def chosen_kind(self) -> str:
        """The kind typed, else the kind chosen."""
        return self.other_kind.data or self.kind.data or ""

    def validate_points(self, field):
        text = (field.data or "").replace("．", ".")  # a full-width point, as some IMEs type
        if not text:
            self.value = None
            return
        try:
            self.value = Decimal(text)
        except InvalidOperation as error:
            raise ValidationError(_l("Enter a number.")) from error


class WithdrawPenaltyForm(DeskForm):
    """Withdraw a penalty given in error: it stays on the ledger and stops counting."""

    refusal_fields = {
        "reason_required": "reason",
        "reason_too_long": "reason",
        "withdrawn": "reason",
    }

    reason = _reason(label=_l("Why it is withdrawn"))
    submit = SubmitField(_l("Confirm the withdrawal"))


class LockForm(DeskForm):
    """Sign the trade off."""

    submit = SubmitField(_l("Lock and sign off"))


class UnlockForm(DeskForm):
    """Reopen a signed-off trade."""

    reason = _reason()
    submit = SubmitField(_l("Unlock"))


class DoubleEntryForm(DeskForm):
    """Switch double entry of paper sheets on or off."""

    double_entry = BooleanField(_l("Paper sheets are entered twice by two clerks"))
    submit = SubmitField(_l("Save"))


class ClerkForm(DeskForm):
    """List an account as a clerk of the trade."""

    username = StringField(
        _l("Username"),
        validators=[DataRequired(message=_l("Enter a username.")), Length(max=64)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    submit = SubmitField(_l("Add clerk"))


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


class TopUpForm(FlaskForm):
    """Give stations to the entrants approved after the draw, keeping everyone else's."""

    seed = StringField(
        _l("Seed"),
        validators=[
            Optional(),
            Length(min=4, max=64),
            Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Use letters, digits, dash or underscore.")),
        ],
        description=_l("Leave empty for a random seed. The seed is recorded and published."),
    )
    submit = SubmitField(_l("Give the late approvals their stations"))


class DoubleEntrySwitchForm(DoubleEntryForm):
    """Switch double entry of paper sheets on or off; switching it on for a trade with
    values submitted on tablets needs the chief judge to confirm how many there are
    (``tablet_values``, the count shown; the desk names it in the box's label)."""

    confirm = BooleanField(_l("I confirm the values already submitted on tablets"))
    tablet_values = StringField(filters=[lambda v: v.strip() if isinstance(v, str) else v])

    @property
    def confirmed(self) -> int | None:
        """The number of tablet values confirmed, or None."""
        if not self.confirm.data:
            return None
        return optional_id(self.tablet_values.data)


class PaperDecisionForm(DeskForm):
    """The chief judge's decision between a judge's tablet value and the value the clerks
    agreed on from the paper sheet."""

    entrant = StringField()
    judge = StringField()
    criterion = StringField()
    keep = SelectField(
        _l("Which value holds"), validators=[DataRequired(message=_l("Choose which value holds."))]
    )
    reason = _reason()
    submit = SubmitField(_l("Decide"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.keep.choices = [
            ("tablet", _l("Keep the tablet value")),
            ("paper", _l("Take the paper value")),
        ]
