"""The proctors (监考) and their rooms: the organiser gives a proctor account an exam — a new
account, or one the proctor already has — and takes it back; the proctor sees the room (who
waits, sits, is paused, has lost the connection or handed in, answered how many, with how
long left) and acts on it — extends one entrant's time, pauses and resumes, hands a paper in
— each with a reason and audited (EXAMS.md §4)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from contest.accounts import services as accounts
from contest.accounts.models import Role, User
from contest.core import audit
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.exams import paper_number
from contest.domain.refusal import N_, Refused
from contest.events.access import can_manage_event
from contest.events.models import Trade
from contest.exams import services as exams
from contest.exams.models import ExamAnswer, ExamSetting, ExamSitting, SittingEnd, exam_proctors
from contest.exams.sitting import SittingError, clock, end, ended_if_over, sitting_of
from contest.registration.models import Entrant, RegistrationStatus

#: A device not heard from for this long has lost its connection, as proctors see it.
SILENCE = timedelta(seconds=45)
#: The longest extension a proctor may grant at once, in minutes.
LONGEST_EXTENSION = 120


class ProctorError(Refused):
    """A change of an exam's proctors that cannot be made."""

    NOT_PROCTOR = "not_proctor"
    ALREADY = "already"
    NEW_ACCOUNT = "new_account"
    reasons = {
        NOT_PROCTOR: N_("The account %(username)s is not a proctor's account."),
        ALREADY: N_("%(name)s already proctors this exam."),
        NEW_ACCOUNT: N_("There is no account %(username)s: give a name and a password to make it."),
    }
    statuses = {ALREADY: 409}


def proctors_of(settings: Sequence[ExamSetting]) -> dict[int, list[User]]:
    """The proctors of each exam, by exam id, by name."""
    found: dict[int, list[User]] = defaultdict(list)
    ids = [s.id for s in settings]
    if ids:
        for exam_id, user in db.session.execute(
            sa.select(exam_proctors.c.exam_id, User)
            .join(User, User.id == exam_proctors.c.user_id)
            .where(exam_proctors.c.exam_id.in_(ids))
            .order_by(User.name, User.username)
        ):
            found[exam_id].append(user)
    return found


def event_exams(event_id: int) -> list[ExamSetting]:
    """The exams of the event's trades, in the trades' order."""
    return list(
        db.session.scalars(
            sa.select(ExamSetting)
            .join(Trade, Trade.id == ExamSetting.trade_id)
            .where(Trade.event_id == event_id)
            .order_by(Trade.position, Trade.id)
        )
    )


def give_room(
    actor: User,
    setting: ExamSetting,
    username: str,
    name: str | None = None,
    password: str | None = None,
) -> User:
    """Give the exam's room to the proctor ``username``: an existing proctor account, or a
    new one made with ``name`` and ``password``."""
    user = accounts.find_by_username(username)
    if user is None:
        if not (name and name.strip() and password):
            raise ProctorError(ProctorError.NEW_ACCOUNT, username=username)
        user = accounts.create_user(
            actor, username=username, name=name, role=Role.PROCTOR, password=password
        )
    elif user.role != Role.PROCTOR:
        raise ProctorError(ProctorError.NOT_PROCTOR, username=user.username)
    if user.id in {u.id for u in proctors_of([setting])[setting.id]}:
        raise ProctorError(ProctorError.ALREADY, name=user.name)
    db.session.execute(exam_proctors.insert().values(exam_id=setting.id, user_id=user.id))
    _record_room(actor, "exam.proctor.give", setting, user)
    return user


def take_room(actor: User, setting: ExamSetting, user: User) -> None:
    """The proctor no longer proctors the exam (the account stays)."""
    db.session.execute(
        exam_proctors.delete().where(
            exam_proctors.c.exam_id == setting.id, exam_proctors.c.user_id == user.id
        )
    )
    _record_room(actor, "exam.proctor.take", setting, user)


def _record_room(actor: User, action: str, setting: ExamSetting, user: User) -> None:
    audit.record(
        actor,
        action,
        "exam",
        setting.id,
        new={"trade": setting.trade.code, "proctor": user.username},
        event=setting.trade.event,
    )


# --- the room as the proctor sees it, and the proctor's actions ---------------------------------


def proctors_exams(user: User) -> list[ExamSetting]:
    """The exams a proctor watches (an organiser or administrator: every exam)."""
    query = sa.select(ExamSetting).join(Trade, Trade.id == ExamSetting.trade_id)
    if user.role == Role.PROCTOR:
        query = query.join(exam_proctors, exam_proctors.c.exam_id == ExamSetting.id).where(
            exam_proctors.c.user_id == user.id
        )
    return list(db.session.scalars(query.order_by(Trade.event_id.desc(), Trade.code)))


def can_proctor(user: User, setting: ExamSetting) -> bool:
    """Whether the account watches the exam's room: its proctors, and the event's
    organisers."""
    if user.role == Role.PROCTOR:
        return bool(
            db.session.scalar(
                sa.select(sa.literal(True)).where(
                    exam_proctors.c.exam_id == setting.id, exam_proctors.c.user_id == user.id
                )
            )
        )
    return can_manage_event(user, setting.trade.event)


@dataclass(frozen=True)
class Seat:
    """An entrant of the room as the proctor sees them."""

    entrant: Entrant
    sitting: ExamSitting | None
    answered: int
    items: int
    left: int | None
    silent: bool

    @property
    def status(self) -> str:
        if self.sitting is None:
            return "waiting"
        if self.sitting.ended_how is not None:
            return self.sitting.ended_how.value
        return "paused" if self.sitting.paused_at is not None else "sitting"


def room(setting: ExamSetting, now: datetime | None = None) -> list[Seat]:
    """Every approved entrant of the exam's trade, by station then code, with their sitting:
    answered count, seconds left, connection lost. Sittings out of time end here."""
    now = now or utcnow()
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
    sittings = {
        s.entrant_id: s
        for s in db.session.scalars(sa.select(ExamSitting).where(ExamSitting.exam_id == setting.id))
    }
    counts = dict(
        db.session.execute(
            sa.select(ExamAnswer.entrant_id, sa.func.count())
            .where(ExamAnswer.exam_id == setting.id, ExamAnswer.response.is_not(None))
            .group_by(ExamAnswer.entrant_id)
        ).all()
    )
    exam = exams.exam_of(setting, "", "")
    sealed = setting.sealed_papers or []
    seats = []
    for entrant in entrants:
        sitting = sittings.get(entrant.id)
        items = 0
        if sealed:
            drawn = sealed[paper_number(exam, entrant.code) - 1]
            items = sum(1 for codes in drawn for code in codes if code not in exam.voided)
        left = None
        if sitting is not None:
            ended_if_over(sitting, setting, now)
            if sitting.ended_at is None:
                left = clock(sitting, setting.minutes).left(now)
        silent = bool(
            sitting is not None
            and sitting.ended_at is None
            and (sitting.last_seen_at is None or now - sitting.last_seen_at > SILENCE)
        )
        seats.append(Seat(entrant, sitting, counts.get(entrant.id, 0), items, left, silent))
    return seats


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise SittingError(SittingError.REASON)
    return text


def _open_sitting(sitting: ExamSitting | None, entrant: Entrant) -> ExamSitting:
    if sitting is None:
        raise SittingError(SittingError.NOT_STARTED, name=entrant.name)
    if sitting.ended_at is not None:
        raise SittingError(SittingError.ENDED)
    return sitting


def _record(actor: User, action: str, sitting: ExamSitting, reason: str, **new: Any) -> None:
    audit.record(
        actor,
        action,
        "exam_sitting",
        sitting.id,
        new={"entrant": sitting.entrant.code, **new},
        reason=reason,
        event=sitting.entrant.event,
    )


def extend(
    actor: User, setting: ExamSetting, entrant: Entrant, minutes: int, reason: str | None
) -> ExamSitting:
    """Give the entrant ``minutes`` more (延时), with a reason, audited."""
    text = _reason(reason)
    if not 1 <= minutes <= LONGEST_EXTENSION:
        raise SittingError(SittingError.MINUTES, limit=LONGEST_EXTENSION)
    sitting = _open_sitting(sitting_of(setting, entrant), entrant)
    if ended_if_over(sitting, setting, utcnow()):
        raise SittingError(SittingError.ENDED)
    sitting.extra_seconds += minutes * 60
    _record(actor, "exam.extend", sitting, text, minutes=minutes)
    return sitting


def pause(
    actor: User, setting: ExamSetting, entrants: Sequence[Entrant], reason: str | None
) -> int:
    """Pause the running sittings of ``entrants`` for an incident, with a reason, audited;
    how many were paused."""
    text = _reason(reason)
    now = utcnow()
    paused = 0
    for entrant in entrants:
        sitting = sitting_of(setting, entrant)
        if sitting is None or sitting.paused_at is not None:
            continue
        if ended_if_over(sitting, setting, now):
            continue
        sitting.paused_at = now
        _record(actor, "exam.pause", sitting, text)
        paused += 1
    return paused


def resume(
    actor: User, setting: ExamSetting, entrants: Sequence[Entrant], reason: str | None
) -> int:
    """Let the paused sittings of ``entrants`` go on, their time held; how many."""
    text = _reason(reason)
    now = utcnow()
    resumed = 0
    for entrant in entrants:
        sitting = sitting_of(setting, entrant)
        if sitting is None or sitting.paused_at is None or sitting.ended_at is not None:
            continue
        held = max(int((now - sitting.paused_at).total_seconds()), 0)
        sitting.paused_seconds += held
        sitting.paused_at = None
        _record(actor, "exam.resume", sitting, text, paused_seconds=held)
        resumed += 1
    return resumed


def force_submit(
    actor: User, setting: ExamSetting, entrant: Entrant, reason: str | None
) -> ExamSitting:
    """Hand the entrant's paper in for them (收卷), with a reason, audited."""
    text = _reason(reason)
    sitting = _open_sitting(sitting_of(setting, entrant), entrant)
    if ended_if_over(sitting, setting, utcnow()):
        raise SittingError(SittingError.ENDED)
    end(sitting, SittingEnd.PROCTOR, utcnow())
    _record(actor, "exam.force_submit", sitting, text)
    return sitting


def entrants_of(setting: ExamSetting, ids: Iterable[int]) -> list[Entrant]:
    """The approved entrants of the exam's trade among ``ids``."""
    wanted = list(ids)
    if not wanted:
        return []
    return list(
        db.session.scalars(
            sa.select(Entrant).where(
                Entrant.trade_id == setting.trade_id,
                Entrant.id.in_(wanted),
                Entrant.registration_status == RegistrationStatus.APPROVED,
            )
        )
    )
