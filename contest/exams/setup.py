"""A trade's exam set up in the app (组卷, EXAMS.md §2): its blueprint checked as the
package reader checks one, its papers previewed, sealed (封卷), opened (开考) and closed
(结束考试); and, after the exam, an item's key corrected or an item voided (答案异议, §3).

A corrected key is a new version of the item whose only change is the key; the exam's
``sealed_versions`` then names that version for the item, so the exam marks with it while
every other exam sealed with the old version keeps it (§1). Voiding adds the item to the
exam's ``voided``. Each change is audited (old → new, with the organiser's reason) and the
audit log is where the exam page reads the list of changes. Results are recomputed by the
caller (``contest.organise.exam_changes``); nothing here commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.core.queries import lock_row
from contest.core.types import utcnow
from contest.domain.exams import Item, ItemType, Paper, Section, TooFewItems, draw_papers
from contest.domain.package import PackageError, Problem, read_exam, read_item
from contest.domain.refusal import N_, Refused
from contest.events.models import Component, Trade
from contest.exams import services
from contest.exams.models import ExamSetting, QuestionBank, QuestionItem

#: The audit actions of the changes made after an exam, as the exam page lists them.
KEY_CHANGED = "exam.key"
ITEM_VOIDED = "exam.void"


class ExamInvalid(PackageError):
    """A blueprint or a key the organiser has to correct; nothing was changed. Problems
    carry the path of the field (``minutes``, ``sections[1].count``, ``key``)."""

    reasons = {
        "invalid": N_("Nothing was saved. Please correct the following:"),
        "too_few_items": N_(
            "Section %(section)s (%(type)s): the bank has only %(found)s matching items, "
            "%(count)s are needed"
        ),
        "not_exam_component": N_(
            "choose a component of this trade without criteria (normally the theory one)"
        ),
        "component_scored": N_(
            "component %(code)s already has directly entered scores: a component fed by an "
            "exam takes none"
        ),
        "no_bank": N_("choose a question bank"),
        "no_sections": N_("give at least one section"),
        "no_reason": N_("give the reason"),
        "same_key": N_("this is the item's key already"),
    }


class ExamRefused(Refused):
    """An action the exam's state does not allow."""

    reasons = {
        "sealed": N_(
            "The papers of this exam were sealed on %(at)s: its blueprint can no longer change."
        ),
        "already_sealed": N_("The papers of this exam were already sealed on %(at)s."),
        "not_sealed": N_("The papers of this exam are not sealed yet: seal them first."),
        "too_few": N_(
            "Section %(section)s (%(type)s): the bank has only %(found)s matching items, "
            "%(count)s are needed"
        ),
        "already_open": N_("The exam was opened on %(at)s; it cannot be opened again."),
        "not_open": N_("The exam has not been opened, so it cannot be closed."),
        "already_closed": N_("The exam was closed on %(at)s."),
        "not_on_paper": N_("Item %(item)s is on none of this exam's papers."),
        "already_voided": N_("Item %(item)s is already voided."),
        "voids_paper": N_(
            "Voiding item %(item)s would void every item of paper %(paper)s: a paper needs "
            "something to mark."
        ),
        "no_paper": N_("This exam has no paper %(paper)s."),
    }
    statuses = {"not_on_paper": 404, "no_paper": 404}
    default_status = 409


# --- the blueprint -------------------------------------------------------------------------------


@dataclass
class ExamInput:
    """The set-up form as typed: whole numbers where the form read them, decimals as text,
    and each section as a package writes it (``type``, ``count``, ``marks``, ``filter``, …)."""

    component_id: int | None
    bank_id: int | None
    minutes: Any
    seed: str | None
    papers: Any
    sections: list[dict[str, Any]]


def exam_of_trade(trade: Trade) -> ExamSetting | None:
    """The trade's exam, if it has one."""
    return db.session.execute(
        sa.select(ExamSetting).where(ExamSetting.trade_id == trade.id)
    ).scalar_one_or_none()


def exam_components(trade: Trade) -> list[Component]:
    """The components an exam may feed: those without criteria."""
    return [c for c in trade.components if not c.criteria]


def banks() -> list[QuestionBank]:
    """Every question bank, by name."""
    return list(db.session.execute(sa.select(QuestionBank).order_by(QuestionBank.name)).scalars())


def _latest(bank_id: int) -> dict[str, QuestionItem]:
    """The latest version of every item of the bank, by code."""
    found: dict[str, QuestionItem] = {}
    for row in db.session.execute(
        sa.select(QuestionItem).where(QuestionItem.bank_id == bank_id)
    ).scalars():
        if row.code not in found or row.version > found[row.code].version:
            found[row.code] = row
    return found


def bank_items(bank_id: int) -> list[Item]:
    """The bank's items as a paper drawn now takes them (their latest versions), by code."""
    return [services.item_of(row) for _, row in sorted(_latest(bank_id).items())]


def _state(setting: ExamSetting) -> dict[str, Any]:
    return {
        "component": setting.component.code if setting.component else None,
        "bank": setting.bank_id,
        "minutes": setting.minutes,
        "seed": setting.seed,
        "papers": setting.papers,
        "sections": setting.sections,
    }


def save_exam(actor: User, trade: Trade, data: ExamInput) -> ExamSetting:
    """Create the trade's exam or change its blueprint, checked as the package reader checks
    an exam (``ExamInvalid``, naming the section that draws too few items). Refused
    (``ExamRefused``) once the papers are sealed."""
    setting = exam_of_trade(trade)
    if setting is not None:
        lock_row(ExamSetting, setting.id)
        db.session.refresh(setting)
        if setting.sealed_at is not None:
            raise ExamRefused("sealed", at=setting.sealed_at, timezone=trade.event.timezone)
    problems: list[Problem] = []
    components = {c.id: c for c in exam_components(trade)}
    component = components.get(data.component_id or 0)
    if component is None:
        problems.append(Problem("component", "not_exam_component"))
    bank = db.session.get(QuestionBank, data.bank_id) if data.bank_id else None
    if bank is None:
        problems.append(Problem("bank", "no_bank"))
    if not data.sections:
        problems.append(Problem("sections", "no_sections"))
    document = {
        "trade": trade.code,
        "component": component.code if component else "theory",
        "minutes": data.minutes,
        "seed": data.seed,
        "papers": data.papers,
        "sections": data.sections or [{}],
    }
    try:
        exam, _ = read_exam(document, bank_items(bank.id) if bank else [])
    except PackageError as error:
        found = [p for p in error.problems if bank or p.code != "too_few_items"]
        if data.sections:
            problems += found
        else:
            problems += [p for p in found if not p.path.startswith("sections")]
    if problems:
        raise ExamInvalid(problems)
    assert component is not None and bank is not None
    before = _state(setting) if setting is not None else None
    if setting is None:
        setting = ExamSetting(trade_id=trade.id, voided=[])
        db.session.add(setting)
    setting.component = component
    setting.component_id = component.id
    setting.bank_id = bank.id
    setting.minutes = exam.minutes
    setting.seed = exam.seed
    setting.papers = exam.papers
    setting.sections = [services.section_json(s) for s in exam.sections]
    db.session.flush()
    after = _state(setting)
    if before != after:
        audit.record(
            actor,
            "exam.update" if before is not None else "exam.create",
            "exam",
            setting.id,
            old=before,
            new=after,
            event=trade.event,
        )
    return setting


# --- papers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperItem:
    """An item as a paper shows it: its number on the paper, the item, whether voided."""

    number: int
    item: Item
    voided: bool


@dataclass(frozen=True)
class PaperSection:
    """A section of a paper: its place (1-based), its blueprint and its items."""

    number: int
    section: Section
    items: tuple[PaperItem, ...]


@dataclass(frozen=True)
class PaperView:
    """A paper with its sections and its total (Σ marks of the items not voided)."""

    number: int
    sections: tuple[PaperSection, ...]
    total: Decimal


@dataclass(frozen=True)
class Papers:
    """The exam's papers: the sealed ones with their sealed versions, or those a seal would
    give now (drawn from the bank's latest versions)."""

    sealed: bool
    papers: tuple[PaperView, ...]


def _views(
    sections: Sequence[Section],
    papers: Sequence[Paper],
    bank: Mapping[str, Item],
    voided: frozenset[str],
) -> tuple[PaperView, ...]:
    found = []
    for paper in papers:
        number, parts, total = 0, [], Decimal(0)
        for place, (section, codes) in enumerate(zip(sections, paper.sections, strict=True), 1):
            items = []
            for code in codes:
                number += 1
                items.append(PaperItem(number, bank[code], code in voided))
                if code not in voided:
                    total += section.marks
            parts.append(PaperSection(place, section, tuple(items)))
        found.append(PaperView(paper.number, tuple(parts), total))
    return tuple(found)


def _drawn(setting: ExamSetting) -> tuple[tuple[Paper, ...], dict[str, QuestionItem]]:
    """The papers a seal would give now, and the items' latest versions."""
    latest = _latest(setting.bank_id)
    exam = services.exam_of(setting, "", "")
    try:
        papers = draw_papers(exam, [services.item_of(row) for _, row in sorted(latest.items())])
    except TooFewItems as error:
        kind = exam.sections[error.params["section"] - 1].type
        raise ExamRefused("too_few", type=kind, **error.params) from None
    return papers, latest


def papers_of_exam(setting: ExamSetting) -> Papers:
    """Each paper's sections with their items (stems, options, keys) and marks: the sealed
    papers in their sealed versions, else drawn now from the bank with the seed (refused,
    ``ExamRefused``, when a section finds too few items)."""
    sections = [services.section_from_json(s) for s in setting.sections]
    voided = frozenset(setting.voided or ())
    if setting.sealed_at is not None:
        run = services.exam_runs([setting.trade_id])[setting.trade_id]
        return Papers(True, _views(sections, run.papers, run.bank, voided))
    papers, latest = _drawn(setting)
    bank = {code: services.item_of(row) for code, row in latest.items()}
    return Papers(False, _views(sections, papers, bank, voided))


def _locked(setting: ExamSetting) -> None:
    lock_row(ExamSetting, setting.id)
    db.session.refresh(setting)


def seal_exam(actor: User, setting: ExamSetting) -> None:
    """Seal the papers (封卷): draw them now and keep, for every item on them, the version
    drawn (EXAMS.md §2); later edits of the bank no longer change them."""
    _locked(setting)
    zone = setting.trade.event.timezone
    if setting.sealed_at is not None:
        raise ExamRefused("already_sealed", at=setting.sealed_at, timezone=zone)
    papers, latest = _drawn(setting)
    setting.sealed_papers = services.sealed(papers)
    setting.sealed_versions = {
        code: latest[code].version for paper in papers for code in paper.items
    }
    setting.sealed_at = utcnow()
    audit.record(
        actor,
        "exam.seal",
        "exam",
        setting.id,
        new={"papers": setting.sealed_papers, "versions": setting.sealed_versions},
        event=setting.trade.event,
    )


def open_exam(actor: User, setting: ExamSetting) -> None:
    """Open the exam (开考): entrants may start from now. Seals the papers first if they are
    not sealed yet. Refused (``ExamRefused``) if it was opened already."""
    _locked(setting)
    if setting.opened_at is not None:
        zone = setting.trade.event.timezone
        raise ExamRefused("already_open", at=setting.opened_at, timezone=zone)
    if setting.sealed_at is None:
        seal_exam(actor, setting)
    setting.opened_at = utcnow()
    audit.record(
        actor,
        "exam.open",
        "exam",
        setting.id,
        new={"opened_at": setting.opened_at.isoformat()},
        event=setting.trade.event,
    )


def close_exam(actor: User, setting: ExamSetting) -> None:
    """Close the exam (结束考试): no one may start from now. Refused (``ExamRefused``) if it
    was never opened or is closed already."""
    _locked(setting)
    zone = setting.trade.event.timezone
    if setting.opened_at is None:
        raise ExamRefused("not_open")
    if setting.closed_at is not None:
        raise ExamRefused("already_closed", at=setting.closed_at, timezone=zone)
    setting.closed_at = utcnow()
    audit.record(
        actor,
        "exam.close",
        "exam",
        setting.id,
        new={"closed_at": setting.closed_at.isoformat()},
        event=setting.trade.event,
    )


# --- after the exam: keys corrected, items voided (答案异议) -----------------------------------


def _on_papers(setting: ExamSetting, code: str) -> list[int]:
    """The numbers of the sealed papers that hold the item (refused if none does)."""
    if setting.sealed_at is None:
        raise ExamRefused("not_sealed")
    found = [
        number
        for number, sections in enumerate(setting.sealed_papers or (), start=1)
        if any(code in codes for codes in sections)
    ]
    if not found:
        raise ExamRefused("not_on_paper", item=code)
    return found


def _reason(reason: str | None, problems: list[Problem]) -> str:
    reason = (reason or "").strip()
    if not reason:
        problems.append(Problem("reason", "no_reason"))
    return reason


def change_key(actor: User, setting: ExamSetting, code: str, key: Any, reason: str | None) -> None:
    """Correct the key the exam marks ``code`` with: a new version of the item, the same but
    for its key (checked as the package reader checks a key, ``ExamInvalid``), which the
    exam's ``sealed_versions`` names from now on. Audited with the old and new key and the
    reason."""
    _locked(setting)
    _on_papers(setting, code)
    problems: list[Problem] = []
    why = _reason(reason, problems)
    versions = dict(setting.sealed_versions or {})
    rows = {
        row.version: row
        for row in db.session.execute(
            sa.select(QuestionItem).where(
                QuestionItem.bank_id == setting.bank_id, QuestionItem.code == code
            )
        ).scalars()
    }
    current = rows.get(versions.get(code, 0)) or rows[max(rows)]
    values = services.item_values(services.item_of(current))
    document = {
        key_: value
        for key_, value in {**values, "type": current.type.value, "key": key}.items()
        if value is not None
    }
    try:
        corrected = read_item(document)
    except PackageError as error:
        problems += [p for p in error.problems if p.path.startswith("key")]
    else:
        if services.key_json(corrected) == current.key:
            problems.append(Problem("key", "same_key"))
    if problems:
        raise ExamInvalid(problems)
    version = max(rows) + 1
    db.session.add(
        QuestionItem(
            bank_id=setting.bank_id,
            version=version,
            image=current.image,
            public=current.public,
            **services.item_values(corrected),
        )
    )
    setting.sealed_versions = {**versions, code: version}
    audit.record(
        actor,
        KEY_CHANGED,
        "exam",
        setting.id,
        old={"item": code, "key": current.key, "version": current.version},
        new={"item": code, "key": services.key_json(corrected), "version": version},
        reason=why,
        event=setting.trade.event,
    )


def void_item(actor: User, setting: ExamSetting, code: str, reason: str | None) -> None:
    """Void an item (EXAMS.md §3): it leaves both raw and paper total of every attempt.
    Refused if already voided, or if it would leave a paper nothing to mark."""
    _locked(setting)
    numbers = _on_papers(setting, code)
    voided = list(setting.voided or ())
    if code in voided:
        raise ExamRefused("already_voided", item=code)
    problems: list[Problem] = []
    why = _reason(reason, problems)
    if problems:
        raise ExamInvalid(problems)
    after = {*voided, code}
    for number in numbers:
        sections = (setting.sealed_papers or [])[number - 1]
        if all(item in after for codes in sections for item in codes):
            raise ExamRefused("voids_paper", item=code, paper=number)
    setting.voided = sorted(after)
    audit.record(
        actor,
        ITEM_VOIDED,
        "exam",
        setting.id,
        old={"voided": voided},
        new={"item": code, "voided": setting.voided},
        reason=why,
        event=setting.trade.event,
    )


@dataclass(frozen=True)
class Change:
    """A change made after the exam, as the exam page lists it."""

    at: Any
    actor: str
    item: str
    kind: str  # KEY_CHANGED or ITEM_VOIDED
    old: Any
    new: Any
    reason: str | None

    @property
    def old_text(self) -> str:
        """The key before the change, as the organiser reads it."""
        return stored_key_text(self.old)

    @property
    def new_text(self) -> str:
        """The key after the change, as the organiser reads it."""
        return stored_key_text(self.new)


def stored_key_text(key: Any) -> str:
    """A key as stored (JSON), as the organiser reads it."""
    if isinstance(key, bool):
        return gettext("Right") if key else gettext("Wrong")
    if isinstance(key, list) and all(isinstance(blank, list) for blank in key):
        return "；".join(" / ".join(blank) for blank in key)
    if isinstance(key, list):
        return "".join(key)
    return "" if key is None else str(key)


def changes(setting: ExamSetting) -> list[Change]:
    """The keys corrected and the items voided, oldest first (from the audit log)."""
    found = []
    for entry in db.session.execute(
        sa.select(audit.AuditEntry)
        .where(
            audit.AuditEntry.entity == "exam",
            audit.AuditEntry.entity_id == str(setting.id),
            audit.AuditEntry.action.in_((KEY_CHANGED, ITEM_VOIDED)),
        )
        .order_by(audit.AuditEntry.id)
    ).scalars():
        new, old = entry.new or {}, entry.old or {}
        keyed = entry.action == KEY_CHANGED
        found.append(
            Change(
                entry.at,
                entry.actor,
                new.get("item", ""),
                entry.action,
                old.get("key") if keyed else None,
                new.get("key") if keyed else None,
                entry.reason,
            )
        )
    return found


def item_type(setting: ExamSetting, code: str) -> ItemType:
    """The type of an item of the sealed papers (refused if no paper holds it)."""
    _on_papers(setting, code)
    kind = db.session.execute(
        sa.select(QuestionItem.type)
        .where(QuestionItem.bank_id == setting.bank_id, QuestionItem.code == code)
        .limit(1)
    ).scalar_one()
    return ItemType(kind)


def items_on_papers(setting: ExamSetting) -> list[str]:
    """The codes of every item on a sealed paper, sorted."""
    return sorted(
        {c for sections in setting.sealed_papers or () for codes in sections for c in codes}
    )


#: Words accepted for the key of a judge item (EXAMS.md §1: the template accepts 对/错, √/×, T/F).
TRUE_WORDS = {"true", "t", "right", "对", "√", "正确", "是", "1"}
FALSE_WORDS = {"false", "f", "wrong", "错", "×", "错误", "否", "0"}


def key_from_text(kind: ItemType, text: str | None) -> Any:
    """A key as the organiser types it, read for the item's type: a label (single), labels
    run together or separated (multiple: ``ACD``, ``A,C,D``), true/false (judge, also
    对/错, √/×, T/F), one line per blank with accepted answers separated by ``/`` or ``；``
    (fill), the reference answer (short). What cannot be read is passed on as typed, for
    the package's rules to refuse in their words."""
    text = (text or "").strip()
    if not text:
        return None
    if kind == ItemType.SINGLE:
        return text.upper()
    if kind == ItemType.MULTIPLE:
        return [c for c in text.upper() if c.isalpha()]
    if kind == ItemType.JUDGE:
        word = text.casefold()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else text
    if kind == ItemType.FILL:
        return [
            [a.strip() for a in re.split(r"[/；;]", line) if a.strip()]
            for line in text.splitlines()
            if line.strip()
        ]
    return text


def key_text(kind: ItemType, key: Any, blanks: str = "\n") -> str:
    """A stored key as the organiser reads and types it (``key_from_text`` reads it back);
    the blanks of a ``fill`` key separated by ``blanks``."""
    if key is None:
        return ""
    if kind == ItemType.MULTIPLE:
        return "".join(sorted(key))
    if kind == ItemType.JUDGE:
        return gettext("Right") if key is True else gettext("Wrong") if key is False else str(key)
    if kind == ItemType.FILL:
        return blanks.join(" / ".join(blank) for blank in key)
    return str(key)
