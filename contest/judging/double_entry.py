"""Double entry of paper sheets: switching it on or off for a trade, the criteria of a
judge's sheet, the clerks' entries and the chief judge's decisions between a paper sheet and
a tablet. Two clerks type each paper sheet blind; a value counts (as the judge's submitted
score) only once both have entered it alike. Their disagreements are on the desk
(``contest.judging.desk.paper_mismatches``).

Paper never silently replaces what a judge submitted on a tablet: switching double entry on
for a trade with tablet values needs the chief judge to confirm how many there are, and a
value the clerks agree on that differs from the judge's submitted tablet value waits for
the chief judge to decide which holds (``decide``), recorded with both values. A clerks'
disagreement never deletes a score: a value that came from paper stops counting (it returns
to a draft) until they agree again. Every change of a score is audited with its old and new
value, and moves the score's version on.
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
from contest.events.models import Criterion, Judge, Trade
from contest.judging import desk, facts
from contest.judging.chief import ChiefError, correctable, editable, hold, seated
from contest.judging.models import PaperEntry
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import Score, ScoreState

# --- switching it on or off ------------------------------------------------------------------


def tablet_values(trade: Trade) -> int:
    """How many values the judges have submitted on tablets for the trade (not from paper)."""
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(Score)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(
            Criterion.trade_id == trade.id,
            Score.state == ScoreState.SUBMITTED,
            Score.paper.is_(False),
        )
    ).scalar_one()


def set_double_entry(actor: User, trade: Trade, on: bool, confirmed: int | None = None) -> bool:
    """Switch double entry of paper sheets on or off (not once signed off). While it is on,
    judges' tablets are refused and only values both clerks agree on count. Switching it on
    for a trade whose judges have submitted tablet values needs ``confirmed``, the number of
    those values the chief judge was shown (``CONFIRM_TABLET`` otherwise, with the count)."""
    editable(trade)
    if trade.double_entry == on:
        return False
    count = tablet_values(trade) if on else 0
    if count and confirmed != count:
        raise ChiefError(ChiefError.CONFIRM_TABLET, count=count)
    trade.double_entry = on
    audit.record(
        actor,
        "trade.double_entry",
        "trade",
        trade.id,
        event=trade.event,
        old={"double_entry": not on},
        new={"double_entry": on, **({"tablet_values": count} if count else {})},
    )
    return True


# --- the clerks' entries ---------------------------------------------------------------------

#: What a value of a paper sheet stands at: nobody entered it, one clerk did, both agree, they
#: differ, both agree on a value the judge's submitted tablet value contradicts (the chief
#: judge decides), or the chief judge kept the tablet value over the one they agreed on.
STATES = ("empty", "waiting", "agreed", "mismatch", "tablet", "kept")


@dataclass
class PaperItem:
    """One criterion of a paper sheet as a clerk sees it: their own entry, the judge's
    submitted tablet value (if any) and the state."""

    criterion: Criterion
    own: Decimal | None
    entries: int
    state: str  # one of STATES
    tablet: Decimal | None = None

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


def _entries(entrant: Entrant, judge: Judge) -> dict[int, list[PaperEntry]]:
    """The clerks' entries of the judge's paper sheet of the entrant, by criterion id."""
    found: dict[int, list[PaperEntry]] = defaultdict(list)
    for entry in db.session.execute(
        sa.select(PaperEntry)
        .where(PaperEntry.entrant_id == entrant.id, PaperEntry.judge_id == judge.id)
        .order_by(PaperEntry.id)
    ).scalars():
        found[entry.criterion_id].append(entry)
    return found


def _scores(entrant: Entrant, judge: Judge) -> dict[int, Score]:
    """The judge's values for the entrant, by criterion id."""
    return {
        score.criterion_id: score
        for score in db.session.execute(
            sa.select(Score).where(Score.entrant_id == entrant.id, Score.judge_id == judge.id)
        ).scalars()
    }


def is_tablet(score: Score | None) -> bool:
    """A value the judge submitted on a tablet (not one from paper, not a draft)."""
    return score is not None and score.state == ScoreState.SUBMITTED and not score.paper


def _counts_from_paper(score: Score | None) -> bool:
    """A submitted value that came from paper (not from the judge's tablet)."""
    return score is not None and score.state == ScoreState.SUBMITTED and score.paper


def state_of(entries: list[PaperEntry], score: Score | None) -> str:
    """Where a value of a paper sheet stands (``STATES``), from the clerks' entries and the
    judge's stored value."""
    values = [e.value for e in entries]
    if not values:
        return "empty"
    if len(values) < 2:
        return "waiting"
    if not desk.agreed(values):
        return "mismatch"
    if is_tablet(score) and score is not None and score.value != values[0]:
        return "kept" if all(e.overruled_at is not None for e in entries) else "tablet"
    return "agreed"


def paper_sheet(clerk: User, trade: Trade, entrant: Entrant, judge: Judge) -> list[PaperItem]:
    """The paper sheet of ``judge`` for ``entrant`` as ``clerk`` has entered it (blind: the
    other clerk's values are not shown, only whether they agree), with the judge's submitted
    tablet values."""
    criteria = paper_criteria(trade, entrant, judge)
    entries, scores = _entries(entrant, judge), _scores(entrant, judge)
    items = []
    for criterion in criteria:
        found, score = entries.get(criterion.id, []), scores.get(criterion.id)
        own = next((e.value for e in found if e.clerk_id == clerk.id), None)
        tablet = score.value if is_tablet(score) and score is not None else None
        items.append(PaperItem(criterion, own, len(found), state_of(found, score), tablet))
    return items


def _writable(trade: Trade, entrant: Entrant, judge: Judge) -> None:
    """Lock the trade row; refuse an entry the lifecycle does not allow (``Action.PAPER``)
    or a trade not scored on paper."""
    hold(trade)
    facts.check_paper(trade, entrant, judge)
    if not trade.double_entry:
        raise ChiefError(ChiefError.DOUBLE_ENTRY_OFF)


def _score_change(actor: User, trade: Trade, score: Score, action: str, old, reason=None):
    """Audit a change of a stored value (flushed first, so the entry names the row and its
    version has moved on)."""
    db.session.flush()
    audit.record(
        actor,
        action,
        "score",
        score.id,
        event=trade.event,
        old=old,
        new={
            "value": str(score.value),
            "state": score.state.value,
            "version": score.version,
            "entrant": score.entrant.code,
            "criterion": score.criterion.code,
            "judge": score.judge.code,
            "paper": score.paper,
        },
        reason=reason,
    )


def _was(score: Score) -> dict[str, object]:
    return {
        "value": str(score.value),
        "state": score.state.value,
        "version": score.version,
        "paper": score.paper,
    }


def _settle(
    clerk: User, trade: Trade, key: tuple[Entrant, Criterion, Judge], entries: list[PaperEntry]
) -> str:
    """Bring the judge's stored value in line with the clerks' entries, as far as paper may
    change it, and say where the value stands (``STATES``)."""
    entrant, criterion, judge = key
    score = _scores(entrant, judge).get(criterion.id)
    state = state_of(entries, score)
    now = utcnow()
    if state == "agreed":
        value = entries[0].value
        if score is None:
            score = Score(
                entrant=entrant,
                criterion=criterion,
                judge=judge,
                value=value,
                state=ScoreState.SUBMITTED,
                submitted_at=now,
                updated_by_id=clerk.id,
                paper=True,
            )
            db.session.add(score)
            _score_change(clerk, trade, score, "score.paper", None)
        elif score.value != value or score.state != ScoreState.SUBMITTED:
            old = _was(score)  # a draft, or an earlier value from paper
            score.value, score.state, score.paper = value, ScoreState.SUBMITTED, True
            score.submitted_at, score.updated_by_id = now, clerk.id
            _score_change(clerk, trade, score, "score.paper", old)
    elif state in ("waiting", "mismatch") and _counts_from_paper(score):
        assert score is not None  # no longer agreed: it stops counting, and is kept
        old = _was(score)
        score.state, score.submitted_at, score.updated_by_id = ScoreState.DRAFT, None, clerk.id
        _score_change(clerk, trade, score, "score.paper", old)
    return state


def _enter(clerk: User, trade: Trade, key: tuple[Entrant, Criterion, Judge], value: Decimal) -> str:
    """One clerk's entry of one value (the trade already checked and locked)."""
    entrant, criterion, judge = key
    entries = _entries(entrant, judge).get(criterion.id, [])
    entry = next((e for e in entries if e.clerk_id == clerk.id), None)
    if entry is None or entry.value != value:
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
            entries.append(entry)
        else:
            entry.value, entry.overruled_at = value, None
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
    return _settle(clerk, trade, key, entries)


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


def enter_paper_sheet(
    clerk: User, trade: Trade, entrant: Entrant, judge: Judge, typed: Mapping[str, str]
) -> dict[str, str]:
    """A clerk's entry of one paper sheet as typed (criterion code → text; empty ones are
    left out), all or nothing: every value is checked before any is entered, and each
    refused one is a problem under its criterion's code. Returns code → state
    (``STATES``). A sheet the chief judge sent back is done again once every value of it
    counts."""
    _writable(trade, entrant, judge)
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
        c.code: _enter(clerk, trade, (entrant, c, judge), values[c.code])
        for c in criteria
        if c.code in values
    }
    order = facts.open_rescore(entrant, judge)
    scores = _scores(entrant, judge)
    if order is not None and all(
        scores.get(c.id) is not None and scores[c.id].state == ScoreState.SUBMITTED
        for c in criteria
    ):
        order.resolved_at = utcnow()
    db.session.flush()
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


# --- the chief judge's decision between paper and tablet -------------------------------------

#: Which value holds when the paper sheet and the tablet disagree.
KEEP = ("tablet", "paper")


def decide(
    actor: User,
    trade: Trade,
    entrant: Entrant,
    judge: Judge,
    criterion: Criterion,
    keep: str,
    reason: str,
) -> Score:
    """The chief judge decides which value holds where the clerks agree on a value of the
    judge's paper sheet that differs from the value the judge submitted on the tablet:
    ``keep`` "paper" replaces the tablet value, "tablet" keeps it (until the clerks' entries
    change). Recorded with both values and the reason; the score's version moves on."""
    if not reason:
        raise ChiefError(ChiefError.REASON_REQUIRED)
    if keep not in KEEP:
        raise ChiefError(ChiefError.NOTHING_TO_DECIDE)
    correctable(trade)
    if not trade.double_entry:
        raise ChiefError(ChiefError.DOUBLE_ENTRY_OFF)
    if criterion not in paper_criteria(trade, entrant, judge):
        raise ChiefError(ChiefError.UNKNOWN_CRITERION, criterion=criterion.code)
    entries = _entries(entrant, judge).get(criterion.id, [])
    score = _scores(entrant, judge).get(criterion.id)
    if state_of(entries, score) != "tablet" or score is None:
        raise ChiefError(ChiefError.NOTHING_TO_DECIDE)
    paper = entries[0].value
    old = {**_was(score), "paper_value": str(paper)}
    if keep == "paper":
        score.value, score.paper = paper, True
        score.submitted_at = utcnow()
    else:
        now = utcnow()
        for entry in entries:
            entry.overruled_at = now
    score.updated_by_id = actor.id
    score.updated_at = utcnow()  # a decision is a change of the record: the version moves on
    _score_change(actor, trade, score, f"paper.keep_{keep}", old, reason)
    results.recompute_trade(trade)
    return score
