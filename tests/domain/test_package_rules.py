"""The keys of SCORING.md §7 in a package: each problem named by its path, its code and the
details its message names, as for the other keys (``test_package_problems``); a named entrant
without a rank is only a warning; a sound package gives the domain its rules."""

import json
from decimal import Decimal

import pytest

from contest.domain.awards import Base, Decisions, Promotion, Selection
from contest.domain.package import read_package
from contest.domain.scoring import Overtime, Penalty
from tests.packages import problems_found, rules_package


def document() -> dict:
    return json.loads(json.dumps(rules_package()), parse_float=Decimal)


def rule(d: dict, index: int) -> dict:
    return d["event"]["award_rules"][index]


UNREASONABLE = {"value": "1E+999999999", "whole": 12, "places": 8}

CASES = {
    "penalties name an entrant and a criterion or component of their trade": (
        lambda d: (
            d["penalties"][0].update(entrant="E9")
            or d["penalties"][1].update(component="exam")
            or d["penalties"][2].update(entrant="E4")
        ),
        [
            ("penalties[0].entrant", "dangling", {"what": "entrant", "ref": "E9"}),
            ("penalties[1].component", "dangling", {"what": "component", "ref": "exam"}),
            ("penalties[2].criterion", "dangling", {"what": "criterion", "ref": "P2"}),
        ],
    ),
    "a penalty names either criterion or component": (
        lambda d: (
            d["penalties"][0].update(component="theory")
            or d["penalties"][1].update(component=None)  # null is absent
            or d["penalties"][2].update(criterion=5)
        ),
        [
            ("penalties[0]", "penalty_target", {}),
            ("penalties[1]", "penalty_target", {}),
            ("penalties[2].criterion", "not_text", {}),
        ],
    ),
    "penalty points, kind and reason": (
        lambda d: (
            d["penalties"][0].update(points=-1, zz=1)
            or d["penalties"][1].update(points="1E+999999999", kind="  ")
            or d["penalties"][2].update(points="many", reason="")
        ),
        [
            ("penalties[0].zz", "unknown_key", {"key": "zz"}),
            ("penalties[0].points", "too_small", {"value": "-1", "min": "0"}),
            ("penalties[1].points", "unreasonable_number", UNREASONABLE),
            ("penalties[1].kind", "not_text", {}),
            ("penalties[2].points", "not_number", {"value": "many"}),
            ("penalties[2].reason", "not_text", {}),
        ],
    ),
    "disqualify_on: a kind and at least one penalty": (
        lambda d: (
            d["trades"][0].update(disqualify_on={"设备损坏": 0})
            or d["trades"][1].update(disqualify_on={" ": 2})
        ),
        [
            ("trades[0].disqualify_on.设备损坏", "too_small", {"value": 0, "min": 1}),
            ("trades[1].disqualify_on", "bad_penalty_kind", {"value": " "}),
        ],
    ),
    "overtime: numbers": (
        lambda d: d["trades"][0]["overtime"].update(limit=-1, per_minute="-0.5", zero_after=-60),
        [
            ("trades[0].overtime.limit", "too_small", {"value": "-1", "min": "0"}),
            ("trades[0].overtime.per_minute", "too_small", {"value": "-0.5", "min": "0"}),
            ("trades[0].overtime.zero_after", "too_small", {"value": "-60", "min": "0"}),
        ],
    ),
    "overtime: a component of the trade": (
        lambda d: (
            d["trades"][0]["overtime"].update(component="exam")
            or d["trades"][1].update(overtime={"component": "exam", "limit": 60, "per_minute": 1})
        ),
        [("trades[0].overtime.component", "dangling", {"what": "component", "ref": "exam"})],
    ),
    "team tie-breakers: time or a component of the trade": (
        lambda d: d["trades"][0].update(
            team_tie_breakers=["time", "criterion:P1", "component:exam", "speed", "time:1"]
        ),
        [
            ("trades[0].team_tie_breakers[1]", "bad_team_tie_breaker", {"value": "criterion:P1"}),
            ("trades[0].team_tie_breakers[2]", "bad_team_tie_breaker", {"value": "component:exam"}),
            ("trades[0].team_tie_breakers[3]", "bad_team_tie_breaker", {"value": "speed"}),
            ("trades[0].team_tie_breakers[4]", "bad_team_tie_breaker", {"value": "time:1"}),
        ],
    ),
    "min_started": (
        lambda d: d["trades"][0].update(min_started=0) or d["trades"][1].update(min_started="2"),
        [
            ("trades[0].min_started", "too_small", {"value": 0, "min": 1}),
            ("trades[1].min_started", "not_integer", {"value": "2"}),
        ],
    ),
    "pass lines: not negative, not empty": (
        lambda d: (
            rule(d, 4).update(min_components={"theory": -1})
            or rule(d, 0).update(min_components={})
            or rule(d, 1).update(min_components=[60])
        ),
        [
            ("event.award_rules[0].min_components", "empty", {}),
            ("event.award_rules[1].min_components", "not_object", {}),
            (
                "event.award_rules[4].min_components.theory",
                "too_small",
                {"value": "-1", "min": "0"},
            ),
        ],
    ),
    "pass lines: a component of a trade the rule applies to": (
        lambda d: (
            rule(d, 4).update(min_components={"theory": 60, "exam": 60})
            or rule(d, 0).update(min_components={"exam": 60, "practical": 50})  # every trade
        ),
        [
            (
                "event.award_rules[4].min_components.exam",
                "dangling",
                {"what": "rule_component", "ref": "exam"},
            )
        ],
    ),
    "gender": (
        lambda d: rule(d, 4).update(gender="W"),
        [("event.award_rules[4].gender", "not_choice", {"value": "W", "choices": "F, M"})],
    ),
    "select: of only beside percent": (
        lambda d: (
            rule(d, 0).update(select={"top": 1, "of": "started"})
            or rule(d, 4)["select"].update(of="everyone")
        ),
        [
            ("event.award_rules[0].select.of", "percent_only", {"key": "of"}),
            (
                "event.award_rules[4].select.of",
                "not_choice",
                {"value": "everyone", "choices": "ranked, started, registered"},
            ),
        ],
    ),
    "select: manual is true and alone": (
        lambda d: (
            rule(d, 3).update(select={"manual": True, "top": 2})
            or rule(d, 0).update(select={"manual": False})
            or rule(d, 1).update(select={"manual": True, "rounding": "ceil"})
        ),
        [
            ("event.award_rules[0].select.manual", "not_true", {}),
            ("event.award_rules[1].select.rounding", "unknown_key", {"key": "rounding"}),
            ("event.award_rules[3].select", "select_exactly_one", {}),
        ],
    ),
    "promotion to a level": (
        lambda d: (
            rule(d, 4)["promote"].update(levels=1)
            or rule(d, 2).update(promote={"to": "技师", "cap": "高级工"})
            or rule(d, 3).update(promote={"to": "工程师"})
            or rule(d, 1).update(promote={"to": "高级技师"})  # the default cap: sound
        ),
        [
            (
                "event.award_rules[2].promote.cap",
                "cap_below_to",
                {"to": "技师"},
            ),
            (
                "event.award_rules[3].promote.to",
                "not_choice",
                {"value": "工程师", "choices": "初级工, 中级工, 高级工, 技师, 高级技师"},
            ),
            ("event.award_rules[4].promote.levels", "levels_with_to", {}),
        ],
    ),
    "decisions name a rule and an entrant": (
        lambda d: (
            d["ineligible"][0].update(rule="nope", entrant="E9")
            or d["manual_awards"][0].update(entrant="E9")
            or d["manual_awards"][1].update(rule="nope")
        ),
        [
            ("ineligible[0].entrant", "dangling", {"what": "entrant", "ref": "E9"}),
            ("ineligible[0].rule", "dangling", {"what": "award_rule", "ref": "nope"}),
            ("manual_awards[0].entrant", "dangling", {"what": "entrant", "ref": "E9"}),
            ("manual_awards[1].rule", "dangling", {"what": "award_rule", "ref": "nope"}),
        ],
    ),
    "a decision is made once for an entrant and a rule": (
        lambda d: (
            d["ineligible"].extend(
                [{"entrant": "E1", "rule": "gold"}, {"entrant": "E1", "rule": "expert"}]
            )
            or d["manual_awards"].append({"rule": "winner", "entrant": "E2"})
        ),
        [
            ("ineligible[1]", "duplicate_decision", {}),
            ("manual_awards[2]", "duplicate_decision", {}),
        ],
    ),
    "manual awards name a manual rule": (
        lambda d: d["manual_awards"][0].update(rule="gold"),
        [("manual_awards[0].rule", "not_manual", {"rule": "gold"})],
    ),
    "decisions: text and keys": (
        lambda d: (
            d["ineligible"][0].update(reason=" ")
            or d["manual_awards"][0].update(reason="x")
            or d["manual_awards"][1].pop("rule")
        ),
        [
            ("ineligible[0].reason", "not_text", {}),
            ("manual_awards[0].reason", "unknown_key", {"key": "reason"}),
            ("manual_awards[1].rule", "required", {}),
        ],
    ),
    "an ineligible entrant's reason may be left out": (
        lambda d: d["ineligible"][0].pop("reason"),
        [],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_problems(name):
    change, expected = CASES[name]
    changed = document()
    change(changed)
    assert problems_found(changed) == expected


def warnings(changed: dict) -> list[tuple[str, str, dict]]:
    return [(p.path, p.code, dict(p.params)) for p in read_package(changed).warnings]


def test_a_named_entrant_without_a_rank_is_a_warning_not_a_problem():
    changed = document()
    changed["manual_awards"].append({"rule": "winner", "entrant": "E5"})  # disqualified
    assert warnings(changed) == [
        ("manual_awards[1].entrant", "manual_unranked", {"entrant": "E3"}),
        ("manual_awards[2].entrant", "manual_unranked", {"entrant": "E5"}),
    ]
    changed["manual_awards"] = changed["manual_awards"][:1]
    assert warnings(changed) == []


def test_the_keys_become_the_domains_rules():
    package = read_package(document())
    weld, elec = (package.trade_spec(t) for t in package.trades)
    assert weld.disqualify_on == {"设备损坏": 2}
    assert weld.overtime == Overtime("practical", Decimal(2700), Decimal(1), Decimal(600))
    assert (weld.team_tie_breakers, weld.min_started) == (("time", "component:theory"), 2)
    assert (elec.disqualify_on, elec.overtime, elec.team_tie_breakers, elec.min_started) == (
        {},
        None,
        (),
        None,
    )
    rules = {r.code: r for r in package.event.award_rules}
    assert rules["winner"].select == Selection(manual=True)
    women = rules["women"]
    assert women.select == Selection(percent=Decimal(50), of=Base.REGISTERED)
    assert women.promote == Promotion(cap="高级技师", to="技师")
    assert (women.min_components, women.gender) == ({"theory": Decimal(60)}, "F")
    assert rules["promote"].promote == Promotion(1, "技师")
    assert package.event_spec().decisions == Decisions(
        frozenset({("gold", "E1")}), frozenset({("winner", "E2"), ("winner", "E3")})
    )
    e2 = next(e for e in package.entrant_inputs("WELD") if e.code == "E2")
    assert e2.gender == "F"
    assert e2.penalties == (Penalty("安全文明生产", Decimal(2), "P1", None, "未戴护目镜"),)


def test_the_rules_count_in_the_results():
    found = read_package(document()).results()
    weld = {e["code"]: e for e in found["trades"][0]["entrants"]}
    assert weld["E1"]["components"]["practical"] == "80.83"  # 85.83 less 5 minutes over
    assert weld["E2"]["components"]["practical"] == "82.42"  # 84.42 less 2 on P1
    assert weld["E5"]["status"] == "DQ"
    lists = {a["code"]: a for a in found["awards"]}
    assert lists["gold"]["entrants"] == ["E4"]  # E1 passed over
    assert lists["winner"]["entrants"] == ["E2"]
    assert lists["women"]["promotions"] == {"E2": "技师"}


def test_a_void_trade_awards_nothing_but_keeps_its_ranks():
    changed = document()
    changed["trades"][1]["min_started"] = 2  # ELEC: one starter
    found = read_package(changed).results()
    elec = found["trades"][1]["entrants"][0]
    assert (elec["rank"], elec["awards"]) == (1, [])
    assert {a["code"]: a["entrants"] for a in found["awards"]}["gold"] == []
