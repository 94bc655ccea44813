"""The checks of a trade and its marking scheme (SCORING.md §1) and of its rules from contest
documents (§7: the fewest starters, team tie-breakers, overtime, kinds of penalty).

A trade's scheme is validated by the contest-package reader, as if the trade were imported,
plus what only the app knows: codes unique within the event, registration limits, and the
scores already entered (a criterion with scores cannot be removed, nor its range changed so
that a stored value no longer fits). The §7 rules are checked here against the scheme as
submitted (a component they name must be one of it), with the reader's words for numbers.
Scores that the chief judge has locked also lock everything that changes the trade's results.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from contest.core.extensions import db
from contest.domain import package as package_reader
from contest.domain.package import Problem, TradeData
from contest.domain.scoring import TradeSpec, check_value
from contest.domain.skills import SKILL_LADDER
from contest.events.models import AwardRule, Event, Judge, PanelMember, Trade
from contest.organise.setup import (
    STUB_EVENT,
    Invalid,
    check_decimal,
    check_int,
    plain_number,
    problem,
    read,
    relative,
)
from contest.organise.trade_scheme import OvertimeInput, PenaltyInput, TradeInput
from contest.results import services as results
from contest.results.models import ComponentScore, Score

#: Ages are whole years; the bounds the package reader uses for award rules.
AGE_RANGE = (1, 150)
#: The defaults of a component's range, as the package reader applies them.
DEFAULT_MAX, DEFAULT_STEP = Decimal(100), Decimal("0.01")
#: Bounds of the §7 settings: points (a penalty, a minute over), violations that disqualify,
#: the fewest starters, minutes of a time limit. A kind of penalty is stored with each one
#: the chief judge records, in a column of this length.
MAX_POINTS = Decimal(1000)
MAX_VIOLATIONS = 100
MAX_STARTED = 100_000
MAX_MINUTES = 24 * 60
KIND_LENGTH = 32
#: A time as typed: minutes, or minutes and seconds.
CLOCK = re.compile(r"^\s*(\d{1,5})\s*(?:[:：]\s*(\d{1,2}))?\s*$")


@dataclass
class Rules:
    """A trade's checked §7 settings, as they are stored."""

    min_started: int | None = None
    team_tie_breakers: list[str] = field(default_factory=list)
    overtime: dict[str, Any] | None = None
    penalty_points: dict[str, str] = field(default_factory=dict)
    disqualify_on: dict[str, int] = field(default_factory=dict)


def _given(node: dict[str, Any]) -> dict[str, Any]:
    """The members that were filled in (the reader applies its defaults to the others)."""
    return {key: value for key, value in node.items() if value is not None}


def _node(data: TradeInput, rules: Rules, judge_codes: dict[int, str]) -> dict[str, Any]:
    """The trade as a package's ``trades[]`` member, with its §7 settings as checked."""
    components = []
    for c in data.components:
        criteria = [
            _given(
                {
                    "code": k.code,
                    "name": k.name,
                    "description": k.description,
                    "max": k.max,
                    "kind": k.kind,
                    "scale": k.scale,
                    "step": k.step,
                    "aggregation": k.aggregation,
                    "trim": k.trim,
                    "factor": k.factor,
                    "max_spread": k.max_spread,
                }
            )
            for k in c.criteria
        ]
        node = {"code": c.code, "name": c.name, "weight": c.weight}
        if criteria:
            node["criteria"] = criteria
        else:
            node.update(max=c.max, step=c.step)
        if c.judges:
            node["judges"] = [judge_codes.get(j, str(j)) for j in c.judges]
        components.append(_given(node))
    return _given(
        {
            "code": data.code,
            "name": data.name,
            "category": data.category,
            "components": components,
            "tie_breakers": data.tie_breakers or None,
            "min_started": rules.min_started,
            "team_tie_breakers": rules.team_tie_breakers or None,
            "overtime": rules.overtime,
            "disqualify_on": rules.disqualify_on or None,
            "min_entrants": data.min_entrants,
            "team_size": data.team_size,
            "recusal": data.recusal,
        }
    )


def trade_panel(trade: Trade | None) -> list[Judge]:
    """The judges on the trade's panel, by id (none for a trade not yet created)."""
    if trade is None or trade.id is None:
        return []
    return list(
        db.session.execute(
            sa.select(Judge)
            .join(PanelMember, PanelMember.judge_id == Judge.id)
            .where(PanelMember.trade_id == trade.id)
            .order_by(Judge.id)
        ).scalars()
    )


def _read_trade(
    data: TradeInput, rules: Rules, panel: list[Judge]
) -> tuple[TradeData, list[Problem]]:
    """The trade as the package reader reads it, and its warnings; ``Invalid`` if it fails."""
    codes = {j.id: j.code for j in panel}
    unknown = [
        problem(f"components[{i}].judges", "dangling", what="panel_judge", ref=str(judge))
        for i, c in enumerate(data.components)
        for judge in c.judges
        if judge not in codes
    ]
    if unknown:
        raise Invalid(unknown)
    trade_code = (data.code or "").strip() or "-"
    document: dict[str, Any] = {"event": STUB_EVENT, "trades": [_node(data, rules, codes)]}
    if panel:
        document["judges"] = [
            {"code": j.code, "name": j.name, "trades": [trade_code]} for j in panel
        ]
    package = read(document, "trades[0].")
    return package.trades[0], relative(package.warnings, "trades[0].")


def _check_limits(data: TradeInput, problems: list[Problem]) -> None:
    """Registration limits, which the package does not carry."""
    check_int(problems, "capacity", data.capacity, minimum=1)
    check_int(problems, "unit_quota", data.unit_quota, minimum=1)
    low = check_int(problems, "min_age", data.min_age, minimum=AGE_RANGE[0], maximum=AGE_RANGE[1])
    high = check_int(problems, "max_age", data.max_age, minimum=AGE_RANGE[0], maximum=AGE_RANGE[1])
    if low is not None and high is not None and high < low:
        problems.append(problem("max_age", "age_order", min=low))
    if data.min_skill_level is not None and data.min_skill_level not in SKILL_LADDER:
        problems.append(
            problem(
                "min_skill_level",
                "not_choice",
                value=data.min_skill_level,
                choices=", ".join(SKILL_LADDER),
            )
        )


def _check_rows(trade: Trade | None, data: TradeInput, problems: list[Problem]) -> None:
    """Row ids must name this trade's components and criteria, each once, where they were
    (a form opened before someone else changed the scheme is refused, not half-applied)."""
    components = {c.id: c for c in trade.components} if trade is not None else {}
    seen_components: set[int] = set()
    seen_criteria: set[int] = set()
    for given in data.components:
        known: set[int] = set()
        if given.id is not None:
            if given.id not in components or given.id in seen_components:
                problems.append(problem("", "stale_form"))
                return
            seen_components.add(given.id)
            known = {k.id for k in components[given.id].criteria}
        for row in given.criteria:
            if row.id is None:
                continue
            if row.id not in known or row.id in seen_criteria:
                problems.append(problem("", "stale_form"))
                return
            seen_criteria.add(row.id)


def _check_breakers(data: TradeInput, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for i, breaker in enumerate(data.tie_breakers):
        if breaker in seen:
            problems.append(problem(f"tie_breakers[{i}]", "duplicate_breaker", value=breaker))
        seen.add(breaker)


def seconds(problems: list[Problem], path: str, value: str | None) -> Decimal | None:
    """A time typed as minutes (``60``) or minutes and seconds (``59:30``), in seconds."""
    if value is None:
        return None
    match = CLOCK.match(value)
    if match is None or (match.group(2) is not None and int(match.group(2)) >= 60):
        problems.append(problem(path, "bad_duration", value=value))
        return None
    total = int(match.group(1)) * 60 + int(match.group(2) or 0)
    if total > MAX_MINUTES * 60:
        problems.append(problem(path, "duration_too_long", max=MAX_MINUTES))
        return None
    return Decimal(total)


def _check_team_breakers(data: TradeInput, problems: list[Problem]) -> list[str]:
    if data.team_tie_breakers and data.team_size is None:
        problems.append(problem("team_size", "team_breakers_need_team_size"))
    seen: list[str] = []
    for i, breaker in enumerate(data.team_tie_breakers):
        path = f"team_tie_breakers[{i}]"
        if breaker in seen:
            problems.append(problem(path, "duplicate_breaker", value=breaker))
        else:
            seen.append(breaker)
    return seen


def _check_overtime(given: OvertimeInput, problems: list[Problem]) -> dict[str, Any] | None:
    if not given.given():
        return None
    found = len(problems)
    if given.component is None:
        problems.append(problem("overtime.component", "required"))
    limit = seconds(problems, "overtime.limit", given.limit)
    if given.limit is None:
        problems.append(problem("overtime.limit", "required"))
    elif limit is not None and limit <= 0:
        problems.append(problem("overtime.limit", "not_positive", value=given.limit))
    per_minute = check_decimal(
        problems, "overtime.per_minute", given.per_minute, maximum=MAX_POINTS
    )
    if given.per_minute is None:
        problems.append(problem("overtime.per_minute", "required"))
    zero_after = seconds(problems, "overtime.zero_after", given.zero_after)
    if per_minute == 0 and given.zero_after is None:
        problems.append(problem("overtime.per_minute", "overtime_deducts_nothing"))
    if len(problems) > found or limit is None or per_minute is None:
        return None
    rule: dict[str, Any] = {
        "component": given.component,
        "limit": str(limit),
        "per_minute": plain_number(per_minute),
    }
    if zero_after is not None:
        rule["zero_after"] = str(zero_after)
    return rule


def _check_penalties(
    rows: list[PenaltyInput], problems: list[Problem]
) -> tuple[dict[str, str], dict[str, int]]:
    points: dict[str, str] = {}
    counts: dict[str, int] = {}
    seen: set[str] = set()
    for i, row in enumerate(rows):
        path = f"penalties[{i}]"
        kind = (row.kind or "").strip()
        if not kind:
            problems.append(problem(f"{path}.kind", "required"))
        elif len(kind) > KIND_LENGTH:
            problems.append(problem(f"{path}.kind", "too_long", max=KIND_LENGTH))
        elif kind in seen:
            problems.append(problem(f"{path}.kind", "duplicate_kind", kind=kind))
        seen.add(kind)
        taken = check_decimal(problems, f"{path}.points", row.points, maximum=MAX_POINTS)
        count = check_int(
            problems, f"{path}.disqualify", row.disqualify, minimum=1, maximum=MAX_VIOLATIONS
        )
        if row.points is None and row.disqualify is None:
            problems.append(problem(f"{path}.points", "penalty_needs_rule"))
        if taken is not None:
            points[kind] = plain_number(taken)
        if count is not None:
            counts[kind] = count
    return points, counts


def check_rules(data: TradeInput, problems: list[Problem]) -> Rules:
    """The trade's §7 settings as the form gives them (SCORING.md §7): times typed in
    minutes, kinds of penalty with their points and disqualifying counts, bounds. The
    package reader then checks them with the scheme (the components they name)."""
    min_started = check_int(problems, "min_started", data.min_started, minimum=1,
                            maximum=MAX_STARTED)  # fmt: skip
    team = _check_team_breakers(data, problems)
    overtime = _check_overtime(data.overtime, problems)
    points, counts = _check_penalties(data.penalties, problems)
    return Rules(min_started, team, overtime, points, counts)


def _unique_code(event: Event, code: str, trade: Trade | None, problems: list[Problem]) -> None:
    query = sa.select(Trade.id).where(Trade.event_id == event.id, Trade.code == code)
    if trade is not None and trade.id is not None:
        query = query.where(Trade.id != trade.id)
    if db.session.execute(query).first() is not None:
        problems.append(problem("code", "code_taken", code=code))


def _stored_values(model, column, ids: list[int]) -> dict[int, set[Decimal]]:
    """The distinct values entered per criterion (or component), for the given ids."""
    found: dict[int, set[Decimal]] = defaultdict(set)
    if ids:
        for key, value in db.session.execute(
            sa.select(column, model.value).where(column.in_(ids)).distinct()
        ):
            found[key].add(value)
    return found


def _misfit(values: set[Decimal], maximum: Decimal, step: Decimal) -> tuple[str, Decimal] | None:
    """The first stored value the new range refuses, with what refuses it."""
    for value in sorted(values):
        error = check_value(value, maximum, step)
        if error is not None:
            return error.value, value
    return None


def _check_scores(
    trade: Trade, data: TradeInput, scheme: TradeData, problems: list[Problem]
) -> None:
    """Entered scores must survive the change: no removal, every value still in range."""
    criteria = {k.id: k for c in trade.components for k in c.criteria}
    components = {c.id: c for c in trade.components}
    marks = _stored_values(Score, Score.criterion_id, list(criteria))
    direct = _stored_values(ComponentScore, ComponentScore.component_id, list(components))
    kept_criteria = {k.id for c in data.components for k in c.criteria if k.id}
    for criterion_id in marks:
        if criterion_id not in kept_criteria:
            code = criteria[criterion_id].code
            problems.append(problem("", "criterion_has_scores", code=code))
    kept_direct = {c.id for c in data.components if c.id and not c.criteria}
    for component_id in direct:
        if component_id not in kept_direct:
            code = components[component_id].code
            problems.append(problem("", "component_has_scores", code=code))
    for i, (given, read_) in enumerate(zip(data.components, scheme.components, strict=True)):
        if given.id in direct and given.id in kept_direct:
            misfit = _misfit(direct[given.id], read_.max, read_.step)
            if misfit:
                where = "max" if misfit[0] == "out_of_range" else "step"
                problems.append(
                    problem(f"components[{i}].{where}", "scores_misfit", value=str(misfit[1]))
                )
        for j, (row, criterion) in enumerate(zip(given.criteria, read_.criteria, strict=True)):
            if row.id in marks:
                spec = criterion.spec
                misfit = _misfit(marks[row.id], spec.entry_max, spec.step)
                if misfit:
                    where = "step" if misfit[0] == "off_step" else "max"
                    if where == "max" and spec.scale is not None:
                        where = "scale"
                    path = f"components[{i}].criteria[{j}].{where}"
                    problems.append(problem(path, "scores_misfit", value=str(misfit[1])))


def _results_view(spec: TradeSpec) -> TradeSpec:
    """What of a trade's spec decides its results (a component with criteria has no range)."""
    components = tuple(
        replace(
            c,
            judges=tuple(sorted(c.judges)),
            max=DEFAULT_MAX if c.criteria else c.max,
            step=DEFAULT_STEP if c.criteria else c.step,
        )
        for c in spec.components
    )
    return replace(spec, code="", judges=(), components=components)


def _check_lock(trade: Trade, scheme: TradeData, problems: list[Problem]) -> None:
    """A locked (signed-off) trade keeps everything its results depend on."""
    if not trade.is_locked:
        return
    before = _results_view(results.trade_spec(trade))
    after = _results_view(package_reader.trade_spec(scheme, ()))
    if before != after:
        problems.append(problem("", "trade_locked"))


def validate(
    event: Event, data: TradeInput, trade: Trade | None
) -> tuple[TradeData, Rules, list[Problem]]:
    """The submitted trade as the package reader reads it, its §7 settings, and its warnings,
    checked in ``event`` against the stored ``trade`` (None: a new one); ``Invalid`` with
    every problem."""
    problems: list[Problem] = []
    _check_rows(trade, data, problems)
    if problems:
        raise Invalid(problems)
    panel = trade_panel(trade)
    rules = check_rules(data, problems)
    try:
        scheme, warnings = _read_trade(data, rules, panel)
    except Invalid as error:
        problems.extend(error.problems)
        scheme, warnings = None, []
    _check_limits(data, problems)
    _check_breakers(data, problems)
    if scheme is not None:
        _unique_code(event, scheme.code, trade, problems)
        if trade is not None:
            _check_scores(trade, data, scheme, problems)
            _check_lock(trade, scheme, problems)
    if problems or scheme is None:
        raise Invalid(problems)
    spec = package_reader.trade_spec(scheme, ())
    return scheme, rules, warnings + _panel_warnings(spec, len(panel))


def _panel_warnings(spec: TradeSpec, panel_size: int) -> list[Problem]:
    """Trimmed rules whose panel is too small to trim (results would stay incomplete)."""
    warnings = []
    for i, component in enumerate(spec.components):
        size = len(component.judges) or panel_size
        for j, criterion in enumerate(component.criteria):
            if criterion.aggregation.trims and size < criterion.min_panel:
                warnings.append(
                    problem(
                        f"components[{i}].criteria[{j}].trim",
                        "panel_too_small",
                        code=criterion.code,
                        need=criterion.min_panel,
                        have=size,
                    )
                )
    return warnings


def scheme_warnings(trade: Trade) -> list[Problem]:
    """What is unusual about a stored trade's scheme: weights not adding up to 1, panels
    too small for a trimmed rule, award rules with a pass line on a component the trade does
    not have (after a component was renamed). Warnings, not errors (SCORING.md §1, §7)."""
    spec = results.trade_spec(trade)
    warnings = []
    total = sum((c.weight for c in spec.components), Decimal(0))
    if spec.components and total != 1:
        warnings.append(problem("components", "weights_not_one", sum=str(total)))
    codes = {c.code for c in spec.components}
    for rule in db.session.execute(
        sa.select(AwardRule)
        .where(AwardRule.event_id == trade.event_id)
        .order_by(AwardRule.position)
    ).scalars():
        if rule.trades is not None and trade.code not in rule.trades:
            continue
        for code in rule.min_components or {}:
            if code not in codes:
                warnings.append(problem("", "pass_line_dangling", rule=rule.title, code=code))
    return warnings + _panel_warnings(spec, len(spec.judges))


# --- a copy's code and name --------------------------------------------------------------------


def _stub(code: str | None, name: str | None) -> dict[str, Any]:
    """A trade node with just a code and a name (and the smallest valid scheme)."""
    return _given(
        {"code": code, "name": name, "components": [{"code": "c", "name": "c", "weight": 1}]}
    )


def check_copy(event: Event, code: str | None, name: str | None) -> TradeData:
    """A copy's code and name as the package reader reads them; ``Invalid`` if either is
    refused or the code is already used in the event."""
    problems: list[Problem] = []
    copied = read({"event": STUB_EVENT, "trades": [_stub(code, name)]}, "trades[0].").trades[0]
    _unique_code(event, copied.code, None, problems)
    if problems:
        raise Invalid(problems)
    return copied
