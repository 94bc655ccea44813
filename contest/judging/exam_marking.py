"""Blind marking of the ``short`` items of a trade's theory exam by its panel (EXAMS.md §3).

Judges mark one question across every script (按题评阅): for each entrant whose paper holds
the item and whose panel includes the judge — the theory component's judges, else the
trade's, less those recused for the entrant's unit and those the chief judge excused from the
entrant (``ExamRun.panel``) — the entrant's response, shown by the entrant's blind label only,
and the judge's value on 0..the section's marks in the section's step. Every panel judge's
value is needed before the item, and so the component, has a score.

A save is all or nothing: any value out of range, off its step, not a number or changed on
another device since the page was read refuses the whole save, each problem naming the
entrant's label and the item. It writes under the trade's shared lock after the lifecycle's
check (``facts.check_mark``: not signed off, not published), audits every value entered and
every change of one (old → new), and re-marks the trade's results for each entrant whose
value changed, as a sheet's submit does (``sheets.recompute``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.domain.exams import ItemType, Section, paper_number
from contest.domain.refusal import N_, Problem, Refused
from contest.domain.scoring import EntryError, check_value, is_recused
from contest.events.models import Judge, PanelMember, Trade, Unit
from contest.exams.models import ItemScore
from contest.exams.services import ExamRun, exam_runs, stored_attempts
from contest.judging import facts, sheets
from contest.judging.services import judge_for_user
from contest.registration.models import Entrant, RegistrationStatus
from contest.results.models import Excusal


class MarkingError(Refused):
    """A refused read or write of the marking of a short exam item."""

    NOT_ON_PANEL = "not_on_panel"
    NO_SHORT_ITEMS = "no_short_items"
    UNKNOWN_ITEM = "unknown_item"
    NOT_SHORT = "not_short"
    VOIDED = "voided"
    NOT_COMPETING = "not_competing"
    NO_ATTEMPT = "no_attempt"
    NOT_ON_PAPER = "not_on_paper"
    RECUSED = "recused"
    EXCUSED = "excused"
    OUT_OF_RANGE = "out_of_range"
    OFF_STEP = "off_step"
    NOT_A_NUMBER = "not_a_number"
    CONFLICT = "conflict"
    VALUES = "values"

    reasons = {
        NOT_ON_PANEL: N_("You are not on the panel that marks this trade's theory exam."),
        NO_SHORT_ITEMS: N_("The theory exam of %(trade)s has no short-answer items to mark."),
        UNKNOWN_ITEM: N_("Item %(item)s is not on a paper of this trade's theory exam."),
        NOT_SHORT: N_(
            "Item %(item)s is a %(type)s item: it is marked automatically, not by judges."
        ),
        VOIDED: N_("Item %(item)s has been voided: it is no longer marked."),
        NOT_COMPETING: N_("This entrant is not competing in this trade."),
        NO_ATTEMPT: N_("Entrant %(entrant)s has not sat the exam: there is nothing to mark."),
        NOT_ON_PAPER: N_("Item %(item)s is not on the paper of entrant %(entrant)s."),
        RECUSED: N_(
            "You are from the unit of entrant %(entrant)s and must not mark them (recusal)."
        ),
        EXCUSED: N_("The chief judge has excused you from entrant %(entrant)s."),
        OUT_OF_RANGE: N_("%(entrant)s, item %(item)s: enter a value from 0 to %(max)s."),
        OFF_STEP: N_("%(entrant)s, item %(item)s: enter a multiple of %(step)s."),
        NOT_A_NUMBER: N_("%(entrant)s, item %(item)s: “%(value)s” is not a number."),
        CONFLICT: N_(
            "%(entrant)s, item %(item)s: the value was changed to %(value)s meanwhile, on "
            "another device. Check it and save again."
        ),
        VALUES: N_("Nothing was saved. Please correct the values marked below."),
    }
    statuses = {
        NOT_ON_PANEL: 403,
        NO_SHORT_ITEMS: 404,
        UNKNOWN_ITEM: 404,
        NOT_SHORT: 422,
        VOIDED: 409,
        NOT_COMPETING: 404,
        NO_ATTEMPT: 404,
        NOT_ON_PAPER: 404,
        RECUSED: 403,
        EXCUSED: 403,
        VALUES: 422,
    }


# --- what there is to mark ---------------------------------------------------------------------


@dataclass(frozen=True)
class ShortItem:
    """A short item on the exam's papers, not voided, as its section marks it."""

    code: str
    stem: str
    reference: str | None  # the item's key: the reference answer for the markers
    section: Section

    @property
    def marks(self) -> Decimal:
        return self.section.marks

    @property
    def step(self) -> Decimal:
        return self.section.step


@dataclass(frozen=True)
class Script:
    """An entrant's attempt as the markers see it: the short items on their paper, their
    responses, and the judges (codes) who mark them."""

    entrant: Entrant
    items: frozenset[str]
    panel: tuple[str, ...]
    responses: Mapping[str, Any]

    def response(self, item: str) -> str | None:
        """The entrant's text for the item, or None when left blank."""
        given = self.responses.get(item)
        if given is None:
            return None
        text = given if isinstance(given, str) else str(given)
        return text if text.strip() else None


@dataclass
class Marking:
    """Everything the marking of a trade's short items needs, read in a fixed number of
    queries: the items, the scripts of the competing entrants who sat the exam (station
    order) and every judge's value by (entrant id, item, judge code)."""

    trade: Trade
    run: ExamRun
    items: list[ShortItem]
    scripts: list[Script]
    values: dict[tuple[int, str, str], Decimal] = field(default_factory=dict)
    #: Entrant id → the judge codes excused from them, and the unit code of each entrant.
    excused: dict[int, set[str]] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)

    def item(self, code: str) -> ShortItem:
        """The short item ``code``, or the refusal that says why it cannot be marked."""
        for item in self.items:
            if item.code == code:
                return item
        found = self.run.bank.get(code)
        if found is None or code not in _on_papers(self.run):
            raise MarkingError(MarkingError.UNKNOWN_ITEM, item=code)
        if found.type != ItemType.SHORT:
            raise MarkingError(MarkingError.NOT_SHORT, item=code, type=found.type)
        raise MarkingError(MarkingError.VOIDED, item=code)

    def marks_of(self, judge: str, item: str) -> list[Script]:
        """The scripts ``judge`` marks for ``item`` (recused and excused entrants left out)."""
        return [s for s in self.scripts if item in s.items and judge in s.panel]

    def progress(self, item: str | None = None, judge: str | None = None) -> tuple[int, int]:
        """(values in, values needed) of one item or every item, of one judge or the whole
        panel: one value per (entrant, item, panel judge)."""
        done = needed = 0
        for script in self.scripts:
            for code in script.items:
                if item is not None and code != item:
                    continue
                for marker in script.panel:
                    if judge is not None and marker != judge:
                        continue
                    needed += 1
                    done += (script.entrant.id, code, marker) in self.values
        return done, needed

    def marks(self, judge: str) -> bool:
        """Whether ``judge`` marks any script (the home's entry)."""
        return any(judge in s.panel and s.items for s in self.scripts)


def _on_papers(run: ExamRun) -> set[str]:
    return {code for paper in run.papers for code in paper.items}


def short_items(run: ExamRun) -> list[ShortItem]:
    """The short items on the exam's papers and not voided, in paper order (the first
    paper's, then any other paper's own), each with the section that draws it."""
    found: dict[str, ShortItem] = {}
    for paper in run.papers:
        for section, codes in zip(run.exam.sections, paper.sections, strict=True):
            if section.type != ItemType.SHORT:
                continue
            for code in codes:
                item = run.bank.get(code)
                if code in run.exam.voided or code in found or item is None:
                    continue
                reference = item.key if isinstance(item.key, str) and item.key else None
                found[code] = ShortItem(code, item.stem, reference, section)
    return list(found.values())


def load(trade: Trade, run: ExamRun | None = None) -> Marking | None:
    """The marking of the trade's short items (its exam ``run`` read unless given), or None
    when its exam has none (or it has no exam): eight queries, whatever the number of
    entrants."""
    run = run or exam_runs([trade.id]).get(trade.id)
    if run is None:
        return None
    items = short_items(run)
    if not items:
        return None
    competing = sa.and_(
        Entrant.trade_id == trade.id,
        Entrant.registration_status == RegistrationStatus.APPROVED,
        Entrant.status.is_(None),
    )
    rows = db.session.execute(
        sa.select(Entrant, Unit.code)
        .join(Unit, Unit.id == Entrant.unit_id)
        .where(competing)
        .order_by(Entrant.station_no.nulls_last(), Entrant.anon_code, Entrant.id)
    ).all()
    ids = sa.select(Entrant.id).where(competing)
    attempts = stored_attempts(ids)
    excused: dict[int, set[str]] = defaultdict(set)
    for entrant_id, judge in db.session.execute(
        sa.select(Excusal.entrant_id, Judge.code)
        .join(Judge, Judge.id == Excusal.judge_id)
        .where(Excusal.entrant_id.in_(ids))
    ):
        excused[entrant_id].add(judge)
    short = {item.code for item in items}
    marking = Marking(trade, run, items, [], excused=excused)
    for entrant, unit in rows:
        marking.units[entrant.id] = unit
        attempt = attempts.get(entrant.id)
        if attempt is None:
            continue
        paper = run.papers[paper_number(run.exam, entrant.code) - 1]
        panel = tuple(run.panel(unit, excused.get(entrant.id, ())))
        on_paper = frozenset(code for code in paper.items if code in short)
        marking.scripts.append(Script(entrant, on_paper, panel, attempt.responses))
        for (item, judge), value in attempt.values.items():
            marking.values[(entrant.id, item, judge)] = value
    return marking


# --- the judge's view --------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A trade whose short exam items this judge marks, with their progress (values in,
    values needed) — an entry of the judge's home."""

    trade: Trade
    done: int
    needed: int


def entries(user: User) -> list[Entry]:
    """The trades whose short exam items this account marks as a judge of the exam's panel,
    newest event first (for the judge's home)."""
    seats = db.session.execute(
        sa.select(PanelMember.trade_id, Judge.code)
        .join(Judge, Judge.id == PanelMember.judge_id)
        .where(Judge.user_id == user.id)
    ).all()
    if not seats:
        return []
    codes: dict[int, str] = {trade_id: code for trade_id, code in seats}
    found = []
    for trade_id, run in exam_runs(list(codes)).items():
        trade = db.session.get(Trade, trade_id)
        marking = load(trade, run) if trade is not None else None
        if marking is None or not marking.marks(codes[trade_id]):
            continue
        found.append(Entry(marking.trade, *marking.progress(judge=codes[trade_id])))
    return sorted(found, key=lambda e: (-e.trade.event_id, e.trade.position))


@dataclass(frozen=True)
class Row:
    """One script on the marking page: the entrant (shown by blind label), the response
    and this judge's value."""

    script: Script
    response: str | None
    value: Decimal | None


@dataclass
class Page:
    """One item's marking page for one judge."""

    marking: Marking
    judge: Judge
    item: ShortItem
    rows: list[Row]

    @property
    def mine(self) -> tuple[int, int]:
        return self.marking.progress(self.item.code, self.judge.code)

    @property
    def panel(self) -> tuple[int, int]:
        return self.marking.progress(self.item.code)


def _marking(user: User, trade: Trade) -> tuple[Marking, Judge]:
    """The trade's marking and the user's judge on the exam's panel, else refused."""
    judge = judge_for_user(user, trade)
    if judge is None:
        raise MarkingError(MarkingError.NOT_ON_PANEL)
    marking = load(trade)
    if marking is None:
        raise MarkingError(MarkingError.NO_SHORT_ITEMS, trade=trade.name)
    if judge.code not in {code for code, _ in marking.run.seats}:
        raise MarkingError(MarkingError.NOT_ON_PANEL)
    return marking, judge


def overview(user: User, trade: Trade) -> tuple[Marking, Judge]:
    """The trade's short items with this judge's progress on each (the trade's marking
    index); refused to anyone not on the exam's panel."""
    return _marking(user, trade)


def page(user: User, trade: Trade, item_code: str) -> Page:
    """The marking page of one item for this judge: the scripts they mark, in station order,
    by blind label."""
    marking, judge = _marking(user, trade)
    item = marking.item(item_code)
    rows = [
        Row(
            script,
            script.response(item.code),
            marking.values.get((script.entrant.id, item.code, judge.code)),
        )
        for script in marking.marks_of(judge.code, item.code)
    ]
    return Page(marking, judge, item, rows)


# --- saving ------------------------------------------------------------------------------------


#: A value as a judge types it: digits with at most one decimal point, perhaps signed (a
#: negative one is then refused as out of range); no exponents, no NaN or infinity.
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def _typed(raw: str) -> str:
    """A typed value as compared: full-width digits and points made half-width, trimmed."""
    return unicodedata.normalize("NFKC", raw).strip()


def _script(marking: Marking, judge: Judge, item: ShortItem, entrant_id: int) -> Script:
    """The script of entrant ``entrant_id`` for this judge and item, or why there is none."""
    found = next((s for s in marking.scripts if s.entrant.id == entrant_id), None)
    if found is None:
        entrant = db.session.get(Entrant, entrant_id)
        if entrant is None or entrant.id not in marking.units:
            raise MarkingError(MarkingError.NOT_COMPETING)
        raise MarkingError(MarkingError.NO_ATTEMPT, entrant=entrant.judge_label)
    label = found.entrant.judge_label
    if item.code not in found.items:
        raise MarkingError(MarkingError.NOT_ON_PAPER, item=item.code, entrant=label)
    if judge.code not in found.panel:
        unit = marking.units[entrant_id]
        seat_unit = dict(marking.run.seats).get(judge.code)
        if is_recused(marking.run.recusal, seat_unit, unit):
            raise MarkingError(MarkingError.RECUSED, entrant=label)
        raise MarkingError(MarkingError.EXCUSED, entrant=label)
    return found


def save(
    user: User,
    trade: Trade,
    item_code: str,
    typed: Mapping[int, str],
    seen: Mapping[int, str],
    reason: str | None = None,
) -> int:
    """Save this judge's values of one item, by entrant id (blank: left as it is), each
    read against the value the page showed (``seen``; a missing entry is not checked);
    returns how many changed. All or nothing: ``MarkingError(VALUES)`` holds every value's
    problem, by entrant id."""
    if judge_for_user(user, trade) is None:
        raise MarkingError(MarkingError.NOT_ON_PANEL)
    facts.check_mark(trade)
    marking, judge = _marking(user, trade)
    item = marking.item(item_code)
    maximum, step = item.marks, item.step
    changes: list[tuple[Script, Decimal, Decimal | None]] = []
    problems = []
    for entrant_id, raw in typed.items():
        script = _script(marking, judge, item, entrant_id)
        text = _typed(raw)
        if text == "":
            continue
        label = script.entrant.judge_label
        where = {"entrant": label, "item": item.code}
        if NUMBER.fullmatch(text) is None:
            problems.append(
                Problem(str(entrant_id), MarkingError.NOT_A_NUMBER, {**where, "value": raw[:20]})
            )
            continue
        value = Decimal(text)
        found = check_value(value, maximum, step)
        if found is not None:
            code = (
                MarkingError.OUT_OF_RANGE
                if found == EntryError.OUT_OF_RANGE
                else MarkingError.OFF_STEP
            )
            problems.append(
                Problem(str(entrant_id), code, {**where, "max": str(maximum), "step": str(step)})
            )
            continue
        stored = marking.values.get((entrant_id, item.code, judge.code))
        if stored is not None and stored == value:
            continue
        shown = _typed(seen[entrant_id]) if entrant_id in seen else None
        if shown is not None and _differs(shown, stored):
            problems.append(
                Problem(
                    str(entrant_id),
                    MarkingError.CONFLICT,
                    {**where, "value": str(stored) if stored is not None else "—"},
                )
            )
            continue
        changes.append((script, value, stored))
    if problems:
        raise MarkingError(MarkingError.VALUES, problems=problems)
    rows = {
        row.entrant_id: row
        for row in db.session.execute(
            sa.select(ItemScore).where(
                ItemScore.exam_id == marking.run.exam_id,
                ItemScore.item_code == item.code,
                ItemScore.judge_id == judge.id,
                ItemScore.entrant_id.in_([script.entrant.id for script, _, _ in changes]),
            )
        ).scalars()
    }
    for script, value, old in changes:
        entrant = script.entrant
        row = rows.get(entrant.id)
        if row is None:
            row = ItemScore(
                exam_id=marking.run.exam_id,
                entrant_id=entrant.id,
                item_code=item.code,
                judge_id=judge.id,
                value=value,
            )
            db.session.add(row)
        else:
            row.value = value
        db.session.flush()
        sheets.recompute(trade, entrant, _entry(user, trade, row, entrant, judge, old, reason))
    return len(changes)


def _differs(shown: str, stored: Decimal | None) -> bool:
    """Whether the value the page showed is not the one stored now."""
    if shown == "":
        return stored is not None
    try:
        return stored is None or Decimal(shown) != stored
    except InvalidOperation:
        return True


def _entry(
    user: User,
    trade: Trade,
    row: ItemScore,
    entrant: Entrant,
    judge: Judge,
    old: Decimal | None,
    reason: str | None,
) -> Callable[[], None]:
    """The audit entry of one value: entered, or changed (old → new)."""

    def entry() -> None:
        audit.record(
            user,
            "exam_mark.amend" if old is not None else "exam_mark.enter",
            "item_score",
            row.id,
            event=trade.event,
            old={"value": str(old)} if old is not None else None,
            new={
                "value": str(row.value),
                "entrant": entrant.code,
                "item": row.item_code,
                "judge": judge.code,
            },
            reason=reason,
        )

    return entry
