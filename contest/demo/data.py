"""The demo's tables: the units, the trades with their marking schemes, the award rules, and
the names the people of the demo are made from."""

from __future__ import annotations

from decimal import Decimal

from contest.events.models import UnitKind

#: (code, name, kind, region code of its entrants' resident ID numbers)
UNITS = [
    ("JC", "江城区总工会", UnitKind.DISTRICT, "330102"),
    ("BH", "滨海新区总工会", UnitKind.DISTRICT, "330106"),
    ("LJ", "临江县总工会", UnitKind.DISTRICT, "330127"),
    ("JS", "市建设产业工会", UnitKind.INDUSTRY, "330105"),
    ("JT", "市交通运输产业工会", UnitKind.INDUSTRY, "330108"),
    ("NH", "市能源化工产业工会", UnitKind.INDUSTRY, "330110"),
    ("ZG", "滨江重工集团有限公司工会", UnitKind.ENTERPRISE, "330109"),
    ("GD", "国网滨江供电公司工会", UnitKind.ENTERPRISE, "330104"),
    ("JD", "市职业技能鉴定指导中心", UnitKind.OTHER, "330103"),
]
# Units fielding teams; the skills-testing centre only provides judges.
TEAM_UNITS = ["JC", "BH", "LJ", "JS", "JT", "NH", "ZG", "GD"]

# (code, name, category, theory weight, [criteria: code, name, max, kind, scale, step,
#  aggregation, max_spread, description])
TRADES = [
    (
        "WELD",
        "焊工",
        "一类",
        "0.3",
        [
            (
                "P1",
                "焊缝外观成形",
                20,
                "judgement",
                3,
                1,
                "mean",
                1,
                "焊缝宽窄一致、余高均匀、无咬边焊瘤，按0–3分评价",
            ),
            (
                "P2",
                "射线探伤等级",
                40,
                "measurement",
                None,
                "0.5",
                "mean",
                None,
                "按GB/T 3323评定的底片等级换算",
            ),
            (
                "P3",
                "试件尺寸与变形",
                25,
                "measurement",
                None,
                "0.5",
                "mean",
                None,
                "角变形、错边量逐项测量扣分",
            ),
            (
                "P4",
                "安全文明生产",
                15,
                "judgement",
                3,
                1,
                "trimmed_mean",
                1,
                "劳保穿戴、设备操作、场地清理",
            ),
        ],
    ),
    (
        "ELEC",
        "维修电工",
        "一类",
        "0.3",
        [
            (
                "P1",
                "电路安装接线",
                30,
                "measurement",
                None,
                "0.5",
                "mean",
                None,
                "按图接线，元件布置、走线工艺逐项扣分",
            ),
            ("P2", "故障排查", 30, "measurement", None, "0.5", "mean", None, "限时排除3处故障"),
            ("P3", "工艺规范", 25, "judgement", 3, 1, "median", 1, "接线美观、标号清晰"),
            ("P4", "安全操作", 15, "judgement", 3, 1, "mean", 1, "验电、停送电程序"),
        ],
    ),
    (
        "CNC",
        "数控车工",
        "一类",
        "0.2",
        [
            (
                "P1",
                "零件尺寸精度",
                50,
                "measurement",
                None,
                "0.5",
                "mean",
                None,
                "三坐标测量，超差不得分",
            ),
            ("P2", "表面粗糙度", 20, "measurement", None, "0.5", "mean", None, "粗糙度仪检测"),
            ("P3", "编程与工艺", 20, "judgement", 3, 1, "mean", 1, "程序结构、刀具路径合理性"),
            ("P4", "职业素养", 10, "judgement", 3, 1, "mean", 1, "量具使用、6S管理"),
        ],
    ),
    (
        "BRICK",
        "砌筑工",
        "二类",
        "0.3",
        [
            ("P1", "墙面垂直度", 25, "measurement", None, "0.5", "mean", None, "2米靠尺检测"),
            ("P2", "灰缝平直度", 25, "measurement", None, "0.5", "mean", None, "拉线检测"),
            ("P3", "砌筑工艺", 35, "judgement", 3, 1, "trimmed_mean", 1, "组砌方法、接槎处理"),
            ("P4", "文明施工", 15, "judgement", 3, 1, "mean", 1, "材料节约、工完场清"),
        ],
    ),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏"
)
GIVEN_M = [
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "斌",
    "超",
    "明",
    "刚",
    "平",
    "辉",
    "鹏",
    "建华",
    "志强",
    "国庆",
    "海涛",
    "建军",
    "晓东",
    "永刚",
    "立新",
    "春雷",
    "学文",
]
GIVEN_F = [
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "娟",
    "霞",
    "玲",
    "婷",
    "秀英",
    "桂兰",
    "海燕",
    "晓梅",
    "丽华",
    "雪梅",
    "春燕",
    "红霞",
]
EMPLOYERS = {
    "JC": ["江城区市政工程公司", "江城机电设备安装公司"],
    "BH": ["滨海新区港务工程公司", "滨海精密机械厂"],
    "LJ": ["临江县建筑工程公司", "临江水务集团"],
    "JS": ["滨江建工集团第一分公司", "滨江城建集团"],
    "JT": ["滨江公交集团", "滨江地铁运营公司"],
    "NH": ["滨江石化公司", "滨江热电厂"],
    "ZG": ["滨江重工集团锻压分厂", "滨江重工集团装配分厂"],
    "GD": ["国网滨江供电公司运检部", "国网滨江供电公司城区供电中心"],
}
JUDGE_NAMES = [
    "周建国",
    "吴立平",
    "郑海波",
    "冯志远",
    "陈卫东",
    "褚国梁",
    "卫红兵",
    "蒋文杰",
    "沈德明",
    "韩秀峰",
    "杨振华",
    "朱永清",
    "秦长江",
    "尤建设",
    "许国栋",
    "何保平",
    "吕建新",
    "施卫国",
    "张德胜",
    "孔庆丰",
]

#: 各部分均须达到 60 分 (SCORING.md §7).
PASS_LINES = dict(min_components={"theory": "60", "practical": "60"})

#: (code, title, selection, exclusive group, further conditions), in order.
AWARD_RULES = [
    (
        "may-day",
        "市五一劳动奖章（推荐）",
        {"top": 1},
        None,
        dict(min_total=Decimal(85), min_entrants=8),
    ),
    (
        "gold-worker",
        "滨江金牌工人",
        {"top_by_field": [[10, 1], [30, 2], [None, 3]]},
        "title",
        {},
    ),
    ("expert", "市技术能手", {"ranks": [2, 6]}, "title", {}),
    ("prize-1", "一等奖", {"percent": 10, "rounding": "round"}, "prize", PASS_LINES),
    ("prize-2", "二等奖", {"percent": 30, "rounding": "round"}, "prize", PASS_LINES),
    ("prize-3", "三等奖", {"percent": 60, "rounding": "round"}, "prize", PASS_LINES),
    ("merit", "优胜奖", {"manual": True}, "prize", {}),
    ("jinguo", "巾帼建功标兵", {"top": 6}, None, dict(gender="F")),
    ("youth", "青年岗位能手", {"top": 5}, None, dict(max_age=35)),
    (
        "promote",
        "技能等级晋升",
        {"percent": 20, "rounding": "ceil"},
        None,
        dict(promote={"to": "技师", "cap": "高级技师"}),
    ),
]
