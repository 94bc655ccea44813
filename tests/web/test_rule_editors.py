"""Organisers set the rules from contest documents (SCORING.md §7) in the web editors: the
trade's fewest starters, team tie-breakers, overtime and kinds of penalty; the award rules'
pass lines, gender, percentages of the started or registered, manual awards and promotion to
a level; their decisions on the award rules. Each is stored, audited, recomputes the results
and is stated in the rules text the public sees before any result is published; bad input is
refused in Chinese and changes nothing."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.events.models import AwardRule, Component, Event, Trade
from contest.publication import services as publications
from contest.registration.models import Gender
from contest.results import services as results
from contest.results.models import AwardDecision, AwardDecisionKind, ComponentScore, Score
from tests.conftest import assert_error_at, login, post
from tests.factories import make_entrant, make_event, make_judge, make_trade, make_unit, make_user
from tests.web.test_organise_browser import FormReader, page_form

D = Decimal

#: WELD's entrants: unit, gender, skill level, theory score, each practical criterion's
#: mark (P1 and P2, out of 50), completion time. E5 started but has no scores: not ranked.
WELDERS = {
    "E1": ("A", Gender.MALE, "技师", 90, 45, D(3700)),  # total 90; 100 s over an hour
    "E2": ("B", Gender.FEMALE, None, 50, 48, D(3000)),  # 82.2
    "E3": ("A", Gender.MALE, "高级工", 80, 40, D(3500)),  # 80
    "E4": ("B", Gender.FEMALE, "中级工", 70, 30, None),  # 63
    "E5": ("A", Gender.MALE, None, None, None, None),
}


@pytest.fixture
def contest(app):
    """Trades WELD (five entrants, four ranked) and ELEC (one), no award rules yet; an
    organiser and accounts of other roles."""
    with app.app_context():
        make_user(Role.ORGANISER, username="organiser")
        for role in (Role.JUDGE, Role.CHIEF_JUDGE, Role.UNIT_CONTACT):
            make_user(role, username=role.value)
        event = make_event()
        units = {"A": make_unit(event, "A"), "B": make_unit(event, "B")}
        weld, elec = make_trade(event, "WELD", "焊工"), make_trade(event, "ELEC", "电工")
        judges = {weld: make_judge(weld, "J1", chief=True), elec: make_judge(elec, "J2")}
        rows = {**WELDERS, "E6": ("A", Gender.MALE, None, 60, 40, None)}
        for station, (code, (unit, gender, level, theory, mark, time)) in enumerate(
            rows.items(), start=1
        ):
            trade = elec if code == "E6" else weld
            entrant = make_entrant(
                trade, units[unit], code, station=station, gender=gender, skill_level=level,
                time_seconds=time,
            )  # fmt: skip
            if theory is None:
                continue
            db.session.add(
                ComponentScore(entrant=entrant, component=trade.components[0], value=D(theory))
            )
            for criterion in trade.components[1].criteria:
                db.session.add(
                    Score(entrant=entrant, criterion=criterion, judge=judges[trade], value=D(mark))
                )
        db.session.flush()
        results.recompute_event(event)
        db.session.commit()
        return SimpleNamespace(event_id=event.id, weld=weld.id, elec=elec.id)


def _trade_path(contest, trade_id=None):
    return f"/organise/events/{contest.event_id}/trades/{trade_id or contest.weld}"


def _awards_path(contest):
    return f"/organise/events/{contest.event_id}/awards"


def _decisions_path(contest):
    return f"/organise/events/{contest.event_id}/decisions"


def _stored(app, trade_id):
    with app.app_context():
        trade = db.session.get(Trade, trade_id)
        return SimpleNamespace(
            min_started=trade.min_started,
            team_size=trade.team_size,
            team_tie_breakers=trade.team_tie_breakers,
            overtime=trade.overtime,
            penalty_points=trade.penalty_points,
            disqualify_on=trade.disqualify_on,
            version=trade.version,
        )


def _audit(app, action):
    with app.app_context():
        return (
            db.session.execute(
                sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )


def _document(app, contest):
    with app.app_context():
        return results.results_for(db.session.get(Event, contest.event_id))


def _entrant(document, code):
    return next(e for t in document["trades"] for e in t["entrants"] if e["code"] == code)


def _awards(document):
    return {a["code"]: a["entrants"] for a in document["awards"]}


def _public(client):
    return client.get("/e/test-games/").get_data(as_text=True)


def _decisions(app):
    with app.app_context():
        return [
            (d.kind, d.rule_code, d.entrant.code, d.reason, d.withdrawal_reason)
            for d in db.session.execute(sa.select(AwardDecision).order_by(AwardDecision.id))
            .scalars()
            .all()
        ]


# --- the trade editor ------------------------------------------------------------------------

TRADE_RULES = {
    "min_started": "4",
    "team_size": "2",
    "team_tie_breakers-0": "time",
    "overtime-component": "practical",
    "overtime-limit": "60",
    "overtime-per_minute": "2",
    "overtime-zero_after": "10",
    "penalties-0-kind": "安全文明生产",
    "penalties-0-points": "5",
    "penalties-0-disqualify": "",
    "penalties-1-kind": "设备损坏",
    "penalties-1-points": "",
    "penalties-1-disqualify": "2",
}


def test_trade_rules_are_stored_recompute_the_results_and_are_published(app, client, contest):
    assert _entrant(_document(app, contest), "E1")["total"] == "90.00"
    login(client, "organiser")
    path = _trade_path(contest)
    data = page_form(client, path) | TRADE_RULES
    response = client.post(path, data={**data, "action": "save"})
    assert response.status_code == 302

    stored = _stored(app, contest.weld)
    assert stored.min_started == 4 and stored.team_tie_breakers == ["time"]
    assert stored.overtime == {
        "component": "practical",
        "limit": "3600",
        "per_minute": "2",
        "zero_after": "600",
    }
    assert stored.penalty_points == {"安全文明生产": "5"}
    assert stored.disqualify_on == {"设备损坏": 2}
    (entry,) = _audit(app, "trade.update")
    assert entry.new["overtime"]["limit"] == "3600" and entry.old["overtime"] is None
    assert entry.new["disqualify_on"] == {"设备损坏": 2} and entry.old["disqualify_on"] == {}

    # E1 took 100 s over the hour: two started minutes, 2 points each, off the practical.
    document = _document(app, contest)
    assert _entrant(document, "E1")["components"]["practical"] == "86.00"
    assert _entrant(document, "E1")["total"] == "87.20"
    assert _entrant(document, "E2")["total"] == "82.20"

    # The editor shows the rules as the organiser typed them.
    shown = page_form(client, path)
    assert (shown["overtime-limit"], shown["overtime-zero_after"]) == ("60", "10")
    assert shown["penalties-1-kind"] == "设备损坏" and shown["penalties-1-disqualify"] == "2"
    assert shown["team_tie_breakers-0"] == "time" and shown["min_started"] == "4"
    editor = client.get(path).get_data(as_text=True)
    assert "安全文明生产：每人每次违规扣 5 分，扣完为止。" in editor

    client.post("/logout", data={"csrf_token": shown["csrf_token"]})
    page = _public(client)
    for sentence in (
        "参赛人数不足 4 人的工种不设奖项。",
        "安全文明生产：每人每次违规扣 5 分，扣完为止。",
        "设备损坏累计 2 次取消比赛资格。",
        "实操超过规定时间（60 分钟）每 1 分钟扣 2 分，超时 10 分钟以上该部分记 0 分。",
        "超时不足 1 分钟按 1 分钟计。",
        "团体成绩为各代表队成绩最好的 2 名选手总成绩之和。",
        "团队总分相同时，用时少者列前。",
        "总成绩由理论（30%）、实操（70%）组成。",
        "总成绩相同者名次并列。",
    ):
        assert sentence in page, sentence
    assert "/e/test-games/results" not in page  # shown before any result is published


def test_times_in_minutes_and_seconds(app, client, contest):
    login(client, "organiser")
    path = _trade_path(contest)
    assert "超过规定时间" not in _public(client)  # (the page is cached until a trade changes)
    data = page_form(client, path) | {
        "overtime-component": "practical",
        "overtime-limit": "59:30",
        "overtime-per_minute": "0.5",
    }
    assert client.post(path, data={**data, "action": "save"}).status_code == 302
    assert _stored(app, contest.weld).overtime == {
        "component": "practical",
        "limit": "3570",
        "per_minute": "0.5",
    }
    assert page_form(client, path)["overtime-limit"] == "59:30"
    assert "实操超过规定时间（59 分 30 秒）每 1 分钟扣 0.5 分。" in _public(client)


def test_clearing_the_rules(app, client, contest):
    login(client, "organiser")
    path = _trade_path(contest)
    data = page_form(client, path) | TRADE_RULES
    client.post(path, data={**data, "action": "save"})
    data = page_form(client, path)
    data.update(
        {
            "min_started": "",
            "overtime-component": "",
            "overtime-limit": "",
            "overtime-per_minute": "",
            "overtime-zero_after": "",
        }
    )
    data = {k: v for k, v in data.items() if not k.startswith(("penalties-", "team_tie"))}
    assert client.post(path, data={**data, "action": "save"}).status_code == 302
    stored = _stored(app, contest.weld)
    assert (stored.min_started, stored.overtime, stored.team_tie_breakers) == (None, None, [])
    assert (stored.penalty_points, stored.disqualify_on) == ({}, {})
    assert _entrant(_document(app, contest), "E1")["total"] == "90.00"
    assert "超过规定时间" not in _public(client)


def test_row_buttons_add_and_remove_penalty_kinds_and_team_tie_breakers(app, client, contest):
    login(client, "organiser")
    path = _trade_path(contest)
    data = page_form(client, path)
    page = client.post(path, data={**data, "action": "add-penalty"}).get_data(as_text=True)
    assert 'name="penalties-0-kind"' in page
    page = client.post(path, data={**data, "action": "add-teambreaker"}).get_data(as_text=True)
    assert 'name="team_tie_breakers-0"' in page
    assert "实操成绩之和" in page and "用时之和（用时少者列前）" in page
    reader = FormReader()
    reader.feed(
        client.post(path, data={**data, **TRADE_RULES, "action": "remove-penalty:0"}).get_data(
            as_text=True
        )
    )
    fields = dict(reader.forms[-1]["fields"])
    assert fields["penalties-0-kind"] == "设备损坏" and "penalties-1-kind" not in fields
    assert _stored(app, contest.weld).penalty_points == {}  # a row button saves nothing


BAD_TRADE_RULES = [
    ({"min_started": "0"}, "min_started", "不得小于 1"),
    ({"min_started": "四"}, "min_started", "“四”不是整数"),
    (
        {"overtime-component": "practical", "overtime-limit": "一小时", "overtime-per_minute": "2"},
        "overtime-limit",
        "“一小时”不是有效的时长：请填写分钟数（60）或“分:秒”（59:30）",
    ),
    (
        {"overtime-component": "practical", "overtime-limit": "1:75", "overtime-per_minute": "2"},
        "overtime-limit",
        "“1:75”不是有效的时长",
    ),
    (
        {"overtime-component": "practical", "overtime-limit": "0", "overtime-per_minute": "2"},
        "overtime-limit",
        "必须大于 0",
    ),
    (
        {"overtime-component": "practical", "overtime-limit": "2000", "overtime-per_minute": "2"},
        "overtime-limit",
        "不得超过 1440 分钟",
    ),
    (
        {"overtime-component": "practical", "overtime-limit": "60", "overtime-per_minute": "-1"},
        "overtime-per_minute",
        "不得小于 0",
    ),
    (
        {"overtime-component": "practical", "overtime-limit": "60", "overtime-per_minute": "0"},
        "overtime-per_minute",
        "每分钟扣 0 分时，须填写超时多久该部分记 0 分",
    ),
    (
        {"overtime-limit": "60", "overtime-per_minute": "2"},
        "overtime-component",
        "为必填项",
    ),
    (
        {"overtime-component": "nope", "overtime-limit": "60", "overtime-per_minute": "2"},
        "overtime-component",
        "引用了不存在的本工种的组成部分“nope”",
    ),
    ({"overtime-component": "practical"}, "overtime-limit", "为必填项"),
    ({"penalties-0-kind": "", "penalties-0-points": "5"}, "penalties-0-kind", "为必填项"),
    (
        {"penalties-0-kind": "设备损坏", "penalties-0-points": "", "penalties-0-disqualify": ""},
        "penalties-0-points",
        "请填写每次违规扣分、累计违规几次取消资格，或两者都填",
    ),
    (
        {
            "penalties-0-kind": "设备损坏",
            "penalties-0-points": "5",
            "penalties-1-kind": "设备损坏",
            "penalties-1-disqualify": "2",
        },
        "penalties-1-kind",
        "扣分项目“设备损坏”重复",
    ),
    (
        {"penalties-0-kind": "设备损坏", "penalties-0-points": "-5"},
        "penalties-0-points",
        "不得小于 0",
    ),
    (
        {"penalties-0-kind": "设备损坏", "penalties-0-points": "五分"},
        "penalties-0-points",
        "“五分”不是数字",
    ),
    (
        {"penalties-0-kind": "设备损坏", "penalties-0-disqualify": "0"},
        "penalties-0-disqualify",
        "不得小于 1",
    ),
    (
        {"penalties-0-kind": "设" * 33, "penalties-0-points": "5"},
        "penalties-0-kind",
        "32",
    ),
    (
        {"team_tie_breakers-0": "time"},
        "team_size",
        "设置团体同分决胜规则须先设置团体人数",
    ),
    (
        {"team_size": "2", "team_tie_breakers-0": "component:nope"},
        "team_tie_breakers-0",
        "不是本工种可用的同分决胜规则",
    ),
    (
        {"team_size": "2", "team_tie_breakers-0": "time", "team_tie_breakers-1": "time"},
        "team_tie_breakers-1",
        "该同分决胜规则已在列表中",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_TRADE_RULES)
def test_bad_trade_rules_are_refused_and_change_nothing(
    app, client, contest, change, field, message
):
    login(client, "organiser")
    path = _trade_path(contest)
    before = _stored(app, contest.weld)
    data = page_form(client, path) | change
    response = client.post(path, data={**data, "action": "save"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "未保存任何内容" in page
    assert_error_at(page, field, message)
    assert _stored(app, contest.weld) == before
    assert not _audit(app, "trade.update")


def test_a_locked_trade_keeps_the_rules_its_results_depend_on(app, client, contest):
    with app.app_context():
        from tests.factories import sign_off

        sign_off(db.session.get(Trade, contest.weld))
        db.session.commit()
    login(client, "organiser")
    path = _trade_path(contest)
    data = page_form(client, path)
    overtime = {
        "overtime-component": "practical",
        "overtime-limit": "60",
        "overtime-per_minute": "2",
    }
    response = client.post(path, data={**data, **overtime, "action": "save"})
    assert response.status_code == 400
    assert "裁判长已锁定本工种成绩" in response.get_data(as_text=True)
    assert _stored(app, contest.weld).overtime is None
    # The points of a kind of penalty change no result: they may still be set.
    points = {"penalties-0-kind": "安全文明生产", "penalties-0-points": "5"}
    response = client.post(path, data={**data, **points, "action": "save"})
    assert response.status_code == 302
    assert _stored(app, contest.weld).penalty_points == {"安全文明生产": "5"}


def test_an_edit_on_an_older_version_is_refused(app, client, contest):
    login(client, "organiser")
    path = _trade_path(contest)
    old = page_form(client, path)
    assert client.post(path, data={**old, "min_started": "3", "action": "save"}).status_code == 302
    response = client.post(path, data={**old, **TRADE_RULES, "action": "save"})
    assert response.status_code == 409
    assert _stored(app, contest.weld).min_started == 3


def test_a_copied_trade_keeps_its_rules(app, client, contest):
    login(client, "organiser")
    path = _trade_path(contest)
    client.post(path, data={**page_form(client, path), **TRADE_RULES, "action": "save"})
    copy = f"{path}/copy"
    response = client.post(copy, data=page_form(client, copy) | {"code": "WELD2", "name": "焊工二"})
    assert response.status_code == 302
    with app.app_context():
        trade_id = db.session.execute(sa.select(Trade.id).where(Trade.code == "WELD2")).scalar_one()
    copied, original = _stored(app, trade_id), _stored(app, contest.weld)
    assert (copied.overtime, copied.penalty_points, copied.disqualify_on) == (
        original.overtime,
        original.penalty_points,
        original.disqualify_on,
    )
    assert (copied.min_started, copied.team_tie_breakers) == (4, ["time"])


# --- the award rules editor ------------------------------------------------------------------


def _with_rules(client, contest, rules: dict) -> dict:
    """The award rules form with ``len(rules)`` new rows added by its button, then filled."""
    path = _awards_path(contest)
    data = page_form(client, path)
    count = sum(1 for key in rules if key.endswith("-code"))
    for _ in range(count):
        reader = FormReader()
        reader.feed(client.post(path, data={**data, "action": "add-rule"}).get_data(as_text=True))
        data = {**dict(reader.forms[-1]["fields"]), "csrf_token": data["csrf_token"]}
    return data | rules


RULES = {
    # 技术能手: the first two, each component at least 60; promoted to 技师, those already
    # 技师 one level up.
    "award_rules-0-code": "tech",
    "award_rules-0-title": "技术能手",
    "award_rules-0-select-way": "top",
    "award_rules-0-select-top": "2",
    "award_rules-0-min_components-0-line": "60",
    "award_rules-0-min_components-1-line": "60",
    "award_rules-0-promote-enabled": "y",
    "award_rules-0-promote-way": "to",
    "award_rules-0-promote-to": "技师",
    "award_rules-0-promote-cap": "高级技师",
    # 巾帼建功标兵: women among the first 50 % of those who started.
    "award_rules-1-code": "women",
    "award_rules-1-title": "巾帼建功标兵",
    "award_rules-1-select-way": "percent",
    "award_rules-1-select-percent": "50",
    "award_rules-1-select-of": "started",
    "award_rules-1-select-rounding": "round",
    "award_rules-1-gender": "F",
    # 优胜奖若干, 由组委会确定
    "award_rules-2-code": "merit",
    "award_rules-2-title": "优胜奖",
    "award_rules-2-select-way": "manual",
    "award_rules-2-group": "merit",
}


def _save_rules(client, contest, rules=RULES):
    data = _with_rules(client, contest, rules)
    return client.post(_awards_path(contest), data={**data, "action": "save"})


def _rule_rows(app, contest):
    with app.app_context():
        return {
            r.code: (r.select, r.promote, r.min_components, r.gender)
            for r in db.session.execute(
                sa.select(AwardRule).where(AwardRule.event_id == contest.event_id)
            ).scalars()
        }


def test_each_new_rule_offers_a_pass_line_per_component_of_its_trades(app, client, contest):
    login(client, "organiser")
    data = _with_rules(client, contest, {"award_rules-0-code": "x"})
    assert (
        data["award_rules-0-min_components-0-code"],
        data["award_rules-0-min_components-1-code"],
    ) == (
        "theory",
        "practical",
    )
    page = client.post(_awards_path(contest), data={**data, "action": "add-rule"}).get_data(
        as_text=True
    )
    assert "理论 (theory)不低于" in page and "实操 (practical)不低于" in page


def test_award_rules_from_contest_documents_are_stored_and_select(app, client, contest):
    login(client, "organiser")
    response = _save_rules(client, contest)
    assert response.status_code == 302
    rows = _rule_rows(app, contest)
    assert rows["tech"] == (
        {"top": 2},
        {"to": "技师", "cap": "高级技师"},
        {"theory": "60", "practical": "60"},
        None,
    )
    assert rows["women"] == (
        {"percent": "50", "rounding": "round", "of": "started"},
        None,
        None,
        "F",
    )
    assert rows["merit"] == ({"manual": True}, None, None, None)
    (entry,) = _audit(app, "event.award_rules")
    assert entry.new["award_rules"][0]["min_components"] == {"theory": "60", "practical": "60"}

    document = _document(app, contest)
    awards = {a["code"]: a for a in document["awards"]}
    # E2 (rank 2) has 50 in theory: below the line. E1, a 技师, goes one level up; E6
    # (ELEC), with no level recorded, becomes 技师.
    assert awards["tech"]["entrants"] == ["E1", "E6"]
    assert awards["tech"]["promotions"] == {"E1": "高级技师", "E6": "技师"}
    # 50 % of the five who started is 3 places (rounded half up): E1, E2, E3; only E2 is a
    # woman. ELEC's one entrant takes 1 place (0.5 rounded up), a man.
    assert awards["women"]["entrants"] == ["E2"]
    assert awards["merit"]["entrants"] == []

    # The form shows the rules back.
    shown = page_form(client, _awards_path(contest))
    assert shown["award_rules-0-promote-way"] == "to"
    assert shown["award_rules-0-promote-to"] == "技师"
    assert shown["award_rules-0-min_components-1-line"] == "60"
    assert shown["award_rules-1-select-of"] == "started"
    assert shown["award_rules-1-gender"] == "F"
    assert shown["award_rules-2-select-way"] == "manual"

    page = _public(client)
    for text in (
        "前 2 名晋升技师，已是技师者晋升一级（最高至高级技师）；各部分均须达到 60 分。",
        "按实际参赛人数的 50%；名额按四舍五入取整；限女性选手。",
        "由组委会确定；与“merit”组其他奖项不兼得，同一选手只取其中排列在先的一项。",
    ):
        assert text in page, text


def test_percentages_of_the_registered_and_promotion_to_a_level_capped(app, client, contest):
    login(client, "organiser")
    rules = {
        "award_rules-0-code": "prize",
        "award_rules-0-title": "一等奖",
        "award_rules-0-select-way": "percent",
        "award_rules-0-select-percent": "40",
        "award_rules-0-select-of": "registered",
        "award_rules-0-select-rounding": "floor",
        "award_rules-0-trades": "WELD",
        "award_rules-0-promote-enabled": "y",
        "award_rules-0-promote-way": "to",
        "award_rules-0-promote-to": "技师",
        "award_rules-0-promote-cap": "技师",
    }
    assert _save_rules(client, contest, rules).status_code == 302
    award = next(a for a in _document(app, contest)["awards"] if a["code"] == "prize")
    # 40 % of WELD's five registered is 2 places: E1 is already 技师 (the cap): passed over.
    assert award["entrants"] == ["E2"] and award["promotions"] == {"E2": "技师"}
    assert "按报名人数的 40%晋升技师；名额向下取整；仅限焊工。" in _public(client)


BAD_AWARD_RULES = [
    (
        {"award_rules-0-promote-cap": "高级工"},
        "award_rules-0-promote-cap",
        "不得低于晋升等级（技师）",
    ),
    (
        {"award_rules-0-min_components-0-line": "及格"},
        "award_rules-0-min_components-0-line",
        "“及格”不是数字",
    ),
    (
        {"award_rules-0-min_components-1-line": "-1"},
        "award_rules-0-min_components-1-line",
        "不得小于 0",
    ),
    ({"award_rules-1-select-percent": "0"}, "award_rules-1-select-percent", "必须大于 0"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_AWARD_RULES)
def test_bad_award_rules_are_refused_and_change_nothing(
    app, client, contest, change, field, message
):
    login(client, "organiser")
    data = _with_rules(client, contest, RULES) | change
    response = client.post(_awards_path(contest), data={**data, "action": "save"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert_error_at(page, field, message)
    assert _rule_rows(app, contest) == {}
    assert not _audit(app, "event.award_rules")


@pytest.mark.parametrize(
    "change",
    [{"award_rules-1-select-of": "everyone"}, {"award_rules-1-gender": "X"}],
)
def test_choices_not_offered_are_refused(app, client, contest, change):
    login(client, "organiser")
    data = _with_rules(client, contest, RULES) | change
    response = client.post(_awards_path(contest), data={**data, "action": "save"})
    assert response.status_code == 400
    assert _rule_rows(app, contest) == {}


def test_a_pass_line_for_a_component_a_trade_lacks_is_refused(app, client, contest):
    with app.app_context():
        cook = Trade(event_id=contest.event_id, code="COOK", name="中式烹调师", position=2)
        cook.components.append(Component(position=0, code="dish", name="热菜", weight=D(1)))
        db.session.add(cook)
        db.session.commit()
    login(client, "organiser")
    data = _with_rules(client, contest, {"award_rules-0-code": "tech"})
    # No component is common to every trade: no pass line is offered …
    assert "award_rules-0-min_components-0-code" not in data
    # … until the rule is restricted to trades that share some.
    data["award_rules-0-trades"] = ["WELD", "ELEC"]
    reader = FormReader()
    reader.feed(
        client.post(_awards_path(contest), data={**data, "action": "refresh-rule:0"}).get_data(
            as_text=True
        )
    )
    refreshed = {**dict(reader.forms[-1]["fields"]), "csrf_token": data["csrf_token"]}
    assert refreshed["award_rules-0-min_components-0-code"] == "theory"
    # A line for a component the rule's trades lack (a form from before) is refused.
    refreshed.update(
        {
            "award_rules-0-title": "技术能手",
            "award_rules-0-select-top": "1",
            "award_rules-0-min_components-0-line": "60",
            "award_rules-0-trades": "COOK",
        }
    )
    response = client.post(_awards_path(contest), data={**refreshed, "action": "save"})
    assert response.status_code == 400
    assert_error_at(
        response.get_data(as_text=True),
        "award_rules-0-min_components-0-line",
        "工种 COOK 没有组成部分“theory”，该工种无人能获此奖项。",
    )
    assert _rule_rows(app, contest) == {}


def test_min_started_voids_a_trade(app, client, contest):
    login(client, "organiser")
    rules = {
        "award_rules-0-code": "gold",
        "award_rules-0-title": "金牌",
        "award_rules-0-select-top": "1",
    }
    assert _save_rules(client, contest, rules).status_code == 302
    assert _awards(_document(app, contest))["gold"] == ["E1", "E6"]
    path = _trade_path(contest)
    client.post(path, data={**page_form(client, path), "min_started": "6", "action": "save"})
    # Five started in WELD: fewer than six, so WELD awards nothing; ELEC still does.
    assert _awards(_document(app, contest))["gold"] == ["E6"]
    assert "参赛人数不足 6 人的工种不设奖项。" in _public(client)


# --- the organisers' decisions ---------------------------------------------------------------


def _decide(client, contest, **fields):
    data = {"kind": "named", "rule": "merit", "entrant": "", "reason": ""} | fields
    return post(client, _decisions_path(contest), data)


def test_naming_entrants_for_a_manual_rule(app, client, contest):
    login(client, "organiser")
    _save_rules(client, contest)
    response = _decide(client, contest, entrant="E3", reason="表现突出")
    assert response.status_code == 302
    assert _decisions(app) == [(AwardDecisionKind.NAMED, "merit", "E3", "表现突出", None)]
    (entry,) = _audit(app, "award_decision.create")
    assert entry.new == {
        "kind": "named",
        "rule": "merit",
        "entrant": "E3",
        "reason": "表现突出",
        "withdrawn_at": None,
        "withdrawal_reason": None,
    }
    assert _awards(_document(app, contest))["merit"] == ["E3"]
    page = client.get(_decisions_path(contest)).get_data(as_text=True)
    assert "选手E3" in page and "表现突出" in page
    # Naming the same entrant twice is refused.
    response = _decide(client, contest, entrant="E3")
    assert response.status_code == 400
    assert_error_at(response.get_data(as_text=True), "entrant", "认定已存在且有效")
    assert len(_decisions(app)) == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"entrant": "E5"},
            "entrant",
            "E5 选手E5 在焊工中没有名次（成绩不完整、缺考、退赛或被取消资格）："
            "只能指定取得名次的选手",
        ),
        ({"entrant": "NOPE"}, "entrant", "本赛事没有编号为“NOPE”的选手"),
        ({"entrant": ""}, "entrant", "为必填项"),
        (
            {"rule": "tech", "entrant": "E3"},
            "rule",
            "“技术能手”按名次评选：只有由组委会确定的奖项才能指定获奖选手",
        ),
        ({"rule": "gone", "entrant": "E3"}, "rule", "本赛事没有奖项“gone”"),
        ({"kind": "ineligible", "rule": "women", "entrant": "E2"}, "reason", "为必填项"),
    ],
)
def test_bad_decisions_are_refused_and_change_nothing(app, client, contest, fields, field, message):
    login(client, "organiser")
    _save_rules(client, contest)
    before = _document(app, contest)
    response = _decide(client, contest, **fields)
    assert response.status_code == 400
    assert_error_at(response.get_data(as_text=True), field, message)
    assert _decisions(app) == []
    assert not _audit(app, "award_decision.create")
    assert _document(app, contest) == before


def test_a_decision_on_a_rule_for_another_trade_is_refused(app, client, contest):
    login(client, "organiser")
    rules = RULES | {"award_rules-2-trades": "ELEC"}
    assert _save_rules(client, contest, rules).status_code == 302
    response = _decide(client, contest, entrant="E3")
    assert response.status_code == 400
    assert "“优胜奖”不适用于 E3 选手E3 所在的工种 焊工" in response.get_data(as_text=True)
    assert _decisions(app) == []


def test_an_entrant_who_does_not_meet_the_conditions_is_passed_over_until_withdrawn(
    app, client, contest
):
    login(client, "organiser")
    _save_rules(client, contest)
    assert _awards(_document(app, contest))["women"] == ["E2"]
    response = _decide(
        client, contest, kind="ineligible", rule="women", entrant="E2", reason="非一线职工"
    )
    assert response.status_code == 302
    assert _awards(_document(app, contest))["women"] == []
    with app.app_context():
        decision_id = db.session.execute(sa.select(AwardDecision.id)).scalar_one()
    internal = client.get(f"/results/trades/{contest.weld}").get_data(as_text=True)
    assert "巾帼建功标兵：组委会认定不符合该奖项的条件" in internal

    withdraw = f"{_decisions_path(contest)}/{decision_id}/withdraw"
    response = post(client, withdraw, {"reason": ""})
    assert response.status_code == 400
    assert "请填写撤销该认定的原因。" in response.get_data(as_text=True)
    assert _decisions(app)[0][4] is None

    response = post(client, withdraw, {"reason": "经复核符合条件"})
    assert response.status_code == 302
    # Kept, with its reason and the reason for withdrawing it; no longer counting.
    assert _decisions(app) == [
        (AwardDecisionKind.INELIGIBLE, "women", "E2", "非一线职工", "经复核符合条件")
    ]
    assert _awards(_document(app, contest))["women"] == ["E2"]
    (entry,) = _audit(app, "award_decision.withdraw")
    assert entry.new["withdrawal_reason"] == "经复核符合条件"
    page = client.get(_decisions_path(contest)).get_data(as_text=True)
    assert "已撤销的认定" in page and "经复核符合条件" in page

    response = post(client, withdraw, {"reason": "再次撤销"})
    assert response.status_code == 409
    assert "该认定已被撤销，未作任何更改。" in response.get_data(as_text=True)
    assert len(_audit(app, "award_decision.withdraw")) == 1


def test_no_decision_once_the_results_are_published(app, client, contest):
    login(client, "organiser")
    _save_rules(client, contest)
    with app.app_context():
        event = db.session.get(Event, contest.event_id)
        publications.publish(event, publications.RESULTS, {"results": {"trades": []}})
        db.session.commit()
    response = _decide(client, contest, entrant="E3")
    assert response.status_code == 423
    assert "成绩已公布；如需修改，请先说明原因撤回公布。" in response.get_data(as_text=True)
    assert _decisions(app) == []


def test_a_decision_of_another_event_is_not_found(app, client, contest):
    login(client, "organiser")
    _save_rules(client, contest)
    _decide(client, contest, entrant="E3")
    with app.app_context():
        other = make_event(slug="other-games")
        db.session.commit()
        other_id = other.id
        decision_id = db.session.execute(sa.select(AwardDecision.id)).scalar_one()
    path = f"/organise/events/{other_id}/decisions/{decision_id}/withdraw"
    assert post(client, path, {"reason": "x"}).status_code == 404
    assert _decisions(app)[0][4] is None


@pytest.mark.parametrize("role", ["judge", "chief_judge", "unit_contact"])
def test_other_roles_cannot_use_the_editors_or_decide(app, client, contest, role):
    login(client, role)
    assert client.get(_decisions_path(contest)).status_code == 403
    assert _decide(client, contest, entrant="E3").status_code == 403
    assert client.get(_trade_path(contest)).status_code == 403
    response = post(client, _trade_path(contest), {**TRADE_RULES, "action": "save"})
    assert response.status_code == 403
    assert _stored(app, contest.weld).overtime is None
    assert _decisions(app) == []


def test_visitors_are_sent_to_log_in(app, client, contest):
    response = client.get(_decisions_path(contest))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_organiser_sees_the_rules_text_on_the_event_hub(app, client, contest):
    login(client, "organiser")
    _save_rules(client, contest)
    page = client.get(f"/organise/events/{contest.event_id}").get_data(as_text=True)
    assert "竞赛规则" in page
    assert "前 2 名晋升技师，已是技师者晋升一级（最高至高级技师）；各部分均须达到 60 分。" in page
    awards = client.get(_awards_path(contest)).get_data(as_text=True)
    assert "公布的奖项规则" in awards and "由组委会确定" in awards


def test_the_rules_text_in_english(app, client, contest):
    login(client, "organiser")
    _save_rules(client, contest)
    path = _trade_path(contest)
    client.post(path, data={**page_form(client, path), **TRADE_RULES, "action": "save"})
    post(client, "/lang", {"lang": "en"})
    page = _public(client)
    for text in (
        "Places 1–2: promoted to 技师; those already 技师 or above go up one level (to 高级技师 "
        "at most); every component must reach 60 points.",
        "50 % of those who started; the number of places is rounded half up; women only.",
        "Named by the organisers; not combined with the other awards of group merit",
        "A trade with fewer than 4 entrants who started awards nothing.",
        "安全文明生产: 5 points off for each violation, down to 0.",
        "设备损坏 2 times in all: disqualified.",
        "实操 over the set time (60 minutes): 2 points off for each minute; more than 10 "
        "minutes over, the component scores 0.",
        "Equal team scores: the shorter time ranks higher.",
    ):
        assert text in page, text


def test_renaming_a_component_warns_of_the_pass_lines_left_behind(app, client, contest):
    login(client, "organiser")
    _save_rules(client, contest)
    path = _trade_path(contest)
    data = page_form(client, path) | {"components-0-code": "exam"}
    assert client.post(path, data={**data, "action": "save"}).status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert (
        "奖项“技术能手”设有组成部分“theory”的及格线，而本工种没有该组成部分：本工种无人能获此奖项"
        in page
    )
    # …and indeed nobody of WELD receives it any more.
    assert _awards(_document(app, contest))["tech"] == ["E6"]
