"""Organisers create, edit, copy, delete and order trades and edit their marking schemes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.package import read_package
from contest.events.models import AwardRule, Component, Event, Judge, Trade
from contest.organise.trade_scheme import trade_state
from contest.packages import importing
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import ComponentScore, Score, TradeResultRecord
from tests.conftest import assert_error_at, login, post
from tests.factories import make_user
from tests.packages import small_package
from tests.web.test_organise_browser import FormReader, page_form


def _trade(app, code):
    with app.app_context():
        trade = db.session.execute(sa.select(Trade).where(Trade.code == code)).scalar_one_or_none()
        return None if trade is None else SimpleNamespace(id=trade.id, **trade_state(trade))


def _audit(app, action):
    with app.app_context():
        return (
            db.session.execute(
                sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )


def _edit_path(world, trade_id=None):
    return f"/organise/events/{world.event_id}/trades/{trade_id or world.weld}"


# --- creating ------------------------------------------------------------------------------------


def test_create_a_trade_from_the_default_scheme(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/trades/new"
    data = page_form(client, path)
    assert (data["components-0-code"], data["components-0-weight"]) == ("theory", "0.3")
    assert (data["components-1-code"], data["components-1-weight"]) == ("practical", "0.7")
    data.update(
        {
            "code": "PLUMB",
            "name": "管道工",
            "category": "二类",
            "capacity": "30",
            "unit_quota": "2",
            "min_age": "18",
            "max_age": "55",
            "min_skill_level": "中级工",
            "min_entrants": "5",
            "components-1-criteria-0-code": "Q1",
            "components-1-criteria-0-name": "管路连接",
            "components-1-criteria-0-max": "100",
            "components-1-criteria-0-kind": "judgement",
            "components-1-criteria-0-scale": "10",
            "components-1-criteria-0-step": "0.5",
            "components-1-criteria-0-aggregation": "trimmed_mean",
            "components-1-criteria-0-trim": "1",
            "components-1-criteria-0-max_spread": "2",
            "components-1-criteria-0-description": "接口无渗漏",
        }
    )
    response = client.post(path, data=data)
    assert response.status_code == 302
    trade = _trade(app, "PLUMB")
    assert response.headers["Location"] == _edit_path(world, trade.id)
    assert (trade.capacity, trade.unit_quota, trade.min_age, trade.max_age) == (30, 2, 18, 55)
    assert (trade.min_skill_level, trade.min_entrants, trade.category) == ("中级工", 5, "二类")
    theory, practical = trade.components
    assert (theory["max"], theory["step"], theory["criteria"]) == (Decimal(100), Decimal("0.5"), [])
    (q1,) = practical["criteria"]
    assert q1 == {
        "name": "管路连接",
        "description": "接口无渗漏",
        "code": "Q1",
        "max": Decimal(100),
        "kind": "judgement",
        "scale": Decimal(10),
        "step": Decimal("0.5"),
        "aggregation": "trimmed_mean",
        "trim": 1,
        "factor": Decimal(1),
        "max_spread": Decimal(2),
    }
    (entry,) = _audit(app, "trade.create")
    assert (
        entry.new["code"] == "PLUMB" and entry.new["components"][1]["criteria"][0]["code"] == "Q1"
    )
    with app.app_context():
        assert db.session.get(TradeResultRecord, trade.id) is not None
        position = db.session.get(Trade, trade.id).position
        assert position == 2  # after WELD and ELEC
    # The panel is empty, so the trimmed rule warns (a warning, not an error).
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "评分项 Q1：去极值规则至少需要 3 名裁判，裁判组只有 0 名。" in page


def test_a_blank_criterion_row_is_left_out(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/trades/new"
    data = page_form(client, path) | {"code": "COOK", "name": "中式烹调师"}
    assert client.post(path, data=data).status_code == 302
    trade = _trade(app, "COOK")
    assert [c["criteria"] for c in trade.components] == [[], []]  # both scored directly


# --- refusals ------------------------------------------------------------------------------------

BAD_TRADES = [
    ({"code": ""}, "code", "为必填项"),
    ({"code": "ELEC"}, "code", "代码“ELEC”在本赛事中已被使用"),
    ({"name": "焊" * 201}, "name", "超过 200 个字符"),
    ({"capacity": "0"}, "capacity", "不得小于 1（当前为 0）"),
    ({"unit_quota": "两人"}, "unit_quota", "“两人”不是整数"),
    ({"min_age": "40", "max_age": "30"}, "max_age", "不得小于最小年龄 40"),
    ({"min_entrants": "x"}, "min_entrants", "“x”不是整数"),
    ({"team_size": "0"}, "team_size", "不得小于 1（当前为 0）"),
    ({"components-0-weight": "0"}, "components-0-weight", "必须大于 0（当前为 0）"),
    ({"components-0-weight": "abc"}, "components-0-weight", "“abc”不是数字"),
    ({"components-0-step": "-0.5"}, "components-0-step", "必须大于 0（当前为 -0.5）"),
    ({"components-0-code": "practical"}, "components-1-code", "代码“practical”重复使用"),
    (
        {"components-1-criteria-0-max": "-5"},
        "components-1-criteria-0-max",
        "必须大于 0（当前为 -5）",
    ),
    ({"components-1-criteria-0-max": ""}, "components-1-criteria-0-max", "为必填项"),
    ({"components-1-criteria-0-step": "0"}, "components-1-criteria-0-step", "必须大于 0"),
    ({"components-1-criteria-0-scale": "0"}, "components-1-criteria-0-scale", "必须大于 0"),
    ({"components-1-criteria-0-factor": "0"}, "components-1-criteria-0-factor", "必须大于 0"),
    ({"components-1-criteria-0-trim": "-1"}, "components-1-criteria-0-trim", "不得小于 0"),
    ({"components-1-criteria-0-trim": "11"}, "components-1-criteria-0-trim", "不得大于 10"),
    (
        {"components-1-criteria-0-max_spread": "-1"},
        "components-1-criteria-0-max_spread",
        "不得小于 0",
    ),
    ({"components-1-criteria-1-code": "P1"}, "components-1-criteria-1-code", "代码“P1”重复使用"),
    (
        {"components-1-criteria-0-description": "说" * 2001},
        "components-1-criteria-0-description",
        "超过 2000 个字符",
    ),
    (
        {"tie_breakers-0": "component:nope"},
        "tie_breakers-0",
        "“component:nope”不是本工种可用的同分决胜规则",
    ),
    (
        {"tie_breakers-0": "time", "tie_breakers-1": "time"},
        "tie_breakers-1",
        "该同分决胜规则已在列表中",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_TRADES)
def test_bad_trades_are_refused_next_to_the_field(app, client, world, change, field, message):
    login(client, "organiser")
    path = _edit_path(world)
    before = _trade(app, "WELD")
    response = client.post(path, data={**page_form(client, path), **change})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "未保存任何内容" in page
    assert_error_at(page, field, message)
    assert _trade(app, "WELD") == before
    assert not _audit(app, "trade.update")


def test_a_criterion_code_used_in_two_components_is_refused(app, client, world):
    login(client, "organiser")
    path = _edit_path(world)
    data = page_form(client, path)
    page = client.post(path, data={**data, "action": "add-criterion:0"}).get_data(as_text=True)
    assert 'name="components-0-criteria-0-code"' in page
    data |= {
        "components-0-criteria-0-code": "P1",
        "components-0-criteria-0-name": "理论题",
        "components-0-criteria-0-max": "100",
    }
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "同一工种内评分项代码不得重复" in response.get_data(as_text=True)


def test_a_trade_needs_a_component(app, client, world):
    login(client, "organiser")
    path = _edit_path(world)
    data = {k: v for k, v in page_form(client, path).items() if not k.startswith("components-")}
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "不能为空" in response.get_data(as_text=True)


def test_a_stale_form_is_refused_rather_than_half_applied(app, client, world):
    login(client, "organiser")
    path = _edit_path(world)
    data = page_form(client, path)
    with app.app_context():
        other = db.session.execute(
            sa.select(Component.id).where(Component.trade_id == world.elec)
        ).scalar()
    response = client.post(path, data={**data, "components-0-row_id": str(other)})
    assert response.status_code == 400
    assert "其他人刚刚修改了此评分方案" in response.get_data(as_text=True)


# --- warnings, panels, tie-breakers --------------------------------------------------------------


def test_weights_that_do_not_add_up_to_one_only_warn(app, client, world):
    login(client, "organiser")
    path = _edit_path(world)
    data = page_form(client, path) | {"components-0-weight": "0.5"}
    response = client.post(path, data=data)
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "各部分权重之和为 1.2，不等于 1" in page
    hub = client.get(f"/organise/events/{world.event_id}").get_data(as_text=True)
    assert "权重之和为 1.2" in hub


def test_component_panel_and_tie_breakers_are_saved(app, client, world):
    login(client, "organiser")
    path = _edit_path(world)
    with app.app_context():
        j2 = db.session.execute(sa.select(Judge.id).where(Judge.code == "J2")).scalar_one()
        j3 = db.session.execute(sa.select(Judge.id).where(Judge.code == "J3")).scalar_one()
    data = page_form(client, path) | {
        "components-1-judges": str(j2),
        "tie_breakers-0": "criterion:P2",
        "tie_breakers-1": "time",
    }
    assert client.post(path, data=data).status_code == 302
    trade = _trade(app, "WELD")
    assert trade.components[1]["judges"] == ["J2"]
    assert trade.tie_breakers == ["criterion:P2", "time"]
    # A judge who is not on the trade's panel cannot sit on a component's panel.
    response = client.post(path, data=data | {"components-1-judges": str(j3)})
    assert response.status_code == 400
    assert _trade(app, "WELD").components[1]["judges"] == ["J2"]


def test_a_panel_too_small_for_a_trimmed_rule_warns(app, client, world):
    login(client, "organiser")
    path = _edit_path(world)
    data = page_form(client, path) | {"components-1-criteria-0-aggregation": "trimmed_sum"}
    assert client.post(path, data=data).status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "评分项 P1：去极值规则至少需要 3 名裁判，裁判组只有 2 名。" in page


# --- scores already entered ----------------------------------------------------------------------


@pytest.fixture
def scored(app, world):
    """E1 has a mark of 45 for P1 from J1 and a theory score of 80.5."""
    with app.app_context():
        e1 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E1")).scalar_one()
        trade = db.session.get(Trade, world.weld)
        theory, practical = trade.components
        j1 = db.session.execute(sa.select(Judge).where(Judge.code == "J1")).scalar_one()
        db.session.add(
            Score(entrant=e1, criterion=practical.criteria[0], judge=j1, value=Decimal(45))
        )
        db.session.add(ComponentScore(entrant=e1, component=theory, value=Decimal("80.5")))
        db.session.commit()
    return world


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"components-1-criteria-0-max": "40"}, "components-1-criteria-0-max", "（45）将不再符合"),
        ({"components-1-criteria-0-step": "2"}, "components-1-criteria-0-step", "（45）将不再符合"),
        ({"components-1-criteria-0-scale": "10"}, "components-1-criteria-0-scale", "（45）"),
        ({"components-0-step": "1"}, "components-0-step", "（80.5）将不再符合"),
    ],
)
def test_a_change_that_entered_scores_would_not_fit_is_refused(
    app, client, scored, change, field, message
):
    login(client, "organiser")
    path = _edit_path(scored)
    before = _trade(app, "WELD")
    response = client.post(path, data={**page_form(client, path), **change})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert_error_at(page, field, message)
    assert _trade(app, "WELD") == before


def test_a_criterion_with_scores_cannot_be_removed(app, client, scored):
    login(client, "organiser")
    path = _edit_path(scored)
    data = page_form(client, path)
    # Remove P1 (the first criterion) by leaving its row out, as the ✕ button does.
    rows = {k: v for k, v in data.items() if not k.startswith("components-1-criteria-")}
    rows |= {
        k.replace("criteria-1-", "criteria-0-"): v
        for k, v in data.items()
        if k.startswith("components-1-criteria-1-")
    }
    response = client.post(path, data=rows)
    assert response.status_code == 400
    assert "评分项 P1 已有评分，不能删除。" in response.get_data(as_text=True)
    response = client.post(path, data={**data, "components-1-criteria-0-max": "60"})
    assert response.status_code == 302  # a range the scores still fit is fine
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Score)).scalar_one() == 1


def test_a_directly_scored_component_keeps_its_scores(app, client, scored):
    login(client, "organiser")
    path = _edit_path(scored)
    data = page_form(client, path)
    response = client.post(path, data={**data, "action": "add-criterion:0"})
    page = response.get_data(as_text=True)
    reader = FormReader()
    reader.feed(page)
    rows = dict(reader.forms[-1]["fields"]) | {"csrf_token": data["csrf_token"]}
    rows |= {
        "components-0-criteria-0-code": "T1",
        "components-0-criteria-0-name": "理论",
        "components-0-criteria-0-max": "100",
    }
    response = client.post(path, data=rows)
    assert response.status_code == 400
    assert "组成部分 theory 已直接录入成绩" in response.get_data(as_text=True)


def test_a_locked_trade_keeps_its_scheme_but_not_its_limits(app, client, world):
    with app.app_context():
        db.session.get(Trade, world.weld).locked_at = datetime(2026, 5, 10, 10, tzinfo=UTC)
        db.session.commit()
    login(client, "organiser")
    path = _edit_path(world)
    data = page_form(client, path)
    response = client.post(path, data={**data, "components-0-weight": "0.4"})
    assert response.status_code == 400
    assert "裁判长已锁定本工种成绩" in response.get_data(as_text=True)
    response = client.post(path, data={**data, "capacity": "60", "name": "电焊工"})
    assert response.status_code == 302
    trade = _trade(app, "WELD")
    assert (trade.capacity, trade.name) == (60, "电焊工")


# --- results -------------------------------------------------------------------------------------


@pytest.fixture
def games(app):
    """The small package's event (scores, award rules, results) and an organiser."""
    with app.app_context():
        make_user(Role.ORGANISER, username="organiser")
        package = read_package(json.loads(json.dumps(small_package()), parse_float=Decimal))
        event = importing.import_package(package).event
        db.session.commit()
        weld = db.session.execute(sa.select(Trade.id).where(Trade.code == "WELD")).scalar_one()
        return SimpleNamespace(event_id=event.id, weld=weld)


def _results(app, event_id):
    with app.app_context():
        return results.results_for(db.session.get(Event, event_id))


def test_a_scheme_change_recomputes_the_trade(app, client, games):
    login(client, "organiser")
    path = _edit_path(games)
    data = page_form(client, path)
    data |= {"components-0-weight": "0.5", "components-1-weight": "0.5"}
    assert client.post(path, data=data).status_code == 302
    weld = _results(app, games.event_id)["trades"][0]["entrants"]
    # E1: 0.5 × 90 + 0.5 × 85.833… = 87.9166… → 87.92
    assert weld[0]["code"] == "E1" and weld[0]["total"] == "87.92"


def test_renaming_a_trade_follows_into_the_award_rules(app, client, games):
    with app.app_context():
        rule = db.session.execute(sa.select(AwardRule).where(AwardRule.code == "gold")).scalar_one()
        rule.trades = ["ELEC", "WELD"]
        db.session.commit()
    login(client, "organiser")
    path = _edit_path(games)
    assert client.post(path, data=page_form(client, path) | {"code": "WLD"}).status_code == 302
    with app.app_context():
        rule = db.session.execute(sa.select(AwardRule).where(AwardRule.code == "gold")).scalar_one()
        assert rule.trades == ["ELEC", "WLD"]
    document = _results(app, games.event_id)
    assert document["trades"][0]["code"] == "WLD"
    assert {a["code"]: a["entrants"] for a in document["awards"]}["gold"] == ["E1", "E4"]


# --- copy, delete, order -------------------------------------------------------------------------


def test_copy_a_trade_with_its_panel(app, client, world):
    login(client, "organiser")
    path = f"{_edit_path(world)}/copy"
    assert page_form(client, path)["name"] == "焊工"
    response = post(client, path, {"code": "WELD2", "name": "焊工（二类）", "panel": "y"})
    assert response.status_code == 302
    copy, source = _trade(app, "WELD2"), _trade(app, "WELD")
    assert response.headers["Location"] == _edit_path(world, copy.id)
    assert copy.components == source.components and copy.name == "焊工（二类）"
    with app.app_context():
        trade = db.session.get(Trade, copy.id)
        assert sorted((m.judge.code, m.is_chief) for m in trade.panel) == [
            ("J1", True),
            ("J2", False),
        ]
        assert not trade.entrants
    (entry,) = _audit(app, "trade.copy")
    assert entry.new["copied_from"] == "WELD"


def test_copy_without_the_panel_and_with_a_taken_code(app, client, world):
    login(client, "organiser")
    path = f"{_edit_path(world)}/copy"
    response = post(client, path, {"code": "ELEC", "name": "焊工"})
    assert response.status_code == 400
    assert "代码“ELEC”在本赛事中已被使用" in response.get_data(as_text=True)
    assert post(client, path, {"code": "WELD3", "name": "焊工"}).status_code == 302
    with app.app_context():
        trade = db.session.execute(sa.select(Trade).where(Trade.code == "WELD3")).scalar_one()
        assert not trade.panel


def test_a_trade_with_entrants_cannot_be_deleted(app, client, world):
    login(client, "organiser")
    response = post(client, f"{_edit_path(world)}/delete")
    assert response.status_code == 400
    assert "本工种已有 2 名选手，只有没有选手的工种才能删除。" in response.get_data(as_text=True)
    assert _trade(app, "WELD") is not None


def test_delete_a_trade_without_entrants(app, client, games):
    login(client, "organiser")
    post(client, f"{_edit_path(games)}/copy", {"code": "SPARE", "name": "备用"})
    spare = _trade(app, "SPARE")
    with app.app_context():
        rule = db.session.execute(sa.select(AwardRule).where(AwardRule.code == "gold")).scalar_one()
        rule.trades = ["SPARE", "WELD"]
        db.session.commit()
    response = post(client, f"{_edit_path(games, spare.id)}/delete")
    assert response.status_code == 302
    assert _trade(app, "SPARE") is None
    with app.app_context():
        rule = db.session.execute(sa.select(AwardRule).where(AwardRule.code == "gold")).scalar_one()
        assert rule.trades == ["WELD"]
    (entry,) = _audit(app, "trade.delete")
    assert entry.old["code"] == "SPARE"


def test_move_a_trade_down_the_list(app, client, world):
    login(client, "organiser")
    response = post(client, f"{_edit_path(world)}/move", {"direction": "down"})
    assert response.status_code == 302
    with app.app_context():
        codes = db.session.execute(
            sa.select(Trade.code).where(Trade.event_id == world.event_id).order_by(Trade.position)
        ).scalars()
        assert list(codes) == ["ELEC", "WELD"]
    assert post(client, f"{_edit_path(world)}/move", {"direction": "sideways"}).status_code == 400
