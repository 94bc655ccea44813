"""Results: load a trade from the database, compute it with the domain, store the outcome.

A changed score recomputes only its trade (``recompute_trade``); the event-wide tables
(units, award lists) are assembled from the stored trade results, which is cheap.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from contest.domain import awards as award_rules
from contest.domain import snapshot
from contest.domain.results import EventSpec, TradeResult, compute_trade, results_document
from contest.domain.scoring import (
    ComponentSpec,
    CriterionSpec,
    EntrantInput,
    JudgeRef,
    TradeSpec,
)
from contest.extensions import db
from contest.models import (
    AwardRule,
    Component,
    ComponentScore,
    Criterion,
    Entrant,
    EntrantFactor,
    Event,
    Excusal,
    Judge,
    PanelMember,
    RegistrationStatus,
    Score,
    ScoreState,
    Trade,
    TradeResultRecord,
    Unit,
)
from contest.models.event import component_judges


def event_spec(event: Event) -> EventSpec:
    """The event-wide settings the results depend on."""
    rules = db.session.execute(
        sa.select(AwardRule).where(AwardRule.event_id == event.id).order_by(AwardRule.position)
    ).scalars()
    units = db.session.execute(
        sa.select(Unit.code).where(Unit.event_id == event.id).order_by(Unit.id)
    ).scalars()
    return EventSpec(
        slug=event.slug,
        starts_on=event.starts_on,
        decimals=event.decimals,
        placement_points=tuple(event.placement_points or ()),
        medals_by_field=event.medals_by_field,
        award_rules=tuple(award_rule(rule) for rule in rules),
        units=tuple(units),
    )


def award_rule(rule: AwardRule) -> award_rules.AwardRule:
    """The domain's view of a stored award rule."""
    promote = None
    if rule.promote is not None:
        promote = award_rules.Promotion(
            int(rule.promote.get("levels", 1)),
            rule.promote.get("cap", award_rules.SKILL_LADDER[-1]),
        )
    return award_rules.AwardRule(
        code=rule.code,
        title=rule.title,
        select=award_rules.Selection.from_json(rule.select),
        min_total=rule.min_total,
        min_entrants=rule.min_entrants,
        max_age=rule.max_age,
        trades=frozenset(rule.trades) if rule.trades is not None else None,
        group=rule.group,
        promote=promote,
    )


def award_rule_row(rule: award_rules.AwardRule, position: int) -> AwardRule:
    """A stored award rule from the domain's rule (the inverse of ``award_rule``)."""
    return AwardRule(
        position=position,
        code=rule.code,
        title=rule.title,
        select=rule.select.to_json(),
        min_total=rule.min_total,
        min_entrants=rule.min_entrants,
        max_age=rule.max_age,
        trades=sorted(rule.trades) if rule.trades is not None else None,
        group=rule.group,
        promote=None
        if rule.promote is None
        else {"levels": rule.promote.levels, "cap": rule.promote.cap},
    )


def trade_spec(trade: Trade) -> TradeSpec:
    """The marking scheme and panel of a trade, for the scoring engine."""
    components = db.session.execute(
        sa.select(Component)
        .where(Component.trade_id == trade.id)
        .options(selectinload(Component.criteria))
        .order_by(Component.position, Component.id)
    ).scalars()
    component_panels: dict[int, list[str]] = defaultdict(list)
    for component_id, code in db.session.execute(
        sa.select(component_judges.c.component_id, Judge.code)
        .join(Judge, Judge.id == component_judges.c.judge_id)
        .join(Component, Component.id == component_judges.c.component_id)
        .where(Component.trade_id == trade.id)
        .order_by(Judge.id)
    ):
        component_panels[component_id].append(code)
    panel = db.session.execute(
        sa.select(Judge.code, Unit.code)
        .join(PanelMember, PanelMember.judge_id == Judge.id)
        .outerjoin(Unit, Unit.id == Judge.unit_id)
        .where(PanelMember.trade_id == trade.id)
        .order_by(Judge.id)
    )
    return TradeSpec(
        code=trade.code,
        components=tuple(
            ComponentSpec(
                code=c.code,
                weight=c.weight,
                max=c.max,
                step=c.step,
                criteria=tuple(criterion_spec(k) for k in c.criteria),
                judges=tuple(component_panels.get(c.id, ())),
            )
            for c in components
        ),
        judges=tuple(JudgeRef(code, unit) for code, unit in panel),
        tie_breakers=tuple(trade.tie_breakers or ()),
        min_entrants=trade.min_entrants,
        team_size=trade.team_size,
        recusal=trade.recusal,
    )


def criterion_spec(criterion: Criterion) -> CriterionSpec:
    """The domain's view of a stored criterion (its columns carry the spec's field names)."""
    return CriterionSpec(**{f.name: getattr(criterion, f.name) for f in fields(CriterionSpec)})


def entrant_inputs(trade: Trade) -> list[EntrantInput]:
    """Everything entered for the trade's approved entrants (submitted scores only), in a
    fixed number of queries. Registrations still under review are not in the results."""
    rows = db.session.execute(
        sa.select(Entrant, Unit.code)
        .join(Unit, Unit.id == Entrant.unit_id)
        .where(
            Entrant.trade_id == trade.id,
            Entrant.registration_status == RegistrationStatus.APPROVED,
        )
        .options(selectinload(Entrant.team))
        .order_by(Entrant.id)
    ).all()
    ids = [entrant.id for entrant, _ in rows]
    values: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    for entrant_id, criterion, judge, value in db.session.execute(
        sa.select(Score.entrant_id, Criterion.code, Judge.code, Score.value)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .join(Judge, Judge.id == Score.judge_id)
        .where(Score.entrant_id.in_(ids), Score.state == ScoreState.SUBMITTED)
    ):
        values[entrant_id][(criterion, judge)] = value
    direct: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for entrant_id, component, value in db.session.execute(
        sa.select(ComponentScore.entrant_id, Component.code, ComponentScore.value)
        .join(Component, Component.id == ComponentScore.component_id)
        .where(ComponentScore.entrant_id.in_(ids))
    ):
        direct[entrant_id][component] = value
    factors: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for entrant_id, criterion, factor in db.session.execute(
        sa.select(EntrantFactor.entrant_id, Criterion.code, EntrantFactor.factor)
        .join(Criterion, Criterion.id == EntrantFactor.criterion_id)
        .where(EntrantFactor.entrant_id.in_(ids))
    ):
        factors[entrant_id][criterion] = factor
    excused: dict[int, set[str]] = defaultdict(set)
    for entrant_id, judge in db.session.execute(
        sa.select(Excusal.entrant_id, Judge.code)
        .join(Judge, Judge.id == Excusal.judge_id)
        .where(Excusal.entrant_id.in_(ids))
    ):
        excused[entrant_id].add(judge)
    return [
        EntrantInput(
            code=entrant.code,
            unit=unit,
            team=entrant.team.code if entrant.team else None,
            status=entrant.status,
            time=entrant.time_seconds,
            values=values[entrant.id],
            direct=direct[entrant.id],
            factors=factors[entrant.id],
            excused=frozenset(excused[entrant.id]),
            birth_date=entrant.birth_date,
            skill_level=entrant.skill_level,
        )
        for entrant, unit in rows
    ]


def recompute_trade(trade: Trade, spec: EventSpec | None = None) -> TradeResult:
    """Compute one trade from its current data and store the result (caller commits)."""
    result = compute_trade(
        spec or event_spec(trade.event), trade_spec(trade), entrant_inputs(trade)
    )
    payload = snapshot.dump_trade(result)
    record = db.session.get(TradeResultRecord, trade.id)
    if record is None:
        db.session.add(TradeResultRecord(trade_id=trade.id, payload=payload))
    else:
        record.payload = payload
    return result


def recompute_event(event: Event) -> list[TradeResult]:
    """Recompute every trade of the event (after an import or a change of event rules)."""
    spec = event_spec(event)
    trades = db.session.execute(
        sa.select(Trade).where(Trade.event_id == event.id).order_by(Trade.position, Trade.id)
    ).scalars()
    return [recompute_trade(trade, spec) for trade in trades]


def stored_trades(event: Event) -> list[TradeResult]:
    """The stored results of every trade of the event, in trade order (computing any
    trade that has none yet)."""
    rows = db.session.execute(
        sa.select(Trade, TradeResultRecord)
        .outerjoin(TradeResultRecord, TradeResultRecord.trade_id == Trade.id)
        .where(Trade.event_id == event.id)
        .order_by(Trade.position, Trade.id)
    ).all()
    spec = None
    results = []
    for trade, record in rows:
        if record is None:
            spec = spec or event_spec(event)
            results.append(recompute_trade(trade, spec))
        else:
            results.append(snapshot.load_trade(record.payload))
    return results


def results_for(event: Event) -> dict[str, Any]:
    """The ``contest-results/1`` document of the event, from the stored trade results."""
    return results_document(event_spec(event), stored_trades(event))
