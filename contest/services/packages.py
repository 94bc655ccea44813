"""Contest packages in and out of the database (PACKAGE.md).

``import_package`` replaces the event the package describes, inside the caller's
transaction: the old event (if any) is deleted and the new one inserted, so a failure
anywhere leaves the database as it was. Accounts linked to the old event's units, judges
and entrants are linked again to the records with the same codes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from contest.domain.package import PACKAGE_FORMAT, Package
from contest.domain.stages import StageKind
from contest.extensions import db
from contest.models import (
    AwardRule,
    CheckIn,
    Component,
    ComponentScore,
    Criterion,
    Entrant,
    EntrantFactor,
    Event,
    Excusal,
    Gender,
    Judge,
    PanelMember,
    RegistrationStatus,
    Score,
    ScoreState,
    StageWindow,
    Team,
    Trade,
    Unit,
    UnitKind,
    User,
)
from contest.models.event import unit_contacts
from contest.services import audit, results


@dataclass(frozen=True)
class ImportSummary:
    """What an import created."""

    event: Event
    replaced: bool
    counts: dict[str, int]


# --- import --------------------------------------------------------------------------------


def import_package(package: Package, actor: User | None = None) -> ImportSummary:
    """Create or replace the event of ``package`` and compute its results (caller commits)."""
    existing = db.session.execute(
        sa.select(Event).where(Event.slug == package.event.slug)
    ).scalar_one_or_none()
    links = _account_links(existing) if existing is not None else _Links()
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()

    event = _event(package)
    db.session.add(event)
    db.session.flush()
    units = {
        u.code: Unit(event_id=event.id, code=u.code, name=u.name, kind=UnitKind(u.kind))
        for u in package.units
    }
    db.session.add_all(units.values())
    trades, criteria, components = _trades(event, package)
    teams = {
        t.code: Team(event_id=event.id, unit=units[t.unit], code=t.code, name=t.name)
        for t in package.teams
    }
    db.session.add_all(teams.values())
    judges = _judges(event, package, units, trades, components)
    db.session.flush()
    entrants = _entrants(event, package, units, teams, trades)
    db.session.flush()
    _entries(package, entrants, judges, criteria, components)
    _windows(event, package, trades)
    _relink(links, units, judges, entrants)
    db.session.flush()
    results.recompute_event(event)

    counts = {
        "units": len(package.units),
        "trades": len(package.trades),
        "teams": len(package.teams),
        "entrants": len(package.entrants),
        "judges": len(package.judges),
        "scores": len(package.scores),
    }
    audit.record(
        actor,
        "package.import",
        "event",
        event.id,
        event=event,
        new={"slug": event.slug, "replaced": existing is not None, **counts},
    )
    return ImportSummary(event, existing is not None, counts)


def _event(package: Package) -> Event:
    data = package.event
    event = Event(
        slug=data.slug,
        name=data.name,
        starts_on=data.starts_on,
        timezone=data.timezone,
        decimals=data.decimals,
        placement_points=list(data.placement_points),
        medals_by_field=data.medals_by_field,
    )
    for position, rule in enumerate(data.award_rules):
        event.award_rules.append(results.award_rule_row(rule, position))
    return event


def _trades(event: Event, package: Package):
    trades: dict[str, Trade] = {}
    criteria: dict[tuple[str, str], Criterion] = {}
    components: dict[tuple[str, str], Component] = {}
    for position, data in enumerate(package.trades):
        trade = Trade(
            event_id=event.id,
            position=position,
            code=data.code,
            name=data.name,
            category=data.category,
            tie_breakers=list(data.tie_breakers),
            min_entrants=data.min_entrants,
            team_size=data.team_size,
            recusal=data.recusal,
        )
        order = 0
        for index, item in enumerate(data.components):
            component = Component(
                position=index,
                code=item.code,
                name=item.name,
                weight=item.weight,
                max=item.max,
                step=item.step,
            )
            trade.components.append(component)
            components[(data.code, item.code)] = component
            for criterion_data in item.criteria:
                criterion = Criterion(
                    trade=trade,
                    position=order,
                    name=criterion_data.name,
                    description=criterion_data.description,
                    **asdict(criterion_data.spec),  # the spec's fields are the column names
                )
                component.criteria.append(criterion)
                criteria[(data.code, criterion.code)] = criterion
                order += 1
        db.session.add(trade)
        trades[data.code] = trade
    return trades, criteria, components


def _judges(event, package, units, trades, components) -> dict[str, Judge]:
    judges = {}
    for data in package.judges:
        judge = Judge(
            event_id=event.id,
            code=data.code,
            name=data.name,
            unit=units.get(data.unit) if data.unit else None,
        )
        for code in data.trades:
            judge.panels.append(PanelMember(trade=trades[code], is_chief=data.chief))
        judges[data.code] = judge
    db.session.add_all(judges.values())
    for trade in package.trades:
        for item in trade.components:
            components[(trade.code, item.code)].judges.extend(judges[j] for j in item.judges)
    return judges


def _entrants(event, package, units, teams, trades) -> dict[str, Entrant]:
    entrants = {}
    for data in package.entrants:
        entrant = Entrant(
            event_id=event.id,
            trade=trades[data.trade],
            unit=units[data.unit],
            team=teams[data.team] if data.team else None,
            code=data.code,
            name=data.name,
            gender=Gender(data.gender) if data.gender else None,
            birth_date=data.birth_date,
            id_number=data.id_number,
            skill_level=data.skill_level,
            registration_status=RegistrationStatus.APPROVED,
        )
        entrants[data.code] = entrant
    db.session.add_all(entrants.values())
    for code, seconds in package.times:
        entrants[code].time_seconds = seconds
    for code, status in package.statuses:
        entrants[code].status = status
        if status.value == "DNS":
            entrants[code].check_in = CheckIn.ABSENT
    return entrants


def _entries(package, entrants, judges, criteria, components) -> None:
    trade_of = {e.code: e.trade for e in package.entrants}
    rows: list[Any] = []
    for score in package.scores:
        entrant = entrants[score.entrant]
        trade = trade_of[score.entrant]
        if score.component is not None:
            rows.append(
                ComponentScore(
                    entrant_id=entrant.id,
                    component_id=components[(trade, score.component)].id,
                    value=score.value,
                )
            )
        else:
            rows.append(
                Score(
                    entrant_id=entrant.id,
                    criterion_id=criteria[(trade, score.criterion)].id,
                    judge_id=judges[score.judge].id,
                    value=score.value,
                    state=ScoreState.SUBMITTED,
                )
            )
    for code, criterion, factor in package.factors:
        rows.append(
            EntrantFactor(
                entrant_id=entrants[code].id,
                criterion_id=criteria[(trade_of[code], criterion)].id,
                factor=factor,
            )
        )
    for code, judge, reason in package.excusals:
        rows.append(Excusal(entrant_id=entrants[code].id, judge_id=judges[judge].id, reason=reason))
    db.session.add_all(rows)


def _windows(event: Event, package: Package, trades: dict[str, Trade]) -> None:
    def add(kind: str, window, trade: Trade | None) -> None:
        db.session.add(
            StageWindow(
                event_id=event.id,
                trade=trade,
                kind=StageKind(kind),
                opens_at=window.opens,
                closes_at=window.closes,
            )
        )

    for kind, window in package.event.schedule.items():
        add(kind, window, None)
    for data in package.trades:
        for kind, window in data.schedule.items():
            add(kind, window, trades[data.code])


@dataclass
class _Links:
    """Accounts attached to an event's records, by the records' codes."""

    contacts: dict[str, list[int]] | None = None
    judges: dict[str, int] | None = None
    entrants: dict[str, int] | None = None


def _account_links(event: Event) -> _Links:
    contacts: dict[str, list[int]] = {}
    for code, user_id in db.session.execute(
        sa.select(Unit.code, unit_contacts.c.user_id)
        .join(unit_contacts, unit_contacts.c.unit_id == Unit.id)
        .where(Unit.event_id == event.id)
    ):
        contacts.setdefault(code, []).append(user_id)
    judges = dict(
        db.session.execute(
            sa.select(Judge.code, Judge.user_id).where(
                Judge.event_id == event.id, Judge.user_id.is_not(None)
            )
        ).all()
    )
    entrants = dict(
        db.session.execute(
            sa.select(Entrant.code, Entrant.user_id).where(
                Entrant.event_id == event.id, Entrant.user_id.is_not(None)
            )
        ).all()
    )
    return _Links(contacts, judges, entrants)


def _relink(links: _Links, units, judges, entrants) -> None:
    for code, user_ids in (links.contacts or {}).items():
        if code in units:
            db.session.execute(
                unit_contacts.insert(),
                [{"unit_id": units[code].id, "user_id": user_id} for user_id in user_ids],
            )
    for code, user_id in (links.judges or {}).items():
        if code in judges:
            judges[code].user_id = user_id
    for code, user_id in (links.entrants or {}).items():
        if code in entrants:
            entrants[code].user_id = user_id


# --- export --------------------------------------------------------------------------------


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
    }
    document.update({key: rows for key, rows in optional.items() if rows})
    return document


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
    }
    data.update({key: value for key, value in optional.items() if value not in (None, {})})
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
    return [
        {"entrant": entrants[e], "component": c, "value": json_number(v)} for e, c, v in direct
    ] + [
        {"entrant": entrants[e], "criterion": c, "judge": judges[j], "value": json_number(v)}
        for e, c, j, v in marks
    ]
