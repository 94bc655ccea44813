"""An exam's blueprint and an item read on their own with the package's rules (EXAMS.md §1,
§2), as the organiser's exam set-up and key corrections read them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contest.domain.exams import Item, ItemType
from contest.domain.package import PackageError, read_exam, read_item

OPTIONS = {"A": "甲", "B": "乙", "C": "丙"}
BANK = [
    *(Item(f"S{i}", ItemType.SINGLE, f"单选{i}", "A", options=OPTIONS) for i in range(4)),
    *(
        Item(f"M{i}", ItemType.MULTIPLE, f"多选{i}", frozenset("AB"), options=OPTIONS)
        for i in range(3)
    ),
    Item("J1", ItemType.JUDGE, "判断", True, tags=("2.1.3",)),
]


def exam(*sections, **fields):
    return {"trade": "WELD", "component": "theory", "minutes": 60, "seed": "s", **fields,
            "sections": list(sections)}  # fmt: skip


def problems(document, bank=BANK):
    with pytest.raises(PackageError) as refused:
        read_exam(document, bank)
    return [(p.path, p.code, dict(p.params)) for p in refused.value.problems]


def test_a_sound_blueprint_gives_its_papers():
    found, papers = read_exam(
        exam(
            {"type": "single", "count": 2, "marks": "1"},
            {"type": "judge", "count": 1, "marks": 2, "filter": {"tags": ["2.1"]}},
            papers=2,
        ),
        BANK,
    )
    assert found.papers == 2 and found.sections[1].marks == Decimal(2)
    assert [len(p.sections[0]) for p in papers] == [2, 2]
    assert all(p.sections[1] == ("J1",) for p in papers)


def test_too_few_items_name_the_section_and_its_type():
    assert problems(
        exam(
            {"type": "single", "count": 1, "marks": 1},
            {"type": "multiple", "count": 10, "marks": 2},
        )
    ) == [
        (
            "sections[1]",
            "too_few_items",
            {"section": 2, "paper": 1, "count": 10, "found": 3, "type": ItemType.MULTIPLE},
        )
    ]


def test_the_package_rules_apply_to_every_key():
    found = problems(
        exam(
            {"type": "single", "count": 1, "marks": -1, "step": 1, "colour": "red"},
            minutes="x",
            papers=27,
        )
    )
    assert {(path, code) for path, code, _ in found} == {
        ("minutes", "not_integer"),
        ("papers", "too_large"),
        ("sections[0].marks", "not_positive"),
        ("sections[0].step", "section_key"),
        ("sections[0].colour", "unknown_key"),
    }


def test_an_item_is_read_with_its_key_checked():
    item = {"code": "Q1", "type": "multiple", "stem": "题", "options": OPTIONS, "key": ["A", "C"]}
    assert read_item(item).key == frozenset("AC")
    with pytest.raises(PackageError) as refused:
        read_item({**item, "key": ["A", "D"]})
    assert [(p.path, p.code) for p in refused.value.problems] == [("key[1]", "key_not_option")]
    with pytest.raises(PackageError) as refused:
        read_item({**item, "type": "judge", "options": None, "key": "对"})
    assert [(p.path, p.code) for p in refused.value.problems] == [("key", "not_boolean")]
