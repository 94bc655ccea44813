"""Results: load a trade from the database, compute it with the domain, store the outcome.

A changed score recomputes only its trade (``recompute_trade``) — and a judge's submit or
amendment scores only its entrant again, ranking everyone (``recomputed``); the event-wide
tables (units, award lists) are assembled from the stored trade results, which is cheap.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa

from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain import awards as award_rules
from contest.domain import snapshot
from contest.domain.exams import Attempt, Marked, mark_attempt
from contest.domain.ranking import ranks_by_criteria
from contest.domain.results import EventSpec, TradeResult, compute_trade, results_document
from contest.domain.scoring import (
    ComponentSpec,
    CriterionSpec,
    EntrantInput,
    JudgeRef,
    Overtime,
    Penalty,
    TradeSpec,
)
from contest.domain.stages import StageKind, StageState
from contest.events.models import (
    AwardRule,
    Component,
    Criterion,
    Event,
    Judge,
    PanelMember,
    Trade,
    Unit,
    component_judges,
)
from contest.exams import services as exams
from contest.registration.models import Entrant, RegistrationStatus, Team
from contest.results.models import (
    AwardDecision,
    AwardDecisionKind,
    ComponentScore,
    EntrantFactor,
    Excusal,
    PenaltyRecord,
    Score,
    ScoreState,
    TradeResultRecord,
)
from contest.stages import services as stages
from contest.stages.models import StageWindow


def event_spec(event: Event) -> EventSpec:
    """The event-wide settings the results depend on."""
    rules = db.session.execute(
        sa.select(AwardRule).where(AwardRule.event_id == event.id).order_by(AwardRule.position)
    ).scalars()
    units = db.session.execute(
        sa.select(Unit.code).where(Unit.event_id == event.id).order_by(Unit.id)
    ).scalars()
    decisions: dict[AwardDecisionKind, set[tuple[str, str]]] = defaultdict(set)
    for kind, rule, entrant in db.session.execute(
        sa.select(AwardDecision.kind, AwardDecision.rule_code, Entrant.code)
        .join(Entrant, Entrant.id == AwardDecision.entrant_id)
        .where(AwardDecision.event_id == event.id, AwardDecision.withdrawn_at.is_(None))
    ):
        decisions[kind].add((rule, entrant))
    return EventSpec(
        slug=event.slug,
        starts_on=event.starts_on,
        decimals=event.decimals,
        placement_points=tuple(event.placement_points or ()),
        medals_by_field=event.medals_by_field,
        award_rules=tuple(award_rule(rule) for rule in rules),
        units=tuple(units),
        decisions=award_rules.Decisions(
            frozenset(decisions[AwardDecisionKind.INELIGIBLE]),
            frozenset(decisions[AwardDecisionKind.NAMED]),
        ),
    )


def award_rule(rule: AwardRule) -> award_rules.AwardRule:
    """The domain's view of a stored award rule."""
    promote = None
    if rule.promote is not None:
        promote = award_rules.Promotion.from_json(rule.promote)
    lines = rule.min_components
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
        min_components={c: Decimal(v) for c, v in lines.items()} if lines else None,
        gender=rule.gender,
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
        promote=None if rule.promote is None else rule.promote.to_json(),
        min_components={c: str(v) for c, v in rule.min_components.items()}
        if rule.min_components
        else None,
        gender=rule.gender,
    )


def trade_spec(trade: Trade) -> TradeSpec:
    """The marking scheme and panel of a trade, for the scoring engine."""
    return trade_specs([trade])[trade.id]


def trade_specs(trades: Sequence[Trade]) -> dict[int, TradeSpec]:
    """The specs of several trades (by trade id), in a fixed number of queries."""
    ids = [trade.id for trade in trades]
    components: dict[int, list[Component]] = defaultdict(list)
    criteria: dict[int, list[CriterionSpec]] = defaultdict(list)
    for component, criterion in db.session.execute(
        sa.select(Component, Criterion)
        .outerjoin(  # (the trade ids let the criteria be found by their index)
            Criterion, sa.and_(Criterion.component_id == Component.id, Criterion.trade_id.in_(ids))
        )
        .where(Component.trade_id.in_(ids))
        .order_by(Component.trade_id, Component.position, Component.id, Criterion.position)
    ):
        listed = components[component.trade_id]
        if not listed or listed[-1] is not component:
            listed.append(component)
        if criterion is not None:
            criteria[component.id].append(criterion_spec(criterion))
    component_panels: dict[int, list[str]] = defaultdict(list)
    for component_id, code in db.session.execute(
        sa.select(component_judges.c.component_id, Judge.code)
        .join(Judge, Judge.id == component_judges.c.judge_id)
        .join(Component, Component.id == component_judges.c.component_id)
        .where(Component.trade_id.in_(ids))
        .order_by(Judge.id)
    ):
        component_panels[component_id].append(code)
    panels: dict[int, list[JudgeRef]] = defaultdict(list)
    for trade_id, code, unit in db.session.execute(
        sa.select(PanelMember.trade_id, Judge.code, Unit.code)
        .join(Judge, Judge.id == PanelMember.judge_id)
        .outerjoin(Unit, Unit.id == Judge.unit_id)
        .where(PanelMember.trade_id.in_(ids))
        .order_by(Judge.id)
    ):
        panels[trade_id].append(JudgeRef(code, unit))
    return {
        trade.id: TradeSpec(
            code=trade.code,
            components=tuple(
                ComponentSpec(
                    code=c.code,
                    weight=c.weight,
                    max=c.max,
                    step=c.step,
                    criteria=tuple(criteria.get(c.id, ())),
                    judges=tuple(component_panels.get(c.id, ())),
                )
                for c in components.get(trade.id, ())
            ),
            judges=tuple(panels.get(trade.id, ())),
            tie_breakers=tuple(trade.tie_breakers or ()),
            min_entrants=trade.min_entrants,
            team_size=trade.team_size,
            recusal=trade.recusal,
            disqualify_on=dict(trade.disqualify_on or {}),
            overtime=overtime_rule(trade.overtime),
            team_tie_breakers=tuple(trade.team_tie_breakers or ()),
            min_started=trade.min_started,
        )
        for trade in trades
    }


def overtime_rule(stored: dict[str, Any] | None) -> Overtime | None:
    """The domain's overtime rule from a trade's stored one (decimals kept as strings)."""
    if not stored:
        return None
    zero_after = stored.get("zero_after")
    return Overtime(
        stored["component"],
        Decimal(stored["limit"]),
        Decimal(stored["per_minute"]),
        Decimal(zero_after) if zero_after is not None else None,
    )


def overtime_row(rule: Overtime | None) -> dict[str, Any] | None:
    """A trade's stored overtime rule (the inverse of ``overtime_rule``): decimals as strings,
    ``zero_after`` only when there is one."""
    if rule is None:
        return None
    stored = {
        "component": rule.component,
        "limit": str(rule.limit),
        "per_minute": str(rule.per_minute),
    }
    if rule.zero_after is not None:
        stored["zero_after"] = str(rule.zero_after)
    return stored


def criterion_spec(criterion: Criterion) -> CriterionSpec:
    """The domain's view of a stored criterion (its columns carry the spec's field names)."""
    return CriterionSpec(**{f.name: getattr(criterion, f.name) for f in fields(CriterionSpec)})


def entrant_inputs(trade: Trade) -> list[EntrantInput]:
    """Everything entered for the trade's approved entrants (submitted scores only), in a
    fixed number of queries. Registrations still under review are not in the results."""
    return _inputs(Entrant.trade_id == trade.id).get(trade.id, [])


def _inputs(
    where: sa.ColumnElement[bool], marked: sa.ColumnElement[bool] | None = None
) -> dict[int, list[EntrantInput]]:
    """The inputs of the approved entrants ``where`` selects, by trade id, in entrant order:
    one query per kind of row, whatever the number of trades. Only the entrants ``marked``
    also selects (all when None) come with their values, factors and excusals. The rows are
    read on the session's connection, past the ORM: plain rows, several times faster to
    fetch."""
    db.session.flush()
    connection = db.session.connection()
    rows = connection.execute(
        sa.select(
            Entrant.id,
            Entrant.trade_id,
            Entrant.code,
            Unit.code,
            Team.code,
            Entrant.status,
            Entrant.time_seconds,
            Entrant.birth_date,
            Entrant.skill_level,
            Entrant.gender,
        )
        .join(Unit, Unit.id == Entrant.unit_id)
        .outerjoin(Team, Team.id == Entrant.team_id)
        .where(where, Entrant.registration_status == RegistrationStatus.APPROVED)
        .order_by(Entrant.id)
    ).all()
    approved = sa.select(Entrant.id).where(
        where, Entrant.registration_status == RegistrationStatus.APPROVED
    )
    if marked is not None:
        approved = approved.where(marked)
    scores = connection.execute(
        sa.select(Score.entrant_id, Score.criterion_id, Score.judge_id, Score.value).where(
            Score.entrant_id.in_(approved), Score.state == ScoreState.SUBMITTED
        )
    ).all()
    # The criteria's and judges' codes by id, for the few ids in the rows: joined in the
    # query, every row looked them up in tables that hold every event's criteria and judges.
    criteria = {row[1] for row in scores}
    judges = {row[2] for row in scores}
    codes: dict[tuple[str, int], str] = {
        (kind, id_): code
        for kind, id_, code in connection.execute(
            sa.union_all(
                sa.select(sa.literal_column("'c'"), Criterion.id, Criterion.code).where(
                    Criterion.id.in_(criteria)
                ),
                sa.select(sa.literal_column("'j'"), Judge.id, Judge.code).where(
                    Judge.id.in_(judges)
                ),
            )
        )
    }
    values: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    for entrant_id, criterion_id, judge_id, value in scores:
        values[entrant_id][(codes["c", criterion_id], codes["j", judge_id])] = value
    # The rarer rows in one query: directly entered component scores, entrants' own factors
    # and excusals (each a code and perhaps a value, told apart by their kind).
    direct: dict[int, dict[str, Decimal | Fraction]] = defaultdict(dict)
    factors: dict[int, dict[str, Decimal]] = defaultdict(dict)
    excused: dict[int, set[str]] = defaultdict(set)
    kind = sa.literal_column("'d'").label("kind")
    for row_kind, entrant_id, code, value in connection.execute(
        sa.union_all(
            sa.select(kind, ComponentScore.entrant_id, Component.code, ComponentScore.value)
            .join(Component, Component.id == ComponentScore.component_id)
            .where(ComponentScore.entrant_id.in_(approved)),
            sa.select(
                sa.literal_column("'f'"), EntrantFactor.entrant_id, Criterion.code,
                EntrantFactor.factor,
            )
            .join(Criterion, Criterion.id == EntrantFactor.criterion_id)
            .where(EntrantFactor.entrant_id.in_(approved)),
            sa.select(
                sa.literal_column("'x'"), Excusal.entrant_id, Judge.code,
                sa.null().cast(ComponentScore.value.type),
            )
            .join(Judge, Judge.id == Excusal.judge_id)
            .where(Excusal.entrant_id.in_(approved)),
        )
    ):  # fmt: skip
        if row_kind == "d":
            direct[entrant_id][code] = value
        elif row_kind == "f":
            factors[entrant_id][code] = value
        else:
            excused[entrant_id].add(code)
    runs = exams.exam_runs(sa.select(Entrant.trade_id).where(where).distinct())
    if runs:  # a component fed by an exam carries the marked attempt's score (EXAMS.md §3)
        sitters = [
            (entrant_id, trade_id, code, unit) for entrant_id, trade_id, code, unit, *_ in rows
        ]
        for trade_id, attempts in _marked(runs, sitters, approved, excused).items():
            run = runs[trade_id]
            for entrant_id, marked in attempts:
                score = marked.score(run.maximum)
                if score is not None:
                    direct[entrant_id][run.exam.component] = score
    penalties: dict[int, list[Penalty]] = defaultdict(list)
    for entrant_id, kind, points, reason, criterion, component in connection.execute(
        sa.select(
            PenaltyRecord.entrant_id, PenaltyRecord.kind, PenaltyRecord.points,
            PenaltyRecord.reason, Criterion.code, Component.code,
        )
        .outerjoin(Criterion, Criterion.id == PenaltyRecord.criterion_id)
        .outerjoin(Component, Component.id == PenaltyRecord.component_id)
        .where(PenaltyRecord.entrant_id.in_(approved), PenaltyRecord.withdrawn_at.is_(None))
        .order_by(PenaltyRecord.id)
    ):  # fmt: skip
        penalties[entrant_id].append(Penalty(kind, points, criterion, component, reason))
    inputs: dict[int, list[EntrantInput]] = defaultdict(list)
    for entrant_id, trade_id, code, unit, team, status, time, born, level, gender in rows:
        inputs[trade_id].append(
            EntrantInput(
                code=code,
                unit=unit,
                team=team,
                status=status,
                time=time,
                values=values[entrant_id],
                direct=direct[entrant_id],
                factors=factors[entrant_id],
                excused=frozenset(excused[entrant_id]),
                birth_date=born,
                skill_level=level,
                gender=str(gender) if gender is not None else None,
                penalties=tuple(penalties[entrant_id]),
            )
        )
    return inputs


def _marked(
    runs: dict[int, exams.ExamRun],
    sitters: Sequence[tuple[int, int, str, str]],
    approved: sa.Select,
    excused: dict[int, set[str]],
) -> dict[int, list[tuple[int, Marked]]]:
    """The attempts of the ``sitters`` (entrant id, trade id, code, unit code) whom
    ``approved`` selects, marked, by trade id: the short items by the exam's panel less
    recusal and the entrant's excusals (two queries)."""
    attempts = exams.stored_attempts(approved)
    found: dict[int, list[tuple[int, Marked]]] = defaultdict(list)
    for entrant_id, trade_id, code, unit in sitters:
        run, stored = runs.get(trade_id), attempts.get(entrant_id)
        if run is None or stored is None:
            continue
        attempt = Attempt(code, stored.responses, stored.values)
        panel = run.panel(unit, excused.get(entrant_id, ()))
        found[trade_id].append(
            (entrant_id, mark_attempt(run.exam, run.papers, run.bank, attempt, panel))
        )
    return found


def exam_attempts(run: exams.ExamRun) -> list[Marked]:
    """Every attempt at the exam by the approved entrants of its trade, marked, in entrant
    order (the item analysis is over them all)."""
    db.session.flush()
    where = sa.and_(
        Entrant.trade_id == run.trade_id, Entrant.registration_status == RegistrationStatus.APPROVED
    )
    sitters = [
        (entrant_id, run.trade_id, code, unit)
        for entrant_id, code, unit in db.session.execute(
            sa.select(Entrant.id, Entrant.code, Unit.code)
            .join(Unit, Unit.id == Entrant.unit_id)
            .where(where)
            .order_by(Entrant.id)
        )
    ]
    approved = sa.select(Entrant.id).where(where)
    excused: dict[int, set[str]] = defaultdict(set)
    for entrant_id, judge in db.session.execute(
        sa.select(Excusal.entrant_id, Judge.code)
        .join(Judge, Judge.id == Excusal.judge_id)
        .where(Excusal.entrant_id.in_(approved))
    ):
        excused[entrant_id].add(judge)
    marked = _marked({run.trade_id: run}, sitters, approved, excused)
    return [m for _, m in marked[run.trade_id]]


def recompute_trade(trade: Trade, spec: EventSpec | None = None) -> TradeResult:
    """Compute one trade from its current data and store the result (caller commits)."""
    result = compute(trade, spec)
    _store({trade.id: snapshot.dump_trade(result)})
    return result


def compute(trade: Trade, spec: EventSpec | None = None) -> TradeResult:
    """The trade's results from its current data (nothing is stored)."""
    return compute_trade(spec or event_spec(trade.event), trade_spec(trade), entrant_inputs(trade))


def recomputed(trade: Trade, changed: Entrant, stored: dict[str, Any] | None) -> dict[str, Any]:
    """The trade's results as ``store`` writes them, after a change to one entrant's marks (a
    judge's submit or amendment), given the trade's ``stored`` results read in this
    transaction under ``lock_results``.

    Only the changed entrant is scored again: the others' scores are the stored ones (their
    criteria copied as they are), since every other change to what scores depend on —
    scheme, panel, statuses, excusals, factors, entrants — recomputes the trade in full.
    Ranks, awards, points and teams are worked out over everyone as always. Should the stored
    results not hold exactly the trade's entrants, every entrant is scored."""
    spec, scheme = event_spec(trade.event), trade_spec(trade)
    if stored is not None:
        inputs = _inputs(Entrant.trade_id == trade.id, Entrant.id == changed.id).get(trade.id, [])
        scores = snapshot.load_scores(stored, ranks_by_criteria(scheme.tie_breakers))
        if scores.keys() == {e.code for e in inputs}:
            scores.pop(changed.code, None)  # (absent if no longer approved meanwhile)
            result = compute_trade(spec, scheme, inputs, scores)
            return snapshot.dump_trade(result, earlier=stored, unchanged=scores.keys())
    return snapshot.dump_trade(compute_trade(spec, scheme, entrant_inputs(trade)))


def store(trade: Trade, payload: dict[str, Any]) -> None:
    """Store a trade's results as ``recomputed`` gives them (caller commits)."""
    _store({trade.id: payload})


#: Key space of the advisory locks that let one judge's write at a time recompute a trade.
RESULTS_LOCK = 0x7265


def lock_results(trade: Trade) -> None:
    """Make the writers that recompute this trade before sealing their audit entry (judges'
    submits and amendments) take turns, until the transaction ends: PostgreSQL advisory
    lock; nothing on SQLite, where writers take turns anyway."""
    if db.session.get_bind().dialect.name == "postgresql":
        with db.session.no_autoflush:
            db.session.execute(
                sa.text("SELECT pg_advisory_xact_lock(:space, :trade)"),
                {"space": RESULTS_LOCK, "trade": trade.id},
            )


def computed_at(trade: Trade) -> datetime | None:
    """When the trade's stored results were last written (None: never)."""
    with db.session.no_autoflush:
        return db.session.execute(
            sa.select(TradeResultRecord.computed_at).where(TradeResultRecord.trade_id == trade.id)
        ).scalar_one_or_none()


def stored(trade: Trade) -> tuple[datetime | None, dict[str, Any] | None]:
    """When the trade's stored results were last written and what they are (None: never)."""
    with db.session.no_autoflush:
        row = db.session.execute(
            sa.select(TradeResultRecord.computed_at, TradeResultRecord.payload).where(
                TradeResultRecord.trade_id == trade.id
            )
        ).one_or_none()
    return (None, None) if row is None else (row[0], row[1])


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around a bulk computation: it makes hundreds of
    thousands of small objects and no reference cycles, and every full collection would
    walk them all again (reference counting still frees everything as usual)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def recompute_event(event: Event) -> list[TradeResult]:
    """Recompute every trade of the event (after an import or a change of event rules):
    the whole event is read in a fixed number of queries, not a round of queries per trade."""
    with _collector_paused():
        return _recompute_event(event)


def _recompute_event(event: Event) -> list[TradeResult]:
    spec = event_spec(event)
    trades = list(
        db.session.execute(
            sa.select(Trade).where(Trade.event_id == event.id).order_by(Trade.position, Trade.id)
        ).scalars()
    )
    specs = trade_specs(trades)
    inputs = _inputs(Entrant.event_id == event.id)
    computed = {
        trade.id: compute_trade(spec, specs[trade.id], inputs.get(trade.id, [])) for trade in trades
    }
    _store({trade_id: snapshot.dump_trade(result) for trade_id, result in computed.items()})
    return list(computed.values())


def _store(payloads: dict[int, dict[str, Any]]) -> None:
    """Store the dumped results of the trades (by trade id) without reading the old ones
    back: an UPDATE for the trades that have results, an INSERT for the others."""
    table = TradeResultRecord.__table__
    now = utcnow()
    update = (
        sa.update(table)
        .where(table.c.trade_id == sa.bindparam("trade"))
        .values(payload=sa.bindparam("payload"), computed_at=now)
    )
    if len(payloads) == 1:  # a changed score: no need to look first
        [(trade_id, payload)] = payloads.items()
        done = db.session.execute(update, {"trade": trade_id, "payload": payload}).rowcount
        stored = {trade_id} if done else set()
    else:
        stored = set(
            db.session.execute(
                sa.select(table.c.trade_id).where(table.c.trade_id.in_(list(payloads)))
            ).scalars()
        )
        if stored:
            db.session.execute(
                update, [{"trade": trade_id, "payload": payloads[trade_id]} for trade_id in stored]
            )
    fresh = [
        {"trade_id": trade_id, "payload": payload, "computed_at": now}
        for trade_id, payload in payloads.items()
        if trade_id not in stored
    ]
    if fresh:
        db.session.execute(sa.insert(table), fresh)
    for record in list(db.session.identity_map.values()):  # loaded earlier: now out of date
        if isinstance(record, TradeResultRecord) and record.trade_id in payloads:
            db.session.expire(record)


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


def on_stage_reached(window: StageWindow, state: StageState) -> None:
    """When scoring closes, drafts no longer change and never count: the results of the
    trades it governs (those not signed off) are final for now."""
    if window.kind == StageKind.SCORING and state == StageState.CLOSED:
        for trade in stages.governed_trades(window):
            if not trade.is_locked:
                recompute_trade(trade)
