"""The organiser's item analysis of a trade's exam (EXAMS.md §3): the attempts, the
distribution of the component's scores and the items' difficulty and discrimination, as a
page and as an Excel sheet with Chinese headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import gettext
from openpyxl import Workbook

from contest.core.extensions import db
from contest.core.files import fill_sheet, workbook_bytes
from contest.core.labels import label
from contest.domain.exams import Item, ItemStatistics, Marked, item_analysis
from contest.domain.numbers import exact, round_half_up
from contest.events.models import Trade
from contest.exams import services as exams
from contest.exams.models import ExamSetting
from contest.results import services as results

#: Width of a band of the score distribution, in points.
BAND = 10
#: Characters of an item's stem shown in the table.
STEM = 30


@dataclass(frozen=True)
class Band:
    """Scores from ``low`` up to ``high`` (``high`` itself only in the last band)."""

    low: Decimal
    high: Decimal
    count: int


@dataclass(frozen=True)
class Distribution:
    """The component's scores of the marked attempts, rounded to the event's places."""

    bands: tuple[Band, ...]
    scored: int
    unmarked: int
    mean: Decimal | None
    highest: Decimal | None
    lowest: Decimal | None


@dataclass(frozen=True)
class ItemRow:
    """An item of the exam as the table shows it."""

    code: str
    item: Item | None
    stats: ItemStatistics | None

    @property
    def type(self) -> str:
        return label(self.item.type) if self.item else ""

    @property
    def stem(self) -> str:
        stem = " ".join(self.item.stem.split()) if self.item else ""
        return stem if len(stem) <= STEM else stem[:STEM] + "…"


@dataclass(frozen=True)
class ExamAnalysis:
    """Everything the page shows."""

    attempts: int
    distribution: Distribution
    items: tuple[ItemRow, ...]
    voided: tuple[ItemRow, ...]


def distribution(
    scores: Sequence[Fraction | None], maximum: Decimal, decimals: int
) -> Distribution:
    """Scores rounded to ``decimals`` counted per band of ``BAND`` points from 0 to
    ``maximum`` (the maximum falls in the last band), with their mean, highest and lowest;
    attempts still to be marked (None) are counted apart."""
    shown = [round_half_up(s, decimals) for s in scores if s is not None]
    top = exact(maximum)
    edges = list(range(0, max(int(top), 1), BAND))
    counts = [0] * len(edges)
    for score in shown:
        index = min(int(score // BAND), len(edges) - 1)
        counts[max(index, 0)] += 1
    bands = tuple(
        Band(Decimal(low), Decimal(edges[i + 1]) if i + 1 < len(edges) else maximum, counts[i])
        for i, low in enumerate(edges)
    )
    total = sum(map(exact, shown), Fraction(0))
    mean = round_half_up(total / len(shown), decimals) if shown else None
    return Distribution(
        bands=bands,
        scored=len(shown),
        unmarked=len(scores) - len(shown),
        mean=mean,
        highest=max(shown, default=None),
        lowest=min(shown, default=None),
    )


def _on_papers(run: exams.ExamRun) -> list[str]:
    return sorted({code for paper in run.papers for codes in paper.sections for code in codes})


def has_exam(trade: Trade) -> bool:
    """Whether the trade has a theory exam."""
    return (
        db.session.execute(
            sa.select(ExamSetting.id).where(ExamSetting.trade_id == trade.id)
        ).first()
        is not None
    )


def exam_analysis(trade: Trade) -> ExamAnalysis | None:
    """The item analysis of the trade's exam, None if the trade has none."""
    run = exams.exam_runs([trade.id]).get(trade.id)
    if run is None:
        return None
    attempts: list[Marked] = results.exam_attempts(run)
    found = item_analysis(run.exam, run.papers, attempts)
    scores = [m.score(run.maximum) for m in attempts]
    voided = [c for c in _on_papers(run) if c in run.exam.voided]
    return ExamAnalysis(
        attempts=len(attempts),
        distribution=distribution(scores, run.maximum, trade.event.decimals),
        items=tuple(ItemRow(s.code, run.bank.get(s.code), s) for s in found),
        voided=tuple(ItemRow(code, run.bank.get(code), None) for code in voided),
    )


def _flag(row: ItemRow) -> str:
    return gettext("Needs review") if row.stats and row.stats.flagged else ""


def analysis_workbook(trade: Trade, analysis: ExamAnalysis) -> bytes:
    """The item table as an Excel sheet: the listed items, then the voided ones."""
    header = [
        gettext("Item code"),
        gettext("Item type"),
        gettext("Stem"),
        gettext("Difficulty p"),
        gettext("Discrimination D"),
        gettext("Flag"),
    ]
    rows = [
        [
            row.code,
            row.type,
            row.stem,
            row.stats.p if row.stats and row.stats.p is not None else "",
            row.stats.D if row.stats and row.stats.D is not None else "",
            _flag(row),
        ]
        for row in analysis.items
    ]
    rows += [[row.code, row.type, row.stem, "", "", gettext("Voided")] for row in analysis.voided]
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Item analysis")
    fill_sheet(sheet, header, rows, 2)
    return workbook_bytes(book)
