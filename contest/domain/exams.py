"""Theory examinations (EXAMS.md): the question bank's items, papers drawn from a blueprint
reproducibly by SHA-256, the order each entrant sees, the marking of every item type with
voided items, and item analysis. Pure functions over plain data, exact arithmetic.

A paper is drawn section by section; an entrant's attempt is the responses they gave (bank
labels, never displayed positions) plus, for ``short`` items, the values the theory panel's
judges entered. The exam's component score is ``raw / paper total × component max``.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from contest.domain.numbers import exact, round_half_up
from contest.domain.refusal import N_, Refused
from contest.domain.scoring import Aggregation, CriterionSpec, aggregate_values


class ItemType(StrEnum):
    """The item types of the bank (EXAMS.md §1)."""

    SINGLE = "single"  # 单选题
    MULTIPLE = "multiple"  # 多选题
    JUDGE = "judge"  # 判断题
    FILL = "fill"  # 填空题
    SHORT = "short"  # 简答/计算/论述题, marked by judges

    @property
    def has_options(self) -> bool:
        """Whether the item offers labelled options."""
        return self in (ItemType.SINGLE, ItemType.MULTIPLE)


#: Option labels, in order.
LABELS = "ABCDEFGH"


def normalise(text: str) -> str:
    """Text as compared for duplicates and ``fill`` answers: NFKC (full-width → half-width),
    trimmed, runs of white space collapsed to one space, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


@dataclass(frozen=True)
class Item:
    """A question of the bank. ``key`` is a label (single), a set of labels (multiple), a
    boolean (judge), accepted answers per blank (fill) or a reference answer (short)."""

    code: str
    type: ItemType
    stem: str
    key: Any
    marks: Decimal = Decimal(1)
    options: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    level: str | None = None
    difficulty: int | None = None
    explanation: str | None = None

    @property
    def blanks(self) -> int:
        """The number of blanks of a ``fill`` item."""
        return len(self.key) if self.type == ItemType.FILL else 0


@dataclass(frozen=True)
class ItemFilter:
    """Which items a section may draw: tags by prefix, levels exactly, a difficulty range."""

    tags: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    difficulty: tuple[int, int] | None = None

    def matches(self, item: Item) -> bool:
        """Whether ``item`` passes every condition that is set."""
        if self.tags and not any(t.startswith(p) for t in item.tags for p in self.tags):
            return False
        if self.levels and item.level not in self.levels:
            return False
        if self.difficulty is not None:
            low, high = self.difficulty
            return item.difficulty is not None and low <= item.difficulty <= high
        return True


@dataclass(frozen=True)
class Section:
    """A section of the blueprint: ``count`` items of one type, each worth ``marks``."""

    type: ItemType
    count: int
    marks: Decimal
    filter: ItemFilter = ItemFilter()
    partial: Decimal | None = None  # multiple: share of marks for a proper subset (少选得分)
    step: Decimal = Decimal("0.5")  # short: granularity of the judges' values
    aggregation: Aggregation = Aggregation.MEAN  # short: how the panel's values combine
    trim: int = 1

    def criterion(self, code: str) -> CriterionSpec:
        """A ``short`` item of this section as the judges mark it: a criterion of the
        section's marks, step and aggregation (SCORING.md §1)."""
        return CriterionSpec(
            code, self.marks, step=self.step, aggregation=self.aggregation, trim=self.trim
        )


@dataclass(frozen=True)
class Exam:
    """A trade's exam feeding one of its components (normally ``theory``)."""

    trade: str
    component: str
    minutes: int
    seed: str
    sections: tuple[Section, ...]
    papers: int = 1
    voided: frozenset[str] = frozenset()


class TooFewItems(Refused):
    """A section's filter matches fewer items than it draws (EXAMS.md §2)."""

    TOO_FEW = "too_few"
    reasons = {
        TOO_FEW: N_(
            "Section %(section)s of paper %(paper)s needs %(count)s items but only "
            "%(found)s match its filter."
        )
    }


# --- papers and the order each entrant sees ---------------------------------------------------


def _hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Paper:
    """One paper: per section, the item codes in drawn order."""

    number: int
    sections: tuple[tuple[str, ...], ...]

    @property
    def items(self) -> tuple[str, ...]:
        """Every item code, section by section."""
        return tuple(code for section in self.sections for code in section)


def draw_papers(exam: Exam, bank: Sequence[Item]) -> tuple[Paper, ...]:
    """The exam's parallel papers (EXAMS.md §2): section ``s`` of paper ``k`` takes the first
    ``count`` of its candidates sorted by ``sha256("{seed}:{k}:{s}:{code}")``; an item drawn
    by an earlier section of the same paper is not a candidate again."""
    papers = []
    for k in range(1, exam.papers + 1):
        used: set[str] = set()
        sections = []
        for s, section in enumerate(exam.sections, start=1):
            candidates = [
                item.code
                for item in bank
                if item.type == section.type
                and item.code not in used
                and section.filter.matches(item)
            ]
            if len(candidates) < section.count:
                raise TooFewItems(
                    TooFewItems.TOO_FEW,
                    section=s,
                    paper=k,
                    count=section.count,
                    found=len(candidates),
                )
            drawn = sorted(candidates, key=lambda code: _hex(f"{exam.seed}:{k}:{s}:{code}"))
            chosen = tuple(drawn[: section.count])
            used.update(chosen)
            sections.append(chosen)
        papers.append(Paper(k, tuple(sections)))
    return tuple(papers)


def paper_number(exam: Exam, entrant: str) -> int:
    """The paper an entrant sits: ``int(sha256("{seed}:{entrant}"), 16) mod papers + 1``."""
    return int(_hex(f"{exam.seed}:{entrant}"), 16) % exam.papers + 1


def item_order(exam: Exam, entrant: str, codes: Iterable[str]) -> list[str]:
    """A section's items in the order the entrant sees them."""
    return sorted(codes, key=lambda code: _hex(f"{exam.seed}:{entrant}:{code}"))


def option_order(exam: Exam, entrant: str, item: str, labels: Iterable[str]) -> list[str]:
    """An item's option labels in the order the entrant sees them."""
    return sorted(labels, key=lambda label: _hex(f"{exam.seed}:{entrant}:{item}:{label}"))


# --- marking ------------------------------------------------------------------------------------


def mark_response(item: Item, section: Section, response: Any) -> Fraction:
    """The marks a response to an objective item earns (EXAMS.md §3); None is no response.
    ``short`` items are marked by judges (``mark_short``)."""
    marks = exact(section.marks)
    if response is None or response == []:
        return Fraction(0)
    kind = item.type
    if kind in (ItemType.SINGLE, ItemType.JUDGE):
        return marks if response == item.key else Fraction(0)
    if kind == ItemType.MULTIPLE:
        chosen, key = frozenset(response), frozenset(item.key)
        if chosen == key:
            return marks
        if section.partial is not None and chosen < key:
            return exact(section.partial) * marks
        return Fraction(0)
    if kind == ItemType.FILL:
        share = marks / item.blanks
        right = sum(
            1
            for given, accepted in zip(response, item.key, strict=True)
            if given is not None and normalise(given) in {normalise(a) for a in accepted}
        )
        return share * right
    raise ValueError(f"{item.code} is marked by judges")


def mark_short(
    section: Section, code: str, values: Mapping[str, Decimal], panel: Sequence[str]
) -> Fraction | None:
    """A ``short`` item's marks from its panel's values, or None while one is missing."""
    if any(judge not in values for judge in panel) or not panel:
        return None
    criterion = section.criterion(code)
    if len(panel) < criterion.min_panel:
        return None
    aggregate, _ = aggregate_values(criterion, {j: values[j] for j in panel})
    return aggregate


@dataclass(frozen=True)
class Attempt:
    """An entrant's submitted attempt: responses by item code, and for ``short`` items the
    judges' values by (item, judge)."""

    entrant: str
    responses: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Marked:
    """An attempt marked: each counted item's marks (None: a short item still to be marked),
    ``raw`` and the paper's total (voided items left out of both)."""

    entrant: str
    paper: int
    items: Mapping[str, Fraction | None]
    total: Fraction

    @property
    def complete(self) -> bool:
        """Whether every counted item has its marks."""
        return all(m is not None for m in self.items.values())

    @property
    def raw(self) -> Fraction:
        """Σ item marks (items still to be marked count 0)."""
        return sum((m for m in self.items.values() if m is not None), Fraction(0))

    def score(self, maximum: Decimal) -> Fraction | None:
        """The component's score: ``raw / paper total × maximum``, None while incomplete."""
        if not self.complete or self.total == 0:
            return None
        return self.raw / self.total * exact(maximum)


def mark_attempt(
    exam: Exam,
    papers: Sequence[Paper],
    bank: Mapping[str, Item],
    attempt: Attempt,
    panel: Sequence[str] = (),
) -> Marked:
    """Mark an attempt on the entrant's paper (EXAMS.md §3). ``panel`` holds the judges who
    mark the entrant's ``short`` items (the theory panel after recusal and excusal)."""
    number = paper_number(exam, attempt.entrant)
    paper = papers[number - 1]
    marks: dict[str, Fraction | None] = {}
    total = Fraction(0)
    for section, codes in zip(exam.sections, paper.sections, strict=True):
        for code in codes:
            if code in exam.voided:
                continue
            total += exact(section.marks)
            item = bank[code]
            if item.type == ItemType.SHORT:
                values = {j: v for (i, j), v in attempt.values.items() if i == code}
                marks[code] = mark_short(section, code, values, panel)
            else:
                marks[code] = mark_response(item, section, attempt.responses.get(code))
    return Marked(attempt.entrant, number, marks, total)


# --- item analysis --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemStatistics:
    """An item's difficulty ``p`` and discrimination ``D`` (2 places; None when not
    defined) and whether it is flagged for review."""

    code: str
    p: Decimal | None
    D: Decimal | None
    flagged: bool


def _share(marked: Marked, code: str, worth: Fraction) -> Fraction:
    awarded = marked.items.get(code)
    return (awarded or Fraction(0)) / worth


def item_analysis(
    exam: Exam, papers: Sequence[Paper], attempts: Sequence[Marked]
) -> list[ItemStatistics]:
    """Difficulty and discrimination of every item on a paper and not voided, by code
    (EXAMS.md §3): over all ``attempts``; upper and lower groups of
    ``round_half_up(0.27 × n)`` attempts by raw descending, then entrant code."""
    worth = {
        code: exact(section.marks)
        for paper in papers
        for section, codes in zip(exam.sections, paper.sections, strict=True)
        for code in codes
    }
    ordered = sorted(attempts, key=lambda m: (-m.raw, m.entrant))
    g = int(round_half_up(Fraction(27, 100) * len(ordered), 0))
    upper, lower = ordered[:g], ordered[len(ordered) - g :] if g else []

    def p_of(group: Sequence[Marked], code: str) -> Fraction | None:
        shares = [_share(m, code, worth[code]) for m in group if code in m.items]
        return sum(shares, Fraction(0)) / len(shares) if shares else None

    found = []
    for code in sorted(c for c in worth if c not in exam.voided):
        p = p_of(ordered, code)
        high, low = p_of(upper, code), p_of(lower, code)
        shown_p = round_half_up(p, 2) if p is not None else None
        shown_d = round_half_up(high - low, 2) if high is not None and low is not None else None
        flagged = (shown_d is not None and shown_d < Decimal("0.2")) or (
            shown_p is not None and not Decimal("0.2") <= shown_p <= Decimal("0.9")
        )
        found.append(ItemStatistics(code, shown_p, shown_d, flagged))
    return found
