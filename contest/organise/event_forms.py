"""The organiser's forms of an event: its settings, a copy of an earlier event, the planned
schedule and the award rules (see ``forms`` for how numbers and list rows are handled)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional

from contest.core.labels import LABELS
from contest.domain.awards import Base, Rounding
from contest.domain.skills import SKILL_LADDER
from contest.domain.stages import StageKind
from contest.organise.decisions import DecisionInput
from contest.organise.event_setup import AwardRuleInput, EventInput, PassLine, WindowInput
from contest.organise.forms import (
    MultiCheckboxField,
    OrganiseForm,
    SubForm,
    edit_list,
    options,
    row_id,
    shown,
    text,
    whole,
)
from contest.results.models import AwardDecisionKind

LIST_SEPARATORS = re.compile(r"[\s,，、;；]+")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
ANY_FIELD = ("*", "any", "null", "不限", "—", "-")


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
    version = HiddenField()
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
            version=row_id(self.version.data),
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
            "version": shown(data.version),
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
    version = HiddenField()
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


# --- award rules -------------------------------------------------------------------------------

SELECT_WAYS = options(
    [
        ("top", _l("The first N places")),
        ("ranks", _l("A band of ranks")),
        ("percent", _l("A percentage of the field")),
        ("top_by_field", _l("Places by field size")),
        ("manual", _l("Named by the organisers")),
    ]
)
BASES = options(
    [
        (Base.RANKED.value, _l("the ranked entrants")),
        (Base.STARTED.value, _l("the entrants who started")),
        (Base.REGISTERED.value, _l("every entrant registered")),
    ]
)
GENDERS = options([("", _l("Anyone")), ("F", _l("Women only")), ("M", _l("Men only"))])
PROMOTION_WAYS = options([("levels", _l("Levels up")), ("to", _l("To a level"))])
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
    percent = StringField(_l("Percent"))
    of = SelectField(_l("Percentage of"), choices=BASES, default=Base.RANKED.value)
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
    way = SelectField(_l("Promotes"), choices=PROMOTION_WAYS, default="levels")
    levels = StringField(_l("Levels up"), default="1")
    to = SelectField(
        _l("Promoted to"),
        choices=options((s, s) for s in SKILL_LADDER),
        default="技师",
        description=_l("Those already at or above it go up one level."),
    )
    cap = SelectField(
        _l("Not above"), choices=options((s, s) for s in SKILL_LADDER), default=SKILL_LADDER[-1]
    )


class PassLineForm(SubForm):
    """A pass line on one component's rounded score (各部分均须及格, SCORING.md §7)."""

    code = HiddenField()
    line = StringField(_l("Pass line"))


class AwardRuleForm(SubForm):
    """One award rule (SCORING.md §5, §7)."""

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
    gender = SelectField(_l("Gender"), choices=GENDERS, default="")
    min_components = FieldList(FormField(PassLineForm))


class AwardRulesForm(OrganiseForm):
    """The event's ordered award rules."""

    award_rules = FieldList(FormField(AwardRuleForm))
    version = HiddenField()
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
        select = {
            "percent": text(choice["percent"]),
            "rounding": choice["rounding"],
            "of": choice["of"] or Base.RANKED.value,
        }
    elif way == "top_by_field":
        select = {"top_by_field": _field_rows(choice["top_by_field"]) or None}
    elif way == "manual":
        select = {"manual": True}
    else:
        select = {"top": whole(choice["top"])}
    promote = None
    given = row["promote"]
    if given["enabled"]:
        if given["way"] == "to":
            promote = {"to": given["to"], "cap": given["cap"]}
        else:
            promote = {"levels": whole(given["levels"]), "cap": given["cap"]}
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
        min_components=[
            PassLine(text(line["code"]), text(line["line"])) for line in row["min_components"]
        ],
        gender=row["gender"] or None,
    )


def rule_row(rule: AwardRuleInput | None = None) -> dict[str, Any]:
    """Form data for one rule (a blank one for “add a rule”)."""
    if rule is None:
        return {
            "select": {"way": "top"},
            "promote": {"enabled": False},
            "trades": [],
            "min_components": [],
        }
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
        "of": select.get("of", Base.RANKED.value),
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
            "way": "to" if promote.get("to") else "levels",
            "levels": shown(promote.get("levels", 1)),
            "to": promote.get("to") or "技师",
            "cap": promote.get("cap", SKILL_LADDER[-1]),
        },
        "gender": rule.gender or "",
        "min_components": [
            {"code": line.code, "line": shown(line.line)} for line in rule.min_components
        ],
    }


def with_pass_lines(
    rows: list[dict[str, Any]], components: dict[str, list[tuple[str, str]]]
) -> list[dict[str, Any]]:
    """Each rule with a pass-line row for every component that all the trades it applies
    to have (``components``: trade code → its components as (code, name)), besides the rows
    it already has."""
    for row in rows:
        chosen = [components[t] for t in (row.get("trades") or components) if t in components]
        shared = [code for code, _ in chosen[0]] if chosen else []
        for listed in chosen[1:]:
            codes = {code for code, _ in listed}
            shared = [code for code in shared if code in codes]
        lines = list(row.get("min_components") or [])
        present = {line["code"] for line in lines}
        lines += [{"code": code, "line": ""} for code in shared if code not in present]
        row["min_components"] = lines
    return rows


def blank_rule(row: dict[str, Any]) -> bool:
    """A rule row nobody filled in (left out when saving)."""
    choice = row["select"]
    typed = [row["code"], row["title"], row["min_total"], row["min_entrants"], row["max_age"]]
    typed += [choice[k] for k in ("top", "rank_from", "rank_to", "percent", "top_by_field")]
    typed += [line["line"] for line in row["min_components"]]
    return not any(text(v) for v in typed) and not row["trades"] and not row["group"]


def apply_rules_action(rows: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    """The award rules after one of their row buttons (``remove-rule:3`` …)."""
    verb, _, rest = action.partition("-")
    what, _, where = rest.partition(":")
    if what == "rule":
        edit_list(rows, verb, int(where) if where.isdigit() else -1, rule_row())
    return rows


# --- the organisers' decisions on the award rules ---------------------------------------------


class DecisionForm(OrganiseForm):
    """An organiser's decision on an award rule (SCORING.md §7)."""

    kind = SelectField(
        _l("Decision"),
        choices=options(
            [
                (AwardDecisionKind.INELIGIBLE.value, _l("Does not meet the rule's conditions")),
                (AwardDecisionKind.NAMED.value, _l("Named for a rule named by the organisers")),
            ]
        ),
        default=AwardDecisionKind.INELIGIBLE.value,
    )
    rule = SelectField(_l("Award rule"), choices=[], validate_choice=False)
    entrant = StringField(_l("Entrant code"))
    reason = TextAreaField(
        _l("Reason"),
        description=_l("Required when an entrant does not meet the conditions."),
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Record the decision"))

    def to_input(self) -> DecisionInput:
        """The decision for the service."""
        return DecisionInput(
            kind=self.kind.data,
            rule=text(self.rule.data),
            entrant=text(self.entrant.data),
            reason=text(self.reason.data),
        )
