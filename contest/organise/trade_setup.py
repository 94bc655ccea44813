"""Trades and their marking schemes written: a new trade, or a trade's settings and scheme
changed in place (SCORING.md §1), once ``trade_checks`` has accepted them. Copying, deleting,
moving and listing trades are in ``trade_list``.
"""

from __future__ import annotations

from dataclasses import fields

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core.extensions import db
from contest.domain.package import Problem, TradeData
from contest.domain.scoring import CriterionSpec
from contest.events.models import AwardRule, Component, Criterion, Event, Judge, Trade
from contest.organise.setup import bump, claim, record_change
from contest.organise.trade_checks import Rules, trade_panel, validate
from contest.organise.trade_scheme import TradeInput, trade_state
from contest.results import services as results


def _park_codes(rows: list[Component] | list[Criterion], codes: dict[int, str]) -> bool:
    """Give rows whose code changes a temporary one, so that codes may be swapped."""
    parked = False
    for row in rows:
        if row.id in codes and codes[row.id] != row.code:
            row.code = f"~{row.id}"
            parked = True
    return parked


def _write(
    trade: Trade, data: TradeInput, scheme: TradeData, rules: Rules, panel: list[Judge]
) -> None:
    """Store the validated scheme and rules, editing rows in place so that their scores stay
    attached."""
    trade.code, trade.name, trade.category = scheme.code, scheme.name, scheme.category
    trade.min_started = rules.min_started
    trade.team_tie_breakers = list(rules.team_tie_breakers)
    trade.overtime = rules.overtime
    trade.penalty_points = dict(rules.penalty_points)
    trade.disqualify_on = dict(rules.disqualify_on)
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


def rename_in_rules(actor: User, event: Event, old: str, new: str | None) -> None:
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


def next_position(event: Event) -> int:
    return db.session.execute(
        sa.select(sa.func.coalesce(sa.func.max(Trade.position) + 1, 0)).where(
            Trade.event_id == event.id
        )
    ).scalar_one()


def create_trade(actor: User, event: Event, data: TradeInput) -> tuple[Trade, list[Problem]]:
    """A new trade at the end of the event's list; returns it with the scheme's warnings."""
    scheme, rules, warnings = validate(event, data, None)
    trade = Trade(event=event, position=next_position(event), code=scheme.code, name=scheme.name)
    db.session.add(trade)
    _write(trade, data, scheme, rules, [])
    record_change(actor, "trade.create", "trade", trade.id, None, trade_state(trade), event=event)
    results.recompute_trade(trade)
    return trade, warnings


def update_trade(actor: User, trade: Trade, data: TradeInput) -> list[Problem]:
    """Change a trade's settings and scheme; returns the scheme's warnings. Refused
    (``Stale``) when the form was loaded on an older version of the trade; the trade stays
    locked meanwhile, so that no score is entered between the checks and the change."""
    event = trade.event
    claim(trade, data.version)
    scheme, rules, warnings = validate(event, data, trade)
    before = trade_state(trade)
    old_code = trade.code
    _write(trade, data, scheme, rules, trade_panel(trade))
    db.session.expire(trade, ["criteria"])
    if old_code != trade.code:
        rename_in_rules(actor, event, old_code, trade.code)
    if record_change(
        actor, "trade.update", "trade", trade.id, before, trade_state(trade), event=event
    ):
        bump(trade)
        results.recompute_trade(trade)
    return warnings
