"""The rules text (SCORING.md §5, §7): which clauses an award rule and a trade state, with the
details their wording names — a 竞赛规程's sentences, before they are put into words."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from contest.domain.awards import AwardRule, Base, Promotion, Rounding, Selection
from contest.domain.refusal import N_
from contest.domain.rules_text import (
    WORDS,
    Clause,
    TradeRules,
    duration,
    joined,
    plain,
    rule_text,
    trade_text,
)
from contest.domain.scoring import ComponentSpec, Overtime, TradeSpec

D = Decimal


def trade(code: str = "WELD", **kwargs) -> TradeRules:
    spec = TradeSpec(
        code,
        (ComponentSpec("theory", D("0.3")), ComponentSpec("practical", D("0.7"))),
        **kwargs,
    )
    return TradeRules(
        spec,
        {"WELD": "焊工", "ELEC": "电工"}.get(code, code),
        {"theory": "理论", "practical": "实操"},
    )


def keys(clauses) -> list[str]:
    return [c.key for c in clauses]


def flat(value) -> str:
    """A clause written out with its details, to compare without wording."""
    if not isinstance(value, Clause):
        return str(value)
    inside = ", ".join(f"{k}={flat(v)}" for k, v in value.params.items())
    return f"{value.key}({inside})"


def test_every_clause_has_wording_naming_exactly_its_details():
    examples = [
        *rule_text(
            AwardRule(
                "r",
                "R",
                Selection(percent=D(10), rounding=Rounding.FLOOR, of=Base.STARTED),
                min_total=D(60),
                min_components={"theory": D(60), "practical": D(60)},
                gender="F",
                max_age=35,
                trades=frozenset({"WELD"}),
                min_entrants=3,
                group="g",
                promote=Promotion(to="技师"),
            ),
            [trade(), trade("ELEC")],
        ).clauses,
        *trade_text(
            trade(
                tie_breakers=("component:practical", "time"),
                team_size=3,
                team_tie_breakers=("time", "component:theory"),
                min_entrants=5,
                min_started=4,
                disqualify_on={"设备损坏": 2},
                overtime=Overtime("practical", D(3600), D(2), D(600)),
            )
        ).clauses,
    ]
    seen: set[str] = set()

    def check(clause):
        if not isinstance(clause, Clause):
            return
        seen.add(clause.key)
        if clause.key != "select":
            named = set(re.findall(r"%\((\w+)\)s", WORDS[clause.key]))
            assert named == set(clause.params), clause.key
        for value in clause.params.values():
            check(value)

    for clause in examples:
        check(clause)
    assert {"select_promote", "min_every_component", "gender_F", "penalty_disqualify"} <= seen
    assert all(N_(template) == template for template in WORDS.values())


# --- award rules -------------------------------------------------------------------------------


def test_promotion_to_a_level_with_a_cap():
    rule = AwardRule("tech", "技术能手", Selection(top=5), promote=Promotion(to="技师"))
    (first,) = rule_text(rule, [trade()]).clauses
    assert flat(first) == (
        "select_promote(select=select(select={'top': 5}), "
        "promotion=promote_to(to=技师, cap=高级技师))"
    )


@pytest.mark.parametrize(
    ("promote", "expected"),
    [
        (Promotion(2, "技师"), "promote_levels(levels=2, cap=技师)"),
        (Promotion(to="技师", cap="技师"), "promote_to_cap(to=技师)"),
    ],
)
def test_other_promotions(promote, expected):
    rule = AwardRule("p", "P", Selection(top=1), promote=promote)
    assert flat(rule_text(rule, [trade()]).clauses[0].params["promotion"]) == expected


def test_one_pass_line_for_every_component_reads_as_every_component():
    lines = {"theory": D("60.00"), "practical": D(60)}
    rule = AwardRule("a", "A", Selection(top=3), min_components=lines)
    assert flat(rule_text(rule, [trade(), trade("ELEC")]).clauses[1]) == (
        "min_every_component(points=60)"
    )


def test_pass_lines_that_differ_or_leave_a_component_out_are_stated_one_by_one():
    different = {"theory": D(60), "practical": D("70.5")}
    rule = AwardRule("a", "A", Selection(top=3), min_components=different)
    assert [flat(c) for c in rule_text(rule, [trade()]).clauses[1:]] == [
        "min_component(component=理论, points=60)",
        "min_component(component=实操, points=70.5)",
    ]
    only = AwardRule("b", "B", Selection(top=3), min_components={"theory": D(60)})
    assert keys(rule_text(only, [trade()]).clauses) == ["select", "min_component"]


def test_conditions_in_the_order_a_rule_states_them():
    rule = AwardRule(
        "women",
        "巾帼建功标兵",
        Selection(percent=D(10), of=Base.STARTED),
        min_total=D(80),
        gender="F",
        max_age=40,
        trades=frozenset({"ELEC", "WELD"}),
        min_entrants=4,
        group="title",
    )
    text = rule_text(rule, [trade(), trade("ELEC")])
    assert (text.code, text.title) == ("women", "巾帼建功标兵")
    assert [flat(c) for c in text.clauses] == [
        "select(select={'percent': '10', 'rounding': 'round', 'of': 'started'})",
        "rounding_round()",
        "min_total(points=80)",
        "gender_F()",
        "max_age(age=40)",
        "rule_trades(trades=list(items=焊工, item=电工))",  # in the event's order
        "rule_min_entrants(n=4)",
        "group(group=title)",
    ]


def test_a_manual_rule_states_its_selection_only():
    rule = AwardRule("merit", "优胜奖", Selection(manual=True))
    assert [flat(c) for c in rule_text(rule, [trade()]).clauses] == [
        "select(select={'manual': True})"
    ]


# --- trades ------------------------------------------------------------------------------------


def test_a_plain_trade_states_its_weights_and_shared_ranks():
    assert [flat(c) for c in trade_text(trade()).clauses] == [
        "components(parts=list(items=component_weight(component=理论, weight=30), "
        "item=component_weight(component=实操, weight=70)))",
        "no_tie_breakers()",
    ]


def test_tie_breakers_teams_and_void_trades():
    text = trade_text(
        trade(
            tie_breakers=("component:practical", "criterion:P1", "time"),
            team_size=3,
            team_tie_breakers=("time",),
            min_entrants=5,
            min_started=4,
        )
    )
    assert [flat(c) for c in text.clauses[1:]] == [
        "tie_breakers(breakers=then(first=then(first=breaker_component(component=实操), "
        "next=breaker_criterion(criterion=P1)), next=breaker_time()))",
        "team_size(n=3)",
        "team_tie_breakers(breakers=team_breaker_time())",
        "min_entrants(n=5)",
        "min_started(n=4)",
    ]


def test_team_tie_breakers_are_not_stated_without_teams():
    text = trade_text(trade(team_tie_breakers=("time",)))
    assert "team_tie_breakers" not in keys(text.clauses)


def test_penalties_points_and_counts_per_kind():
    rules = trade(disqualify_on={"设备损坏": 2, "作弊": 1})
    rules = TradeRules(
        rules.spec,
        rules.name,
        rules.component_names,
        penalty_points={"安全文明生产": D("5.0"), "设备损坏": D(10), "记录": D(0)},
    )
    assert [flat(c) for c in trade_text(rules).clauses[2:]] == [
        "penalty_points(kind=安全文明生产, points=5)",
        "penalty_points(kind=设备损坏, points=10)",
        "penalty_disqualify(kind=设备损坏, n=2)",
        # 0 points: an incident that only counts, stated only if it counts towards something
        "penalty_disqualify(kind=作弊, n=1)",
    ]


def test_overtime_with_and_without_a_zero_after():
    with_zero = trade(overtime=Overtime("practical", D(3600), D(2), D(600)))
    assert [flat(c) for c in trade_text(with_zero).clauses[2:]] == [
        "overtime_zero(component=实操, limit=minutes(n=60), points=2, zero=minutes(n=10))",
        "overtime_part()",
    ]
    without = trade(overtime=Overtime("theory", D(5430), D("0.5")))
    assert flat(trade_text(without).clauses[2]) == (
        "overtime(component=理论, limit=minutes_seconds(m=90, s=30), points=0.5)"
    )


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (D(3600), "minutes(n=60)"),
        (D(90), "minutes_seconds(m=1, s=30)"),
        (D(45), "seconds(n=45)"),
        (D("12.5"), "seconds(n=12.5)"),
    ],
)
def test_durations(seconds, expected):
    assert flat(duration(seconds)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("60.00"), "60"), (D("2.50"), "2.5"), (D("1E+2"), "100"), (7, "7"), (D("0"), "0")],
)
def test_numbers_are_written_plainly(value, expected):
    assert plain(value) == expected


def test_joining():
    assert joined([]) == ""
    assert joined(["A"]) == "A"
    assert flat(joined(["A", "B", "C"])) == "list(items=list(items=A, item=B), item=C)"
