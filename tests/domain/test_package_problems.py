"""The problems of a malformed package: each named by its path, its code and the details its
message names, in the order the document is read (the shape is pydantic's, the wording the
package's own)."""

import copy
import json
from decimal import Decimal

import pytest

from contest.domain.package import read_package
from tests.packages import problems_found, small_package


def document() -> dict:
    return json.loads(json.dumps(small_package()), parse_float=Decimal)


CASES = {
    "not an object": (
        lambda d: [1],
        [("(document)", "not_object", {})],
    ),
    "unknown and missing keys, in the order they are read": (
        lambda d: d["units"][0].update(zz=1, code=None, name=None) or d["units"][0].pop("kind"),
        [
            ("units[0].zz", "unknown_key", {"key": "zz"}),
            ("units[0].code", "required", {}),
            ("units[0].name", "required", {}),
            ("units[0].kind", "required", {}),
        ],
    ),
    "null is absent": (
        lambda d: (
            d["event"].update(timezone=None, decimals=None, schedule=None)
            or d["trades"][0]["components"][0].update(step=None)
        ),
        [],
    ),
    "an unknown key that is null": (
        lambda d: d["teams"][0].update(zz=None),
        [("teams[0].zz", "unknown_key", {"key": "zz"})],
    ),
    "not a list": (
        lambda d: d.update(teams={}) or d["judges"][0].update(trades="WELD"),
        [("teams", "not_list", {}), ("judges[0].trades", "not_list", {})],
    ),
    "not an object in a list": (
        lambda d: d["entrants"].append("E9"),
        [("entrants[4]", "not_object", {})],
    ),
    "text": (
        lambda d: (
            d["units"][0].update(name="  ")
            or d["units"][1].update(name=5)
            or d["units"][2].update(code="x" * 33)
            or d["units"][3].update(code="  JU  ")
        ),
        [
            ("units[0].name", "not_text", {}),
            ("units[1].name", "not_text", {}),
            ("units[2].code", "too_long", {"max": 32}),
        ],
    ),
    "numbers": (
        lambda d: (
            d["trades"][0]["components"][0].update(weight="abc", max=Decimal("-1.50"), step=True)
            or d["scores"][0].update(value=Decimal("NaN"))
            or d["times"][0].update(seconds=" -2 ")
        ),
        [
            ("trades[0].components[0].weight", "not_number", {"value": "abc"}),
            ("trades[0].components[0].max", "not_positive", {"value": "-1.50"}),
            ("trades[0].components[0].step", "not_number", {"value": "True"}),
            ("scores[0].value", "not_number", {"value": "NaN"}),
            ("times[0].seconds", "too_small", {"value": "-2", "min": "0"}),
        ],
    ),
    "numbers too long to work with": (
        lambda d: (
            d["trades"][0]["components"][0].update(weight=Decimal("1E-999999999"))
            or d["scores"][0].update(value="1E+999999999")
            or d["times"][0].update(seconds=Decimal("0.123456789"))
        ),
        [
            (
                "trades[0].components[0].weight",
                "unreasonable_number",
                {"value": "1E-999999999", "whole": 12, "places": 8},
            ),
            (
                "scores[0].value",
                "unreasonable_number",
                {"value": "1E+999999999", "whole": 12, "places": 8},
            ),
            (
                "times[0].seconds",
                "unreasonable_number",
                {"value": "0.123456789", "whole": 12, "places": 8},
            ),
        ],
    ),
    "whole numbers": (
        lambda d: d["event"].update(
            decimals=7, placement_points=[Decimal("3.0"), "2", -1, Decimal("1.5"), True]
        ),
        [
            ("event.decimals", "too_large", {"value": 7, "max": 6}),
            ("event.placement_points[1]", "not_integer", {"value": "2"}),
            ("event.placement_points[2]", "too_small", {"value": -1, "min": 0}),
            ("event.placement_points[3]", "not_integer", {"value": "1.5"}),
            ("event.placement_points[4]", "not_integer", {"value": "True"}),
        ],
    ),
    "choices": (
        lambda d: (
            d["units"][0].update(kind="zoo")
            or d["entrants"][0].update(gender=["M"])
            or d["statuses"][0].update(status="dns")
        ),
        [
            (
                "units[0].kind",
                "not_choice",
                {"value": "zoo", "choices": "district, industry, enterprise, other"},
            ),
            ("entrants[0].gender", "not_choice", {"value": "['M']", "choices": "M, F"}),
            ("statuses[0].status", "not_choice", {"value": "dns", "choices": "DNS, DQ, WD"}),
        ],
    ),
    "true or false": (
        lambda d: d["judges"][0].update(chief="yes"),
        [("judges[0].chief", "not_boolean", {})],
    ),
    "dates and times": (
        lambda d: (
            d["entrants"][0].update(birth_date="1990-3-1")
            or d["event"].update(starts_on="2026-02-30")
            or d["event"]["schedule"]["registration"].update(
                opens="2026-03-01T09:00:00", closes="soon"
            )
        ),
        [
            ("event.starts_on", "not_date", {"value": "2026-02-30"}),
            ("event.schedule.registration.opens", "no_offset", {"value": "2026-03-01T09:00:00"}),
            ("event.schedule.registration.closes", "not_datetime", {"value": "soon"}),
            ("entrants[0].birth_date", "not_date", {"value": "1990-3-1"}),
        ],
    ),
    "a window that closes before it opens": (
        lambda d: d["event"]["schedule"]["registration"].update(closes="2026-03-01T01:00:00+00:00"),
        [("event.schedule.registration.closes", "closes_before_opens", {})],
    ),
    "slug and time zone": (
        lambda d: d["event"].update(slug="Small Games", timezone="Mars/Base"),
        [
            ("event.slug", "bad_slug", {"value": "Small Games"}),
            ("event.timezone", "bad_timezone", {"value": "Mars/Base"}),
        ],
    ),
    "select: exactly one way": (
        lambda d: d["event"]["award_rules"][0].update(select={"top": 0, "percent": 5, "zz": 1}),
        [
            ("event.award_rules[0].select.zz", "unknown_key", {"key": "zz"}),
            ("event.award_rules[0].select", "select_exactly_one", {}),
        ],
    ),
    "select: rounding only with percent": (
        lambda d: d["event"]["award_rules"][0].update(select={"top": 0, "rounding": "zoo"}),
        [
            ("event.award_rules[0].select.rounding", "unknown_key", {"key": "rounding"}),
            ("event.award_rules[0].select.top", "too_small", {"value": 0, "min": 1}),
        ],
    ),
    "select: ranks, percent and fields": (
        lambda d: (
            d["event"]["award_rules"][0].update(select={"ranks": [3, 1]})
            or d["event"]["award_rules"][1].update(select={"percent": 150})
            or d["event"]["award_rules"][2].update(
                select={"top_by_field": [[None, 1], [0, 2], [1, 2, 3]]}
            )
        ),
        [
            ("event.award_rules[0].select.ranks", "bad_rank_range", {}),
            ("event.award_rules[1].select.percent", "too_large", {"value": "150", "max": 100}),
            ("event.award_rules[2].select.top_by_field[1]", "bad_field_row", {}),
            ("event.award_rules[2].select.top_by_field[2]", "bad_field_row", {}),
        ],
    ),
    "select: an empty top_by_field": (
        lambda d: d["event"]["award_rules"][0].update(select={"top_by_field": []}),
        [("event.award_rules[0].select.top_by_field", "not_list", {})],
    ),
    "promotion": (
        lambda d: d["event"]["award_rules"][2].update(promote={"levels": 5, "cap": "博士"}),
        [
            ("event.award_rules[2].promote.levels", "too_large", {"value": 5, "max": 4}),
            (
                "event.award_rules[2].promote.cap",
                "not_choice",
                {"value": "博士", "choices": "初级工, 中级工, 高级工, 技师, 高级技师"},
            ),
        ],
    ),
    "a trade without components": (
        lambda d: d["trades"][1].update(components=[]),
        [("trades[1].components", "empty", {})],
    ),
    "max and step only without criteria": (
        lambda d: d["trades"][0]["components"][1].update(max=50, step=None),
        [
            ("trades[0].components[1].max", "direct_only", {"key": "max"}),
            ("trades[0].components[1].step", "direct_only", {"key": "step"}),
        ],
    ),
    "resident ID": (
        lambda d: (
            d["entrants"][1].update(id_number=d["entrants"][1]["id_number"][:-1] + "0")
            or d["entrants"][2].update(gender="F")
        ),
        [
            ("entrants[1].id_number", "bad_id_number", {"reason": "check_digit"}),
            ("entrants[2].id_number", "id_gender_mismatch", {"gender": "F"}),
        ],
    ),
    "a score names criterion and judge, or component": (
        lambda d: d["scores"][0].update(criterion="P1") or d["scores"][1].update(judge=5),
        [
            ("scores[0]", "score_target", {}),
            ("scores[1].judge", "not_text", {}),
            ("scores[1]", "score_target", {}),
        ],
    ),
    "duplicates beside a broken row": (
        lambda d: d["units"].extend(
            [
                {"code": "U1", "name": "again", "kind": "other"},
                {"code": "U1", "name": "broken", "kind": "zoo"},
            ]
        ),
        [
            (
                "units[5].kind",
                "not_choice",
                {"value": "zoo", "choices": "district, industry, enterprise, other"},
            ),
            ("units[4].code", "duplicate", {"code": "U1"}),
        ],
    ),
    "duplicates within a trade": (
        lambda d: (
            d["trades"][0]["components"].append(copy.deepcopy(d["trades"][0]["components"][1]))
            or d["trades"][0].update(tie_breakers=["criterion:P9"])
        ),
        [
            ("trades[0].components[2].code", "duplicate", {"code": "practical"}),
            ("trades[0].components", "duplicate_criterion", {}),
        ],
    ),
    "tie-breakers are checked in a sound trade only": (
        lambda d: d["trades"][0].update(tie_breakers=["criterion:P9"], category=5),
        [("trades[0].category", "not_text", {})],
    ),
    "another format is refused and read through": (
        lambda d: d.update(format="contest-package/2") or d["entrants"][0].update(unit="NOPE"),
        [
            ("format", "bad_format_name", {"expected": "contest-package/1"}),
            ("entrants[0].unit", "dangling", {"what": "unit", "ref": "NOPE"}),
            ("entrants[0].team", "team_of_other_unit", {"team": "T1"}),
        ],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_problems(name):
    change, expected = CASES[name]
    changed = document()
    replaced = change(changed)
    assert problems_found(replaced if isinstance(replaced, list) else changed) == expected


def test_null_members_take_their_defaults_and_numbers_stay_exact():
    changed = document()
    changed["event"].update(timezone=None, decimals=None, schedule=None)
    changed["trades"][0]["components"][0].update(step=None, weight="0.30")
    package = read_package(changed)
    assert (package.event.timezone, package.event.decimals, package.event.schedule) == (
        "Asia/Shanghai",
        2,
        {},
    )
    theory = package.trades[0].components[0]
    assert (theory.step, theory.weight) == (Decimal("0.01"), Decimal("0.30"))
    assert str(theory.weight) == "0.30"
    practical = package.trades[0].components[1].criteria[0].spec
    assert isinstance(practical.step, Decimal) and str(practical.step) == "0.5"
