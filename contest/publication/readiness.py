"""Whether an event's results may go up for 公示 or be published: every trade they include
signed off by its chief judge (locked) and complete. The rules are the lifecycle's
(``Action.NOTICE``, ``Action.PUBLISH``); this module gathers each trade's facts — the lock,
how many entrants' results are incomplete (from the stored results), whether the results
are published — and asks them."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from contest.core.extensions import db
from contest.domain import lifecycle
from contest.domain.lifecycle import Action, Facts, NotNow
from contest.domain.scoring import Status
from contest.events.models import Event, Trade
from contest.results import services as results


@dataclass(frozen=True)
class TradeReadiness:
    """One trade of the event as a publication would include it."""

    trade: Trade
    entrants: int
    ranked: int
    facts: Facts
    refusal: NotNow | None  # why the action is refused for this trade; None: ready

    @property
    def ready(self) -> bool:
        return self.refusal is None


def trades(event: Event, action: Action, published: bool = False) -> list[TradeReadiness]:
    """Every trade of the event, in order, with its facts and what refuses ``action`` for it
    (``published``: whether the event's results are published now)."""
    rows = db.session.execute(
        sa.select(Trade).where(Trade.event_id == event.id).order_by(Trade.position, Trade.id)
    ).scalars()
    stored = {result.code: result for result in results.stored_trades(event)}
    found = []
    for trade in rows:
        result = stored.get(trade.code)
        statuses = [e.score.status for e in result.entrants] if result else []
        facts = Facts(
            locked=trade.is_locked,
            incomplete=statuses.count(Status.INCOMPLETE),
            published=published,
        )
        found.append(
            TradeReadiness(
                trade=trade,
                entrants=len(statuses),
                ranked=statuses.count(Status.OK),
                facts=facts,
                refusal=lifecycle.refusal(action, facts, trade=trade.name),
            )
        )
    return found


def blockers(event: Event, action: Action, published: bool = False) -> list[TradeReadiness]:
    """The trades that refuse ``action``, in trade order (empty: it is allowed)."""
    return [t for t in trades(event, action, published) if not t.ready]


def require(event: Event, action: Action, published: bool = False) -> None:
    """Raise the refusal of the first trade that refuses ``action`` (``NotNow``, naming the
    trade and, for incomplete results, how many entrants), holding every trade of the event
    as it is until the transaction ends, so that no trade is unlocked meanwhile."""
    _hold_trades(event)
    found = blockers(event, action, published)
    if found:
        raise found[0].refusal  # type: ignore[misc]


def _hold_trades(event: Event) -> None:
    """Share-lock the event's trades (PostgreSQL): a chief judge's unlock waits for the
    publication's transaction. SQLite has one writer at a time anyway."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.select(Trade.id).where(Trade.event_id == event.id).with_for_update(read=True)
        ).all()
