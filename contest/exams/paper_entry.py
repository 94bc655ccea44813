"""Answer sheets of the paper fallback keyed in twice (EXAMS.md §2): when the exam is sat on
paper, two clerks key each entrant's answer sheet in turn, each on their own; where both
keyings agree the answers count at once, where they differ the items are flagged and the
organiser decides each from the sheet, with a reason. Only then do the answers become the
entrant's attempt; both keyings and the decision are kept and audited.

Responses are typed as keys are (``setup.key_from_text``): a label, labels run together,
对/错; a fill item's blanks separated by | (or one a line)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.exams import ItemType, paper_number
from contest.domain.refusal import N_, Problem
from contest.domain.sitting import BadResponse, checked_response
from contest.events.models import Trade
from contest.exams import services, setup
from contest.exams.models import ExamAnswer, ExamKeying, ExamSetting, ExamSitting
from contest.exams.setup import PaperItem, PaperView
from contest.exams.sitting import attempt_ended
from contest.registration.models import Entrant, RegistrationStatus

#: A fill item's blanks as typed: separated by | or one a line.
BLANKS = re.compile(r"\s*[|\n]\s*")


class KeyingError(BadResponse):
    """A keying that cannot be taken (a response it cannot read is a ``BadResponse``)."""

    ONLINE = "online"
    SAME_CLERK = "same_clerk"
    DONE = "done"
    BAD = "bad"
    NOT_DIFFERING = "not_differing"
    REASON = "reason"
    UNSEALED = "unsealed"
    reasons = {
        ONLINE: N_("%(name)s's answers are in already (sat on a device or imported)."),
        SAME_CLERK: N_(
            "The second keying of %(name)s's answer sheet must be made by another clerk."
        ),
        DONE: N_("%(name)s's answer sheet has been keyed twice already."),
        BAD: N_("Some answers cannot be read as typed: see the questions marked."),
        NOT_DIFFERING: N_("Only the questions where the two keyings differ are decided."),
        REASON: N_("Give the reason for the decision."),
        UNSEALED: N_("The papers are not sealed yet: there is nothing to key."),
    }
    statuses = {ONLINE: 409, SAME_CLERK: 409, DONE: 409, UNSEALED: 409}


class Stage(StrEnum):
    """Where an entrant's answer sheet stands."""

    NONE = "none"  # not keyed
    ONCE = "once"  # keyed once
    DIFFERING = "differing"  # keyed twice, some items differ: the organiser decides
    COUNTED = "counted"  # the answers count (agreed, or decided)
    ONLINE = "online"  # sat on a device, or answers imported


@dataclass(frozen=True)
class Sheet:
    """An entrant's answer sheet: their paper as printed, the two keyings and the answers
    stored, and the items the keyings disagree on."""

    entrant: Entrant
    paper: PaperView
    keyings: tuple[ExamKeying, ...]
    stage: Stage
    differing: tuple[str, ...]

    @property
    def items(self) -> list[PaperItem]:
        return [entry for section in self.paper.sections for entry in section.items]


def _papers(setting: ExamSetting) -> tuple[PaperView, ...]:
    if setting.sealed_at is None:
        raise KeyingError(KeyingError.UNSEALED)
    return setup.papers_of_exam(setting).papers


def _paper_of(setting: ExamSetting, papers: tuple[PaperView, ...], entrant: Entrant) -> PaperView:
    exam = services.exam_of(setting, "", "")
    return papers[paper_number(exam, entrant.code) - 1]


def _keyings(setting: ExamSetting, entrant_ids: list[int]) -> dict[int, list[ExamKeying]]:
    found: dict[int, list[ExamKeying]] = {}
    for row in db.session.scalars(
        sa.select(ExamKeying)
        .where(ExamKeying.exam_id == setting.id, ExamKeying.entrant_id.in_(entrant_ids))
        .order_by(ExamKeying.round)
    ):
        found.setdefault(row.entrant_id, []).append(row)
    return found


def differing(keyings: list[ExamKeying]) -> tuple[str, ...]:
    """The items the two keyings disagree on, in code order (none before the second)."""
    if len(keyings) < 2:
        return ()
    first, second = keyings[0].responses, keyings[1].responses
    return tuple(sorted(c for c in first.keys() | second.keys() if first.get(c) != second.get(c)))


def sheets(setting: ExamSetting) -> list[Sheet]:
    """Every approved entrant of the trade with their answer sheet, by station then code."""
    papers = _papers(setting)
    entrants = list(
        db.session.scalars(
            sa.select(Entrant)
            .where(
                Entrant.trade_id == setting.trade_id,
                Entrant.registration_status == RegistrationStatus.APPROVED,
            )
            .order_by(Entrant.station_no.is_(None), Entrant.station_no, Entrant.code)
        )
    )
    ids = [e.id for e in entrants]
    keyed = _keyings(setting, ids)
    online = set(
        db.session.scalars(
            sa.select(ExamSitting.entrant_id).where(
                ExamSitting.exam_id == setting.id, ExamSitting.entrant_id.in_(ids)
            )
        )
    )
    answered = set(
        db.session.scalars(
            sa.select(ExamAnswer.entrant_id).where(
                ExamAnswer.exam_id == setting.id, ExamAnswer.entrant_id.in_(ids)
            )
        )
    )
    return [
        _sheet(setting, papers, e, keyed.get(e.id, []), e.id in online, e.id in answered)
        for e in entrants
    ]


def sheet(setting: ExamSetting, entrant: Entrant) -> Sheet:
    """One entrant's answer sheet."""
    online = sitting_exists(setting, entrant)
    answered = bool(
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                ExamAnswer.exam_id == setting.id, ExamAnswer.entrant_id == entrant.id
            )
        )
    )
    keyed = _keyings(setting, [entrant.id]).get(entrant.id, [])
    return _sheet(setting, _papers(setting), entrant, keyed, online, answered)


def sitting_exists(setting: ExamSetting, entrant: Entrant) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                ExamSitting.exam_id == setting.id, ExamSitting.entrant_id == entrant.id
            )
        )
    )


def _sheet(setting, papers, entrant, keyings, online: bool, answered: bool) -> Sheet:
    apart = differing(keyings)
    if online or (answered and not keyings):
        stage = Stage.ONLINE
    elif answered:
        stage = Stage.COUNTED
    elif len(keyings) == 2:
        stage = Stage.DIFFERING
    else:
        stage = Stage.ONCE if keyings else Stage.NONE
    return Sheet(entrant, _paper_of(setting, papers, entrant), tuple(keyings), stage, apart)


def read(found: Sheet, typed: Mapping[str, str], only: tuple[str, ...] | None = None) -> dict:
    """The typed responses (item code → text) read and checked for each item of the sheet
    (or of ``only``); every problem at once, naming the question's number."""
    responses: dict[str, Any] = {}
    problems = []
    for entry in found.items:
        code = entry.item.code
        if only is not None and code not in only:
            continue
        text = (typed.get(code) or "").strip()
        try:
            if entry.item.type == ItemType.FILL:
                value: Any = [b or None for b in BLANKS.split(text)] if text else None
            else:
                value = setup.key_from_text(entry.item.type, text)
            responses[code] = checked_response(entry.item, value)
        except BadResponse as error:
            problems.append(Problem(f"r-{code}", error.code, error.params))
    if problems:
        raise KeyingError(KeyingError.BAD, problems=problems)
    return responses


def key(actor: User, setting: ExamSetting, entrant: Entrant, typed: Mapping[str, str]) -> Sheet:
    """One keying of the entrant's answer sheet by ``actor``: the first, or the second by
    another clerk — after which the answers count if both agree."""
    found = sheet(setting, entrant)
    if found.stage == Stage.ONLINE:
        raise KeyingError(KeyingError.ONLINE, name=entrant.name)
    if len(found.keyings) >= 2 or found.stage == Stage.COUNTED:
        raise KeyingError(KeyingError.DONE, name=entrant.name)
    if found.keyings and found.keyings[0].clerk_id == actor.id:
        raise KeyingError(KeyingError.SAME_CLERK, name=entrant.name)
    responses = read(found, typed)
    row = ExamKeying(
        exam_id=setting.id,
        entrant_id=entrant.id,
        round=len(found.keyings) + 1,
        clerk_id=actor.id,
        responses=responses,
        entered_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor, "exam.paper.key", "exam_keying", row.id,
        new={"entrant": entrant.code, "round": row.round}, event=entrant.event,
    )  # fmt: skip
    found = sheet(setting, entrant)
    if found.stage == Stage.DIFFERING and not found.differing:
        _count(actor, setting, entrant, dict(found.keyings[0].responses), None)
        found = sheet(setting, entrant)
    return found


def decide(
    actor: User, setting: ExamSetting, entrant: Entrant, typed: Mapping[str, str], reason: str
) -> Sheet:
    """The organiser's reading of the sheet where the keyings differ, with a reason: the
    answers then count (the agreed items as keyed)."""
    found = sheet(setting, entrant)
    if found.stage != Stage.DIFFERING:
        raise KeyingError(KeyingError.NOT_DIFFERING)
    if not (reason or "").strip():
        raise KeyingError(KeyingError.REASON)
    decided = read(found, typed, only=found.differing)
    responses = {**found.keyings[0].responses, **decided}
    _count(actor, setting, entrant, responses, reason.strip(), decided)
    return sheet(setting, entrant)


def _count(
    actor: User,
    setting: ExamSetting,
    entrant: Entrant,
    responses: dict[str, Any],
    reason: str | None,
    decided: dict[str, Any] | None = None,
) -> None:
    """The answers become the entrant's attempt (a blank is stored as a blank)."""
    now = utcnow()
    db.session.add_all(
        ExamAnswer(
            exam_id=setting.id,
            entrant_id=entrant.id,
            item_code=code,
            response=response,
            answered_at=now,
            revision=1,
            save_key=None,
        )
        for code, response in sorted(responses.items())
    )
    db.session.flush()
    audit.record(
        actor,
        "exam.paper.decide" if decided is not None else "exam.paper.agree",
        "exam_keying",
        entrant.id,
        new={"entrant": entrant.code, **({"decided": decided} if decided else {})},
        reason=reason,
        event=entrant.event,
    )
    attempt_ended.send(db.session.get(Trade, setting.trade_id))
