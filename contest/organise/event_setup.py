"""Events: settings, the planned schedule, award rules, and copying last year's event.

Settings and award rules are validated by the contest-package reader; what the package does
not carry (host, venue, last day, the schedule's natural order) is checked here. A change to
anything the results depend on recomputes the event (``results.recompute_event``). Each
edit is made on the version of the event (or trade) its form was loaded on, and refused
(``setup.Stale``) if someone else has changed it since (``setup.claim``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core.extensions import db
from contest.domain.refusal import Problem
from contest.domain.stages import StageKind, StageState
from contest.events.models import AwardRule, Component, Event, Judge, Trade, Unit
from contest.organise.setup import (
    STUB_EVENT,
    Invalid,
    Raw,
    bump,
    check_decimal,
    check_text,
    claim,
    problem,
    read,
    record_change,
)
from contest.organise.trade_list import clone_trade, shift_instant
from contest.organise.trade_scheme import plain
from contest.results import services as results
from contest.stages.models import StageWindow

#: The highest pass line of a component (as the bounds of a trade's points).
MAX_POINTS = Decimal(1000)
#: Event settings the results depend on (SCORING.md §2, §3, §5).
RESULT_SETTINGS = ("slug", "starts_on", "decimals", "placement_points", "medals_by_field")
#: The windows in their natural order; publication is a single instant.
STAGE_ORDER = (
    StageKind.REGISTRATION,
    StageKind.REVIEW,
    StageKind.SCORING,
    StageKind.APPEAL,
    StageKind.PUBLIC_NOTICE,
    StageKind.PUBLISH,
)
#: The windows a trade may plan for itself, replacing the event's.
TRADE_STAGES = (StageKind.SCORING, StageKind.APPEAL)


@dataclass
class EventInput:
    """An event's settings as submitted."""

    slug: str | None = None
    name: str | None = None
    host: str | None = None
    venue: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    timezone: str | None = None
    decimals: Raw = None
    placement_points: list[Raw] = field(default_factory=list)
    medals_by_field: bool = False
    multiple_trades_allowed: bool = False
    version: int | None = None  # the event's version the form was loaded on


def event_input(event: Event) -> EventInput:
    """The stored settings as form input, for editing."""
    return EventInput(
        slug=event.slug,
        name=event.name,
        host=event.host,
        venue=event.venue,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        timezone=event.timezone,
        decimals=event.decimals,
        placement_points=list(event.placement_points or []),
        medals_by_field=event.medals_by_field,
        multiple_trades_allowed=event.multiple_trades_allowed,
        version=event.version,
    )


def event_state(event: Event) -> dict[str, Any]:
    """Every setting of the event, for the audit log."""
    return {
        "slug": event.slug,
        "name": event.name,
        "host": event.host,
        "venue": event.venue,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "timezone": event.timezone,
        "decimals": event.decimals,
        "placement_points": list(event.placement_points or []),
        "medals_by_field": event.medals_by_field,
        "multiple_trades_allowed": event.multiple_trades_allowed,
    }


def _checked(data: EventInput, event: Event | None) -> dict[str, Any]:
    """The settings as the package reader reads them plus the app's own; ``Invalid`` if not."""
    node = {
        "slug": data.slug or None,
        "name": data.name or None,
        "starts_on": data.starts_on.isoformat() if data.starts_on else None,
        "timezone": data.timezone or None,
        "decimals": data.decimals,
        "placement_points": data.placement_points,
        "medals_by_field": bool(data.medals_by_field),
    }
    problems: list[Problem] = []
    try:
        read_event = read({"event": {k: v for k, v in node.items() if v is not None}}, "event.")
    except Invalid as error:
        problems.extend(error.problems)
        read_event = None
    host = check_text(problems, "host", data.host, 200)
    venue = check_text(problems, "venue", data.venue, 200)
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        problems.append(problem("ends_on", "ends_before_starts"))
    if read_event is not None:
        slug = read_event.event.slug
        query = sa.select(Event.id).where(Event.slug == slug)
        if event is not None:
            query = query.where(Event.id != event.id)
        if db.session.execute(query).first() is not None:
            problems.append(problem("slug", "slug_taken", value=slug))
    if problems or read_event is None:
        raise Invalid(problems)
    settings = read_event.event
    return {
        "slug": settings.slug,
        "name": settings.name,
        "host": host,
        "venue": venue,
        "starts_on": settings.starts_on,
        "ends_on": data.ends_on,
        "timezone": settings.timezone,
        "decimals": settings.decimals,
        "placement_points": list(settings.placement_points),
        "medals_by_field": settings.medals_by_field,
        "multiple_trades_allowed": bool(data.multiple_trades_allowed),
    }


def create_event(actor: User, data: EventInput) -> Event:
    """A new, empty event."""
    event = Event(**_checked(data, None))
    db.session.add(event)
    db.session.flush()
    record_change(actor, "event.create", "event", event.id, None, event_state(event), event=event)
    return event


def update_event(actor: User, event: Event, data: EventInput) -> None:
    """Change an event's settings; results are recomputed when they depend on the change."""
    claim(event, data.version)
    values = _checked(data, event)
    before = event_state(event)
    for key, value in values.items():
        setattr(event, key, value)
    after = event_state(event)
    if record_change(actor, "event.update", "event", event.id, before, after, event=event):
        bump(event)
    if any(before[key] != after[key] for key in RESULT_SETTINGS):
        db.session.flush()
        results.recompute_event(event)


# --- schedule ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowInput:
    """A planned window in the event's local time (naive); publication uses ``opens`` only."""

    opens: datetime | None = None
    closes: datetime | None = None


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)


def _utc(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=zone).astimezone(UTC)


def event_windows(event: Event) -> dict[StageKind, StageWindow]:
    """The event-wide windows (not a trade's own), by kind."""
    return _windows(event, None)


def trade_windows(trade: Trade) -> dict[StageKind, StageWindow]:
    """A trade's own scoring and appeal windows, by kind."""
    return _windows(trade.event, trade)


def _windows(event: Event, trade: Trade | None) -> dict[StageKind, StageWindow]:
    owner = StageWindow.trade_id.is_(None) if trade is None else StageWindow.trade_id == trade.id
    query = sa.select(StageWindow).where(StageWindow.event_id == event.id, owner)
    return {w.kind: w for w in db.session.execute(query).scalars()}


def schedule_input(event: Event, trade: Trade | None = None) -> dict[StageKind, WindowInput]:
    """The planned windows (the event's, or a trade's own) in the event's local time."""
    zone = ZoneInfo(event.timezone)
    return {
        kind: WindowInput(_local(w.opens_at, zone), _local(w.closes_at, zone))
        for kind, w in _windows(event, trade).items()
    }


def _window_path(kind: StageKind, end: str) -> str:
    return f"{kind.value}.{'at' if kind == StageKind.PUBLISH else end}"


def plan_schedule(
    actor: User, event: Event, plan: dict[StageKind, WindowInput], version: int | None
) -> dict[StageKind, StageWindow]:
    """Plan the event's windows, entered in its time zone and stored in UTC.

    A window needs both ends (publication one instant), closes after it opens, and the
    windows follow their natural order: none opens before the previous planned one closes.
    A window that has already opened cannot be removed; no window's state changes here.
    """
    claim(event, version)
    return _plan(actor, event, None, STAGE_ORDER, plan)


def plan_trade_schedule(
    actor: User, trade: Trade, plan: dict[StageKind, WindowInput], version: int | None
) -> dict[StageKind, StageWindow]:
    """Plan a trade's own scoring and appeal windows, which replace the event's for it; an
    empty window follows the event's. The same checks as the event's schedule, and the
    trade's appeals open no earlier than its scoring (its own, or the event's) closes."""
    claim(trade, version)
    followed = event_windows(trade.event)
    return _plan(actor, trade.event, trade, TRADE_STAGES, plan, followed)


def _plan(
    actor: User,
    event: Event,
    trade: Trade | None,
    kinds: tuple[StageKind, ...],
    plan: dict[StageKind, WindowInput],
    followed: dict[StageKind, StageWindow] | None = None,
) -> dict[StageKind, StageWindow]:
    zone = ZoneInfo(event.timezone)
    existing = _windows(event, trade)
    problems: list[Problem] = []
    planned: list[tuple[StageKind, datetime, datetime | None]] = []
    for kind in kinds:
        window = plan.get(kind, WindowInput())
        if kind == StageKind.PUBLISH:
            if window.opens is not None:
                planned.append((kind, _utc(window.opens, zone), None))
            continue
        if window == WindowInput():
            if followed and kind in followed:  # the event's window applies: still in order
                planned.append((kind, followed[kind].opens_at, followed[kind].closes_at))
            continue
        if window.opens is None or window.closes is None:
            end = "opens" if window.opens is None else "closes"
            problems.append(problem(_window_path(kind, end), "required"))
            continue
        opens, closes = _utc(window.opens, zone), _utc(window.closes, zone)
        if closes <= opens:
            problems.append(problem(_window_path(kind, "closes"), "closes_before_opens"))
            continue
        planned.append((kind, opens, closes))
    for (previous, opens_before, closes_before), (kind, opens, _) in pairwise(planned):
        if opens < (closes_before or opens_before):
            problems.append(problem(_window_path(kind, "opens"), "window_order", stage=previous))
    own = {kind for kind in kinds if plan.get(kind, WindowInput()) != WindowInput()}
    for kind, window in existing.items():
        if kind not in own and window.state != StageState.PENDING:
            problems.append(problem(_window_path(kind, "opens"), "window_started", stage=kind))
    if problems:
        raise Invalid(problems)

    def plan_of(windows: dict[StageKind, StageWindow]) -> dict[str, Any]:
        return {
            k.value: [w.opens_at.isoformat(), w.closes_at.isoformat() if w.closes_at else None]
            for k, w in sorted(windows.items(), key=lambda item: STAGE_ORDER.index(item[0]))
        }

    previous_plan = plan_of(existing)
    for kind, window in list(existing.items()):
        if kind not in own:
            event.windows.remove(window)
            del existing[kind]
    for kind, opens, closes in planned:
        if kind not in own:
            continue
        window = existing.get(kind)
        if window is None:
            window = StageWindow(
                event=event, trade=trade, kind=kind, opens_at=opens, closes_at=closes
            )
            db.session.add(window)
            existing[kind] = window
        else:
            window.opens_at, window.closes_at = opens, closes
    db.session.flush()
    action, entity, entity_id = (
        ("event.schedule", "event", event.id)
        if trade is None
        else ("trade.schedule", "trade", trade.id)
    )
    after = plan_of(existing)
    if record_change(actor, action, entity, entity_id, previous_plan, after, event=event):
        bump(event if trade is None else trade)
    return existing


# --- award rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassLine:
    """A pass line on one component (SCORING.md §7); ``line`` None: none for it."""

    code: str | None
    line: Raw = None


@dataclass
class AwardRuleInput:
    """One award rule as submitted (SCORING.md §5, §7); ``select`` and ``promote`` as in the
    package (``{"top": 3}``, ``{"percent": "10", "of": "started"}``, ``{"manual": true}``,
    ``{"levels": 1, "cap": "技师"}``, ``{"to": "技师", "cap": "高级技师"}``)."""

    code: str | None = None
    title: str | None = None
    select: dict[str, Any] = field(default_factory=dict)
    min_total: Raw = None
    min_entrants: Raw = None
    max_age: Raw = None
    trades: list[str] | None = None
    group: str | None = None
    promote: dict[str, Any] | None = None
    min_components: list[PassLine] = field(default_factory=list)
    gender: str | None = None


def _rules(event: Event) -> list[AwardRule]:
    return list(
        db.session.execute(
            sa.select(AwardRule).where(AwardRule.event_id == event.id).order_by(AwardRule.position)
        ).scalars()
    )


def rule_state(rule: AwardRule) -> dict[str, Any]:
    """A stored rule as the package writes it."""
    return {
        "code": rule.code,
        "title": rule.title,
        "select": rule.select,
        "min_total": plain(rule.min_total),
        "min_entrants": rule.min_entrants,
        "max_age": rule.max_age,
        "trades": rule.trades,
        "group": rule.group,
        "promote": rule.promote,
        "min_components": rule.min_components,
        "gender": rule.gender,
    }


def award_rule_inputs(event: Event) -> list[AwardRuleInput]:
    """The stored rules, in order, for editing."""
    found = []
    for rule in _rules(event):
        state = rule_state(rule)
        lines = [PassLine(code, line) for code, line in (state.pop("min_components") or {}).items()]
        found.append(AwardRuleInput(**state, min_components=lines))
    return found


#: What a rule's §7 additions are checked against: per trade code, its component codes.
TradeComponents = dict[str, list[str]]


def _trade_components(event: Event) -> TradeComponents:
    found: TradeComponents = {}
    for trade_code, component in db.session.execute(
        sa.select(Trade.code, Component.code)
        .outerjoin(Component, Component.trade_id == Trade.id)
        .where(Trade.event_id == event.id)
        .order_by(Trade.position, Trade.id, Component.position)
    ):
        codes = found.setdefault(trade_code, [])
        if component is not None:
            codes.append(component)
    return found


#: A trade without components yet still has rules applied to it: the reader needs one.
STUB_COMPONENT = "-"


def _node(
    index: int, rule: AwardRuleInput, trades: TradeComponents, problems: list[Problem]
) -> dict[str, Any]:
    """The rule as a package's award rule, for the package reader to check. Pass lines are
    read here, so that a bad number is named under its own field, and one on a component
    that a trade of the rule lacks is refused (the reader refuses only a component that no
    trade of the rule has): that trade's entrants could never be selected."""
    at = f"award_rules[{index}]"
    applies = [t for t in (rule.trades or trades) if t in trades]
    lines: dict[str, Decimal] = {}
    for j, given in enumerate(rule.min_components):
        path = f"{at}.min_components[{j}].line"
        line = check_decimal(problems, path, given.line, maximum=MAX_POINTS)
        if line is None or given.code is None:
            continue
        lacking = [t for t in applies if given.code not in trades[t]]
        if lacking:
            problems.append(problem(path, "no_such_component", trade=lacking[0], code=given.code))
        lines[given.code] = line
    node: dict[str, Any] = {
        "code": rule.code,
        "title": rule.title,
        "select": rule.select,
        "min_total": rule.min_total,
        "min_entrants": rule.min_entrants,
        "max_age": rule.max_age,
        "trades": rule.trades,
        "group": rule.group,
        "promote": rule.promote,
        "min_components": {code: str(line) for code, line in lines.items()} or None,
        "gender": rule.gender,
    }
    return {k: v for k, v in node.items() if v is not None}


def replace_award_rules(
    actor: User, event: Event, rules: list[AwardRuleInput], version: int | None
) -> None:
    """Replace the event's ordered award rules and recompute its results."""
    claim(event, version)
    missing = [
        problem(f"award_rules[{i}].select.{way}", "required")
        for i, rule in enumerate(rules)
        for way in ("top", "percent", "top_by_field")
        if way in rule.select and rule.select[way] in (None, "", [])
    ]
    if missing:
        raise Invalid(missing)
    trades = _trade_components(event)
    problems: list[Problem] = []
    nodes = [_node(index, rule, trades, problems) for index, rule in enumerate(rules)]
    document = {
        "event": {**STUB_EVENT, "award_rules": nodes},
        "trades": [
            {
                "code": code,
                "name": code,
                "components": [
                    {"code": c, "name": c, "weight": 1} for c in components or [STUB_COMPONENT]
                ],
            }
            for code, components in trades.items()
        ],
    }
    try:
        checked = read(document, "event.").event.award_rules
    except Invalid as error:
        raise Invalid([*error.problems, *problems]) from None
    if problems:
        raise Invalid(problems)
    old = _rules(event)
    before = [rule_state(rule) for rule in old]
    for rule in old:
        event.award_rules.remove(rule)
    db.session.flush()  # the new rules may reuse the old codes
    for position, rule in enumerate(checked):
        event.award_rules.append(results.award_rule_row(rule, position))
    db.session.flush()
    after = [rule_state(rule) for rule in _rules(event)]
    if record_change(
        actor,
        "event.award_rules",
        "event",
        event.id,
        {"award_rules": before},
        {"award_rules": after},
        event=event,
    ):
        bump(event)
        results.recompute_event(event)


# --- copying -----------------------------------------------------------------------------------


def copy_event(
    actor: User,
    source: Event,
    *,
    slug: str | None,
    name: str | None,
    starts_on: date | None,
    ends_on: date | None,
    judges: bool,
    schedule: bool,
) -> Event:
    """A new event from ``source``: settings, units, trades with their schemes and limits,
    award rules; its judges and panels if ``judges``, its windows moved by the change of
    dates if ``schedule``. Never entrants, teams, scores, contacts, draws or locks."""
    data = event_input(source)
    data.slug, data.name, data.starts_on, data.ends_on = slug, name, starts_on, ends_on
    event = Event(**_checked(data, None))
    db.session.add(event)
    db.session.flush()
    shift = timedelta(days=(event.starts_on - source.starts_on).days)
    zone = ZoneInfo(event.timezone)

    units = {
        unit.id: Unit(event=event, code=unit.code, name=unit.name, kind=unit.kind)
        for unit in source.units
    }
    db.session.add_all(units.values())
    judge_copies: dict[int, Judge] | None = None
    if judges:
        judge_copies = {
            judge.id: Judge(
                event=event,
                code=judge.code,
                name=judge.name,
                phone=judge.phone,
                unit=units.get(judge.unit_id) if judge.unit_id else None,
                user_id=judge.user_id,
            )
            for judge in source.judges
        }
        db.session.add_all(judge_copies.values())
    for trade in source.trades:
        clone_trade(
            trade,
            event,
            code=trade.code,
            name=trade.name,
            position=trade.position,
            judges=judge_copies,
            shift=shift if schedule else None,
        )
    for rule in _rules(source):
        state = copy.deepcopy(rule_state(rule))
        state["min_total"] = rule.min_total
        event.award_rules.append(AwardRule(position=rule.position, **state))
    if schedule:
        for kind, window in event_windows(source).items():
            event.windows.append(
                StageWindow(
                    kind=kind,
                    opens_at=shift_instant(window.opens_at, shift, zone),
                    closes_at=shift_instant(window.closes_at, shift, zone),
                )
            )
    db.session.flush()
    state = event_state(event)
    state.update(copied_from=source.slug, judges=judges, schedule=schedule)
    record_change(actor, "event.copy", "event", event.id, None, state, event=event)
    results.recompute_event(event)
    return event
