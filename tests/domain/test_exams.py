"""EXAMS.md §1–3: normalisation, drawing papers, what each entrant sees, marking every item
type, voided items and item analysis — on small hand-worked banks."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from fractions import Fraction

import pytest

from contest.domain.exams import (
    Attempt,
    Exam,
    Item,
    ItemFilter,
    ItemType,
    Marked,
    Paper,
    Section,
    TooFewItems,
    draw_papers,
    item_analysis,
    item_order,
    mark_attempt,
    mark_response,
    mark_short,
    normalise,
    option_order,
    paper_number,
)
from contest.domain.scoring import Aggregation

D = Decimal
OPTIONS = {"A": "甲", "B": "乙", "C": "丙", "D": "丁"}


def single(code: str, key: str = "B", **kwargs) -> Item:
    return Item(code, ItemType.SINGLE, f"{code} 题干", key, options=OPTIONS, **kwargs)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- normalisation and filters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Ar  ", "ar"),
        ("ＡＲ", "ar"),  # full-width → half-width, case-folded
        ("直流\u3000 正接", "直流 正接"),  # ideographic space and runs collapsed
        ("HRC\n", "hrc"),
        ("", ""),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


def test_a_filter_matches_tag_prefixes_exact_levels_and_a_difficulty_range():
    item = single("Q1", tags=("2.1.3", "4.1"), level="高级工", difficulty=3)
    assert ItemFilter(tags=("2.1",)).matches(item)
    assert ItemFilter(tags=("4",)).matches(item)
    assert not ItemFilter(tags=("2.2", "3")).matches(item)
    assert ItemFilter(levels=("高级工", "技师")).matches(item)
    assert not ItemFilter(levels=("技师",)).matches(item)
    assert ItemFilter(difficulty=(3, 3)).matches(item)
    assert not ItemFilter(difficulty=(4, 5)).matches(item)
    assert not ItemFilter(difficulty=(1, 5)).matches(single("Q2"))  # no difficulty recorded


# --- papers ------------------------------------------------------------------------------------

BANK = [single(f"S{i:02d}", tags=(f"{1 + i % 3}.1",), difficulty=1 + i % 5) for i in range(12)] + [
    Item(f"J{i}", ItemType.JUDGE, f"判断 {i}", i % 2 == 0) for i in range(5)
]
EXAM = Exam(
    "WELD",
    "theory",
    90,
    "2027-weld",
    (
        Section(ItemType.SINGLE, 3, D(2), ItemFilter(tags=("1",))),
        Section(ItemType.SINGLE, 4, D(1)),
        Section(ItemType.JUDGE, 2, D(1)),
    ),
    papers=2,
)


def test_each_section_takes_its_candidates_in_sha256_order():
    papers = draw_papers(EXAM, BANK)
    first = papers[0].sections[0]
    candidates = [i.code for i in BANK if i.type == ItemType.SINGLE and i.tags[0].startswith("1")]
    expected = sorted(candidates, key=lambda c: sha(f"2027-weld:1:1:{c}"))[:3]
    assert first == tuple(expected)


def test_an_item_is_drawn_once_per_paper_and_papers_are_drawn_the_same_every_time():
    papers = draw_papers(EXAM, BANK)
    assert papers == draw_papers(EXAM, list(reversed(BANK)))  # bank order does not matter
    for paper in papers:
        assert len(paper.items) == len(set(paper.items)) == 9
        assert [len(s) for s in paper.sections] == [3, 4, 2]
    assert papers[0].items != papers[1].items


def test_too_few_matching_items_names_the_section():
    exam = Exam("WELD", "theory", 90, "s", (Section(ItemType.JUDGE, 6, D(1)),))
    with pytest.raises(TooFewItems) as refused:
        draw_papers(exam, BANK)
    assert refused.value.params == {"section": 1, "paper": 1, "count": 6, "found": 5}


def test_a_later_section_cannot_draw_what_an_earlier_one_took():
    exam = Exam(
        "WELD",
        "theory",
        90,
        "s",
        (Section(ItemType.JUDGE, 3, D(1)), Section(ItemType.JUDGE, 3, D(1))),
    )
    with pytest.raises(TooFewItems) as refused:
        draw_papers(exam, BANK)
    assert refused.value.params["section"] == 2


def test_entrants_sit_the_paper_their_hash_gives_and_see_their_own_order():
    assert paper_number(EXAM, "E001") == int(sha("2027-weld:E001"), 16) % 2 + 1
    codes = ["S01", "S02", "S03", "S04"]
    order = item_order(EXAM, "E001", codes)
    assert sorted(order) == codes
    assert order == sorted(codes, key=lambda c: sha(f"2027-weld:E001:{c}"))
    labels = option_order(EXAM, "E001", "S01", "ABCD")
    assert labels == sorted("ABCD", key=lambda x: sha(f"2027-weld:E001:S01:{x}"))


# --- marking -------------------------------------------------------------------------------------

TWO = Section(ItemType.SINGLE, 1, D(2))


@pytest.mark.parametrize(
    ("item", "section", "response", "marks"),
    [
        (single("Q1"), TWO, "B", 2),
        (single("Q1"), TWO, "C", 0),
        (single("Q1"), TWO, None, 0),
        (Item("J", ItemType.JUDGE, "判断", False), TWO, False, 2),
        (Item("J", ItemType.JUDGE, "判断", False), TWO, True, 0),
    ],
)
def test_single_and_judge_items_score_all_or_nothing(item, section, response, marks):
    assert mark_response(item, section, response) == marks


MULTIPLE = Item("M", ItemType.MULTIPLE, "多选", frozenset({"A", "C", "D"}), options=OPTIONS)
PARTIAL = Section(ItemType.MULTIPLE, 1, D(2), partial=D("0.5"))


@pytest.mark.parametrize(
    ("section", "response", "marks"),
    [
        (PARTIAL, ["D", "C", "A"], 2),  # the set, in any order
        (PARTIAL, ["A", "C"], 1),  # a proper subset: 0.5 × 2 (少选得分)
        (PARTIAL, ["A"], 1),
        (PARTIAL, ["A", "B"], 0),  # a wrong label: 0
        (PARTIAL, ["A", "B", "C", "D"], 0),
        (PARTIAL, [], 0),  # no response
        (Section(ItemType.MULTIPLE, 1, D(2)), ["A", "C"], 0),  # no partial: 0
    ],
)
def test_multiple_items_with_and_without_partial_credit(section, response, marks):
    assert mark_response(MULTIPLE, section, response) == marks


FILL = Item("F", ItemType.FILL, "……为____，……为____", (("氩气", "Ar"), ("直流正接",)))


@pytest.mark.parametrize(
    ("response", "marks"),
    [
        (["Ar", "直流正接"], 3),
        (["ＡＲ ", " 直流正接"], 3),  # normalised on both sides
        (["氩气", None], Fraction(3, 2)),  # a null blank scores 0
        (["直流正接", "氩气"], 0),  # blanks are compared in order
        ([None, None], 0),
    ],
)
def test_fill_items_score_each_blank(response, marks):
    assert mark_response(FILL, Section(ItemType.FILL, 1, D(3)), response) == marks


def test_a_fill_response_of_another_length_is_an_error():
    with pytest.raises(ValueError):
        mark_response(FILL, Section(ItemType.FILL, 1, D(3)), ["Ar"])


SHORT = Section(ItemType.SHORT, 1, D(5))


def test_short_items_take_the_panels_mean_and_wait_for_every_judge():
    values = {"J1": D(4), "J2": D("3.5"), "J3": D(3)}
    assert mark_short(SHORT, "Q9", values, ("J1", "J2", "J3")) == Fraction(7, 2)
    assert mark_short(SHORT, "Q9", {"J1": D(4)}, ("J1", "J2")) is None
    trimmed = Section(ItemType.SHORT, 1, D(5), aggregation=Aggregation.TRIMMED_MEAN)
    assert mark_short(trimmed, "Q9", values, ("J1", "J2", "J3")) == Fraction(7, 2)
    assert mark_short(trimmed, "Q9", {"J1": D(4), "J2": D(3)}, ("J1", "J2")) is None


def small_exam(voided: frozenset[str] = frozenset()) -> tuple[Exam, list[Paper], dict]:
    bank = {
        "Q1": single("Q1"),
        "Q2": single("Q2", key="A"),
        "M": MULTIPLE,
        "F": FILL,
        "S": Item("S", ItemType.SHORT, "简答", "参考答案"),
    }
    exam = Exam(
        "WELD",
        "theory",
        60,
        "seed",
        (
            Section(ItemType.SINGLE, 2, D(1)),
            PARTIAL,
            Section(ItemType.FILL, 1, D(3)),
            SHORT,
        ),
        voided=voided,
    )
    return exam, list(draw_papers(exam, list(bank.values()))), bank


def test_an_attempt_is_raw_over_the_paper_total_times_the_component_max():
    exam, papers, bank = small_exam()
    attempt = Attempt(
        "E1",
        {"Q1": "B", "Q2": "C", "M": ["A", "C"], "F": ["Ar", None]},
        {("S", "J1"): D(4), ("S", "J2"): D(3)},
    )
    marked = mark_attempt(exam, papers, bank, attempt, ("J1", "J2"))
    # Q1 1 + Q2 0 + M 1 (partial) + F 1.5 + S 3.5 = 7; paper total 1 + 1 + 2 + 3 + 5 = 12
    assert (marked.raw, marked.total) == (7, 12)
    assert marked.score(D(100)) == Fraction(175, 3)  # 58.333…, kept exact


def test_a_short_item_still_to_be_marked_leaves_no_score():
    exam, papers, bank = small_exam()
    marked = mark_attempt(exam, papers, bank, Attempt("E1", {"Q1": "B"}), ("J1", "J2"))
    assert not marked.complete and marked.score(D(100)) is None
    assert marked.items["Q2"] == 0  # unanswered objective items score 0


def test_a_voided_item_leaves_raw_and_the_paper_total():
    exam, papers, bank = small_exam(voided=frozenset({"F"}))
    attempt = Attempt("E1", {"Q1": "B", "Q2": "A", "M": ["A", "C", "D"]}, {("S", "J1"): D(5)})
    marked = mark_attempt(exam, papers, bank, attempt, ("J1",))
    # 1 + 1 + 2 + 5 = 9 of 1 + 1 + 2 + 5 = 9 → 100
    assert "F" not in marked.items
    assert (marked.raw, marked.total, marked.score(D(100))) == (9, 9, 100)


# --- item analysis -------------------------------------------------------------------------------


def marked(entrant: str, **items: int) -> Marked:
    return Marked(entrant, 1, {code: Fraction(v) for code, v in items.items()}, Fraction(3))


def test_difficulty_discrimination_and_flags_on_a_hand_worked_field():
    exam = Exam(
        "T",
        "theory",
        60,
        "s",
        (Section(ItemType.SINGLE, 3, D(1)),),
        voided=frozenset({"C"}),
    )
    papers = [Paper(1, (("A", "B", "C"),))]
    attempts = [
        marked("E1", A=1, B=1),  # raw 2
        marked("E2", A=1, B=0),  # raw 1
        marked("E3", A=0, B=1),  # raw 1
        marked("E4", A=1, B=1),  # raw 2
        marked("E5", A=0, B=0),  # raw 0
    ]
    # n = 5, g = round_half_up(1.35) = 1: upper E1 (raw 2, before E4 by code), lower E5.
    stats = item_analysis(exam, papers, attempts)
    assert [(s.code, s.p, s.D, s.flagged) for s in stats] == [
        ("A", D("0.60"), D("1.00"), False),  # 3/5; 1 − 0
        ("B", D("0.60"), D("1.00"), False),
    ]  # C voided: not listed
    easy = [marked(f"E{i}", A=1, B=1 if i < 5 else 0) for i in range(1, 11)]
    # g = round_half_up(2.7) = 3: upper E1–E3 (raw 2), lower E7–E9 (raw 1; E10 sorts before
    # E5 by code). A: p 1.00 > 0.9 and D 0.00 → flagged; B: p 4/10, D 1 − 0.
    stats = item_analysis(exam, papers, easy)
    assert [(s.code, s.p, s.D, s.flagged) for s in stats] == [
        ("A", D("1.00"), D("0.00"), True),
        ("B", D("0.40"), D("1.00"), False),
    ]


def test_discrimination_is_null_when_one_group_never_saw_the_item():
    exam = Exam("T", "theory", 60, "s", (Section(ItemType.SINGLE, 1, D(1)),), papers=2)
    papers = [Paper(1, (("A",),)), Paper(2, (("B",),))]
    attempts = [
        Marked("E1", 1, {"A": Fraction(1)}, Fraction(1)),
        Marked("E2", 2, {"B": Fraction(0)}, Fraction(1)),
    ]
    # n = 2, g = round_half_up(0.54) = 1: upper E1 (paper 1), lower E2 (paper 2).
    stats = item_analysis(exam, papers, attempts)
    assert [(s.code, s.p, s.D, s.flagged) for s in stats] == [
        ("A", D("1.00"), None, True),  # p 1.00 flagged; D null flags nothing
        ("B", D("0.00"), None, True),
    ]
