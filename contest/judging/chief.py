"""The chief judge's desk: progress, discrepancies, re-scores, excusals, times and statuses,
double-entry of paper sheets, judging analysis, lock and unlock.

Every action takes an exclusive lock on the trade row first (``_editable``), so it never
interleaves with a judge's save (which holds a shared one) nor with another desk action,
and is refused once the trade is signed off. Every action is audited; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import sqlalchemy as sa

from contest.accounts import services as accounts
from contest.accounts.models import Role, User
from contest.appeals.models import Appeal
from contest.core import audit
from contest.core.extensions import db
from contest.core.queries import lock_row
from contest.core.types import utcnow
from contest.domain.numbers import exact, round_half_up
from contest.domain.refusal import N_, Problem, Refused
from contest.domain.results import TradeResult, compute_trade
from contest.domain.scoring import DeclaredStatus, EntryError, check_value, is_recused
from contest.domain.stages import StageKind
from contest.events.models import Criterion, Judge, Trade, trade_clerks
from contest.judging.models import PaperEntry, RescoreRequest
from contest.judging.services import competing_entrants, panel_progress
from contest.registration.models import Entrant, RegistrationStatus
from contest.results import services as results
from contest.results.models import Excusal, Score, ScoreState
from contest.stages import services as stages

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
    WINDOW_CLOSED = "window_closed"
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
        WINDOW_CLOSED: N_("Scoring is not open for this trade."),
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
        WINDOW_CLOSED: 423,
        UNKNOWN_CRITERION: 404,
        ALREADY_CLERK: 409,
        NOT_CLERK: 404,
    }


# --- the computed results, without storing them ---------------------------------------------


def compute(trade: Trade) -> TradeResult:
    """The trade's results from its current data, computed but not stored (read-only:
    the desk polls it, and a GET must not write)."""
    return compute_trade(
        results.event_spec(trade.event), results.trade_spec(trade), results.entrant_inputs(trade)
    )


# --- the matrix ------------------------------------------------------------------------------


@dataclass
class Cell:
    """One judge's state for one entrant: criteria submitted, drafted, due."""

    submitted: int = 0
    drafts: int = 0
    due: int = 0
    recused: bool = False
    excused: bool = False
    rescore: bool = False  # an open re-score request

    @property
    def state(self) -> str:
        """done, partial, empty, recused, excused — or none when nothing is due."""
        if self.recused:
            return "recused"
        if self.excused:
            return "excused"
        if not self.due:
            return "none"
        if self.submitted >= self.due:
            return "done"
        if self.submitted or self.drafts:
            return "partial"
        return "empty"


@dataclass
class Matrix:
    """Entrants × judges, each cell counting criteria."""

    entrants: list[Entrant]
    judges: list[Judge]
    chief_id: int | None = None
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (entrant, judge)

    def cell(self, entrant: Entrant, judge: Judge) -> Cell:
        return self.cells.get((entrant.id, judge.id), Cell())

    @property
    def overall(self) -> tuple[int, int]:
        """(criteria submitted, criteria due) over the whole matrix."""
        cells = self.cells.values()
        return sum(min(c.submitted, c.due) for c in cells), sum(c.due for c in cells)


def matrix(trade: Trade) -> Matrix:
    """The live progress matrix of the trade (competing entrants in station order)."""
    progress = panel_progress(trade)
    judges = [m.judge for m in progress.members]
    entrant_ids = [e.id for e in progress.entrants]
    drafts: dict[tuple[int, int], int] = defaultdict(int)
    for entrant_id, judge_id, count in db.session.execute(
        sa.select(Score.entrant_id, Score.judge_id, sa.func.count())
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(Criterion.trade_id == trade.id, Score.state == ScoreState.DRAFT)
        .group_by(Score.entrant_id, Score.judge_id)
    ):
        drafts[(entrant_id, judge_id)] = count
    rescores = {
        (entrant_id, judge_id)
        for entrant_id, judge_id in db.session.execute(
            sa.select(RescoreRequest.entrant_id, RescoreRequest.judge_id).where(
                RescoreRequest.entrant_id.in_(entrant_ids), RescoreRequest.resolved_at.is_(None)
            )
        )
    }
    chief = next((m.judge_id for m in progress.members if m.is_chief), None)
    result = Matrix(progress.entrants, judges, chief)
    for judge in judges:
        for sheet in progress.sheets.get(judge.id, []):
            key = (sheet.entrant.id, judge.id)
            result.cells[key] = Cell(
                sheet.done,
                drafts.get(key, 0),
                sheet.needed,
                sheet.recused,
                sheet.excused,
                key in rescores,
            )
    return result


# --- discrepancies ---------------------------------------------------------------------------

#: Kinds of discrepancy that keep the trade from being signed off.
BLOCKING = ("missing", "panel", "component", "paper", "waiting")


@dataclass(frozen=True)
class Discrepancy:
    """Something the chief judge should look at before signing off.

    ``kind`` is one of: ``spread`` (values spread over ``limit``, the criterion's
    max_spread; ``values`` are judge → value, ``detail`` the spread), ``panel`` (too few
    judges for the trimmed rule: ``detail`` judges, ``limit`` needed), ``missing`` (values
    not submitted by ``judges``; ``drafts`` of them hold unsubmitted values), ``component``
    (no score for a directly entered component), ``paper`` (the clerks' entries of the
    paper sheet of ``judges`` differ: ``detail``), ``waiting`` (only one clerk has entered).
    """

    kind: str
    entrant: Entrant
    criterion: str | None = None
    judges: tuple[str, ...] = ()
    detail: str = ""
    values: tuple[tuple[str, Decimal], ...] = ()
    limit: Decimal | None = None
    drafts: tuple[str, ...] = ()

    @property
    def blocking(self) -> bool:
        """Whether this keeps the trade from being signed off."""
        return self.kind in BLOCKING


def discrepancies(trade: Trade, computed: TradeResult | None = None) -> list[Discrepancy]:
    """Spread and panel flags, missing values and component scores of the competing
    entrants (from the computed results), then the paper sheets' disagreements."""
    competing = competing_entrants(trade)
    by_code = {e.code: e for e in competing}
    criteria = {c.code: c for c in trade.criteria}
    computed = computed or compute(trade)
    drafts = {
        (entrant_id, criterion, judge)
        for entrant_id, criterion, judge in db.session.execute(
            sa.select(Score.entrant_id, Criterion.code, Judge.code)
            .join(Criterion, Criterion.id == Score.criterion_id)
            .join(Judge, Judge.id == Score.judge_id)
            .where(Criterion.trade_id == trade.id, Score.state == ScoreState.DRAFT)
        )
    }
    order = {e.id: i for i, e in enumerate(competing)}
    found: list[Discrepancy] = []
    for row in sorted(
        (r for r in computed.entrants if r.code in by_code),
        key=lambda r: order[by_code[r.code].id],
    ):
        entrant = by_code[row.code]
        for component in row.score.components:
            if not component.criteria and component.score is None:
                found.append(Discrepancy("component", entrant, component.code))
            for result in component.criteria:
                spec = criteria[result.code]
                if result.missing:
                    held = tuple(
                        j for j in result.missing if (entrant.id, result.code, j) in drafts
                    )
                    found.append(
                        Discrepancy("missing", entrant, result.code, result.missing, drafts=held)
                    )
                elif result.flag is not None and result.flag.startswith("panel:"):
                    found.append(
                        Discrepancy(
                            "panel",
                            entrant,
                            result.code,
                            result.panel,
                            detail=str(len(result.panel)),
                            limit=Decimal(2 * spec.trim + 1),
                        )
                    )
                elif result.flag is not None and result.flag.startswith("spread:"):
                    found.append(
                        Discrepancy(
                            "spread",
                            entrant,
                            result.code,
                            tuple(sorted(result.values)),
                            detail=str(result.spread),
                            values=tuple(sorted(result.values.items())),
                            limit=spec.max_spread,
                        )
                    )
    found.extend(paper_mismatches(trade, competing))
    return found


# --- actions ---------------------------------------------------------------------------------


def _editable(trade: Trade) -> None:
    """Lock the trade row for this transaction; refuse once the trade is signed off."""
    lock_row(Trade, trade.id)
    db.session.refresh(trade)
    if trade.is_locked:
        raise ChiefError(ChiefError.LOCKED)


def _on_panel(trade: Trade, judge: Judge) -> None:
    if all(member.judge_id != judge.id for member in trade.panel):
        raise ChiefError(ChiefError.NOT_ON_PANEL)


def _competing(trade: Trade, entrant: Entrant) -> None:
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


def _seat(trade: Trade, entrant: Entrant, judge: Judge) -> None:
    """The judge sits on the panel for this competing entrant: not recused, not excused."""
    _competing(trade, entrant)
    _on_panel(trade, judge)
    if recused(trade, judge, entrant):
        raise ChiefError(ChiefError.RECUSED)
    if _is_excused(entrant, judge):
        raise ChiefError(ChiefError.EXCUSED)


def _open_rescores(entrant: Entrant, judge: Judge) -> list[RescoreRequest]:
    return list(
        db.session.execute(
            sa.select(RescoreRequest).where(
                RescoreRequest.entrant_id == entrant.id,
                RescoreRequest.judge_id == judge.id,
                RescoreRequest.resolved_at.is_(None),
            )
        ).scalars()
    )


def request_rescore(actor: User, trade: Trade, entrant: Entrant, judge: Judge, reason: str) -> None:
    """Send a judge's submitted sheet for an entrant back: the values return to drafts and
    stop counting until the judge submits again."""
    if not reason:
        raise ChiefError(ChiefError.REASON_REQUIRED)
    _editable(trade)
    if trade.double_entry:
        raise ChiefError(ChiefError.DOUBLE_ENTRY)
    _seat(trade, entrant, judge)
    if _open_rescores(entrant, judge):
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
    _editable(trade)
    _competing(trade, entrant)
    _on_panel(trade, judge)
    if recused(trade, judge, entrant):
        raise ChiefError(ChiefError.RECUSED)
    if _is_excused(entrant, judge):
        raise ChiefError(ChiefError.ALREADY_EXCUSED)
    now = utcnow()
    for request in _open_rescores(entrant, judge):
        request.resolved_at = now  # nothing left to re-score
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
    _editable(trade)
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
    _editable(trade)
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


def outstanding(trade: Trade, computed: TradeResult | None = None) -> list[Discrepancy]:
    """What keeps the trade from being signed off: every competing entrant must be
    complete, and every paper value agreed by both clerks."""
    return [d for d in discrepancies(trade, computed) if d.blocking]


def lock(actor: User, trade: Trade) -> None:
    """Sign the trade off: scores frozen, results computed. Everything must be complete;
    otherwise ``INCOMPLETE`` with ``items``, the list of what is outstanding."""
    _editable(trade)
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


# --- judging analysis ------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgeTendency:
    """A judge's mean deviation from the panel mean (in marks), over their submitted values."""

    judge: Judge
    values: int
    mean_deviation: Decimal | None


def analysis(trade: Trade, computed: TradeResult | None = None) -> list[JudgeTendency]:
    """Each judge's mean deviation from the panel mean, over every criterion of every
    competing entrant whose panel (after recusal and excusal) has submitted every value,
    with at least two values. Values are turned into marks (``value / scale × max``) before
    the entrant's factor; the mean is rounded half up to 3 places."""
    computed = computed or compute(trade)
    competing = {e.code for e in competing_entrants(trade)}
    criteria = {c.code: c for c in trade.criteria}
    deviations: dict[str, list[Fraction]] = defaultdict(list)
    for row in computed.entrants:
        if row.code not in competing:
            continue
        for component in row.score.components:
            for result in component.criteria:
                if result.missing or len(result.values) < 2:
                    continue
                criterion = criteria[result.code]
                marks = {judge: exact(value) for judge, value in result.values.items()}
                if criterion.scale is not None:
                    scale = exact(criterion.scale) / exact(criterion.max)
                    marks = {judge: mark / scale for judge, mark in marks.items()}
                mean = sum(marks.values(), Fraction(0)) / len(marks)
                for judge, mark in marks.items():
                    deviations[judge].append(mark - mean)
    tendencies = []
    for member in sorted(trade.panel, key=lambda m: (not m.is_chief, m.judge_id)):
        found = deviations.get(member.judge.code, [])
        mean = round_half_up(sum(found, Fraction(0)) / len(found), 3) if found else None
        tendencies.append(JudgeTendency(member.judge, len(found), mean))
    return tendencies


# --- double entry ----------------------------------------------------------------------------


def set_double_entry(actor: User, trade: Trade, on: bool) -> bool:
    """Switch double entry of paper sheets on or off (not once signed off). While it is on,
    judges' tablets are refused and only values both clerks agree on count."""
    _editable(trade)
    if trade.double_entry == on:
        return False
    trade.double_entry = on
    audit.record(
        actor,
        "trade.double_entry",
        "trade",
        trade.id,
        event=trade.event,
        old={"double_entry": not on},
        new={"double_entry": on},
    )
    return True


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


def paper_mismatches(trade: Trade, entrants: list[Entrant] | None = None) -> list[Discrepancy]:
    """Values of a paper sheet the clerks entered differently (``paper``), or only one clerk
    has entered (``waiting``), for competing entrants and the judges still on their panel."""
    if not trade.double_entry:
        return []
    entrants = competing_entrants(trade) if entrants is None else entrants
    by_id = {e.id: e for e in entrants}
    order = {e.id: i for i, e in enumerate(entrants)}
    criteria = {c.id: c for c in trade.criteria}
    judges = {m.judge_id: m.judge for m in trade.panel}
    excused = {
        (entrant_id, judge_id)
        for entrant_id, judge_id in db.session.execute(
            sa.select(Excusal.entrant_id, Excusal.judge_id).where(
                Excusal.entrant_id.in_(list(by_id))
            )
        )
    }
    grouped: dict[tuple[int, int, int], list[Decimal]] = defaultdict(list)
    for entry in db.session.execute(
        sa.select(PaperEntry)
        .where(PaperEntry.criterion_id.in_(list(criteria)), PaperEntry.entrant_id.in_(list(by_id)))
        .order_by(PaperEntry.id)
    ).scalars():
        grouped[(entry.entrant_id, entry.criterion_id, entry.judge_id)].append(entry.value)
    found = []
    for (entrant_id, criterion_id, judge_id), values in sorted(
        grouped.items(),
        key=lambda item: (order[item[0][0]], criteria[item[0][1]].position, item[0][2]),
    ):
        entrant, judge = by_id[entrant_id], judges.get(judge_id)
        if judge is None or (entrant_id, judge_id) in excused or recused(trade, judge, entrant):
            continue
        if _agreed(values):
            continue
        found.append(
            Discrepancy(
                "waiting" if len(values) < 2 else "paper",
                entrant,
                criteria[criterion_id].code,
                (judge.code,),
                detail=" / ".join(str(v) for v in values),
            )
        )
    return found


def _agreed(values: list[Decimal]) -> bool:
    """Two or more clerks' entries, all equal."""
    return len(values) >= 2 and len(set(values)) == 1


@dataclass
class PaperItem:
    """One criterion of a paper sheet as a clerk sees it: their own entry and the state."""

    criterion: Criterion
    own: Decimal | None
    entries: int
    state: str  # "empty", "waiting", "agreed", "mismatch"

    @property
    def waiting_for_me(self) -> bool:
        """Another clerk has entered the value and this clerk has not yet."""
        return self.state == "waiting" and self.own is None


def paper_criteria(trade: Trade, entrant: Entrant, judge: Judge) -> list[Criterion]:
    """The criteria on the judge's paper sheet for this entrant; refuses a judge who is
    not on the panel, is recused or excused, or an entrant who is not competing."""
    _seat(trade, entrant, judge)
    return [
        criterion
        for component in trade.components
        if component.criteria and (not component.judges or judge in component.judges)
        for criterion in component.criteria
    ]


def paper_sheet(clerk: User, trade: Trade, entrant: Entrant, judge: Judge) -> list[PaperItem]:
    """The paper sheet of ``judge`` for ``entrant`` as ``clerk`` has entered it (blind: the
    other clerk's values are not shown, only whether they agree)."""
    criteria = paper_criteria(trade, entrant, judge)
    entries: dict[int, list[PaperEntry]] = defaultdict(list)
    for entry in db.session.execute(
        sa.select(PaperEntry)
        .where(PaperEntry.entrant_id == entrant.id, PaperEntry.judge_id == judge.id)
        .order_by(PaperEntry.id)
    ).scalars():
        entries[entry.criterion_id].append(entry)
    items = []
    for criterion in criteria:
        found = entries.get(criterion.id, [])
        own = next((e.value for e in found if e.clerk_id == clerk.id), None)
        values = [e.value for e in found]
        state = _paper_state(values)
        items.append(PaperItem(criterion, own, len(values), state))
    return items


def _paper_state(values: list[Decimal]) -> str:
    if not values:
        return "empty"
    if len(values) < 2:
        return "waiting"
    return "agreed" if _agreed(values) else "mismatch"


def enter_paper(
    clerk: User,
    trade: Trade,
    entrant: Entrant,
    judge: Judge,
    criterion: Criterion,
    value: Decimal,
    *,
    recompute: bool = True,
) -> str:
    """One clerk's entry of a paper-sheet value. When two clerks agree the value counts
    (a submitted score of the judge); while they differ, or only one has entered it, it
    does not. Returns "agreed", "waiting" or "mismatch"."""
    _editable(trade)
    if not trade.double_entry:
        raise ChiefError(ChiefError.DOUBLE_ENTRY_OFF)
    if not stages.is_open(trade.event, StageKind.SCORING, trade):
        raise ChiefError(ChiefError.WINDOW_CLOSED)
    if criterion not in paper_criteria(trade, entrant, judge):
        raise ChiefError(ChiefError.UNKNOWN_CRITERION, criterion=criterion.code)
    _check_value(criterion, value)
    entry = db.session.execute(
        sa.select(PaperEntry).where(
            PaperEntry.entrant_id == entrant.id,
            PaperEntry.criterion_id == criterion.id,
            PaperEntry.judge_id == judge.id,
            PaperEntry.clerk_id == clerk.id,
        )
    ).scalar_one_or_none()
    if entry is not None and entry.value == value:
        values = _paper_values(entrant, criterion, judge)
        return _paper_state(values) if len(values) >= 2 else "waiting"
    old = {"value": str(entry.value)} if entry else None
    if entry is None:
        entry = PaperEntry(
            entrant_id=entrant.id,
            criterion_id=criterion.id,
            judge_id=judge.id,
            clerk_id=clerk.id,
            value=value,
        )
        db.session.add(entry)
    else:
        entry.value = value
    db.session.flush()
    audit.record(
        clerk,
        "paper.enter",
        "entrant",
        entrant.id,
        event=trade.event,
        old=old,
        new={"value": str(value), "criterion": criterion.code, "judge": judge.code},
    )
    values = _paper_values(entrant, criterion, judge)
    score = db.session.execute(
        sa.select(Score).where(
            Score.entrant_id == entrant.id,
            Score.criterion_id == criterion.id,
            Score.judge_id == judge.id,
        )
    ).scalar_one_or_none()
    agreed = _agreed(values)
    if agreed:
        if score is None:
            db.session.add(
                Score(
                    entrant_id=entrant.id,
                    criterion_id=criterion.id,
                    judge_id=judge.id,
                    value=value,
                    state=ScoreState.SUBMITTED,
                    submitted_at=utcnow(),
                    updated_by_id=clerk.id,
                )
            )
        elif score.value != value or score.state != ScoreState.SUBMITTED:
            score.value, score.state = value, ScoreState.SUBMITTED
            score.submitted_at, score.updated_by_id = utcnow(), clerk.id
    elif score is not None:
        db.session.delete(score)  # the clerks no longer agree: nothing counts
    db.session.flush()
    if recompute:
        results.recompute_trade(trade)
    if agreed:
        return "agreed"
    return "waiting" if len(values) < 2 else "mismatch"


def _check_value(criterion: Criterion, value: Decimal) -> None:
    """In range and on the step, as on the judges' sheet (SCORING.md §1)."""
    problem = check_value(value, criterion.entry_max, criterion.step)
    if problem is not None:
        code = (
            ChiefError.OUT_OF_RANGE if problem == EntryError.OUT_OF_RANGE else ChiefError.OFF_STEP
        )
        raise ChiefError(
            code, criterion=criterion.code, max=str(criterion.entry_max), step=str(criterion.step)
        )


def _paper_values(entrant: Entrant, criterion: Criterion, judge: Judge) -> list[Decimal]:
    return list(
        db.session.execute(
            sa.select(PaperEntry.value).where(
                PaperEntry.entrant_id == entrant.id,
                PaperEntry.criterion_id == criterion.id,
                PaperEntry.judge_id == judge.id,
            )
        ).scalars()
    )


def enter_paper_sheet(
    clerk: User, trade: Trade, entrant: Entrant, judge: Judge, typed: Mapping[str, str]
) -> dict[str, str]:
    """A clerk's entry of one paper sheet as typed (criterion code → text; empty ones are
    left out), all or nothing: every value is checked before any is entered, and each
    refused one is a problem under its criterion's code. Returns code → state."""
    criteria = paper_criteria(trade, entrant, judge)
    values: dict[str, Decimal] = {}
    problems = []
    for criterion in criteria:
        raw = (typed.get(criterion.code) or "").strip()
        if not raw:
            continue
        try:
            values[criterion.code] = _paper_value(criterion, raw)
        except ChiefError as error:
            problems.append(Problem(criterion.code, error.code, error.params))
    if problems:
        raise ChiefError(ChiefError.VALUES, problems=problems)
    if not values:
        raise ChiefError(ChiefError.NO_VALUES)
    states = {
        c.code: enter_paper(clerk, trade, entrant, judge, c, values[c.code], recompute=False)
        for c in criteria
        if c.code in values
    }
    results.recompute_trade(trade)
    return states


def _paper_value(criterion: Criterion, raw: str) -> Decimal:
    """A value typed from a paper sheet, checked as on the judges' sheet."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ChiefError(ChiefError.BAD_NUMBER) from None
    if not value.is_finite():
        raise ChiefError(ChiefError.BAD_NUMBER)
    _check_value(criterion, value)
    return value


def recused(trade: Trade, judge: Judge, entrant: Entrant) -> bool:
    """Whether the judge is kept off this entrant's panel."""
    return is_recused(trade.recusal, judge.unit_id, entrant.unit_id)
