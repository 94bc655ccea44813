"""The question bank's Excel template and JSON document, read as the package reads its
``question_bank`` (EXAMS.md §1, §5): pure rules over plain values.

A template row (``HEADER``) is turned into the package's item object and checked by the
package reader's own item checks (``schema.QuestionItem``); a problem is reported by Excel row
number and column title. The cells are read as the template's instructions say:

- 题型: 单选题, 多选题, 判断题, 填空题 or 简答题 (计算题 and 论述题 read as 简答题);
- 选项A … 选项H: the options of a 单选题 or 多选题, from A on without a gap;
- 答案: one label (单选题); two or more labels written together or separated by commas,
  ``、`` or spaces, ``ABD`` or ``A,B,D`` (多选题); 对/错, √/×, T/F or true/false (判断题);
  the blanks separated by ``|``, the accepted answers of one blank by ``/`` (填空题,
  ``氩气/Ar|直流正接``); the reference answer for the markers (简答题);
- 分值: greater than 0, 1 when blank; 难度: a whole number 1–5; 知识点: separated by commas,
  ``、`` or spaces; 等级: one of the skill ladder's levels.

A batch (a whole file) is all or nothing: codes used twice and stems equal after
normalisation (``exams.normalise``) — within the file, or against an item of the bank with
another code — are reported naming both, never merged. An item whose code the bank already
has becomes a new version only if its content changed (``plan``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from contest.domain.exams import LABELS, Item, ItemType, normalise
from contest.domain.package import schema
from contest.domain.package.errors import PackageError
from contest.domain.package.fields import problems_of
from contest.domain.package.sections import Rules
from contest.domain.refusal import N_, Problem, Refused
from contest.domain.registration import RowProblem

CODE = "试题编号"
TYPE = "题型"
STEM = "题干"
OPTIONS = tuple(f"选项{label}" for label in LABELS)
KEY = "答案"
MARKS = "分值"
DIFFICULTY = "难度"
TAGS = "知识点"
LEVEL = "等级"
EXPLANATION = "解析"
#: The template's header row, in order.
HEADER: tuple[str, ...] = (
    CODE,
    TYPE,
    STEM,
    *OPTIONS,
    KEY,
    MARKS,
    DIFFICULTY,
    TAGS,
    LEVEL,
    EXPLANATION,
)
#: The first row of items (the header is row 1).
FIRST_ROW = 2
#: The column of each member of the package's item object.
COLUMN_OF = {
    "code": CODE,
    "type": TYPE,
    "stem": STEM,
    "options": "选项",
    "key": KEY,
    "marks": MARKS,
    "difficulty": DIFFICULTY,
    "tags": TAGS,
    "level": LEVEL,
    "explanation": EXPLANATION,
}

#: The names of the types in the template, each type's first name the one written back.
TYPE_NAMES: dict[str, ItemType] = {
    "单选题": ItemType.SINGLE,
    "单选": ItemType.SINGLE,
    "多选题": ItemType.MULTIPLE,
    "多选": ItemType.MULTIPLE,
    "判断题": ItemType.JUDGE,
    "判断": ItemType.JUDGE,
    "填空题": ItemType.FILL,
    "填空": ItemType.FILL,
    "简答题": ItemType.SHORT,
    "简答": ItemType.SHORT,
    "计算题": ItemType.SHORT,
    "论述题": ItemType.SHORT,
    **{kind.value: kind for kind in ItemType},
}
#: The name written in the template for each type.
TYPE_TITLES: dict[ItemType, str] = {
    ItemType.SINGLE: "单选题",
    ItemType.MULTIPLE: "多选题",
    ItemType.JUDGE: "判断题",
    ItemType.FILL: "填空题",
    ItemType.SHORT: "简答题",
}
TRUE_WORDS = ("对", "√", "✓", "✔", "t", "true", "正确", "是")
FALSE_WORDS = ("错", "×", "✗", "✘", "x", "f", "false", "错误", "否")
#: Separators of a multiple-choice key and of knowledge points.
SEPARATORS = re.compile(r"[,，、;；\s]+")
BLANKS = "|"
ALTERNATIVES = "/"


class BankImportError(Refused):
    """A question bank file refused: ``problems`` lists every problem found, by row and
    column (Excel) or by path (JSON); nothing was imported."""

    reasons = {
        **PackageError.reasons,
        "invalid": N_("%(n)d problem(s); nothing was imported."),
        "bad_header": N_("the first row must be the template's header: %(expected)s"),
        "no_items": N_("the file has no items"),
        "too_many_rows": N_("the file has more than %(max)d items"),
        "unknown_type": N_("“%(value)s” is not an item type (%(choices)s)"),
        "bad_judge_key": N_("“%(value)s” is not an answer of a true-or-false item (%(choices)s)"),
        "duplicate_code_in_file": N_("the code “%(code)s” is also used in row %(other)d"),
        "duplicate_stem_in_file": N_(
            "the same stem as item “%(other)s” in row %(row)d (after normalisation)"
        ),
        "duplicate_stem_in_bank": N_(
            "the same stem as item “%(other)s” of the bank (after normalisation)"
        ),
        "not_bank_document": N_(
            "must be a list of items, or an object with the list under “question_bank”"
        ),
    }

    def __init__(self, problems: Sequence[Problem | RowProblem]):
        super().__init__("invalid", problems=problems, n=len(problems))


# --- one row ------------------------------------------------------------------------------------


def cell_text(value: Any) -> str | None:
    """A cell as text without surrounding spaces (a whole number without ``.0``); None when
    blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def item_type(text: str | None) -> ItemType | None:
    """The type a 题型 cell names, None if it names none."""
    if text is None:
        return None
    return TYPE_NAMES.get(text) or TYPE_NAMES.get(text.lower())


def judge_key(text: str) -> bool | None:
    """The answer of a true-or-false item: 对/错, √/×, T/F, true/false (None: neither)."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def multiple_key(text: str) -> list[str]:
    """The labels of a multiple-choice answer: ``ABD``, ``A,B,D``, ``A、B、D`` or ``A B D``."""
    text = text.strip().upper()
    parts = [p for p in SEPARATORS.split(text) if p]
    if len(parts) == 1 and re.fullmatch(r"[A-Z]+", parts[0]):
        return list(parts[0])
    return parts


def fill_key(text: str) -> list[list[str]]:
    """The accepted answers of each blank: blanks separated by ``|``, a blank's accepted
    answers by ``/`` (``氩气/Ar|直流正接``)."""
    text = text.replace("｜", BLANKS)
    return [
        [answer.strip() for answer in blank.split(ALTERNATIVES)] for blank in text.split(BLANKS)
    ]


def tags_of(text: str | None) -> list[str]:
    """Knowledge points separated by commas, ``、`` or spaces."""
    return [tag for tag in SEPARATORS.split(text or "") if tag]


def _number(value: Any) -> Any:
    """A number cell as the package reader takes it (text that is not one stays text)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = cell_text(value)
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def _whole(value: Any) -> Any:
    number = _number(value)
    if isinstance(number, Decimal) and number.is_finite() and number == number.to_integral():
        return int(number)
    return number


@dataclass(frozen=True)
class Row:
    """An item read from a row (None if the row has problems) with its Excel row number."""

    row: int
    code: str | None
    stem: str | None
    item: Item | None


def read_row(row: int, cells: Sequence[Any]) -> tuple[Row, list[RowProblem]]:
    """The item in one template row (``cells`` in the order of ``HEADER``) and the problems
    found, by row number and column title."""
    cells = list(cells[: len(HEADER)]) + [None] * (len(HEADER) - len(cells))
    values = dict(zip(HEADER, cells, strict=True))
    own: list[RowProblem] = []
    code, stem = cell_text(values[CODE]), cell_text(values[STEM])
    given: dict[str, Any] = {"code": code, "stem": stem}
    type_text = cell_text(values[TYPE])
    kind = item_type(type_text)
    if type_text is not None and kind is None:
        choices = "、".join(TYPE_TITLES.values())
        own.append(RowProblem(row, TYPE, "unknown_type", {"value": type_text, "choices": choices}))
    given["type"] = kind.value if kind is not None else None
    options = {
        label: cell_text(values[title])
        for label, title in zip(LABELS, OPTIONS, strict=True)
        if cell_text(values[title]) is not None
    }
    if options:
        given["options"] = options
    key_text = cell_text(values[KEY])
    key: Any = key_text
    if key_text is not None and kind is not None:
        if kind == ItemType.SINGLE:
            key = key_text.upper()
        elif kind == ItemType.MULTIPLE:
            key = multiple_key(key_text)
        elif kind == ItemType.JUDGE:
            key = judge_key(key_text)
            if key is None:
                choices = "对/错, √/×, T/F, true/false"
                own.append(
                    RowProblem(row, KEY, "bad_judge_key", {"value": key_text, "choices": choices})
                )
        elif kind == ItemType.FILL:
            key = fill_key(key_text)
    given["key"] = key
    if cell_text(values[MARKS]) is not None:
        given["marks"] = _number(values[MARKS])
    given["difficulty"] = _whole(values[DIFFICULTY])
    given["tags"] = tags_of(cell_text(values[TAGS]))
    given["level"] = cell_text(values[LEVEL])
    given["explanation"] = cell_text(values[EXPLANATION])
    item, found = check_item(given)
    taken = {p.column for p in own}
    problems = own + [
        RowProblem(row, column, p.code, p.params)
        for p in found
        if (column := column_of(p.path)) not in taken
    ]
    return Row(row, code, stem, item if not problems else None), problems


def column_of(path: str) -> str:
    """The template's column of a problem of the item object (``key[1]`` → 答案,
    ``options.C`` → 选项C)."""
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    if head == "options":
        label = path[len("options.") :][:1]
        return f"选项{label}" if path.startswith("options.") and label in LABELS else "选项"
    return COLUMN_OF.get(head, head)


def check_item(given: Mapping[str, Any]) -> tuple[Item | None, list[Problem]]:
    """An item object of the package (EXAMS.md §5) checked as the package reader checks
    it: the item, or the problems found (paths within the object)."""
    try:
        node = schema.QuestionItem.model_validate(dict(given))
    except ValidationError as error:
        return None, problems_of(error)
    return item_of_node(node), []


def item_of_node(node: schema.QuestionItem) -> Item:
    """A checked item object as the pure rules take it."""
    key: Any = node.key
    if node.type == ItemType.MULTIPLE:
        key = frozenset(key)
    elif node.type == ItemType.FILL:
        key = tuple(tuple(blank) for blank in key)
    return Item(
        node.code,
        node.type,
        node.stem,
        key,
        node.marks,
        dict(node.options or {}),
        tuple(node.tags),
        node.level,
        node.difficulty,
        node.explanation,
    )


def key_text(item: Item) -> str | None:
    """An item's key as the template's 答案 column writes it."""
    if item.type == ItemType.MULTIPLE:
        return "".join(sorted(item.key))
    if item.type == ItemType.JUDGE:
        return "对" if item.key else "错"
    if item.type == ItemType.FILL:
        return BLANKS.join(ALTERNATIVES.join(blank) for blank in item.key)
    return item.key if isinstance(item.key, str) else None


def row_cells(item: Item) -> list[Any]:
    """An item as a template row (the inverse of ``read_row``)."""
    options = [item.options.get(label) for label in LABELS]
    return [
        item.code,
        TYPE_TITLES[item.type],
        item.stem,
        *options,
        key_text(item),
        item.marks,
        item.difficulty,
        "、".join(item.tags) or None,
        item.level,
        item.explanation,
    ]


# --- a whole file -------------------------------------------------------------------------------


@dataclass
class Plan:
    """What an import does: items new to the bank, items whose content changed (a new
    version each) and items unchanged (left as they are), by code."""

    new: list[Item] = field(default_factory=list)
    changed: list[Item] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def plan(items: Iterable[Item], bank: Mapping[str, Item]) -> Plan:
    """Sort checked items against the bank's latest versions (by code)."""
    found = Plan()
    for item in items:
        current = bank.get(item.code)
        if current is None:
            found.new.append(item)
        elif same_content(current, item):
            found.unchanged.append(item.code)
        else:
            found.changed.append(item)
    return found


def same_content(a: Item, b: Item) -> bool:
    """Whether two versions of an item say the same (marks compared as numbers)."""
    return a == b


def check_rows(rows: Sequence[Row], bank: Mapping[str, Item]) -> list[RowProblem]:
    """The problems of the file as a whole: a code used twice, and stems equal after
    normalisation within the file or to an item of the bank with another code (the bank as
    it will be: its items the file does not replace)."""
    problems: list[RowProblem] = []
    codes: dict[str, int] = {}
    for row in rows:
        if row.code is None:
            continue
        if row.code in codes:
            params = {"code": row.code, "other": codes[row.code]}
            problems.append(RowProblem(row.row, CODE, "duplicate_code_in_file", params))
        else:
            codes[row.code] = row.row
    kept = {normalise(i.stem): code for code, i in bank.items() if code not in codes}
    stems: dict[str, Row] = {}
    for row in rows:
        if row.stem is None:
            continue
        stem = normalise(row.stem)
        earlier = stems.get(stem)
        if earlier is not None and earlier.code != row.code:
            params = {"other": earlier.code or "—", "row": earlier.row}
            problems.append(RowProblem(row.row, STEM, "duplicate_stem_in_file", params))
        elif stem in kept:
            params = {"other": kept[stem]}
            problems.append(RowProblem(row.row, STEM, "duplicate_stem_in_bank", params))
        stems.setdefault(stem, row)
    return problems


def read_rows(rows: Iterable[tuple[int, Sequence[Any]]], bank: Mapping[str, Item]) -> Plan:
    """Check every row of a template file (row number, cells) against the bank's latest
    versions (by code): the plan, or ``BankImportError`` with every problem, by row."""
    read: list[Row] = []
    problems: list[RowProblem] = []
    for number, cells in rows:
        row, found = read_row(number, cells)
        read.append(row)
        problems.extend(found)
    if not read:
        raise BankImportError([RowProblem(FIRST_ROW, None, "no_items")])
    problems.extend(check_rows(read, bank))
    if problems:
        problems.sort(key=lambda p: (p.row, _order(p.column)))
        raise BankImportError(problems)
    return plan([row.item for row in read if row.item is not None], bank)


def _order(column: str | None) -> int:
    if column in HEADER:
        return HEADER.index(column)
    return 3 if column == "选项" else len(HEADER)


def check_header(cells: Sequence[Any]) -> None:
    """Refuse a sheet whose first row is not the template's header."""
    header = [cell_text(v) for v in cells][: len(HEADER)]
    if header != list(HEADER):
        params = {"expected": " | ".join(HEADER)}
        raise BankImportError([RowProblem(1, None, "bad_header", params)])


# --- JSON ---------------------------------------------------------------------------------------


class _Document(schema.Node):
    question_bank: list[schema.QuestionItem]


def read_document(document: Any, bank: Mapping[str, Item]) -> Plan:
    """A bank as JSON — the package's ``question_bank`` list, bare or under that key —
    checked as the package reader checks it, and against the bank's latest versions (by
    code): a stem equal to that of an item of the bank with another code is reported. The
    plan, or ``BankImportError`` with every problem by path."""
    if isinstance(document, list):
        document = {"question_bank": document}
    if not isinstance(document, dict) or "question_bank" not in document:
        raise BankImportError([Problem("", "not_bank_document")])
    try:
        doc = _Document.model_validate(document)
    except ValidationError as error:
        problems = problems_of(error)
        nodes = document.get("question_bank")
        rows = [_sound(node) for node in nodes] if isinstance(nodes, list) else []
    else:
        problems, rows = [], list(doc.question_bank)
    rules = Rules()
    rules.unique("question_bank", (r.code if r else None for r in rows), rules.duplicates)
    rules.same_stems(rows)
    problems += rules.duplicates
    codes = {r.code for r in rows if r is not None}
    kept = {normalise(i.stem): code for code, i in bank.items() if code not in codes}
    for index, node in enumerate(rows):
        if node is not None and normalise(node.stem) in kept:
            params = {"other": kept[normalise(node.stem)]}
            problems.append(
                Problem(f"question_bank[{index}].stem", "duplicate_stem_in_bank", params)
            )
    if problems:
        raise BankImportError(problems)
    return plan([item_of_node(node) for node in rows if node is not None], bank)


def _sound(node: Any) -> schema.QuestionItem | None:
    try:
        return schema.QuestionItem.model_validate(node)
    except ValidationError:
        return None


def item_json(item: Item) -> dict[str, Any]:
    """An item as the package writes it in ``question_bank`` (EXAMS.md §5): marks as a
    number, absent members left out."""
    if item.type == ItemType.MULTIPLE:
        key: Any = sorted(item.key)
    elif item.type == ItemType.FILL:
        key = [list(blank) for blank in item.key]
    else:
        key = item.key
    found: dict[str, Any] = {
        "code": item.code,
        "type": item.type.value,
        "stem": item.stem,
        "options": dict(item.options) or None,
        "key": key,
        "marks": json_number(item.marks),
        "tags": list(item.tags) or None,
        "level": item.level,
        "difficulty": item.difficulty,
        "explanation": item.explanation,
    }
    return {name: value for name, value in found.items() if value is not None}


def json_number(value: Decimal) -> int | float | str:
    """A decimal as the plainest JSON value that reads back exactly."""
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else str(value)
