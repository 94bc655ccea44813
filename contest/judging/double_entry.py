"""Double entry of paper sheets: switching it on or off for a trade, the criteria of a
judge's sheet, and the clerks' entries. Two clerks type each paper sheet blind; a value
counts (as the judge's submitted score) only once both have entered it alike. Their
disagreements are on the desk (``contest.judging.desk.paper_mismatches``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.refusal import Problem
from contest.domain.scoring import EntryError, check_value
from contest.domain.stages import StageKind
from contest.events.models import Criterion, Judge, Trade
from contest.judging import desk
from contest.judging.chief import ChiefError, editable, seated
from contest.judging.models import PaperEntry
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import Score, ScoreState
from contest.stages import services as stages

# --- switching it on or off ------------------------------------------------------------------


def set_double_entry(actor: User, trade: Trade, on: bool) -> bool:
    """Switch double entry of paper sheets on or off (not once signed off). While it is on,
    judges' tablets are refused and only values both clerks agree on count."""
    editable(trade)
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


# --- the clerks' entries ---------------------------------------------------------------------


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
    seated(trade, entrant, judge)
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
    return "agreed" if desk.agreed(values) else "mismatch"


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
    editable(trade)
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
    agreed = desk.agreed(values)
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
