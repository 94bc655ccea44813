"""Judging progress: who has scored what, for the judge's home and the chief judge."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from contest.accounts.models import User
from contest.core.extensions import db
from contest.domain.scoring import is_recused
from contest.events.models import Component, Judge, PanelMember, Trade, trade_clerks
from contest.judging.models import RescoreRequest
from contest.registration.models import Entrant, RegistrationStatus
from contest.results.models import Excusal, Score, ScoreState


@dataclass(frozen=True)
class Sheet:
    """One judge's sheet for one entrant: how many criteria are due and how many are done."""

    entrant: Entrant
    needed: int
    done: int
    recused: bool = False
    excused: bool = False

    @property
    def complete(self) -> bool:
        """Every due criterion has a submitted value."""
        return self.done >= self.needed


@dataclass
class PanelProgress:
    """A trade's judging progress: every judge's sheets for every competing entrant."""

    trade: Trade
    entrants: list[Entrant]
    members: list[PanelMember]
    sheets: dict[int, list[Sheet]] = field(default_factory=dict)  # judge id → sheets

    def totals(self, judge_id: int) -> tuple[int, int]:
        """(criteria done, criteria due) for one judge."""
        sheets = self.sheets.get(judge_id, [])
        return sum(s.done for s in sheets), sum(s.needed for s in sheets)

    def overall(self) -> tuple[int, int]:
        """(criteria done, criteria due) for the whole panel."""
        pairs = [self.totals(m.judge_id) for m in self.members]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)


def _approved(trade: Trade) -> sa.Select:
    """The trade's approved entrants, in station order."""
    return (
        sa.select(Entrant)
        .where(
            Entrant.trade_id == trade.id,
            Entrant.registration_status == RegistrationStatus.APPROVED,
        )
        .order_by(Entrant.station_no.nulls_last(), Entrant.anon_code, Entrant.id)
    )


def competing_entrants(trade: Trade) -> list[Entrant]:
    """Approved entrants with no DNS/DQ/WD, in station order (judges' view)."""
    return list(db.session.execute(_approved(trade).where(Entrant.status.is_(None))).scalars())


def approved_entrants(trade: Trade) -> list[Entrant]:
    """Every approved entrant of the trade (competing or declared DNS/DQ/WD), by station."""
    return list(db.session.execute(_approved(trade)).scalars())


def approved_entrant(trade: Trade, entrant_id: int | None) -> Entrant | None:
    """The approved entrant of this trade with this id, if there is one."""
    entrant = db.session.get(Entrant, entrant_id) if entrant_id else None
    if (
        entrant is None
        or entrant.trade_id != trade.id
        or entrant.registration_status != RegistrationStatus.APPROVED
    ):
        return None
    return entrant


def panel_judge(trade: Trade, judge_id: int | None) -> Judge | None:
    """The judge with this id, if they are on this trade's panel."""
    member = db.session.get(PanelMember, (trade.id, judge_id)) if judge_id else None
    return member.judge if member is not None else None


def panel_progress(trade: Trade) -> PanelProgress:
    """Compute every panel member's progress on the trade in a fixed number of queries."""
    entrants = competing_entrants(trade)
    members = list(
        db.session.execute(
            sa.select(PanelMember)
            .where(PanelMember.trade_id == trade.id)
            .options(selectinload(PanelMember.judge))
            .order_by(PanelMember.is_chief.desc(), PanelMember.judge_id)
        ).scalars()
    )
    components = list(
        db.session.execute(
            sa.select(Component)
            .where(Component.trade_id == trade.id)
            .options(selectinload(Component.criteria), selectinload(Component.judges))
        ).scalars()
    )
    entrant_ids = [e.id for e in entrants]
    excused = set(
        db.session.execute(
            sa.select(Excusal.judge_id, Excusal.entrant_id).where(
                Excusal.entrant_id.in_(entrant_ids)
            )
        )
    )
    done = {
        (judge_id, entrant_id): count
        for judge_id, entrant_id, count in db.session.execute(
            sa.select(Score.judge_id, Score.entrant_id, sa.func.count())
            .where(Score.entrant_id.in_(entrant_ids), Score.state == ScoreState.SUBMITTED)
            .group_by(Score.judge_id, Score.entrant_id)
        )
    }
    progress = PanelProgress(trade=trade, entrants=entrants, members=members)
    for member in members:
        judge = member.judge
        due = sum(
            len(c.criteria)
            for c in components
            if c.criteria and (not c.judges or judge in c.judges)
        )
        progress.sheets[judge.id] = [
            _sheet(trade, judge, entrant, due, done.get((judge.id, entrant.id), 0), excused)
            for entrant in entrants
        ]
    return progress


def _sheet(trade, judge, entrant, due, done, excused) -> Sheet:
    if is_recused(trade.recusal, judge.unit_id, entrant.unit_id):
        return Sheet(entrant, needed=0, done=0, recused=True)
    if (judge.id, entrant.id) in excused:
        return Sheet(entrant, needed=0, done=0, excused=True)
    return Sheet(entrant, needed=due, done=min(done, due))


def judge_for_user(user: User, trade: Trade) -> Judge | None:
    """The judge record through which this account sits on the trade's panel."""
    return db.session.execute(
        sa.select(Judge)
        .join(PanelMember, PanelMember.judge_id == Judge.id)
        .where(PanelMember.trade_id == trade.id, Judge.user_id == user.id)
    ).scalar_one_or_none()


def panels_for_user(user: User) -> list[PanelMember]:
    """Every panel seat of this account, across events, newest event first."""
    return list(
        db.session.execute(
            sa.select(PanelMember)
            .join(Judge, Judge.id == PanelMember.judge_id)
            .join(Trade, Trade.id == PanelMember.trade_id)
            .where(Judge.user_id == user.id)
            .options(selectinload(PanelMember.trade).selectinload(Trade.event))
            .order_by(Trade.event_id.desc(), Trade.position)
        ).scalars()
    )


def open_rescores(judge: Judge) -> dict[int, RescoreRequest]:
    """The judge's open re-score requests, by entrant id."""
    return {
        r.entrant_id: r
        for r in db.session.execute(
            sa.select(RescoreRequest).where(
                RescoreRequest.judge_id == judge.id, RescoreRequest.resolved_at.is_(None)
            )
        ).scalars()
    }


def clerk_trades(user: User) -> list[Trade]:
    """Trades where this account enters paper sheets as a clerk (double entry)."""
    return list(
        db.session.execute(
            sa.select(Trade)
            .join(trade_clerks, trade_clerks.c.trade_id == Trade.id)
            .where(trade_clerks.c.user_id == user.id, Trade.double_entry.is_(True))
            .order_by(Trade.event_id.desc(), Trade.position)
        ).scalars()
    )
