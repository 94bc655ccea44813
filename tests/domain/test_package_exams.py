"""The theory exams of a package (EXAMS.md §5): every problem of the question bank, the exams
and the answers named by its path, its code and the details its message names; a sound
package marks each attempt into the component its exam feeds, worked out by hand
(``tests.packages.exam_package``)."""

import json
from decimal import Decimal

import pytest

from contest.domain.exams import Item, ItemFilter, ItemType
from contest.domain.package import read_package
from contest.domain.scoring import Aggregation
from tests.packages import EXAM_EXPECTED_WELD, exam_package, problems_found


def document() -> dict:
    return json.loads(json.dumps(exam_package()), parse_float=Decimal)


def item(d: dict, code: str) -> dict:
    return next(q for q in d["question_bank"] if q["code"] == code)


def exam(d: dict) -> dict:
    return d["exams"][0]


def section(d: dict, index: int) -> dict:
    return d["exams"][0]["sections"][index]


LEVELS = "初级工, 中级工, 高级工, 技师, 高级技师"
TYPES = "single, multiple, judge, fill, short"
NINE = {label: label for label in "ABCDEFGHI"}
#: The details of a refused judge's value on the short item (0..10 in steps of 0.5).
SHORT = {"max": "10", "step": "0.5"}

CASES = {
    "an unknown item type": (
        lambda d: item(d, "Q02").update(type="essay"),
        [("question_bank[1].type", "not_choice", {"value": "essay", "choices": TYPES})],
    ),
    "options: labelled A, B, C … in order, 2–8 of them": (
        lambda d: (
            item(d, "Q01").update(options={"A": "甲", "C": "丙"})
            or item(d, "Q02").update(options={"A": "甲"})
            or item(d, "Q03").update(options={"B": "乙", "A": "甲"}, key=["A", "B"])
            or item(d, "Q07").update(options=NINE)
        ),
        [
            ("question_bank[0].options", "options_labels", {"labels": "A, C"}),
            ("question_bank[1].options", "options_count", {"n": 1}),
            ("question_bank[2].options", "options_labels", {"labels": "B, A"}),
            ("question_bank[6].options", "options_count", {"n": 9}),
        ],
    ),
    "options only on single and multiple items, which need them": (
        lambda d: (
            item(d, "Q04").update(options={"A": "对", "B": "错"}) or item(d, "Q02").pop("options")
        ),
        [
            ("question_bank[1].options", "required", {}),
            ("question_bank[3].options", "no_options", {"type": "judge"}),
        ],
    ),
    "a key that is not one of the item's options": (
        lambda d: (
            item(d, "Q01").update(key="E")
            or item(d, "Q02").update(key=1)
            or item(d, "Q03").update(key=["A", "F"])
            or item(d, "Q07").pop("key")
        ),
        [
            ("question_bank[0].key", "key_not_option", {"value": "E", "labels": "A, B, C, D"}),
            ("question_bank[1].key", "not_label", {}),
            (
                "question_bank[2].key[1]",
                "key_not_option",
                {"value": "F", "labels": "A, B, C, D, E"},
            ),
            ("question_bank[6].key", "required", {}),
        ],
    ),
    "a multiple key of fewer than two different labels": (
        lambda d: (
            item(d, "Q03").update(key=["A"])
            or item(d, "Q01").update(type="multiple", key="B")
            or item(d, "Q02").update(type="multiple", key=["A", "A"])
        ),
        [
            ("question_bank[0].key", "not_label_list", {}),
            ("question_bank[1].key", "not_label_list", {}),
            ("question_bank[2].key", "multiple_key_short", {}),
        ],
    ),
    "a judge key is a boolean": (
        lambda d: item(d, "Q04").update(key="对") or item(d, "Q08").update(key=None),
        [
            ("question_bank[3].key", "not_boolean", {}),
            ("question_bank[7].key", "required", {}),
        ],
    ),
    "a fill key is a non-empty list of non-empty lists of text": (
        lambda d: (
            item(d, "Q05").update(key=[])
            or d["question_bank"].extend(
                [
                    {"code": "Q09", "type": "fill", "stem": "a____", "key": [["x"], []]},
                    {"code": "Q10", "type": "fill", "stem": "b____", "key": [["x", " "]]},
                    {"code": "Q11", "type": "fill", "stem": "c____", "key": "x"},
                    {"code": "Q12", "type": "fill", "stem": "d____", "key": [[1]]},
                    {"code": "Q13", "type": "short", "stem": "e", "key": 5},
                    {"code": "Q14", "type": "short", "stem": "f"},  # a short key is optional
                ]
            )
        ),
        [
            ("question_bank[4].key", "bad_fill_key", {}),
            ("question_bank[8].key", "bad_fill_key", {}),
            ("question_bank[9].key", "bad_fill_key", {}),
            ("question_bank[10].key", "bad_fill_key", {}),
            ("question_bank[11].key", "bad_fill_key", {}),
            ("question_bank[12].key", "not_text", {}),
        ],
    ),
    "an empty stem, marks ≤ 0, difficulty outside 1–5, a level off the ladder": (
        lambda d: (
            item(d, "Q01").update(stem=" ", marks=0, difficulty=0, level="工程师")
            or item(d, "Q02").update(marks=-1, difficulty=6, zz=1)
        ),
        [
            ("question_bank[0].stem", "not_text", {}),
            ("question_bank[0].marks", "not_positive", {"value": "0"}),
            ("question_bank[0].level", "not_choice", {"value": "工程师", "choices": LEVELS}),
            ("question_bank[0].difficulty", "too_small", {"value": 0, "min": 1}),
            ("question_bank[1].zz", "unknown_key", {"key": "zz"}),
            ("question_bank[1].marks", "not_positive", {"value": "-1"}),
            ("question_bank[1].difficulty", "too_large", {"value": 6, "max": 5}),
        ],
    ),
    "duplicate codes, and stems equal after normalisation named, not merged": (
        lambda d: (
            item(d, "Q02").update(code="Q01")
            or item(d, "Q07").update(stem="Ar 是惰性气体")
            or item(d, "Q08").update(stem="ａｒ\u3000 是惰性气体 ")  # full-width, spaces, case
        ),
        [
            ("question_bank[1].code", "duplicate", {"code": "Q01"}),
            ("question_bank[7].stem", "duplicate_stem", {"code": "Q08", "other": "Q07"}),
        ],
    ),
    "an exam on an unknown trade or component, two exams on one trade's component": (
        lambda d: d["exams"].extend(
            [
                {**exam(d), "trade": "CNC"},
                {**exam(d), "trade": "ELEC", "component": "exam"},
                {**exam(d)},
            ]
        ),
        [
            ("exams[1].trade", "dangling", {"what": "trade", "ref": "CNC"}),
            ("exams[2].component", "dangling", {"what": "component", "ref": "exam"}),
            ("exams[3].trade", "duplicate_exam", {"trade": "WELD", "other": "exams[0]"}),
        ],
    ),
    "an exam feeds a component without criteria": (
        lambda d: exam(d).update(component="practical"),
        [("exams[0].component", "exam_with_criteria", {"component": "practical"})],
    ),
    "section keys: partial for multiple, step, aggregation and trim for short, no other": (
        lambda d: (
            section(d, 0).update(partial=0.5, zz=1)
            or section(d, 1).update(aggregation="median", partial=1.5)
            or section(d, 2).update(trim=0)
            or section(d, 3).update(step=1)
            or section(d, 4).update(step=1, aggregation="trimmed_mean", trim=0, partial=0.5)
        ),
        [
            ("exams[0].sections[0].zz", "unknown_key", {"key": "zz"}),
            ("exams[0].sections[0].partial", "section_key", {"key": "partial", "type": "multiple"}),
            ("exams[0].sections[1].partial", "too_large", {"value": "1.5", "max": "1"}),
            (
                "exams[0].sections[1].aggregation",
                "section_key",
                {"key": "aggregation", "type": "short"},
            ),
            ("exams[0].sections[2].trim", "section_key", {"key": "trim", "type": "short"}),
            ("exams[0].sections[3].step", "section_key", {"key": "step", "type": "short"}),
            ("exams[0].sections[4].partial", "section_key", {"key": "partial", "type": "multiple"}),
        ],
    ),
    "section values and filters": (
        lambda d: (
            section(d, 0).update(count=0, marks=0, type="essay")
            or section(d, 2).update(
                filter={"tags": [""], "level": "工程师", "difficulty": [3, 1], "x": 1}
            )
        ),
        [
            ("exams[0].sections[0].type", "not_choice", {"value": "essay", "choices": TYPES}),
            ("exams[0].sections[0].count", "too_small", {"value": 0, "min": 1}),
            ("exams[0].sections[0].marks", "not_positive", {"value": "0"}),
            ("exams[0].sections[2].filter.x", "unknown_key", {"key": "x"}),
            ("exams[0].sections[2].filter.tags[0]", "not_text", {}),
            (
                "exams[0].sections[2].filter.level",
                "not_choice",
                {"value": "工程师", "choices": LEVELS},
            ),
            ("exams[0].sections[2].filter.difficulty", "bad_difficulty_range", {}),
        ],
    ),
    "exam values": (
        lambda d: exam(d).update(sections=[], papers=0, minutes=0, seed=" ", voided="Q07"),
        [
            ("exams[0].minutes", "too_small", {"value": 0, "min": 1}),
            ("exams[0].seed", "not_text", {}),
            ("exams[0].papers", "too_small", {"value": 0, "min": 1}),
            ("exams[0].sections", "empty", {}),
            ("exams[0].voided", "not_list", {}),
        ],
    ),
    "too few items for a section, named": (
        lambda d: section(d, 0).update(count=4),
        [
            (
                "exams[0].sections[0]",
                "too_few_items",
                {"section": 1, "paper": 1, "count": 4, "found": 3},
            )
        ],
    ),
    "too few items match a section's filter": (
        lambda d: section(d, 2).update(filter={"level": ["高级工"], "difficulty": [1, 5]}),
        [
            (
                "exams[0].sections[2]",
                "too_few_items",
                {"section": 3, "paper": 1, "count": 1, "found": 0},
            )
        ],
    ),
    "a voided item is on a paper": (
        lambda d: exam(d).update(voided=["Q07", "Q08", "Q99"]),
        [
            ("exams[0].voided", "voided_not_on_paper", {"item": "Q08"}),
            ("exams[0].voided", "dangling", {"what": "item", "ref": "Q99"}),
        ],
    ),
    "voiding every item of a paper is refused": (
        lambda d: exam(d).update(voided=["Q01", "Q02", "Q03", "Q04", "Q05", "Q06", "Q07"]),
        [("exams[0].voided", "all_voided", {"paper": 1})],
    ),
    "a component fed by an exam takes no direct scores": (
        lambda d: d["scores"].append({"entrant": "E1", "component": "theory", "value": 50}),
        [("scores[12].component", "exam_component_scored", {"component": "theory"})],
    ),
    "answers name an objective item on the entrant's paper, once": (
        lambda d: d["answers"].extend(
            [
                {"entrant": "E1", "item": "Q08", "response": True},
                {"entrant": "E1", "item": "Q99", "response": True},
                {"entrant": "E5", "item": "Q01", "response": "A"},
                {"entrant": "E9", "item": "Q01", "response": "A"},
                {"entrant": "E1", "item": "Q06", "response": "预热"},
                {"entrant": "E1", "item": "Q01", "response": "A"},
            ]
        ),
        [
            ("answers[12].item", "not_on_paper", {"item": "Q08", "paper": 1}),
            ("answers[13].item", "dangling", {"what": "item", "ref": "Q99"}),
            ("answers[14].entrant", "no_exam", {"entrant": "E5", "trade": "ELEC"}),
            ("answers[15].entrant", "dangling", {"what": "entrant", "ref": "E9"}),
            ("answers[16].item", "short_answer", {"item": "Q06"}),
            ("answers[17]", "duplicate_entry", {}),
        ],
    ),
    "answer keys": (
        lambda d: d["answers"].extend(
            [
                {"entrant": "E1", "item": "Q01", "zz": "A"},
                {"entrant": "E1"},
                {"entrant": "E1", "item": 3, "response": None},
            ]
        ),
        [
            ("answers[12].zz", "unknown_key", {"key": "zz"}),
            ("answers[13].item", "required", {}),
            ("answers[14].item", "not_text", {}),
        ],
    ),
    "a response suits its item": (
        lambda d: (
            d["answers"][0].update(response=1)
            or d["answers"][1].update(response="Z")
            or d["answers"][3].update(response="A")
            or d["answers"][4].update(response="对")
            or d["answers"][5].update(response=["Ar"])
            or d["answers"][9].update(response=["A", "A"])
            or d["answers"][11].update(response=["氩气", 3])
        ),
        [
            ("answers[0].response", "response_single", {"labels": "A, B, C, D"}),
            ("answers[1].response", "response_single", {"labels": "A, B, C, D"}),
            ("answers[3].response", "response_multiple", {"labels": "A, B, C, D, E"}),
            ("answers[4].response", "response_judge", {}),
            ("answers[5].response", "response_fill", {"n": 2}),
            ("answers[9].response", "response_multiple", {"labels": "A, B, C, D, E"}),
            ("answers[11].response", "response_fill", {"n": 2}),
        ],
    ),
    "null is always a blank, an empty list too": (
        lambda d: (
            [a.update(response=None) for a in d["answers"][:6]]
            and d["answers"][9].update(response=[])
        ),
        [],
    ),
    "judges' marks of a short item: panel, recusal, excusal, range and step": (
        lambda d: (
            d["scores"][0].update(judge="J4")  # on the trade, not on the theory panel
            or d["scores"][2].update(value=10.5)
            or d["scores"][3].update(judge="J3")  # of E2's unit
            or d["scores"][4].update(value="5.25")
            or d.update(excusals=[{"entrant": "E1", "judge": "J2", "reason": "回避"}])
            or d["scores"].extend(
                [
                    {"entrant": "E1", "item": "Q01", "judge": "J1", "value": 1},
                    {"entrant": "E1", "item": "Q06", "judge": "J9", "value": 1},
                    {"entrant": "E5", "item": "Q06", "judge": "J4", "value": 1},
                    {"entrant": "E1", "item": "Q08", "judge": "J1", "value": 1},
                    {"entrant": "E1", "item": "Q06", "judge": "J2", "value": 7},
                ]
            )
        ),
        [
            ("scores[0].judge", "score_not_on_exam_panel", {}),
            ("scores[1].judge", "score_excused", {"value": "8", **SHORT}),
            ("scores[2].value", "score_out_of_range", {"value": "10.5", **SHORT}),
            ("scores[3].judge", "score_recused", {"value": "5", **SHORT}),
            ("scores[4].value", "score_off_step", {"value": "5.25", **SHORT}),
            ("scores[6].judge", "score_excused", {"value": "90", "max": "100", "step": "1"}),
            ("scores[12].item", "not_short", {"item": "Q01", "type": "single"}),
            ("scores[13].judge", "dangling", {"what": "panel_judge", "ref": "J9"}),
            ("scores[14].entrant", "no_exam", {"entrant": "E5", "trade": "ELEC"}),
            ("scores[15].item", "not_on_paper", {"item": "Q08", "paper": 1}),
            ("scores[16]", "duplicate_score", {}),
        ],
    ),
    "a short item's marks on its section's step": (
        lambda d: section(d, 4).update(step=1),
        [("scores[2].value", "score_off_step", {"value": "8.5", "max": "10", "step": "1"})],
    ),
    "an item score names its judge, and nothing else": (
        lambda d: d["scores"].extend(
            [
                {"entrant": "E1", "item": "Q06", "value": 1},
                {"entrant": "E1", "item": "Q06", "judge": "J1", "criterion": "P1", "value": 1},
                {"entrant": "E1", "item": "Q06", "component": "theory", "value": 1},
            ]
        ),
        [
            ("scores[12]", "score_target", {}),
            ("scores[13]", "score_target", {}),
            ("scores[14]", "score_target", {}),
        ],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_problems(name):
    change, expected = CASES[name]
    changed = document()
    change(changed)
    assert problems_found(changed) == expected


def test_the_exam_marks_the_theory_component():
    """Worked by hand beside ``exam_package``: partial credit, a judge item, normalised and
    blank fill answers, the mean of three judges (two for E2, J3 recused), a voided item."""
    results = read_package(document()).results()
    weld = results["trades"][0]["entrants"]
    found = [(e["code"], e["rank"], e["status"], e["total"], e["components"]) for e in weld]
    assert found == EXAM_EXPECTED_WELD
    assert results["trades"][1]["entrants"][0]["components"] == {"theory": "75.00"}


def test_an_entrant_without_an_attempt_has_no_exam_score():
    d = document()
    d["answers"] = [a for a in d["answers"] if a["entrant"] != "E1"]
    weld = read_package(d).results()["trades"][0]["entrants"]
    e1 = next(e for e in weld if e["code"] == "E1")
    assert (e1["status"], e1["components"]) == ("incomplete", {"practical": "85.00"})


def test_a_missing_panel_value_leaves_the_component_incomplete():
    d = document()
    del d["scores"][2]  # J3's mark of E1's short item
    weld = read_package(d).results()["trades"][0]["entrants"]
    e1 = next(e for e in weld if e["code"] == "E1")
    assert (e1["status"], e1["components"]) == ("incomplete", {"practical": "85.00"})


def test_the_bank_and_the_blueprint_become_the_domains():
    package = read_package(document())
    bank = {i.code: i for i in package.question_bank}
    assert bank["Q01"] == Item(
        "Q01",
        ItemType.SINGLE,
        "焊条电弧焊时……",
        "B",
        Decimal(1),
        {"A": "甲", "B": "乙", "C": "丙", "D": "丁"},
        ("2.1.3",),
        "高级工",
        2,
    )
    assert bank["Q03"].key == frozenset({"A", "C", "D"})
    assert bank["Q05"].key == (("氩气", "Ar"), ("直流正接",))
    assert (bank["Q06"].key, bank["Q06"].explanation) == (
        "降低冷却速度，防止冷裂纹。",
        "见教材第三章。",
    )
    (exam_,) = package.exams
    assert (exam_.trade, exam_.component, exam_.papers, exam_.voided) == (
        "WELD",
        "theory",
        1,
        frozenset({"Q07"}),
    )
    multiple, judge, short = exam_.sections[1], exam_.sections[2], exam_.sections[4]
    assert multiple.partial == Decimal("0.5")
    assert judge.filter == ItemFilter(tags=("1",))
    assert (short.step, short.aggregation, short.trim) == (Decimal("0.5"), Aggregation.MEAN, 1)


def test_exam_papers_and_report():
    package = read_package(document())
    (paper,) = package.exam_papers("WELD")["papers"]
    assert sorted(paper[:3]) == ["Q01", "Q02", "Q07"]  # the voided item stays listed
    assert paper[3:] == ["Q03", "Q04", "Q05", "Q06"]
    # Two attempts: g = round_half_up(0.27 × 2) = 1; E1 (raw 95/6) is the upper group, E2
    # (15.5) the lower. Q06: E1 (47/6) / 10, E2 0.55 → p 0.67, D 0.23.
    assert package.exam_report("WELD") == {
        "items": [
            {"code": "Q01", "p": "0.50", "D": "1.00", "flagged": False},
            {"code": "Q02", "p": "0.50", "D": "-1.00", "flagged": True},
            {"code": "Q03", "p": "0.75", "D": "-0.50", "flagged": True},
            {"code": "Q04", "p": "0.50", "D": "1.00", "flagged": False},
            {"code": "Q05", "p": "0.75", "D": "-0.50", "flagged": True},
            {"code": "Q06", "p": "0.67", "D": "0.23", "flagged": False},
        ]
    }
    with pytest.raises(KeyError):
        package.exam_papers("ELEC")
