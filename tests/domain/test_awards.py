"""SCORING.md §5: award rules, titles, prizes and skill promotions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest

from contest.domain.awards import (
    AwardRule,
    Candidate,
    Nomination,
    Promotion,
    Rounding,
    Selection,
    age_on,
    apply_rules,
    percent_places,
)
from contest.domain.results import EventSpec, award_lists, compute_trade, results_document
from contest.domain.scoring import ComponentSpec, EntrantInput, TradeSpec

D = Decimal
STARTS = date(2026, 3, 1)


def field(ranks: Sequence[int], totals: Sequence[str] | None = None, **kwargs) -> list[Candidate]:
    """Candidates E1, E2, … with these ranks (totals 100 − rank unless given)."""
    totals = totals or [str(100 - r) for r in ranks]
    return [
        Candidate(f"E{i}", rank, D(t), **kwargs)
        for i, (rank, t) in enumerate(zip(ranks, totals, strict=True), start=1)
    ]


def chosen(
    rules: Sequence[AwardRule],
    candidates: Sequence[Candidate],
    trade: str = "T",
    field_ok: bool = True,
    starts_on: date = STARTS,
) -> dict[str, list[str]]:
    """Entrant → rule codes, as apply_rules gives them."""
    awards = apply_rules(rules, trade, candidates, field_ok, starts_on)
    return {e: [n.rule for n in items] for e, items in awards.by_entrant.items() if items}


def selected(rule: AwardRule, candidates: Sequence[Candidate], **kwargs) -> list[str]:
    return sorted(chosen([rule], candidates, **kwargs), key=lambda code: int(code[1:]))


def rule(select: Selection, code: str = "r", **kwargs) -> AwardRule:
    return AwardRule(code, code.upper(), select, **kwargs)


def people(*birth_dates: date | None) -> list[Candidate]:
    return [
        Candidate(f"E{i}", i, D(100 - i), birth_date=b) for i, b in enumerate(birth_dates, start=1)
    ]


# --- select kinds -------------------------------------------------------------------------------


def test_top_n():
    assert selected(rule(Selection(top=3)), field(range(1, 6))) == ["E1", "E2", "E3"]


def test_top_larger_than_the_field_selects_everyone():
    assert selected(rule(Selection(top=10)), field([1, 2])) == ["E1", "E2"]


def test_ranks_band_is_inclusive():
    assert selected(rule(Selection(ranks=(2, 4))), field(range(1, 7))) == ["E2", "E3", "E4"]
    assert selected(rule(Selection(ranks=(3, 3))), field(range(1, 7))) == ["E3"]


def test_ranks_band_with_shared_ranks():
    # ranks 1, 2, 2, 4: band 2..3 takes both rank-2 entrants, band 3..3 takes nobody
    assert selected(rule(Selection(ranks=(2, 3))), field([1, 2, 2, 4])) == ["E2", "E3"]
    assert selected(rule(Selection(ranks=(3, 3))), field([1, 2, 2, 4])) == []


@pytest.mark.parametrize(
    "percent, count, rounding, places",
    [
        ("25", 10, Rounding.FLOOR, 2),  # 2.5
        ("25", 10, Rounding.CEIL, 3),
        ("25", 10, Rounding.ROUND, 3),  # exact .5 rounds up
        ("15", 10, Rounding.ROUND, 2),  # 1.5 → 2
        ("15", 10, Rounding.FLOOR, 1),
        ("15", 10, Rounding.CEIL, 2),
        ("50", 5, Rounding.ROUND, 3),  # 2.5 → 3
        ("30", 5, Rounding.ROUND, 2),  # 1.5 → 2
        ("10", 14, Rounding.ROUND, 1),  # 1.4 → 1
        ("10", 14, Rounding.CEIL, 2),
        ("10", 16, Rounding.ROUND, 2),  # 1.6 → 2
        ("60", 7, Rounding.FLOOR, 4),  # 4.2
        ("60", 7, Rounding.ROUND, 4),
        ("60", 7, Rounding.CEIL, 5),
        ("12.5", 4, Rounding.ROUND, 1),  # 0.5 → 1
        ("12.5", 4, Rounding.FLOOR, 0),
        ("10", 3, Rounding.ROUND, 0),  # 0.3 → 0
        ("10", 3, Rounding.CEIL, 1),
        ("100", 7, Rounding.FLOOR, 7),
        ("0", 7, Rounding.CEIL, 0),
        ("33.3", 3, Rounding.CEIL, 1),  # 0.999 → 1
        ("33.3", 3, Rounding.ROUND, 1),
        ("33.3", 3, Rounding.FLOOR, 0),
        ("10", 0, Rounding.CEIL, 0),
    ],
)
def test_percent_places(percent, count, rounding, places):
    assert percent_places(D(percent), count, rounding) == places


def test_percent_rounding_defaults_to_round_half_up():
    assert Selection(percent=D(25)).rounding == Rounding.ROUND
    # 25 % of 10 = 2.5 → 3
    assert selected(rule(Selection(percent=D(25))), field(range(1, 11))) == ["E1", "E2", "E3"]


@pytest.mark.parametrize(
    "rounding, expected",
    [
        (Rounding.FLOOR, ["E1", "E2"]),
        (Rounding.CEIL, ["E1", "E2", "E3"]),
        (Rounding.ROUND, ["E1", "E2", "E3"]),
    ],
)
def test_percent_selects_rank_at_most_k(rounding, expected):
    # 25 % of 10 ranked = 2.5
    assert selected(rule(Selection(percent=D(25), rounding=rounding)), field(range(1, 11))) == (
        expected
    )


def test_percent_rounding_to_zero_selects_nobody():
    # 10 % of 4 = 0.4 → 0
    assert selected(rule(Selection(percent=D(10))), field(range(1, 5))) == []


@pytest.mark.parametrize(
    "count, expected",
    [
        (1, 1),
        (2, 1),
        (3, 1),  # first row with n ≥ 3 is [3, 1]
        (4, 2),
        (6, 2),
        (7, 3),  # only the null row matches
        (50, 3),
    ],
)
def test_top_by_field_takes_the_first_row_whose_n_covers_the_field(count, expected):
    select = Selection(top_by_field=((3, 1), (6, 2), (None, 3)))
    assert select.cut(count) == (1, expected)
    assert selected(rule(select), field(range(1, count + 1))) == [
        f"E{i}" for i in range(1, expected + 1)
    ]


def test_top_by_field_without_a_matching_row_selects_nobody():
    select = Selection(top_by_field=((3, 1), (6, 2)))
    assert select.cut(7) is None
    assert selected(rule(select), field(range(1, 8))) == []
    assert selected(rule(select), field(range(1, 7))) == ["E1", "E2"]


def test_top_by_field_rows_in_the_order_given():
    # the first row whose n ≥ count wins, even if a later row would also match
    select = Selection(top_by_field=((10, 1), (5, 4)))
    assert selected(rule(select), field(range(1, 5))) == ["E1"]


# --- ties at the cut -----------------------------------------------------------------------------


def test_top_2_with_ranks_1_2_2_selects_all_three():
    assert selected(rule(Selection(top=2)), field([1, 2, 2])) == ["E1", "E2", "E3"]


def test_ties_at_the_cut_are_all_selected_but_not_the_next_rank():
    assert selected(rule(Selection(top=2)), field([1, 2, 2, 4])) == ["E1", "E2", "E3"]
    assert selected(rule(Selection(top=1)), field([1, 1, 1, 4])) == ["E1", "E2", "E3"]
    assert selected(rule(Selection(top=3)), field([1, 1, 1, 4])) == ["E1", "E2", "E3"]


def test_percent_cut_includes_ties():
    # 50 % of 4 = 2 → rank ≤ 2: ranks 1, 2, 2 selected
    assert selected(rule(Selection(percent=D(50))), field([1, 2, 2, 4])) == ["E1", "E2", "E3"]
    # ceil(10 % of 3) = 1 → both rank-1 entrants
    select = Selection(percent=D(10), rounding=Rounding.CEIL)
    assert selected(rule(select), field([1, 1, 3])) == ["E1", "E2"]


def test_top_by_field_cut_includes_ties():
    select = Selection(top_by_field=((None, 1),))
    assert selected(rule(select), field([1, 1, 3])) == ["E1", "E2"]


# --- conditions ---------------------------------------------------------------------------------


def test_min_total_is_inclusive():
    candidates = field([1, 2, 3], ["95.01", "95.00", "94.99"])
    assert selected(rule(Selection(top=3), min_total=D(95)), candidates) == ["E1", "E2"]


def test_min_total_compares_the_rounded_total():
    # §2: the total is rounded; 0.5 × 94.99 + 0.5 × 95 = 94.995 → 95.00 ≥ 95
    trade = TradeSpec("T", (ComponentSpec("a", D("0.5")), ComponentSpec("b", D("0.5"))))
    entrants = [EntrantInput("A", "U1", direct={"a": D("94.99"), "b": D(95)})]
    event = EventSpec(
        "e",
        STARTS,
        award_rules=(AwardRule("champion", "状元", Selection(top=1), min_total=D(95)),),
        units=("U1",),
    )
    result = compute_trade(event, trade, entrants)
    assert str(result.entrants[0].score.total) == "95.00"
    assert [n.rule for n in result.entrants[0].awards] == ["champion"]


def test_min_entrants_on_the_rule():
    r = rule(Selection(top=1), min_entrants=5)
    assert selected(r, field(range(1, 5))) == []  # 4 ranked < 5
    assert selected(r, field(range(1, 6))) == ["E1"]  # 5 ranked


def test_max_age_in_full_years_on_starts_on():
    # starts_on 2026-03-01; max_age 25
    candidates = people(
        date(2001, 3, 1),  # 25 today (birthday on the start date)
        date(2000, 3, 2),  # 25, turns 26 tomorrow
        date(2000, 3, 1),  # 26 today
        date(2010, 1, 1),  # 16
        None,  # no birth date → not selected
    )
    assert selected(rule(Selection(top=5), max_age=25), candidates) == ["E1", "E2", "E4"]


def test_no_birth_date_is_never_selected_by_an_age_rule():
    assert selected(rule(Selection(top=1), max_age=200), people(None)) == []
    # without an age limit the birth date does not matter
    assert selected(rule(Selection(top=1)), people(None)) == ["E1"]


@pytest.mark.parametrize(
    "day, age",
    [
        (date(2025, 2, 28), 24),  # non-leap year: not reached on 28 February
        (date(2025, 3, 1), 25),  # … reached on 1 March
        (date(2024, 2, 28), 23),
        (date(2024, 2, 29), 24),  # leap year: reached on 29 February
        (date(2024, 3, 1), 24),
        (date(2000, 2, 29), 0),
        (date(2001, 2, 28), 0),
        (date(2001, 3, 1), 1),
    ],
)
def test_29_february_birthday(day, age):
    assert age_on(date(2000, 2, 29), day) == age


@pytest.mark.parametrize(
    "born, day, age",
    [
        (date(1990, 6, 15), date(2026, 6, 14), 35),
        (date(1990, 6, 15), date(2026, 6, 15), 36),
        (date(1990, 12, 31), date(2026, 1, 1), 35),
        (date(1991, 1, 1), date(2025, 12, 31), 34),
    ],
)
def test_age_on(born, day, age):
    assert age_on(born, day) == age


def test_max_age_with_a_29_february_birthday():
    candidates = people(date(2000, 2, 29))
    r = rule(Selection(top=1), max_age=25)
    # 2026 is not a leap year: 26 on 1 March 2026, still 25 on 28 February 2026
    assert selected(r, candidates, starts_on=date(2026, 3, 1)) == []
    assert selected(r, candidates, starts_on=date(2026, 2, 28)) == ["E1"]
    # 2028 is a leap year: 28 on 29 February 2028
    r27 = rule(Selection(top=1), max_age=27)
    assert selected(r27, candidates, starts_on=date(2028, 2, 28)) == ["E1"]  # 27
    assert selected(r27, candidates, starts_on=date(2028, 2, 29)) == []  # 28


def test_trades_restriction():
    r = rule(Selection(top=1), trades=frozenset({"WELD", "LATHE"}))
    assert selected(r, field([1, 2]), trade="WELD") == ["E1"]
    assert selected(r, field([1, 2]), trade="ELEC") == []


def test_field_size_rule_stops_every_rule():
    rules = [rule(Selection(top=1), "a"), rule(Selection(ranks=(1, 3)), "b", group="g")]
    assert chosen(rules, field([1, 2, 3]), field_ok=False) == {}
    assert chosen(rules, field([1, 2, 3])) == {"E1": ["a", "b"], "E2": ["b"], "E3": ["b"]}


# --- groups -------------------------------------------------------------------------------------


def test_exclusive_group_with_cumulative_cuts():
    # 一等奖 10 %, 二等奖 30 %, 三等奖 60 % of 10 ranked → cuts 1, 3, 6
    rules = [
        rule(Selection(percent=D(10)), "prize-1", group="prize"),
        rule(Selection(percent=D(30)), "prize-2", group="prize"),
        rule(Selection(percent=D(60)), "prize-3", group="prize"),
    ]
    assert chosen(rules, field(range(1, 11))) == {
        "E1": ["prize-1"],
        "E2": ["prize-2"],
        "E3": ["prize-2"],
        "E4": ["prize-3"],
        "E5": ["prize-3"],
        "E6": ["prize-3"],
    }


def test_group_falls_through_when_min_total_rejects():
    # 技术状元 needs 95; the winner has 94 → falls through to 金牌工人 of the same group
    rules = [
        rule(Selection(top=1), "champion", group="title", min_total=D(95)),
        rule(Selection(top=2), "gold-worker", group="title"),
    ]
    assert chosen(rules, field([1, 2, 3], ["94", "93", "92"])) == {
        "E1": ["gold-worker"],
        "E2": ["gold-worker"],
    }
    assert chosen(rules, field([1, 2, 3], ["96", "93", "92"])) == {
        "E1": ["champion"],
        "E2": ["gold-worker"],
    }


def test_group_falls_through_when_max_age_rejects():
    rules = [
        rule(Selection(top=1), "youth", group="g", max_age=30),
        rule(Selection(top=3), "other", group="g"),
    ]
    candidates = people(date(1980, 1, 1), date(2000, 1, 1), date(2001, 1, 1))
    assert chosen(rules, candidates) == {"E1": ["other"], "E2": ["other"], "E3": ["other"]}
    young = people(date(2000, 1, 1), date(1980, 1, 1))
    assert chosen(rules, young) == {"E1": ["youth"], "E2": ["other"]}


def test_group_falls_through_when_promote_rejects():
    rules = [
        rule(Selection(top=2), "promote", group="g", promote=Promotion(levels=1, cap="技师")),
        rule(Selection(top=2), "honour", group="g"),
    ]
    candidates = [
        Candidate("E1", 1, D(90), skill_level="技师"),  # already at the cap
        Candidate("E2", 2, D(80), skill_level="高级工"),
    ]
    awards = apply_rules(rules, "T", candidates, True, STARTS)
    assert awards.by_entrant == {
        "E1": [Nomination("honour", "E1")],
        "E2": [Nomination("promote", "E2", "技师")],
    }


def test_group_does_not_fall_through_past_a_rule_that_selected():
    rules = [
        rule(Selection(top=1), "first", group="g"),
        rule(Selection(top=3), "second", group="g"),
        rule(Selection(top=3), "third", group="g"),
    ]
    assert chosen(rules, field([1, 2, 3])) == {
        "E1": ["first"],
        "E2": ["second"],
        "E3": ["second"],
    }


def test_rules_in_different_groups_stack():
    rules = [
        rule(Selection(top=1), "a", group="x"),
        rule(Selection(top=1), "b", group="y"),
        rule(Selection(top=1), "c"),
        rule(Selection(top=2), "d"),
    ]
    assert chosen(rules, field([1, 2])) == {"E1": ["a", "b", "c", "d"], "E2": ["d"]}


def test_an_entrants_awards_are_in_rule_order():
    first = rule(Selection(top=5), "wide")
    second = rule(Selection(top=1), "narrow")
    assert chosen([first, second], field([1, 2]))["E1"] == ["wide", "narrow"]
    assert chosen([second, first], field([1, 2]))["E1"] == ["narrow", "wide"]


def test_grouped_rule_order_decides_not_the_narrowest_cut():
    # the wide rule comes first in the group, so it takes everyone it selects
    rules = [
        rule(Selection(top=5), "wide", group="g"),
        rule(Selection(top=1), "narrow", group="g"),
    ]
    assert chosen(rules, field([1, 2])) == {"E1": ["wide"], "E2": ["wide"]}


# --- promotions ---------------------------------------------------------------------------------


def test_promotion_defaults():
    assert Promotion() == Promotion(levels=1, cap="高级技师")


@pytest.mark.parametrize(
    "promotion, current, new",
    [
        (Promotion(), "初级工", "中级工"),
        (Promotion(), "高级工", "技师"),
        (Promotion(), "技师", "高级技师"),
        (Promotion(), "高级技师", None),  # already at the default cap
        (Promotion(levels=2), "初级工", "高级工"),
        (Promotion(levels=2), "技师", "高级技师"),  # +2 would pass the top: capped
        (Promotion(levels=2, cap="技师"), "初级工", "高级工"),
        (Promotion(levels=2, cap="技师"), "中级工", "技师"),
        (Promotion(levels=2, cap="技师"), "高级工", "技师"),  # capped at 技师
        (Promotion(levels=2, cap="技师"), "技师", None),  # at the cap
        (Promotion(levels=2, cap="技师"), "高级技师", None),  # above the cap
        (Promotion(levels=1, cap="中级工"), "初级工", "中级工"),
        (Promotion(), None, None),  # no recorded level
        (Promotion(), "特级技师", None),  # not on the ladder
        (Promotion(), "", None),
    ],
)
def test_promotion_new_level(promotion, current, new):
    assert promotion.new_level(current) == new


def test_promotion_rule_selects_only_promotable_entrants():
    r = rule(Selection(top=5), "promote", promote=Promotion(levels=2, cap="技师"))
    levels = ["高级工", "技师", None, "学徒", "初级工"]
    candidates = [
        Candidate(f"E{i}", i, D(100 - i), skill_level=level)
        for i, level in enumerate(levels, start=1)
    ]
    awards = apply_rules([r], "T", candidates, True, STARTS)
    assert awards.nominations() == [
        Nomination("promote", "E1", "技师"),
        Nomination("promote", "E5", "高级工"),
    ]


def test_promotions_in_the_results_document():
    trade = TradeSpec("T", (ComponentSpec("theory", D(1)),))
    entrants = [
        EntrantInput("A", "U1", direct={"theory": D(90)}, skill_level="中级工"),
        EntrantInput("B", "U1", direct={"theory": D(80)}, skill_level="高级技师"),
        EntrantInput("C", "U1", direct={"theory": D(70)}, skill_level="初级工"),
    ]
    event = EventSpec(
        "e",
        STARTS,
        award_rules=(
            AwardRule("promote", "技能等级晋升", Selection(top=2), promote=Promotion()),
            AwardRule("gold", "金牌工人", Selection(top=1)),
        ),
        units=("U1",),
    )
    result = compute_trade(event, trade, entrants)
    document = results_document(event, [result])
    assert document["awards"] == [
        {
            "code": "promote",
            "title": "技能等级晋升",
            "entrants": ["A"],
            "promotions": {"A": "高级工"},
        },
        {"code": "gold", "title": "金牌工人", "entrants": ["A"]},
    ]
    assert [(e["code"], e["awards"]) for e in document["trades"][0]["entrants"]] == [
        ("A", ["promote", "gold"]),
        ("B", []),
        ("C", []),
    ]
    assert [a.entrants for a in award_lists(event, [result])] == [("A",), ("A",)]


def test_min_entrants_of_the_trade_stops_award_rules_in_compute_trade():
    trade = TradeSpec("T", (ComponentSpec("theory", D(1)),), min_entrants=3)
    entrants = [
        EntrantInput("A", "U1", direct={"theory": D(90)}),
        EntrantInput("B", "U1", direct={"theory": D(80)}),
    ]
    event = EventSpec(
        "e", STARTS, award_rules=(AwardRule("top", "Top", Selection(top=1)),), units=("U1",)
    )
    document = results_document(event, [compute_trade(event, trade, entrants)])
    assert document["awards"] == [{"code": "top", "title": "Top", "entrants": []}]
    assert [e["rank"] for e in document["trades"][0]["entrants"]] == [1, 2]
