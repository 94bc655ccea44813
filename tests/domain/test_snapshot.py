"""Stored results read back exactly as they were computed."""

import json
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
