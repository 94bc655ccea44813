"""Theory exams in the database: the question bank's items, each trade's exam and its sealed
papers as the pure rules take them (``contest.domain.exams``), and the entrants' attempts,
read for many trades in a fixed number of queries.

The rows hold what the package holds (EXAMS.md §5): a section's keys as the package writes
them (decimals as text, read back exactly), an item's options, key and tags as JSON.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from contest.core.extensions import db
from contest.domain.exams import (
    Exam,
    Item,
    ItemFilter,
    ItemType,
    Marked,
    Paper,
    Section,
    item_analysis,
)
from contest.domain.scoring import Aggregation, Recusal, is_recused
from contest.events.models import Component, Judge, PanelMember, Trade, Unit, component_judges
from contest.exams.models import ExamAnswer, ExamSetting, ExamSitting, ItemScore, QuestionItem

# --- rows and the pure rules' values --------------------------------------------------------


def section_json(section: Section) -> dict[str, Any]:
    """A section as the package writes it (decimals as text), with only the keys its type
    takes."""
    found: dict[str, Any] = {}
    if section.filter.tags:
        found["tags"] = list(section.filter.tags)
    if section.filter.levels:
        found["level"] = list(section.filter.levels)
    if section.filter.difficulty is not None:
        found["difficulty"] = list(section.filter.difficulty)
    given: dict[str, Any] = {
        "type": section.type.value,
        "count": section.count,
        "marks": str(section.marks),
    }
    if found:
        given["filter"] = found
    if section.type == ItemType.MULTIPLE and section.partial is not None:
        given["partial"] = str(section.partial)
    if section.type == ItemType.SHORT:
        given["step"] = str(section.step)
        given["aggregation"] = section.aggregation.value
        given["trim"] = section.trim
    return given


def section_from_json(given: Mapping[str, Any]) -> Section:
    """A stored section (``section_json``) as the pure rules take it."""
    found = given.get("filter") or {}
    difficulty = found.get("difficulty")
    partial = given.get("partial")
    return Section(
        ItemType(given["type"]),
        int(given["count"]),
        Decimal(given["marks"]),
        ItemFilter(
            tuple(found.get("tags", ())),
            tuple(found.get("level", ())),
            (int(difficulty[0]), int(difficulty[1])) if difficulty else None,
        ),
        Decimal(partial) if partial is not None else None,
        Decimal(given.get("step", "0.5")),
        Aggregation(given.get("aggregation", Aggregation.MEAN.value)),
        int(given.get("trim", 1)),
    )


def key_json(item: Item) -> Any:
    """An item's key as JSON: the labels of a ``multiple`` key in order, a ``fill`` key's
    accepted answers per blank as lists."""
    if item.type == ItemType.MULTIPLE:
        return sorted(item.key)
    if item.type == ItemType.FILL:
        return [list(blank) for blank in item.key]
    return item.key


def item_values(item: Item) -> dict[str, Any]:
    """The columns of a stored item (``QuestionItem``) for a bank item."""
    return {
        "code": item.code,
        "type": item.type,
        "stem": item.stem,
        "options": dict(item.options) if item.options else None,
        "key": key_json(item),
        "marks": item.marks,
        "tags": list(item.tags),
        "level": item.level,
        "difficulty": item.difficulty,
        "explanation": item.explanation,
    }


def item_of(row: QuestionItem) -> Item:
    """A stored item as the pure rules take it."""
    kind = ItemType(row.type)
    key = row.key
    if kind == ItemType.MULTIPLE:
        key = frozenset(key)
    elif kind == ItemType.FILL:
        key = tuple(tuple(blank) for blank in key)
    return Item(
        row.code,
        kind,
        row.stem,
        key,
        row.marks,
        dict(row.options or {}),
        tuple(row.tags or ()),
        row.level,
        row.difficulty,
        row.explanation,
    )


def exam_of(setting: ExamSetting, trade: str, component: str) -> Exam:
    """A stored exam as the pure rules take it."""
    return Exam(
        trade,
        component,
        setting.minutes,
        setting.seed,
        tuple(section_from_json(s) for s in setting.sections),
        setting.papers,
        frozenset(setting.voided or ()),
    )


def sealed(papers: Iterable[Paper]) -> list[list[list[str]]]:
    """Papers as ``ExamSetting.sealed_papers`` holds them: per paper, per section, codes."""
    return [[list(codes) for codes in paper.sections] for paper in papers]


def papers_of(stored: Sequence[Sequence[Sequence[str]]]) -> tuple[Paper, ...]:
    """The sealed papers of an exam."""
    return tuple(
        Paper(number, tuple(tuple(codes) for codes in sections))
        for number, sections in enumerate(stored, start=1)
    )


# --- many trades at once ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExamRun:
    """A trade's exam with everything its attempts are marked against: the sealed papers,
    the bank's items by code, the maximum of the component it feeds, and the judges who
    mark its short items before recusal and excusal (code, unit code)."""

    exam_id: int
    trade_id: int
    exam: Exam
    papers: tuple[Paper, ...]
    bank: Mapping[str, Item]
    maximum: Decimal
    recusal: Recusal
    seats: tuple[tuple[str, str | None], ...]

    def panel(self, unit: str, excused: Iterable[str] = ()) -> list[str]:
        """The judges who mark an entrant's short items: the seats less those recused for
        the entrant's unit and those excused from the entrant (SCORING.md §1)."""
        away = set(excused)
        return [
            code
            for code, judge_unit in self.seats
            if code not in away and not is_recused(self.recusal, judge_unit, unit)
        ]


def exam_runs(trades: sa.Select | Sequence[int]) -> dict[int, ExamRun]:
    """The exams of the trades (ids, or a query selecting them), by trade id: three queries,
    whatever the number of trades (none more when no trade has an exam)."""
    rows = db.session.execute(
        sa.select(ExamSetting, Trade.code, Trade.recusal, Component.code, Component.max)
        .join(Trade, Trade.id == ExamSetting.trade_id)
        .join(Component, Component.id == ExamSetting.component_id)
        .where(ExamSetting.trade_id.in_(trades))
    ).all()
    if not rows:
        return {}
    banks = {row[0].bank_id for row in rows}
    versions: dict[int, dict[str, dict[int, QuestionItem]]] = defaultdict(lambda: defaultdict(dict))
    for item in db.session.execute(
        sa.select(QuestionItem).where(QuestionItem.bank_id.in_(banks))
    ).scalars():
        versions[item.bank_id][item.code][item.version] = item
    components = [row[0].component_id for row in rows]
    trade_ids = [row[0].trade_id for row in rows]
    unit = Unit.code
    own: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    panel: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    for kind, owner, _, code, unit_code in db.session.execute(
        sa.union_all(
            sa.select(
                sa.literal_column("'c'"), component_judges.c.component_id, Judge.id, Judge.code,
                unit,
            )
            .join(Judge, Judge.id == component_judges.c.judge_id)
            .outerjoin(Unit, Unit.id == Judge.unit_id)
            .where(component_judges.c.component_id.in_(components)),
            sa.select(
                sa.literal_column("'t'"), PanelMember.trade_id, Judge.id, Judge.code, unit
            )
            .join(Judge, Judge.id == PanelMember.judge_id)
            .outerjoin(Unit, Unit.id == Judge.unit_id)
            .where(PanelMember.trade_id.in_(trade_ids)),
        ).order_by(sa.literal_column("3"))
    ):  # fmt: skip
        (own if kind == "c" else panel)[owner].append((code, unit_code))
    runs = {}
    for setting, trade, recusal, component, maximum in rows:
        exam = exam_of(setting, trade, component)
        runs[setting.trade_id] = ExamRun(
            exam_id=setting.id,
            trade_id=setting.trade_id,
            exam=exam,
            papers=papers_of(setting.sealed_papers or ()),
            bank=sealed_items(versions[setting.bank_id], setting.sealed_versions or {}),
            maximum=maximum,
            recusal=recusal,
            seats=tuple(own.get(setting.component_id) or panel.get(setting.trade_id, ())),
        )
    return runs


def sealed_items(
    versions: Mapping[str, Mapping[int, QuestionItem]], sealed: Mapping[str, int]
) -> dict[str, Item]:
    """A bank's items by code as an exam marks them: the version its papers were sealed
    with, else the latest (EXAMS.md §1)."""
    return {
        code: item_of(by_version.get(sealed.get(code, 0)) or by_version[max(by_version)])
        for code, by_version in versions.items()
    }


@dataclass
class StoredAttempt:
    """An entrant's responses by item code and the judges' values of their short items by
    (item, judge code)."""

    responses: dict[str, Any] = field(default_factory=dict)
    values: dict[tuple[str, str], Decimal] = field(default_factory=dict)


def stored_attempts(entrants: sa.Select | Sequence[int]) -> dict[int, StoredAttempt]:
    """The attempts of the entrants (ids, or a query selecting them) by entrant id, in two
    queries; an entrant has one when an answer names them (EXAMS.md §5) and no sitting of
    theirs is still going on (an attempt counts once it ends, §3)."""
    found: dict[int, StoredAttempt] = {}
    sitting = (
        sa.select(ExamSitting.id)
        .where(
            ExamSitting.exam_id == ExamAnswer.exam_id,
            ExamSitting.entrant_id == ExamAnswer.entrant_id,
            ExamSitting.ended_at.is_(None),
        )
        .exists()
    )
    for entrant_id, item, response in db.session.execute(
        sa.select(ExamAnswer.entrant_id, ExamAnswer.item_code, ExamAnswer.response).where(
            ExamAnswer.entrant_id.in_(entrants), ~sitting
        )
    ):
        found.setdefault(entrant_id, StoredAttempt()).responses[item] = response
    for entrant_id, item, judge, value in db.session.execute(
        sa.select(ItemScore.entrant_id, ItemScore.item_code, Judge.code, ItemScore.value)
        .join(Judge, Judge.id == ItemScore.judge_id)
        .where(ItemScore.entrant_id.in_(entrants))
    ):
        if entrant_id in found:
            found[entrant_id].values[(item, judge)] = value
    return found


def papers_listing(run: ExamRun) -> dict[str, Any]:
    """Each sealed paper's item codes, section by section in drawn order, voided items
    included (``exam-papers``, EXAMS.md §5)."""
    return {"papers": [list(paper.items) for paper in run.papers]}


def report(run: ExamRun, attempts: Sequence[Marked]) -> dict[str, Any]:
    """The item analysis of the exam over ``attempts`` (``exam-report``, EXAMS.md §3, §5):
    ``p`` and ``D`` as text with 2 places (null when not defined)."""
    found = item_analysis(run.exam, run.papers, attempts)
    return {
        "items": [
            {
                "code": s.code,
                "p": str(s.p) if s.p is not None else None,
                "D": str(s.D) if s.D is not None else None,
                "flagged": s.flagged,
            }
            for s in found
        ]
    }
