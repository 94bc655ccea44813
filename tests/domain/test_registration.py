"""Registration rules (PRODUCT.md §2), row by row and across the batch."""

from datetime import date

import pytest

from contest.domain import idcard
from contest.domain.registration import (
    Applicant,
    Column,
    Registered,
    Rules,
    TradeLimits,
    check_applicants,
    complete,
)

STARTS = date(2026, 5, 10)
RULES = Rules(
    starts_on=STARTS,
    trades={
        "WELD": TradeLimits("WELD", capacity=4, unit_quota=2, min_age=18, max_age=55,
                            min_skill_level="中级工"),
        "ELEC": TradeLimits("ELEC"),
    },
)  # fmt: skip


def person(n: int = 1, born: date = date(1990, 5, 1), gender: str = "M", **fields) -> Applicant:
    values = {
        "name": f"选手{n}",
        "id_number": idcard.build("330102", born, n, gender),
        "trade": "WELD",
        "skill_level": "高级工",
        "phone": "13800001111",
    }
    values.update(fields)
    return Applicant(**values)


def codes(problems):
    return [(p.row, p.column, p.code) for p in problems]


def test_a_good_applicant_passes():
    assert check_applicants([person()], "U1", RULES, []) == []


def test_gender_and_birth_date_are_taken_from_the_id_when_blank():
    filled = complete(person(3, born=date(1988, 2, 29), gender="F"))
    assert filled.gender == "F" and filled.birth_date == date(1988, 2, 29)


@pytest.mark.parametrize("column", [Column.NAME, Column.ID_NUMBER, Column.TRADE, Column.PHONE])
def test_required_fields(column):
    problems = check_applicants([person(**{column: None})], "U1", RULES, [])
    assert (0, column, "required") in codes(problems)


def test_skill_level_is_required_where_the_trade_sets_a_minimum():
    assert (0, Column.SKILL_LEVEL, "required") in codes(
        check_applicants([person(skill_level=None)], "U1", RULES, [])
    )
    assert check_applicants([person(trade="ELEC", skill_level=None)], "U1", RULES, []) == []


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda n: n[:-1] + ("0" if n[-1] != "0" else "1"), "check_digit"),
        (lambda n: n[:17], "length"),
        (lambda n: "99" + n[2:], "region"),
    ],
)
def test_invalid_id_numbers(mutate, reason):
    bad = person()
    problems = check_applicants(
        [Applicant(**{**bad.__dict__, "id_number": mutate(bad.id_number)})], "U1", RULES, []
    )
    assert [(p.column, p.code, p.params.get("reason")) for p in problems] == [
        (Column.ID_NUMBER, "bad_id_number", reason)
    ]


def test_birth_date_and_gender_must_agree_with_the_id():
    male = person()  # the ID number says: male, born 1990-05-01
    wrong = Applicant(**{**male.__dict__, "birth_date": date(1990, 5, 2), "gender": "F"})
    problems = check_applicants([wrong], "U1", RULES, [])
    assert codes(problems) == [
        (0, Column.GENDER, "id_gender_mismatch"),
        (0, Column.BIRTH_DATE, "id_birth_mismatch"),
    ]
    assert problems[0].params == {"gender": "M"}


@pytest.mark.parametrize(
    "born, code",
    [
        (date(2008, 5, 11), "too_young"),  # 17 on 2026-05-10
        (date(2008, 5, 10), None),  # 18 on the day
        (date(1970, 5, 10), "too_old"),  # 56
        (date(1970, 5, 11), None),  # still 55
    ],
)
def test_age_window_on_the_first_day(born, code):
    problems = check_applicants([person(born=born)], "U1", RULES, [])
    assert [p.code for p in problems] == ([code] if code else [])


@pytest.mark.parametrize("level, ok", [("初级工", False), ("中级工", True), ("高级技师", True)])
def test_minimum_skill_level(level, ok):
    problems = check_applicants([person(skill_level=level)], "U1", RULES, [])
    assert (problems == []) is ok


def test_unknown_skill_level_and_trade_and_bad_phone():
    problems = check_applicants(
        [person(skill_level="工程师", phone="12345"), person(2, trade="COOK")], "U1", RULES, []
    )
    assert "bad_skill_level" in [p.code for p in problems if p.row == 0]
    assert "bad_phone" in [p.code for p in problems if p.row == 0]
    assert (1, Column.TRADE, "unknown_trade") in codes(problems)


def test_the_same_person_twice_in_one_batch():
    problems = check_applicants([person(1), person(1, trade="ELEC")], "U1", RULES, [])
    assert codes(problems) == [(1, Column.ID_NUMBER, "duplicate_in_batch")]
    assert problems[0].params == {"row": 0}


def test_one_trade_per_person_unless_the_event_allows_more():
    both = Rules(STARTS, RULES.trades, multiple_trades_allowed=True)
    assert check_applicants([person(1), person(1, trade="ELEC")], "U1", both, []) == []
    same = check_applicants([person(1), person(1)], "U1", both, [])
    assert [p.code for p in same] == ["duplicate_in_batch"]


def test_already_registered_by_this_or_another_unit():
    mine = [Registered(person(1).id_number, "ELEC", "U1")]
    theirs = [Registered(person(1).id_number, "WELD", "U2")]
    assert [p.code for p in check_applicants([person(1)], "U1", RULES, mine)] == [
        "already_registered"
    ]
    problems = check_applicants([person(1)], "U1", RULES, theirs)
    assert [(p.code, p.params["unit"]) for p in problems] == [("registered_elsewhere", "U2")]


def test_quota_counts_those_already_registered():
    registered = [Registered("x1", "WELD", "U1")]
    problems = check_applicants([person(1), person(2)], "U1", RULES, registered)
    assert codes(problems) == [(1, Column.TRADE, "over_quota")]
    assert problems[0].params == {"quota": 2, "trade": "WELD"}
    # Another unit's entrants do not use this unit's quota.
    assert check_applicants([person(1)], "U1", RULES, [Registered("x", "WELD", "U2")]) == []


def test_capacity_counts_every_unit():
    registered = [Registered(f"x{i}", "WELD", f"U{i}") for i in range(2, 5)]
    problems = check_applicants([person(1), person(2)], "U1", RULES, registered)
    assert codes(problems) == [(1, Column.TRADE, "over_capacity")]


def test_problems_are_sorted_by_row_then_column():
    problems = check_applicants(
        [person(1, phone="1"), person(2, name=None, skill_level="初级工")], "U1", RULES, []
    )
    assert codes(problems) == [
        (0, Column.PHONE, "bad_phone"),
        (1, Column.NAME, "required"),
        (1, Column.SKILL_LEVEL, "skill_too_low"),
    ]
