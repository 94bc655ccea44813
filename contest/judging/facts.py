"""What a write to a trade's scores needs to know as things are now, gathered in one place
and put to the lifecycle (``contest.domain.lifecycle``): whether the event's results are
published, whether the chief judge has signed the trade off, whether its scoring window is
open, whether the chief judge ordered this judge to score this entrant again, and whether
the entrant checked in.

A judge's save reads them with the write's own query, under a shared lock on the trade row
(``with_state``): a sign-off (an exclusive lock) waits for the write, and a write for a
sign-off. Whether the results are published is read right after that query, in a statement
of its own, so that it sees a publication committed while the write waited for the lock
(publishing needs every trade signed off, and signing off takes the trade's exclusive
lock). The chief judge's actions and the clerks' entries hold the trade's exclusive lock
and read the same facts after it. A page reads them without a lock (``sheet_refusal``) to
show a judge why a sheet cannot be changed, with the words the write would be refused with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from contest.core.extensions import db
from contest.core.queries import lock_row
from contest.domain import lifecycle
from contest.domain.lifecycle import Action, Facts, NotNow
from contest.domain.stages import StageKind
from contest.events.models import Event, Judge, Trade
from contest.judging.models import RescoreRequest
from contest.publication import services as publications
from contest.registration.models import CheckIn, Entrant
from contest.stages import services as stages
from contest.stages.models import StageWindow


@dataclass
class TradeState:
    """What a write needs to know of its trade — and of the entrant and the judge it
    concerns — as it is now, read under the write's lock."""

    locked_at: datetime | None
    double_entry: bool
    window: StageWindow | None
    check_in: CheckIn | None = None
    rescore: bool = False


def begin_write(trade: Trade) -> None:
    """SQLite: the write transaction starts here (PostgreSQL locks in ``with_state``)."""
    if db.session.get_bind().dialect.name != "postgresql":
        lock_row(Trade, trade.id, shared=True)


def with_state(query: sa.Select, judge: sa.ColumnElement[int]) -> sa.Select:
    """``query``, which reads the trade's row, with the trade's state (``TradeState``) as it
    is now: its lock and double entry, the scoring window that governs it, the entrant's
    check-in and whether the chief judge's re-score order for ``judge`` (a column of the
    query or a bound parameter) and the entrant is open — under a shared lock on the trade
    row (PostgreSQL). Its parameters: ``state_params``."""
    entrant_id = sa.bindparam("entrant_id")
    window = stages.governing(sa.bindparam("event_id"), StageKind.SCORING, sa.bindparam("trade_id"))
    check_in = sa.select(Entrant.check_in).where(Entrant.id == entrant_id).scalar_subquery()
    rescore = sa.exists().where(
        RescoreRequest.entrant_id == entrant_id,
        RescoreRequest.judge_id == judge,
        RescoreRequest.resolved_at.is_(None),
    )
    return (
        query.add_columns(Trade.locked_at, Trade.double_entry, StageWindow, check_in, rescore)
        .outerjoin(StageWindow, StageWindow.id == window)
        .with_for_update(read=True, of=Trade)
    )


def state_params(trade: Trade, entrant: Entrant) -> dict[str, int]:
    return {"trade_id": trade.id, "event_id": trade.event_id, "entrant_id": entrant.id}


@cache
def _state_query() -> sa.Select:
    """The state alone (a submit's), built once: building it took as long as running it."""
    query = sa.select().select_from(Trade).where(Trade.id == sa.bindparam("trade_id"))
    return with_state(query, sa.bindparam("judge_id"))


def trade_state(trade: Trade, entrant: Entrant, judge: Judge) -> TradeState:
    """The state of the trade for ``judge``'s sheet of ``entrant``, under the write's lock."""
    begin_write(trade)
    params = {**state_params(trade, entrant), "judge_id": judge.id}
    return TradeState(*db.session.execute(_state_query(), params).one())


def published(event: Event) -> bool:
    """Whether the event's final results are published (and not withdrawn)."""
    return publications.published(event, publications.RESULTS) is not None


def _score_facts(trade: Trade, state: TradeState) -> Facts:
    return Facts(
        published=published(trade.event),
        locked=state.locked_at is not None,
        scoring_open=stages.is_opened(state.window),
        rescore=state.rescore,
        present=state.check_in == CheckIn.PRESENT,
    )


def check_score(trade: Trade, state: TradeState) -> None:
    """Refuse a judge's write (``Action.SCORE``) the trade's state, read under the write's
    lock, does not allow; ``trade`` is brought up to that state."""
    set_committed_value(trade, "locked_at", state.locked_at)
    set_committed_value(trade, "double_entry", state.double_entry)
    lifecycle.check(Action.SCORE, _score_facts(trade, state), trade=trade.name)


def sheet_refusal(trade: Trade, entrant: Entrant, rescore: bool) -> NotNow | None:
    """Why a judge (with an open re-score order for the entrant, or not) cannot change
    their sheet of ``entrant`` now, or None: read without the write's lock, for the page."""
    window = stages.window(trade.event, StageKind.SCORING, trade)
    state = TradeState(trade.locked_at, trade.double_entry, window, entrant.check_in, rescore)
    return lifecycle.refusal(Action.SCORE, _score_facts(trade, state), trade=trade.name)


def open_rescore(entrant: Entrant, judge: Judge) -> RescoreRequest | None:
    """The chief judge's open order for ``judge`` to score ``entrant`` again, if any."""
    return db.session.execute(
        sa.select(RescoreRequest).where(
            RescoreRequest.entrant_id == entrant.id,
            RescoreRequest.judge_id == judge.id,
            RescoreRequest.resolved_at.is_(None),
        )
    ).scalar_one_or_none()


def paper_refusal(
    trade: Trade, entrant: Entrant | None = None, judge: Judge | None = None
) -> NotNow | None:
    """Why a clerk cannot enter ``judge``'s paper sheet of ``entrant`` now
    (``Action.PAPER``), or None: read after the caller locked the trade (or, for the page,
    without a lock; without an entrant and a judge, for any sheet not sent back)."""
    window = stages.window(trade.event, StageKind.SCORING, trade)
    rescore = entrant is not None and judge is not None and open_rescore(entrant, judge)
    return lifecycle.refusal(
        Action.PAPER,
        Facts(
            published=published(trade.event),
            locked=trade.is_locked,
            scoring_open=stages.is_opened(window),
            rescore=bool(rescore),
        ),
        trade=trade.name,
    )


def check_paper(trade: Trade, entrant: Entrant, judge: Judge) -> None:
    """Raise ``paper_refusal``, if there is one."""
    refused = paper_refusal(trade, entrant, judge)
    if refused is not None:
        raise refused


def check_desk(trade: Trade) -> None:
    """Refuse a chief judge's correction (``Action.DESK``) of a trade signed off or of an
    event whose results are published; read after the caller locked the trade."""
    facts = Facts(published=published(trade.event), locked=trade.is_locked)
    lifecycle.check(Action.DESK, facts, trade=trade.name)


def _mark_facts(trade: Trade, locked: bool) -> Facts:
    return Facts(published=published(trade.event), locked=locked)


def check_mark(trade: Trade) -> None:
    """Refuse a judge's mark of a short exam item (``Action.MARK``: the results published,
    the trade signed off), read under a shared lock on the trade row as a sheet's save
    reads it: a sign-off waits for the write, and a write for a sign-off; ``trade`` is
    brought up to the state read."""
    begin_write(trade)
    locked_at = db.session.execute(
        sa.select(Trade.locked_at).where(Trade.id == trade.id).with_for_update(read=True)
    ).scalar_one()
    set_committed_value(trade, "locked_at", locked_at)
    lifecycle.check(Action.MARK, _mark_facts(trade, locked_at is not None), trade=trade.name)


def mark_refusal(trade: Trade) -> NotNow | None:
    """Why a judge cannot mark the trade's short exam items now, or None: read without the
    write's lock, for the page."""
    return lifecycle.refusal(Action.MARK, _mark_facts(trade, trade.is_locked), trade=trade.name)
