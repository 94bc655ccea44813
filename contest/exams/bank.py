"""Question banks (题库) kept by the organisers: banks and their counts, the Excel template,
imports from Excel and JSON (all or nothing, ``contest.domain.exam_bank``), the JSON export,
browsing the latest version of each item, editing an item (a new version when a sealed paper
uses the current one), the practice flag and the stem's image.

Every change is audited; nothing here commits (the request boundary does).
"""

from __future__ import annotations

import json
import re
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from flask_sqlalchemy.pagination import Pagination
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from contest.core import audit, pagination, uploads
from contest.core.extensions import db
from contest.core.files import append_row, style_header, workbook_bytes
from contest.domain import exam_bank
from contest.domain.exam_bank import HEADER, Plan
from contest.domain.exams import Item, ItemType, normalise
from contest.domain.refusal import N_, Problem, Refused
from contest.domain.registration import RowProblem
from contest.domain.skills import SKILL_LADDER
from contest.exams.models import ExamSetting, QuestionBank, QuestionItem
from contest.exams.services import item_of, item_values

#: At most this many items in one Excel file.
MAX_ROWS = 5_000
#: A JSON bank file larger than this is refused unread; items nest four levels deep.
MAX_JSON_SIZE = 16 * uploads.MB
MAX_JSON_DEPTH = 8
#: An image shown with a stem: PNG or JPEG of at most this size.
MAX_IMAGE_SIZE = 2 * uploads.MB
IMAGE_KINDS = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
IMAGE_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg)$")
IMAGE_FOLDER = "item-images"
NAME_LENGTH = 200


class BankRefused(Refused):
    """A change to a bank the rules refuse."""

    reasons = {
        "name_required": N_("Give the bank a name."),
        "name_too_long": N_("The name is longer than %(max)d characters."),
        "name_taken": N_("A question bank named “%(name)s” already exists."),
        "same_stem": N_(
            "Item “%(other)s” of this bank has the same stem (after normalisation); "
            "nothing was saved."
        ),
        "bad_image": N_("The image must be a PNG or JPEG file."),
        "image_too_large": N_("The image is larger than %(max)d MB."),
    }


# --- banks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankSummary:
    """A bank with the number of its items (latest versions), in all and by type."""

    bank: QuestionBank
    items: int
    by_type: dict[ItemType, int] = field(default_factory=dict)


def _latest(bank_ids: Any = None) -> Any:
    """The latest version of each code, as (bank_id, code, version)."""
    query = sa.select(
        QuestionItem.bank_id,
        QuestionItem.code,
        sa.func.max(QuestionItem.version).label("version"),
    ).group_by(QuestionItem.bank_id, QuestionItem.code)
    if bank_ids is not None:
        query = query.where(QuestionItem.bank_id.in_(bank_ids))
    return query.subquery()


def _latest_rows(bank: QuestionBank) -> sa.Select:
    latest = _latest([bank.id])
    return sa.select(QuestionItem).join(
        latest,
        sa.and_(
            QuestionItem.bank_id == latest.c.bank_id,
            QuestionItem.code == latest.c.code,
            QuestionItem.version == latest.c.version,
        ),
    )


def bank_summaries() -> list[BankSummary]:
    """Every bank by name, with its counts: two queries."""
    banks = list(db.session.execute(sa.select(QuestionBank).order_by(QuestionBank.name)).scalars())
    latest = _latest()
    counts: dict[int, Counter[ItemType]] = {bank.id: Counter() for bank in banks}
    for bank_id, kind, n in db.session.execute(
        sa.select(QuestionItem.bank_id, QuestionItem.type, sa.func.count())
        .join(
            latest,
            sa.and_(
                QuestionItem.bank_id == latest.c.bank_id,
                QuestionItem.code == latest.c.code,
                QuestionItem.version == latest.c.version,
            ),
        )
        .group_by(QuestionItem.bank_id, QuestionItem.type)
    ):
        counts[bank_id][ItemType(kind)] = n
    return [
        BankSummary(bank, sum(counts[bank.id].values()), dict(counts[bank.id])) for bank in banks
    ]


def create_bank(actor: Any, name: str | None) -> QuestionBank:
    """A new, empty bank; its name is required and unique."""
    name = (name or "").strip()
    if not name:
        raise BankRefused("name_required")
    if len(name) > NAME_LENGTH:
        raise BankRefused("name_too_long", max=NAME_LENGTH)
    taken = db.session.execute(sa.select(QuestionBank.id).where(QuestionBank.name == name)).first()
    if taken is not None:
        raise BankRefused("name_taken", name=name)
    bank = QuestionBank(name=name)
    db.session.add(bank)
    db.session.flush()
    audit.record(actor, "bank.create", "question_bank", bank.id, new={"name": name})
    return bank


def latest_rows(bank: QuestionBank) -> dict[str, QuestionItem]:
    """The latest version of each item of the bank, by code."""
    return {row.code: row for row in db.session.execute(_latest_rows(bank)).scalars()}


def latest_items(bank: QuestionBank) -> dict[str, Item]:
    """The bank's latest versions as the pure rules take them, by code."""
    return {code: item_of(row) for code, row in latest_rows(bank).items()}


# --- the Excel template and imports -------------------------------------------------------------


def template() -> bytes:
    """The Excel template: the items sheet (the header, each title with a comment saying how
    to fill its column, and two example rows) and a sheet of instructions."""
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Items")
    append_row(sheet, list(HEADER))
    style_header(sheet)
    notes = _column_notes()
    for cell in sheet[1]:
        cell.comment = Comment(notes[cell.value], "contest")
    for item in _examples():
        append_row(sheet, exam_bank.row_cells(item))
    widths = {exam_bank.STEM: 40, exam_bank.KEY: 16, exam_bank.EXPLANATION: 30}
    for index, title in enumerate(HEADER, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(title, 12)
        sheet.column_dimensions[letter].number_format = "@"  # codes and 知识点 stay text
    sheet.freeze_panes = "A2"
    last = MAX_ROWS + 1
    types = DataValidation(
        type="list", formula1=f'"{",".join(exam_bank.TYPE_TITLES.values())}"', allow_blank=True
    )
    levels = DataValidation(type="list", formula1=f'"{",".join(SKILL_LADDER)}"', allow_blank=True)
    for validation, title in ((types, exam_bank.TYPE), (levels, exam_bank.LEVEL)):
        letter = get_column_letter(HEADER.index(title) + 1)
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)
    guide = book.create_sheet(gettext("Instructions"))
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["B"].width = 100
    append_row(guide, [gettext("Column"), gettext("How to fill it in")])
    style_header(guide)
    for title in HEADER:
        append_row(guide, [title, notes[title]])
    append_row(guide, [])
    for line in _rules():
        append_row(guide, ["", line])
    return workbook_bytes(book)


def _column_notes() -> dict[str, str]:
    options = gettext(
        "An option of a single or multiple choice item; fill the options from A on, "
        "without a gap (2–8 options). Leave empty for other types."
    )
    return {
        exam_bank.CODE: gettext(
            "Required. The item's code, unique in the bank (at most 32 characters)."
        ),
        exam_bank.TYPE: gettext(
            "Required. 单选题 (single choice), 多选题 (multiple choice), 判断题 (true or "
            "false), 填空题 (fill in the blanks) or 简答题 (short answer, also 计算题 and "
            "论述题; marked by judges)."
        ),
        exam_bank.STEM: gettext("Required. The question."),
        **{title: options for title in exam_bank.OPTIONS},
        exam_bank.KEY: gettext(
            "单选题: one label, e.g. B. 多选题: two or more labels, written together or "
            "separated by commas, e.g. ABD or A,B,D. 判断题: 对 or 错 (also √/×, T/F, "
            "true/false). 填空题: the blanks separated by | and the accepted answers of one "
            "blank by /, e.g. 氩气/Ar|直流正接. 简答题: the reference answer for the markers."
        ),
        exam_bank.MARKS: gettext("The item's marks, greater than 0; 1 when left empty."),
        exam_bank.DIFFICULTY: gettext("A whole number from 1 (easiest) to 5 (hardest), or empty."),
        exam_bank.TAGS: gettext(
            "Knowledge points (sections of the occupational skill standard such as 2.1.3), "
            "separated by commas or 、."
        ),
        exam_bank.LEVEL: gettext("One of %(levels)s, or empty.", levels="、".join(SKILL_LADDER)),
        exam_bank.EXPLANATION: gettext("Optional. The explanation shown after the exam."),
    }


def _rules() -> list[str]:
    return [
        gettext(
            "The whole file is checked on upload: if any row is wrong, nothing is imported "
            "and every problem is listed by row and column."
        ),
        gettext(
            "Two items whose stems are the same after normalisation (full-width characters "
            "as half-width, spaces, upper and lower case) are reported, never merged; so is "
            "a stem equal to that of another item already in the bank."
        ),
        gettext(
            "A row whose code is already in the bank makes a new version of that item if "
            "anything in it changed, and is reported as unchanged otherwise; exams keep the "
            "version their papers were sealed with."
        ),
        gettext("Delete the example rows before uploading."),
    ]


def _examples() -> list[Item]:
    return [
        Item(
            "Q0001",
            ItemType.SINGLE,
            "焊条电弧焊时，焊接电源的种类应根据什么选择？",
            "B",
            Decimal(1),
            {"A": "焊件厚度", "B": "焊条药皮类型", "C": "焊接位置", "D": "坡口形式"},
            ("2.1.3",),
            "高级工",
            2,
        ),
        Item(
            "Q0002",
            ItemType.FILL,
            "钨极氩弧焊的保护气体为____，焊接不锈钢时电源采用____。",
            (("氩气", "Ar"), ("直流正接",)),
            Decimal(2),
            {},
            ("2.2",),
            None,
            3,
        ),
    ]


def read_workbook(source: IO[bytes], bank: QuestionBank) -> Plan:
    """The plan of an uploaded template file against the bank; ``uploads.UnreadableFile``
    if it cannot be read, ``BankImportError`` with every problem by row otherwise."""
    with uploads.workbook(source) as book:
        rows = list(
            book.worksheets[0].iter_rows(
                min_row=1, max_row=MAX_ROWS + 2, max_col=len(HEADER), values_only=True
            )
        )
    exam_bank.check_header(rows[0] if rows else ())
    filled = [
        (number, values)
        for number, values in enumerate(rows[1:], start=exam_bank.FIRST_ROW)
        if any(exam_bank.cell_text(v) is not None for v in values)
    ]
    if len(filled) > MAX_ROWS:
        problem = RowProblem(filled[MAX_ROWS][0], None, "too_many_rows", {"max": MAX_ROWS})
        raise exam_bank.BankImportError([problem])
    return exam_bank.read_rows(filled, latest_items(bank))


def read_json(source: IO[bytes], bank: QuestionBank) -> Plan:
    """The plan of an uploaded JSON bank (the package's ``question_bank``) against the bank."""
    try:
        document = uploads.load_json(source, max_size=MAX_JSON_SIZE, max_depth=MAX_JSON_DEPTH)
    except Refused:
        raise
    except ValueError as error:
        problem = Problem("", "invalid_json", {"error": str(error)})
        raise exam_bank.BankImportError([problem]) from None
    return exam_bank.read_document(document, latest_items(bank))


def apply(actor: Any, bank: QuestionBank, plan: Plan, source: str) -> Plan:
    """Store a checked import: new items at version 1, each changed item as a new version
    (the practice flag and the image carried over), unchanged items left alone."""
    current = latest_rows(bank)
    for item in plan.new:
        db.session.add(QuestionItem(bank_id=bank.id, version=1, **item_values(item)))
    for item in plan.changed:
        old = current[item.code]
        db.session.add(
            QuestionItem(
                bank_id=bank.id,
                version=old.version + 1,
                image=old.image,
                public=old.public,
                **item_values(item),
            )
        )
    audit.record(
        actor,
        "bank.import",
        "question_bank",
        bank.id,
        new={
            "source": source,
            "new": [i.code for i in plan.new],
            "changed": [i.code for i in plan.changed],
            "unchanged": plan.unchanged,
        },
    )
    db.session.flush()
    return plan


def export_json(bank: QuestionBank) -> dict[str, Any]:
    """The bank's latest versions as the package's ``question_bank`` (EXAMS.md §5), by code."""
    items = latest_items(bank)
    return {"question_bank": [exam_bank.item_json(items[code]) for code in sorted(items)]}


def export_bytes(bank: QuestionBank) -> bytes:
    """``export_json`` as a UTF-8 file."""
    text = json.dumps(export_json(bank), ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


# --- browsing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFilters:
    """What the bank's item list is narrowed to (each None: not narrowed)."""

    text: str | None = None
    type: ItemType | None = None
    tag: str | None = None
    level: str | None = None
    difficulty: int | None = None
    public: bool | None = None


def search(bank: QuestionBank, filters: ItemFilters, page: int) -> Pagination:
    """A page of the bank's latest versions matching ``filters``, by code: text in the stem
    or the code, the type, a knowledge point starting with ``tag``, level, difficulty and
    the practice flag."""
    query = _latest_rows(bank)
    if filters.text:
        query = query.where(
            sa.or_(
                QuestionItem.stem.icontains(filters.text, autoescape=True),
                QuestionItem.code.icontains(filters.text, autoescape=True),
            )
        )
    if filters.type is not None:
        query = query.where(QuestionItem.type == filters.type)
    if filters.tag:
        # Tags are a JSON list of text: a tag starts with the prefix where a quote precedes it.
        opening = json.dumps(filters.tag)[:-1]
        query = query.where(sa.cast(QuestionItem.tags, sa.Text).contains(opening, autoescape=True))
    if filters.level:
        query = query.where(QuestionItem.level == filters.level)
    if filters.difficulty is not None:
        query = query.where(QuestionItem.difficulty == filters.difficulty)
    if filters.public is not None:
        query = query.where(QuestionItem.public.is_(filters.public))
    return pagination.page_of(query.order_by(QuestionItem.code), page)


def history(row: QuestionItem) -> list[QuestionItem]:
    """Every version of the item, newest first."""
    return list(
        db.session.execute(
            sa.select(QuestionItem)
            .where(QuestionItem.bank_id == row.bank_id, QuestionItem.code == row.code)
            .order_by(QuestionItem.version.desc())
        ).scalars()
    )


def latest_version(row: QuestionItem) -> QuestionItem:
    """The latest version of the item ``row`` is a version of."""
    return history(row)[0]


def sealed_versions(row: QuestionItem) -> dict[int, list[int]]:
    """The versions of the item that sealed papers use: version → the exams' ids."""
    found: dict[int, list[int]] = {}
    for exam_id, versions in db.session.execute(
        sa.select(ExamSetting.id, ExamSetting.sealed_versions).where(
            ExamSetting.bank_id == row.bank_id, ExamSetting.sealed_papers.is_not(None)
        )
    ):
        version = (versions or {}).get(row.code)
        if version is not None:
            found.setdefault(int(version), []).append(exam_id)
    return found


def is_sealed(row: QuestionItem) -> bool:
    """Whether a sealed paper uses this version of the item."""
    return row.version in sealed_versions(row)


# --- editing ------------------------------------------------------------------------------------

KEEP = object()  # the image stays as it is


def _snapshot(row: QuestionItem) -> dict[str, Any]:
    found = exam_bank.item_json(item_of(row))
    found.update(version=row.version, image=row.image, public=row.public)
    return found


def edit_item(
    actor: Any,
    row: QuestionItem,
    item: Item,
    image: Any = KEEP,
    upload: IO[bytes] | None = None,
) -> QuestionItem | None:
    """Save a checked item over the latest version ``row``: a new version if a sealed paper
    uses ``row`` (left untouched), else in place. None if nothing changed. ``image`` is
    None to remove the image, or ``KEEP``; an ``upload`` (PNG or JPEG) replaces it, stored
    once the item is known to be sound."""
    stem = normalise(item.stem)
    for code, other in latest_items(row.bank).items():
        if code != row.code and normalise(other.stem) == stem:
            raise BankRefused("same_stem", other=code)
    image = store_image(upload) if upload is not None else row.image if image is KEEP else image
    if exam_bank.same_content(item_of(row), item) and image == row.image:
        return None
    old = _snapshot(row)
    values = item_values(item)
    values.pop("code")
    if is_sealed(row):
        saved = QuestionItem(
            bank_id=row.bank_id,
            code=row.code,
            version=row.version + 1,
            public=row.public,
            image=image,
            **values,
        )
        db.session.add(saved)
        action = "bank_item.new_version"
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.image = image
        saved, action = row, "bank_item.update"
    db.session.flush()
    audit.record(actor, action, "question_item", saved.id, old=old, new=_snapshot(saved))
    return saved


def set_public(actor: Any, row: QuestionItem, public: bool) -> None:
    """Offer the item's latest version for practice (模拟练习), or stop offering it. Not a
    change of content: no new version."""
    if row.public == public:
        return
    audit.record(
        actor,
        "bank_item.public",
        "question_item",
        row.id,
        old={"public": row.public},
        new={"public": public},
    )
    row.public = public


# --- images -------------------------------------------------------------------------------------


def image_folder() -> Path:
    """Where the stems' images are kept: ``QUESTION_IMAGE_FOLDER``, by default in the
    instance folder; never served as static files."""
    folder = current_app.config.get("QUESTION_IMAGE_FOLDER")
    return Path(folder) if folder else Path(current_app.instance_path) / IMAGE_FOLDER


def store_image(source: IO[bytes]) -> str:
    """Keep an uploaded PNG or JPEG under a new random name; its name."""
    data = source.read(MAX_IMAGE_SIZE + 1)
    if len(data) > MAX_IMAGE_SIZE:
        raise BankRefused("image_too_large", max=MAX_IMAGE_SIZE // uploads.MB)
    kind = next((k for magic, k in IMAGE_KINDS.items() if data.startswith(magic)), None)
    if kind is None:
        raise BankRefused("bad_image")
    folder = image_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{kind}"
    (folder / name).write_bytes(data)
    return name


def image_of(bank: QuestionBank, name: str) -> Path | None:
    """The file of an image some version of an item of the bank shows, None otherwise."""
    if not IMAGE_NAME.match(name):
        return None
    used = db.session.execute(
        sa.select(QuestionItem.id)
        .where(QuestionItem.bank_id == bank.id, QuestionItem.image == name)
        .limit(1)
    ).first()
    path = image_folder() / name
    return path if used is not None and path.is_file() else None


def summary_counts(plan: Plan) -> dict[str, int]:
    """How many items an import added, made a new version of, and left unchanged."""
    return {"new": len(plan.new), "changed": len(plan.changed), "unchanged": len(plan.unchanged)}


def codes_text(codes: Iterable[str], most: int = 20) -> str:
    """Codes for a message, the first ``most`` of them."""
    codes = list(codes)
    shown = "、".join(codes[:most])
    return shown + ("……" if len(codes) > most else "")
