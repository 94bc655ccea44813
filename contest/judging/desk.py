"""The chief judge's desk, read only: the trade's results computed without storing them,
the progress matrix, what needs attention before sign-off (discrepancies, the paper sheets'
disagreements) and the judging analysis of each judge's tendency.

Nothing here writes: the desk polls these, and a GET must not write. The chief judge's
actions are in ``chief``, double entry of paper sheets in ``double_entry``. Entrants
appear only by station number and anonymous code, never by name (``who``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core.extensions import db
from contest.domain.numbers import exact, round_half_up
from contest.domain.results import TradeResult, compute_trade
from contest.domain.scoring import is_recused
from contest.events.models import Criterion, Judge, Trade
from contest.judging.models import PaperEntry, RescoreRequest
from contest.judging.services import competing_entrants, panel_progress
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import Excusal, Score, ScoreState

# --- the computed results, without storing them ----------------------------------------------


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
BLOCKING = ("missing", "panel", "component", "paper", "waiting", "tablet")


@dataclass(frozen=True)
class Discrepancy:
    """Something the chief judge should look at before signing off.

    ``kind`` is one of: ``spread`` (values spread over ``limit``, the criterion's
    max_spread; ``values`` are judge → value, ``detail`` the spread), ``panel`` (too few
    judges for the trimmed rule: ``detail`` judges, ``limit`` needed), ``missing`` (values
    not submitted by ``judges``; ``drafts`` of them hold unsubmitted values), ``component``
    (no score for a directly entered component), ``paper`` (the clerks' entries of the
    paper sheet of ``judges`` differ: ``detail``), ``waiting`` (only one clerk has entered),
    ``tablet`` (the clerks agree on ``detail``, but the judge submitted ``tablet`` on the
    tablet: the chief judge decides which holds).
    """

    kind: str
    entrant: Entrant
    criterion: str | None = None
    judges: tuple[str, ...] = ()
    detail: str = ""
    values: tuple[tuple[str, Decimal], ...] = ()
    limit: Decimal | None = None
    drafts: tuple[str, ...] = ()
    tablet: Decimal | None = None

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


def outstanding(trade: Trade, computed: TradeResult | None = None) -> list[Discrepancy]:
    """What keeps the trade from being signed off: every competing entrant must be
    complete, and every paper value agreed by both clerks."""
    return [d for d in discrepancies(trade, computed) if d.blocking]


# --- the paper sheets' disagreements ---------------------------------------------------------


def paper_mismatches(trade: Trade, entrants: list[Entrant] | None = None) -> list[Discrepancy]:
    """Values of a paper sheet the clerks entered differently (``paper``), only one clerk
    has entered (``waiting``), or both agree on while the judge's submitted tablet value
    differs and the chief judge has not kept it (``tablet``), for competing entrants and the
    judges still on their panel."""
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
    grouped: dict[tuple[int, int, int], list[PaperEntry]] = defaultdict(list)
    for entry in db.session.execute(
        sa.select(PaperEntry)
        .where(PaperEntry.criterion_id.in_(list(criteria)), PaperEntry.entrant_id.in_(list(by_id)))
        .order_by(PaperEntry.id)
    ).scalars():
        grouped[(entry.entrant_id, entry.criterion_id, entry.judge_id)].append(entry)
    tablet = {
        (s.entrant_id, s.criterion_id, s.judge_id): s.value
        for s in db.session.execute(
            sa.select(Score).where(
                Score.criterion_id.in_(list(criteria)),
                Score.entrant_id.in_(list(by_id)),
                Score.state == ScoreState.SUBMITTED,
                Score.paper.is_(False),
            )
        ).scalars()
    }
    found = []
    for (entrant_id, criterion_id, judge_id), entries in sorted(
        grouped.items(),
        key=lambda item: (order[item[0][0]], criteria[item[0][1]].position, item[0][2]),
    ):
        entrant, judge = by_id[entrant_id], judges.get(judge_id)
        if judge is None or (entrant_id, judge_id) in excused or recused(trade, judge, entrant):
            continue
        values = [e.value for e in entries]
        if agreed(values):
            held = tablet.get((entrant_id, criterion_id, judge_id))
            decided = all(e.overruled_at is not None for e in entries)
            if held is not None and held != values[0] and not decided:
                found.append(
                    Discrepancy(
                        "tablet",
                        entrant,
                        criteria[criterion_id].code,
                        (judge.code,),
                        detail=str(values[0]),
                        tablet=held,
                    )
                )
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


def agreed(values: list[Decimal]) -> bool:
    """Two or more clerks' entries, all equal."""
    return len(values) >= 2 and len(set(values)) == 1


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


# --- what the desk's pages show --------------------------------------------------------------


def recused(trade: Trade, judge: Judge, entrant: Entrant) -> bool:
    """Whether the judge is kept off this entrant's panel."""
    return is_recused(trade.recusal, judge.unit_id, entrant.unit_id)


def who(entrant: Entrant) -> str:
    """How the desk names an entrant: station and anonymous code (the registration code
    only before the draw), never the name."""
    if entrant.station_no is not None or entrant.anon_code:
        return entrant.judge_label
    return entrant.code


def stored_scores(entrant: Entrant) -> dict[tuple[int, int], Score]:
    """The entrant's stored values (drafts and submitted), by (criterion id, judge id)."""
    return {
        (s.criterion_id, s.judge_id): s
        for s in db.session.execute(sa.select(Score).where(Score.entrant_id == entrant.id))
        .scalars()
        .all()
    }


def signed_off_by(trade: Trade) -> User | None:
    """The account that locked the trade, if it is locked and the account still exists."""
    return db.session.get(User, trade.locked_by_id) if trade.locked_by_id else None
