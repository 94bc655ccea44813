"""Organisers create, edit and copy events, plan the schedule and edit the award rules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.package import read_package
from contest.domain.stages import StageKind, StageState
from contest.events.models import AwardRule, Criterion, Event, Judge, PanelMember, Trade, Unit
from contest.packages import importing
from contest.registration.models import Entrant, Team
from contest.results import services as results
from contest.stages.models import StageWindow
from tests.conftest import assert_error_at, login, post
from tests.factories import make_user
from tests.packages import EXPECTED, small_package
from tests.web.test_organise_browser import FormReader, page_form

EVENT_FORM = {
    "name": "示范市第七届职工技术运动会",
    "slug": "demo-2027",
    "host": "示范市总工会",
    "venue": "示范市公共实训基地",
    "starts_on": "2027-05-10",
    "ends_on": "2027-05-12",
    "timezone": "Asia/Shanghai",
    "decimals": "2",
    "placement_points": "9，7、6 5",
    "medals_by_field": "y",
}


@pytest.fixture
def games(app):
    """The small package's event (scores, award rules, results) and an organiser."""
    with app.app_context():
        make_user(Role.ORGANISER, username="organiser")
        package = read_package(json.loads(json.dumps(small_package()), parse_float=Decimal))
        event = importing.import_package(package).event
        db.session.commit()
        return SimpleNamespace(event_id=event.id)


def _event(app, slug):
    with app.app_context():
        return db.session.execute(sa.select(Event).where(Event.slug == slug)).scalar_one_or_none()


def _count(app, model, *where):
    with app.app_context():
        query = sa.select(sa.func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)
        return db.session.execute(query).scalar_one()


def _audit(app, action):
    with app.app_context():
        return (
            db.session.execute(
                sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )


def _results(app, event_id):
    with app.app_context():
        return results.results_for(db.session.get(Event, event_id))


# --- create and edit -----------------------------------------------------------------------------


def test_organiser_creates_an_event(app, client, world):
    login(client, "organiser")
    assert "新建赛事" in client.get("/organise/").get_data(as_text=True)
    response = post(client, "/organise/events/new", EVENT_FORM)
    assert response.status_code == 302
    event = _event(app, "demo-2027")
    assert response.headers["Location"] == f"/organise/events/{event.id}"
    assert (event.name, event.host, event.venue) == (
        "示范市第七届职工技术运动会",
        "示范市总工会",
        "示范市公共实训基地",
    )
    assert (event.starts_on, event.ends_on) == (date(2027, 5, 10), date(2027, 5, 12))
    assert event.placement_points == [9, 7, 6, 5]
    assert event.medals_by_field and not event.multiple_trades_allowed
    (entry,) = _audit(app, "event.create")
    assert entry.new["slug"] == "demo-2027" and entry.actor == "用户" + entry.actor[2:]
    hub = client.get(response.headers["Location"]).get_data(as_text=True)
    for screen in ("edit", "schedule", "awards", "units", "judges", "trades/new", "copy"):
        assert f"/organise/events/{event.id}/{screen}" in hub


BAD_EVENTS = [
    ({"slug": "Demo 2027"}, "slug", "须为 3–64 位小写字母、数字或短横线"),
    ({"slug": "test-games"}, "slug", "已是另一赛事的网址标识"),
    ({"name": ""}, "name", "为必填项"),
    ({"starts_on": ""}, "starts_on", "为必填项"),
    ({"starts_on": "2027-02-30"}, "starts_on", "不是有效的日期值"),
    ({"ends_on": "2027-05-01"}, "ends_on", "不得早于第一天"),
    ({"timezone": "Asia/Beijing"}, "timezone", "不是已知的时区"),
    ({"decimals": "7"}, "decimals", "不得大于 6"),
    ({"decimals": "two"}, "decimals", "“two”不是整数"),
    ({"placement_points": "9, 7, x"}, "placement_points", "“x”不是整数"),
    ({"placement_points": "9, -1"}, "placement_points", "不得小于 0"),
    ({"host": "总" * 201}, "host", "超过 200 个字符"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_EVENTS)
def test_bad_event_settings_are_refused_next_to_the_field(
    app, client, world, change, field, message
):
    login(client, "organiser")
    response = post(client, "/organise/events/new", {**EVENT_FORM, **change})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="{field}"' in page[page.index(message) - 2000 : page.index(message)]
    assert _count(app, Event) == 1
    assert not _audit(app, "event.create")


def test_editing_settings_recomputes_the_results(app, client, games):
    login(client, "organiser")
    path = f"/organise/events/{games.event_id}/edit"
    data = page_form(client, path)
    assert data["placement_points"] == "5, 3, 1" and data["decimals"] == "2"
    data.update(decimals="1", placement_points="12, 8, 4", venue="实训中心")
    response = client.post(path, data=data)
    assert response.status_code == 302
    document = _results(app, games.event_id)
    assert document["trades"][0]["entrants"][0]["total"] == "87.1"
    assert document["units"][0] == {
        "code": "U1",
        "rank": 1,
        "points": 24,
        "gold": 2,
        "silver": 0,
        "bronze": 0,
    }
    (entry,) = _audit(app, "event.update")
    assert entry.old == {"venue": None, "decimals": 2, "placement_points": [5, 3, 1]}
    assert entry.new == {"venue": "实训中心", "decimals": 1, "placement_points": [12, 8, 4]}


def test_saving_unchanged_settings_records_nothing(app, client, games):
    login(client, "organiser")
    path = f"/organise/events/{games.event_id}/edit"
    assert client.post(path, data=page_form(client, path)).status_code == 302
    assert not _audit(app, "event.update")
    assert _results(app, games.event_id) == EXPECTED


def test_refused_edit_changes_nothing(app, client, games):
    login(client, "organiser")
    path = f"/organise/events/{games.event_id}/edit"
    data = page_form(client, path) | {"decimals": "9", "name": "改名"}
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "不得大于 6（当前为 9）" in response.get_data(as_text=True)
    assert _event(app, "small-games").name == "小型测试赛"
    assert _results(app, games.event_id) == EXPECTED


# --- schedule ------------------------------------------------------------------------------------

SCHEDULE = {
    "registration-opens": "2026-03-01T09:00",
    "registration-closes": "2026-03-31T17:00",
    "review-opens": "2026-04-01T09:00",
    "review-closes": "2026-04-10T17:00",
    "scoring-opens": "2026-05-10T08:00",
    "scoring-closes": "2026-05-11T18:00",
    "appeal-opens": "2026-05-11T18:00",
    "appeal-closes": "2026-05-12T18:00",
    "public_notice-opens": "2026-05-13T09:00",
    "public_notice-closes": "2026-05-20T17:00",
    "publish-at": "2026-05-21T09:00",
}


def _windows(app, event_id):
    with app.app_context():
        rows = db.session.execute(
            sa.select(StageWindow).where(
                StageWindow.event_id == event_id, StageWindow.trade_id.is_(None)
            )
        ).scalars()
        return {w.kind: (w.opens_at, w.closes_at, w.state) for w in rows}


def test_schedule_is_entered_in_local_time_and_stored_in_utc(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/schedule"
    assert post(client, path, SCHEDULE).status_code == 302
    windows = _windows(app, world.event_id)
    assert len(windows) == 6
    assert windows[StageKind.REGISTRATION] == (
        datetime(2026, 3, 1, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 31, 9, 0, tzinfo=UTC),
        StageState.PENDING,
    )
    assert windows[StageKind.PUBLISH] == (datetime(2026, 5, 21, 1, 0, tzinfo=UTC), None, "pending")
    form = page_form(client, path)
    assert form["registration-opens"] == "2026-03-01T09:00"
    (entry,) = _audit(app, "event.schedule")
    assert entry.old["publish"] is None
    assert entry.new["publish"] == ["2026-05-21T01:00:00+00:00", None]


def test_changing_a_window_keeps_its_state(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/schedule"
    post(client, path, SCHEDULE)
    with app.app_context():
        window = db.session.execute(
            sa.select(StageWindow).where(StageWindow.kind == StageKind.REGISTRATION)
        ).scalar_one()
        window.state = StageState.OPEN
        db.session.commit()
    response = post(client, path, {**SCHEDULE, "registration-closes": "2026-03-31T20:00"})
    assert response.status_code == 302
    _, closes, state = _windows(app, world.event_id)[StageKind.REGISTRATION]
    assert closes == datetime(2026, 3, 31, 12, 0, tzinfo=UTC) and state == StageState.OPEN


BAD_SCHEDULES = [
    ({"review-closes": "2026-03-31T08:00"}, "review-closes", "必须晚于开始时间"),
    ({"review-opens": "2026-03-20T09:00"}, "review-opens", "不得早于“报名”的结束时间"),
    ({"publish-at": "2026-05-15T09:00"}, "publish-at", "不得早于“公示”的结束时间"),
    ({"appeal-closes": ""}, "appeal-closes", "为必填项"),
    ({"scoring-opens": "5月10日"}, "scoring-opens", "不是有效的日期与时间值"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_SCHEDULES)
def test_bad_schedules_are_refused(app, client, world, change, field, message):
    login(client, "organiser")
    response = post(client, f"/organise/events/{world.event_id}/schedule", {**SCHEDULE, **change})
    assert response.status_code == 400
    assert_error_at(response.get_data(as_text=True), field, message)
    assert _windows(app, world.event_id) == {}


def test_a_window_that_has_opened_cannot_be_removed(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/schedule"
    post(client, path, SCHEDULE)
    with app.app_context():
        window = db.session.execute(
            sa.select(StageWindow).where(StageWindow.kind == StageKind.REGISTRATION)
        ).scalar_one()
        window.state = StageState.CLOSED
        db.session.commit()
    empty = {"registration-opens": "", "registration-closes": ""}
    response = post(client, path, {**SCHEDULE, **empty})
    assert response.status_code == 400
    assert "“报名”已开始，不能删除" in response.get_data(as_text=True)
    assert StageKind.REGISTRATION in _windows(app, world.event_id)
    # A window that has not opened yet can be removed.
    assert post(client, path, {**SCHEDULE, "publish-at": ""}).status_code == 302
    assert StageKind.PUBLISH not in _windows(app, world.event_id)


def _trade_windows(app, trade_id):
    with app.app_context():
        rows = db.session.execute(sa.select(StageWindow).where(StageWindow.trade_id == trade_id))
        return {w.kind: (w.opens_at, w.closes_at) for w in rows.scalars()}


def test_a_trade_plans_its_own_scoring_and_appeal_windows(app, client, world):
    login(client, "organiser")
    post(client, f"/organise/events/{world.event_id}/schedule", SCHEDULE)
    path = f"/organise/events/{world.event_id}/trades/{world.weld}/schedule"
    page = client.get(path).get_data(as_text=True)
    assert "2026/5/10 08:00" in page or "2026/05/10 08:00" in page  # the event's, followed
    own = {
        "scoring-opens": "2026-05-10T13:00",
        "scoring-closes": "2026-05-10T17:00",
        "appeal-opens": "2026-05-10T17:00",
        "appeal-closes": "2026-05-10T19:00",
    }
    assert post(client, path, own).status_code == 302
    assert _trade_windows(app, world.weld) == {
        StageKind.SCORING: (
            datetime(2026, 5, 10, 5, tzinfo=UTC),
            datetime(2026, 5, 10, 9, tzinfo=UTC),
        ),
        StageKind.APPEAL: (
            datetime(2026, 5, 10, 9, tzinfo=UTC),
            datetime(2026, 5, 10, 11, tzinfo=UTC),
        ),
    }
    assert len(_windows(app, world.event_id)) == 6  # the event's own are untouched
    (entry,) = _audit(app, "trade.schedule")
    assert entry.old["scoring"] is None and entry.new["scoring"][0] == "2026-05-10T05:00:00+00:00"
    # Emptied, the trade follows the event's windows again.
    empty = {key: "" for key in own}
    assert post(client, path, empty).status_code == 302
    assert _trade_windows(app, world.weld) == {}


BAD_TRADE_SCHEDULES = [
    # Appeals before the trade's own scoring closes.
    (
        {
            "scoring-opens": "2026-05-10T13:00",
            "scoring-closes": "2026-05-10T17:00",
            "appeal-opens": "2026-05-10T16:00",
            "appeal-closes": "2026-05-10T19:00",
        },
        "appeal-opens",
        "不得早于“评分”的结束时间",
    ),
    # Appeals of its own, before the event's scoring (which this trade follows) closes.
    (
        {"appeal-opens": "2026-05-11T09:00", "appeal-closes": "2026-05-12T09:00"},
        "appeal-opens",
        "不得早于“评分”的结束时间",
    ),
    ({"scoring-opens": "2026-05-10T13:00"}, "scoring-closes", "为必填项"),
    (
        {"scoring-opens": "2026-05-10T13:00", "scoring-closes": "2026-05-10T12:00"},
        "scoring-closes",
        "必须晚于开始时间",
    ),
]


@pytest.mark.parametrize(("plan", "field", "message"), BAD_TRADE_SCHEDULES)
def test_bad_trade_schedules_are_refused(app, client, world, plan, field, message):
    login(client, "organiser")
    post(client, f"/organise/events/{world.event_id}/schedule", SCHEDULE)
    response = post(client, f"/organise/events/{world.event_id}/trades/{world.weld}/schedule", plan)
    assert response.status_code == 400
    assert_error_at(response.get_data(as_text=True), field, message)
    assert _trade_windows(app, world.weld) == {}


def test_a_trade_window_that_has_opened_cannot_be_removed(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/trades/{world.weld}/schedule"
    own = {"scoring-opens": "2026-05-10T13:00", "scoring-closes": "2026-05-10T17:00"}
    assert post(client, path, own).status_code == 302
    with app.app_context():
        db.session.execute(sa.update(StageWindow).values(state=StageState.OPEN))
        db.session.commit()
    response = post(client, path, {"scoring-opens": "", "scoring-closes": ""})
    assert response.status_code == 400
    assert "“评分”已开始，不能删除" in response.get_data(as_text=True)
    assert StageKind.SCORING in _trade_windows(app, world.weld)


# --- award rules ---------------------------------------------------------------------------------


def _rules(app, event_id):
    with app.app_context():
        return [
            (r.code, r.select, r.group)
            for r in db.session.execute(
                sa.select(AwardRule)
                .where(AwardRule.event_id == event_id)
                .order_by(AwardRule.position)
            ).scalars()
        ]


def test_award_rules_form_shows_the_stored_rules(app, client, games):
    login(client, "organiser")
    data = page_form(client, f"/organise/events/{games.event_id}/awards")
    assert data["award_rules-0-code"] == "gold" and data["award_rules-0-select-top"] == "1"
    assert data["award_rules-1-select-way"] == "ranks"
    assert (data["award_rules-1-select-rank_from"], data["award_rules-1-select-rank_to"]) == (
        "1",
        "3",
    )
    assert data["award_rules-2-select-percent"] == "50"
    assert data["award_rules-2-select-rounding"] == "ceil"
    assert data["award_rules-2-promote-enabled"] == "y"
    assert data["award_rules-2-promote-cap"] == "技师"


def test_changing_an_award_rule_changes_the_stored_results(app, client, games):
    login(client, "organiser")
    path = f"/organise/events/{games.event_id}/awards"
    assert _results(app, games.event_id)["awards"][0]["entrants"] == ["E1", "E4"]
    data = page_form(client, path)
    # 金牌工人 becomes the first two places, and only in WELD.
    data.update({"award_rules-0-select-top": "2", "award_rules-0-trades": "WELD"})
    # A new rule at the end: a youth award for entrants up to 30 with at least 80 points.
    data.update(
        {
            "award_rules-3-code": "youth",
            "award_rules-3-title": "青年岗位能手",
            "award_rules-3-select-way": "top_by_field",
            "award_rules-3-select-top_by_field": "1 1\n* 3",
            "award_rules-3-max_age": "30",
            "award_rules-3-min_total": "80",
            "award_rules-3-promote-levels": "1",
            "award_rules-3-promote-cap": "高级技师",
            "award_rules-3-select-rounding": "round",
        }
    )
    response = client.post(path, data={**data, "action": "save"})
    assert response.status_code == 302
    document = _results(app, games.event_id)
    awards = {a["code"]: a["entrants"] for a in document["awards"]}
    # E2 takes gold now (so not 技术能手, same group); E4 (ELEC) gets no gold any more and
    # falls through to 技术能手; E1 and E2 are older than 30: nobody is a young post expert.
    assert awards == {"gold": ["E1", "E2"], "expert": ["E4"], "promote": ["E1"], "youth": []}
    rows = _rules(app, games.event_id)
    assert rows[3] == ("youth", {"top_by_field": [[1, 1], [None, 3]]}, None)
    with app.app_context():
        rule = db.session.execute(sa.select(AwardRule).where(AwardRule.code == "gold")).scalar_one()
        assert rule.trades == ["WELD"] and rule.select == {"top": 2}
        youth = db.session.execute(
            sa.select(AwardRule).where(AwardRule.code == "youth")
        ).scalar_one()
        assert (youth.max_age, youth.min_total) == (30, Decimal(80))
    (entry,) = _audit(app, "event.award_rules")
    assert entry.old["award_rules"][0]["select"] == {"top": 1}
    assert entry.new["award_rules"][0]["select"] == {"top": 2}


def test_removing_and_reordering_rules(app, client, games):
    login(client, "organiser")
    path = f"/organise/events/{games.event_id}/awards"
    data = page_form(client, path)
    page = client.post(path, data={**data, "action": "remove-rule:0"}).get_data(as_text=True)
    assert 'value="gold"' not in page
    assert len(_rules(app, games.event_id)) == 3  # a row button saves nothing
    reader = FormReader()
    reader.feed(page)
    form = dict(reader.forms[-1]["fields"])
    response = client.post(path, data={**form, "csrf_token": data["csrf_token"], "action": "save"})
    assert response.status_code == 302
    assert [r[0] for r in _rules(app, games.event_id)] == ["expert", "promote"]
    awards = {a["code"]: a["entrants"] for a in _results(app, games.event_id)["awards"]}
    assert awards == {"expert": ["E1", "E2", "E4"], "promote": ["E1"]}


BAD_RULES = [
    ({"award_rules-1-code": "gold"}, "award_rules-1-code", "代码“gold”重复使用"),
    ({"award_rules-0-title": ""}, "award_rules-0-title", "为必填项"),
    ({"award_rules-0-select-top": "0"}, "award_rules-0-select-top", "不得小于 1"),
    ({"award_rules-0-select-top": ""}, "award_rules-0-select-top", "为必填项"),
    (
        {"award_rules-1-select-rank_from": "3", "award_rules-1-select-rank_to": "1"},
        "award_rules-1-select-rank_from",
        "请输入两个名次",
    ),
    ({"award_rules-2-select-percent": "120"}, "award_rules-2-select-percent", "不得大于 100"),
    ({"award_rules-2-select-percent": "abc"}, "award_rules-2-select-percent", "“abc”不是数字"),
    (
        {"award_rules-0-select-way": "top_by_field", "award_rules-0-select-top_by_field": "十 1"},
        "award_rules-0-select-top_by_field",
        "每行须为人数上限",
    ),
    ({"award_rules-0-min_total": "-5"}, "award_rules-0-min_total", "不得小于 0"),
    ({"award_rules-0-min_entrants": "0"}, "award_rules-0-min_entrants", "不得小于 1"),
    ({"award_rules-0-max_age": "200"}, "award_rules-0-max_age", "不得大于 150"),
    ({"award_rules-2-promote-levels": "9"}, "award_rules-2-promote-levels", "不得大于 4"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_RULES)
def test_bad_award_rules_are_refused(app, client, games, change, field, message):
    login(client, "organiser")
    path = f"/organise/events/{games.event_id}/awards"
    before = _rules(app, games.event_id)
    response = client.post(path, data={**page_form(client, path), **change, "action": "save"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="{field}"' in page[page.index(message) - 2500 : page.index(message)]
    assert _rules(app, games.event_id) == before
    assert _results(app, games.event_id) == EXPECTED
    assert not _audit(app, "event.award_rules")


def test_an_unknown_trade_in_a_rule_is_refused(app, client, games):
    login(client, "organiser")
    path = f"/organise/events/{games.event_id}/awards"
    data = page_form(client, path) | {"award_rules-0-trades": "NOPE", "action": "save"}
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert _rules(app, games.event_id)[0] == ("gold", {"top": 1}, "title")


# --- copying -------------------------------------------------------------------------------------


def test_copy_an_event_with_judges_and_schedule(app, client, games):
    login(client, "organiser")
    path = f"/organise/events/{games.event_id}/copy"
    form = page_form(client, path)
    assert form["name"] == "小型测试赛" and form["judges"] == "y" and form["schedule"] == "y"
    response = client.post(
        path,
        data=form | {"name": "小型测试赛（2027）", "slug": "small-2027", "starts_on": "2027-05-12"},
    )
    assert response.status_code == 302
    new = _event(app, "small-2027")
    assert response.headers["Location"] == f"/organise/events/{new.id}"
    with app.app_context():
        new = db.session.get(Event, new.id)
        assert new.name == "小型测试赛（2027）" and new.placement_points == [5, 3, 1]
        assert [u.code for u in new.units] == ["U1", "U2", "U3", "JU"]
        weld, _ = new.trades
        assert (weld.code, weld.category, weld.tie_breakers) == (
            "WELD",
            "一类",
            ["component:practical", "time"],
        )
        assert [(c.code, c.weight) for c in weld.components] == [
            ("theory", Decimal("0.3")),
            ("practical", Decimal("0.7")),
        ]
        p2 = db.session.execute(
            sa.select(Criterion).where(Criterion.trade_id == weld.id, Criterion.code == "P2")
        ).scalar_one()
        assert (p2.scale, p2.step, p2.max_spread, p2.kind.value) == (
            Decimal(3),
            Decimal(1),
            Decimal(1),
            "judgement",
        )
        assert [r.code for r in new.award_rules] == ["gold", "expert", "promote"]
        assert sorted(j.code for j in new.judges) == ["J1", "J2", "J3"]
        chief = db.session.execute(
            sa.select(Judge.code)
            .join(PanelMember, PanelMember.judge_id == Judge.id)
            .where(PanelMember.trade_id == weld.id, PanelMember.is_chief)
        ).scalar_one()
        assert chief == "J1"
        j3 = next(j for j in new.judges if j.code == "J3")
        assert j3.unit.event_id == new.id and j3.unit.code == "U1"
        assert not new.entrants and not new.teams
        # Windows move with the first day: 2026-05-10 → 2027-05-12 is 367 days.
        windows = {
            (w.kind, w.trade_id): w.opens_at
            for w in db.session.execute(
                sa.select(StageWindow).where(StageWindow.event_id == new.id)
            ).scalars()
        }
        assert windows[(StageKind.REGISTRATION, None)] == datetime(2027, 3, 3, 1, tzinfo=UTC)
        assert windows[(StageKind.SCORING, weld.id)] == datetime(2027, 5, 12, 0, tzinfo=UTC)
        assert all(w.state == StageState.PENDING for w in new.windows)
    # The source is untouched; the copy is audited.
    assert _results(app, games.event_id) == EXPECTED
    assert _count(app, Entrant) == 4 and _count(app, Team) == 2
    (entry,) = _audit(app, "event.copy")
    assert entry.new["copied_from"] == "small-games" and entry.event_id == new.id


def test_copy_without_judges_or_schedule(app, client, games):
    login(client, "organiser")
    path = f"/organise/events/{games.event_id}/copy"
    data = {"name": "新赛事", "slug": "bare-2027", "starts_on": "2027-05-12"}
    assert post(client, path, data).status_code == 302
    with app.app_context():
        new = db.session.execute(sa.select(Event).where(Event.slug == "bare-2027")).scalar_one()
        assert not new.judges and not new.windows
        assert _count(app, PanelMember, PanelMember.trade_id.in_([t.id for t in new.trades])) == 0
        assert len(new.trades) == 2 and len(new.units) == 4


@pytest.mark.parametrize(
    ("change", "message"),
    [({"slug": "small-games"}, "已是另一赛事的网址标识"), ({"starts_on": ""}, "为必填项")],
)
def test_copy_is_refused_with_bad_input(app, client, games, change, message):
    login(client, "organiser")
    path = f"/organise/events/{games.event_id}/copy"
    data = {"name": "新赛事", "slug": "copy-2027", "starts_on": "2027-05-12", "judges": "y"}
    response = post(client, path, {**data, **change})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(app, Event) == 1 and _count(app, Trade) == 2 and _count(app, Unit) == 4
