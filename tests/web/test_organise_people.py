"""Organisers manage units and their contacts, judges and their accounts, and panels."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.package import read_package
from contest.events.models import Event, Judge, PanelMember, Trade, Unit, unit_contacts
from contest.packages import importing
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import Score, TradeResultRecord
from tests.conftest import login, post
from tests.factories import make_event, make_trade, make_user
from tests.packages import small_package
from tests.web.test_organise_browser import page_form


def _one(app, model, **where):
    with app.app_context():
        query = sa.select(model).filter_by(**where)
        row = db.session.execute(query).scalar_one_or_none()
        if row is not None:
            db.session.expunge(row)
        return row


def _audit(app, action):
    with app.app_context():
        return (
            db.session.execute(
                sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )


def _contacts(app, unit_id):
    with app.app_context():
        return sorted(
            db.session.execute(
                sa.select(User.username)
                .join(unit_contacts, unit_contacts.c.user_id == User.id)
                .where(unit_contacts.c.unit_id == unit_id)
            ).scalars()
        )


def _id(app, model, **where):
    with app.app_context():
        return db.session.execute(sa.select(model.id).filter_by(**where)).scalar_one()


# --- units ---------------------------------------------------------------------------------------


def test_add_and_edit_a_unit(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/units"
    page = client.get(path).get_data(as_text=True)
    assert "A区总工会" in page and "B区总工会" in page
    response = post(client, path, {"code": "HY", "name": "市化工产业工会", "kind": "industry"})
    assert response.status_code == 302
    unit = _one(app, Unit, code="HY")
    assert (unit.name, unit.kind.value, unit.event_id) == (
        "市化工产业工会",
        "industry",
        world.event_id,
    )
    (entry,) = _audit(app, "unit.create")
    assert entry.new == {"code": "HY", "name": "市化工产业工会", "kind": "industry"}

    path = f"/organise/events/{world.event_id}/units/{unit.id}"
    data = page_form(client, path) | {"name": "市石化产业工会"}
    assert client.post(path, data=data).status_code == 302
    assert _one(app, Unit, code="HY").name == "市石化产业工会"
    (entry,) = _audit(app, "unit.update")
    assert (entry.old, entry.new) == ({"name": "市化工产业工会"}, {"name": "市石化产业工会"})


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "A", "name": "重复", "kind": "district"}, "code", "代码“A”在本赛事中已被使用"),
        ({"code": "", "name": "无代码", "kind": "district"}, "code", "为必填项"),
        ({"code": "X" * 33, "name": "长代码", "kind": "district"}, "code", "超过 32 个字符"),
        ({"code": "HY", "name": "", "kind": "district"}, "name", "为必填项"),
        ({"code": "HY", "name": "单位", "kind": "club"}, "kind", "不是有效的选择"),
    ],
)
def test_bad_units_are_refused(app, client, world, data, field, message):
    login(client, "organiser")
    response = post(client, f"/organise/events/{world.event_id}/units", data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    start = page.index(f'id="{field}"')
    assert message in page[start : start + 1500]
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Unit)).scalar_one() == 2


def test_a_new_unit_code_is_carried_into_the_results(app, client):
    with app.app_context():
        make_user(Role.ORGANISER, username="organiser")
        package = read_package(json.loads(json.dumps(small_package()), parse_float=Decimal))
        event = importing.import_package(package).event
        db.session.commit()
        event_id = event.id
        u1 = db.session.execute(sa.select(Unit.id).where(Unit.code == "U1")).scalar_one()
    login(client, "organiser")
    path = f"/organise/events/{event_id}/units/{u1}"
    assert client.post(path, data=page_form(client, path) | {"code": "U1X"}).status_code == 302
    with app.app_context():
        document = results.results_for(db.session.get(Event, event_id))
    assert document["units"][0] == {
        "code": "U1X",
        "rank": 1,
        "points": 10,
        "gold": 2,
        "silver": 0,
        "bronze": 0,
    }


# --- contacts ------------------------------------------------------------------------------------

CONTACT = {
    "contact-username": "xh.contact",
    "contact-name": "钱联络",
    "contact-phone": "13900001111",
    "contact-password": "welcome-2026",
}


def test_create_a_contact_who_then_sees_the_unit(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/units/{world.unit_b}/contacts"
    response = post(client, path, CONTACT)
    assert response.status_code == 302
    user = _one(app, User, username="xh.contact")
    assert (user.role, user.name, user.phone) == (Role.UNIT_CONTACT, "钱联络", "13900001111")
    assert _contacts(app, world.unit_b) == ["other-contact", "xh.contact"]
    assert [e.new for e in _audit(app, "unit.contact_add")] == [
        {"user": "xh.contact", "name": "钱联络"}
    ]
    assert _audit(app, "user.create")[0].new["role"] == "unit_contact"
    other = app.test_client()
    assert login(other, "xh.contact", "welcome-2026").status_code == 302
    assert other.get(f"/unit/{world.unit_b}").status_code == 200
    assert other.get(f"/unit/{world.unit_a}").status_code == 403


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"contact-username": "judge"}, "contact-username", "该用户名已被使用"),
        (
            {"contact-username": "钱 联络"},
            "contact-username",
            "只能使用字母、数字、点、短横线或下划线",
        ),
        ({"contact-password": "12345678"}, "contact-password", "须同时包含字母和数字或符号"),
        ({"contact-password": "short1"}, "contact-password", "6"),
        ({"contact-phone": "12345"}, "contact-phone", "请输入11位手机号码"),
        ({"contact-name": ""}, "contact-name", "该字段是必填字段"),
    ],
)
def test_bad_contacts_are_refused(app, client, world, change, field, message):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/units/{world.unit_b}/contacts"
    response = post(client, path, {**CONTACT, **change})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    start = page.index(f'id="{field}"')
    assert message in page[start : start + 1000]
    assert _contacts(app, world.unit_b) == ["other-contact"]
    assert _one(app, User, username="xh.contact") is None


def test_reset_a_contacts_password_and_remove_the_link(app, client, world):
    login(client, "organiser")
    contact = _id(app, User, username="other-contact")
    base = f"/organise/events/{world.event_id}/units/{world.unit_b}/contacts/{contact}"
    response = post(client, f"{base}/password", {"password": "short"})
    assert response.status_code == 400
    assert post(client, f"{base}/password", {"password": "new-pass-2026"}).status_code == 302
    (entry,) = _audit(app, "user.password_reset")
    assert entry.entity_id == str(contact)
    assert login(app.test_client(), "other-contact", "new-pass-2026").status_code == 302

    assert post(client, f"{base}/remove").status_code == 302
    assert _contacts(app, world.unit_b) == []
    assert _one(app, User, username="other-contact") is not None  # the account stays
    (entry,) = _audit(app, "unit.contact_remove")
    assert entry.old == {"user": "other-contact", "name": entry.old["name"]}


def test_a_contact_of_another_unit_is_not_found_here(app, client, world):
    login(client, "organiser")
    contact = _id(app, User, username="unit_contact")  # a contact of unit A
    base = f"/organise/events/{world.event_id}/units/{world.unit_b}/contacts/{contact}"
    assert client.get(f"{base}/password").status_code == 404
    assert post(client, f"{base}/remove").status_code == 404
    assert post(client, f"{base}/password", {"password": "new-pass-2026"}).status_code == 404


def test_link_an_existing_contact_account(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/units/{world.unit_b}/contacts/link"
    assert post(client, path, {"link-username": "Unit_Contact"}).status_code == 302
    assert _contacts(app, world.unit_b) == ["other-contact", "unit_contact"]
    for username, message in (
        ("nobody", "没有账号“nobody”"),
        ("judge", "这是“裁判”账号，不是单位联络员账号"),
        ("unit_contact", "“unit_contact”已是本单位的联络员"),
    ):
        response = post(client, path, {"link-username": username})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        start = page.index('id="link-username"')
        assert message in page[start : start + 800]
    assert _contacts(app, world.unit_b) == ["other-contact", "unit_contact"]


# --- judges --------------------------------------------------------------------------------------


def test_add_and_edit_a_judge(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/judges"
    data = {"code": "J9", "name": "孙裁判", "unit": str(world.unit_a), "phone": "13700001111"}
    response = post(client, path, data)
    assert response.status_code == 302
    judge = _one(app, Judge, code="J9")
    assert (judge.name, judge.unit_id, judge.phone) == ("孙裁判", world.unit_a, "13700001111")
    assert response.headers["Location"] == f"{path}/{judge.id}"
    (entry,) = _audit(app, "judge.create")
    assert entry.new["unit"] == "A"

    form = page_form(client, f"{path}/{judge.id}")
    assert form["unit"] == str(world.unit_a)
    response = client.post(f"{path}/{judge.id}", data=form | {"unit": "", "name": "孙国强"})
    assert response.status_code == 302
    judge = _one(app, Judge, code="J9")
    assert (judge.name, judge.unit_id) == ("孙国强", None)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"code": "J1"}, "code", "代码“J1”在本赛事中已被使用"),
        ({"name": ""}, "name", "为必填项"),
        ({"name": "名" * 101}, "name", "超过 100 个字符"),
        ({"phone": "0571-1234"}, "phone", "请输入11位手机号码"),
        ({"unit": "999999"}, "unit", "不是有效的选择"),
    ],
)
def test_bad_judges_are_refused(app, client, world, change, field, message):
    login(client, "organiser")
    data = {"code": "J9", "name": "孙裁判", "unit": "", "phone": ""}
    response = post(client, f"/organise/events/{world.event_id}/judges", {**data, **change})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    start = page.index(f'id="{field}"')
    assert message in page[start : start + 1500]
    assert _one(app, Judge, code="J9") is None


def test_a_judges_new_unit_changes_recusal_in_the_results(app, client, world):
    login(client, "organiser")
    j1 = _id(app, Judge, code="J1")
    with app.app_context():
        e1 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E1")).scalar_one()
        trade = db.session.get(Trade, world.weld)
        db.session.add(
            Score(
                entrant=e1,
                criterion=trade.components[1].criteria[0],
                judge=db.session.get(Judge, j1),
                value=Decimal(40),
            )
        )
        db.session.commit()
    path = f"/organise/events/{world.event_id}/judges/{j1}"
    assert (
        client.post(path, data=page_form(client, path) | {"unit": str(world.unit_a)}).status_code
        == 302
    )
    with app.app_context():
        payload = str(db.session.get(TradeResultRecord, world.weld).payload)
        assert "E1" in payload


# --- judges' accounts ----------------------------------------------------------------------------


def test_create_an_account_for_a_judge(app, client, world):
    login(client, "organiser")
    j9 = post(client, f"/organise/events/{world.event_id}/judges", {"code": "J9", "name": "孙裁判"})
    judge_id = int(j9.headers["Location"].rsplit("/", 1)[1])
    path = f"/organise/events/{world.event_id}/judges/{judge_id}/account"
    data = {
        "account-username": "sun.judge",
        "account-role": "judge",
        "account-password": "judge-2026",
    }
    assert post(client, path, data).status_code == 302
    judge = _one(app, Judge, code="J9")
    user = _one(app, User, username="sun.judge")
    assert judge.user_id == user.id and user.role == Role.JUDGE and user.name == "孙裁判"
    (entry,) = _audit(app, "judge.account")
    assert entry.new == {"user": "sun.judge"}
    assert login(app.test_client(), "sun.judge", "judge-2026").status_code == 302


def test_a_chief_judge_needs_a_chief_judge_account(app, client, world):
    login(client, "organiser")
    j1 = _id(app, Judge, code="J1")  # chairs WELD, account "chief_judge"
    base = f"/organise/events/{world.event_id}/judges/{j1}/account"
    # The chair's account cannot become a plain judge account.
    response = post(client, f"{base}/role", {"role-role": "judge"})
    assert response.status_code == 400
    assert "J1 担任裁判长，其账号须为裁判长账号" in response.get_data(as_text=True)
    assert _one(app, User, username="chief_judge").role == Role.CHIEF_JUDGE
    # Nor can a plain judge account be linked to the chair.
    assert post(client, f"{base}/unlink").status_code == 302
    assert _one(app, Judge, code="J1").user_id is None
    response = post(client, f"{base}/link", {"link-username": "other-judge"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "J1 担任裁判长" in page or "已属于本赛事的裁判 J3" in page
    response = post(
        client,
        base,
        {"account-username": "new.j1", "account-role": "judge", "account-password": "judge-2026"},
    )
    assert response.status_code == 400
    assert _one(app, User, username="new.j1") is None
    assert post(client, f"{base}/link", {"link-username": "chief_judge"}).status_code == 302
    assert _one(app, Judge, code="J1").user_id == _id(app, User, username="chief_judge")


def test_linking_and_role_changes(app, client, world):
    login(client, "organiser")
    with app.app_context():
        make_user(Role.JUDGE, username="spare.judge")
        make_user(Role.ORGANISER, username="boss")
        db.session.commit()
    j9 = post(client, f"/organise/events/{world.event_id}/judges", {"code": "J9", "name": "孙裁判"})
    base = j9.headers["Location"] + "/account"
    for username, message in (
        ("boss", "这是“组委会”账号，不是裁判账号"),
        ("other-judge", "该账号已属于本赛事的裁判 J3"),
    ):
        response = post(client, f"{base}/link", {"link-username": username})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert post(client, f"{base}/link", {"link-username": "spare.judge"}).status_code == 302
    assert post(client, f"{base}/role", {"role-role": "chief_judge"}).status_code == 302
    assert _one(app, User, username="spare.judge").role == Role.CHIEF_JUDGE
    (entry,) = _audit(app, "user.role")
    assert (entry.old, entry.new) == ({"role": "judge"}, {"role": "chief_judge"})
    assert post(client, f"{base}/password", {"password": "reset-2026"}).status_code == 302
    assert login(app.test_client(), "spare.judge", "reset-2026").status_code == 302


# --- panels --------------------------------------------------------------------------------------


def _panel(app, trade_id):
    with app.app_context():
        return sorted(
            (code, chief)
            for code, chief in db.session.execute(
                sa.select(Judge.code, PanelMember.is_chief)
                .join(PanelMember, PanelMember.judge_id == Judge.id)
                .where(PanelMember.trade_id == trade_id)
            )
        )


def test_seat_judges_and_choose_the_chief(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/trades/{world.elec}/panel"
    form = page_form(client, path)
    j1, j2, j3 = (_id(app, Judge, code=c) for c in ("J1", "J2", "J3"))
    assert form["judges"] == str(j3) and form["chief"] == ""
    version = form["version"]  # the trade's version the page was loaded on
    response = post(
        client, path, {"judges": [str(j2), str(j3)], "chief": str(j1), "version": version}
    )
    assert response.status_code == 302
    assert _panel(app, world.elec) == [("J1", True), ("J2", False), ("J3", False)]
    (entry,) = _audit(app, "trade.panel")
    assert entry.old == {"judges": ["J3"], "chief": None}
    assert entry.new == {"judges": ["J1", "J2", "J3"], "chief": "J1"}
    # The chief's new panel is his to run: J1's account now chairs ELEC too.
    chief = app.test_client()
    login(chief, "chief_judge")
    assert "裁判组进度" in chief.get(f"/judging/trades/{world.elec}").get_data(as_text=True)


def test_a_chief_judge_with_a_judge_account_is_refused(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/trades/{world.weld}/panel"
    j1, j2 = _id(app, Judge, code="J1"), _id(app, Judge, code="J2")
    loaded = page_form(client, path)["version"]
    response = post(
        client, path, {"judges": [str(j1), str(j2)], "chief": str(j2), "version": loaded}
    )
    assert response.status_code == 400
    assert "J2 担任裁判长，其账号须为裁判长账号" in response.get_data(as_text=True)
    assert _panel(app, world.weld) == [("J1", True), ("J2", False)]


def test_a_judge_with_scores_stays_on_the_panel(app, client, world):
    with app.app_context():
        e1 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E1")).scalar_one()
        j2 = db.session.execute(sa.select(Judge).where(Judge.code == "J2")).scalar_one()
        criterion = db.session.get(Trade, world.weld).components[1].criteria[0]
        db.session.add(Score(entrant=e1, criterion=criterion, judge=j2, value=Decimal(30)))
        db.session.commit()
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/trades/{world.weld}/panel"
    j1 = _id(app, Judge, code="J1")
    loaded = page_form(client, path)["version"]
    response = post(client, path, {"judges": [str(j1)], "chief": str(j1), "version": loaded})
    assert response.status_code == 400
    assert "裁判 J2 已在本工种录入成绩，不能移出" in response.get_data(as_text=True)
    assert _panel(app, world.weld) == [("J1", True), ("J2", False)]


def test_leaving_a_panel_also_leaves_its_component_panels(app, client, world):
    login(client, "organiser")
    edit = f"/organise/events/{world.event_id}/trades/{world.weld}"
    j1, j2 = _id(app, Judge, code="J1"), _id(app, Judge, code="J2")
    data = page_form(client, edit) | {"components-1-judges": [str(j1), str(j2)]}
    assert client.post(edit, data=data).status_code == 302
    loaded = page_form(client, f"{edit}/panel")["version"]
    response = post(
        client, f"{edit}/panel", {"judges": [str(j1)], "chief": str(j1), "version": loaded}
    )
    assert response.status_code == 302
    with app.app_context():
        practical = db.session.get(Trade, world.weld).components[1]
        assert [j.code for j in practical.judges] == ["J1"]


def test_a_judge_of_another_event_cannot_be_seated(app, client, world):
    with app.app_context():
        other = make_event("other-games")
        trade = make_trade(other, "X")
        stranger = Judge(event=other, code="Z1", name="外人")
        db.session.add(stranger)
        db.session.commit()
        stranger_id = stranger.id
        del trade
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/trades/{world.weld}/panel"
    response = post(client, path, {"judges": [str(stranger_id)], "chief": ""})
    assert response.status_code == 400
    assert _panel(app, world.weld) == [("J1", True), ("J2", False)]
