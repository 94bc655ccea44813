"""Sitting the theory exam in a real browser (EXAMS.md §4): an entrant signs in on a phone,
answers, loses the network and answers on (the answers wait on the phone), moves to a tablet
and resumes where the server stands, answers there; the phone's queued answers come back
when its network does and are refused where the tablet answered later — so every answer
counts exactly once. The proctor extends the entrant's time on the console, the entrant
hands in with the confirmation, and the organiser's results page shows the theory score."""

from __future__ import annotations

import io
import json
import re

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.exams.models import ExamAnswer, ExamSetting, ExamSitting, exam_proctors
from contest.packages import importing
from contest.registration.models import Entrant
from tests.browser.conftest import log_in, serve
from tests.conftest import PASSWORD
from tests.factories import make_user
from tests.web.test_exam_sitting import ID_E3, sitting_package

playwright_api = pytest.importorskip("playwright.sync_api", exc_type=ImportError)
expect = playwright_api.expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(database_url, _schema):
    def seed():
        package = importing.read_file(io.BytesIO(json.dumps(sitting_package()).encode()))
        importing.import_package(package)
        setting = db.session.execute(sa.select(ExamSetting)).scalar_one()
        setting.opened_at = utcnow()
        proctor = make_user(Role.PROCTOR, username="proctor")
        make_user(Role.ORGANISER, username="organiser")
        db.session.flush()
        db.session.execute(exam_proctors.insert().values(exam_id=setting.id, user_id=proctor.id))
        db.session.commit()
        return {"exam": setting.id, "trade": setting.trade_id}

    with serve(database_url, seed) as site:
        yield site


def sign_in(screen) -> None:
    screen.goto("/exam/exam-games/")
    screen.page.get_by_label("准考证号").fill("E3")
    screen.page.get_by_label("身份证号后 4 位").fill(ID_E3[-4:])
    screen.page.get_by_role("button", name="进入考试").click()
    expect(screen.page.locator("#exam-clock")).to_be_visible()


def question(page, number: int):
    return page.locator(f"#q{number}")


def number_of(page, code: str) -> int:
    return int(page.locator(f'[data-item="{code}"]').get_attribute("data-number"))


def choose(page, code: str, bank_label: str) -> None:
    """Choose the option with the bank's label (shown at the entrant's own position)."""
    number = number_of(page, code)
    page.locator(f'#exam-map [data-map="{code}"]').click()
    question(page, number).locator(f'input[value="{bank_label}"]').check()


def stored(live_server) -> dict[str, tuple[object, int]]:
    with live_server.app.app_context():
        rows = db.session.execute(
            sa.select(ExamAnswer.item_code, ExamAnswer.response, ExamAnswer.revision)
            .join(Entrant, Entrant.id == ExamAnswer.entrant_id)
            .where(Entrant.code == "E3")
        ).all()
        db.session.remove()
    return {item: (response, revision) for item, response, revision in rows}


def test_an_exam_sat_on_a_phone_and_finished_on_a_tablet(open_screen, live_server, screenshot):
    phone = open_screen("phone")
    sign_in(phone)
    page = phone.page
    phone.assert_no_horizontal_overflow()
    # One question per screen on the phone; the map shows what is answered.
    choose(page, "Q01", "B")
    expect(page.locator('#exam-map [data-map="Q01"]')).to_have_class(re.compile(r"\banswered\b"))
    expect(question(page, number_of(page, "Q01")).locator(".exam-saved")).to_have_text("已保存")
    choose(page, "Q02", "A")
    expect(question(page, number_of(page, "Q02")).locator(".exam-saved")).to_have_text("已保存")
    assert stored(live_server) == {"Q01": ("B", 1), "Q02": ("A", 1)}

    # The network goes: answers wait on the phone, and the page says so.
    page.context.set_offline(True)
    choose(page, "Q02", "C")  # changed on the phone, not sent
    page.locator('#exam-map [data-map="Q04"]').click()
    question(page, number_of(page, "Q04")).locator('input[value="true"]').check()
    expect(page.locator("#exam-unsent")).to_have_text("2 个答案未发送")
    screenshot(phone, "exam-phone-offline")
    assert stored(live_server) == {"Q01": ("B", 1), "Q02": ("A", 1)}

    # The entrant moves to a tablet: the paper resumes as the server has it.
    tablet = open_screen("tablet-portrait")
    sign_in(tablet)
    sheet = tablet.page
    expect(question(sheet, number_of(sheet, "Q01")).locator('input[value="B"]')).to_be_checked()
    expect(question(sheet, number_of(sheet, "Q02")).locator('input[value="A"]')).to_be_checked()
    sheet.locator("#exam-mode").click()  # the whole paper on the tablet
    question(sheet, number_of(sheet, "Q02")).locator('input[value="D"]').check()
    expect(question(sheet, number_of(sheet, "Q02")).locator(".exam-saved")).to_have_text("已保存")
    blanks = question(sheet, number_of(sheet, "Q05")).locator("input")
    blanks.nth(0).fill("氩气")
    blanks.nth(1).fill("直流正接")
    blanks.nth(1).blur()
    expect(question(sheet, number_of(sheet, "Q05")).locator(".exam-saved")).to_have_text("已保存")
    assert stored(live_server)["Q02"] == ("D", 2)

    # The phone's network is back: its Q04 counts; its Q02, made on the answer the tablet
    # replaced, is refused and the phone shows the tablet's.
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#exam-unsent")).to_be_hidden()
    expect(page.locator("#exam-message")).to_contain_text("另一台设备")
    expect(question(page, number_of(page, "Q02")).locator('input[value="D"]')).to_be_checked()
    answers = stored(live_server)
    assert answers["Q02"] == ("D", 2) and answers["Q04"] == (True, 1)
    assert set(answers) == {"Q01", "Q02", "Q04", "Q05"}

    # The proctor gives the entrant 10 more minutes.
    proctor = open_screen("tablet-landscape")
    log_in(proctor, "proctor", PASSWORD)
    proctor.goto(f"/proctor/exams/{live_server.facts['exam']}")
    row = proctor.page.locator('tr[data-entrant="E3"]')
    expect(row).to_contain_text("作答中")
    expect(row).to_contain_text("4 / 5")
    row.locator("summary").click()
    extend = row.locator("form").first
    extend.get_by_label("分钟").fill("10")
    extend.get_by_label("原因").fill("平板电脑故障更换设备")
    extend.get_by_role("button", name="延时").click()
    expect(proctor.page.locator(".flash-success")).to_contain_text("延时 10 分钟")
    expect(proctor.page.locator('tr[data-entrant="E3"]')).to_contain_text("延时 10 分钟")
    with live_server.app.app_context():
        assert db.session.execute(sa.select(ExamSitting.extra_seconds)).scalar_one() == 600
        db.session.remove()
    sheet.reload()
    expect(sheet.locator("#exam-clock")).to_have_text(re.compile(r"^1:(09|10):\d\d$"))  # 70 min

    # Hand in from the tablet: the confirmation names what is unanswered.
    sheet.get_by_role("button", name="交卷").click()
    dialog = sheet.locator("#exam-confirm")
    expect(dialog).to_contain_text("还有 1 题未作答")
    screenshot(tablet, "exam-confirm")
    dialog.get_by_role("button", name="确认交卷").click()
    expect(sheet.get_by_role("heading", name="你已交卷")).to_be_visible()
    expect(sheet.locator("#exam-done")).to_contain_text("你共作答 4 题")

    # The organiser's results page carries the theory score: Q01 2, Q02 0, Q03 blank 0,
    # Q04 2, Q05 4 = 8 of 14 marks, of a theory maximum of 100.
    organiser = open_screen("desktop")
    log_in(organiser, "organiser", PASSWORD)
    organiser.goto(f"/results/trades/{live_server.facts['trade']}")
    expect(organiser.page.locator("body")).to_contain_text("57.14")
    for screen in (tablet, proctor, organiser):
        screen.assert_healthy()
    # The phone's only complaints are the saves tried without a network and the one refused.
    unexpected = [
        p
        for p in phone.watch.problems()
        if "ERR_INTERNET_DISCONNECTED" not in p
        and not ("409" in p and "/exam/exam-games/answers" in p)
    ]
    assert unexpected == []


def test_a_wrong_id_is_refused_in_chinese(open_screen, live_server):
    phone = open_screen("phone")
    phone.goto("/exam/exam-games/")
    phone.page.get_by_label("准考证号").fill("E3")
    phone.page.get_by_label("身份证号后 4 位").fill("0000")
    phone.page.get_by_role("button", name="进入考试").click()
    expect(phone.page.locator("body")).to_contain_text("准考证号或身份证号后 4 位不正确")
    assert phone.path() == "/exam/exam-games/"
