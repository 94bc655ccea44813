"""A small, complete contest package used by the CLI and service tests."""

from __future__ import annotations

import copy
from datetime import date

from contest.domain import idcard
from contest.domain.package import PackageError, read_package


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


def exam_package() -> dict:
    """A trade whose theory component is fed by an exam (EXAMS.md §5): one paper of five
    sections drawn from a bank of eight items (Q07 voided, Q08 left out by the judge
    section's filter), the theory panel J1–J3 (J3 of U2 is recused for E2; J4 marks only the
    practical), E1 and E2 sit the exam, E3 does not (incomplete), E4 is DNS. Worked results:
    ``EXAM_EXPECTED``."""
    single = {"A": "甲", "B": "乙", "C": "丙", "D": "丁"}
    return copy.deepcopy(
        {
            "format": "contest-package/1",
            "event": {"slug": "exam-games", "name": "理论考试测试赛", "starts_on": "2026-05-10"},
            "units": [
                {"code": "U1", "name": "一号区总工会", "kind": "district"},
                {"code": "U2", "name": "二号产业工会", "kind": "industry"},
                {"code": "JU", "name": "裁判单位", "kind": "other"},
            ],
            "trades": [
                {
                    "code": "WELD",
                    "name": "焊工",
                    "components": [
                        {
                            "code": "theory",
                            "name": "理论",
                            "weight": 0.5,
                            "judges": ["J1", "J2", "J3"],
                        },
                        {
                            "code": "practical",
                            "name": "实操",
                            "weight": 0.5,
                            "judges": ["J1", "J2"],
                            "criteria": [{"code": "P1", "name": "外观", "max": 100, "step": 1}],
                        },
                    ],
                },
                {
                    "code": "ELEC",
                    "name": "电工",
                    "components": [{"code": "theory", "name": "理论", "weight": 1}],
                },
            ],
            "entrants": [
                {"code": "E1", "name": "张伟", "unit": "U1", "trade": "WELD"},
                {"code": "E2", "name": "李娜", "unit": "U2", "trade": "WELD"},
                {"code": "E3", "name": "王强", "unit": "U1", "trade": "WELD"},
                {"code": "E4", "name": "赵敏", "unit": "U2", "trade": "WELD"},
                {"code": "E5", "name": "钱进", "unit": "U1", "trade": "ELEC"},
            ],
            "judges": [
                {"code": "J1", "name": "裁判甲", "unit": "JU", "trades": ["WELD"], "chief": True},
                {"code": "J2", "name": "裁判乙", "unit": "JU", "trades": ["WELD"]},
                {"code": "J3", "name": "裁判丙", "unit": "U2", "trades": ["WELD"]},
                {"code": "J4", "name": "裁判丁", "unit": "JU", "trades": ["WELD", "ELEC"]},
            ],
            "question_bank": [
                {
                    "code": "Q01",
                    "type": "single",
                    "stem": "焊条电弧焊时……",
                    "options": single,
                    "key": "B",
                    "tags": ["2.1.3"],
                    "level": "高级工",
                    "difficulty": 2,
                },
                {
                    "code": "Q02",
                    "type": "single",
                    "stem": "坡口角度……",
                    "options": single,
                    "key": "A",
                },
                {
                    "code": "Q03",
                    "type": "multiple",
                    "stem": "下列属于焊接缺陷的是",
                    "options": {"A": "气孔", "B": "坡口", "C": "夹渣", "D": "裂纹", "E": "焊道"},
                    "key": ["A", "C", "D"],
                },
                {
                    "code": "Q04",
                    "type": "judge",
                    "stem": "氩气是惰性气体。",
                    "key": True,
                    "tags": ["1.2"],
                },
                {
                    "code": "Q05",
                    "type": "fill",
                    "stem": "保护气体为____，电源为____",
                    "key": [["氩气", "Ar"], ["直流正接"]],
                    "marks": 2,
                },
                {
                    "code": "Q06",
                    "type": "short",
                    "stem": "简述预热的作用。",
                    "key": "降低冷却速度，防止冷裂纹。",
                    "explanation": "见教材第三章。",
                },
                {
                    "code": "Q07",
                    "type": "single",
                    "stem": "有争议的题",
                    "options": single,
                    "key": "C",
                },
                {
                    "code": "Q08",
                    "type": "judge",
                    "stem": "不在试卷上的题",
                    "key": False,
                    "tags": ["9"],
                },
            ],
            "exams": [
                {
                    "trade": "WELD",
                    "component": "theory",
                    "minutes": 60,
                    "seed": "exam-games-WELD",
                    "sections": [
                        {"type": "single", "count": 3, "marks": 2},
                        {"type": "multiple", "count": 1, "marks": 4, "partial": 0.5},
                        {"type": "judge", "count": 1, "marks": 2, "filter": {"tags": ["1"]}},
                        {"type": "fill", "count": 1, "marks": 4},
                        {"type": "short", "count": 1, "marks": 10},
                    ],
                    "voided": ["Q07"],
                }
            ],
            "answers": [
                {"entrant": "E1", "item": "Q01", "response": "B"},
                {"entrant": "E1", "item": "Q02", "response": "C"},
                {"entrant": "E1", "item": "Q07", "response": "A"},
                {"entrant": "E1", "item": "Q03", "response": ["A", "C"]},
                {"entrant": "E1", "item": "Q04", "response": True},
                {"entrant": "E1", "item": "Q05", "response": ["ＡＲ ", None]},
                {"entrant": "E2", "item": "Q01", "response": "A"},
                {"entrant": "E2", "item": "Q02", "response": "A"},
                {"entrant": "E2", "item": "Q07", "response": None},
                {"entrant": "E2", "item": "Q03", "response": ["D", "C", "A"]},
                {"entrant": "E2", "item": "Q04", "response": False},
                {"entrant": "E2", "item": "Q05", "response": ["氩气", "直流正接"]},
            ],
            "scores": [
                {"entrant": "E1", "item": "Q06", "judge": "J1", "value": 7},
                {"entrant": "E1", "item": "Q06", "judge": "J2", "value": 8},
                {"entrant": "E1", "item": "Q06", "judge": "J3", "value": 8.5},
                {"entrant": "E2", "item": "Q06", "judge": "J1", "value": 5},
                {"entrant": "E2", "item": "Q06", "judge": "J2", "value": "6"},
                {"entrant": "E1", "criterion": "P1", "judge": "J1", "value": 80},
                {"entrant": "E1", "criterion": "P1", "judge": "J2", "value": 90},
                {"entrant": "E2", "criterion": "P1", "judge": "J1", "value": 70},
                {"entrant": "E2", "criterion": "P1", "judge": "J2", "value": 70},
                {"entrant": "E3", "criterion": "P1", "judge": "J1", "value": 99},
                {"entrant": "E3", "criterion": "P1", "judge": "J2", "value": 99},
                {"entrant": "E5", "component": "theory", "value": 75},
            ],
            "statuses": [{"entrant": "E4", "status": "DNS"}],
        }
    )


def exam_marking_package() -> dict:
    """``exam_package`` with its short item Q06 still to be marked (the judges' marks of it
    left out, so E1 and E2 are incomplete) and J5, a judge of ELEC only."""
    document = exam_package()
    document["scores"] = [s for s in document["scores"] if "item" not in s]
    document["judges"].append({"code": "J5", "name": "裁判戊", "unit": "JU", "trades": ["ELEC"]})
    return document


# Worked by hand from EXAMS.md §3. The paper: Q01, Q02, Q07 (2 marks each; Q07 voided),
# Q03 (4), Q04 (2), Q05 (4, two blanks of 2), Q06 (10): paper total 2 + 2 + 4 + 2 + 4 + 10 = 24.
#  E1: Q01 2; Q02 0; Q03 {A, C} ⊂ key, partial 0.5 × 4 = 2; Q04 2; Q05 "ＡＲ " → "ar" = "Ar"
#      (NFKC, trimmed, case-folded) 2, the null blank 0; Q06 mean(7, 8, 8.5) = 47/6.
#      raw = 8 + 47/6 = 95/6; theory = 95/6 / 24 × 100 = 65.972… → 65.97;
#      practical mean(80, 90) = 85; total 0.5 × 65.972… + 0.5 × 85 = 75.486… → 75.49
#  E2: J3 (U2) is recused, so Q06 is mean(5, 6) = 5.5 by J1 and J2. Q01 0; Q02 2; Q03 the key
#      in another order 4; Q04 0; Q05 4; raw = 15.5; theory = 15.5 / 24 × 100 = 64.583… →
#      64.58; practical 70; total 32.291… + 35 = 67.291… → 67.29
#  E3 has no attempt: theory missing, incomplete. E4 DNS. ELEC: E5 theory 75 entered directly.
#  T-scores: mean 71.39, sd 4.10 → E1 60.00, E2 40.00.
EXAM_EXPECTED_WELD = [
    ("E1", 1, "ok", "75.49", {"theory": "65.97", "practical": "85.00"}),
    ("E2", 2, "ok", "67.29", {"theory": "64.58", "practical": "70.00"}),
    ("E3", None, "incomplete", None, {"practical": "99.00"}),
    ("E4", None, "DNS", None, {}),
]


def problems_found(document: dict) -> list[tuple[str, str, dict]]:
    """Every problem the package reader finds in ``document``, as (path, code, params)."""
    try:
        read_package(document)
    except PackageError as error:
        return [(p.path, p.code, dict(p.params)) for p in error.problems]
    return []
