"""An event out of the database as a contest package (PACKAGE.md): importing the document
gives the same event."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from contest.core.extensions import db
from contest.domain.package import PACKAGE_FORMAT
from contest.domain.stages import StageKind
from contest.events.models import AwardRule, Component, Criterion, Event, Judge, Trade, Unit
from contest.exams.models import ExamAnswer, ExamSetting, ItemScore, QuestionBank, QuestionItem
from contest.registration.models import Entrant, Team
from contest.results import services as results
from contest.results.models import (
    AwardDecision,
    AwardDecisionKind,
    ComponentScore,
    EntrantFactor,
    Excusal,
    PenaltyRecord,
    Score,
    ScoreState,
)
from contest.stages.models import StageWindow


def json_number(value: Decimal) -> int | float | str:
    """A decimal as the plainest JSON value that reads back exactly."""
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else str(value)


def export_package(event: Event) -> dict[str, Any]:
    """The event as a ``contest-package/1`` document; importing it gives the same event."""

    def rows(model, *order):
        query = sa.select(model).where(model.event_id == event.id).order_by(*order, model.id)
        return list(db.session.execute(query).scalars())

    units = rows(Unit)
    trades = rows(Trade, Trade.position)
    windows = rows(StageWindow)
    judges = rows(Judge)
    entrants = rows(Entrant)
    teams = rows(Team)
    unit_codes = {u.id: u.code for u in units}
    trade_codes = {t.id: t.code for t in trades}
    judge_codes = {j.id: j.code for j in judges}
    entrant_codes = {e.id: e.code for e in entrants}
    team_codes = {t.id: t.code for t in teams}

    document: dict[str, Any] = {
        "format": PACKAGE_FORMAT,
        "event": _export_event(event, windows),
        "units": [{"code": u.code, "name": u.name, "kind": u.kind.value} for u in units],
        "trades": [_export_trade(t, windows, judge_codes) for t in trades],
        "teams": [{"code": t.code, "unit": unit_codes[t.unit_id], "name": t.name} for t in teams],
        "entrants": [_export_entrant(e, unit_codes, trade_codes, team_codes) for e in entrants],
        "judges": [_export_judge(j, unit_codes, trade_codes) for j in judges],
        "scores": _export_scores(event, entrant_codes, judge_codes),
    }
    ids = list(entrant_codes)
    factors = db.session.execute(
        sa.select(EntrantFactor.entrant_id, Criterion.code, EntrantFactor.factor)
        .join(Criterion, Criterion.id == EntrantFactor.criterion_id)
        .where(EntrantFactor.entrant_id.in_(ids))
        .order_by(EntrantFactor.entrant_id, Criterion.position)
    ).all()
    excusals = (
        db.session.execute(
            sa.select(Excusal).where(Excusal.entrant_id.in_(ids)).order_by(Excusal.id)
        )
        .scalars()
        .all()
    )
    optional = {
        "factors": [
            {"entrant": entrant_codes[e], "criterion": c, "factor": json_number(f)}
            for e, c, f in factors
        ],
        "excusals": [
            {
                "entrant": entrant_codes[x.entrant_id],
                "judge": judge_codes[x.judge_id],
                "reason": x.reason,
            }
            for x in excusals
        ],
        "times": [
            {"entrant": e.code, "seconds": json_number(e.time_seconds)}
            for e in entrants
            if e.time_seconds is not None
        ],
        "statuses": [{"entrant": e.code, "status": e.status.value} for e in entrants if e.status],
        "penalties": _export_penalties(ids, entrant_codes),
        **_export_exams(event, trade_codes, entrant_codes),
        **_export_decisions(event, entrant_codes),
    }
    document.update({key: rows for key, rows in optional.items() if rows})
    return document


def _export_penalties(ids: list[int], entrants: dict[int, str]) -> list[dict[str, Any]]:
    """The penalties that count (a withdrawn one does not), in the order they were given."""
    found = db.session.execute(
        sa.select(
            PenaltyRecord.entrant_id,
            Criterion.code,
            Component.code,
            PenaltyRecord.points,
            PenaltyRecord.kind,
            PenaltyRecord.reason,
        )
        .outerjoin(Criterion, Criterion.id == PenaltyRecord.criterion_id)
        .outerjoin(Component, Component.id == PenaltyRecord.component_id)
        .where(PenaltyRecord.entrant_id.in_(ids), PenaltyRecord.withdrawn_at.is_(None))
        .order_by(PenaltyRecord.id)
    ).all()
    return [
        {
            "entrant": entrants[entrant],
            **({"criterion": criterion} if criterion is not None else {"component": component}),
            "points": json_number(points),
            "kind": kind,
            "reason": reason,
        }
        for entrant, criterion, component, points, kind, reason in found
    ]


def _export_decisions(event: Event, entrants: dict[int, str]) -> dict[str, list[dict[str, Any]]]:
    """The organisers' decisions that stand (a withdrawn one does not): ``ineligible`` and
    ``manual_awards``."""
    found = db.session.execute(
        sa.select(AwardDecision)
        .where(AwardDecision.event_id == event.id, AwardDecision.withdrawn_at.is_(None))
        .order_by(AwardDecision.id)
    ).scalars()
    ineligible, named = [], []
    for decision in found:
        entrant = entrants[decision.entrant_id]
        if decision.kind == AwardDecisionKind.NAMED:
            named.append({"rule": decision.rule_code, "entrant": entrant})
            continue
        row = {"entrant": entrant, "rule": decision.rule_code}
        ineligible.append(row if decision.reason is None else {**row, "reason": decision.reason})
    return {"ineligible": ineligible, "manual_awards": named}


def _schedule(windows: list[StageWindow], trade_id: int | None) -> dict[str, Any]:
    plan: dict[str, Any] = {}
    for window in windows:
        if window.trade_id != trade_id:
            continue
        if window.kind == StageKind.PUBLISH:
            plan[window.kind.value] = {"at": window.opens_at.isoformat()}
        else:
            plan[window.kind.value] = {
                "opens": window.opens_at.isoformat(),
                "closes": window.closes_at.isoformat() if window.closes_at else None,
            }
    return plan


def _export_event(event: Event, windows: list[StageWindow]) -> dict[str, Any]:
    rules = db.session.execute(
        sa.select(AwardRule).where(AwardRule.event_id == event.id).order_by(AwardRule.position)
    ).scalars()
    data: dict[str, Any] = {
        "slug": event.slug,
        "name": event.name,
        "starts_on": event.starts_on.isoformat(),
        "timezone": event.timezone,
        "decimals": event.decimals,
        "placement_points": list(event.placement_points or []),
        "medals_by_field": event.medals_by_field,
    }
    schedule = _schedule(windows, None)
    if schedule:
        data["schedule"] = schedule
    data["award_rules"] = [_export_rule(rule) for rule in rules]
    return data


def _export_rule(rule: AwardRule) -> dict[str, Any]:
    select = dict(rule.select)
    if "percent" in select:
        select["percent"] = json_number(Decimal(str(select["percent"])))
    data: dict[str, Any] = {"code": rule.code, "title": rule.title, "select": select}
    optional = {
        "min_total": json_number(rule.min_total) if rule.min_total is not None else None,
        "min_entrants": rule.min_entrants,
        "max_age": rule.max_age,
        "trades": rule.trades,
        "group": rule.group,
        "promote": rule.promote,
        "min_components": {c: json_number(Decimal(v)) for c, v in rule.min_components.items()}
        if rule.min_components
        else None,
        "gender": rule.gender,
    }
    data.update({key: value for key, value in optional.items() if value is not None})
    return data


def _export_trade(trade: Trade, windows: list[StageWindow], judge_codes: dict[int, str]):
    data: dict[str, Any] = {"code": trade.code, "name": trade.name}
    if trade.category:
        data["category"] = trade.category
    data["components"] = [_export_component(c) for c in trade.components]
    optional = {
        "tie_breakers": list(trade.tie_breakers or []),
        "min_entrants": trade.min_entrants,
        "team_size": trade.team_size,
        "recusal": trade.recusal.value,
        "schedule": _schedule(windows, trade.id),
        # SCORING.md §7, only when set
        "disqualify_on": dict(trade.disqualify_on or {}),
        "overtime": _export_overtime(trade.overtime),
        "team_tie_breakers": list(trade.team_tie_breakers or []) or None,
        "min_started": trade.min_started,
    }
    data.update({key: value for key, value in optional.items() if value not in (None, {})})
    return data


def _export_overtime(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    rule = results.overtime_rule(stored)
    if rule is None:
        return None
    data: dict[str, Any] = {
        "component": rule.component,
        "limit": json_number(rule.limit),
        "per_minute": json_number(rule.per_minute),
    }
    if rule.zero_after is not None:
        data["zero_after"] = json_number(rule.zero_after)
    return data


def _export_component(component: Component) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": component.code,
        "name": component.name,
        "weight": json_number(component.weight),
    }
    if component.judges:
        data["judges"] = [j.code for j in component.judges]
    if not component.criteria:
        data["max"] = json_number(component.max)
        data["step"] = json_number(component.step)
        return data
    data["criteria"] = []
    for criterion in component.criteria:
        item: dict[str, Any] = {
            "code": criterion.code,
            "name": criterion.name,
            "max": json_number(criterion.max),
            "kind": criterion.kind.value,
            "step": json_number(criterion.step),
            "aggregation": criterion.aggregation.value,
            "trim": criterion.trim,
            "factor": json_number(criterion.factor),
        }
        if criterion.scale is not None:
            item["scale"] = json_number(criterion.scale)
        if criterion.max_spread is not None:
            item["max_spread"] = json_number(criterion.max_spread)
        if criterion.description:
            item["description"] = criterion.description
        data["criteria"].append(item)
    return data


def _export_entrant(entrant: Entrant, units, trades, teams) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": entrant.code,
        "name": entrant.name,
        "unit": units[entrant.unit_id],
        "trade": trades[entrant.trade_id],
    }
    optional = {
        "team": teams.get(entrant.team_id) if entrant.team_id else None,
        "gender": entrant.gender.value if entrant.gender else None,
        "birth_date": entrant.birth_date.isoformat() if entrant.birth_date else None,
        "id_number": entrant.id_number,
        "skill_level": entrant.skill_level,
    }
    data.update({key: value for key, value in optional.items() if value is not None})
    return data


def _export_judge(judge: Judge, units, trades) -> dict[str, Any]:
    panels = sorted(judge.panels, key=lambda p: p.trade_id)
    data: dict[str, Any] = {"code": judge.code, "name": judge.name}
    if judge.unit_id is not None:
        data["unit"] = units[judge.unit_id]
    data["trades"] = [trades[p.trade_id] for p in panels]
    data["chief"] = bool(panels) and all(p.is_chief for p in panels)
    return data


def _export_scores(event: Event, entrants: dict[int, str], judges: dict[int, str]):
    direct = db.session.execute(
        sa.select(ComponentScore.entrant_id, Component.code, ComponentScore.value)
        .join(Component, Component.id == ComponentScore.component_id)
        .join(Entrant, Entrant.id == ComponentScore.entrant_id)
        .where(Entrant.event_id == event.id)
        .order_by(ComponentScore.entrant_id, Component.position)
    ).all()
    marks = db.session.execute(
        sa.select(Score.entrant_id, Criterion.code, Score.judge_id, Score.value)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .join(Entrant, Entrant.id == Score.entrant_id)
        .where(Entrant.event_id == event.id, Score.state == ScoreState.SUBMITTED)
        .order_by(Score.entrant_id, Criterion.position, Score.judge_id)
    ).all()
    items = db.session.execute(
        sa.select(ItemScore.entrant_id, ItemScore.item_code, ItemScore.judge_id, ItemScore.value)
        .join(Entrant, Entrant.id == ItemScore.entrant_id)
        .where(Entrant.event_id == event.id)
        .order_by(ItemScore.entrant_id, ItemScore.item_code, ItemScore.judge_id)
    ).all()
    return (
        [{"entrant": entrants[e], "component": c, "value": json_number(v)} for e, c, v in direct]
        + [
            {"entrant": entrants[e], "criterion": c, "judge": judges[j], "value": json_number(v)}
            for e, c, j, v in marks
        ]
        + [
            {"entrant": entrants[e], "item": i, "judge": judges[j], "value": json_number(v)}
            for e, i, j, v in items
        ]
    )


#: The keys of a stored section that hold decimals as text.
SECTION_DECIMALS = ("marks", "partial", "step")


def _export_exams(
    event: Event, trades: dict[int, str], entrants: dict[int, str]
) -> dict[str, list[dict[str, Any]]]:
    """The event's question bank, its trades' exams (with the voided items) and the answers
    (EXAMS.md §5); the judges' marks of short items are among the scores."""
    bank = db.session.execute(
        sa.select(QuestionItem)
        .join(QuestionBank, QuestionBank.id == QuestionItem.bank_id)
        .where(QuestionBank.name == event.slug)
        .order_by(QuestionItem.id)
    ).scalars()
    latest: dict[str, QuestionItem] = {}
    for item in bank:
        if item.code not in latest or item.version > latest[item.code].version:
            latest[item.code] = item
    settings = db.session.execute(
        sa.select(ExamSetting, Component.code)
        .join(Component, Component.id == ExamSetting.component_id)
        .where(ExamSetting.trade_id.in_(list(trades)))
        .order_by(ExamSetting.id)
    ).all()
    answers = db.session.execute(
        sa.select(ExamAnswer.entrant_id, ExamAnswer.item_code, ExamAnswer.response)
        .where(ExamAnswer.entrant_id.in_(list(entrants)))
        .order_by(ExamAnswer.id)
    ).all()
    return {
        "question_bank": [_export_item(item) for item in latest.values()],
        "exams": [
            {
                "trade": trades[setting.trade_id],
                "component": component,
                "minutes": setting.minutes,
                "seed": setting.seed,
                "papers": setting.papers,
                "sections": [_export_section(section) for section in setting.sections],
                **({"voided": list(setting.voided)} if setting.voided else {}),
            }
            for setting, component in settings
        ],
        "answers": [
            {"entrant": entrants[e], "item": item, "response": response}
            for e, item, response in answers
        ],
    }


def _export_item(item: QuestionItem) -> dict[str, Any]:
    found = {
        "code": item.code,
        "type": item.type.value,
        "stem": item.stem,
        "options": item.options,
        "key": item.key,
        "marks": json_number(item.marks),
        "tags": item.tags or None,
        "level": item.level,
        "difficulty": item.difficulty,
        "explanation": item.explanation,
    }
    return {key: value for key, value in found.items() if value is not None}


def _export_section(stored: dict[str, Any]) -> dict[str, Any]:
    return {
        key: json_number(Decimal(value)) if key in SECTION_DECIMALS else value
        for key, value in stored.items()
    }
