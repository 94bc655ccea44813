"""Stored results read back exactly as they were computed."""

import json
from dataclasses import replace
from decimal import Decimal

from contest.domain.package import read_package
from contest.domain.results import compute_trade
from contest.domain.snapshot import dump_trade, load_trade
from tests.packages import small_package


def test_trade_results_survive_a_json_round_trip():
    package = read_package(json.loads(json.dumps(small_package()), parse_float=Decimal))
    for trade in package.trades:
        result = compute_trade(
            package.event_spec(), package.trade_spec(trade), package.entrant_inputs(trade.code)
        )
        stored = json.loads(json.dumps(dump_trade(result)))
        assert load_trade(stored) == result


def test_breakdown_keeps_exact_fractions():
    package = read_package(json.loads(json.dumps(small_package()), parse_float=Decimal))
    weld = package.trades[0]
    result = compute_trade(
        package.event_spec(), package.trade_spec(weld), package.entrant_inputs("WELD")
    )
    p2 = dump_trade(result)["entrants"][0]["components"][1]["criteria"][1]
    assert p2["code"] == "P2"
    assert p2["values"] == {"J1": "3", "J2": "2"}
    assert p2["recused"] == ["J3"]  # J3 comes from the entrant's unit
    assert p2["aggregate"] == "5/2" and p2["mark"] == "100/3"  # 2.5 / 3 × 40


def test_a_usual_criterion_is_stored_short_and_read_back_whole():
    package = read_package(json.loads(json.dumps(small_package()), parse_float=Decimal))
    weld = package.trades[0]
    inputs = package.entrant_inputs("WELD")
    # E2 (unit B) as if J3 had not been excused and had marked as J1 did: nothing unusual.
    e2 = next(e for e in inputs if e.code == "E2")
    plain = replace(
        e2,
        code="E3",
        excused=frozenset(),
        values={**e2.values, **{(c, "J3"): v for (c, j), v in e2.values.items() if j == "J1"}},
    )
    kinds = set()
    for entrants in (inputs, [*inputs, plain]):
        result = compute_trade(package.event_spec(), package.trade_spec(weld), entrants)
        stored = dump_trade(result)
        criteria = [
            c
            for entrant in stored["entrants"]
            for component in entrant["components"]
            for c in component["criteria"]
        ]
        kinds |= {frozenset(c) for c in criteria}
        # Results stored with every key (as they once were) read back the same.
        for c in criteria:
            c.setdefault("panel", list(c["values"]))
            for name in ("missing", "recused", "excused", "dropped"):
                c.setdefault(name, [])
            c.setdefault("factor", "1")
            c.setdefault("flag", None)
        assert load_trade(json.loads(json.dumps(stored))) == result
    assert frozenset({"code", "values", "aggregate", "mark"}) in kinds  # nothing unusual
    assert frozenset({"code", "values", "aggregate", "mark", "recused"}) in kinds
