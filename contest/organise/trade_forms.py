"""The organiser's forms of a trade: the trade editor (settings, limits, tie-breakers, the
marking scheme, and the rules from contest documents — the fewest starters, team
tie-breakers, overtime and kinds of penalty — with their row buttons), a copy of a trade and
the trade's own schedule."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from contest.domain.scoring import Aggregation, CriterionKind, Recusal
from contest.domain.skills import SKILL_LADDER
from contest.domain.stages import StageKind
from contest.organise.event_forms import ScheduleForm
from contest.organise.forms import (
    MultiCheckboxField,
    OrganiseForm,
    SubForm,
    choices_of,
    edit_list,
    options,
    row_id,
    shown,
    text,
    whole,
)
from contest.organise.trade_scheme import (
    ComponentInput,
    CriterionInput,
    OvertimeInput,
    PenaltyInput,
    TradeInput,
)


class TradeScheduleForm(ScheduleForm):
    """A trade's own scoring and appeal windows (empty: the event's apply)."""

    kinds = (StageKind.SCORING, StageKind.APPEAL)
    registration = review = public_notice = publish = None  # type: ignore[assignment]


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


TIME_HINT = _l("Minutes (60) or minutes and seconds (59:30).")


class OvertimeForm(SubForm):
    """超时扣分 (SCORING.md §7): points off a component for each minute over the limit."""

    component = SelectField(_l("Deducted from"), choices=[], validate_choice=False)
    limit = StringField(_l("Time limit"), description=TIME_HINT)
    per_minute = StringField(_l("Points off per minute over"))
    zero_after = StringField(
        _l("Scores 0 when over by more than"),
        description=_l("Optional. Minutes (10) or minutes and seconds past the limit."),
    )


class PenaltyForm(SubForm):
    """A kind of penalty of the trade's 扣分标准 (SCORING.md §7)."""

    kind = StringField(_l("Kind of penalty"))
    points = StringField(_l("Points off per violation"))
    disqualify = StringField(_l("Disqualified after … violations"))


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
    version = HiddenField()
    # SCORING.md §7
    min_started = StringField(
        _l("Fewest entrants who start"),
        description=_l(
            "With fewer entrants who started (all but those who did not start or withdrew), "
            "the trade awards nothing."
        ),
    )
    team_tie_breakers = FieldList(
        SelectField(_l("Team tie-breaker"), choices=[], validate_choice=False)
    )
    overtime = FormField(OvertimeForm, _l("Overtime"))
    penalties = FieldList(FormField(PenaltyForm))


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
        version=row_id(data.get("version")),
        min_started=whole(data["min_started"]),
        team_tie_breakers=[b for b in data["team_tie_breakers"] if b],
        overtime=OvertimeInput(
            component=text(data["overtime"]["component"]),
            limit=text(data["overtime"]["limit"]),
            per_minute=text(data["overtime"]["per_minute"]),
            zero_after=text(data["overtime"]["zero_after"]),
        ),
        penalties=[
            PenaltyInput(text(p["kind"]), text(p["points"]), whole(p["disqualify"]))
            for p in data["penalties"]
        ],
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
        "version": shown(data.version),
        "tie_breakers": list(data.tie_breakers),
        "min_started": shown(data.min_started),
        "team_tie_breakers": list(data.team_tie_breakers),
        "overtime": {
            "component": data.overtime.component or "",
            "limit": shown(data.overtime.limit),
            "per_minute": shown(data.overtime.per_minute),
            "zero_after": shown(data.overtime.zero_after),
        },
        "penalties": [
            {"kind": shown(p.kind), "points": shown(p.points), "disqualify": shown(p.disqualify)}
            for p in data.penalties
        ],
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
    team = [b for b in data["team_tie_breakers"] if b]
    penalties = [p for p in data["penalties"] if any(text(v) for v in p.values())]
    return {
        **data,
        "components": components,
        "tie_breakers": breakers,
        "team_tie_breakers": team,
        "penalties": penalties,
    }


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
    elif what == "teambreaker":
        edit_list(data["team_tie_breakers"], verb, numbers[0] if numbers else -1, "")
    elif what == "penalty":
        blank = {"kind": "", "points": "", "disqualify": ""}
        edit_list(data["penalties"], verb, numbers[0] if numbers else -1, blank)
    return data
