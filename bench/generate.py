"""Synthetic contest packages of any size (contest-package/1), reproducible from a seed:
``trades`` trades with ``per_trade`` entrants each (or a range), ``judges`` judges per
panel, ``criteria`` criteria per practical component (or a range), every score in — or
scores for the first ``scored`` trades only. The last ``largest`` trades have the largest
field and the most criteria of the ranges, and every score (the save benchmark's judges
work there).

    python -m bench.generate --trades 150 --per-trade 20-60 -o event.json
    python -m bench.generate --trades 1000 --criteria 6-10 --scored 10 --largest 4 -o big.json

``exam_bank`` makes a question bank of objective items and the blueprint of a theory exam
drawn from it (the exam burst benchmark's, ``bench.exam``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date
from typing import Any

from contest.domain import idcard

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋"
    "蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红玉兰志斌海波辉鹏飞宇浩然欣怡子轩"
REGIONS = ["330102", "330105", "330106", "330108", "330109", "330110", "330127", "330104"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def package(
    trades: int,
    per_trade: tuple[int, int] = (20, 60),
    judges: int = 5,
    criteria: int | tuple[int, int] = 8,
    units: int = 20,
    seed: int = 1,
    slug: str = "bench-games",
    scored: int | None = None,
    largest: int = 0,
) -> dict[str, Any]:
    """A package in which every entrant of the first ``scored`` trades (all by default) and
    of the last ``largest`` trades is scored by every judge of the panel."""
    rng = random.Random(seed)
    low_criteria, high_criteria = (criteria, criteria) if isinstance(criteria, int) else criteria
    scored = trades if scored is None else scored
    unit_rows = [
        {"code": f"U{u:03d}", "name": f"第{u}区总工会", "kind": "district"} for u in range(units)
    ]
    unit_rows.append({"code": "JD", "name": "市职业技能鉴定指导中心", "kind": "other"})
    trade_rows, entrants, judge_rows, scores = [], [], [], []
    seen: set[str] = set()
    number = 0
    for t in range(trades):
        code = f"T{t:04d}"
        is_largest = t >= trades - largest
        if is_largest:
            count = high_criteria
        elif low_criteria == high_criteria:
            count = low_criteria
        else:
            count = rng.randint(low_criteria, high_criteria)
        items = [
            {"code": f"P{c}", "name": f"评分项{c}", "max": 10, "step": 0.5}
            for c in range(1, count + 1)
        ]
        trade_rows.append(
            {
                "code": code,
                "name": f"工种{t:04d}",
                "components": [
                    {"code": "theory", "name": "理论", "weight": 0.3, "max": 100, "step": 0.5},
                    {"code": "practical", "name": "实操", "weight": 0.7, "criteria": items},
                ],
                "tie_breakers": ["component:practical"],
            }
        )
        panel = [f"{code}-J{j}" for j in range(1, judges + 1)]
        for j, judge in enumerate(panel):
            judge_rows.append(
                {"code": judge, "name": _name(rng), "unit": "JD", "trades": [code], "chief": j == 0}
            )
        low, high = per_trade
        for _ in range(high if is_largest else rng.randint(low, high)):
            number += 1
            gender = rng.choice("MF")
            born = date(rng.randint(1970, 2003), rng.randint(1, 12), rng.randint(1, 28))
            while True:
                id_number = idcard.build(rng.choice(REGIONS), born, rng.randint(0, 99), gender)
                if id_number not in seen:
                    seen.add(id_number)
                    break
            entrant = f"E{number:06d}"
            entrants.append(
                {
                    "code": entrant,
                    "name": _name(rng),
                    "unit": f"U{rng.randrange(units):03d}",
                    "trade": code,
                    "gender": gender,
                    "birth_date": born.isoformat(),
                    "id_number": id_number,
                }
            )
            if t >= scored and not is_largest:
                continue
            skill = rng.uniform(0.5, 0.98)
            theory = min(100.0, max(0.0, round(rng.gauss(skill * 100, 4) * 2) / 2))
            scores.append({"entrant": entrant, "component": "theory", "value": theory})
            for item in items:
                for judge in panel:
                    value = min(10.0, max(0.0, round(rng.gauss(skill * 10, 0.6) * 2) / 2))
                    scores.append(
                        {"entrant": entrant, "criterion": item["code"], "judge": judge,
                         "value": value}
                    )  # fmt: skip
    return {
        "format": "contest-package/1",
        "event": {
            "slug": slug,
            "name": f"基准测试赛（{trades}个工种）",
            "starts_on": "2026-05-10",
            "timezone": "Asia/Shanghai",
            "decimals": 2,
            "placement_points": [9, 7, 6, 5, 4, 3, 2, 1],
            "award_rules": [
                {"code": "gold", "title": "金牌工人", "select": {"top": 1}, "group": "title"},
                {"code": "prize-1", "title": "一等奖", "select": {"percent": 10}, "group": "prize"},
            ],
        },
        "units": unit_rows,
        "trades": trade_rows,
        "entrants": entrants,
        "judges": judge_rows,
        "scores": scores,
    }


#: The exam burst's blueprint: item type → (items in the bank, items drawn, marks each).
EXAM_SECTIONS = {
    "single": (80, 30, "1"),
    "multiple": (40, 10, "2"),
    "judge": (40, 10, "1"),
    "fill": (40, 10, "2"),
}


def exam_bank(seed: int = 1, sections: dict[str, tuple[int, int, str]] | None = None):
    """A bank of objective items (single, multiple, true-or-false, fill in the blanks) in the
    package's form (as ``contest.demo.data.BRICK_BANK``) and an exam's blueprint drawing
    from it: about 200 items, 60 drawn, with the default ``EXAM_SECTIONS``."""
    rng = random.Random(seed)
    sections = sections or EXAM_SECTIONS
    items, blueprint = [], []
    for kind, (count, drawn, marks) in sections.items():
        for n in range(1, count + 1):
            item: dict[str, Any] = {
                "code": f"{kind[0].upper()}{n:03d}",
                "type": kind,
                "stem": f"{_name(rng)}的第{n}道{kind}题（　）。",
                "tags": [f"{rng.randint(1, 5)}.{rng.randint(1, 4)}"],
                "difficulty": rng.randint(1, 5),
            }
            if kind in ("single", "multiple"):
                labels = "ABCD" if kind == "single" else "ABCDE"
                item["options"] = {label: f"选项{label}{n}" for label in labels}
                item["key"] = (
                    rng.choice(labels) if kind == "single" else sorted(rng.sample(labels, 2))
                )
            elif kind == "judge":
                item["key"] = rng.random() < 0.5
            else:
                item["key"] = [[f"答案{n}", f"答{n}"] for _ in range(rng.randint(1, 2))]
            items.append(item)
        section = {"type": kind, "count": drawn, "marks": marks}
        if kind == "multiple":
            section["partial"] = 0.5
        blueprint.append(section)
    return items, {"minutes": 180, "seed": f"bench-exam-{seed}", "sections": blueprint}


def _range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=10)
    parser.add_argument("--per-trade", default="20-60", help="entrants per trade: N or LOW-HIGH")
    parser.add_argument("--judges", type=int, default=5)
    parser.add_argument("--criteria", default="8", help="criteria per trade: N or LOW-HIGH")
    parser.add_argument("--scored", type=int, help="score only the first N trades")
    parser.add_argument("--largest", type=int, default=0, help="trades at the end, largest")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slug", default="bench-games")
    parser.add_argument("-o", "--output", default="-")
    args = parser.parse_args(argv)
    document = package(
        args.trades, _range(args.per_trade), args.judges, _range(args.criteria),
        seed=args.seed, slug=args.slug, scored=args.scored, largest=args.largest,
    )  # fmt: skip
    text = json.dumps(document, ensure_ascii=False)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as file:
            file.write(text)


if __name__ == "__main__":
    main()
