"""Sitting a trade's exam (EXAMS.md §4): signing in with the admission number and the ID
number's last 4 characters, the paper as the entrant sees it, the server's clock, every
answer saved at once (exactly once, never over a later one — ``contest.domain.sitting``),
submitting, the time running out, and the proctors' extensions, pauses and forced submits,
each with a reason and audited.

An attempt counts once its sitting has ended (EXAMS.md §3): submitted, forced, or out of
time. When one ends, ``attempt_ended`` is sent with the trade, whose results are computed
again.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from blinker import Namespace

from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain import sitting as rules
from contest.domain.exams import Item, ItemType, item_order, option_order, paper_number
from contest.domain.refusal import N_, Refused
from contest.events.models import Event, Trade
from contest.exams import services as exams
from contest.exams.models import (
    ExamAnswer,
    ExamSetting,
    ExamSitting,
    QuestionItem,
    SittingEnd,
)
from contest.registration import cards
from contest.registration.models import Entrant, RegistrationStatus

#: Sent with the trade when an attempt at its exam ends (its results change).
attempt_ended = Namespace().signal("exam-attempt-ended")


class SittingError(Refused):
    """An exam action the rules refuse."""

    SIGN_IN = "sign_in"
    SIGNED_OUT = "signed_out"
    NO_EXAM = "no_exam"
    NOT_OPEN = "not_open"
    CLOSED = "closed"
    ENDED = "ended"
    TIME_UP = "time_up"
    PAUSED = "paused"
    NOT_PAUSED = "not_paused"
    NOT_STARTED = "not_started"
    NOT_ON_PAPER = "not_on_paper"
    STALE = "stale"
    BAD_KEY = "bad_key"
    UNREADABLE = "unreadable"
    REASON = "reason"
    MINUTES = "minutes"
    reasons = {
        SIGN_IN: N_("The admission number or the last 4 characters of the ID number are wrong."),
        SIGNED_OUT: N_(
            "You are not signed in to the exam on this device. Sign in again: your answers are "
            "kept."
        ),
        NO_EXAM: N_("Your trade has no theory exam."),
        NOT_OPEN: N_("The exam has not opened yet. Wait for the proctor's word."),
        CLOSED: N_("The exam is closed."),
        ENDED: N_("Your paper has been handed in; answers can no longer change."),
        TIME_UP: N_("Time is up: no more answers are accepted."),
        PAUSED: N_("The exam is paused by the proctor; answers wait until it goes on."),
        NOT_PAUSED: N_("The sitting is not paused."),
        NOT_STARTED: N_("%(name)s has not started the exam."),
        NOT_ON_PAPER: N_("Question %(item)s is not on your paper."),
        STALE: N_(
            "Question %(item)s was answered again on another device; the later answer is kept."
        ),
        BAD_KEY: N_("Every save needs an idempotency key."),
        UNREADABLE: N_("The answer could not be read: it names no question."),
        REASON: N_("Give a reason."),
        MINUTES: N_("Give between 1 and %(limit)s minutes."),
    }
    statuses = {
        SIGN_IN: 401,
        SIGNED_OUT: 401,
        NO_EXAM: 404,
        NOT_OPEN: 409,
        CLOSED: 409,
        ENDED: 409,
        TIME_UP: 409,
        PAUSED: 409,
        NOT_PAUSED: 409,
        NOT_STARTED: 409,
        STALE: 409,
    }


# --- signing in and the paper -----------------------------------------------------------------


def sign_in(event: Event, admission: str, last4: str) -> Entrant:
    """The approved entrant of the event with that admission number (the entrant code) whose
    ID number ends with ``last4`` (an X in either case), else ``SittingError``; the same
    answer for an unknown number and a wrong ID, so neither can be probed."""
    entrant = db.session.scalar(
        sa.select(Entrant).where(
            Entrant.event_id == event.id,
            Entrant.code == admission.strip().upper(),
            Entrant.registration_status == RegistrationStatus.APPROVED,
        )
    )
    given = last4.strip().upper().encode()
    expected = (entrant.id_number or "")[-4:].upper().encode() if entrant else b"\0"
    if entrant is None or len(given) != 4 or not hmac.compare_digest(given, expected):
        raise SittingError(SittingError.SIGN_IN)
    return entrant


def card_entrant(event: Event, token: str) -> Entrant:
    """The approved entrant of the event the QR of a card names (``cards``), else
    ``SittingError``: a card signs in as the number and ID digits would."""
    entrant = cards.card_entrant(token, event)
    if entrant is None:
        raise SittingError(SittingError.SIGN_IN)
    return entrant


def exam_of(entrant: Entrant) -> ExamSetting:
    """The exam of the entrant's trade, else ``SittingError``."""
    setting = db.session.scalar(
        sa.select(ExamSetting).where(ExamSetting.trade_id == entrant.trade_id)
    )
    if setting is None or not setting.sealed_papers:
        raise SittingError(SittingError.NO_EXAM)
    return setting


@dataclass(frozen=True)
class Shown:
    """An item as the entrant sees it: its number on the paper, its section, and its
    options' bank labels in the order shown (the positions are lettered A, B, … on screen;
    responses name the bank's labels)."""

    number: int
    section: int
    item: Item
    marks: Any
    options: tuple[tuple[str, str], ...]
    image: str | None = None  # the stem's image, as the sealed version shows it

    @property
    def code(self) -> str:
        return self.item.code


@dataclass(frozen=True)
class Part:
    """A section of the paper as the entrant sees it."""

    number: int
    type: ItemType
    marks: Any
    items: tuple[Shown, ...]


def paper(setting: ExamSetting, entrant: Entrant) -> tuple[Part, ...]:
    """The entrant's paper: their parallel paper's sections, each section's items and each
    item's options in the entrant's own order (EXAMS.md §2). Voided items are left out."""
    run = exams.exam_runs([setting.trade_id])[setting.trade_id]
    exam = run.exam
    drawn = run.papers[paper_number(exam, entrant.code) - 1]
    images = paper_images(setting, drawn.items)
    parts, number = [], 0
    for index, (section, codes) in enumerate(zip(exam.sections, drawn.sections, strict=True)):
        shown = []
        for code in item_order(exam, entrant.code, codes):
            if code in exam.voided:
                continue
            item = run.bank[code]
            number += 1
            labels = option_order(exam, entrant.code, code, item.options)
            shown.append(
                Shown(
                    number,
                    index + 1,
                    item,
                    section.marks,
                    tuple((label, item.options[label]) for label in labels),
                    images.get(code),
                )
            )
        if shown:
            parts.append(Part(index + 1, section.type, section.marks, tuple(shown)))
    return tuple(parts)


def paper_images(setting: ExamSetting, codes: Iterable[str]) -> dict[str, str]:
    """The images of the items' stems (code → stored name), in the versions sealed."""
    wanted = set(codes)
    sealed = setting.sealed_versions or {}
    found: dict[str, tuple[int, str]] = {}
    for code, version, image in db.session.execute(
        sa.select(QuestionItem.code, QuestionItem.version, QuestionItem.image).where(
            QuestionItem.bank_id == setting.bank_id, QuestionItem.code.in_(wanted)
        )
    ):
        if version == sealed.get(code) or (
            code not in sealed and version > found.get(code, (0,))[0]
        ):
            found[code] = (version, image)
    return {code: image for code, (_, image) in found.items() if image}


def paper_codes(setting: ExamSetting, entrant: Entrant) -> frozenset[str]:
    """The codes of the items on the entrant's paper, voided ones included."""
    exam = exams.exam_of(setting, "", "")
    sealed = setting.sealed_papers or []
    drawn = sealed[paper_number(exam, entrant.code) - 1]
    return frozenset(code for codes in drawn for code in codes)


# --- the clock -----------------------------------------------------------------------------------


def clock(sitting: ExamSitting, minutes: int) -> rules.Clock:
    return rules.Clock(
        sitting.started_at,
        minutes,
        sitting.extra_seconds,
        sitting.paused_seconds,
        sitting.paused_at,
    )


def has_opened(setting: ExamSetting, now: datetime) -> bool:
    """Whether entrants may start: the exam was opened, or its window has begun (an online
    round opens and closes at set times; a sitting begun goes on for its own time)."""
    return setting.opened_at is not None and setting.opened_at <= now


def start(setting: ExamSetting, entrant: Entrant, now: datetime | None = None) -> ExamSitting:
    """The entrant's sitting, begun now if it has not begun (a second device resumes it);
    refused before the exam opens and, for a sitting not yet begun, once it has closed."""
    now = now or utcnow()
    found = db.session.scalar(
        sa.select(ExamSitting).where(
            ExamSitting.exam_id == setting.id, ExamSitting.entrant_id == entrant.id
        )
    )
    if found is not None:
        return found
    if not has_opened(setting, now):
        raise SittingError(SittingError.NOT_OPEN)
    if setting.closed_at is not None and setting.closed_at <= now:
        raise SittingError(SittingError.CLOSED)
    found = ExamSitting(exam_id=setting.id, entrant_id=entrant.id, started_at=now, last_seen_at=now)
    db.session.add(found)
    db.session.flush()
    return found


def ended_if_over(sitting: ExamSitting, setting: ExamSetting, now: datetime) -> bool:
    """End the sitting if its time has run out (at its deadline); whether it has ended."""
    if sitting.ended_at is None and clock(sitting, setting.minutes).over(now):
        end(sitting, SittingEnd.TIME, clock(sitting, setting.minutes).deadline(now))
    return sitting.ended_at is not None


def end(sitting: ExamSitting, how: SittingEnd, at: datetime) -> None:
    """End the sitting (its attempt counts from now) and say so."""
    sitting.ended_at = at
    sitting.ended_how = how
    sitting.paused_at = None
    db.session.flush()
    attempt_ended.send(db.session.get(Trade, sitting.exam.trade_id))


# --- answers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """What a device shows: seconds left, whether paused or ended (and how), and the stored
    answers by item code with their revisions."""

    left: int
    paused: bool
    ended: SittingEnd | None
    answers: dict[str, tuple[Any, int]]


def state(sitting: ExamSitting, setting: ExamSetting, now: datetime | None = None) -> State:
    """The sitting as it stands (ending it if its time has run out); the device is heard."""
    now = now or utcnow()
    ended_if_over(sitting, setting, now)
    sitting.last_seen_at = now
    answers = {
        code: (response, revision)
        for code, response, revision in db.session.execute(
            sa.select(ExamAnswer.item_code, ExamAnswer.response, ExamAnswer.revision).where(
                ExamAnswer.exam_id == setting.id, ExamAnswer.entrant_id == sitting.entrant_id
            )
        )
    }
    return State(
        clock(sitting, setting.minutes).left(now) if sitting.ended_at is None else 0,
        sitting.paused_at is not None,
        sitting.ended_how,
        answers,
    )


@dataclass(frozen=True)
class Saved:
    """The stored answer after a save, and whether the save was a replay."""

    item: str
    response: Any
    revision: int
    replay: bool


def _sitting_for_update(sitting_id: int) -> ExamSitting:
    """The sitting, locked to the end of the transaction: one entrant's saves take turns."""
    found = db.session.scalar(
        sa.select(ExamSitting).where(ExamSitting.id == sitting_id).with_for_update()
    )
    assert found is not None
    return found


def save_answer(
    sitting_id: int,
    item_code: str,
    response: Any,
    base: int,
    key: str,
    now: datetime | None = None,
) -> Saved:
    """Store a device's answer to an item of the entrant's paper, made on revision ``base``
    of the stored answer (0: none yet), once per idempotency ``key``."""
    now = now or utcnow()
    sitting = _sitting_for_update(sitting_id)
    setting = sitting.exam
    answer = db.session.scalar(
        sa.select(ExamAnswer).where(
            ExamAnswer.exam_id == setting.id,
            ExamAnswer.entrant_id == sitting.entrant_id,
            ExamAnswer.item_code == item_code,
        )
    )
    current = answer.revision if answer else 0
    verdict = rules.judge_save(current, answer.save_key if answer else None, base, key)
    if verdict == rules.Save.REPLAY:
        assert answer is not None
        return Saved(item_code, answer.response, answer.revision, True)
    if ended_if_over(sitting, setting, now):
        raise SittingError(
            SittingError.TIME_UP if sitting.ended_how == SittingEnd.TIME else SittingError.ENDED
        )
    if sitting.paused_at is not None:
        raise SittingError(SittingError.PAUSED)
    if item_code not in paper_codes(setting, sitting.entrant):
        raise SittingError(SittingError.NOT_ON_PAPER, item=item_code)
    stored = rules.checked_response(_item(setting, item_code), response)
    if verdict == rules.Save.STALE:
        raise SittingError(SittingError.STALE, item=item_code)
    sitting.last_seen_at = now
    if answer is None:
        answer = ExamAnswer(
            exam_id=setting.id, entrant_id=sitting.entrant_id, item_code=item_code, revision=0
        )
        db.session.add(answer)
    answer.response = stored
    answer.revision = current + 1
    answer.save_key = key
    answer.answered_at = now
    db.session.flush()
    return Saved(item_code, stored, answer.revision, False)


def _item(setting: ExamSetting, code: str) -> Item:
    """The version of the item the exam's papers were sealed with."""
    version = (setting.sealed_versions or {}).get(code)
    query = sa.select(QuestionItem).where(
        QuestionItem.bank_id == setting.bank_id, QuestionItem.code == code
    )
    query = (
        query.where(QuestionItem.version == version)
        if version
        else query.order_by(QuestionItem.version.desc()).limit(1)
    )
    row = db.session.scalar(query)
    assert row is not None, code
    return exams.item_of(row)


def submit(sitting: ExamSitting, now: datetime | None = None) -> ExamSitting:
    """The entrant hands the paper in (a second submit changes nothing)."""
    now = now or utcnow()
    if not ended_if_over(sitting, sitting.exam, now):
        end(sitting, SittingEnd.SUBMITTED, now)
    return sitting


def end_overdue(now: datetime | None = None) -> int:
    """End every sitting whose time has run out (the scheduler's periodic job); how many."""
    now = now or utcnow()
    ended = 0
    for sitting in db.session.scalars(
        sa.select(ExamSitting).where(
            ExamSitting.ended_at.is_(None), ExamSitting.paused_at.is_(None)
        )
    ):
        if clock(sitting, sitting.exam.minutes).over(now):
            ended_if_over(sitting, sitting.exam, now)
            ended += 1
    return ended


def sitting_of(setting: ExamSetting, entrant: Entrant) -> ExamSitting | None:
    return db.session.scalar(
        sa.select(ExamSitting).where(
            ExamSitting.exam_id == setting.id, ExamSitting.entrant_id == entrant.id
        )
    )
