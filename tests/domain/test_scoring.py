"""SCORING.md §1 (marking scheme) and §2 (totals, status, flags), checked by hand.

Every expected figure below is worked out from the rulebook, not read back from the code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from contest.domain.numbers import exact, fixed, is_multiple, round_half_up
from contest.domain.results import EventSpec, compute_trade, results_document
from contest.domain.scoring import (
    Aggregation,
    ComponentSpec,
    CriterionKind,
    CriterionSpec,
    DeclaredStatus,
    EntrantInput,
    EntryError,
    JudgeRef,
    Recusal,
    Status,
    TradeSpec,
    aggregate_values,
    check_judge_value,
    check_value,
    score_entrant,
)

D = Decimal
F = Fraction

DIVE = ["7.5", "7.0", "7.5", "7.0", "7.5", "8.0", "6.5"]  # the worked example's seven judges


# --- helpers ---------------------------------------------------------------------------------


def panel(n: int, units: Sequence[str | None] | None = None) -> tuple[JudgeRef, ...]:
    """Judges J1..Jn, each from their own unit JU1..JUn unless told otherwise."""
    units = units if units is not None else [f"JU{i}" for i in range(1, n + 1)]
    return tuple(JudgeRef(f"J{i}", unit) for i, unit in zip(range(1, n + 1), units, strict=True))


def one_criterion_trade(
    criterion: CriterionSpec, judges: int = 3, recusal: Recusal = Recusal.SAME_UNIT
) -> TradeSpec:
    """A trade whose only component (weight 1) has exactly this criterion."""
    return TradeSpec(
        "T",
        (ComponentSpec("practical", D(1), criteria=(criterion,)),),
        judges=panel(judges),
        recusal=recusal,
    )


def marks(
    values: dict[str, Sequence[str | None]],
    code: str = "E1",
    unit: str = "U1",
    **kwargs,
) -> EntrantInput:
    """An entrant whose values per criterion are given judge by judge (J1, J2, ...)."""
    entered = {
        (criterion, f"J{i}"): D(v)
        for criterion, row in values.items()
        for i, v in enumerate(row, start=1)
        if v is not None
    }
    return EntrantInput(code, unit, values=entered, **kwargs)


def mark_of(criterion: CriterionSpec, values: Sequence[str | None], **kwargs) -> Fraction | None:
    """The mark one entrant gets on a lone criterion judged by len(values) judges."""
    trade = one_criterion_trade(criterion, judges=len(values))
    result = score_entrant(trade, marks({criterion.code: values}, **kwargs)).criterion(
        criterion.code
    )
    assert result is not None
    return result.mark


def direct_trade(*weights: tuple[str, str], **kwargs) -> TradeSpec:
    """A trade of directly entered components (code, weight)."""
    return TradeSpec("T", tuple(ComponentSpec(code, D(w)) for code, w in weights), **kwargs)


def direct(code: str = "E1", unit: str = "U1", **scores: str) -> EntrantInput:
    return EntrantInput(code, unit, direct={k: D(v) for k, v in scores.items()})


# --- §1 criterion table: defaults ------------------------------------------------------------


def test_criterion_defaults_follow_the_table():
    criterion = CriterionSpec("C1", D(10))
    assert criterion.kind == CriterionKind.MEASUREMENT
    assert criterion.scale is None
    assert criterion.step == D("0.01")
    assert criterion.aggregation == Aggregation.MEAN
    assert criterion.trim == 1
    assert criterion.factor == 1
    assert criterion.max_spread is None
    assert criterion.entry_max == D(10)  # no scale: judges enter 0..max


def test_component_defaults_max_100_step_hundredth_and_direct_without_criteria():
    component = ComponentSpec("theory", D("0.3"))
    assert component.max == D(100)
    assert component.step == D("0.01")
    assert component.is_direct
    assert component.judges == ()
    assert not ComponentSpec("p", D(1), criteria=(CriterionSpec("C", D(5)),)).is_direct


def test_max_is_required():
    with pytest.raises(TypeError):
        CriterionSpec("C1")  # type: ignore[call-arg]


# --- §1 aggregation rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    "aggregation, trim, expected",
    [
        # 7.5+7.0+7.5+7.0+7.5+8.0+6.5 = 51.0
        (Aggregation.MEAN, 1, F(51, 7)),  # 51 / 7 = 7.2857…
        (Aggregation.SUM, 1, F(51)),
        # sorted 6.5 7.0 7.0 7.5 7.5 7.5 8.0 → middle value
        (Aggregation.MEDIAN, 1, F("7.5")),
        # drop 6.5 and 8.0: 7.0+7.0+7.5+7.5+7.5 = 36.5
        (Aggregation.TRIMMED_SUM, 1, F("36.5")),
        (Aggregation.TRIMMED_MEAN, 1, F("36.5") / 5),  # 7.3
        # drop 6.5, 7.0 and 7.5, 8.0: 7.0+7.5+7.5 = 22
        (Aggregation.TRIMMED_SUM, 2, F(22)),
        (Aggregation.TRIMMED_MEAN, 2, F(22, 3)),  # 7.333…
        # drop three each side: only the middle 7.5 remains
        (Aggregation.TRIMMED_SUM, 3, F("7.5")),
        (Aggregation.TRIMMED_MEAN, 3, F("7.5")),
        # trim 0 drops nothing
        (Aggregation.TRIMMED_SUM, 0, F(51)),
        (Aggregation.TRIMMED_MEAN, 0, F(51, 7)),
    ],
)
def test_each_aggregation_on_the_dive_panel(aggregation, trim, expected):
    criterion = CriterionSpec("C1", D(10), step=D("0.5"), aggregation=aggregation, trim=trim)
    assert mark_of(criterion, DIVE) == expected


def test_median_of_an_even_panel_is_the_mean_of_the_middle_two():
    criterion = CriterionSpec("C1", D(10), aggregation=Aggregation.MEDIAN)
    assert mark_of(criterion, ["6", "10", "7", "8"]) == F("7.5")  # (7 + 8) / 2
    assert mark_of(criterion, ["6", "7.25", "7", "8"]) == F("7.125")  # (7 + 7.25) / 2


def test_mean_is_exact_not_rounded():
    criterion = CriterionSpec("C1", D(10))
    assert mark_of(criterion, ["1", "0", "0"]) == F(1, 3)


def test_trimmed_rules_drop_trim_highest_and_trim_lowest():
    criterion = CriterionSpec(
        "C1", D(10), step=D("0.5"), aggregation=Aggregation.TRIMMED_SUM, trim=2
    )
    aggregate, dropped = aggregate_values(
        criterion, {f"J{i}": D(v) for i, v in enumerate(DIVE, start=1)}
    )
    assert aggregate == 22
    # the two lowest (6.5 and one 7.0) and the two highest (8.0 and one 7.5) are dropped
    dropped_values = sorted(D(DIVE[int(j[1:]) - 1]) for j in dropped)
    assert dropped_values == [D("6.5"), D("7.0"), D("7.5"), D("8.0")]


def test_aggregate_values_of_untrimmed_rules_drops_nothing():
    criterion = CriterionSpec("C1", D(10), aggregation=Aggregation.SUM)
    assert aggregate_values(criterion, {"J1": D(2), "J2": D(3)}) == (F(5), ())


# --- §1 scale, kind, factor --------------------------------------------------------------------


def test_scale_turns_the_aggregate_into_a_mark_agg_over_scale_times_max():
    # worked example: max 4, scale 3, mean of 2, 3, 2 → 7/3 / 3 × 4 = 28/9 = 3.111…
    criterion = CriterionSpec("J1", D(4), kind=CriterionKind.JUDGEMENT, scale=D(3), step=D(1))
    assert mark_of(criterion, ["2", "3", "2"]) == F(28, 9)


def test_scale_with_median_and_factor():
    # median of 6, 7, 8 on scale 10, max 20 → 7/10 × 20 = 14; × factor 1.5 → 21
    criterion = CriterionSpec(
        "C1", D(20), scale=D(10), step=D(1), aggregation=Aggregation.MEDIAN, factor=D("1.5")
    )
    assert mark_of(criterion, ["8", "6", "7"]) == F(21)


def test_without_scale_the_mark_is_the_aggregate():
    criterion = CriterionSpec("C1", D(4), step=D("0.25"))
    assert mark_of(criterion, ["2.25", "3", "2"]) == F("7.25") / 3


def test_kind_does_not_change_the_arithmetic():
    values = ["2", "3", "2"]
    measurement = CriterionSpec("C1", D(4), scale=D(3), step=D(1))
    judgement = CriterionSpec("C1", D(4), kind=CriterionKind.JUDGEMENT, scale=D(3), step=D(1))
    assert mark_of(measurement, values) == mark_of(judgement, values) == F(28, 9)


def test_factor_multiplies_the_mark():
    criterion = CriterionSpec("C1", D(10), factor=D("2.5"))
    assert mark_of(criterion, ["4", "5", "6"]) == F("12.5")  # mean 5 × 2.5


def test_an_entrants_own_factor_replaces_the_criterions():
    criterion = CriterionSpec("C1", D(10), factor=D(2))
    trade = one_criterion_trade(criterion)
    entrant = marks({"C1": ["4", "5", "6"]}, factors={"C1": D("3.5")})
    result = score_entrant(trade, entrant).criterion("C1")
    assert result is not None
    assert result.factor == D("3.5")
    assert result.mark == F("17.5")  # 5 × 3.5, not 5 × 2 × 3.5 = 35


def test_an_entrants_factor_for_another_criterion_does_not_apply():
    criterion = CriterionSpec("C1", D(10), factor=D(2))
    trade = one_criterion_trade(criterion)
    entrant = marks({"C1": ["4", "5", "6"]}, factors={"OTHER": D(9)})
    assert score_entrant(trade, entrant).criterion("C1").mark == 10  # 5 × 2


def test_component_with_criteria_scores_the_sum_of_its_marks():
    trade = TradeSpec(
        "T",
        (
            ComponentSpec(
                "practical",
                D(1),
                criteria=(
                    CriterionSpec("P1", D(60)),
                    CriterionSpec("P2", D(40), scale=D(3), step=D(1)),
                ),
            ),
        ),
        judges=panel(3),
    )
    # P1: mean(50, 51, 52) = 51; P2: mean(3, 3, 2) = 8/3 → 8/9 × 40 = 320/9
    score = score_entrant(trade, marks({"P1": ["50", "51", "52"], "P2": ["3", "3", "2"]}))
    assert score.component("practical").score == F(51) + F(320, 9)
    assert score.total == D("86.56")  # 51 + 35.555… = 86.555… → 86.56


# --- §1 no rounding before the total ---------------------------------------------------------


def test_no_rounding_before_the_total():
    # three criteria each mean(1, 0, 0) = 1/3; exact sum 1 → 1.00
    # (rounding each mark first would give 0.33 × 3 = 0.99)
    criteria = tuple(CriterionSpec(f"C{i}", D(10)) for i in (1, 2, 3))
    trade = TradeSpec("T", (ComponentSpec("p", D(1), criteria=criteria),), judges=panel(3))
    entrant = marks({c.code: ["1", "0", "0"] for c in criteria})
    score = score_entrant(trade, entrant)
    assert score.component("p").score == 1
    assert score.total == D("1.00")


def test_no_rounding_of_component_scores_before_weighting():
    # component 1/3 (mean of 1, 0, 0) with weight 3 → exactly 1 (rounded first: 0.33 × 3 = 0.99)
    trade = TradeSpec(
        "T", (ComponentSpec("p", D(3), criteria=(CriterionSpec("C", D(10)),)),), judges=panel(3)
    )
    score = score_entrant(trade, marks({"C": ["1", "0", "0"]}))
    assert score.total_exact == 1
    assert score.total == D("1.00")


# --- §1 trimmed panels ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "aggregation, trim, judges, enough",
    [
        (Aggregation.TRIMMED_MEAN, 1, 2, False),
        (Aggregation.TRIMMED_MEAN, 1, 3, True),  # 2·1 + 1 = 3
        (Aggregation.TRIMMED_SUM, 1, 2, False),
        (Aggregation.TRIMMED_SUM, 1, 3, True),
        (Aggregation.TRIMMED_SUM, 2, 4, False),
        (Aggregation.TRIMMED_SUM, 2, 5, True),  # 2·2 + 1 = 5
        (Aggregation.TRIMMED_MEAN, 2, 4, False),
        (Aggregation.TRIMMED_MEAN, 3, 6, False),
        (Aggregation.TRIMMED_MEAN, 3, 7, True),  # 2·3 + 1 = 7
        (Aggregation.MEAN, 1, 1, True),  # untrimmed rules need no minimum beyond one judge
        (Aggregation.MEDIAN, 1, 2, True),
        (Aggregation.SUM, 1, 2, True),
    ],
)
def test_trimmed_panel_needs_two_trim_plus_one_judges(aggregation, trim, judges, enough):
    criterion = CriterionSpec("C1", D(10), aggregation=aggregation, trim=trim)
    trade = one_criterion_trade(criterion, judges=judges)
    score = score_entrant(trade, marks({"C1": ["5"] * judges}))
    if enough:
        assert score.status == Status.OK
        assert score.flags == ()
        assert score.total is not None
    else:
        assert score.status == Status.INCOMPLETE
        assert score.flags == ("panel:C1",)
        assert score.total is None
        assert score.criterion("C1").mark is None  # never silently untrimmed


def test_too_small_trimmed_panel_is_never_silently_untrimmed():
    # 2 judges, trim 1: an untrimmed mean would give (4 + 6) / 2 = 5 — it must not
    criterion = CriterionSpec("C1", D(10), aggregation=Aggregation.TRIMMED_MEAN, trim=1)
    trade = one_criterion_trade(criterion, judges=2)
    score = score_entrant(trade, marks({"C1": ["4", "6"]}))
    assert score.status == Status.INCOMPLETE
    assert score.component("practical").score is None
    assert score.total is None and score.total_exact is None
    assert score.flags == ("panel:C1",)


def test_recusal_shrinks_a_trimmed_panel_below_its_minimum():
    # three judges, J1 from the entrant's unit U1 → panel of 2 < 3
    criterion = CriterionSpec("C1", D(10), aggregation=Aggregation.TRIMMED_MEAN)
    trade = TradeSpec(
        "T",
        (ComponentSpec("p", D(1), criteria=(criterion,)),),
        judges=panel(3, ["U1", "JU2", "JU3"]),
    )
    score = score_entrant(trade, marks({"C1": [None, "5", "6"]}, unit="U1"))
    assert score.status == Status.INCOMPLETE
    assert score.flags == ("panel:C1",)
    result = score.criterion("C1")
    assert result.recused == ("J1",)
    assert result.panel == ("J2", "J3")


def test_excusal_shrinks_a_trimmed_panel_below_its_minimum():
    criterion = CriterionSpec("C1", D(10), aggregation=Aggregation.TRIMMED_SUM)
    trade = one_criterion_trade(criterion, judges=3)
    score = score_entrant(trade, marks({"C1": ["5", "6", None]}, excused=frozenset({"J3"})))
    assert score.status == Status.INCOMPLETE
    assert score.flags == ("panel:C1",)


def test_trim_applies_to_the_panel_left_after_recusal():
    # five judges, J5 recused: the remaining four values 2, 4, 6, 9 trimmed by one → (4+6)/2
    criterion = CriterionSpec("C1", D(10), aggregation=Aggregation.TRIMMED_MEAN)
    trade = TradeSpec(
        "T",
        (ComponentSpec("p", D(1), criteria=(criterion,)),),
        judges=panel(5, ["A", "B", "C", "D", "U1"]),
    )
    score = score_entrant(trade, marks({"C1": ["2", "4", "6", "9", None]}, unit="U1"))
    assert score.status == Status.OK
    assert score.criterion("C1").mark == 5


# --- §1 spread flags ---------------------------------------------------------------------------


def test_spread_above_max_spread_flags_the_criterion_but_keeps_the_result():
    criterion = CriterionSpec("C1", D(10), max_spread=D(1))
    trade = one_criterion_trade(criterion)
    score = score_entrant(trade, marks({"C1": ["2", "3", "4"]}))  # 4 − 2 = 2 > 1
    assert score.status == Status.OK
    assert score.flags == ("spread:C1",)
    assert score.total == D("3.00")


def test_spread_equal_to_max_spread_is_not_flagged():
    criterion = CriterionSpec("C1", D(10), max_spread=D(1))
    trade = one_criterion_trade(criterion)
    score = score_entrant(trade, marks({"C1": ["2", "3", "3"]}))  # 3 − 2 = 1, not > 1
    assert score.flags == ()


def test_spread_is_measured_on_the_whole_panel_before_trimming():
    # trimmed values 5, 5, 5 agree, but the panel's values run 1..9: 8 > 2
    criterion = CriterionSpec(
        "C1", D(10), aggregation=Aggregation.TRIMMED_MEAN, trim=1, max_spread=D(2)
    )
    trade = one_criterion_trade(criterion, judges=5)
    score = score_entrant(trade, marks({"C1": ["1", "5", "5", "5", "9"]}))
    assert score.flags == ("spread:C1",)
    assert score.criterion("C1").mark == 5


def test_spread_is_measured_on_entered_values_not_on_marks():
    # scale 3 → max 30: values 1 and 3 differ by 2 on entry (marks differ by 20)
    criterion = CriterionSpec("C1", D(30), scale=D(3), step=D(1), max_spread=D(2))
    trade = one_criterion_trade(criterion)
    assert score_entrant(trade, marks({"C1": ["1", "3", "2"]})).flags == ()


def test_recused_judges_values_do_not_count_towards_spread():
    criterion = CriterionSpec("C1", D(10), max_spread=D(1))
    trade = TradeSpec(
        "T",
        (ComponentSpec("p", D(1), criteria=(criterion,)),),
        judges=panel(3, ["U1", "X", "Y"]),
    )
    # J1 (recused) has a stray 9; the panel J2, J3 agrees
    score = score_entrant(trade, marks({"C1": ["9", "5", "5"]}, unit="U1"))
    assert score.flags == ()
    assert score.criterion("C1").mark == 5


# --- §1 rejection at entry ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, maximum, step, error",
    [
        ("0", "10", "0.01", None),
        ("10", "10", "0.01", None),  # max is inclusive
        ("7.5", "10", "0.5", None),
        ("10.01", "10", "0.01", EntryError.OUT_OF_RANGE),
        ("-0.01", "10", "0.01", EntryError.OUT_OF_RANGE),
        ("-0", "10", "0.01", None),
        ("7.25", "10", "0.5", EntryError.OFF_STEP),
        ("7.005", "10", "0.01", EntryError.OFF_STEP),
        ("3.75", "4", "0.25", None),
        ("3.8", "4", "0.25", EntryError.OFF_STEP),
        ("NaN", "10", "0.01", EntryError.OUT_OF_RANGE),
        ("Infinity", "10", "0.01", EntryError.OUT_OF_RANGE),
        ("100", "100", "0.01", None),
        ("100.5", "100", "0.5", EntryError.OUT_OF_RANGE),
        ("86.25", "100", "0.5", EntryError.OFF_STEP),
        ("2", "3", "1", None),
        ("2.5", "3", "1", EntryError.OFF_STEP),
    ],
)
def test_check_value_range_and_step(value, maximum, step, error):
    assert check_value(D(value), D(maximum), D(step)) == error


def test_off_step_beyond_the_range_is_rejected():
    assert check_value(D("10.25"), D(10), D("0.5")) is not None


def ws_trade(**kwargs) -> TradeSpec:
    """A judgement criterion on scale 0–3 worth 4, a 0–4 measurement, and a second component
    with its own panel J1, J2 among the trade's J1..J4."""
    return TradeSpec(
        "T",
        (
            ComponentSpec(
                "practical",
                D("0.7"),
                criteria=(
                    CriterionSpec("JUD", D(4), kind=CriterionKind.JUDGEMENT, scale=D(3), step=D(1)),
                    CriterionSpec("MEA", D(4), step=D("0.5")),
                ),
            ),
            ComponentSpec(
                "defence",
                D("0.3"),
                criteria=(CriterionSpec("DEF", D(10)),),
                judges=("J1", "J2"),
            ),
        ),
        judges=(JudgeRef("J1", "X"), JudgeRef("J2", "Y"), JudgeRef("J3", "U1"), JudgeRef("J4")),
        **kwargs,
    )


def judge_check(trade: TradeSpec, criterion: str, judge: str, value: str, **kwargs):
    spec = trade.criterion(criterion)
    ref = trade.judge(judge)
    assert spec is not None and ref is not None
    return check_judge_value(trade, spec, ref, kwargs.pop("unit", "U2"), D(value), **kwargs)


@pytest.mark.parametrize(
    "criterion, value, error",
    [
        ("JUD", "0", None),
        ("JUD", "3", None),
        ("JUD", "4", EntryError.OUT_OF_RANGE),  # the scale (3) bounds entry, not max (4)
        ("JUD", "2.5", EntryError.OFF_STEP),
        ("JUD", "-1", EntryError.OUT_OF_RANGE),
        ("MEA", "4", None),  # no scale: 0..max
        ("MEA", "4.5", EntryError.OUT_OF_RANGE),
        ("MEA", "3.5", None),
        ("MEA", "3.25", EntryError.OFF_STEP),
        ("DEF", "9.99", None),
        ("DEF", "9.995", EntryError.OFF_STEP),
        ("DEF", "10.01", EntryError.OUT_OF_RANGE),
    ],
)
def test_check_judge_value_range_and_step(criterion, value, error):
    assert judge_check(ws_trade(), criterion, "J1", value) == error


def test_check_judge_value_refuses_a_recused_judge():
    trade = ws_trade()
    assert judge_check(trade, "MEA", "J3", "2", unit="U1") == EntryError.RECUSED
    assert judge_check(trade, "MEA", "J3", "2", unit="U2") is None


def test_no_recusal_when_the_trade_sets_none():
    trade = ws_trade(recusal=Recusal.NONE)
    assert judge_check(trade, "MEA", "J3", "2", unit="U1") is None


def test_judge_without_a_unit_is_never_recused():
    assert judge_check(ws_trade(), "MEA", "J4", "2", unit="U1") is None


def test_check_judge_value_refuses_an_excused_judge():
    trade = ws_trade()
    assert judge_check(trade, "MEA", "J1", "2", excused=frozenset({"J1"})) == EntryError.EXCUSED
    assert judge_check(trade, "MEA", "J2", "2", excused=frozenset({"J1"})) is None


def test_check_judge_value_refuses_a_judge_off_the_components_panel():
    trade = ws_trade()
    # DEF's component lists J1, J2 only
    assert judge_check(trade, "DEF", "J3", "5") == EntryError.NOT_ON_PANEL
    assert judge_check(trade, "DEF", "J4", "5") == EntryError.NOT_ON_PANEL
    assert judge_check(trade, "DEF", "J2", "5") is None
    # practical lists no judges: every judge of the trade sits on it
    assert judge_check(trade, "MEA", "J4", "2") is None


def test_check_judge_value_refuses_a_judge_not_assigned_to_the_trade():
    trade = ws_trade()
    spec = trade.criterion("MEA")
    assert spec is not None
    error = check_judge_value(trade, spec, JudgeRef("J9", "Z"), "U2", D(2))
    assert error == EntryError.NOT_ON_PANEL


# --- §1 panels: component panel, missing values, excusal ----------------------------------------


def test_component_panel_is_its_own_judge_list_else_the_trades():
    trade = ws_trade()
    entrant = EntrantInput(
        "E1",
        "U2",
        values={
            **{(c, j): D(2) for c in ("JUD", "MEA") for j in ("J1", "J2", "J3", "J4")},
            ("DEF", "J1"): D(6),
            ("DEF", "J2"): D(8),
            ("DEF", "J3"): D(0),  # not on the defence panel: ignored
        },
    )
    score = score_entrant(trade, entrant)
    assert score.criterion("DEF").panel == ("J1", "J2")
    assert score.criterion("DEF").mark == 7  # mean(6, 8)
    assert score.criterion("MEA").panel == ("J1", "J2", "J3", "J4")
    assert score.status == Status.OK
    # practical: JUD 2/3 × 4 = 8/3, MEA 2 → 14/3; total 0.7 × 14/3 + 0.3 × 7 = 49/15 + 2.1
    assert score.total_exact == F(49, 15) + F("2.1")
    assert score.total == D("5.37")  # 3.2666… + 2.1 = 5.3666… → 5.37


def test_component_panel_judges_still_recused_by_unit():
    trade = ws_trade()
    # defence panel J1 (unit X), J2 (unit Y); an entrant from X loses J1
    entrant = EntrantInput(
        "E1",
        "X",
        values={
            **{(c, j): D(2) for c in ("JUD", "MEA") for j in ("J2", "J3", "J4")},
            ("DEF", "J2"): D(8),
        },
    )
    score = score_entrant(trade, entrant)
    assert score.criterion("DEF").panel == ("J2",)
    assert score.criterion("DEF").recused == ("J1",)
    assert score.status == Status.OK
    assert score.criterion("DEF").mark == 8


def test_a_missing_value_makes_the_entrant_incomplete_without_a_flag():
    criterion = CriterionSpec("C1", D(10), max_spread=D(0))
    trade = one_criterion_trade(criterion)
    # J3 still to enter; the two values present (1, 9) would be spread
    score = score_entrant(trade, marks({"C1": ["1", "9", None]}))
    assert score.status == Status.INCOMPLETE
    assert score.flags == ()
    assert score.total is None
    result = score.criterion("C1")
    assert result.missing == ("J3",)
    assert result.mark is None


def test_a_missing_value_on_a_trimmed_criterion_gives_no_flag():
    criterion = CriterionSpec("C1", D(10), aggregation=Aggregation.TRIMMED_MEAN)
    trade = one_criterion_trade(criterion, judges=3)
    score = score_entrant(trade, marks({"C1": ["1", "9", None]}))
    assert score.status == Status.INCOMPLETE
    assert score.flags == ()


def test_values_still_missing_win_over_a_too_small_trimmed_panel():
    # Ambiguity: §1 says a too-small trimmed panel is flagged `panel:`, §2 says a criterion
    # with values still missing gets no flag. With 2 judges (trim 1 needs 3) and one value
    # missing, the implementation (and this test) follows §2: no flag until complete.
    criterion = CriterionSpec("C1", D(10), aggregation=Aggregation.TRIMMED_MEAN)
    trade = one_criterion_trade(criterion, judges=2)
    score = score_entrant(trade, marks({"C1": ["5", None]}))
    assert score.status == Status.INCOMPLETE
    assert score.flags == ()
    complete = score_entrant(trade, marks({"C1": ["5", "6"]}))
    assert complete.flags == ("panel:C1",)


def test_an_untrimmed_criterion_with_no_judge_left_is_flagged_panel():
    # Ambiguity: §2 names `panel:` only for a panel too small for a *trimmed* rule; a mean
    # over nobody (every judge recused) cannot be computed either. The implementation treats
    # it as a panel below the minimum of one judge: incomplete and flagged `panel:`.
    criterion = CriterionSpec("C1", D(10))
    trade = TradeSpec(
        "T",
        (ComponentSpec("p", D(1), criteria=(criterion,)),),
        judges=panel(2, ["U1", "U1"]),
    )
    score = score_entrant(trade, marks({"C1": [None, None]}, unit="U1"))
    assert score.status == Status.INCOMPLETE
    assert score.criterion("C1").panel == ()
    assert score.flags == ("panel:C1",)


def test_a_missing_value_is_completed_by_excusing_the_judge():
    criterion = CriterionSpec("C1", D(10))
    trade = one_criterion_trade(criterion)
    missing = score_entrant(trade, marks({"C1": ["4", "6", None]}))
    assert missing.status == Status.INCOMPLETE
    excused = score_entrant(trade, marks({"C1": ["4", "6", None]}, excused=frozenset({"J3"})))
    assert excused.status == Status.OK
    assert excused.criterion("C1").mark == 5  # mean(4, 6)
    assert excused.criterion("C1").excused == ("J3",)
    assert excused.criterion("C1").panel == ("J1", "J2")


def test_an_excused_judge_leaves_the_panel_for_every_criterion():
    trade = TradeSpec(
        "T",
        (
            ComponentSpec("a", D("0.5"), criteria=(CriterionSpec("A1", D(10)),)),
            ComponentSpec(
                "b",
                D("0.5"),
                criteria=(CriterionSpec("B1", D(10)), CriterionSpec("B2", D(10))),
            ),
        ),
        judges=panel(3),
    )
    # J3 is excused; a value it entered for A1 before being excused no longer counts
    entrant = marks(
        {"A1": ["4", "6", "10"], "B1": ["1", "2", None], "B2": ["3", "3", None]},
        excused=frozenset({"J3"}),
    )
    score = score_entrant(trade, entrant)
    assert score.status == Status.OK
    for code in ("A1", "B1", "B2"):
        assert score.criterion(code).panel == ("J1", "J2")
        assert score.criterion(code).excused == ("J3",)
    assert score.criterion("A1").mark == 5
    # 0.5 × 5 + 0.5 × (1.5 + 3) = 2.5 + 2.25 = 4.75
    assert score.total == D("4.75")


def test_excusal_applies_only_to_that_entrant():
    criterion = CriterionSpec("C1", D(10))
    trade = one_criterion_trade(criterion)
    excused = marks({"C1": ["4", "6", None]}, code="E1", excused=frozenset({"J3"}))
    other = marks({"C1": ["4", "6", None]}, code="E2")
    assert score_entrant(trade, excused).status == Status.OK
    assert score_entrant(trade, other).status == Status.INCOMPLETE


def test_recused_judge_leaves_the_panel_and_its_values_are_ignored():
    criterion = CriterionSpec("C1", D(10))
    trade = TradeSpec(
        "T",
        (ComponentSpec("p", D(1), criteria=(criterion,)),),
        judges=panel(3, ["U1", "X", "Y"]),
    )
    score = score_entrant(trade, marks({"C1": ["10", "4", "6"]}, unit="U1"))
    assert score.status == Status.OK
    assert score.criterion("C1").mark == 5  # mean(4, 6), J1's 10 is not counted
    # with recusal "none" J1 sits on the panel: mean(10, 4, 6) = 20/3
    open_trade = TradeSpec(
        "T",
        trade.components,
        judges=trade.judges,
        recusal=Recusal.NONE,
    )
    assert score_entrant(open_trade, marks({"C1": ["10", "4", "6"]}, unit="U1")).criterion(
        "C1"
    ).mark == F(20, 3)


def test_missing_direct_score_makes_the_entrant_incomplete():
    trade = direct_trade(("theory", "0.3"), ("practical", "0.7"))
    score = score_entrant(trade, direct(theory="86.5"))
    assert score.status == Status.INCOMPLETE
    assert score.total is None
    assert score.component("theory").score == F("86.5")
    assert score.component("practical").score is None


# --- §2 totals --------------------------------------------------------------------------------


def test_worked_example_theory_and_practical_89_83():
    # 0.3 × 86.5 + 0.7 × 91.25 = 25.95 + 63.875 = 89.825 → 89.83 (half up)
    trade = direct_trade(("theory", "0.3"), ("practical", "0.7"))
    score = score_entrant(trade, direct(theory="86.5", practical="91.25"))
    assert score.status == Status.OK
    assert score.total_exact == F("89.825")
    assert score.total == D("89.83")
    assert str(score.total) == "89.83"


@pytest.mark.parametrize(
    "decimals, expected",
    [(0, "90"), (1, "89.8"), (2, "89.83"), (3, "89.825"), (4, "89.8250")],
)
def test_total_is_rounded_to_the_events_decimals(decimals, expected):
    trade = direct_trade(("theory", "0.3"), ("practical", "0.7"))
    score = score_entrant(trade, direct(theory="86.5", practical="91.25"), decimals)
    assert str(score.total) == expected


@pytest.mark.parametrize(
    "value, weight, decimals, expected",
    [
        ("72.5", "1", 0, "73"),  # half up, not half even (72)
        ("73.5", "1", 0, "74"),
        ("0.25", "0.5", 2, "0.13"),  # 0.125 → 0.13 (half even would give 0.12)
        ("0.49", "0.5", 2, "0.25"),  # 0.245 → 0.25
        ("99.99", "0.5", 3, "49.995"),
        ("99.99", "0.5", 2, "50.00"),  # 49.995 → 50.00
        ("0", "1", 2, "0.00"),
    ],
)
def test_total_rounds_half_up(value, weight, decimals, expected):
    trade = direct_trade(("only", weight))
    assert str(score_entrant(trade, direct(only=value), decimals).total) == expected


def test_weights_not_summing_to_one_are_used_as_given():
    # three rounds of weight 1 each add up: 66 + 70.5 + 68.25 = 204.75
    rounds = direct_trade(("r1", "1"), ("r2", "1"), ("r3", "1"))
    score = score_entrant(rounds, direct(r1="66", r2="70.5", r3="68.25"))
    assert score.total == D("204.75")
    # weights 0.5 + 0.6 = 1.1: 0.5 × 80 + 0.6 × 90 = 40 + 54 = 94
    odd = direct_trade(("a", "0.5"), ("b", "0.6"))
    assert score_entrant(odd, direct(a="80", b="90")).total == D("94.00")


def test_component_scores_shown_are_rounded_like_the_total():
    # P: mean(2, 3, 2) on scale 3, max 4 → 28/9 = 3.111… shown as 3.11; decimals 0 → 3
    criterion = CriterionSpec("P", D(4), kind=CriterionKind.JUDGEMENT, scale=D(3), step=D(1))
    trade = TradeSpec(
        "T",
        (ComponentSpec("theory", D("0.5")), ComponentSpec("ws", D("0.5"), criteria=(criterion,))),
        judges=panel(3),
    )
    entrant = EntrantInput(
        "E1",
        "U1",
        direct={"theory": D("7.25")},
        values={("P", f"J{i}"): D(v) for i, v in enumerate(["2", "3", "2"], start=1)},
    )
    for decimals, ws, theory, total in [
        (2, "3.11", "7.25", "5.18"),  # 3.625 + 14/9 = 3.625 + 1.5555… = 5.1805… → 5.18
        (0, "3", "7", "5"),
        (3, "3.111", "7.250", "5.181"),
    ]:
        event = EventSpec("e", date(2026, 3, 1), decimals=decimals, units=("U1",))
        document = results_document(event, [compute_trade(event, trade, [entrant])])
        row = document["trades"][0]["entrants"][0]
        assert row["components"] == {"theory": theory, "ws": ws}
        assert row["total"] == total


# --- §2 statuses --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(DeclaredStatus))
def test_declared_status_has_no_components_flags_or_total_whatever_scores_exist(status):
    criterion = CriterionSpec("C1", D(10), max_spread=D(0))
    trade = TradeSpec(
        "T",
        (ComponentSpec("theory", D("0.5")), ComponentSpec("p", D("0.5"), criteria=(criterion,))),
        judges=panel(3),
    )
    entrant = EntrantInput(
        "E1",
        "U1",
        status=status,
        direct={"theory": D(90)},
        values={("C1", "J1"): D(1), ("C1", "J2"): D(9), ("C1", "J3"): D(5)},
    )
    score = score_entrant(trade, entrant)
    assert score.status == Status(status.value)
    assert score.components == ()
    assert score.flags == ()
    assert score.total is None and score.total_exact is None
    assert not score.ranked
    event = EventSpec("e", date(2026, 3, 1), units=("U1",))
    row = results_document(event, [compute_trade(event, trade, [entrant])])["trades"][0][
        "entrants"
    ][0]
    assert row == {
        "code": "E1",
        "rank": None,
        "status": status.value,
        "total": None,
        "components": {},
        "t_score": None,
        "flags": [],
        "awards": [],
    }


def test_incomplete_entrant_shows_its_scored_components_and_its_flags():
    spread = CriterionSpec("S", D(10), max_spread=D(1))
    waiting = CriterionSpec("W", D(10))
    trade = TradeSpec(
        "T",
        (
            ComponentSpec("theory", D("0.2")),
            ComponentSpec("a", D("0.4"), criteria=(spread,)),
            ComponentSpec("b", D("0.4"), criteria=(waiting,)),
        ),
        judges=panel(3),
    )
    entrant = marks({"S": ["2", "5", "5"], "W": ["5", None, "5"]})
    entrant = EntrantInput(
        entrant.code, entrant.unit, values=entrant.values, direct={"theory": D(80)}
    )
    score = score_entrant(trade, entrant)
    assert score.status == Status.INCOMPLETE
    assert score.flags == ("spread:S",)
    assert score.total is None
    assert score.component("a").score == 4  # mean(2, 5, 5)
    assert score.component("b").score is None
    event = EventSpec("e", date(2026, 3, 1), units=("U1",))
    row = results_document(event, [compute_trade(event, trade, [entrant])])["trades"][0][
        "entrants"
    ][0]
    assert row["status"] == "incomplete"
    assert row["rank"] is None
    assert row["total"] is None
    assert row["components"] == {"theory": "80.00", "a": "4.00"}
    assert row["flags"] == ["spread:S"]
    assert row["t_score"] is None


def test_only_ok_entrants_are_ranked():
    trade = direct_trade(("theory", "1"))
    assert score_entrant(trade, direct(theory="50")).ranked
    assert not score_entrant(trade, direct()).ranked


# --- §2 flags ---------------------------------------------------------------------------------


def test_flags_follow_the_trades_criterion_order_not_the_alphabet():
    trade = TradeSpec(
        "T",
        (
            ComponentSpec(
                "zeta",
                D("0.5"),
                criteria=(
                    CriterionSpec("z1", D(10), max_spread=D(1)),
                    CriterionSpec("a2", D(10), aggregation=Aggregation.TRIMMED_MEAN, trim=2),
                    CriterionSpec("q9", D(10)),
                ),
            ),
            ComponentSpec(
                "alpha",
                D("0.5"),
                criteria=(
                    CriterionSpec("m3", D(10), max_spread=D("0.5")),
                    CriterionSpec("b4", D(10), aggregation=Aggregation.TRIMMED_SUM, trim=2),
                ),
            ),
        ),
        judges=panel(3),
    )
    entrant = marks(
        {
            "z1": ["1", "5", "5"],  # spread 4 > 1
            "a2": ["5", "5", "5"],  # trim 2 needs 5 judges
            "q9": ["1", "9", "5"],  # no max_spread: never flagged
            "m3": ["5", "6", "5"],  # spread 1 > 0.5
            "b4": ["5", "5", "5"],  # trim 2 needs 5 judges
        }
    )
    score = score_entrant(trade, entrant)
    assert score.flags == ("spread:z1", "panel:a2", "spread:m3", "panel:b4")
    assert score.status == Status.INCOMPLETE


def test_panel_flag_wins_over_spread_flag():
    criterion = CriterionSpec(
        "C1", D(10), aggregation=Aggregation.TRIMMED_MEAN, trim=1, max_spread=D(0)
    )
    trade = one_criterion_trade(criterion, judges=2)
    score = score_entrant(trade, marks({"C1": ["1", "9"]}))
    assert score.flags == ("panel:C1",)  # at most one flag per criterion


def test_one_flag_per_criterion_even_with_several_entrants_and_judges():
    criterion = CriterionSpec("C1", D(10), max_spread=D(0))
    trade = one_criterion_trade(criterion, judges=5)
    score = score_entrant(trade, marks({"C1": ["0", "10", "0", "10", "5"]}))
    assert score.flags == ("spread:C1",)


# --- worked examples --------------------------------------------------------------------------


def dive_trade(factor: str = "1") -> TradeSpec:
    criterion = CriterionSpec(
        "D1",
        D(10),
        kind=CriterionKind.JUDGEMENT,
        step=D("0.5"),
        aggregation=Aggregation.TRIMMED_SUM,
        trim=2,
        factor=D(factor),
    )
    return TradeSpec("DIVE", (ComponentSpec("dive", D(1), criteria=(criterion,)),), judges=panel(7))


def test_worked_example_dive_66_00_with_the_criterions_factor():
    # (7.0 + 7.5 + 7.5) × 3.0 = 66.00
    score = score_entrant(dive_trade("3.0"), marks({"D1": DIVE}))
    assert score.criterion("D1").aggregate == 22
    assert score.criterion("D1").mark == 66
    assert str(score.total) == "66.00"


def test_worked_example_dive_66_00_with_a_declared_difficulty():
    score = score_entrant(dive_trade("1"), marks({"D1": DIVE}, factors={"D1": D("3.0")}))
    assert str(score.total) == "66.00"


def test_worked_example_judgement_3_111_kept_exact():
    criterion = CriterionSpec("WS", D(4), kind=CriterionKind.JUDGEMENT, scale=D(3), step=D(1))
    trade = one_criterion_trade(criterion)
    score = score_entrant(trade, marks({"WS": ["2", "3", "2"]}))
    assert score.criterion("WS").aggregate == F(7, 3)
    assert score.criterion("WS").mark == F(28, 9)  # 7/3 / 3 × 4 = 3.111…
    assert score.total_exact == F(28, 9)
    assert score.total == D("3.11")


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, places, expected",
    [
        (F("89.825"), 2, "89.83"),
        (F("2.5"), 0, "3"),
        (F("-2.5"), 0, "-3"),
        (F(28, 9), 2, "3.11"),
        (F(2, 3), 2, "0.67"),
        (F(1, 8), 2, "0.13"),
        (D("1.005"), 2, "1.01"),
        (7, 2, "7.00"),
    ],
)
def test_round_half_up(value, places, expected):
    assert str(round_half_up(value, places)) == expected


def test_fixed_and_exact_and_is_multiple():
    assert fixed(None, 2) is None
    assert fixed(F(28, 9), 3) == "3.111"
    assert exact("0.1") == F(1, 10)
    assert exact(D("0.3")) * 3 == F(9, 10)
    assert is_multiple(D("7.5"), D("0.5"))
    assert not is_multiple(D("7.25"), D("0.5"))
    assert is_multiple(D("0.30"), D("0.1"))  # exact decimals, no binary float error
