"""The appeals screens: the team leader files, the chief judge (or the arbitration group)
decides, the organisers decide 公示 objections; each for the right role only, every refusal
with its status and a Chinese message, and nothing changed by a refusal."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.appeals import services as appeals
from contest.appeals.models import Appeal
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.events.models import Trade
from contest.publication import notice
from contest.publication.models import Objection
from contest.registration.models import Entrant
from contest.stages import services as stages
from tests.conftest import login, post, race
from tests.factories import make_judge, make_trade, make_user, score_fully, sign_off
from tests.services import test_appeals, test_notice
from tests.services.test_appeals import TEXT, at


def clock(app, hours: float) -> None:
    with app.app_context():
        stages.apply_due(at(hours))
        db.session.commit()


@pytest.fixture
def w(app):
    """The appeals world of the service tests, as ids; plus an entrant's account and the
    chief judge of another trade."""
    with app.app_context():
        built = test_appeals.build()
        elec = make_trade(built.event, "ELEC", "电工")
        make_judge(elec, "J9", user=make_user(Role.CHIEF_JUDGE, username="elec-chief"), chief=True)
        make_user(Role.ENTRANT, username="entrant")
        db.session.commit()
        return SimpleNamespace(
            event=built.event.id,
            weld=built.weld.id,
            elec=elec.id,
            a=built.a.id,
            b=built.b.id,
            e1=built.e1.id,
            e2=built.e2.id,
            e3=built.e3.id,
            chief=built.chief.id,
        )


def as_user(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def appeals_now(app) -> list[tuple[str, str, str | None]]:
    """Every appeal as (entrant code, status, reason)."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Entrant.code, Appeal.status, Appeal.decision_reason)
            .join(Entrant, Entrant.id == Appeal.entrant_id)
            .order_by(Appeal.id)
        ).all()
        return [(code, status.value, reason) for code, status, reason in rows]


def audit_count(app, prefix: str) -> int:
    with app.app_context():
        return db.session.execute(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action.startswith(prefix))
        ).scalar_one()


def text(response) -> str:
    return response.get_data(as_text=True)


def file(client, w, entrant_id, body=TEXT, unit=None):
    return post(
        client,
        f"/appeals/units/{unit or w.a}/entrants/{entrant_id}",
        {f"appeal-{entrant_id}-text": body},
    )


# --- who may see what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username, unit_page, weld_page, elec_page, event_page",
    [
        ("contact", 200, 403, 403, 403),
        ("other-contact", 403, 403, 403, 403),
        ("chief", 403, 200, 403, 403),
        ("elec-chief", 403, 403, 200, 403),
        ("j1", 403, 403, 403, 403),
        ("entrant", 403, 403, 403, 403),
        ("organiser", 200, 200, 200, 200),
    ],
)
def test_each_page_for_its_roles_only(
    app, w, username, unit_page, weld_page, elec_page, event_page
):
    client = as_user(app, username)
    assert client.get(f"/appeals/units/{w.a}").status_code == unit_page
    assert client.get(f"/appeals/trades/{w.weld}").status_code == weld_page
    assert client.get(f"/appeals/trades/{w.elec}").status_code == elec_page
    assert client.get(f"/appeals/events/{w.event}/objections").status_code == event_page


def test_anonymous_visitors_are_sent_to_log_in(app, w):
    client = app.test_client()
    for path in (f"/appeals/units/{w.a}", f"/appeals/trades/{w.weld}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_objects_are_404(app, w):
    client = as_user(app, "organiser")
    for path in (
        "/appeals/units/999999",
        "/appeals/trades/999999",
        "/appeals/events/999/objections",
    ):
        assert client.get(path).status_code == 404


# --- the team leader -------------------------------------------------------------------------


def test_the_team_leader_files_an_appeal_and_sees_its_state(app, w):
    clock(app, 57)
    client = as_user(app, "contact")
    page = text(client.get(f"/appeals/units/{w.a}"))
    assert "申诉进行中" in page and "张伟" in page
    assert "李娜" not in page  # unit B's entrant
    assert "王强" not in page  # not approved: not competing
    assert f'name="appeal-{w.e1}-text"' in page

    response = file(client, w, w.e1)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/appeals/units/{w.a}#entrant-{w.e1}")
    assert appeals_now(app) == [("E1", "pending", None)]
    page = text(client.get(f"/appeals/units/{w.a}"))
    assert "已提交 张伟 的申诉。" in page
    assert TEXT in page and "待裁决" in page and "张领队 于" in page
    assert f'name="appeal-{w.e1}-text"' not in page  # one appeal per entrant: no second form


def test_the_decision_shows_on_the_team_leaders_page(app, w):
    clock(app, 57)
    file(as_user(app, "contact"), w, w.e1)
    chief = as_user(app, "chief")
    appeal_id = only_appeal(app)
    decided = decide(chief, w, appeal_id, "rejected", "经复核录像，评分无误")
    assert decided.status_code == 302
    page = text(as_user(app, "contact").get(f"/appeals/units/{w.a}"))
    assert "不成立" in page and "理由：经复核录像，评分无误" in page
    assert "王裁判长 于" in page  # who decided, and when


@pytest.mark.parametrize(
    "moments, message",
    [
        ((50,), "申诉阶段尚未开放，将于 2026/5/3 17:00 开放。"),
        ((57, 60), "申诉阶段已于 2026/5/3 21:00 关闭。"),
    ],
    ids=["not-yet-open", "closed"],
)
def test_outside_the_appeal_window_the_filing_is_refused(app, w, moments, message):
    for hours in moments:
        clock(app, hours)
    client = as_user(app, "contact")
    page = text(client.get(f"/appeals/units/{w.a}"))
    assert "不在申诉期" in page and message in page
    assert f'name="appeal-{w.e1}-text"' not in page
    response = file(client, w, w.e1)
    assert response.status_code == 409
    assert "申诉未提交：" + message in text(response)
    assert appeals_now(app) == [] and audit_count(app, "appeal.") == 0


def test_a_second_appeal_is_refused(app, w):
    clock(app, 57)
    client = as_user(app, "contact")
    assert file(client, w, w.e1).status_code == 302
    response = file(client, w, w.e1, "第二份申诉：理论成绩登记有误，请核对。")
    assert response.status_code == 409
    assert "已为该选手提交过申诉，每名选手只能申诉一次。" in text(response)
    assert appeals_now(app) == [("E1", "pending", None)]
    assert audit_count(app, "appeal.file") == 1


@pytest.mark.parametrize("body", ["太短", "          ", "字" * 2001])
def test_an_appeal_too_short_or_too_long_is_refused(app, w, body):
    clock(app, 57)
    response = file(as_user(app, "contact"), w, w.e1, body)
    assert response.status_code == 400
    page = text(response)
    assert page.count("申诉内容应为 10 至 2000 个字。") == 2  # flashed, and under the field
    assert appeals_now(app) == []


def test_no_appeal_for_another_units_entrant_or_from_another_unit(app, w):
    clock(app, 57)
    contact = as_user(app, "contact")
    assert file(contact, w, w.e2).status_code == 404  # B's entrant under A's page
    assert file(contact, w, w.e2, unit=w.b).status_code == 403  # B's page
    assert file(contact, w, 999999).status_code == 404
    response = file(contact, w, w.e3)  # A's entrant, not approved
    assert response.status_code == 404
    assert "该选手未参赛，不能提出申诉。" in text(response)
    assert file(as_user(app, "chief"), w, w.e1).status_code == 403
    assert appeals_now(app) == []


def test_staff_may_file_for_a_unit(app, w):
    clock(app, 57)
    assert file(as_user(app, "organiser"), w, w.e1).status_code == 302
    assert appeals_now(app) == [("E1", "pending", None)]


def test_two_tabs_filing_at_once_leave_one_appeal(app, w):
    clock(app, 57)
    tabs = [as_user(app, "contact"), as_user(app, "contact")]
    answers = race([lambda c=c: file(c, w, w.e1).status_code for c in tabs])
    assert sorted(answers) == [302, 409]
    assert appeals_now(app) == [("E1", "pending", None)]
    assert audit_count(app, "appeal.file") == 1


def test_a_filing_that_loses_the_race_at_the_database_is_409(app, w, monkeypatch):
    """The moment between the duplicate check and the insert: the unique constraint decides."""
    clock(app, 57)
    client = as_user(app, "contact")
    assert file(client, w, w.e1).status_code == 302
    monkeypatch.setattr(appeals, "appeal_for", lambda entrant: None)  # the check saw nothing
    response = file(client, w, w.e1, "另一个标签页里写的申诉内容。")
    assert response.status_code == 409
    assert "已为该选手提交过申诉，每名选手只能申诉一次。" in text(response)
    assert appeals_now(app) == [("E1", "pending", None)]


# --- the chief judge -------------------------------------------------------------------------


def only_appeal(app) -> int:
    with app.app_context():
        return db.session.execute(sa.select(Appeal.id)).scalar_one()


def decide(client, w, appeal_id, decision, reason, trade=None):
    prefix = f"appeal-{appeal_id}"
    return post(
        client,
        f"/appeals/trades/{trade or w.weld}/appeals/{appeal_id}",
        {f"{prefix}-decision": decision, f"{prefix}-reason": reason},
    )


@pytest.fixture
def filed(app, w):
    """E1's appeal filed at 57 h; scoring and appeals closed (61 h); WELD signed off."""
    clock(app, 57)
    assert file(as_user(app, "contact"), w, w.e1).status_code == 302
    clock(app, 61)
    with app.app_context():
        trade = db.session.get(Trade, w.weld)
        trade.locked_at, trade.locked_by_id = utcnow(), w.chief
        db.session.commit()
    return only_appeal(app)


def test_the_chief_judge_sees_the_appeals_without_entrant_names(app, w, filed):
    page = text(as_user(app, "chief").get(f"/appeals/trades/{w.weld}"))
    assert TEXT in page and "01 · A001" in page and "张领队 于" in page
    assert "张伟" not in page  # judges see station codes, never names
    assert "申诉成立" in page and "驳回申诉" in page and "待裁决" in page
    staff = text(as_user(app, "organiser").get(f"/appeals/trades/{w.weld}"))
    assert "张伟" in staff  # the arbitration group sees who it is


def test_an_upheld_appeal_unlocks_the_trade_and_links_to_the_desk(app, w, filed):
    chief = as_user(app, "chief")
    response = decide(chief, w, filed, "upheld", "录像显示评分有误，同意复核")
    assert response.status_code == 302
    assert appeals_now(app) == [("E1", "upheld", "录像显示评分有误，同意复核")]
    with app.app_context():
        assert db.session.get(Trade, w.weld).locked_at is None
    page = text(chief.get(f"/appeals/trades/{w.weld}"))
    assert "01 · A001 的申诉成立，本工种已解除锁定。请在裁判长工作台" in page
    assert f'href="/chief/trades/{w.weld}/entrants/{w.e1}"' in page
    assert "退回评分表重评" in page
    assert chief.get(f"/chief/trades/{w.weld}/entrants/{w.e1}").status_code == 200
    assert audit_count(app, "trade.unlock") == 1 and audit_count(app, "appeal.decide") == 1


def test_a_rejected_appeal_keeps_the_trade_locked(app, w, filed):
    response = decide(as_user(app, "chief"), w, filed, "rejected", "评分无误")
    assert response.status_code == 302
    assert appeals_now(app) == [("E1", "rejected", "评分无误")]
    with app.app_context():
        assert db.session.get(Trade, w.weld).locked_at is not None
    assert audit_count(app, "trade.unlock") == 0


@pytest.mark.parametrize(
    "decision, reason, message",
    [
        ("upheld", "", "请填写裁决理由。"),
        ("upheld", "   ", "请填写裁决理由。"),
        ("", "同意复核", "请选择裁决结果。"),
        ("maybe", "同意复核", None),
    ],
)
def test_a_decision_without_a_reason_or_a_choice_is_refused(
    app, w, filed, decision, reason, message
):
    response = decide(as_user(app, "chief"), w, filed, decision, reason)
    assert response.status_code == 400
    if message:
        assert message in text(response)
    assert appeals_now(app) == [("E1", "pending", None)]
    with app.app_context():
        assert db.session.get(Trade, w.weld).locked_at is not None


def test_an_appeal_is_decided_once(app, w, filed):
    chief = as_user(app, "chief")
    assert decide(chief, w, filed, "rejected", "评分无误").status_code == 302
    response = decide(as_user(app, "organiser"), w, filed, "upheld", "仲裁组改判")
    assert response.status_code == 409
    assert "该申诉已作出裁决。" in text(response)
    assert appeals_now(app) == [("E1", "rejected", "评分无误")]


def publish_at_100(app, w) -> None:
    """Every result complete and both trades signed off, then the publication instant."""
    with app.app_context():
        weld, elec = db.session.get(Trade, w.weld), db.session.get(Trade, w.elec)
        score_fully(weld)
        sign_off(weld, elec)
        db.session.commit()
    clock(app, 100)


def test_no_decision_after_the_results_are_published(app, w, filed):
    publish_at_100(app, w)
    chief = as_user(app, "chief")
    page = text(chief.get(f"/appeals/trades/{w.weld}"))
    assert "不能再裁决申诉" in page and f'name="appeal-{filed}-reason"' not in page
    response = decide(chief, w, filed, "upheld", "同意复核")
    assert response.status_code == 409
    assert "成绩已公布，不能再裁决申诉。" in text(response)
    assert appeals_now(app) == [("E1", "pending", None)]


def test_deciding_is_for_this_trades_chief_judge_or_staff(app, w, filed):
    for username in ("elec-chief", "j1", "contact", "entrant"):
        assert decide(as_user(app, username), w, filed, "upheld", "同意").status_code == 403
    elec_chief = as_user(app, "elec-chief")
    assert decide(elec_chief, w, filed, "upheld", "同意", trade=w.elec).status_code == 404
    assert appeals_now(app) == [("E1", "pending", None)]
    assert decide(as_user(app, "organiser"), w, filed, "upheld", "仲裁组同意").status_code == 302
    assert appeals_now(app) == [("E1", "upheld", "仲裁组同意")]


# --- the organisers: objections --------------------------------------------------------------


@pytest.fixture
def objected(app):
    """The notice world with the list published (80 h) and an objection to E1's gold."""
    with app.app_context():
        built = test_notice.build()
        make_user(Role.CHIEF_JUDGE, username="chief")
        make_user(Role.UNIT_CONTACT, username="contact")
        stages.apply_due(at(80))
        objection = notice.file(built.event, "gold", "E1", "王五", "13912345678", test_notice.TEXT)
        db.session.commit()
        return SimpleNamespace(event=built.event.id, objection=objection.id)


def decide_objection(client, o, decision, reason, to=""):
    prefix = f"objection-{o.objection}"
    return post(
        client,
        f"/appeals/events/{o.event}/objections/{o.objection}",
        {f"{prefix}-decision": decision, f"{prefix}-reason": reason, f"{prefix}-new_award": to},
    )


def objection_now(app, o):
    with app.app_context():
        row = db.session.get(Objection, o.objection)
        return (row.status.value, row.action.value if row.action else None, row.new_award_code)


def final_section(page: str) -> str:
    return page[page.index('id="final"') : page.index('id="appeals"')]


def test_the_organisers_see_the_objection_and_the_final_lists(app, objected):
    page = text(as_user(app, "organiser").get(f"/appeals/events/{objected.event}/objections"))
    assert "王五（电话 13912345678）于" in page  # organisers see the full phone
    assert test_notice.TEXT in page and "金牌工人" in page and "选手E1" in page
    assert "拟表彰名单已于" in page
    final = final_section(page)
    assert final.count("<code>E1</code>") == 2  # on the gold and the prize lists
    for role in ("chief", "contact"):
        client = as_user(app, role)
        assert client.get(f"/appeals/events/{objected.event}/objections").status_code == 403


def test_an_upheld_removal_changes_the_final_lists(app, objected):
    client = as_user(app, "organiser")
    response = decide_objection(client, objected, "remove", "经核实，资格不符")
    assert response.status_code == 302
    assert objection_now(app, objected) == ("upheld", "remove", None)
    page = text(client.get(f"/appeals/events/{objected.event}/objections"))
    assert "异议成立，已从名单中取消该提名。" in page
    assert "E1 已从金牌工人中取消" in page
    assert final_section(page).count("<code>E1</code>") == 1  # only on prize now


def test_an_upheld_move_needs_the_target_list(app, objected):
    client = as_user(app, "organiser")
    response = decide_objection(client, objected, "change", "改评技术能手")
    assert response.status_code == 400
    assert "请选择要调整到的其他奖项名单。" in text(response)
    assert objection_now(app, objected) == ("pending", None, None)
    response = decide_objection(client, objected, "change", "改评技术能手", "platinum")
    assert response.status_code == 400  # not one of the event's award lists
    assert objection_now(app, objected) == ("pending", None, None)
    response = decide_objection(client, objected, "change", "改评技术能手", "expert")
    assert response.status_code == 302
    assert objection_now(app, objected) == ("upheld", "change", "expert")
    page = text(client.get(f"/appeals/events/{objected.event}/objections"))
    assert "异议成立，该提名调整到技术能手。" in page
    assert "E1 由金牌工人调整到技术能手" in page


def test_a_rejected_objection_needs_a_reason_and_changes_no_list(app, objected):
    client = as_user(app, "organiser")
    response = decide_objection(client, objected, "rejected", "")
    assert response.status_code == 400
    assert "请填写裁决理由。" in text(response)
    assert objection_now(app, objected) == ("pending", None, None)
    before = final_section(text(client.get(f"/appeals/events/{objected.event}/objections")))
    assert decide_objection(client, objected, "rejected", "资格符合").status_code == 302
    page = text(client.get(f"/appeals/events/{objected.event}/objections"))
    assert "异议不成立，维持原提名。" in page
    assert objection_now(app, objected) == ("rejected", None, None)
    assert final_section(page) == before


def test_an_objection_is_decided_once_and_not_after_publication(app, objected):
    client = as_user(app, "organiser")
    assert decide_objection(client, objected, "rejected", "资格符合").status_code == 302
    response = decide_objection(client, objected, "remove", "改判")
    assert response.status_code == 409
    assert "该异议已作出处理决定。" in text(response)
    assert objection_now(app, objected) == ("rejected", None, None)


def test_no_objection_decision_after_the_results_are_published(app, objected):
    clock(app, 100)
    client = as_user(app, "organiser")
    response = decide_objection(client, objected, "remove", "资格不符")
    assert response.status_code == 409
    assert "成绩已公布，不能再处理异议。" in text(response)
    assert objection_now(app, objected) == ("pending", None, None)


def test_only_the_organisers_decide_objections(app, objected):
    for username in ("chief", "contact"):
        response = decide_objection(as_user(app, username), objected, "remove", "资格不符")
        assert response.status_code == 403
    assert objection_now(app, objected) == ("pending", None, None)


def test_the_hubs_link_to_the_appeal_pages(app, w):
    organiser = as_user(app, "organiser")
    hub = text(organiser.get(f"/organise/events/{w.event}"))
    assert f'href="/appeals/events/{w.event}/objections"' in hub
    assert f'href="/appeals/units/{w.a}"' in text(as_user(app, "contact").get(f"/unit/{w.a}"))
    assert f'href="/appeals/trades/{w.weld}"' in text(
        as_user(app, "chief").get(f"/chief/trades/{w.weld}")
    )
