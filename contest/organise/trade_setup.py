"""Trades and their marking schemes: create, edit, copy, delete, reorder (SCORING.md §1).

A trade's scheme is validated by the contest-package reader, as if the trade were imported,
plus what only the app knows: codes unique within the event, registration limits, and the
scores already entered (a criterion with scores cannot be removed, nor its range changed so
that a stored value no longer fits). Scores that the chief judge has locked also lock
everything that changes the trade's results.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from contest.accounts.models import User
from contest.core.extensions import db
from contest.domain import package as package_reader
from contest.domain.package import Problem, TradeData
from contest.domain.scoring import CriterionSpec, TradeSpec, check_value
from contest.domain.skills import SKILL_LADDER
from contest.events.models import AwardRule, Component, Criterion, Event, Judge, PanelMember, Trade
from contest.organise.setup import (
    STUB_EVENT,
    Invalid,
    Raw,
    check_int,
    problem,
    read,
    record_change,
    relative,
)
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import ComponentScore, Score
from contest.stages.models import StageWindow

#: Ages are whole years; the bounds the package reader uses for award rules.
AGE_RANGE = (1, 150)
#: The defaults of a component's range, as the package reader applies them.
DEFAULT_MAX, DEFAULT_STEP = Decimal(100), Decimal("0.01")


@dataclass
class CriterionInput:
    """One criterion row as submitted; ``id`` is the stored criterion it edits (None: new)."""

    id: int | None = None
    code: str | None = None
    name: str | None = None
    description: str | None = None
    max: Raw = None
    kind: str | None = None
    scale: Raw = None
    step: Raw = None
    aggregation: str | None = None
    trim: Raw = None
    factor: Raw = None
    max_spread: Raw = None


@dataclass
class ComponentInput:
    """One component as submitted, with its criteria and its own panel (judge ids)."""

    id: int | None = None
    code: str | None = None
    name: str | None = None
    weight: Raw = None
    max: Raw = None
    step: Raw = None
    judges: list[int] = field(default_factory=list)
    criteria: list[CriterionInput] = field(default_factory=list)


@dataclass
class TradeInput:
    """A trade's settings and marking scheme as submitted."""

    code: str | None = None
    name: str | None = None
    category: str | None = None
    tie_breakers: list[str] = field(default_factory=list)
    min_entrants: Raw = None
    team_size: Raw = None
    recusal: str | None = None
    capacity: Raw = None
    unit_quota: Raw = None
    min_age: Raw = None
    max_age: Raw = None
    min_skill_level: str | None = None
    components: list[ComponentInput] = field(default_factory=list)


def plain(value: Decimal | None) -> str | None:
    """A stored decimal as an organiser would type it (no exponent)."""
    return None if value is None else format(value, "f")


def trade_input(trade: Trade) -> TradeInput:
    """The stored trade as form input, for editing."""
    return TradeInput(
        code=trade.code,
        name=trade.name,
        category=trade.category,
        tie_breakers=list(trade.tie_breakers or []),
        min_entrants=trade.min_entrants,
        team_size=trade.team_size,
        recusal=trade.recusal.value,
        capacity=trade.capacity,
        unit_quota=trade.unit_quota,
        min_age=trade.min_age,
        max_age=trade.max_age,
        min_skill_level=trade.min_skill_level,
        components=[
            ComponentInput(
                id=c.id,
                code=c.code,
                name=c.name,
                weight=plain(c.weight),
                max=plain(c.max) if c.is_direct else None,
                step=plain(c.step) if c.is_direct else None,
                judges=[j.id for j in c.judges],
                criteria=[
                    CriterionInput(
                        id=k.id,
                        code=k.code,
                        name=k.name,
                        description=k.description,
                        max=plain(k.max),
                        kind=k.kind.value,
                        scale=plain(k.scale),
                        step=plain(k.step),
                        aggregation=k.aggregation.value,
                        trim=k.trim,
                        factor=plain(k.factor),
                        max_spread=plain(k.max_spread),
                    )
                    for k in c.criteria
                ],
            )
            for c in trade.components
        ],
    )


def trade_state(trade: Trade) -> dict[str, Any]:
    """Everything an organiser sets on a trade, for the audit log."""
    return {
        "code": trade.code,
        "name": trade.name,
        "category": trade.category,
        "tie_breakers": list(trade.tie_breakers or []),
        "min_entrants": trade.min_entrants,
        "team_size": trade.team_size,
        "recusal": trade.recusal,
        "capacity": trade.capacity,
        "unit_quota": trade.unit_quota,
        "min_age": trade.min_age,
        "max_age": trade.max_age,
        "min_skill_level": trade.min_skill_level,
        "components": [
            {
                "code": c.code,
                "name": c.name,
                "weight": c.weight,
                "max": c.max,
                "step": c.step,
                "judges": [j.code for j in c.judges],
                "criteria": [
                    {
                        "name": k.name,
                        "description": k.description,
                        **{f.name: getattr(k, f.name) for f in fields(CriterionSpec)},
                    }
                    for k in c.criteria
                ],
            }
            for c in trade.components
        ],
    }


# --- validation --------------------------------------------------------------------------------


def _given(node: dict[str, Any]) -> dict[str, Any]:
    """The members that were filled in (the reader applies its defaults to the others)."""
    return {key: value for key, value in node.items() if value is not None}


def _node(data: TradeInput, judge_codes: dict[int, str]) -> dict[str, Any]:
    """The trade as a package's ``trades[]`` member."""
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
            "min_entrants": data.min_entrants,
            "team_size": data.team_size,
            "recusal": data.recusal,
        }
    )


def _panel(trade: Trade | None) -> list[Judge]:
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


def _read_trade(data: TradeInput, panel: list[Judge]) -> tuple[TradeData, list[Problem]]:
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
    document: dict[str, Any] = {"event": STUB_EVENT, "trades": [_node(data, codes)]}
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


def _validate(event: Event, data: TradeInput, trade: Trade | None) -> tuple[TradeData, list]:
    problems: list[Problem] = []
    _check_rows(trade, data, problems)
    if problems:
        raise Invalid(problems)
    panel = _panel(trade)
    try:
        scheme, warnings = _read_trade(data, panel)
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
    return scheme, warnings + _panel_warnings(package_reader.trade_spec(scheme, ()), len(panel))


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
    too small for a trimmed rule. Warnings, not errors (SCORING.md §1)."""
    spec = results.trade_spec(trade)
    warnings = []
    total = sum((c.weight for c in spec.components), Decimal(0))
    if spec.components and total != 1:
        warnings.append(problem("components", "weights_not_one", sum=str(total)))
    return warnings + _panel_warnings(spec, len(spec.judges))


# --- writing -----------------------------------------------------------------------------------


def _park_codes(rows: list[Component] | list[Criterion], codes: dict[int, str]) -> bool:
    """Give rows whose code changes a temporary one, so that codes may be swapped."""
    parked = False
    for row in rows:
        if row.id in codes and codes[row.id] != row.code:
            row.code = f"~{row.id}"
            parked = True
    return parked


def _write(trade: Trade, data: TradeInput, scheme: TradeData, panel: list[Judge]) -> None:
    """Store the validated scheme, editing rows in place so that their scores stay attached."""
    trade.code, trade.name, trade.category = scheme.code, scheme.name, scheme.category
    trade.tie_breakers = list(scheme.tie_breakers)
    trade.min_entrants, trade.team_size = scheme.min_entrants, scheme.team_size
    trade.recusal = scheme.recusal
    trade.capacity, trade.unit_quota = data.capacity, data.unit_quota
    trade.min_age, trade.max_age = data.min_age, data.max_age
    trade.min_skill_level = data.min_skill_level

    components = {c.id: c for c in trade.components}
    criteria = {k.id: k for c in trade.components for k in c.criteria}
    kept_components = {c.id for c in data.components if c.id}
    kept_criteria = {k.id for c in data.components for k in c.criteria if k.id}
    for criterion in criteria.values():
        if criterion.id not in kept_criteria:
            criterion.component.criteria.remove(criterion)
    for component in components.values():
        if component.id not in kept_components:
            trade.components.remove(component)
    db.session.flush()

    new_component_codes = {
        c.id: read_.code for c, read_ in zip(data.components, scheme.components, strict=True)
    }
    new_criterion_codes = {
        k.id: read_k.spec.code
        for c, read_ in zip(data.components, scheme.components, strict=True)
        for k, read_k in zip(c.criteria, read_.criteria, strict=True)
    }
    kept = [components[i] for i in kept_components]
    parked = _park_codes(kept, new_component_codes)
    parked = _park_codes([criteria[i] for i in kept_criteria], new_criterion_codes) or parked
    if parked:
        db.session.flush()

    judges = {j.code: j for j in panel}
    ordered, position = [], 0
    for index, (given, read_) in enumerate(zip(data.components, scheme.components, strict=True)):
        component = components.get(given.id) if given.id else None
        if component is None:
            component = Component()
        component.position, component.code, component.name = index, read_.code, read_.name
        component.weight, component.max, component.step = read_.weight, read_.max, read_.step
        component.judges = sorted((judges[code] for code in read_.judges), key=lambda j: j.id)
        rows = []
        for row, item in zip(given.criteria, read_.criteria, strict=True):
            criterion = criteria.get(row.id) if row.id else None
            if criterion is None:
                criterion = Criterion(trade=trade)
            criterion.position, position = position, position + 1
            criterion.name, criterion.description = item.name, item.description
            for spec_field in fields(CriterionSpec):
                setattr(criterion, spec_field.name, getattr(item.spec, spec_field.name))
            rows.append(criterion)
        component.criteria = rows
        ordered.append(component)
    trade.components = ordered
    db.session.flush()


def _rename_in_rules(actor: User, event: Event, old: str, new: str | None) -> None:
    """Follow a trade's new code (or, with ``new`` None, its removal) in the award rules."""
    for rule in db.session.execute(
        sa.select(AwardRule).where(AwardRule.event_id == event.id)
    ).scalars():
        if not rule.trades or old not in rule.trades:
            continue
        codes = [code for code in rule.trades if code != old]
        if new is not None:
            codes.append(new)
        record_change(
            actor,
            "award_rule.update",
            "award_rule",
            rule.id,
            {"trades": rule.trades},
            {"trades": sorted(codes)},
            event=event,
        )
        rule.trades = sorted(codes)


def _next_position(event: Event) -> int:
    return db.session.execute(
        sa.select(sa.func.coalesce(sa.func.max(Trade.position) + 1, 0)).where(
            Trade.event_id == event.id
        )
    ).scalar_one()


def create_trade(actor: User, event: Event, data: TradeInput) -> tuple[Trade, list[Problem]]:
    """A new trade at the end of the event's list; returns it with the scheme's warnings."""
    scheme, warnings = _validate(event, data, None)
    trade = Trade(event=event, position=_next_position(event), code=scheme.code, name=scheme.name)
    db.session.add(trade)
    _write(trade, data, scheme, [])
    record_change(actor, "trade.create", "trade", trade.id, None, trade_state(trade), event=event)
    results.recompute_trade(trade)
    return trade, warnings


def update_trade(actor: User, trade: Trade, data: TradeInput) -> list[Problem]:
    """Change a trade's settings and scheme; returns the scheme's warnings."""
    event = trade.event
    scheme, warnings = _validate(event, data, trade)
    before = trade_state(trade)
    old_code = trade.code
    _write(trade, data, scheme, _panel(trade))
    db.session.expire(trade, ["criteria"])
    if old_code != trade.code:
        _rename_in_rules(actor, event, old_code, trade.code)
    if record_change(
        actor, "trade.update", "trade", trade.id, before, trade_state(trade), event=event
    ):
        results.recompute_trade(trade)
    return warnings


def _trade_windows(trade: Trade) -> list[StageWindow]:
    return list(
        db.session.execute(
            sa.select(StageWindow).where(StageWindow.trade_id == trade.id).order_by(StageWindow.id)
        ).scalars()
    )


def clone_trade(
    source: Trade,
    event: Event,
    *,
    code: str,
    name: str,
    position: int,
    judges: dict[int, Judge] | None,
    shift: timedelta | None,
) -> Trade:
    """A copy of ``source`` in ``event``: settings, scheme and limits, never its entrants,
    draw or lock; its panel when ``judges`` maps the source's judges to the copy's, and its
    own windows (shifted by ``shift`` days, in the event's time zone) unless ``shift`` is None."""
    trade = Trade(
        event=event,
        position=position,
        code=code,
        name=name,
        category=source.category,
        tie_breakers=list(source.tie_breakers or []),
        min_entrants=source.min_entrants,
        team_size=source.team_size,
        recusal=source.recusal,
        capacity=source.capacity,
        unit_quota=source.unit_quota,
        min_age=source.min_age,
        max_age=source.max_age,
        min_skill_level=source.min_skill_level,
    )
    db.session.add(trade)
    for component in source.components:
        copy = Component(
            position=component.position,
            code=component.code,
            name=component.name,
            weight=component.weight,
            max=component.max,
            step=component.step,
        )
        if judges is not None:
            copy.judges = [judges[j.id] for j in component.judges]
        for criterion in component.criteria:
            copy.criteria.append(
                Criterion(
                    trade=trade,
                    position=criterion.position,
                    name=criterion.name,
                    description=criterion.description,
                    **{f.name: getattr(criterion, f.name) for f in fields(CriterionSpec)},
                )
            )
        trade.components.append(copy)
    if judges is not None:
        for member in source.panel:
            trade.panel.append(PanelMember(judge=judges[member.judge_id], is_chief=member.is_chief))
    if shift is not None:
        zone = ZoneInfo(event.timezone)
        for window in _trade_windows(source):
            event.windows.append(
                StageWindow(
                    trade=trade,
                    kind=window.kind,
                    opens_at=shift_instant(window.opens_at, shift, zone),
                    closes_at=shift_instant(window.closes_at, shift, zone),
                )
            )
    return trade


def shift_instant(moment, shift: timedelta, zone: ZoneInfo):
    """``moment`` moved by whole days, keeping its wall-clock time in ``zone``."""
    if moment is None:
        return None
    local = moment.astimezone(zone).replace(tzinfo=None) + shift
    return local.replace(tzinfo=zone).astimezone(moment.tzinfo)


def copy_trade(actor: User, source: Trade, *, code: str, name: str, panel: bool) -> Trade:
    """A copy of the trade in the same event under a new code (and its panel if asked)."""
    event = source.event
    problems: list[Problem] = []
    read_trade = read({"event": STUB_EVENT, "trades": [_stub(code, name)]}, "trades[0].").trades[0]
    _unique_code(event, read_trade.code, None, problems)
    if problems:
        raise Invalid(problems)
    position = _next_position(event)
    judges = {j.id: j for j in event.judges} if panel else None
    trade = clone_trade(
        source,
        event,
        code=read_trade.code,
        name=read_trade.name,
        position=position,
        judges=judges,
        shift=timedelta(0),
    )
    db.session.add(trade)
    db.session.flush()
    state = trade_state(trade)
    state["copied_from"] = source.code
    record_change(actor, "trade.copy", "trade", trade.id, None, state, event=event)
    results.recompute_trade(trade)
    return trade


def _stub(code: str | None, name: str | None) -> dict[str, Any]:
    """A trade node with just a code and a name (and the smallest valid scheme)."""
    return _given(
        {"code": code, "name": name, "components": [{"code": "c", "name": "c", "weight": 1}]}
    )


def entrant_count(trade: Trade) -> int:
    """How many entrants the trade has (of any status)."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(Entrant).where(Entrant.trade_id == trade.id)
    ).scalar_one()


def delete_trade(actor: User, trade: Trade) -> None:
    """Remove a trade that has no entrants (yet); award rules stop naming it."""
    count = entrant_count(trade)
    if count:
        raise Invalid([problem("", "trade_has_entrants", n=count)])
    event = trade.event
    _rename_in_rules(actor, event, trade.code, None)
    record_change(actor, "trade.delete", "trade", trade.id, trade_state(trade), None, event=event)
    for window in _trade_windows(trade):
        event.windows.remove(window)
    event.trades.remove(trade)  # deleted as an orphan, with its scheme and panel
    db.session.flush()


def move_trade(actor: User, trade: Trade, offset: int) -> None:
    """Move a trade up (−1) or down (+1) in the event's list."""
    event = trade.event
    ordered = sorted(event.trades, key=lambda t: (t.position, t.id))
    index = ordered.index(trade)
    target = index + offset
    if not 0 <= target < len(ordered):
        return
    ordered.insert(target, ordered.pop(index))
    for position, item in enumerate(ordered):
        item.position = position
    record_change(
        actor,
        "trade.move",
        "trade",
        trade.id,
        {"position": index},
        {"position": target},
        event=event,
    )


@dataclass(frozen=True)
class TradeRow:
    """A trade on the event's overview: its figures and whether its scheme needs a look."""

    trade: Trade
    entrants: int
    judges: int
    chief: Judge | None
    weights: Decimal

    @property
    def weights_ok(self) -> bool:
        """Whether the component weights add up to 1 (SCORING.md §1 warns otherwise)."""
        return self.weights == 1


def trade_rows(event: Event) -> list[TradeRow]:
    """The event's trades in order with their schemes, panels and entrant counts, in a
    fixed number of queries."""
    trades = db.session.execute(
        sa.select(Trade)
        .where(Trade.event_id == event.id)
        .options(
            selectinload(Trade.components).selectinload(Component.criteria),
            selectinload(Trade.panel).selectinload(PanelMember.judge),
        )
        .order_by(Trade.position, Trade.id)
    ).scalars()
    entrants = dict(
        db.session.execute(
            sa.select(Entrant.trade_id, sa.func.count())
            .where(Entrant.event_id == event.id)
            .group_by(Entrant.trade_id)
        ).all()
    )
    return [
        TradeRow(
            trade,
            entrants.get(trade.id, 0),
            len(trade.panel),
            next((m.judge for m in trade.panel if m.is_chief), None),
            sum((c.weight for c in trade.components), Decimal(0)),
        )
        for trade in trades
    ]
