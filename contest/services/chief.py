"""The chief judge's desk: progress, discrepancies, re-scores, excusals, times and statuses,
double-entry mismatches, judging analysis, lock and unlock."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa

from contest.domain.numbers import exact, round_half_up
from contest.domain.scoring import DeclaredStatus, is_recused
from contest.extensions import db
from contest.models import (
    Criterion,
    Entrant,
    Excusal,
    Judge,
    PaperEntry,
    RegistrationStatus,
    RescoreRequest,
    Score,
    ScoreState,
    Trade,
    User,
)
from contest.models.types import utcnow
from contest.services import audit, results
from contest.services.judging import panel_progress
from contest.services.queries import lock_row


class ChiefError(ValueError):
    """A refused chief-judge action; ``code`` says why."""

    LOCKED = "locked"
    NOT_LOCKED = "not_locked"
    INCOMPLETE = "incomplete"
    REASON_REQUIRED = "reason_required"
    NOT_ON_PANEL = "not_on_panel"
    ALREADY_EXCUSED = "already_excused"

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


# --- the matrix ------------------------------------------------------------------------------


@dataclass
class Cell:
    """One judge's state for one entrant: criteria submitted, drafted, due."""

    submitted: int = 0
    drafts: int = 0
    due: int = 0
    recused: bool = False
    excused: bool = False

    @property
    def state(self) -> str:
        if self.recused:
            return "recused"
        if self.excused:
            return "excused"
        if self.due and self.submitted >= self.due:
            return "done"
        if self.submitted or self.drafts:
            return "partial"
        return "empty"


@dataclass
class Matrix:
    """Entrants × judges, each cell counting criteria."""

    entrants: list[Entrant]
    judges: list[Judge]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (entrant, judge)

    def cell(self, entrant: Entrant, judge: Judge) -> Cell:
        return self.cells.get((entrant.id, judge.id), Cell())


def matrix(trade: Trade) -> Matrix:
    """The live progress matrix of the trade."""
    progress = panel_progress(trade)
    judges = [m.judge for m in progress.members]
    drafts: dict[tuple[int, int], int] = defaultdict(int)
    for entrant_id, judge_id, count in db.session.execute(
        sa.select(Score.entrant_id, Score.judge_id, sa.func.count())
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(Criterion.trade_id == trade.id, Score.state == ScoreState.DRAFT)
        .group_by(Score.entrant_id, Score.judge_id)
    ):
        drafts[(entrant_id, judge_id)] = count
    result = Matrix(progress.entrants, judges)
    for judge in judges:
        for sheet in progress.sheets.get(judge.id, []):
            key = (sheet.entrant.id, judge.id)
            result.cells[key] = Cell(
                sheet.done, drafts.get(key, 0), sheet.needed, sheet.recused, sheet.excused
            )
    return result


# --- discrepancies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Discrepancy:
    """Something the chief judge should look at before signing off."""

    kind: str  # "spread", "panel", "missing", "paper"
    entrant: Entrant
    criterion: str | None = None
    judges: tuple[str, ...] = ()
    detail: str = ""


def discrepancies(trade: Trade) -> list[Discrepancy]:
    """Spread and panel flags from the computed results, missing values, paper mismatches."""
    entrants = {
        e.code: e
        for e in db.session.execute(
            sa.select(Entrant).where(Entrant.trade_id == trade.id)
        ).scalars()
    }
    found: list[Discrepancy] = []
    computed = results.recompute_trade(trade)
    for row in computed.entrants:
        entrant = entrants[row.code]
        for component in row.score.components:
            for criterion in component.criteria:
                if criterion.flag is not None:
                    kind = criterion.flag.split(":", 1)[0]
                    detail = str(criterion.spread) if kind == "spread" else ""
                    found.append(
                        Discrepancy(kind, entrant, criterion.code, tuple(criterion.values), detail)
                    )
                if criterion.missing and row.score.status.value == "incomplete":
                    found.append(Discrepancy("missing", entrant, criterion.code, criterion.missing))
    found.extend(paper_mismatches(trade, entrants))
    return found


def _entrants(trade: Trade) -> list[Entrant]:
    query = sa.select(Entrant).where(Entrant.trade_id == trade.id)
    return list(db.session.execute(query).scalars())


# --- actions ---------------------------------------------------------------------------------


def _editable(trade: Trade) -> None:
    lock_row(Trade, trade.id)
    db.session.refresh(trade)
    if trade.is_locked:
        raise ChiefError(ChiefError.LOCKED)


def _on_panel(trade: Trade, judge: Judge) -> None:
    if all(member.judge_id != judge.id for member in trade.panel):
        raise ChiefError(ChiefError.NOT_ON_PANEL)


def request_rescore(actor: User, trade: Trade, entrant: Entrant, judge: Judge, reason: str) -> None:
    """Send a judge's sheet for an entrant back: the values stop counting until resubmitted."""
    if not reason:
        raise ChiefError(ChiefError.REASON_REQUIRED)
    _editable(trade)
    _on_panel(trade, judge)
    scores = (
        db.session.execute(
            sa.select(Score)
            .join(Criterion, Criterion.id == Score.criterion_id)
            .where(
                Score.entrant_id == entrant.id,
                Score.judge_id == judge.id,
                Criterion.trade_id == trade.id,
            )
        )
        .scalars()
        .all()
    )
    for score in scores:
        score.state, score.submitted_at = ScoreState.DRAFT, None
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
        new={"judge": judge.code},
        reason=reason,
    )
    results.recompute_trade(trade)


def excuse(actor: User, trade: Trade, entrant: Entrant, judge: Judge, reason: str) -> None:
    """Excuse a judge from an entrant's panel (for every criterion), with a reason."""
    if not reason:
        raise ChiefError(ChiefError.REASON_REQUIRED)
    _editable(trade)
    _on_panel(trade, judge)
    exists = db.session.execute(
        sa.select(Excusal.id).where(Excusal.entrant_id == entrant.id, Excusal.judge_id == judge.id)
    ).first()
    if exists:
        raise ChiefError(ChiefError.ALREADY_EXCUSED)
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


def set_time(
    actor: User, trade: Trade, entrant: Entrant, seconds: Decimal | None, reason: str | None = None
) -> None:
    """Record (or clear) an entrant's completion time in seconds."""
    _editable(trade)
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
    results.recompute_trade(trade)


def set_status(
    actor: User, trade: Trade, entrant: Entrant, status: DeclaredStatus | None, reason: str
) -> None:
    """Declare DNS, DQ or WD (or clear it), always with a reason."""
    if not reason:
        raise ChiefError(ChiefError.REASON_REQUIRED)
    _editable(trade)
    old = {"status": entrant.status.value if entrant.status else None}
    entrant.status, entrant.status_reason = status, reason if status else None
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
    results.recompute_trade(trade)


def lock(actor: User, trade: Trade) -> None:
    """Sign the trade off: scores frozen, results computed. Everything must be complete."""
    _editable(trade)
    open_items = [d for d in discrepancies(trade) if d.kind in ("missing", "paper")]
    drafts = db.session.execute(
        sa.select(sa.func.count())
        .select_from(Score)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .join(Entrant, Entrant.id == Score.entrant_id)
        .where(
            Criterion.trade_id == trade.id,
            Score.state == ScoreState.DRAFT,
            Entrant.status.is_(None),
            Entrant.registration_status == RegistrationStatus.APPROVED,
        )
    ).scalar_one()
    if open_items or drafts:
        raise ChiefError(ChiefError.INCOMPLETE, missing=len(open_items), drafts=drafts)
    trade.locked_at, trade.locked_by_id = utcnow(), actor.id
    audit.record(actor, "trade.lock", "trade", trade.id, event=trade.event)
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


# --- judging analysis ------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgeTendency:
    """A judge's mean deviation from the panel mean (in marks), over their submitted values."""

    judge: Judge
    values: int
    mean_deviation: Decimal | None


def analysis(trade: Trade) -> list[JudgeTendency]:
    """Each judge's mean deviation from the panel mean, over every criterion and entrant
    where the panel's submitted values are complete (values scaled to marks)."""
    rows = db.session.execute(
        sa.select(Score.entrant_id, Score.criterion_id, Score.judge_id, Score.value)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(Criterion.trade_id == trade.id, Score.state == ScoreState.SUBMITTED)
    ).all()
    criteria = {c.id: c for c in trade.criteria}
    panels: dict[tuple[int, int], dict[int, Fraction]] = defaultdict(dict)
    for entrant_id, criterion_id, judge_id, value in rows:
        criterion = criteria[criterion_id]
        mark = exact(value)
        if criterion.scale is not None:
            mark = mark / exact(criterion.scale) * exact(criterion.max)
        panels[(entrant_id, criterion_id)][judge_id] = mark
    deviations: dict[int, list[Fraction]] = defaultdict(list)
    for values in panels.values():
        if len(values) < 2:
            continue
        mean = sum(values.values(), Fraction(0)) / len(values)
        for judge_id, mark in values.items():
            deviations[judge_id].append(mark - mean)
    tendencies = []
    for member in sorted(trade.panel, key=lambda m: m.judge_id):
        found = deviations.get(member.judge_id, [])
        mean = round_half_up(sum(found, Fraction(0)) / len(found), 3) if found else None
        tendencies.append(JudgeTendency(member.judge, len(found), mean))
    return tendencies


# --- double entry ----------------------------------------------------------------------------


def paper_mismatches(trade: Trade, entrants: dict[str, Entrant] | None = None) -> list[Discrepancy]:
    """Values of a paper sheet the two clerks entered differently, or only one has entered."""
    if not trade.double_entry:
        return []
    by_id = {e.id: e for e in (entrants or {}).values()} or {
        e.id: e
        for e in db.session.execute(
            sa.select(Entrant).where(Entrant.trade_id == trade.id)
        ).scalars()
    }
    criteria = {c.id: c.code for c in trade.criteria}
    judges = {m.judge_id: m.judge.code for m in trade.panel}
    grouped: dict[tuple[int, int, int], list[Decimal]] = defaultdict(list)
    for entry in db.session.execute(
        sa.select(PaperEntry).where(PaperEntry.criterion_id.in_(criteria))
    ).scalars():
        grouped[(entry.entrant_id, entry.criterion_id, entry.judge_id)].append(entry.value)
    found = []
    for (entrant_id, criterion_id, judge_id), values in sorted(grouped.items()):
        if len(values) < 2 or values[0] != values[1]:
            detail = " / ".join(str(v) for v in values)
            found.append(
                Discrepancy(
                    "paper",
                    by_id[entrant_id],
                    criteria[criterion_id],
                    (judges.get(judge_id, ""),),
                    detail,
                )
            )
    return found


def enter_paper(
    clerk: User,
    trade: Trade,
    entrant: Entrant,
    judge: Judge,
    criterion: Criterion,
    value: Decimal,
) -> str:
    """One clerk's entry of a paper-sheet value. When both clerks agree the value counts
    (a submitted score); while they differ, nothing counts. Returns "agreed", "waiting" or
    "mismatch"."""
    _editable(trade)
    entry = db.session.execute(
        sa.select(PaperEntry).where(
            PaperEntry.entrant_id == entrant.id,
            PaperEntry.criterion_id == criterion.id,
            PaperEntry.judge_id == judge.id,
            PaperEntry.clerk_id == clerk.id,
        )
    ).scalar_one_or_none()
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
    values = (
        db.session.execute(
            sa.select(PaperEntry.value).where(
                PaperEntry.entrant_id == entrant.id,
                PaperEntry.criterion_id == criterion.id,
                PaperEntry.judge_id == judge.id,
            )
        )
        .scalars()
        .all()
    )
    score = db.session.execute(
        sa.select(Score).where(
            Score.entrant_id == entrant.id,
            Score.criterion_id == criterion.id,
            Score.judge_id == judge.id,
        )
    ).scalar_one_or_none()
    agreed = len(values) >= 2 and len(set(values)) == 1
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
        else:
            score.value, score.state, score.submitted_at = value, ScoreState.SUBMITTED, utcnow()
    elif score is not None:
        db.session.delete(score)
    db.session.flush()
    results.recompute_trade(trade)
    if agreed:
        return "agreed"
    return "waiting" if len(values) < 2 else "mismatch"


def recused(trade: Trade, judge: Judge, entrant: Entrant) -> bool:
    """Whether the judge is kept off this entrant's panel."""
    return is_recused(trade.recusal, judge.unit_id, entrant.unit_id)
