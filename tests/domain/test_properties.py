"""Property tests over randomly generated trades and entrants (SCORING.md §1–3, §6).

The totals are checked against an independent re-statement of §1–2 written here from the
rulebook (``expected_score``), not against the implementation's own helpers.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contest.domain.awards import AwardRule, Promotion, Rounding, Selection
from contest.domain.ranking import ranks_by_criteria
from contest.domain.results import EventSpec, compute_trade, results_document
from contest.domain.scoring import (
    Aggregation,
    ComponentSpec,
    CriterionSpec,
    DeclaredStatus,
    EntrantInput,
    JudgeRef,
    Recusal,
    Status,
    TradeSpec,
    score_entrant,
)
from contest.domain.skills import SKILL_LADDER
from contest.domain.snapshot import dump_trade, load_scores

D = Decimal
UNITS = ("U1", "U2", "U3")
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- generators -------------------------------------------------------------------------------


@st.composite
def criteria(draw, code: str) -> CriterionSpec:
    scale = draw(st.sampled_from([None, None, D(3), D(10)]))
    maximum = draw(st.sampled_from([D(4), D(10), D(30)]))
    step = draw(st.sampled_from([D(1), D("0.5"), D("0.25")]))
    return CriterionSpec(
        code,
        maximum,
        scale=scale,
        step=step,
        aggregation=draw(
            st.sampled_from([Aggregation.MEAN, Aggregation.MEDIAN, Aggregation.SUM])
            | st.sampled_from([Aggregation.TRIMMED_MEAN, Aggregation.TRIMMED_SUM])
        ),
        trim=draw(st.sampled_from([1, 1, 1, 0, 2])),
        factor=draw(st.sampled_from([D(1), D(1), D("1.5"), D(3)])),
        max_spread=draw(st.sampled_from([None, D(1), D(2)])),
    )


@st.composite
def trades(draw) -> TradeSpec:
    count = draw(st.sampled_from([3, 3, 4, 5, 1, 2]))
    judges = tuple(
        JudgeRef(f"J{i}", draw(st.sampled_from([None, "JX", *UNITS]))) for i in range(1, count + 1)
    )
    codes = [j.code for j in judges]
    components = []
    for c in range(draw(st.integers(1, 3))):
        weight = draw(st.sampled_from([D("0.1"), D("0.3"), D("0.5"), D("0.7"), D(1), D(2)]))
        if draw(st.booleans()):
            step = draw(st.sampled_from([D("0.5"), D(1), D("0.25")]))
            components.append(ComponentSpec(f"c{c}", weight, max=D(20), step=step))
        else:
            own = draw(st.lists(st.sampled_from(codes), unique=True, max_size=count))
            components.append(
                ComponentSpec(
                    f"c{c}",
                    weight,
                    criteria=tuple(
                        draw(criteria(f"k{c}{i}")) for i in range(draw(st.integers(1, 2)))
                    ),
                    judges=tuple(own),
                )
            )
    breakers = ["time"]
    breakers += [f"component:{c.code}" for c in components]
    breakers += [f"criterion:{k.code}" for c in components for k in c.criteria]
    return TradeSpec(
        "T",
        tuple(components),
        judges=judges,
        tie_breakers=tuple(draw(st.permutations(breakers))[: draw(st.integers(0, 3))]),
        min_entrants=draw(st.sampled_from([None, 2, 4])),
        team_size=draw(st.sampled_from([None, 1, 2])),
        recusal=draw(st.sampled_from(list(Recusal))),
    )


def recused(trade: TradeSpec, judge: str, unit: str) -> bool:
    ref = trade.judge(judge)
    judge_unit = ref.unit if ref is not None else None
    return trade.recusal == Recusal.SAME_UNIT and judge_unit is not None and judge_unit == unit


def seats(trade: TradeSpec, component: ComponentSpec) -> tuple[str, ...]:
    return component.judges or tuple(j.code for j in trade.judges)


def multiple(draw, maximum: Decimal, step: Decimal, low: bool = False) -> Decimal:
    """A value on the step grid within 0..maximum (from a narrow band to provoke ties)."""
    top = int(maximum / step)
    if low:
        return step * draw(st.integers(max(0, top - 2), top))
    return step * draw(st.integers(0, top))


@st.composite
def entrant_inputs(draw, trade: TradeSpec, code: str) -> EntrantInput:
    unit = draw(st.sampled_from(UNITS))
    narrow = draw(st.booleans())  # values from a narrow band → many equal totals
    excused = frozenset(
        draw(st.lists(st.sampled_from([j.code for j in trade.judges]), max_size=1))
        if draw(st.integers(0, 5)) == 0
        else []
    )
    values: dict[tuple[str, str], Decimal] = {}
    direct: dict[str, Decimal] = {}
    factors: dict[str, Decimal] = {}
    for component in trade.components:
        missing = draw(st.integers(0, 24)) == 0
        if component.is_direct:
            if not missing:
                direct[component.code] = multiple(draw, component.max, component.step, narrow)
            continue
        for criterion in component.criteria:
            for judge in seats(trade, component):
                if recused(trade, judge, unit) or (missing and judge == seats(trade, component)[0]):
                    continue
                values[(criterion.code, judge)] = multiple(
                    draw, criterion.entry_max, criterion.step, narrow
                )
            if draw(st.integers(0, 6)) == 0:
                factors[criterion.code] = draw(st.sampled_from([D("2.5"), D("3.2")]))
    return EntrantInput(
        code,
        unit,
        team=draw(st.sampled_from([None, "TA", "TB", "TC"])),
        status=draw(st.sampled_from([None] * 12 + list(DeclaredStatus))),
        time=draw(st.sampled_from([None, D(60), D(90), D("90.5")])),
        values=values,
        direct=direct,
        factors=factors,
        excused=excused,
        birth_date=draw(st.sampled_from([None, date(1990, 5, 1), date(2000, 2, 29)])),
        skill_level=draw(st.sampled_from([None, *SKILL_LADDER])),
    )


@st.composite
def fields(draw, max_size: int = 7) -> tuple[TradeSpec, list[EntrantInput]]:
    trade = draw(trades())
    entrants: list[EntrantInput] = []
    for i in range(draw(st.integers(3, max_size) | st.integers(0, max_size))):
        code = f"E{i:02d}"
        if entrants and draw(st.integers(0, 3)) == 0:
            # a copy of an earlier entrant under a new code: an exact tie on every score,
            # perhaps separated by time
            time = draw(st.sampled_from([None, D(60), D(90), D("90.5")]))
            entrants.append(replace(draw(st.sampled_from(entrants)), code=code, time=time))
        else:
            entrants.append(draw(entrant_inputs(trade, code)))
    return trade, entrants


RULES = (
    AwardRule("champion", "技术状元", Selection(top=1), group="title", min_total=D(15)),
    AwardRule("gold", "金牌工人", Selection(top=2), group="title"),
    AwardRule("p1", "一等奖", Selection(percent=D(10)), group="prize"),
    AwardRule("p2", "二等奖", Selection(percent=D(30), rounding=Rounding.CEIL), group="prize"),
    AwardRule("youth", "青年", Selection(top_by_field=((3, 1), (None, 2))), max_age=30),
    AwardRule("promote", "晋升", Selection(ranks=(1, 3)), promote=Promotion(2, "技师")),
)


@st.composite
def events(draw) -> EventSpec:
    return EventSpec(
        "e",
        date(2026, 3, 1),
        decimals=draw(st.integers(0, 3)),
        placement_points=(5, 3, 2, 1),
        medals_by_field=draw(st.booleans()),
        award_rules=RULES,
        units=UNITS,
    )


def shuffled(trade: TradeSpec, entrants: list[EntrantInput], rng: random.Random):
    """The same data in another order: entrants, their values, the judges, the panels."""

    def mix(items):
        items = list(items)
        rng.shuffle(items)
        return items

    trade = replace(
        trade,
        judges=tuple(mix(trade.judges)),
        components=tuple(replace(c, judges=tuple(mix(c.judges))) for c in trade.components),
    )
    entrants = [
        replace(
            e,
            values=dict(mix(e.values.items())),
            direct=dict(mix(e.direct.items())),
            factors=dict(mix(e.factors.items())),
        )
        for e in mix(entrants)
    ]
    return trade, entrants


# --- an independent statement of §1–2 ------------------------------------------------------------


@dataclass
class Expected:
    status: Status
    total: Decimal | None
    flags: tuple[str, ...]
    components: dict[str, Fraction]


def half_up(value: Fraction, places: int) -> Decimal:
    return Decimal(math.floor(value * 10**places + Fraction(1, 2))).scaleb(-places)


def aggregate(rule: Aggregation, trim: int, values: list[Decimal]) -> Fraction:
    kept = sorted(Fraction(v) for v in values)
    if rule in (Aggregation.TRIMMED_MEAN, Aggregation.TRIMMED_SUM) and trim:
        kept = kept[trim:-trim]
    if rule in (Aggregation.SUM, Aggregation.TRIMMED_SUM):
        return sum(kept, Fraction(0))
    if rule == Aggregation.MEDIAN:
        middle = len(kept) // 2
        return kept[middle] if len(kept) % 2 else (kept[middle - 1] + kept[middle]) / 2
    return sum(kept, Fraction(0)) / len(kept)


def expected_score(trade: TradeSpec, entrant: EntrantInput, decimals: int) -> Expected:
    if entrant.status is not None:
        return Expected(Status(entrant.status.value), None, (), {})
    flags: list[str] = []
    scores: dict[str, Fraction] = {}
    for component in trade.components:
        if component.is_direct:
            if component.code in entrant.direct:
                scores[component.code] = Fraction(entrant.direct[component.code])
            continue
        score: Fraction | None = Fraction(0)
        for criterion in component.criteria:
            panel = [
                j
                for j in seats(trade, component)
                if not recused(trade, j, entrant.unit) and j not in entrant.excused
            ]
            if any((criterion.code, j) not in entrant.values for j in panel):
                score = None  # still missing: incomplete, no flag
                continue
            values = [entrant.values[(criterion.code, j)] for j in panel]
            trims = criterion.aggregation in (Aggregation.TRIMMED_MEAN, Aggregation.TRIMMED_SUM)
            if len(values) < (2 * criterion.trim + 1 if trims else 1):
                flags.append(f"panel:{criterion.code}")
                score = None
                continue
            mark = aggregate(criterion.aggregation, criterion.trim, values)
            if criterion.scale is not None:
                mark = mark / Fraction(criterion.scale) * Fraction(criterion.max)
            mark *= Fraction(entrant.factors.get(criterion.code, criterion.factor))
            spread = max(values) - min(values)
            if criterion.max_spread is not None and spread > criterion.max_spread:
                flags.append(f"spread:{criterion.code}")
            if score is not None:
                score += mark
        if score is not None:
            scores[component.code] = score
    if len(scores) < len(trade.components):
        return Expected(Status.INCOMPLETE, None, tuple(flags), scores)
    exact = sum((Fraction(c.weight) * scores[c.code] for c in trade.components), Fraction(0))
    return Expected(Status.OK, half_up(exact, decimals), tuple(flags), scores)


# --- properties -------------------------------------------------------------------------------


@SETTINGS
@given(data=fields(), event=events())
def test_scores_follow_the_rules(data, event):
    trade, entrants = data
    for entrant in entrants:
        score = score_entrant(trade, entrant, event.decimals)
        expected = expected_score(trade, entrant, event.decimals)
        assert score.status == expected.status
        assert score.flags == expected.flags
        assert score.total == expected.total
        shown = {c.code: c.score for c in score.components if c.score is not None}
        assert shown == expected.components
        if score.total is not None:
            assert score.total.as_tuple().exponent == -event.decimals
            # the total is the rounded weighted sum of the exact component scores
            weighted = sum(
                (Fraction(c.weight) * c.score for c in score.components if c.score is not None),
                Fraction(0),
            )
            assert score.total_exact == weighted
            assert score.total == half_up(weighted, event.decimals)


@SETTINGS
@given(data=fields(), event=events(), seed=st.integers(0, 2**32 - 1))
def test_results_do_not_depend_on_input_order(data, event, seed):
    trade, entrants = data
    document = results_document(event, [compute_trade(event, trade, entrants)])
    other_trade, other_entrants = shuffled(trade, entrants, random.Random(seed))
    assert results_document(event, [compute_trade(event, other_trade, other_entrants)]) == document


@SETTINGS
@given(data=fields(), event=events())
def test_ranks_are_standard_competition_ranks(data, event):
    trade, entrants = data
    result = compute_trade(event, trade, entrants)
    ranks = [e.placing.rank for e in result.entrants]
    ranked = [r for r in ranks if r is not None]
    n = len(ranked)
    # ranked first, then the unranked
    assert ranks == ranked + [None] * (len(ranks) - n)
    assert n == sum(1 for e in result.entrants if e.score.status == Status.OK)
    assert all(1 <= r <= n for r in ranked)
    assert ranked == sorted(ranked)
    if ranked:
        assert ranked[0] == 1
    # a rank k shared by m entrants is followed by rank k + m
    distinct = sorted(set(ranked))
    for k, following in itertools.pairwise(distinct):
        assert following == k + ranked.count(k)
    # higher rounded totals come first; equal rank means equal rounded total
    entries = [e for e in result.entrants if e.placing.rank is not None]
    for above, below in itertools.pairwise(entries):
        assert above.score.total >= below.score.total
        if above.placing.rank == below.placing.rank:
            assert above.score.total == below.score.total
            assert below.placing.tie is not None and below.placing.tie.breaker is None
        if above.score.total == below.score.total:
            assert below.placing.tie is not None and below.placing.tie.above == above.code
            if below.placing.rank != above.placing.rank:
                assert below.placing.tie.breaker in trade.tie_breakers
        else:
            assert below.placing.tie is None
    if not trade.tie_breakers:
        for above, below in itertools.pairwise(entries):
            assert (above.placing.rank == below.placing.rank) == (
                above.score.total == below.score.total
            )


@SETTINGS
@given(data=fields(max_size=6), event=events(), st_data=st.data())
def test_adding_an_entrant_moves_others_down_by_at_most_one(data, event, st_data):
    trade, entrants = data
    newcomer = st_data.draw(entrant_inputs(trade, "NEW"))
    before = {e.code: e.placing.rank for e in compute_trade(event, trade, entrants).entrants}
    after_result = compute_trade(event, trade, [*entrants, newcomer])
    after = {e.code: e.placing.rank for e in after_result.entrants}
    new_rank = after.pop("NEW")
    assert after.keys() == before.keys()
    for code, old in before.items():
        new = after[code]
        if old is None:
            assert new is None
            continue
        assert new is not None
        assert old <= new <= old + 1  # never better, at most one place worse
        if new_rank is None or new <= new_rank:
            assert new == old  # ahead of or tied with the newcomer: unchanged
        else:
            assert new == old + 1  # behind the newcomer: one place down


@SETTINGS
@given(data=fields(), event=events())
def test_t_scores_only_for_ranked_entrants_with_two_places(data, event):
    trade, entrants = data
    result = compute_trade(event, trade, entrants)
    ranked = [e for e in result.entrants if e.placing.rank is not None]
    for entry in result.entrants:
        if entry.placing.rank is None:
            assert entry.t_score is None
        else:
            assert entry.t_score is not None
            assert entry.t_score.as_tuple().exponent == -2
    totals = {e.score.total for e in ranked}
    if len(totals) == 1:
        assert all(e.t_score == D("50.00") for e in ranked)
    # T is monotonic in the rounded total
    for above, below in itertools.pairwise(ranked):
        assert above.t_score >= below.t_score
    # mean of T is 50 up to rounding of each value to 2 places
    if ranked:
        mean = sum((e.t_score for e in ranked), D(0)) / len(ranked)
        assert abs(mean - 50) <= D("0.005")


@SETTINGS
@given(data=fields(), event=events(), st_data=st.data())
def test_one_changed_sheet_rescored_alone_gives_the_full_results(data, event, st_data):
    """After one entrant's marks change, scoring only that entrant — the others' scores read
    back from the stored results, their criteria left out unless a tie-breaker needs them,
    and their values not even given — stores exactly what scoring everyone stores."""
    trade, entrants = data
    if not entrants:
        return
    stored = json.loads(json.dumps(dump_trade(compute_trade(event, trade, entrants))))
    changed = st_data.draw(st.sampled_from(entrants)).code
    redrawn = st_data.draw(entrant_inputs(trade, changed))
    after = [redrawn if e.code == changed else e for e in entrants]
    blank = {"values": {}, "direct": {}, "factors": {}, "excused": frozenset()}
    unread = [e if e.code == changed else replace(e, **blank) for e in after]
    scores = load_scores(stored, ranks_by_criteria(trade.tie_breakers))
    del scores[changed]
    rescored = dump_trade(
        compute_trade(event, trade, unread, scores), earlier=stored, unchanged=scores.keys()
    )
    full = dump_trade(compute_trade(event, trade, after))
    assert json.loads(json.dumps(rescored)) == json.loads(json.dumps(full))
