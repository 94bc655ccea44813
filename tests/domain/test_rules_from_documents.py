"""SCORING.md §7: rules from real contest documents, each with its corner cases.

Penalties and overtime, disqualification by penalty count, promotion to a level, pass lines,
gender, organisers' decisions, percentages of whom, manual awards, team tie-breakers and
void trades. Every expected figure is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from contest.domain.awards import (
    AwardRule,
    Base,
    Candidate,
    Decisions,
    FieldSize,
    Promotion,
    Rounding,
    Selection,
    apply_rules,
)
from contest.domain.results import EventSpec, compute_trade, results_document
from contest.domain.scoring import (
    OVERTIME,
    ComponentSpec,
    CriterionSpec,
    DeclaredStatus,
    EntrantInput,
    JudgeRef,
    Overtime,
    Penalty,
    Status,
    TradeSpec,
    score_entrant,
)
from contest.domain.snapshot import dump_trade, load_trade

D = Decimal
FLOOR = Rounding.FLOOR
STARTS = date(2026, 5, 10)

# theory (direct, weight 0.3) + practical (weight 0.7) = P1 (max 40) + P2 (max 60), one judge.
TRADE = TradeSpec(
    "T",
    (
        ComponentSpec("theory", D("0.3")),
        ComponentSpec(
            "practical",
            D("0.7"),
            criteria=(CriterionSpec("P1", D(40)), CriterionSpec("P2", D(60))),
        ),
    ),
    judges=(JudgeRef("J1", "JU"),),
)


def entrant(
    code: str,
    theory: str | None = "80",
    p1: str | None = "30",
    p2: str | None = "50",
    **kwargs,
) -> EntrantInput:
    values = {}
    if p1 is not None:
        values[("P1", "J1")] = D(p1)
    if p2 is not None:
        values[("P2", "J1")] = D(p2)
    direct = {"theory": D(theory)} if theory is not None else {}
    return EntrantInput(code, kwargs.pop("unit", "U1"), values=values, direct=direct, **kwargs)


def trade(**settings) -> TradeSpec:
    return replace(TRADE, **settings)


def safety(points: str, criterion: str | None = None, component: str | None = None) -> Penalty:
    return Penalty("安全文明生产", D(points), criterion, component, "未戴护目镜")


# --- penalties ---------------------------------------------------------------------------------


def test_a_criterion_penalty_comes_off_the_mark_after_aggregation_and_factor():
    scored = score_entrant(trade(), entrant("E1", penalties=(safety("5", "P1"),)))
    p1 = scored.criterion("P1")
    assert p1 is not None
    assert (p1.before, p1.mark) == (30, 25)
    assert [(d.kind, d.points, d.reason) for d in p1.deductions] == [
        ("安全文明生产", 5, "未戴护目镜")
    ]
    # practical 25 + 50 = 75; total 0.3 × 80 + 0.7 × 75 = 24 + 52.5 = 76.50
    assert scored.total == D("76.50")


def test_a_penalty_larger_than_the_mark_floors_it_at_zero_and_takes_nothing_else():
    scored = score_entrant(trade(), entrant("E1", p1="3", penalties=(safety("5", "P1"),)))
    assert scored.criterion("P1").mark == 0
    assert scored.component("practical").score == 50  # P2 untouched: 0 + 50
    assert scored.total == D("59.00")  # 24 + 0.7 × 50 = 59


def test_penalties_add_up_until_the_part_is_used_up():
    three = (safety("5", "P1"), safety("5", "P1"), safety("5", "P1"))
    assert score_entrant(trade(), entrant("E1", p1="12", penalties=three)).criterion(
        "P1"
    ).mark == Fraction(0)  # 12 − 15 → 0, 扣完为止
    assert score_entrant(trade(), entrant("E1", p1="16", penalties=three)).criterion(
        "P1"
    ).mark == Fraction(1)


def test_a_component_penalty_comes_off_the_component_score():
    scored = score_entrant(
        trade(), entrant("E1", theory="86.5", penalties=(safety("1.5", component="theory"),))
    )
    theory = scored.component("theory")
    assert (theory.before, theory.score) == (Fraction("86.5"), 85)
    assert scored.total == D("81.50")  # 0.3 × 85 + 0.7 × 80 = 25.5 + 56


def test_a_part_without_a_score_yet_loses_nothing_and_stays_incomplete():
    scored = score_entrant(trade(), entrant("E1", p1=None, penalties=(safety("5", "P1"),)))
    assert scored.status == Status.INCOMPLETE
    assert scored.criterion("P1").deductions == ()


def test_the_criterion_tie_breaker_uses_the_mark_after_the_penalty():
    spec = trade(tie_breakers=("criterion:P1",))
    # Both total 76.50: E1 P1 30 − 5 = 25, P2 50; E2 P1 25, P2 50 with no penalty.
    e1 = entrant("E1", penalties=(safety("5", "P1"),))
    e2 = entrant("E2", p1="25")
    result = compute_trade(EventSpec("x", STARTS), spec, [e1, e2])
    assert [(e.code, e.placing.rank) for e in result.entrants] == [("E1", 1), ("E2", 1)]


def test_a_second_equipment_damage_disqualifies():
    spec = trade(disqualify_on={"设备损坏": 2})
    damage = Penalty("设备损坏", D(0), component="practical", reason="砂轮片崩裂")
    once = score_entrant(spec, entrant("E1", penalties=(damage,)))
    assert once.status == Status.OK  # a 0-point incident counts only towards DQ
    assert once.total == D("80.00")  # 24 + 0.7 × (30 + 50): nothing taken off
    twice = score_entrant(spec, entrant("E1", penalties=(damage, damage)))
    assert (twice.status, twice.disqualified_by, twice.total, twice.components) == (
        Status.DQ,
        "设备损坏",
        None,
        (),
    )


def test_a_declared_status_stands_before_a_disqualification_by_penalties():
    spec = trade(disqualify_on={"设备损坏": 1})
    damage = Penalty("设备损坏", D(0), component="practical")
    scored = score_entrant(spec, entrant("E1", status=DeclaredStatus.WD, penalties=(damage,)))
    assert (scored.status, scored.disqualified_by) == (Status.WD, None)


def test_other_kinds_do_not_count_towards_a_disqualification():
    spec = trade(disqualify_on={"设备损坏": 2})
    scored = score_entrant(spec, entrant("E1", penalties=(safety("0", "P1"), safety("0", "P1"))))
    assert scored.status == Status.OK


# --- overtime ----------------------------------------------------------------------------------

OVER = Overtime("practical", D(3600), D(2), D(600))  # 60 min; 2 a minute; 0 after 10 min over


@pytest.mark.parametrize(
    ("seconds", "minutes", "practical"),
    [
        ("3600", None, 80),  # exactly on the limit: nothing
        ("3600.5", 1, 78),  # half a second over: one minute
        ("3660", 1, 78),  # exactly one minute over: one minute, not two
        ("3660.01", 2, 76),  # just past the boundary: two minutes
        ("4200", 10, 60),  # exactly 10 minutes over: 20 off, not yet zero
        ("4200.01", 11, 0),  # past limit + zero_after: the component counts 0
    ],
)
def test_overtime_counts_every_started_minute(seconds, minutes, practical):
    scored = score_entrant(trade(overtime=OVER), entrant("E1", time=D(seconds)))
    component = scored.component("practical")
    assert component.score == practical
    if minutes is None:
        assert component.deductions == ()
    else:
        (deduction,) = component.deductions
        assert (deduction.kind, deduction.minutes, deduction.over) == (
            OVERTIME,
            minutes,
            D(seconds) - 3600,
        )
        assert deduction.zeroed == (practical == 0)


def test_no_recorded_time_no_overtime_deduction():
    scored = score_entrant(trade(overtime=OVER), entrant("E1"))
    assert scored.component("practical").score == 80


def test_overtime_without_zero_after_keeps_deducting_down_to_zero():
    rule = Overtime("practical", D(3600), D(2))
    scored = score_entrant(trade(overtime=rule), entrant("E1", time=D(3600 + 60 * 45)))
    assert scored.component("practical").score == 0  # 80 − 90 → 0


def test_penalties_and_overtime_both_floor_at_zero_in_any_order():
    penalty = Penalty("违规操作", D(10), component="practical")
    scored = score_entrant(trade(overtime=OVER), entrant("E1", time=D(3900), penalties=(penalty,)))
    # 80 − 10 − 2 × 5 = 60
    assert scored.component("practical").score == 60
    assert [d.kind for d in scored.component("practical").deductions] == ["违规操作", OVERTIME]


def test_deductions_survive_the_stored_results():
    spec = trade(overtime=OVER, disqualify_on={"设备损坏": 1})
    entrants = [
        entrant("E1", time=D(3700), penalties=(safety("5", "P1"),)),
        entrant("E2", penalties=(Penalty("设备损坏", D(0), component="practical"),)),
    ]
    result = compute_trade(EventSpec("x", STARTS), spec, entrants)
    assert load_trade(dump_trade(result)) == result


# --- promotion to a level -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("promotion", "current", "expected"),
    [
        (Promotion(to="技师"), None, "技师"),  # students, uncertified workers
        (Promotion(to="技师"), "初级工", "技师"),
        (Promotion(to="技师"), "高级工", "技师"),
        (Promotion(to="技师"), "技师", "高级技师"),  # 已是技师的晋升高级技师
        (Promotion(to="技师"), "高级技师", None),  # at the default cap
        (Promotion(to="技师"), "特级技师", None),  # not on the ladder
        (Promotion(to="技师", cap="技师"), "技师", None),  # at the cap
        (Promotion(to="技师", cap="技师"), None, "技师"),
        (Promotion(to="高级工", cap="技师"), "高级工", "技师"),
        (Promotion(to="高级工", cap="技师"), "技师", None),
        (Promotion(to="技师", cap="高级工"), None, None),  # a cap below `to`: nobody
        (Promotion(levels=1), None, None),  # `levels` keeps its §5 meaning
    ],
)
def test_promotion_to_a_level_or_one_step_up(promotion, current, expected):
    assert promotion.new_level(current) == expected


def test_promotion_reads_and_writes_its_package_form():
    assert Promotion.from_json({"to": "技师"}) == Promotion(to="技师")
    assert Promotion(to="技师", cap="技师").to_json() == {"to": "技师", "cap": "技师"}
    assert Promotion.from_json({"levels": 2, "cap": "技师"}).to_json() == {
        "levels": 2,
        "cap": "技师",
    }


# --- pass lines, gender and decisions on award rules --------------------------------------------


def candidate(code: str, rank: int, **kwargs) -> Candidate:
    return Candidate(code, rank, D(100 - rank), **kwargs)


def nominated(rules, candidates, **kwargs) -> dict[str, list[str]]:
    awards = apply_rules(rules, "T", candidates, True, STARTS, **kwargs)
    return {code: [n.rule for n in items] for code, items in awards.by_entrant.items()}


PRIZES = [
    AwardRule("first", "一等奖", Selection(top=1), group="prize", min_components={"theory": D(60)}),
    AwardRule("third", "三等奖", Selection(top=3), group="prize", min_components={"theory": D(60)}),
]


def test_every_part_must_reach_its_pass_line():
    candidates = [
        candidate("E1", 1, components={"theory": D("59.99"), "practical": D(95)}),
        candidate("E2", 2, components={"theory": D("60.00"), "practical": D(70)}),
        candidate("E3", 3, components={"practical": D(70)}),  # no theory score at all
    ]
    assert nominated(PRIZES, candidates) == {"E2": ["third"]}


def test_a_pass_line_is_read_against_the_rounded_score():
    # theory exactly 59.995 rounds half up to 60.00 and passes; 59.994 → 59.99 fails.
    rule = AwardRule("pass", "合格", Selection(top=5), min_components={"theory": D(60)})
    spec = TradeSpec("T", (ComponentSpec("theory", D(1)),))
    entrants = [
        EntrantInput("E1", "U", direct={"theory": D("59.995")}),
        EntrantInput("E2", "U", direct={"theory": D("59.994")}),
    ]
    event = EventSpec("x", STARTS, decimals=2, award_rules=(rule,))
    result = compute_trade(event, spec, entrants)
    assert [(e.code, [n.rule for n in e.awards]) for e in result.entrants] == [
        ("E1", ["pass"]),
        ("E2", []),
    ]
    assert result.skipped == {("pass", "E2"): "min_component:theory"}


def test_a_rule_for_women_passes_over_men_and_entrants_without_a_gender():
    rule = AwardRule("jinguo", "巾帼建功标兵", Selection(top=3), gender="F")
    candidates = [
        candidate("E1", 1, gender="M"),
        candidate("E2", 2, gender="F"),
        candidate("E3", 3),
    ]
    assert nominated([rule], candidates) == {"E2": ["jinguo"]}


def test_an_ineligible_entrant_falls_through_to_the_next_rule_of_the_group():
    rules = [
        AwardRule("model", "劳模推荐", Selection(top=1), group="title"),
        AwardRule("expert", "技术能手", Selection(top=3), group="title"),
    ]
    decisions = Decisions(ineligible=frozenset({("model", "E1")}))
    candidates = [candidate("E1", 1), candidate("E2", 2)]
    assert nominated(rules, candidates, decisions=decisions) == {
        "E1": ["expert"],
        "E2": ["expert"],
    }


# --- percentages of whom ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "places"),
    [
        # 10 registered, 7 started (2 DNS, 1 WD), 5 ranked; 50 % half up.
        (Base.RANKED, 3),  # 2.5 → 3
        (Base.STARTED, 4),  # 3.5 → 4
        (Base.REGISTERED, 5),  # 5
    ],
)
def test_a_percentage_of_the_ranked_started_or_registered(base, places):
    rule = AwardRule("p", "奖", Selection(percent=D(50), of=base))
    candidates = [candidate(f"E{i}", i) for i in range(1, 6)]
    chosen = nominated([rule], candidates, size=FieldSize(5, 7, 10))
    assert sorted(chosen) == [f"E{i}" for i in range(1, places + 1)]


def test_started_counts_dq_and_incomplete_but_not_dns_or_wd():
    rule = AwardRule("p", "奖", Selection(percent=D(50), of=Base.STARTED, rounding=FLOOR))
    entrants = [
        entrant("E1"),
        entrant("E2", p1="20"),
        entrant("E3", p2=None),  # incomplete: started
        entrant("E4", status=DeclaredStatus.DQ),  # started
        entrant("E5", status=DeclaredStatus.DNS),
        entrant("E6", status=DeclaredStatus.WD),
    ]
    event = EventSpec("x", STARTS, award_rules=(rule,))
    result = compute_trade(event, trade(), entrants)
    # started 4 → floor(2) = places 1–2; only two ranked anyway.
    assert [e.code for e in result.entrants if e.awards] == ["E1", "E2"]
    rule3 = AwardRule("p", "奖", Selection(percent=D(25), of=Base.STARTED, rounding=FLOOR))
    result = compute_trade(EventSpec("x", STARTS, award_rules=(rule3,)), trade(), entrants)
    assert [e.code for e in result.entrants if e.awards] == ["E1"]  # floor(1) = 1


def test_selection_of_is_written_only_when_it_is_not_the_default():
    assert Selection(percent=D(10)).to_json() == {"percent": "10", "rounding": "round"}
    chosen = Selection(percent=D(10), of=Base.STARTED)
    assert chosen.to_json() == {"percent": "10", "rounding": "round", "of": "started"}
    assert Selection.from_json(chosen.to_json()) == chosen


# --- manual awards -------------------------------------------------------------------------------


def test_a_manual_rule_selects_exactly_the_named_ranked_entrants():
    rules = [
        AwardRule("first", "一等奖", Selection(top=1), group="prize"),
        AwardRule("merit", "优胜奖", Selection(manual=True), group="prize", min_total=D(90)),
    ]
    decisions = Decisions(named=frozenset({("merit", c) for c in ("E1", "E3", "E4", "E9", "E11")}))
    candidates = [candidate(f"E{i}", i) for i in range(1, 12)]  # totals 99, 98, … 89
    # E1 took 一等奖 in the group; E3, E4 and E9 (91 ≥ 90) named; E11 named but 89 < 90;
    # E2 not named.
    assert nominated(rules, candidates, decisions=decisions) == {
        "E1": ["first"],
        "E3": ["merit"],
        "E4": ["merit"],
        "E9": ["merit"],
    }


def test_a_named_entrant_who_is_not_ranked_is_not_selected():
    rule = AwardRule("merit", "优胜奖", Selection(manual=True))
    event = EventSpec(
        "x", STARTS, award_rules=(rule,), decisions=Decisions(named=frozenset({("merit", "E2")}))
    )
    result = compute_trade(event, trade(), [entrant("E1"), entrant("E2", p2=None)])
    assert [(e.code, e.awards) for e in result.entrants] == [("E1", ()), ("E2", ())]


def test_a_manual_selection_reads_and_writes_its_package_form():
    assert Selection(manual=True).to_json() == {"manual": True}
    assert Selection.from_json({"manual": True}) == Selection(manual=True)
    assert Selection(manual=True).cut(FieldSize(5, 5, 5)) is None


# --- team tie-breakers ---------------------------------------------------------------------------


def team_event() -> tuple[EventSpec, list[EntrantInput]]:
    # Team A: E1 (24 + 0.7 × 75 = 76.50), E2 and E5 (24 + 0.7 × 53 = 61.10; E5 has no time);
    # team B: E3 (76.50) and E4 (61.10). Both teams: 76.50 + 61.10 = 137.60.
    return EventSpec("x", STARTS), [
        entrant("E1", team="A", time=D(3000), p1="25"),
        entrant("E2", team="A", time=D(3100), p1="3"),
        entrant("E5", team="A", p1="3"),
        entrant("E3", team="B", time=D(2900), p1="25"),
        entrant("E4", team="B", time=D(3300), p1="3"),
    ]


def test_equal_team_scores_are_broken_by_the_counted_members_total_time():
    event, entrants = team_event()
    spec = trade(team_size=2, team_tie_breakers=("time",))
    teams = compute_trade(event, spec, entrants).teams
    # counted: A → E1 and E2 (E2 before E5 by code), 6100 s; B → E3 and E4, 6200 s.
    assert [(t.code, t.rank, t.score, t.counted) for t in teams] == [
        ("A", 1, D("137.60"), ("E1", "E2")),
        ("B", 2, D("137.60"), ("E3", "E4")),
    ]


def test_a_team_with_a_counted_member_without_a_time_loses_the_time_break():
    event, entrants = team_event()
    entrants[1] = entrant("E2", team="A", p1="3")  # E2 counted, now without a time
    spec = trade(team_size=2, team_tie_breakers=("time",))
    teams = compute_trade(event, spec, entrants).teams
    assert [(t.code, t.rank) for t in teams] == [("B", 1), ("A", 2)]


def test_team_component_breaker_then_shared_rank():
    event, entrants = team_event()
    entrants[0] = entrant("E1", team="A", theory="85", p1="25", p2="45")  # 25.5 + 49 = 74.50
    entrants[2] = entrant("E3", team="B", theory="85", p1="25", p2="45")
    entrants[1] = entrant("E2", team="A", theory="75", p1="3", p2="51")  # 22.5 + 37.8 = 60.30
    entrants[3] = entrant("E4", team="B", theory="80", p1="3", p2="49")  # 24 + 36.4 = 60.40
    entrants[4] = entrant("E5", team="A", theory="78", p1="3", p2="50")  # 23.4 + 37.1 = 60.50
    # A counts E5 (60.50) and E1 (74.50) = 135.00; B counts E3 and E4 = 134.90: no tie.
    spec = trade(team_size=2, team_tie_breakers=("component:theory",))
    teams = compute_trade(event, spec, entrants).teams
    assert [(t.code, t.rank, t.score) for t in teams] == [
        ("A", 1, D("135.00")),
        ("B", 2, D("134.90")),
    ]
    # Now make them equal on total but not on theory: B's E4 60.50 with theory 78 too.
    entrants[3] = entrant("E4", team="B", theory="78", p1="3", p2="50")
    teams = compute_trade(event, spec, entrants).teams
    assert [(t.code, t.rank) for t in teams] == [("A", 1), ("B", 1)]  # theory 163 each
    entrants[2] = entrant("E3", team="B", theory="90", p1="25", p2="42.86")
    # E3: 27 + 0.7 × 67.86 = 27 + 47.502 = 74.502 → 74.50; theory 90 + 78 = 168 > 163.
    teams = compute_trade(event, spec, entrants).teams
    assert [(t.code, t.rank) for t in teams] == [("B", 1), ("A", 2)]


# --- void trades ---------------------------------------------------------------------------------


def test_fewer_starters_than_min_started_void_the_trade_but_keep_ranks_and_teams():
    rule = AwardRule("gold", "金牌工人", Selection(top=1))
    event = EventSpec("x", STARTS, placement_points=(5, 3, 1), award_rules=(rule,), units=("U1",))
    entrants = [
        entrant("E1", team="A"),
        entrant("E2", team="A", p1="20"),
        entrant("E3", team="B", p2=None),  # incomplete, started
        entrant("E4", team="B", status=DeclaredStatus.DNS),
    ]
    spec = trade(min_started=4, team_size=1)
    void = compute_trade(event, spec, entrants)
    assert not void.field_ok
    assert [(e.code, e.placing.rank, e.awards, e.contribution) for e in void.entrants] == [
        ("E1", 1, (), None),
        ("E2", 2, (), None),
        ("E3", None, (), None),
        ("E4", None, (), None),
    ]
    assert [(t.code, t.rank) for t in void.teams] == [("A", 1), ("B", None)]
    entrants[3] = entrant("E4", team="B", status=DeclaredStatus.DQ)  # DQ started: 4
    held = compute_trade(event, spec, entrants)
    assert held.field_ok
    assert [n.rule for n in held.entrant("E1").awards] == ["gold"]
    assert held.entrant("E1").contribution.points == 5
    (unit,) = results_document(event, [held])["units"]
    assert (unit["points"], unit["gold"], unit["silver"]) == (8, 1, 1)
    assert results_document(event, [void])["units"][0]["points"] == 0
