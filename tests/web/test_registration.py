"""Unit contacts register by form and by Excel roster; organisers review; the window holds."""

import io
import threading
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import sqlalchemy.orm
from openpyxl import load_workbook

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.stages import StageKind, StageState
from contest.events.models import Event, Trade, unit_contacts
from contest.registration.models import Entrant, RegistrationStatus
from contest.stages import services as stages
from contest.stages.models import StageWindow
from tests.conftest import csrf_token, login, post
from tests.factories import make_entrant, make_event, make_trade, make_unit, make_user
from tests.rosters import HEADER, person, roster_bytes, row


@pytest.fixture
def desk(app):
    """An event with registration open; WELD (quota 3 per unit, capacity 2000, age 18–60,
    at least 中级工) and ELEC (no limits); units A and B with a contact each."""
    with app.app_context():
        event = make_event(starts_on=date(2026, 5, 10))
        a, b = make_unit(event, "A", "甲区总工会"), make_unit(event, "B", "乙区总工会")
        weld = make_trade(event, "WELD", "焊工")
        weld.unit_quota, weld.capacity, weld.min_age, weld.max_age = 3, 2000, 18, 60
        weld.min_skill_level = "中级工"
        weld.min_entrants = 2
        make_trade(event, "ELEC", "电工")
        contact_a = make_user(Role.UNIT_CONTACT, username="contact-a")
        contact_b = make_user(Role.UNIT_CONTACT, username="contact-b")
        make_user(Role.ORGANISER, username="organiser")
        now = datetime.now(UTC)
        db.session.add(
            StageWindow(
                event=event, kind=StageKind.REGISTRATION, opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=1), state=StageState.OPEN,
            )
        )  # fmt: skip
        db.session.flush()
        db.session.execute(
            unit_contacts.insert(),
            [
                {"unit_id": a.id, "user_id": contact_a.id},
                {"unit_id": b.id, "user_id": contact_b.id},
            ],
        )
        db.session.commit()
        return SimpleNamespace(event=event.id, a=a.id, b=b.id, weld=weld.id)


def entry(n: int, **fields) -> dict:
    data = {
        "name": f"选手{n}", "id_number": person(n), "gender": "", "birth_date": "",
        "trade": "WELD", "skill_level": "高级工", "phone": "13800001111", "employer": "",
    }  # fmt: skip
    data.update(fields)
    return data


def entrants(app, **filters) -> list[Entrant]:
    with app.app_context():
        query = (
            sa.select(Entrant)
            .filter_by(**filters)
            .options(sa.orm.selectinload(Entrant.trade))
            .order_by(Entrant.id)
        )
        return list(db.session.execute(query).scalars())


def set_window(app, event_id: int, state: StageState) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(StageWindow).where(StageWindow.event_id == event_id).values(state=state)
        )
        db.session.commit()


# --- by form ----------------------------------------------------------------------------------


def test_contact_registers_an_entrant_by_form(app, client, desk):
    login(client, "contact-a")
    response = post(client, f"/unit/{desk.a}/entrants/new", entry(1))
    assert response.status_code == 302
    [saved] = entrants(app)
    assert saved.registration_status == RegistrationStatus.SUBMITTED
    assert (saved.gender.value, saved.birth_date) == ("M", date(1990, 1, 1))  # from the ID
    page = client.get(f"/unit/{desk.a}").get_data(as_text=True)
    assert "选手1" in page and "待审核" in page
    assert saved.id_number not in page and saved.masked_id_number in page
    with app.app_context():
        action = (
            db.session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
        )
        assert action == ["auth.login", "entrant.register"]


@pytest.mark.parametrize(
    "fields, field_error",
    [
        ({"id_number": person(1)[:-1] + "0"}, "校验码错误"),
        ({"birth_date": "1991-01-01"}, "与身份证号码不一致"),
        ({"gender": "F"}, "与身份证号码不一致"),
        ({"skill_level": "初级工"}, "该工种要求至少中级工"),
        ({"id_number": person(1, born=date(2010, 1, 1))}, "该工种最低 18 周岁"),
        ({"phone": "12345"}, "请输入11位手机号码"),
        ({"name": ""}, "该字段是必填字段"),
    ],
)
def test_form_refuses_bad_input_in_chinese(app, client, desk, fields, field_error):
    login(client, "contact-a")
    response = post(client, f"/unit/{desk.a}/entrants/new", entry(1, **fields))
    assert response.status_code == 400
    assert field_error in response.get_data(as_text=True)
    assert entrants(app) == []


def test_duplicates_across_units_are_refused(app, client, desk):
    login(client, "contact-b")
    assert post(client, f"/unit/{desk.b}/entrants/new", entry(1)).status_code == 302
    login(other := app.test_client(), "contact-a")
    response = post(other, f"/unit/{desk.a}/entrants/new", entry(1, trade="ELEC"))
    assert response.status_code == 400
    assert "此人已由单位 B 报名" in response.get_data(as_text=True)


def test_quota_per_unit(app, client, desk):
    login(client, "contact-a")
    for n in range(1, 4):
        assert post(client, f"/unit/{desk.a}/entrants/new", entry(n)).status_code == 302
    response = post(client, f"/unit/{desk.a}/entrants/new", entry(4))
    assert response.status_code == 400
    assert "超过工种 WELD 每单位限报 3 人" in response.get_data(as_text=True)
    assert len(entrants(app)) == 3


def test_quota_holds_with_two_tabs_at_once(app, desk):
    """Two submissions racing for the last place: exactly one wins."""
    with app.app_context():
        unit = db.session.get(Event, desk.event).units[0]
        trade = db.session.get(Trade, desk.weld)
        for n in (1, 2):
            make_entrant(trade, unit, f"E9{n}", id_number=person(90 + n))
        db.session.commit()
    tabs = [app.test_client() for _ in range(2)]
    tokens = []
    for tab in tabs:
        login(tab, "contact-a")
        tokens.append(csrf_token(tab, "/"))
    barrier, statuses = threading.Barrier(2), []

    def submit(tab, token, n):
        barrier.wait()
        response = tab.post(f"/unit/{desk.a}/entrants/new", data={**entry(n), "csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=(tabs[i], tokens[i], 10 + i)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 400]
    assert len(entrants(app, unit_id=desk.a)) == 3


def test_contact_cannot_touch_another_units_entrants(app, client, desk):
    login(client, "contact-b")
    post(client, f"/unit/{desk.b}/entrants/new", entry(1))
    [theirs] = entrants(app)
    login(client := app.test_client(), "contact-a")
    assert client.get(f"/unit/{desk.b}").status_code == 403
    assert client.get(f"/unit/{desk.b}/entrants/{theirs.id}").status_code == 403
    assert client.get(f"/unit/{desk.a}/entrants/{theirs.id}").status_code == 404
    response = post(client, f"/unit/{desk.b}/entrants/{theirs.id}/remove")
    assert response.status_code == 403
    assert post(client, f"/unit/{desk.a}/entrants/{theirs.id}/remove").status_code == 404
    assert len(entrants(app)) == 1


def test_editing_sends_the_registration_back_to_review(app, client, desk):
    login(client, "contact-a")
    post(client, f"/unit/{desk.a}/entrants/new", entry(1))
    [saved] = entrants(app)
    with app.app_context():
        db.session.execute(
            sa.update(Entrant).values(registration_status=RegistrationStatus.RETURNED,
                                      review_note="照片不清晰")
        )  # fmt: skip
        db.session.commit()
    response = post(
        client, f"/unit/{desk.a}/entrants/{saved.id}", entry(1, employer="新单位", name="选手一")
    )
    assert response.status_code == 302
    [changed] = entrants(app)
    assert (changed.name, changed.employer) == ("选手一", "新单位")
    assert changed.registration_status == RegistrationStatus.SUBMITTED
    assert changed.review_note is None


def test_withdrawing_a_registration(app, client, desk):
    login(client, "contact-a")
    post(client, f"/unit/{desk.a}/entrants/new", entry(1))
    [saved] = entrants(app)
    assert post(client, f"/unit/{desk.a}/entrants/{saved.id}/remove").status_code == 302
    assert entrants(app) == []


def test_team_registration(app, client, desk):
    login(client, "contact-a")
    response = post(
        client, f"/unit/{desk.a}/team",
        {"name": "甲区代表队", "leader_name": "王领队", "contact_phone": "13900001111"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/unit/{desk.a}").get_data(as_text=True)
    assert "甲区代表队" in page and "王领队" in page and "139****1111" in page
    bad = post(client, f"/unit/{desk.a}/team", {"name": "", "contact_phone": "1"})
    assert bad.status_code == 400


# --- the window ---------------------------------------------------------------------------------


def test_no_registration_after_the_window_closes(app, client, desk):
    with app.app_context():
        window = db.session.execute(
            sa.select(StageWindow).where(StageWindow.event_id == desk.event)
        ).scalar_one()
        closed_at = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)  # 17:30 in Shanghai
        assert stages.transition(window, StageState.CLOSED, None, at=closed_at)
        db.session.commit()
    login(client, "contact-a")
    response = post(client, f"/unit/{desk.a}/entrants/new", entry(1))
    assert response.status_code == 409
    assert "报名已截止" in response.get_data(as_text=True)
    assert "报名阶段已于 2026/4/1 17:30 关闭" in response.get_data(as_text=True)
    data = io.BytesIO(roster_bytes([row(1)]))
    upload = post(client, f"/unit/{desk.a}/roster", {"file": (data, "r.xlsx")},
                  content_type="multipart/form-data")  # fmt: skip
    assert upload.status_code == 409
    assert "报名阶段已于 2026/4/1 17:30 关闭" in upload.get_data(as_text=True)
    assert entrants(app) == []


def test_organisers_correct_after_closing_only_with_a_reason(app, client, desk):
    set_window(app, desk.event, StageState.CLOSED)
    login(client, "organiser")
    assert post(client, f"/unit/{desk.a}/entrants/new", entry(1)).status_code == 409
    response = post(client, f"/unit/{desk.a}/entrants/new", entry(1, reason="补报，经组委会同意"))
    assert response.status_code == 302
    with app.app_context():
        entry_ = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "entrant.register")
        ).scalar_one()
        assert entry_.reason == "补报，经组委会同意"


# --- by Excel roster ------------------------------------------------------------------------------


def upload(client, unit_id: int, data: bytes, name: str = "roster.xlsx", **fields):
    return post(
        client, f"/unit/{unit_id}/roster", {"file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )  # fmt: skip


def test_template_has_the_header_validation_and_instructions(client, desk):
    login(client, "contact-a")
    response = client.get(f"/unit/{desk.a}/roster-template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    response.close()
    form = book.worksheets[0]
    assert [c.value for c in form[1]] == HEADER
    ranges = {str(v.sqref).split(":")[0]: v for v in form.data_validations.dataValidation}
    assert ranges["C2"].formula1 == '"男,女"'
    assert ranges["E2"].type == "list" and "$B$2:$B$3" in ranges["E2"].formula1
    assert "高级技师" in ranges["F2"].formula1
    assert ranges["D2"].type == "date"
    trades = book.worksheets[1]
    assert [c.value for c in trades[2]][:2] == ["WELD", "焊工"]
    assert any("身份证号码" in (c.value or "") for c in book.worksheets[2]["A"])


def test_roster_upload_registers_everyone(app, client, desk):
    login(client, "contact-a")
    data = roster_bytes([row(1), row(2, trade="ELEC", level=None, gender=None, birth=None)])
    response = upload(client, desk.a, data)
    assert response.status_code == 302
    saved = entrants(app)
    assert [(e.name, e.trade.code) for e in saved] == [("选手1", "WELD"), ("选手2", "ELEC")]
    assert all(e.registration_status == RegistrationStatus.SUBMITTED for e in saved)


def test_a_500_row_roster_with_a_few_bad_rows_reports_all_and_saves_nothing(app, client, desk):
    with app.app_context():
        db.session.execute(sa.update(Trade).values(unit_quota=None))
        db.session.commit()
    rows = [row(n) for n in range(1, 501)]
    rows[9][1] = rows[9][1][:-1] + ("1" if rows[9][1][-1] != "1" else "2")  # check digit
    rows[99][2] = "女"  # disagrees with the ID number
    rows[199][4] = "厨师"  # no such trade
    rows[299][6] = "1380000"  # not a mobile number
    rows[399][1] = rows[0][1]  # the person of row 2 again
    rows[449][5] = "初级工"  # below the trade's minimum
    login(client, "contact-a")
    response = upload(client, desk.a, roster_bytes(rows))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for line in (
        "第 11 行 身份证号码：不是有效的身份证号码：校验码错误",
        "第 101 行 性别：与身份证号码不一致",
        "第 201 行 工种：“厨师”不是本赛事的工种",
        "第 301 行 手机号码：必须是11位手机号码",
        "第 401 行 身份证号码：与第 2 行为同一人",
        "第 451 行 技能等级：该工种要求至少中级工",
    ):
        assert line in page, line
    assert "第 401 行 出生日期：与身份证号码不一致" in page  # row 401 keeps its own birth date
    assert "6 行共有 7 个问题，未导入任何数据" in page
    assert entrants(app) == []


def test_a_clean_1000_row_roster_is_imported_at_once(app, client, desk):
    with app.app_context():
        db.session.execute(sa.update(Trade).values(unit_quota=None))
        db.session.commit()
    login(client, "contact-a")
    data = roster_bytes([row(n) for n in range(1, 1001)])
    with app.app_context():
        commits = []

        def count(connection):
            commits.append(connection)

        token = csrf_token(client, "/")  # the page read for the token commits too
        sa.event.listen(db.engine, "commit", count)
        try:
            response = client.post(
                f"/unit/{desk.a}/roster",
                data={"csrf_token": token, "file": (io.BytesIO(data), "roster.xlsx")},
                content_type="multipart/form-data",
            )
        finally:
            sa.event.remove(db.engine, "commit", count)
    assert response.status_code == 302
    assert len(commits) == 1  # the whole roster in one transaction
    saved = entrants(app)
    assert len(saved) == 1000
    assert len({e.code for e in saved}) == 1000


@pytest.mark.parametrize(
    "change, message",
    [
        ({"id": 330102199001010011}, "第 2 行 身份证号码：Excel 将号码存成了数值"),
        ({"birth": "1990/01/01"}, "第 2 行 出生日期：必须是日期或 YYYY-MM-DD 格式"),
        ({"gender": "M"}, "第 2 行 性别：必须填“男”或“女”"),
        ({"level": "工程师"}, "第 2 行 技能等级：必须是初级工、中级工"),
        ({"name": None}, "第 2 行 姓名：为必填项"),
        ({"phone": None}, "第 2 行 手机号码：为必填项"),
        ({"trade": "WELD", "id": person(1, born=date(1960, 1, 1))}, "该工种最高 60 周岁"),
    ],
)
def test_each_roster_rule_is_reported_by_row_and_column(app, client, desk, change, message):
    login(client, "contact-a")
    values = row(1)
    keys = ["name", "id", "gender", "birth", "trade", "level", "phone", "employer"]
    for key, value in change.items():
        values[keys.index(key)] = value
    if "id" in change and isinstance(change["id"], str):
        values[3] = None  # let the birth date come from the ID
    response = upload(client, desk.a, roster_bytes([values]))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert entrants(app) == []


def test_quota_is_checked_across_the_roster(app, client, desk):
    login(client, "contact-a")
    response = upload(client, desk.a, roster_bytes([row(n) for n in range(1, 5)]))
    assert response.status_code == 400
    assert "第 5 行 工种：超过工种 WELD 每单位限报 3 人" in response.get_data(as_text=True)
    assert entrants(app) == []


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"not a workbook", "roster.xlsx", "文件无法读取：不是 Excel 工作簿"),
        (
            roster_bytes([row(1)], header=["姓名", "身份证"]),
            "roster.xlsx",
            "第一行必须是模板的表头",
        ),
        (roster_bytes([]), "roster.xlsx", "报名表中没有选手"),
        (b"a,b,c", "roster.csv", "请上传 .xlsx 格式的报名表"),
    ],
)
def test_unreadable_uploads_are_refused(app, client, desk, data, name, message):
    login(client, "contact-a")
    response = upload(client, desk.a, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert entrants(app) == []


def test_upload_without_a_file(client, desk):
    login(client, "contact-a")
    response = post(client, f"/unit/{desk.a}/roster", {}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "请选择要上传的文件" in response.get_data(as_text=True)


# --- review ------------------------------------------------------------------------------------


def test_organiser_approves_and_returns_with_a_reason(app, client, desk):
    login(client, "contact-a")
    for n in (1, 2):
        post(client, f"/unit/{desk.a}/entrants/new", entry(n))
    first, second = entrants(app)
    login(staff := app.test_client(), "organiser")
    page = staff.get(f"/registration/events/{desk.event}/review").get_data(as_text=True)
    assert "选手1" in page and first.id_number in page  # organisers see the full number

    no_reason = post(staff, f"/registration/events/{desk.event}/review",
                     {"entrant": [str(second.id)], "send_back": "1"})  # fmt: skip
    assert no_reason.status_code == 400
    assert "请填写退回原因" in no_reason.get_data(as_text=True)

    post(staff, f"/registration/events/{desk.event}/review",
         {"entrant": [str(first.id)], "approve": "1"})  # fmt: skip
    post(staff, f"/registration/events/{desk.event}/review",
         {"entrant": [str(second.id)], "send_back": "1", "reason": "技能证书不清晰"})  # fmt: skip
    first, second = entrants(app)
    assert first.registration_status == RegistrationStatus.APPROVED
    assert (second.registration_status, second.review_note) == (
        RegistrationStatus.RETURNED, "技能证书不清晰",
    )  # fmt: skip
    unit_page = client.get(f"/unit/{desk.a}").get_data(as_text=True)
    assert "已通过" in unit_page and "已退回" in unit_page and "技能证书不清晰" in unit_page
    with app.app_context():
        actions = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.reason).where(
                AuditEntry.action.in_(["entrant.approve", "entrant.return"])
            )
        ).all()
        assert sorted(actions) == [("entrant.approve", None), ("entrant.return", "技能证书不清晰")]


@pytest.mark.parametrize("role", ["contact-a", "judge", "chief"])
def test_only_staff_reach_the_registration_desk(app, client, desk, role):
    with app.app_context():
        if role != "contact-a":
            make_user(Role.JUDGE if role == "judge" else Role.CHIEF_JUDGE, username=role)
            db.session.commit()
    login(client, role)
    for path in (
        f"/registration/events/{desk.event}/review",
        f"/registration/events/{desk.event}/coverage",
        f"/registration/events/{desk.event}/coverage.xlsx",
        f"/registration/trades/{desk.weld}/draw",
        f"/registration/trades/{desk.weld}/stations.pdf",
        f"/registration/trades/{desk.weld}/check-in",
    ):
        assert client.get(path).status_code == 403, path


# --- coverage ---------------------------------------------------------------------------------


def test_coverage_shows_the_gaps(app, client, desk):
    login(client, "contact-a")
    post(client, f"/unit/{desk.a}/team", {"name": "甲区代表队"})
    post(client, f"/unit/{desk.a}/entrants/new", entry(1))
    login(staff := app.test_client(), "organiser")
    page = staff.get(f"/registration/events/{desk.event}/coverage").get_data(as_text=True)
    assert "未报名代表队的单位" in page and "乙区总工会" in page
    assert "焊工 — 1 人，最少需 2 人" in page
    response = staff.get(f"/registration/events/{desk.event}/coverage.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    response.close()
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("单位代码", "单位", "类型", "代表队", "焊工/3")
    assert rows[1][:5] == ("A", "甲区总工会", "县市区总工会", "是", 1)
    assert rows[2][:4] == ("B", "乙区总工会", "县市区总工会", "无代表队")
