"""Practice (模拟练习): an entrant practises on the items the organisers offer for practice
(``QuestionItem.public``) in the banks of their trades' exams — never on an item of a sealed
paper, and never a ``short`` item (judges mark those). A round is drawn from a seed kept by
the page, marked at once, and stored nowhere: practice is no attempt."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sqlalchemy as sa

from contest.core.extensions import db
from contest.domain.exams import Item, ItemType, Section, mark_response
from contest.domain.sitting import BadResponse, checked_response
from contest.exams import services as exams
from contest.exams.models import ExamSetting, QuestionBank, QuestionItem
from contest.registration.models import Entrant, RegistrationStatus

#: Questions in a round.
ROUND = 10


def banks_for(entries: Sequence[Entrant]) -> list[tuple[QuestionBank, int]]:
    """The banks of the exams of the entrant's approved entries, with how many items each
    offers for practice."""
    trades = [e.trade_id for e in entries if e.registration_status == RegistrationStatus.APPROVED]
    if not trades:
        return []
    banks = list(
        db.session.scalars(
            sa.select(QuestionBank)
            .join(ExamSetting, ExamSetting.bank_id == QuestionBank.id)
            .where(ExamSetting.trade_id.in_(trades))
            .distinct()
            .order_by(QuestionBank.id)
        )
    )
    return [(bank, len(offered(bank))) for bank in banks]


def offered(bank: QuestionBank) -> dict[str, Item]:
    """The bank's items offered for practice, by code, in their latest version: public,
    objective, and on no sealed paper of any exam."""
    sealed = {
        code
        for papers in db.session.scalars(
            sa.select(ExamSetting.sealed_papers).where(ExamSetting.bank_id == bank.id)
        )
        for paper in papers or ()
        for codes in paper
        for code in codes
    }
    latest: dict[str, QuestionItem] = {}
    for row in db.session.scalars(
        sa.select(QuestionItem)
        .where(QuestionItem.bank_id == bank.id)
        .order_by(QuestionItem.code, QuestionItem.version)
    ):
        latest[row.code] = row
    return {
        code: exams.item_of(row)
        for code, row in latest.items()
        if row.public and row.type != ItemType.SHORT and code not in sealed
    }


def new_seed() -> str:
    return secrets.token_hex(8)


def round_of(items: Mapping[str, Item], seed: str, count: int = ROUND) -> list[Item]:
    """The round a seed draws: ``count`` items ordered by ``sha256(seed:code)``."""
    return sorted(
        items.values(),
        key=lambda item: hashlib.sha256(f"{seed}:{item.code}".encode()).hexdigest(),
    )[:count]


@dataclass(frozen=True)
class Answered:
    """An item of the round, the response given and the marks it earned."""

    item: Item
    response: Any
    earned: Fraction

    @property
    def right(self) -> bool:
        return self.earned == self.item.marks


def mark(round_: Sequence[Item], given: Mapping[str, Any]) -> list[Answered]:
    """Mark each item of the round on its own marks; a response the item cannot take counts
    as none."""
    marked = []
    for item in round_:
        try:
            response = checked_response(item, given.get(item.code))
        except BadResponse:
            response = None
        section = Section(item.type, 1, item.marks)
        marked.append(Answered(item, response, mark_response(item, section, response)))
    return marked
