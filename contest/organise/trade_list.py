"""The event's list of trades: a trade copied (within the event, or into a copied event),
deleted or moved, and the overview of the trades with their figures."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from contest.accounts.models import User
from contest.core.extensions import db
from contest.core.queries import lock_row
from contest.domain.scoring import CriterionSpec
from contest.events.models import Component, Criterion, Event, Judge, PanelMember, Trade
from contest.organise.setup import Invalid, problem, record_change
from contest.organise.trade_checks import check_copy
from contest.organise.trade_scheme import trade_state
from contest.organise.trade_setup import next_position, rename_in_rules
from contest.registration.models import Entrant
from contest.results import services as results
from contest.stages.models import StageWindow


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
        min_started=source.min_started,
        team_tie_breakers=list(source.team_tie_breakers or []),
        overtime=dict(source.overtime) if source.overtime else None,
        penalty_points=dict(source.penalty_points or {}),
        disqualify_on=dict(source.disqualify_on or {}),
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
    read_trade = check_copy(event, code, name)
    position = next_position(event)
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


def entrant_count(trade: Trade) -> int:
    """How many entrants the trade has (of any status)."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(Entrant).where(Entrant.trade_id == trade.id)
    ).scalar_one()


def delete_trade(actor: User, trade: Trade) -> None:
    """Remove a trade that has no entrants (yet); award rules stop naming it. The event
    stays locked against registrations meanwhile: none lands in the trade as it goes."""
    lock_row(Event, trade.event_id)
    count = entrant_count(trade)
    if count:
        raise Invalid([problem("", "trade_has_entrants", n=count)])
    event = trade.event
    rename_in_rules(actor, event, trade.code, None)
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
