"""Forms of the organiser's screens.

Numbers are passed on as typed: the services read them exactly as the contest-package
reader reads a package, so a form and an imported package get the same checks and the same
words. The forms themselves only bound choices and the shape of accounts.

The list editors (trade scheme, award rules) work without JavaScript: buttons named
``action`` add, remove and move rows, and the page comes back with the changed list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtf_translations
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from contest.accounts.forms import ACCOUNT_FIELDS
from contest.accounts.models import Role
from contest.accounts.services import MIN_PASSWORD_LENGTH
from contest.core.labels import LABELS
from contest.domain.awards import Rounding
from contest.domain.scoring import Aggregation, CriterionKind, Recusal
from contest.domain.skills import SKILL_LADDER
from contest.domain.stages import StageKind
from contest.events.models import UnitKind
from contest.organise.event_setup import AwardRuleInput, EventInput, WindowInput
from contest.organise.people_setup import JudgeInput, UnitInput
from contest.organise.setup import Raw
from contest.organise.trade_setup import ComponentInput, CriterionInput, TradeInput

WHOLE = re.compile(r"^[+-]?\d+$")
LIST_SEPARATORS = re.compile(r"[\s,，、;；]+")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
ANY_FIELD = ("*", "any", "null", "不限", "—", "-")


def text(value: Any) -> str | None:
    """Typed text without surrounding spaces; None when blank."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def whole(value: Any) -> Raw:
    """A whole number if it reads as one, else the text as typed (for the reader to refuse)."""
    if isinstance(value, int):
        return value
    value = text(value)
    if value is None:
        return None
    return int(value) if WHOLE.match(value) else value


def shown(value: Any) -> str:
    """A value as it goes back into a text box."""
    return "" if value is None else str(value)


def row_id(value: Any) -> int | None:
    """The stored row a list entry edits (None for a new row)."""
    value = text(value)
    return int(value) if value and value.isdigit() else None


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select choices from (value, label) pairs; values as text."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def choices_of(enum: type, members=None) -> list[SelectChoice]:
    """Select choices for an enum, labelled in the user's language."""
    return options((m.value, LABELS[enum][m]) for m in (members or enum))


class OrganiseForm(FlaskForm):
    """Base of the organiser's forms.

    Every POST is already checked for its CSRF token by ``CSRFProtect`` before any view
    runs (the templates send the session's token), so the forms do not check it a second
    time: that lets a list editor rebuild its form from data, and lets one page carry
    several forms with prefixes.
    """

    class Meta:
        csrf = False


class SubForm(Form):
    """A form inside a form (a list row, a window): WTForms' own messages in the user's
    language, as the enclosing Flask-WTF form has them."""

    class Meta(DefaultMeta):
        def get_translations(self, form):
            if current_app.config.get("WTF_I18N_ENABLED", True):
                return wtf_translations
            return super().get_translations(form)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountNameMixin:
    """The shape of a username, as the administrator's form has it."""

    refusal_fields = ACCOUNT_FIELDS

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


def password_field(label) -> PasswordField:
    return PasswordField(
        label, validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )


def mobile_field(label) -> StringField:
    return StringField(
        label,
        validators=[
            Optional(),
            Regexp(r"^1\d{10}$", message=_l("Enter an 11-digit mobile number.")),
        ],
    )


# --- events ------------------------------------------------------------------------------------


SLUG_HINT = _l(
    "3–64 lower-case letters, digits or dashes, e.g. binjiang-2026; "
    "the public pages are at /e/<web address>/."
)


class EventForm(OrganiseForm):
    """An event's settings."""

    name = StringField(_l("Event name"))
    slug = StringField(_l("Web address"), description=SLUG_HINT)
    host = StringField(_l("Host (主办单位)"))
    venue = StringField(_l("Venue"))
    starts_on = DateField(
        _l("First competition day"),
        validators=[Optional()],
        description=_l("Ages are counted on this day."),
    )
    ends_on = DateField(_l("Last competition day"), validators=[Optional()])
    timezone = StringField(
        _l("Time zone"),
        default="Asia/Shanghai",
        description=_l("An IANA time zone such as Asia/Shanghai or Asia/Urumqi."),
    )
    decimals = StringField(_l("Decimal places of totals"), default="2")
    placement_points = StringField(
        _l("Placement points"),
        default="9, 7, 6, 5, 4, 3, 2, 1",
        description=_l(
            "Whole points for ranks 1, 2, 3, … in the unit standings, separated by commas."
        ),
    )
    medals_by_field = BooleanField(
        _l(
            "Medals depend on the field size (6 or more: gold, silver, bronze; 5: gold and "
            "silver; 4 or fewer: gold only)"
        )
    )
    multiple_trades_allowed = BooleanField(_l("A person may enter more than one trade"))
    submit = SubmitField(_l("Save"))

    def to_input(self) -> EventInput:
        """The settings for the service."""
        points = [whole(p) for p in LIST_SEPARATORS.split(self.placement_points.data or "") if p]
        return EventInput(
            slug=text(self.slug.data),
            name=text(self.name.data),
            host=text(self.host.data),
            venue=text(self.venue.data),
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            timezone=text(self.timezone.data),
            decimals=whole(self.decimals.data),
            placement_points=points,
            medals_by_field=self.medals_by_field.data,
            multiple_trades_allowed=self.multiple_trades_allowed.data,
        )

    @staticmethod
    def initial(data: EventInput) -> dict[str, Any]:
        """Form data from stored settings."""
        return {
            "slug": data.slug,
            "name": data.name,
            "host": data.host,
            "venue": data.venue,
            "starts_on": data.starts_on,
            "ends_on": data.ends_on,
            "timezone": data.timezone,
            "decimals": shown(data.decimals),
            "placement_points": ", ".join(str(p) for p in data.placement_points),
            "medals_by_field": data.medals_by_field,
            "multiple_trades_allowed": data.multiple_trades_allowed,
        }


class CopyEventForm(OrganiseForm):
    """A new event made from an earlier one."""

    name = StringField(_l("Event name"))
    slug = StringField(_l("Web address"), description=SLUG_HINT)
    starts_on = DateField(_l("First competition day"), validators=[Optional()])
    ends_on = DateField(_l("Last competition day"), validators=[Optional()])
    judges = BooleanField(_l("Copy the judges, their accounts and the panels"), default=True)
    schedule = BooleanField(
        _l("Copy the schedule, moved by as many days as the first day moves"), default=True
    )
    submit = SubmitField(_l("Copy event"))


class WindowForm(SubForm):
    """A window's opening and closing time, in the event's time zone."""

    opens = DateTimeLocalField(_l("Opens"), format=DATETIME_FORMATS, validators=[Optional()])
    closes = DateTimeLocalField(_l("Closes"), format=DATETIME_FORMATS, validators=[Optional()])


class InstantForm(SubForm):
    """Publication: one instant."""

    at = DateTimeLocalField(_l("At"), format=DATETIME_FORMATS, validators=[Optional()])


class ScheduleForm(OrganiseForm):
    """The event's planned windows."""

    kinds: tuple[StageKind, ...] = tuple(StageKind)
    registration = FormField(WindowForm, LABELS[StageKind][StageKind.REGISTRATION])
    review = FormField(WindowForm, LABELS[StageKind][StageKind.REVIEW])
    scoring = FormField(WindowForm, LABELS[StageKind][StageKind.SCORING])
    appeal = FormField(WindowForm, LABELS[StageKind][StageKind.APPEAL])
    public_notice = FormField(WindowForm, LABELS[StageKind][StageKind.PUBLIC_NOTICE])
    publish = FormField(InstantForm, LABELS[StageKind][StageKind.PUBLISH])
    submit = SubmitField(_l("Save schedule"))

    def to_input(self) -> dict[StageKind, WindowInput]:
        """The plan for the service (naive local times)."""
        plan = {}
        for kind in self.kinds:
            sub = getattr(self, kind.value).form
            if kind == StageKind.PUBLISH:
                plan[kind] = WindowInput(sub.at.data)
            else:
                plan[kind] = WindowInput(sub.opens.data, sub.closes.data)
        return plan

    @staticmethod
    def initial(plan: dict[StageKind, WindowInput]) -> dict[str, Any]:
        """Form data from the stored windows."""
        data: dict[str, Any] = {}
        for kind, window in plan.items():
            if kind == StageKind.PUBLISH:
                data[kind.value] = {"at": window.opens}
            else:
                data[kind.value] = {"opens": window.opens, "closes": window.closes}
        return data


class TradeScheduleForm(ScheduleForm):
    """A trade's own scoring and appeal windows (empty: the event's apply)."""

    kinds = (StageKind.SCORING, StageKind.APPEAL)
    registration = review = public_notice = publish = None  # type: ignore[assignment]


# --- award rules -------------------------------------------------------------------------------

SELECT_WAYS = options(
    [
        ("top", _l("The first N places")),
        ("ranks", _l("A band of ranks")),
        ("percent", _l("A percentage of the ranked field")),
        ("top_by_field", _l("Places by field size")),
    ]
)
ROUNDINGS = options(
    [
        (Rounding.ROUND.value, _l("Round half up")),
        (Rounding.FLOOR.value, _l("Round down")),
        (Rounding.CEIL.value, _l("Round up")),
    ]
)


class SelectionForm(SubForm):
    """How a rule selects by rank; only the inputs of the chosen way are used."""

    way = SelectField(_l("Selects"), choices=SELECT_WAYS, default="top")
    top = StringField(_l("Places (N)"))
    rank_from = StringField(_l("From rank"))
    rank_to = StringField(_l("To rank"))
    percent = StringField(_l("Percent of the ranked field"))
    rounding = SelectField(_l("Rounding"), choices=ROUNDINGS, default=Rounding.ROUND.value)
    top_by_field = TextAreaField(
        _l("Places by field size"),
        description=_l(
            "One line per row: the largest field size and the places, e.g. “10 1”; "
            "“* 3” for any larger field."
        ),
        render_kw={"rows": 3},
    )


class PromotionForm(SubForm):
    """Skill promotion (晋升) by a rule."""

    enabled = BooleanField(_l("Promotes the skill level"))
    levels = StringField(_l("Levels up"), default="1")
    cap = SelectField(
        _l("Not above"), choices=options((s, s) for s in SKILL_LADDER), default=SKILL_LADDER[-1]
    )


class AwardRuleForm(SubForm):
    """One award rule (SCORING.md §5)."""

    code = StringField(_l("Award code"))
    title = StringField(_l("Title"))
    select = FormField(SelectionForm, _l("Selection"))
    min_total = StringField(_l("Minimum total"))
    min_entrants = StringField(_l("Only in trades with at least … ranked entrants"))
    max_age = StringField(_l("Maximum age"))
    trades = MultiCheckboxField(
        _l("Only in these trades"),
        choices=[],
        description=_l("None ticked: every trade."),
    )
    group = StringField(
        _l("Exclusive group"),
        description=_l("Rules of one group give an entrant only the first that selects them."),
    )
    promote = FormField(PromotionForm, _l("Skill promotion"))


class AwardRulesForm(OrganiseForm):
    """The event's ordered award rules."""

    award_rules = FieldList(FormField(AwardRuleForm))
    submit = SubmitField(_l("Save award rules"))


#: Where an award-rule problem goes on the form when its path names no input.
RULE_ALIASES = (
    (r"(award_rules-\d+-select)", r"\1-way"),
    (r"(award_rules-\d+-select)-ranks", r"\1-rank_from"),
    (r"(award_rules-\d+-promote)", r"\1-levels"),
)


def _field_rows(value: str | None) -> list[list[Any]]:
    rows = []
    for line in (value or "").splitlines():
        parts = [p for p in LIST_SEPARATORS.split(line.strip()) if p]
        if not parts:
            continue
        cells: list[Any] = [None if p.lower() in ANY_FIELD else whole(p) for p in parts]
        rows.append(cells)
    return rows


def rule_input(row: dict[str, Any]) -> AwardRuleInput:
    """One rule of the submitted list, for the service."""
    choice = row["select"]
    way = choice["way"]
    select: dict[str, Any]
    if way == "ranks":
        select = {"ranks": [whole(choice["rank_from"]), whole(choice["rank_to"])]}
    elif way == "percent":
        select = {"percent": text(choice["percent"]), "rounding": choice["rounding"]}
    elif way == "top_by_field":
        select = {"top_by_field": _field_rows(choice["top_by_field"]) or None}
    else:
        select = {"top": whole(choice["top"])}
    promote = None
    if row["promote"]["enabled"]:
        promote = {"levels": whole(row["promote"]["levels"]), "cap": row["promote"]["cap"]}
        promote = {key: value for key, value in promote.items() if value is not None}
    return AwardRuleInput(
        code=text(row["code"]),
        title=text(row["title"]),
        select=select,
        min_total=text(row["min_total"]),
        min_entrants=whole(row["min_entrants"]),
        max_age=whole(row["max_age"]),
        trades=list(row["trades"]) or None,
        group=text(row["group"]),
        promote=promote,
    )


def rule_row(rule: AwardRuleInput | None = None) -> dict[str, Any]:
    """Form data for one rule (a blank one for “add a rule”)."""
    if rule is None:
        return {"select": {"way": "top"}, "promote": {"enabled": False}, "trades": []}
    select = rule.select
    way = next((w.value for w in SELECT_WAYS if w.value in select), "top")
    ranks = select.get("ranks") or [None, None]
    field_rows = select.get("top_by_field") or []
    choice = {
        "way": way,
        "top": shown(select.get("top")),
        "rank_from": shown(ranks[0]),
        "rank_to": shown(ranks[1]),
        "percent": shown(select.get("percent")),
        "rounding": select.get("rounding", Rounding.ROUND.value),
        "top_by_field": "\n".join(
            f"{'*' if size is None else size} {places}" for size, places in field_rows
        ),
    }
    promote = rule.promote or {}
    return {
        "code": rule.code,
        "title": rule.title,
        "select": choice,
        "min_total": shown(rule.min_total),
        "min_entrants": shown(rule.min_entrants),
        "max_age": shown(rule.max_age),
        "trades": list(rule.trades or []),
        "group": shown(rule.group),
        "promote": {
            "enabled": rule.promote is not None,
            "levels": shown(promote.get("levels", 1)),
            "cap": promote.get("cap", SKILL_LADDER[-1]),
        },
    }


def blank_rule(row: dict[str, Any]) -> bool:
    """A rule row nobody filled in (left out when saving)."""
    choice = row["select"]
    typed = [row["code"], row["title"], row["min_total"], row["min_entrants"], row["max_age"]]
    typed += [choice[k] for k in ("top", "rank_from", "rank_to", "percent", "top_by_field")]
    return not any(text(v) for v in typed) and not row["trades"] and not row["group"]


# --- trades ------------------------------------------------------------------------------------


class CriterionForm(SubForm):
    """One criterion (评分项) with the fields of SCORING.md §1."""

    row_id = HiddenField()
    code = StringField(_l("Code"))
    name = StringField(_l("Criterion name"))
    max = StringField(_l("Maximum mark"))
    kind = SelectField(_l("Kind"), choices=choices_of(CriterionKind), default="measurement")
    scale = StringField(_l("Judges' scale"))
    step = StringField(_l("Step"), default="0.01")
    aggregation = SelectField(_l("Panel rule"), choices=choices_of(Aggregation), default="mean")
    trim = StringField(_l("Trim"), default="1")
    factor = StringField(_l("Factor"), default="1")
    max_spread = StringField(_l("Maximum spread"))
    description = TextAreaField(_l("Marking notes"), render_kw={"rows": 2})


class ComponentForm(SubForm):
    """A weighted component (理论, 实操, …), scored directly or through criteria."""

    row_id = HiddenField()
    code = StringField(_l("Code"))
    name = StringField(_l("Component name"))
    weight = StringField(_l("Weight"))
    max = StringField(_l("Maximum score"), default="100")
    step = StringField(_l("Step"), default="0.01")
    judges = MultiCheckboxField(
        _l("Component panel"),
        coerce=int,
        choices=[],
        description=_l("None ticked: every judge of the trade's panel."),
    )
    criteria = FieldList(FormField(CriterionForm))


class TradeForm(OrganiseForm):
    """A trade's settings, registration limits, tie-breakers and marking scheme."""

    code = StringField(_l("Trade code"))
    name = StringField(_l("Trade name"))
    category = StringField(_l("Category"), description=_l("A label such as 一类, 二类 or 职工组."))
    capacity = StringField(_l("Capacity (entrants)"))
    unit_quota = StringField(_l("Entrants per unit"))
    min_entrants = StringField(
        _l("Minimum field"),
        description=_l("With fewer ranked entrants the trade awards nothing."),
    )
    team_size = StringField(
        _l("Team size"), description=_l("A team's trade score adds its best N members.")
    )
    recusal = SelectField(_l("Recusal"), choices=choices_of(Recusal), default="same_unit")
    min_age = StringField(_l("Minimum age"))
    max_age = StringField(_l("Maximum age"))
    min_skill_level = SelectField(
        _l("Minimum skill level"), choices=options([("", "—"), *((s, s) for s in SKILL_LADDER)])
    )
    tie_breakers = FieldList(SelectField(_l("Tie-breaker"), choices=[], validate_choice=False))
    components = FieldList(FormField(ComponentForm))


class CopyTradeForm(OrganiseForm):
    """A copy of a trade under a new code."""

    code = StringField(_l("Trade code"))
    name = StringField(_l("Trade name"))
    panel = BooleanField(_l("Copy the panel of judges"), default=False)
    submit = SubmitField(_l("Copy trade"))


def _criterion_input(row: dict[str, Any]) -> CriterionInput:
    return CriterionInput(
        id=row_id(row["row_id"]),
        code=text(row["code"]),
        name=text(row["name"]),
        description=text(row["description"]),
        max=text(row["max"]),
        kind=row["kind"] or None,
        scale=text(row["scale"]),
        step=text(row["step"]),
        aggregation=row["aggregation"] or None,
        trim=whole(row["trim"]),
        factor=text(row["factor"]),
        max_spread=text(row["max_spread"]),
    )


def trade_input(data: dict[str, Any]) -> TradeInput:
    """The submitted trade (``TradeForm.data``) for the service."""
    return TradeInput(
        code=text(data["code"]),
        name=text(data["name"]),
        category=text(data["category"]),
        tie_breakers=[b for b in data["tie_breakers"] if b],
        min_entrants=whole(data["min_entrants"]),
        team_size=whole(data["team_size"]),
        recusal=data["recusal"] or None,
        capacity=whole(data["capacity"]),
        unit_quota=whole(data["unit_quota"]),
        min_age=whole(data["min_age"]),
        max_age=whole(data["max_age"]),
        min_skill_level=data["min_skill_level"] or None,
        components=[
            ComponentInput(
                id=row_id(c["row_id"]),
                code=text(c["code"]),
                name=text(c["name"]),
                weight=text(c["weight"]),
                max=text(c["max"]),
                step=text(c["step"]),
                judges=list(c["judges"] or []),
                criteria=[_criterion_input(k) for k in c["criteria"]],
            )
            for c in data["components"]
        ],
    )


def trade_data(data: TradeInput) -> dict[str, Any]:
    """Form data from a trade (stored or default)."""
    return {
        "code": data.code,
        "name": data.name,
        "category": data.category,
        "capacity": shown(data.capacity),
        "unit_quota": shown(data.unit_quota),
        "min_entrants": shown(data.min_entrants),
        "team_size": shown(data.team_size),
        "recusal": data.recusal or Recusal.SAME_UNIT.value,
        "min_age": shown(data.min_age),
        "max_age": shown(data.max_age),
        "min_skill_level": data.min_skill_level or "",
        "tie_breakers": list(data.tie_breakers),
        "components": [
            {
                "row_id": shown(c.id),
                "code": c.code,
                "name": c.name,
                "weight": shown(c.weight),
                "max": shown(c.max) or "100",
                "step": shown(c.step) or "0.01",
                "judges": list(c.judges),
                "criteria": [
                    {
                        "row_id": shown(k.id),
                        "code": k.code,
                        "name": k.name,
                        "description": k.description,
                        "max": shown(k.max),
                        "kind": k.kind or CriterionKind.MEASUREMENT.value,
                        "scale": shown(k.scale),
                        "step": shown(k.step) or "0.01",
                        "aggregation": k.aggregation or Aggregation.MEAN.value,
                        "trim": shown(k.trim) or "1",
                        "factor": shown(k.factor) or "1",
                        "max_spread": shown(k.max_spread),
                    }
                    for k in c.criteria
                ],
            }
            for c in data.components
        ],
    }


def new_criterion() -> dict[str, Any]:
    """A blank criterion row with the defaults of SCORING.md §1."""
    return trade_data(TradeInput(components=[ComponentInput(criteria=[CriterionInput()])]))[
        "components"
    ][0]["criteria"][0]


def new_component() -> dict[str, Any]:
    """A blank component row."""
    return trade_data(TradeInput(components=[ComponentInput()]))["components"][0]


def _blank_criterion(row: dict[str, Any]) -> bool:
    keys = ("code", "name", "max", "scale", "max_spread", "description")
    return not any(text(row[k]) for k in keys)


def without_blank_rows(data: dict[str, Any]) -> dict[str, Any]:
    """The trade as submitted, less the rows nobody filled in."""
    components = []
    for component in data["components"]:
        criteria = [k for k in component["criteria"] if not _blank_criterion(k)]
        if criteria or any(text(component[k]) for k in ("code", "name", "weight")):
            components.append({**component, "criteria": criteria})
    breakers = [b for b in data["tie_breakers"] if b]
    return {**data, "components": components, "tie_breakers": breakers}


def edit_list(rows: list[Any], verb: str, index: int, new: Any = None) -> None:
    """Add (after the end), remove, or move a row one place up or down."""
    if verb == "add":
        rows.append(new)
    elif not 0 <= index < len(rows):
        return
    elif verb == "remove":
        rows.pop(index)
    elif verb in ("up", "down"):
        target = index - 1 if verb == "up" else index + 1
        if 0 <= target < len(rows):
            rows[index], rows[target] = rows[target], rows[index]


def apply_trade_action(data: dict[str, Any], action: str) -> dict[str, Any]:
    """The trade form after one of its row buttons (``up-criterion:0:2`` …)."""
    verb, _, rest = action.partition("-")
    what, _, where = rest.partition(":")
    numbers = [int(n) for n in where.split(":") if n.isdigit()]
    if what == "component":
        edit_list(data["components"], verb, numbers[0] if numbers else -1, new_component())
    elif what == "criterion" and numbers:
        if numbers[0] < len(data["components"]):
            criteria = data["components"][numbers[0]]["criteria"]
            index = numbers[1] if len(numbers) > 1 else -1
            edit_list(criteria, verb, index, new_criterion())
    elif what == "breaker":
        edit_list(data["tie_breakers"], verb, numbers[0] if numbers else -1, "")
    return data


def apply_rules_action(rows: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    """The award rules after one of their row buttons (``remove-rule:3`` …)."""
    verb, _, rest = action.partition("-")
    what, _, where = rest.partition(":")
    if what == "rule":
        edit_list(rows, verb, int(where) if where.isdigit() else -1, rule_row())
    return rows


# --- units and contacts ------------------------------------------------------------------------


class UnitForm(OrganiseForm):
    """A participating unit."""

    code = StringField(_l("Unit code"))
    name = StringField(_l("Unit name"))
    kind = SelectField(_l("Kind"), choices=choices_of(UnitKind), default=UnitKind.DISTRICT.value)
    submit = SubmitField(_l("Save"))

    def to_input(self) -> UnitInput:
        return UnitInput(text(self.code.data), text(self.name.data), self.kind.data)


class ContactForm(AccountNameMixin, OrganiseForm):
    """A new unit-contact account."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    phone = mobile_field(_l("Mobile phone"))
    password = password_field(_l("Initial password"))
    submit = SubmitField(_l("Create contact account"))


class LinkAccountForm(AccountNameMixin, OrganiseForm):
    """An existing account, by username."""

    submit = SubmitField(_l("Link account"))


class PasswordForm(OrganiseForm):
    """A new password for someone else's account."""

    refusal_fields = ACCOUNT_FIELDS

    password = password_field(_l("New password"))
    submit = SubmitField(_l("Reset password"))


# --- judges and panels -------------------------------------------------------------------------

JUDGE_ROLE_CHOICES = choices_of(Role, (Role.JUDGE, Role.CHIEF_JUDGE))


class JudgeForm(OrganiseForm):
    """A judge or score clerk of the event."""

    code = StringField(_l("Judge code"))
    name = StringField(_l("Full name"))
    unit = SelectField(
        _l("Unit"),
        choices=[],
        default="",
        description=_l("Judges do not score entrants of their own unit (回避)."),
    )
    phone = mobile_field(_l("Mobile phone"))
    submit = SubmitField(_l("Save"))

    def to_input(self) -> JudgeInput:
        return JudgeInput(
            code=text(self.code.data),
            name=text(self.name.data),
            unit_id=row_id(self.unit.data),
            phone=text(self.phone.data),
        )


class JudgeAccountForm(AccountNameMixin, OrganiseForm):
    """A new account for a judge."""

    role = SelectField(_l("Role"), choices=JUDGE_ROLE_CHOICES, default=Role.JUDGE.value)
    password = password_field(_l("Initial password"))
    submit = SubmitField(_l("Create account"))


class AccountRoleForm(OrganiseForm):
    """Judge or chief judge."""

    role = SelectField(_l("Role"), choices=JUDGE_ROLE_CHOICES)
    submit = SubmitField(_l("Change role"))


class PanelForm(OrganiseForm):
    """Who sits on a trade's panel, and who chairs it."""

    judges = MultiCheckboxField(_l("Panel"), coerce=int, choices=[])
    chief = RadioField(_l("Chief judge"), choices=[], validate_choice=True, default="")
    submit = SubmitField(_l("Save panel"))
