"""The chief judge's actions on a trade: re-score requests, excusals, completion times,
declared statuses (DNS, DQ, WD), sign-off (lock and unlock) and the clerks of its paper
sheets; and ``ChiefError``, why any of them (or an entry of a paper sheet) is refused.

Every action takes an exclusive lock on the trade row first, so it never interleaves with a
judge's save (which holds a shared one) nor with another desk action. A correction of the
results (``correctable``: re-score orders, excusals, times, statuses) is refused as the
lifecycle says (``Action.DESK``: once the trade is signed off, or the results published);
the settings (``editable``) once the trade is signed off. Every action is audited; the
caller commits.
What the desk shows is in ``desk``, double entry of paper sheets in ``double_entry``,
penalties in ``penalties``.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from contest.accounts import services as accounts
from contest.accounts.models import Role, User
from contest.appeals.models import Appeal
from contest.core import audit
from contest.core.extensions import db
from contest.core.queries import lock_row
from contest.core.types import utcnow
from contest.domain import lifecycle
from contest.domain.lifecycle import Action, Facts
from contest.domain.refusal import N_, Refused
from contest.domain.scoring import DeclaredStatus
from contest.events.models import Criterion, Judge, Trade, trade_clerks
from contest.judging import facts
from contest.judging.desk import outstanding, recused
from contest.judging.models import RescoreRequest
from contest.registration.models import Entrant, RegistrationStatus
from contest.results import services as results
from contest.results.models import Excusal, Score, ScoreState

#: Accounts that may be listed as clerks of a trade's paper sheets.
CLERK_ROLES = (Role.ADMIN, Role.ORGANISER, Role.CHIEF_JUDGE, Role.JUDGE)


class ChiefError(Refused):
    """A refused chief-judge action; ``code`` says why, ``params`` give details."""

    LOCKED = "locked"
    NOT_LOCKED = "not_locked"
    INCOMPLETE = "incomplete"
    REASON_REQUIRED = "reason_required"
    NOT_ON_PANEL = "not_on_panel"
    NOT_COMPETING = "not_competing"
    RECUSED = "recused"
    EXCUSED = "excused"
    ALREADY_EXCUSED = "already_excused"
    RESCORE_OPEN = "rescore_open"
    NOTHING_TO_RESCORE = "nothing_to_rescore"
    DOUBLE_ENTRY = "double_entry"
    DOUBLE_ENTRY_OFF = "double_entry_off"
    CONFIRM_TABLET = "confirm_tablet"
    NOTHING_TO_DECIDE = "nothing_to_decide"
    UNKNOWN_CRITERION = "unknown_criterion"
    OUT_OF_RANGE = "out_of_range"
    OFF_STEP = "off_step"
    BAD_NUMBER = "bad_number"
    NO_VALUES = "no_values"
    VALUES = "values"
    BAD_TIME = "bad_time"
    UNKNOWN_USER = "unknown_user"
    CLERK_ROLE = "clerk_role"
    ALREADY_CLERK = "already_clerk"
    NOT_CLERK = "not_clerk"

    reasons = {
        LOCKED: N_("The trade is locked (signed off). Unlock it with a reason to make changes."),
        NOT_LOCKED: N_("The trade is not locked."),
        INCOMPLETE: N_(
            "The trade cannot be signed off yet: %(count)s item(s) are outstanding (listed below)."
        ),
        REASON_REQUIRED: N_("Give a reason."),
        NOT_ON_PANEL: N_("This judge is not on the panel of this trade."),
        NOT_COMPETING: N_("This entrant is not competing in this trade."),
        RECUSED: N_("This judge is from the entrant's unit and is already off their panel."),
        EXCUSED: N_("This judge has been excused from this entrant."),
        ALREADY_EXCUSED: N_("This judge is already excused from this entrant."),
        RESCORE_OPEN: N_("This judge has already been asked to score this entrant again."),
        NOTHING_TO_RESCORE: N_(
            "This judge has not submitted a sheet for this entrant: there is nothing to re-score."
        ),
        DOUBLE_ENTRY: N_(
            "This trade uses double entry of paper sheets: have both clerks correct the entries."
        ),
        DOUBLE_ENTRY_OFF: N_("Double entry of paper sheets is not switched on for this trade."),
        CONFIRM_TABLET: N_(
            "The judges have already submitted %(count)s values on their tablets for this "
            "trade. Double entry closes the tablets, and a paper entry never replaces a "
            "tablet value without your decision: confirm the %(count)s tablet values to "
            "switch it on."
        ),
        NOTHING_TO_DECIDE: N_(
            "The paper sheet and the tablet do not disagree on this value: there is nothing "
            "to decide."
        ),
        UNKNOWN_CRITERION: N_("There is no criterion %(criterion)s on this sheet."),
        OUT_OF_RANGE: N_("Enter a value from 0 to %(max)s."),
        OFF_STEP: N_("Enter a multiple of %(step)s."),
        BAD_NUMBER: N_("Enter a number."),
        NO_VALUES: N_("Enter at least one value."),
        VALUES: N_("Nothing was saved. Please correct the values marked below."),
        BAD_TIME: N_(
            "Enter the time in seconds (e.g. 754.5) or as minutes:seconds (e.g. 12:34.5)."
        ),
        UNKNOWN_USER: N_("There is no active account “%(username)s”."),
        CLERK_ROLE: N_("“%(username)s” cannot be a clerk: only staff and judges' accounts can."),
        ALREADY_CLERK: N_("“%(username)s” is already a clerk of this trade."),
        NOT_CLERK: N_("“%(username)s” is not a clerk of this trade."),
    }
    statuses = {
        LOCKED: 423,
        NOT_LOCKED: 409,
        INCOMPLETE: 409,
        NOT_ON_PANEL: 404,
        NOT_COMPETING: 404,
        RECUSED: 409,
        EXCUSED: 409,
        ALREADY_EXCUSED: 409,
        RESCORE_OPEN: 409,
        NOTHING_TO_RESCORE: 409,
        DOUBLE_ENTRY: 409,
        DOUBLE_ENTRY_OFF: 409,
        CONFIRM_TABLET: 409,
        NOTHING_TO_DECIDE: 409,
        UNKNOWN_CRITERION: 404,
        ALREADY_CLERK: 409,
        NOT_CLERK: 404,
    }


# --- what every action checks ----------------------------------------------------------------


def hold(trade: Trade) -> None:
    """Lock the trade row for this transaction, and read it as it now stands."""
    lock_row(Trade, trade.id)
    db.session.refresh(trade)


def editable(trade: Trade) -> None:
    """Lock the trade row for this transaction; refuse once the trade is signed off."""
    hold(trade)
    if trade.is_locked:
        raise ChiefError(ChiefError.LOCKED)


def correctable(trade: Trade) -> None:
    """Lock the trade row for this transaction; refuse a correction of its results the
    lifecycle does not allow (signed off, or the results published)."""
    hold(trade)
    facts.check_desk(trade)


def _on_panel(trade: Trade, judge: Judge) -> None:
    if all(member.judge_id != judge.id for member in trade.panel):
        raise ChiefError(ChiefError.NOT_ON_PANEL)


def competing(trade: Trade, entrant: Entrant) -> None:
    """The entrant is approved in this trade and has no declared status (DNS, DQ, WD)."""
    if (
        entrant.trade_id != trade.id
        or entrant.registration_status != RegistrationStatus.APPROVED
        or entrant.status is not None
    ):
        raise ChiefError(ChiefError.NOT_COMPETING)


def _is_excused(entrant: Entrant, judge: Judge) -> bool:
    return (
        db.session.execute(
            sa.select(Excusal.id).where(
                Excusal.entrant_id == entrant.id, Excusal.judge_id == judge.id
            )
        ).first()
        is not None
    )


def seated(trade: Trade, entrant: Entrant, judge: Judge) -> None:
    """The judge sits on the panel for this competing entrant: not recused, not excused."""
    competing(trade, entrant)
    _on_panel(trade, judge)
    if recused(trade, judge, entrant):
        raise ChiefError(ChiefError.RECUSED)
    if _is_excused(entrant, judge):
        raise ChiefError(ChiefError.EXCUSED)


# --- actions ---------------------------------------------------------------------------------


def request_rescore(actor: User, trade: Trade, entrant: Entrant, judge: Judge, reason: str) -> None:
    """Send a judge's submitted sheet for an entrant back: the values return to drafts and
    stop counting until the judge submits again; until then the order keeps that sheet open
    to that judge, whatever the scoring window (``Action.SCORE``'s ``rescore``)."""
    if not reason:
        raise ChiefError(ChiefError.REASON_REQUIRED)
    correctable(trade)
    if trade.double_entry:
        raise ChiefError(ChiefError.DOUBLE_ENTRY)
    seated(trade, entrant, judge)
    if facts.open_rescore(entrant, judge) is not None:
        raise ChiefError(ChiefError.RESCORE_OPEN)
    scores = (
        db.session.execute(
            sa.select(Score)
            .join(Criterion, Criterion.id == Score.criterion_id)
            .where(
                Score.entrant_id == entrant.id,
                Score.judge_id == judge.id,
                Criterion.trade_id == trade.id,
                Score.state == ScoreState.SUBMITTED,
            )
        )
        .scalars()
        .all()
    )
    if not scores:
        raise ChiefError(ChiefError.NOTHING_TO_RESCORE)
    for score in scores:
        score.state, score.submitted_at, score.updated_by_id = ScoreState.DRAFT, None, actor.id
    db.session.add(
        RescoreRequest(
            entrant_id=entrant.id, judge_id=judge.id, reason=reason, requested_by_id=actor.id
        )
    )
    audit.record(
        actor,
        "sheet.rescore",
        "entrant",
        entrant.id,
        event=trade.event,
        new={"judge": judge.code, "values": len(scores)},
        reason=reason,
    )
    db.session.flush()
    results.recompute_trade(trade)


def excuse(actor: User, trade: Trade, entrant: Entrant, judge: Judge, reason: str) -> None:
    """Excuse a judge from an entrant's panel (for every criterion), with a reason."""
    if not reason:
        raise ChiefError(ChiefError.REASON_REQUIRED)
    correctable(trade)
    competing(trade, entrant)
    _on_panel(trade, judge)
    if recused(trade, judge, entrant):
        raise ChiefError(ChiefError.RECUSED)
    if _is_excused(entrant, judge):
        raise ChiefError(ChiefError.ALREADY_EXCUSED)
    order = facts.open_rescore(entrant, judge)
    if order is not None:
        order.resolved_at = utcnow()  # nothing left to re-score
    db.session.add(
        Excusal(entrant_id=entrant.id, judge_id=judge.id, reason=reason, created_by_id=actor.id)
    )
    audit.record(
        actor,
        "excusal.create",
        "entrant",
        entrant.id,
        event=trade.event,
        new={"judge": judge.code},
        reason=reason,
    )
    db.session.flush()
    results.recompute_trade(trade)


def _in_trade(trade: Trade, entrant: Entrant) -> None:
    if entrant.trade_id != trade.id or entrant.registration_status != RegistrationStatus.APPROVED:
        raise ChiefError(ChiefError.NOT_COMPETING)


def set_time(
    actor: User, trade: Trade, entrant: Entrant, seconds: Decimal | None, reason: str | None = None
) -> bool:
    """Record (or clear) an entrant's completion time in seconds. Changing or clearing a
    recorded time needs a reason. Returns whether anything changed."""
    if seconds is not None and (not seconds.is_finite() or seconds < 0):
        raise ChiefError(ChiefError.BAD_TIME)
    correctable(trade)
    db.session.refresh(entrant)
    _in_trade(trade, entrant)
    if entrant.time_seconds == seconds:
        return False
    if entrant.time_seconds is not None and not reason:
        raise ChiefError(ChiefError.REASON_REQUIRED)
    old = {"seconds": str(entrant.time_seconds) if entrant.time_seconds is not None else None}
    entrant.time_seconds = seconds
    audit.record(
        actor,
        "entrant.time",
        "entrant",
        entrant.id,
        event=trade.event,
        old=old,
        new={"seconds": str(seconds) if seconds is not None else None},
        reason=reason,
    )
    db.session.flush()
    results.recompute_trade(trade)
    return True


def set_status(
    actor: User, trade: Trade, entrant: Entrant, status: DeclaredStatus | None, reason: str
) -> bool:
    """Declare DNS, DQ or WD (or clear it), always with a reason. Returns whether anything
    changed."""
    if not reason:
        raise ChiefError(ChiefError.REASON_REQUIRED)
    correctable(trade)
    db.session.refresh(entrant)
    _in_trade(trade, entrant)
    new_reason = reason if status else None
    if entrant.status == status and entrant.status_reason == new_reason:
        return False
    old = {"status": entrant.status.value if entrant.status else None}
    entrant.status, entrant.status_reason = status, new_reason
    audit.record(
        actor,
        "entrant.status",
        "entrant",
        entrant.id,
        event=trade.event,
        old=old,
        new={"status": status.value if status else None},
        reason=reason,
    )
    db.session.flush()
    results.recompute_trade(trade)
    return True


def lock(actor: User, trade: Trade) -> None:
    """Sign the trade off: scores frozen, results computed. Everything must be complete;
    otherwise ``INCOMPLETE`` with ``items``, the list of what is outstanding."""
    editable(trade)
    items = outstanding(trade)
    if items:
        raise ChiefError(ChiefError.INCOMPLETE, items=items, count=len(items))
    trade.locked_at, trade.locked_by_id = utcnow(), actor.id
    audit.record(
        actor,
        "trade.lock",
        "trade",
        trade.id,
        event=trade.event,
        new={"locked_at": trade.locked_at.isoformat()},
    )
    results.recompute_trade(trade)


def unlock(actor: User, trade: Trade, reason: str) -> None:
    """Reopen a signed-off trade for changes, with a reason."""
    if not reason:
        raise ChiefError(ChiefError.REASON_REQUIRED)
    lock_row(Trade, trade.id)
    db.session.refresh(trade)
    if not trade.is_locked:
        raise ChiefError(ChiefError.NOT_LOCKED)
    # Published results stand on the sign-off: withdraw the publication first.
    lifecycle.check(Action.UNLOCK, Facts(published=facts.published(trade.event)), trade=trade.name)
    old = {"locked_at": trade.locked_at.isoformat() if trade.locked_at else None}
    trade.locked_at, trade.locked_by_id = None, None
    audit.record(
        actor, "trade.unlock", "trade", trade.id, event=trade.event, old=old, reason=reason
    )


def on_appeal_upheld(appeal: Appeal, actor: User, reason: str) -> None:
    """An upheld appeal reopens its trade if it was signed off (read as it stands now, not
    as loaded earlier)."""
    trade = appeal.trade
    lock_row(Trade, trade.id)
    db.session.refresh(trade)
    if trade.is_locked:
        unlock(actor, trade, reason)


# --- the clerks of the paper sheets ----------------------------------------------------------


def add_clerk(actor: User, trade: Trade, username: str) -> User:
    """List an account as a clerk of the trade's paper sheets."""
    user = accounts.find_by_username(username)
    if user is None or not user.active:
        raise ChiefError(ChiefError.UNKNOWN_USER, username=username)
    if not user.has_role(*CLERK_ROLES):
        raise ChiefError(ChiefError.CLERK_ROLE, username=user.username)
    lock_row(Trade, trade.id)
    if is_clerk(user, trade):
        raise ChiefError(ChiefError.ALREADY_CLERK, username=user.username)
    db.session.execute(trade_clerks.insert().values(trade_id=trade.id, user_id=user.id))
    audit.record(
        actor,
        "trade.clerk_add",
        "trade",
        trade.id,
        event=trade.event,
        new={"clerk": user.username},
    )
    db.session.expire(trade, ["clerks"])
    return user


def remove_clerk(actor: User, trade: Trade, user: User) -> None:
    """Take an account off the trade's clerks (their entries so far stay)."""
    lock_row(Trade, trade.id)
    if not is_clerk(user, trade):
        raise ChiefError(ChiefError.NOT_CLERK, username=user.username)
    db.session.execute(
        trade_clerks.delete().where(
            trade_clerks.c.trade_id == trade.id, trade_clerks.c.user_id == user.id
        )
    )
    audit.record(
        actor,
        "trade.clerk_remove",
        "trade",
        trade.id,
        event=trade.event,
        old={"clerk": user.username},
    )
    db.session.expire(trade, ["clerks"])


def is_clerk(user: User, trade: Trade) -> bool:
    """Whether the account is listed as a clerk of the trade."""
    return (
        db.session.execute(
            sa.select(trade_clerks.c.user_id).where(
                trade_clerks.c.trade_id == trade.id, trade_clerks.c.user_id == user.id
            )
        ).first()
        is not None
    )
