"""The question bank's template rows and JSON document (contest.domain.exam_bank): each cell
read as the instructions say, every problem by row and column (or by path), duplicates
reported naming both, and the plan of an import against the bank."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contest.domain import exam_bank
from contest.domain.exam_bank import (
    HEADER,
    BankImportError,
    check_header,
    fill_key,
    item_json,
    judge_key,
    multiple_key,
    plan,
    read_document,
    read_row,
    read_rows,
    row_cells,
    tags_of,
)
from contest.domain.exams import Item, ItemType

OPTIONS = ["甲", "乙", "丙", "丁"]


def row(code="Q1", kind="单选题", stem="题干", options=OPTIONS, key="B", marks=None,
        difficulty=None, tags=None, level=None, explanation=None):  # fmt: skip
    options = list(options) + [None] * (8 - len(options))
    return [code, kind, stem, *options, key, marks, difficulty, tags, level, explanation]


def problems(cells, number=5):
    _, problems = read_row(number, cells)
    return [(p.row, p.column, p.code, dict(p.params)) for p in problems]


def item(cells):
    found, problems = read_row(2, cells)
    assert problems == []
    return found.item


def test_the_header():
    assert HEADER == (
        "试题编号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F",
        "选项G", "选项H", "答案", "分值", "难度", "知识点", "等级", "解析",
    )  # fmt: skip


# --- cells --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["对", "√", "✓", "T", "t", "true", "TRUE", "正确", " 对 "])
def test_judge_true(text):
    assert judge_key(text) is True


@pytest.mark.parametrize("text", ["错", "×", "✗", "F", "false", "False", "错误", "x"])
def test_judge_false(text):
    assert judge_key(text) is False


@pytest.mark.parametrize("text", ["maybe", "1", "是的", ""])
def test_judge_neither(text):
    assert judge_key(text) is None


@pytest.mark.parametrize(
    "text",
    ["ABD", "abd", "A,B,D", "A，B，D", "A、B、D", "A B D", "A;B;D", " A , B , D "],
)
def test_multiple_key_formats(text):
    assert multiple_key(text) == ["A", "B", "D"]


def test_multiple_key_keeps_what_is_not_a_label_to_be_refused():
    assert multiple_key("A,BC") == ["A", "BC"]
    assert multiple_key("A") == ["A"]


def test_fill_key():
    assert fill_key("氩气/Ar|直流正接") == [["氩气", "Ar"], ["直流正接"]]
    assert fill_key("氩气 / Ar ｜ 直流正接") == [["氩气", "Ar"], ["直流正接"]]
    assert fill_key("42") == [["42"]]


def test_tags():
    assert tags_of("2.1.3、1.2, 3，4;5") == ["2.1.3", "1.2", "3", "4", "5"]
    assert tags_of(None) == [] and tags_of("  ") == []


def test_cell_text():
    assert exam_bank.cell_text(3.0) == "3" and exam_bank.cell_text(2.5) == "2.5"
    assert exam_bank.cell_text("  ") is None and exam_bank.cell_text(None) is None
    assert exam_bank.cell_text(True) == "true"


# --- one row ------------------------------------------------------------------------------------


def test_a_single_choice_row():
    found = item(row(marks=2, difficulty=3.0, tags="2.1.3、1.2", level="高级工", explanation="解"))
    assert found == Item(
        "Q1",
        ItemType.SINGLE,
        "题干",
        "B",
        Decimal(2),
        {"A": "甲", "B": "乙", "C": "丙", "D": "丁"},
        ("2.1.3", "1.2"),
        "高级工",
        3,
        "解",
    )


def test_defaults_and_lower_case_labels():
    found = item(row(key="b"))
    assert found.key == "B" and found.marks == Decimal(1) and found.tags == ()
    assert found.difficulty is None and found.level is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [("单选题", ItemType.SINGLE), ("单选", ItemType.SINGLE), ("single", ItemType.SINGLE),
     ("多选题", ItemType.MULTIPLE), ("判断题", ItemType.JUDGE), ("填空题", ItemType.FILL),
     ("简答题", ItemType.SHORT), ("计算题", ItemType.SHORT), ("论述题", ItemType.SHORT)],
)  # fmt: skip
def test_type_names(name, kind):
    assert exam_bank.item_type(name) == kind


def test_every_type():
    assert item(row(kind="多选题", key="A,C")).key == frozenset({"A", "C"})
    assert item(row(kind="判断题", options=(), key="√")).key is True
    fill = item(row(kind="填空题", options=(), key="氩气/Ar|直流正接", marks=2))
    assert fill.key == (("氩气", "Ar"), ("直流正接",)) and fill.blanks == 2
    assert item(row(kind="简答题", options=(), key="参考答案")).key == "参考答案"
    assert item(row(kind="简答题", options=(), key=None)).key is None


def test_a_key_not_among_the_options():
    assert problems(row(key="E")) == [
        (5, "答案", "key_not_option", {"value": "E", "labels": "A, B, C, D"})
    ]
    assert problems(row(kind="多选题", key="ABE")) == [
        (5, "答案", "key_not_option", {"value": "E", "labels": "A, B, C, D"})
    ]


def test_a_multiple_key_of_one_label():
    assert problems(row(kind="多选题", key="A")) == [(5, "答案", "multiple_key_short", {})]


def test_a_multiple_key_naming_a_label_twice():
    assert problems(row(kind="多选题", key="AAB")) == [(5, "答案", "not_label_list", {})]


def test_an_empty_stem():
    assert problems(row(stem="  ")) == [(5, "题干", "required", {})]


def test_a_missing_code_and_type():
    assert problems(row(code=None, kind=None)) == [
        (5, "试题编号", "required", {}),
        (5, "题型", "required", {}),
    ]


@pytest.mark.parametrize("marks", [0, -1, "0", Decimal("-0.5")])
def test_marks_not_positive(marks):
    (found,) = problems(row(marks=marks))
    assert found[1:3] == ("分值", "not_positive")


def test_marks_not_a_number():
    assert problems(row(marks="两分")) == [(5, "分值", "not_number", {"value": "两分"})]


def test_marks_exact():
    assert item(row(marks=0.1)).marks == Decimal("0.1")
    assert item(row(marks="1.5")).marks == Decimal("1.5")


def test_an_unknown_type():
    assert problems(row(kind="问答题", key="x")) == [
        (
            5,
            "题型",
            "unknown_type",
            {"value": "问答题", "choices": "单选题、多选题、判断题、填空题、简答题"},
        )
    ]


@pytest.mark.parametrize(
    ("difficulty", "code"),
    [(0, "too_small"), (6, "too_large"), ("难", "not_integer"), (2.5, "not_integer")],
)
def test_difficulty_outside_1_to_5(difficulty, code):
    (found,) = problems(row(difficulty=difficulty))
    assert found[1:3] == ("难度", code)


@pytest.mark.parametrize("difficulty", [1, 5, 3.0, "4"])
def test_difficulty_inside(difficulty):
    assert 1 <= item(row(difficulty=difficulty)).difficulty <= 5


def test_an_unknown_level():
    (found,) = problems(row(level="大师"))
    assert found[1:3] == ("等级", "not_choice")


def test_a_bad_judge_answer_is_reported_once():
    assert problems(row(kind="判断题", options=(), key="也许")) == [
        (
            5,
            "答案",
            "bad_judge_key",
            {"value": "也许", "choices": "对/错, √/×, T/F, true/false"},
        )
    ]


def test_options_with_a_gap_or_too_few_or_on_another_type():
    assert problems(row(options=["甲", "乙", None, "丁"], key="A")) == [
        (5, "选项", "options_labels", {"labels": "A, B, D"})
    ]
    assert problems(row(options=["甲"], key="A")) == [(5, "选项", "options_count", {"n": 1})]
    assert problems(row(kind="判断题", key="对")) == [(5, "选项", "no_options", {"type": "judge"})]


def test_a_choice_item_without_options():
    assert problems(row(options=(), key="A"))[0][1:3] == ("选项", "required")


def test_a_fill_key_with_an_empty_blank():
    assert problems(row(kind="填空题", options=(), key="氩气||直流正接")) == [
        (5, "答案", "bad_fill_key", {})
    ]


def test_a_missing_key():
    assert problems(row(key=None)) == [(5, "答案", "required", {})]


def test_a_long_code():
    (found,) = problems(row(code="Q" * 33))
    assert found[1:3] == ("试题编号", "too_long")


def test_several_problems_of_one_row():
    columns = [p[1] for p in problems(row(stem="", key="Z", marks=0, difficulty=9))]
    assert sorted(columns) == sorted(["题干", "答案", "分值", "难度"])


def test_short_rows_are_padded():
    found, problems_found = read_row(2, ["Q1", "判断题", "题", *[None] * 8, "对"])
    assert problems_found == [] and found.item.key is True


@pytest.mark.parametrize(
    "example",
    [
        Item("Q1", ItemType.SINGLE, "题", "B", Decimal(1), {"A": "1", "B": "2"}),
        Item("Q2", ItemType.MULTIPLE, "题", frozenset("AC"), Decimal("1.5"),
             {"A": "1", "B": "2", "C": "3"}, ("1.2", "2"), "技师", 4, "解"),
        Item("Q3", ItemType.JUDGE, "题", False),
        Item("Q4", ItemType.FILL, "题", (("氩气", "Ar"), ("直流正接",)), Decimal(2)),
        Item("Q5", ItemType.SHORT, "题", "参考"),
    ],
)  # fmt: skip
def test_row_cells_read_back(example):
    assert item(row_cells(example)) == example


# --- a whole file -------------------------------------------------------------------------------


def rows(*cells):
    return [(number, c) for number, c in enumerate(cells, start=2)]


def test_a_good_file_plans_new_items():
    found = read_rows(rows(row("Q1"), row("Q2", stem="另一题")), {})
    assert [i.code for i in found.new] == ["Q1", "Q2"]
    assert found.changed == [] and found.unchanged == []


def test_every_problem_of_a_file_sorted_by_row_and_column():
    with pytest.raises(BankImportError) as refused:
        read_rows(rows(row(key="E"), row("Q2", stem="", marks=0), row("Q1", stem="三")), {})
    found = [(p.row, p.column, p.code) for p in refused.value.problems]
    assert found == [
        (2, "答案", "key_not_option"),
        (3, "题干", "required"),
        (3, "分值", "not_positive"),
        (4, "试题编号", "duplicate_code_in_file"),
    ]
    assert refused.value.params == {"n": 4}
    assert refused.value.problems[-1].params == {"code": "Q1", "other": 2}


def test_an_empty_file():
    with pytest.raises(BankImportError) as refused:
        read_rows([], {})
    assert [p.code for p in refused.value.problems] == ["no_items"]


def test_duplicate_stems_within_the_file_name_both():
    with pytest.raises(BankImportError) as refused:
        read_rows(rows(row("Q1", stem="ＡＢＣ  题"), row("Q2", stem=" abc 题 ")), {})
    (problem,) = refused.value.problems
    assert (problem.row, problem.column, problem.code) == (3, "题干", "duplicate_stem_in_file")
    assert problem.params == {"other": "Q1", "row": 2}


def test_duplicate_stems_against_the_bank():
    bank = {"B1": Item("B1", ItemType.JUDGE, "氩气是惰性气体。", True)}
    with pytest.raises(BankImportError) as refused:
        read_rows(
            rows(row("Q1", kind="判断题", options=(), key="对", stem="氩气是惰性气体。")), bank
        )
    (problem,) = refused.value.problems
    assert problem.code == "duplicate_stem_in_bank" and problem.params == {"other": "B1"}


def test_a_stem_freed_by_the_same_file_is_not_a_duplicate():
    """B1 changes its stem in the file; Q1 may take the old one."""
    bank = {"B1": Item("B1", ItemType.JUDGE, "旧题干", True)}
    cells = [
        row("B1", kind="判断题", options=(), key="对", stem="新题干"),
        row("Q1", kind="判断题", options=(), key="对", stem="旧题干"),
    ]
    found = read_rows(rows(*cells), bank)
    assert [i.code for i in found.changed] == ["B1"] and [i.code for i in found.new] == ["Q1"]


def test_the_same_code_keeps_its_stem():
    bank = {"Q1": item(row())}
    found = read_rows(rows(row()), bank)
    assert found.unchanged == ["Q1"] and found.new == [] and found.changed == []


def test_plan_versions_only_changed_items():
    q1, q2 = item(row()), item(row("Q2", stem="二"))
    bank = {"Q1": q1, "Q2": q2}
    changed = item(row("Q2", stem="二", key="C"))
    new = item(row("Q3", stem="三"))
    found = plan([q1, changed, new], bank)
    assert found.unchanged == ["Q1"] and found.changed == [changed] and found.new == [new]


def test_marks_compare_as_numbers():
    assert exam_bank.same_content(item(row(marks=1)), item(row(marks="1.0")))


def test_the_header_is_checked():
    check_header(list(HEADER))
    check_header([*HEADER, "备注"])
    with pytest.raises(BankImportError) as refused:
        check_header(["编号", "题型"])
    (problem,) = refused.value.problems
    assert (problem.row, problem.code) == (1, "bad_header")


# --- JSON ---------------------------------------------------------------------------------------


def test_json_items_as_the_package_writes_them():
    found = read_document(
        [
            {"code": "Q1", "type": "single", "stem": "甲", "options": {"A": "1", "B": "2"},
             "key": "B", "marks": Decimal("1.5"), "tags": ["2.1"], "difficulty": 2},
            {"code": "Q2", "type": "fill", "stem": "乙", "key": [["氩气", "Ar"]]},
        ],
        {},
    )  # fmt: skip
    assert [item_json(i) for i in found.new] == [
        {"code": "Q1", "type": "single", "stem": "甲", "options": {"A": "1", "B": "2"},
         "key": "B", "marks": 1.5, "tags": ["2.1"], "difficulty": 2},
        {"code": "Q2", "type": "fill", "stem": "乙", "key": [["氩气", "Ar"]], "marks": 1},
    ]  # fmt: skip


def test_json_under_the_package_key_and_round_trip():
    items = [
        Item("Q1", ItemType.MULTIPLE, "甲", frozenset("AB"), Decimal("0.5"), {"A": "1", "B": "2"}),
        Item("Q2", ItemType.JUDGE, "乙", True, tags=("1",), level="技师", explanation="解"),
    ]
    document = {"question_bank": [item_json(i) for i in items]}
    assert read_document(document, {}).new == items
    assert read_document(document, {i.code: i for i in items}).unchanged == ["Q1", "Q2"]


def test_json_problems_by_path():
    with pytest.raises(BankImportError) as refused:
        read_document(
            {"question_bank": [
                {"code": "Q1", "type": "judge", "stem": "甲", "key": "对"},
                {"code": "Q2", "type": "judge", "stem": "乙", "key": True, "colour": "red"},
                {"code": "Q3", "type": "judge", "stem": "丙", "key": True},
                {"code": "Q3", "type": "judge", "stem": "丁", "key": True},
                {"code": "Q5", "type": "judge", "stem": "丙", "key": False},
            ]},
            {},
        )  # fmt: skip
    found = [(p.path, p.code) for p in refused.value.problems]
    assert found == [
        ("question_bank[0].key", "not_boolean"),
        ("question_bank[1].colour", "unknown_key"),
        ("question_bank[3].code", "duplicate"),
        ("question_bank[4].stem", "duplicate_stem"),
    ]


def test_json_stem_against_the_bank():
    bank = {"B1": Item("B1", ItemType.JUDGE, "ＡＢ", True)}
    with pytest.raises(BankImportError) as refused:
        read_document([{"code": "Q1", "type": "judge", "stem": "ab", "key": True}], bank)
    (problem,) = refused.value.problems
    assert problem.path == "question_bank[0].stem" and problem.params == {"other": "B1"}


@pytest.mark.parametrize("document", [{"items": []}, "text", 3, {"question_bank": "x"}])
def test_json_that_is_not_a_bank(document):
    with pytest.raises(BankImportError):
        read_document(document, {})
