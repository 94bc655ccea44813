"""Who proctors which exam room: the organiser gives a proctor (监考) account an exam — a new
account, or one the proctor already has — and takes it back; each change audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa

from contest.accounts import services as accounts
from contest.accounts.models import Role, User
from contest.core import audit
from contest.core.extensions import db
from contest.domain.refusal import N_, Refused
from contest.events.models import Trade
from contest.exams.models import ExamSetting, exam_proctors


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
    _record(actor, "exam.proctor.give", setting, user)
    return user


def take_room(actor: User, setting: ExamSetting, user: User) -> None:
    """The proctor no longer proctors the exam (the account stays)."""
    db.session.execute(
        exam_proctors.delete().where(
            exam_proctors.c.exam_id == setting.id, exam_proctors.c.user_id == user.id
        )
    )
    _record(actor, "exam.proctor.take", setting, user)


def _record(actor: User, action: str, setting: ExamSetting, user: User) -> None:
    audit.record(
        actor,
        action,
        "exam",
        setting.id,
        new={"trade": setting.trade.code, "proctor": user.username},
        event=setting.trade.event,
    )
