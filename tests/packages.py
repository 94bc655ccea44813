"""A small, complete contest package used by the CLI and service tests."""

from __future__ import annotations

import copy
from datetime import date

from contest.domain import idcard


def small_package() -> dict:
    """Two trades, four units, teams, a recused judge (J3 of U1 for E1), an excused judge
    (J3 for E2), a DNS, a factor, a time and windows. Expected results: ``EXPECTED``."""
    born = [date(1990, 3, 1), date(1985, 7, 15), date(2001, 2, 28), date(1979, 12, 31)]
    ids = [idcard.build("330102", b, i, "M" if i % 2 == 0 else "F") for i, b in enumerate(born)]
    return copy.deepcopy(
        {
            "format": "contest-package/1",
            "event": {
                "slug": "small-games",
                "name": "小型测试赛",
                "starts_on": "2026-05-10",
                "timezone": "Asia/Shanghai",
                "decimals": 2,
                "placement_points": [5, 3, 1],
                "medals_by_field": False,
                "schedule": {
                    "registration": {
                        "opens": "2026-03-01T09:00:00+08:00",
                        "closes": "2026-03-31T17:00:00+08:00",
                    },
                    "publish": {"at": "2026-06-01T09:00:00+08:00"},
                },
                "award_rules": [
                    {"code": "gold", "title": "金牌工人", "select": {"top": 1}, "group": "title"},
                    {
                        "code": "expert",
                        "title": "技术能手",
                        "select": {"ranks": [1, 3]},
                        "group": "title",
                    },
                    {
                        "code": "promote",
                        "title": "晋升",
                        "select": {"percent": 50, "rounding": "ceil"},
                        "promote": {"levels": 1, "cap": "技师"},
                    },
                ],
            },
            "units": [
                {"code": "U1", "name": "一号区总工会", "kind": "district"},
                {"code": "U2", "name": "二号产业工会", "kind": "industry"},
                {"code": "U3", "name": "三号企业工会", "kind": "enterprise"},
                {"code": "JU", "name": "裁判单位", "kind": "other"},
            ],
            "trades": [
                {
                    "code": "WELD",
                    "name": "焊工",
                    "category": "一类",
                    "components": [
                        {"code": "theory", "name": "理论", "weight": 0.3, "max": 100, "step": 0.5},
                        {
                            "code": "practical",
                            "name": "实操",
                            "weight": 0.7,
                            "criteria": [
                                {"code": "P1", "name": "外观", "max": 60, "step": 0.5},
                                {
                                    "code": "P2",
                                    "name": "工艺",
                                    "max": 40,
                                    "kind": "judgement",
                                    "scale": 3,
                                    "step": 1,
                                    "max_spread": 1,
                                },
                            ],
                        },
                    ],
                    "tie_breakers": ["component:practical", "time"],
                    "min_entrants": 2,
                    "team_size": 1,
                    "recusal": "same_unit",
                    "schedule": {
                        "scoring": {
                            "opens": "2026-05-10T08:00:00+08:00",
                            "closes": "2026-05-10T18:00:00+08:00",
                        }
                    },
                },
                {
                    "code": "ELEC",
                    "name": "电工",
                    "components": [{"code": "exam", "name": "考试", "weight": 1}],
                },
            ],
            "teams": [
                {"code": "T1", "unit": "U1", "name": "一号队"},
                {"code": "T2", "unit": "U2", "name": "二号队"},
            ],
            "entrants": [
                {
                    "code": "E1",
                    "name": "张伟",
                    "unit": "U1",
                    "team": "T1",
                    "trade": "WELD",
                    "gender": "M",
                    "birth_date": born[0].isoformat(),
                    "id_number": ids[0],
                    "skill_level": "高级工",
                },
                {
                    "code": "E2",
                    "name": "李娜",
                    "unit": "U2",
                    "team": "T2",
                    "trade": "WELD",
                    "gender": "F",
                    "birth_date": born[1].isoformat(),
                    "id_number": ids[1],
                    "skill_level": "中级工",
                },
                {
                    "code": "E3",
                    "name": "王强",
                    "unit": "U3",
                    "trade": "WELD",
                    "gender": "M",
                    "birth_date": born[2].isoformat(),
                    "id_number": ids[2],
                },
                {"code": "E4", "name": "赵敏", "unit": "U1", "trade": "ELEC", "id_number": ids[3]},
            ],
            "judges": [
                {
                    "code": "J1",
                    "name": "裁判甲",
                    "unit": "JU",
                    "trades": ["WELD", "ELEC"],
                    "chief": True,
                },
                {"code": "J2", "name": "裁判乙", "unit": "JU", "trades": ["WELD"]},
                {"code": "J3", "name": "裁判丙", "unit": "U1", "trades": ["WELD"]},
            ],
            "scores": [
                {"entrant": "E1", "component": "theory", "value": 90},
                {"entrant": "E1", "criterion": "P1", "judge": "J1", "value": 50},
                {"entrant": "E1", "criterion": "P1", "judge": "J2", "value": 55},
                {"entrant": "E1", "criterion": "P2", "judge": "J1", "value": 3},
                {"entrant": "E1", "criterion": "P2", "judge": "J2", "value": 2},
                {"entrant": "E2", "component": "theory", "value": 80.5},
                {"entrant": "E2", "criterion": "P1", "judge": "J1", "value": 58},
                {"entrant": "E2", "criterion": "P1", "judge": "J2", "value": 57.5},
                {"entrant": "E2", "criterion": "P2", "judge": "J1", "value": 2},
                {"entrant": "E2", "criterion": "P2", "judge": "J2", "value": 2},
                {"entrant": "E3", "component": "theory", "value": 70},
                {"entrant": "E4", "component": "exam", "value": 88.25},
            ],
            "factors": [{"entrant": "E2", "criterion": "P1", "factor": 1}],
            "excusals": [{"entrant": "E2", "judge": "J3", "reason": "设备故障，裁判长批准"}],
            "times": [{"entrant": "E1", "seconds": 3000}],
            "statuses": [{"entrant": "E3", "status": "DNS"}],
        }
    )


# Worked by hand from SCORING.md:
#  E1: theory 90; P1 mean(50, 55) = 52.5; P2 mean(3, 2) = 2.5 / 3 × 40 = 33.33…;
#      practical 85.833…; total 0.3 × 90 + 0.7 × 85.833… = 87.0833… → 87.08
#  E2: theory 80.5; P1 mean(58, 57.5) = 57.75; P2 2 / 3 × 40 = 26.66…; practical 84.4166…;
#      total 24.15 + 59.0916… = 83.2416… → 83.24
#  T-scores: mean 85.16, population sd 1.92 → 60.00 and 40.00; ELEC has one entrant → 50.00
#  Units: U1 5 + 5 points, two golds; U2 3 points, one silver; U3 and JU share rank 3.
EXPECTED = {
    "format": "contest-results/1",
    "event": "small-games",
    "trades": [
        {
            "code": "WELD",
            "entrants": [
                {
                    "code": "E1",
                    "rank": 1,
                    "status": "ok",
                    "total": "87.08",
                    "components": {"theory": "90.00", "practical": "85.83"},
                    "t_score": "60.00",
                    "flags": [],
                    "awards": ["gold", "promote"],
                },
                {
                    "code": "E2",
                    "rank": 2,
                    "status": "ok",
                    "total": "83.24",
                    "components": {"theory": "80.50", "practical": "84.42"},
                    "t_score": "40.00",
                    "flags": [],
                    "awards": ["expert"],
                },
                {
                    "code": "E3",
                    "rank": None,
                    "status": "DNS",
                    "total": None,
                    "components": {},
                    "t_score": None,
                    "flags": [],
                    "awards": [],
                },
            ],
            "teams": [
                {"code": "T1", "rank": 1, "score": "87.08"},
                {"code": "T2", "rank": 2, "score": "83.24"},
            ],
        },
        {
            "code": "ELEC",
            "entrants": [
                {
                    "code": "E4",
                    "rank": 1,
                    "status": "ok",
                    "total": "88.25",
                    "components": {"exam": "88.25"},
                    "t_score": "50.00",
                    "flags": [],
                    "awards": ["gold"],
                },
            ],
            "teams": [],
        },
    ],
    "units": [
        {"code": "U1", "rank": 1, "points": 10, "gold": 2, "silver": 0, "bronze": 0},
        {"code": "U2", "rank": 2, "points": 3, "gold": 0, "silver": 1, "bronze": 0},
        {"code": "JU", "rank": 3, "points": 0, "gold": 0, "silver": 0, "bronze": 0},
        {"code": "U3", "rank": 3, "points": 0, "gold": 0, "silver": 0, "bronze": 0},
    ],
    "awards": [
        {"code": "gold", "title": "金牌工人", "entrants": ["E1", "E4"]},
        {"code": "expert", "title": "技术能手", "entrants": ["E2"]},
        {"code": "promote", "title": "晋升", "entrants": ["E1"], "promotions": {"E1": "技师"}},
    ],
}


def rules_package() -> dict:
    """``small_package`` with every key of SCORING.md §7: WELD disqualifies on the second
    设备损坏, deducts overtime from practical (E1: 300 s over, 5 points), breaks team ties by
    time then theory and needs two starters; E2 loses 2 on P1 for 安全文明生产; E5 is
    disqualified; E1 is passed over for ``gold``; ``winner`` names E2 and E3 (DNS: a
    warning); ``women`` takes 50 % of the registered women with theory ≥ 60 to 技师."""
    document = small_package()
    document["event"]["award_rules"] += [
        {"code": "winner", "title": "优胜奖", "select": {"manual": True}},
        {
            "code": "women",
            "title": "巾帼建功标兵",
            "select": {"percent": 50, "rounding": "round", "of": "registered"},
            "trades": ["WELD"],
            "promote": {"to": "技师", "cap": "高级技师"},
            "min_components": {"theory": 60},
            "gender": "F",
        },
    ]
    document["trades"][0].update(
        disqualify_on={"设备损坏": 2},
        overtime={"component": "practical", "limit": 2700, "per_minute": 1, "zero_after": 600},
        team_tie_breakers=["time", "component:theory"],
        min_started=2,
    )
    document["entrants"].append(
        {"code": "E5", "name": "钱勇", "unit": "U3", "trade": "WELD", "gender": "M"}
    )
    document["scores"] += [
        {"entrant": "E5", "component": "theory", "value": 95},
        {"entrant": "E5", "criterion": "P1", "judge": "J1", "value": 59},
        {"entrant": "E5", "criterion": "P1", "judge": "J2", "value": 59},
        {"entrant": "E5", "criterion": "P2", "judge": "J1", "value": 3},
        {"entrant": "E5", "criterion": "P2", "judge": "J2", "value": 3},
    ]
    document["penalties"] = [
        {
            "entrant": "E2",
            "criterion": "P1",
            "points": 2,
            "kind": "安全文明生产",
            "reason": "未戴护目镜",
        },
        {"entrant": "E5", "component": "theory", "points": 0, "kind": "设备损坏", "reason": "焊枪"},
        {"entrant": "E5", "criterion": "P2", "points": 1.5, "kind": "设备损坏", "reason": "夹具"},
    ]
    document["ineligible"] = [{"entrant": "E1", "rule": "gold", "reason": "非一线职工"}]
    document["manual_awards"] = [
        {"rule": "winner", "entrant": "E2"},
        {"rule": "winner", "entrant": "E3"},
    ]
    return document
