"""SCORING.md §3 (ranking, teams, units, medals, field size) and §6 (standard scores)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest

from contest.domain.awards import AwardRule, Selection
from contest.domain.ranking import (
    Contribution,
    Medal,
    Placing,
    TieNote,
    competition_ranks,
    contributions,
    field_awards,
    medals_allowed,
    rank_entrants,
    rank_teams,
    t_scores,
    unit_table,
)
from contest.domain.results import EventSpec, compute_trade, results_document
from contest.domain.scoring import (
    ComponentSpec,
    CriterionSpec,
    DeclaredStatus,
    EntrantInput,
    JudgeRef,
    TradeSpec,
    score_entrant,
)

D = Decimal

# theory (direct, weight 0.5) + practical (weight 0.5) = P1 + P2, each entered by one judge,
# so a criterion mark is the value entered and practical = P1 + P2.
TRADE = TradeSpec(
    "T",
    (
        ComponentSpec("theory", D("0.5")),
        ComponentSpec(
            "practical",
            D("0.5"),
            criteria=(CriterionSpec("P1", D(50)), CriterionSpec("P2", D(50))),
        ),
    ),
    judges=(JudgeRef("J1", "JU"),),
)


def entry(
    code: str,
    theory: str | None = None,
    p1: str | None = None,
    p2: str | None = None,
    *,
    time: str | None = None,
    unit: str = "U1",
    team: str | None = None,
    status: DeclaredStatus | None = None,
) -> EntrantInput:
    values = {}
    if p1 is not None:
        values[("P1", "J1")] = D(p1)
    if p2 is not None:
        values[("P2", "J1")] = D(p2)
    return EntrantInput(
        code,
        unit,
        team=team,
        status=status,
        time=D(time) if time is not None else None,
        values=values,
        direct={"theory": D(theory)} if theory is not None else {},
    )


def total(code: str, value: str, **kwargs) -> EntrantInput:
    """An entrant whose total is exactly ``value`` (theory = practical = value, P1 = P2)."""
    half = D(value) / 2
    return entry(code, value, str(half), str(half), **kwargs)


def placings(
    entrants: Sequence[EntrantInput], breakers: Sequence[str] = (), decimals: int = 2
) -> list[Placing]:
    scores = [score_entrant(TRADE, e, decimals) for e in entrants]
    return rank_entrants(scores, breakers, {e.code: e.time for e in entrants}, decimals)


def ranks(result: list[Placing]) -> list[tuple[str, int | None]]:
    return [(p.code, p.rank) for p in result]


# --- ordering by rounded total ------------------------------------------------------------------


def test_ordered_by_total_highest_first():
    result = placings([total("A", "85"), total("B", "90"), total("C", "80")])
    assert ranks(result) == [("B", 1), ("A", 2), ("C", 3)]
    assert all(p.tie is None for p in result)


def test_equal_rounded_totals_are_equal_even_if_the_exact_totals_differ():
    # A: 0.5 × 80 + 0.5 × (40.2 + 40) = 80.1; B: 0.5 × 80 + 0.5 × 80 = 80
    a = entry("A", "80", "40.2", "40")
    b = entry("B", "80", "40", "40")
    assert ranks(placings([a, b], decimals=0)) == [("A", 1), ("B", 1)]  # 80 and 80
    assert ranks(placings([b, a], decimals=1)) == [("A", 1), ("B", 2)]  # 80.1 and 80.0


def test_rounding_uses_half_up_for_ordering():
    # A: 0.5 × 80 + 0.5 × 81 = 80.5 → 81 at 0 places; B 80.4 → 80
    a = entry("A", "80", "40.5", "40.5")
    b = entry("B", "80", "40.4", "40.4")
    assert ranks(placings([b, a], decimals=0)) == [("A", 1), ("B", 2)]


# --- tie-breakers ---------------------------------------------------------------------------------


def test_component_breaker_compares_rounded_component_scores():
    # both totals 80.2: A = 0.5 × 80.4 + 0.5 × 80.0, B = 0.5 × 80.0 + 0.5 × 80.4
    a = entry("A", "80.4", "40", "40", time="100")
    b = entry("B", "80", "40.4", "40", time="200")
    breakers = ("component:practical", "time")
    # decimals 1: practical 80.0 vs 80.4 → B is better on the first breaker
    result = placings([a, b], breakers, decimals=1)
    assert ranks(result) == [("B", 1), ("A", 2)]
    assert result[1].tie == TieNote("B", "component:practical")
    # decimals 0: both totals 80, practical 80.0 and 80.4 both round to 80 → time decides
    result = placings([a, b], breakers, decimals=0)
    assert ranks(result) == [("A", 1), ("B", 2)]
    assert result[1].tie == TieNote("A", "time")


def test_criterion_breaker_compares_marks_rounded_to_decimals():
    # both totals 80.2: A P1 40.4, P2 40.0; B P1 40.0, P2 40.4 (theory 80 each)
    a = entry("A", "80", "40.4", "40", time="300")
    b = entry("B", "80", "40", "40.4", time="200")
    breakers = ("criterion:P1", "time")
    result = placings([a, b], breakers, decimals=1)
    assert ranks(result) == [("A", 1), ("B", 2)]
    assert result[1].tie == TieNote("A", "criterion:P1")
    # decimals 0: P1 40.4 → 40 and 40.0 → 40 are equal, so time decides: B is faster
    result = placings([a, b], breakers, decimals=0)
    assert ranks(result) == [("B", 1), ("A", 2)]
    assert result[1].tie == TieNote("B", "time")


def test_criterion_breaker_on_exact_fractional_marks():
    # mean of three judges: A's P1 = mean(1, 0, 0) = 0.333… → 0.33; B's P1 = 0.33
    trade = TradeSpec(
        "T",
        (
            ComponentSpec(
                "p", D(1), criteria=(CriterionSpec("P1", D(10)), CriterionSpec("P2", D(60)))
            ),
        ),
        judges=(JudgeRef("J1"), JudgeRef("J2"), JudgeRef("J3")),
    )

    def make(code: str, p1: Sequence[str], time: str) -> EntrantInput:
        values = {("P1", f"J{i}"): D(v) for i, v in enumerate(p1, start=1)}
        values.update({("P2", f"J{i}"): D(50) for i in (1, 2, 3)})
        return EntrantInput(code, "U", values=values, time=D(time))

    a, b = make("A", ["1", "0", "0"], "90"), make("B", ["0.33", "0.33", "0.33"], "80")
    scores = [score_entrant(trade, e) for e in (a, b)]
    assert [s.total for s in scores] == [D("50.33"), D("50.33")]  # 50.333… and 50.33
    result = rank_entrants(scores, ("criterion:P1", "time"), {"A": a.time, "B": b.time}, 2)
    # P1 rounded: 0.33 = 0.33 → time: B (80 s) beats A (90 s)
    assert ranks(result) == [("B", 1), ("A", 2)]
    assert result[1].tie == TieNote("B", "time")


def test_time_lower_is_better():
    result = placings([total("A", "80", time="120.5"), total("B", "80", time="95")], ["time"])
    assert ranks(result) == [("B", 1), ("A", 2)]
    assert result[1].tie == TieNote("B", "time")


def test_entrants_without_a_time_lose_to_those_with_one():
    result = placings([total("A", "80"), total("B", "80", time="9999")], ["time"])
    assert ranks(result) == [("B", 1), ("A", 2)]
    assert result[1].tie == TieNote("B", "time")


def test_two_entrants_without_a_time_are_equal():
    result = placings([total("B", "80"), total("C", "80", time="10"), total("A", "80")], ["time"])
    assert ranks(result) == [("C", 1), ("A", 2), ("B", 2)]
    assert result[1].tie == TieNote("C", "time")
    assert result[2].tie == TieNote("A", None)


def test_equal_times_share_the_rank():
    result = placings([total("A", "80", time="60"), total("B", "80", time="60.0")], ["time"])
    assert ranks(result) == [("A", 1), ("B", 1)]
    assert result[1].tie == TieNote("A", None)


def test_breakers_apply_in_order():
    # equal totals 80.2; A faster, B better practical (80.4 vs 80.0)
    a = entry("A", "80.4", "40", "40", time="100")
    b = entry("B", "80", "40.4", "40", time="200")
    assert ranks(placings([a, b], ("component:practical", "time"))) == [("B", 1), ("A", 2)]
    assert ranks(placings([a, b], ("time", "component:practical"))) == [("A", 1), ("B", 2)]


def test_later_breaker_decides_when_the_earlier_ones_are_equal():
    # totals 80, practical both 80 → the criterion breaker (P1 41 vs 39) decides
    a = entry("A", "80", "39", "41", time="1")
    b = entry("B", "80", "41", "39", time="2")
    result = placings([a, b], ("component:practical", "criterion:P1", "time"))
    assert ranks(result) == [("B", 1), ("A", 2)]
    assert result[1].tie == TieNote("B", "criterion:P1")


def test_breakers_never_override_the_total():
    # A has the better time but the lower total
    result = placings([total("A", "79.99", time="1"), total("B", "80", time="500")], ["time"])
    assert ranks(result) == [("B", 1), ("A", 2)]
    assert result[1].tie is None  # different totals: no tie to explain


# --- shared ranks, unranked ---------------------------------------------------------------------


def test_shared_ranks_skip_the_next_1_2_2_4():
    result = placings(
        [total("D", "80"), total("C", "85"), total("B", "85"), total("A", "90")],
    )
    assert ranks(result) == [("A", 1), ("B", 2), ("C", 2), ("D", 4)]
    assert result[2].tie == TieNote("B", None)
    assert result[1].tie is None and result[3].tie is None


def test_three_way_tie_at_the_top_1_1_1_4():
    result = placings([total(c, "90") for c in "CAB"] + [total("D", "70")])
    assert ranks(result) == [("A", 1), ("B", 1), ("C", 1), ("D", 4)]
    assert [p.tie for p in result] == [None, TieNote("A", None), TieNote("B", None), None]


def test_unranked_follow_the_ranked_with_rank_none_by_code():
    entrants = [
        total("M", "70"),
        entry("A0", "90"),  # incomplete: no practical
        total("Z9", "95", status=DeclaredStatus.DQ),
        total("B0", "99", status=DeclaredStatus.DNS),
        total("N", "75"),
        total("C0", "60", status=DeclaredStatus.WD),
    ]
    result = placings(entrants)
    assert ranks(result) == [
        ("N", 1),
        ("M", 2),
        ("A0", None),
        ("B0", None),
        ("C0", None),
        ("Z9", None),
    ]
    assert all(p.tie is None for p in result[2:])


def test_nobody_ranked():
    assert ranks(placings([entry("A"), total("B", "80", status=DeclaredStatus.DNS)])) == [
        ("A", None),
        ("B", None),
    ]
    assert placings([]) == []


def test_competition_ranks():
    ranked = competition_ranks([("d", (3,)), ("b", (2,)), ("a", (1,)), ("c", (2,)), ("e", (3,))])
    assert ranked == {"a": 1, "b": 2, "c": 2, "d": 4, "e": 4}


# --- teams ------------------------------------------------------------------------------------


def test_team_score_is_the_sum_of_its_best_n_rounded_totals():
    members = [
        ("T1", "A", D("90.00")),
        ("T1", "B", D("80.00")),
        ("T1", "C", D("85.50")),
        ("T2", "D", D("88.00")),
        ("T2", "E", D("88.00")),
    ]
    teams = rank_teams(2, members)
    # T1: 90 + 85.5 = 175.5 (B's 80 not counted); T2: 88 + 88 = 176
    assert [(t.code, t.rank, t.score) for t in teams] == [
        ("T2", 1, D("176.00")),
        ("T1", 2, D("175.50")),
    ]
    assert set(teams[1].counted) == {"A", "C"}


def test_team_with_fewer_than_n_ranked_members_is_unranked():
    members = [
        ("T1", "A", D("95")),
        ("T1", "B", None),  # incomplete / DNS member
        ("T2", "C", D("50")),
        ("T2", "D", D("40")),
        ("T3", "E", D("99")),
    ]
    teams = rank_teams(2, members)
    assert [(t.code, t.rank, t.score) for t in teams] == [
        ("T2", 1, D("90")),
        ("T1", None, None),
        ("T3", None, None),
    ]


def test_equal_team_scores_share_the_rank_ordered_by_code():
    members = [
        ("TB", "A", D("80")),
        ("TB", "B", D("90")),
        ("TA", "C", D("85")),
        ("TA", "D", D("85")),
        ("TC", "E", D("100")),
        ("TC", "F", D("60")),
        ("TD", "G", D("100")),
        ("TD", "H", D("100")),
    ]
    teams = rank_teams(2, members)
    # TD 200; TA 170, TB 170; TC 160
    assert [(t.code, t.rank) for t in teams] == [("TD", 1), ("TA", 2), ("TB", 2), ("TC", 4)]


def test_teams_ordered_by_rank_then_code_then_unranked_by_code():
    members = [
        ("TZ", "Z1", None),
        ("TB", "B1", D("90")),
        ("T0", "O1", None),
        ("TA", "A1", D("80")),
        ("TC", "C1", D("90")),
    ]
    teams = rank_teams(1, members)
    assert [(t.code, t.rank) for t in teams] == [
        ("TB", 1),
        ("TC", 1),
        ("TA", 3),
        ("T0", None),
        ("TZ", None),
    ]


def test_no_team_size_means_no_team_ranking():
    assert rank_teams(None, [("T1", "A", D("90"))]) == []


def test_team_ranking_ignores_the_field_size_rule():
    trade = TradeSpec("T", TRADE.components, judges=TRADE.judges, team_size=1, min_entrants=5)
    entrants = [
        total("A", "90", team="T1", unit="U1"),
        total("B", "80", team="T2", unit="U2"),
        total("C", "85", team="T2", unit="U2", status=DeclaredStatus.DQ),
    ]
    event = EventSpec(
        "e",
        date(2026, 3, 1),
        placement_points=(5, 3),
        award_rules=(AwardRule("top", "Top", Selection(top=3)),),
        units=("U1", "U2"),
    )
    result = compute_trade(event, trade, entrants)
    assert not result.field_ok
    assert [(t.code, t.rank, t.score) for t in result.teams] == [
        ("T1", 1, D("90.00")),
        ("T2", 2, D("80.00")),
    ]
    assert all(e.awards == () and e.contribution is None for e in result.entrants)


def test_team_uses_rounded_totals():
    # decimals 0: A 80.4 → 80, B 80.4 → 80; team = 160 (the exact sum 160.8 would round to 161)
    trade = TradeSpec("T", TRADE.components, judges=TRADE.judges, team_size=2)
    entrants = [
        entry("A", "80.4", "40.2", "40.2", team="T1"),
        entry("B", "80.4", "40.2", "40.2", team="T1"),
    ]
    event = EventSpec("e", date(2026, 3, 1), decimals=0, units=("U1",))
    result = compute_trade(event, trade, entrants)
    assert result.teams[0].score == D(160)
    document = results_document(event, [result])
    assert document["trades"][0]["teams"] == [{"code": "T1", "rank": 1, "score": "160"}]


# --- placement points, medals and the unit table ----------------------------------------------


def six_placings(ranks_: Sequence[int]) -> list[Placing]:
    return [Placing(f"E{i}", r) for i, r in enumerate(ranks_, start=1)]


def test_placement_points_by_rank_and_zero_past_the_table():
    placed = [*six_placings([1, 2, 3, 4, 5, 6]), Placing("X", None)]
    unit_of = {f"E{i}": f"U{i}" for i in range(1, 7)} | {"X": "U1"}
    earned = contributions(placed, unit_of, (5, 3, 2, 1), True, False)
    assert [(c.entrant, c.unit, c.points, c.medal) for c in earned] == [
        ("E1", "U1", 5, Medal.GOLD),
        ("E2", "U2", 3, Medal.SILVER),
        ("E3", "U3", 2, Medal.BRONZE),
        ("E4", "U4", 1, None),
        ("E5", "U5", 0, None),
        ("E6", "U6", 0, None),
    ]


def test_shared_rank_earns_the_points_of_that_rank():
    placed = six_placings([1, 2, 2, 4])
    earned = contributions(placed, {f"E{i}": "U" for i in range(1, 5)}, (5, 3, 2, 1), True, False)
    assert [c.points for c in earned] == [5, 3, 3, 1]


def test_two_tied_at_one_get_two_golds_and_the_next_bronze_no_silver():
    placed = six_placings([1, 1, 3, 4])
    unit_of = {"E1": "U1", "E2": "U2", "E3": "U3", "E4": "U4"}
    earned = contributions(placed, unit_of, (5, 3, 2), True, False)
    assert [c.medal for c in earned] == [Medal.GOLD, Medal.GOLD, Medal.BRONZE, None]
    table = unit_table(("U1", "U2", "U3", "U4"), earned)
    assert [(u.code, u.rank, u.points, u.gold, u.silver, u.bronze) for u in table] == [
        ("U1", 1, 5, 1, 0, 0),
        ("U2", 1, 5, 1, 0, 0),
        ("U3", 3, 2, 0, 0, 1),
        ("U4", 4, 0, 0, 0, 0),
    ]


def test_every_unit_is_listed_even_with_no_points():
    earned = [Contribution("E1", "U2", 5, Medal.GOLD)]
    table = unit_table(("U3", "U1", "U2"), earned)
    assert [(u.code, u.rank, u.points) for u in table] == [("U2", 1, 5), ("U1", 2, 0), ("U3", 2, 0)]


def test_unit_table_orders_by_points_then_gold_silver_bronze():
    earned = [
        # U5: most points, no medals
        Contribution("a", "U5", 11, None),
        # U1..U4: 10 points each, different medals
        Contribution("b", "U1", 10, None),
        Contribution("c", "U2", 4, Medal.GOLD),
        Contribution("d", "U2", 6, None),
        Contribution("e", "U3", 10, Medal.SILVER),
        Contribution("f", "U3", 0, Medal.SILVER),
        Contribution("g", "U4", 10, Medal.BRONZE),
        Contribution("h", "U4", 0, Medal.BRONZE),
        Contribution("i", "U4", 0, Medal.BRONZE),
        Contribution("j", "U6", 10, Medal.SILVER),
        Contribution("k", "U6", 0, Medal.BRONZE),
    ]
    table = unit_table(("U1", "U2", "U3", "U4", "U5", "U6"), earned)
    # U5 11 pts; then among 10 pts: U2 (1 gold), U3 (2 silver), U6 (1 silver 1 bronze),
    # U4 (3 bronze), U1 (nothing)
    assert [(u.code, u.rank) for u in table] == [
        ("U5", 1),
        ("U2", 2),
        ("U3", 3),
        ("U6", 4),
        ("U4", 5),
        ("U1", 6),
    ]
    u3 = next(u for u in table if u.code == "U3")
    assert (u3.points, u3.gold, u3.silver, u3.bronze) == (10, 0, 2, 0)


def test_units_equal_on_everything_share_the_rank():
    earned = [
        Contribution("a", "U1", 5, Medal.GOLD),
        Contribution("b", "U2", 5, Medal.GOLD),
        Contribution("c", "U3", 3, Medal.SILVER),
    ]
    table = unit_table(("U2", "U3", "U1"), earned)
    assert [(u.code, u.rank) for u in table] == [("U1", 1), ("U2", 1), ("U3", 3)]
    assert [u.rank for u in unit_table(("B", "A"), [])] == [1, 1]


# --- field size ---------------------------------------------------------------------------------


def test_field_smaller_than_min_entrants_awards_nothing_but_keeps_ranks():
    placed = six_placings([1, 2, 3])
    unit_of = {"E1": "U1", "E2": "U2", "E3": "U3"}
    assert contributions(placed, unit_of, (5, 3, 2), field_awards(3, 4), False) == []
    assert len(contributions(placed, unit_of, (5, 3, 2), field_awards(3, 3), False)) == 3


def test_field_size_counts_only_ranked_entrants_in_compute_trade():
    trade = TradeSpec("T", TRADE.components, judges=TRADE.judges, min_entrants=4)
    entrants = [
        total("A", "90", unit="U1"),
        total("B", "80", unit="U2"),
        total("C", "70", unit="U3"),
        total("D", "95", unit="U4", status=DeclaredStatus.DNS),
        entry("E", "99", unit="U4"),  # incomplete
    ]
    event = EventSpec(
        "e",
        date(2026, 3, 1),
        placement_points=(5, 3, 2),
        award_rules=(AwardRule("top", "Top", Selection(top=3)),),
        units=("U1", "U2", "U3", "U4"),
    )
    result = compute_trade(event, trade, entrants)
    assert result.ranked_count == 3
    assert not result.field_ok
    assert [(e.code, e.placing.rank) for e in result.entrants] == [
        ("A", 1),
        ("B", 2),
        ("C", 3),
        ("D", None),
        ("E", None),
    ]
    assert all(e.contribution is None and e.awards == () for e in result.entrants)
    document = results_document(event, [result])
    assert [(u["code"], u["rank"], u["points"], u["gold"]) for u in document["units"]] == [
        ("U1", 1, 0, 0),
        ("U2", 1, 0, 0),
        ("U3", 1, 0, 0),
        ("U4", 1, 0, 0),
    ]
    # one more ranked entrant reaches min_entrants 4: points, medals and awards are back
    result = compute_trade(event, trade, [*entrants, total("F", "60", unit="U4")])
    assert result.field_ok
    assert [(e.code, e.contribution.points, e.contribution.medal) for e in result.entrants[:4]] == [
        ("A", 5, Medal.GOLD),
        ("B", 3, Medal.SILVER),
        ("C", 2, Medal.BRONZE),
        ("F", 0, None),
    ]
    assert [[n.rule for n in e.awards] for e in result.entrants[:4]] == [["top"]] * 3 + [[]]


@pytest.mark.parametrize(
    "count, medals",
    [
        (0, {Medal.GOLD}),
        (1, {Medal.GOLD}),
        (3, {Medal.GOLD}),
        (4, {Medal.GOLD}),
        (5, {Medal.GOLD, Medal.SILVER}),
        (6, {Medal.GOLD, Medal.SILVER, Medal.BRONZE}),
        (7, {Medal.GOLD, Medal.SILVER, Medal.BRONZE}),
        (30, {Medal.GOLD, Medal.SILVER, Medal.BRONZE}),
    ],
)
def test_medals_by_field(count, medals):
    assert medals_allowed(count, True) == medals
    assert medals_allowed(count, False) == {Medal.GOLD, Medal.SILVER, Medal.BRONZE}


@pytest.mark.parametrize(
    "count, expected",
    [
        (4, [Medal.GOLD, None, None, None]),
        (5, [Medal.GOLD, Medal.SILVER, None, None, None]),
        (6, [Medal.GOLD, Medal.SILVER, Medal.BRONZE, None, None, None]),
    ],
)
def test_medals_by_field_in_contributions_keep_the_points(count, expected):
    placed = six_placings(range(1, count + 1))
    unit_of = {p.code: "U" for p in placed}
    earned = contributions(placed, unit_of, (6, 5, 4, 3, 2, 1), True, True)
    assert [c.medal for c in earned] == expected
    assert [c.points for c in earned] == [6, 5, 4, 3, 2, 1][:count]


def test_medals_by_field_with_a_tie_for_gold_in_a_small_field():
    earned = contributions(
        six_placings([1, 1, 3]), {"E1": "U", "E2": "U", "E3": "U"}, (), True, True
    )
    assert [c.medal for c in earned] == [Medal.GOLD, Medal.GOLD, None]


# --- §6 standard scores --------------------------------------------------------------------------


def test_t_scores_hand_computed():
    # mean 90, population variance (100 + 0 + 100) / 3 = 66.67, sd 8.16497
    # 50 ± 10 × 10 / 8.16497 = 50 ± 12.2474 → 62.25 / 37.75
    t = t_scores({"A": D("80.00"), "B": D("90.00"), "C": D("100.00")})
    assert {k: str(v) for k, v in t.items()} == {"A": "37.75", "B": "50.00", "C": "62.25"}


def test_t_scores_four_entrants():
    # mean 82.5; squares 156.25, 6.25, 6.25, 156.25 → variance 325 / 4 = 81.25, sd 9.01388
    # 50 − 12.5 × 10 / 9.01388 = 36.1325; 50 − 2.5 × 10 / 9.01388 = 47.2265
    t = t_scores({"A": D(70), "B": D(80), "C": D(85), "D": D(95)})
    assert {k: str(v) for k, v in t.items()} == {
        "A": "36.13",
        "B": "47.23",
        "C": "52.77",
        "D": "63.87",
    }


def test_t_scores_use_the_population_standard_deviation():
    # 80 and 90: population sd 5 → 40 and 60 (the sample sd 7.07 would give 42.93 / 57.07)
    t = t_scores({"A": D(80), "B": D(90)})
    assert {k: str(v) for k, v in t.items()} == {"A": "40.00", "B": "60.00"}


def test_t_scores_round_half_up_at_two_places():
    # 80, 80, 80, 86, 87: mean 82.6, variance (3 × 6.76 + 11.56 + 19.36) / 5 = 10.24, sd 3.2
    # 50 − 26 / 3.2 = 41.875 → 41.88; 50 + 34 / 3.2 = 60.625 → 60.63; 50 + 44 / 3.2 = 63.75
    t = t_scores({"A": D(80), "B": D(80), "C": D(80), "D": D(86), "E": D(87)})
    assert {k: str(v) for k, v in t.items()} == {
        "A": "41.88",
        "B": "41.88",
        "C": "41.88",
        "D": "60.63",
        "E": "63.75",
    }


def test_t_score_is_50_when_sd_is_zero():
    assert {k: str(v) for k, v in t_scores({"A": D(70), "B": D("70.00")}).items()} == {
        "A": "50.00",
        "B": "50.00",
    }
    assert {k: str(v) for k, v in t_scores({"A": D(88)}).items()} == {"A": "50.00"}
    assert t_scores({}) == {}


@pytest.mark.parametrize("decimals", [0, 1, 3])
def test_t_scores_use_rounded_totals_and_two_places_whatever_decimals(decimals):
    # decimals 0: totals 80.4 → 80 and 89.6 → 90 → T 40.00 / 60.00
    # other decimals: totals 80.4 and 89.6, mean 85, sd 4.6 → again 40.00 / 60.00
    entrants = [total("A", "80.4"), total("B", "89.6"), entry("C", "50")]
    event = EventSpec("e", date(2026, 3, 1), decimals=decimals, units=("U1",))
    document = results_document(event, [compute_trade(event, TRADE, entrants)])
    rows = document["trades"][0]["entrants"]
    assert [(r["code"], r["t_score"]) for r in rows] == [
        ("B", "60.00"),
        ("A", "40.00"),
        ("C", None),
    ]


def test_t_scores_are_computed_over_the_rounded_totals():
    # exact totals 80.4, 80.6, 90 → at decimals 0: 80, 81, 90
    # mean 251/3 = 83.667; deviations −3.667, −2.667, 6.333; variance (13.444 + 7.111 + 40.111)/3
    # = 20.222, sd 4.4969; T = 50 + 10 × dev / sd → 41.85, 44.07, 64.08
    entrants = [total("A", "80.4"), total("B", "80.6"), total("C", "90")]
    event = EventSpec("e", date(2026, 3, 1), decimals=0, units=("U1",))
    result = compute_trade(event, TRADE, entrants)
    assert {e.code: str(e.t_score) for e in result.entrants} == {
        "A": "41.85",
        "B": "44.07",
        "C": "64.08",
    }


def test_t_scores_computed_even_when_the_field_is_too_small_to_award():
    trade = TradeSpec("T", TRADE.components, judges=TRADE.judges, min_entrants=10)
    event = EventSpec("e", date(2026, 3, 1), units=("U1",))
    result = compute_trade(event, trade, [total("A", "80"), total("B", "90")])
    assert {e.code: str(e.t_score) for e in result.entrants} == {"A": "40.00", "B": "60.00"}
