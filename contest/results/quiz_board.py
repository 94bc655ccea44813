"""The board of an exam by unit (线上竞答): for each unit, its registered workers, how many
sat the exam, the participation rate and the mean exam score — as unions publish for an
online preliminary round. Ranked by participation rate, then by mean score (or the other way
round); the rate counts while the round is open, the scores once it has closed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa

from contest.core.extensions import db
from contest.domain.numbers import exact, round_half_up
from contest.domain.ranking import competition_ranks
from contest.events.models import Trade, Unit
from contest.exams import services as exams
from contest.exams.models import ExamSetting
from contest.registration.models import Entrant, RegistrationStatus
from contest.results import services as results


@dataclass(frozen=True)
class UnitRow:
    """A unit on the board."""

    rank: int
    code: str
    name: str
    registered: int
    sat: int
    rate: Decimal  # per cent, 1 place
    mean: Decimal | None  # the event's places; None before the round closes


@dataclass(frozen=True)
class Board:
    trade: Trade
    setting: ExamSetting
    closed: bool
    by_mean: bool
    rows: tuple[UnitRow, ...]
    registered: int
    sat: int


def board(trade: Trade, now: datetime, by_mean: bool = False) -> Board | None:
    """The trade's exam board at ``now``; None if the trade has no exam."""
    run = exams.exam_runs([trade.id]).get(trade.id)
    setting = db.session.scalar(sa.select(ExamSetting).where(ExamSetting.trade_id == trade.id))
    if run is None or setting is None:
        return None
    closed = setting.closed_at is not None and setting.closed_at <= now
    units = {
        code: (name, count)
        for code, name, count in db.session.execute(
            sa.select(Unit.code, Unit.name, sa.func.count(Entrant.id))
            .join(Entrant, Entrant.unit_id == Unit.id)
            .where(
                Entrant.trade_id == trade.id,
                Entrant.registration_status == RegistrationStatus.APPROVED,
            )
            .group_by(Unit.code, Unit.name)
        )
    }
    unit_of = dict(
        db.session.execute(
            sa.select(Entrant.code, Unit.code)
            .join(Unit, Unit.id == Entrant.unit_id)
            .where(Entrant.trade_id == trade.id)
        ).all()
    )
    scores: dict[str, list[Fraction]] = defaultdict(list)
    sat: dict[str, int] = defaultdict(int)
    for marked in results.exam_attempts(run):
        unit = unit_of[marked.entrant]
        sat[unit] += 1
        score = marked.score(run.maximum)
        if score is not None:
            scores[unit].append(score)
    places = trade.event.decimals
    rows = []
    for code, (name, registered) in units.items():
        rate = round_half_up(Fraction(sat[code] * 100, registered), 1)
        found = scores[code]
        mean = round_half_up(sum(found, Fraction(0)) / len(found), places) if found else None
        rows.append((code, name, registered, sat[code], rate, mean if closed else None))

    def key(row: tuple) -> tuple[Fraction, ...]:
        """Smaller first: the higher rate (or mean score) first, the other breaking ties."""
        rate = -exact(row[4])
        mean = -exact(row[5]) if row[5] is not None else Fraction(1)
        return (mean, rate) if by_mean else (rate, mean)

    ranks = competition_ranks([(row[0], key(row)) for row in rows])
    rows.sort(key=lambda row: (ranks[row[0]], row[0]))
    return Board(
        trade=trade,
        setting=setting,
        closed=closed,
        by_mean=by_mean,
        rows=tuple(UnitRow(ranks[row[0]], *row) for row in rows),
        registered=sum(r[2] for r in rows),
        sat=sum(r[3] for r in rows),
    )
