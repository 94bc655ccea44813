"""The demo event in a real browser: the front page on phone, tablet and desktop, every role
logging in and out, the language switch, a judge's anonymous view, a refused login."""

from __future__ import annotations

import re

import pytest

from contest.demo import DEMO_PASSWORD, demo_logins
from tests.browser.conftest import VIEWPORTS, log_in

playwright_api = pytest.importorskip("playwright.sync_api", exc_type=ImportError)
expect = playwright_api.expect

pytestmark = pytest.mark.browser

EVENT_NAME = "滨江市第六届职工职业技能大赛"
#: An 18-character resident ID number in full (17 digits and a digit or X check character).
FULL_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
#: A masked ID number as the unit contact and the entrant see it: 3301**********1234.
MASKED_ID_NUMBER = re.compile(r"\b3301\*{10}[0-9]{3}[0-9X]\b")
#: How a judge sees an entrant: station number · anonymous code (W for the welding trade).
JUDGE_LABEL = re.compile(r"^[0-9]{2} · W[0-9]{3}$")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_front_page_fits_every_screen(open_screen, screenshot, viewport):
    screen = open_screen(viewport)
    screen.goto("/")
    page = screen.page

    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("link", name=EVENT_NAME)).to_be_visible()
    expect(page.get_by_role("link", name="登录")).to_be_visible()
    expect(page.get_by_role("button", name="中文")).to_have_attribute("aria-current", "true")
    screenshot(screen, viewport)

    screen.assert_no_horizontal_overflow()
    screen.assert_healthy()


ROLE_HOMES = {
    # username: (path, check of the home page)
    "admin": ("/admin/", "平台管理"),
    "organiser": ("/organise/", "赛事"),
    "unit-jc": ("/unit/{jc_unit_id}", "江城区总工会"),
    "chief-weld": ("/judging/", "我的裁判组"),
    "judge-weld": ("/judging/", "我的裁判组"),
    "entrant": ("/me/", "我的参赛"),
    "proctor": ("/proctor/", "监考"),
}


@pytest.mark.parametrize("account", demo_logins(), ids=lambda login: login.role.value)
def test_demo_login_lands_on_its_home_and_logs_out(open_screen, screenshot, live_server, account):
    facts = live_server.facts
    screen = open_screen("tablet-portrait")
    page = screen.page
    log_in(screen, account.username, account.password)

    path, heading = ROLE_HOMES[account.username]
    expect(page).to_have_url(live_server.url + path.format(jc_unit_id=facts.jc_unit_id))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator(".site-header .who")).to_contain_text(account.name)
    check_home(screen, account.username, facts)
    screenshot(screen, f"{account.role.value}-tablet")
    screen.assert_no_horizontal_overflow()
    screen.assert_healthy()

    page.locator(".site-header").get_by_role("button", name="退出").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator(".flash")).to_have_text("您已退出登录。")
    expect(page.get_by_role("link", name="登录")).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_have_count(0)
    screen.goto(path.format(jc_unit_id=facts.jc_unit_id))
    expect(page).to_have_url(re.compile(r"/login\b"))  # the home is closed again
    screen.assert_healthy()


def check_home(screen, username: str, facts) -> None:
    """What each role must find on its own home page."""
    page = screen.page
    content = page.locator("main")
    if username == "admin":
        table = content.locator("section", has=page.get_by_role("heading", name="账号"))
        for login in demo_logins():
            expect(table.get_by_role("cell", name=login.username, exact=True)).to_be_visible()
    elif username == "organiser":
        expect(content.get_by_role("link", name=EVENT_NAME)).to_be_visible()
    elif username == "unit-jc":
        expect(content.get_by_text(EVENT_NAME)).to_be_visible()
        text = screen.text()
        masked = MASKED_ID_NUMBER.findall(text)
        assert len(masked) == len(facts.jc_id_numbers), masked
        assert FULL_ID_NUMBER.findall(text) == []
        assert [n for n in facts.jc_id_numbers if n in page.content()] == []
    elif username in ("chief-weld", "judge-weld"):
        tile = content.locator("a.tile", has_text="焊工")
        expect(tile).to_have_count(1)
        expect(tile).to_contain_text(EVENT_NAME)
        chief_badge = tile.locator(".badge-chief")
        if username == "chief-weld":
            expect(chief_badge).to_have_text("裁判长")
            expect(tile).to_contain_text("全组")
        else:
            expect(chief_badge).to_have_count(0)
    elif username == "entrant":
        card = content.locator("section.card", has_text="焊工")
        expect(card).to_contain_text(EVENT_NAME)
        expect(card).to_contain_text("江城区总工会")
        expect(card.locator("dd.mono")).to_have_text(MASKED_ID_NUMBER)
        assert FULL_ID_NUMBER.findall(screen.text()) == []
    elif username == "proctor":
        room = content.get_by_role("link", name=re.compile("砌筑工"))
        expect(room).to_have_count(1)
        expect(room).to_contain_text(EVENT_NAME)
        room.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("考场")
        expect(page.locator("table.proctor-room tbody tr").first).to_contain_text("未开始")
        page.go_back()


def test_language_switch_to_english_and_back(open_screen, screenshot):
    screen = open_screen("tablet-landscape")
    page = screen.page
    screen.goto("/")

    page.locator("button[name=lang][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(screen.base_url + "/")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Workers' skills contests and labour competitions"
    )
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("link", name="登录")).to_have_count(0)
    screenshot(screen, "english")
    screen.assert_healthy()

    # The choice sticks for the rest of the visit.
    page.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_label("Username")).to_be_visible()

    page.locator("button[name=lang][value=zh_Hans_CN]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page).to_have_url(screen.base_url + "/login")  # back on the page it was asked from
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.get_by_label("用户名")).to_be_visible()
    screenshot(screen, "chinese")
    screen.assert_healthy()


def test_judge_taps_into_their_trade_and_sees_no_names(open_screen, screenshot, live_server):
    facts = live_server.facts
    screen = open_screen("tablet-portrait")
    page = screen.page
    log_in(screen, "judge-weld", DEMO_PASSWORD)
    expect(page).to_have_url(live_server.url + "/judging/")

    page.locator("a.tile", has_text="焊工").tap()
    expect(page).to_have_url(f"{live_server.url}/judging/trades/{facts.weld_trade_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("焊工")
    sheets = page.locator(".sheet .station")
    expect(sheets).to_have_count(len(facts.weld_judge_labels))
    labels = sheets.all_inner_texts()
    assert labels == list(facts.weld_judge_labels)
    assert all(JUDGE_LABEL.match(label) for label in labels), labels
    screenshot(screen, "judge-tablet")

    text = screen.text()
    html = page.content()
    shown = sorted(name for name in facts.entrant_names if name in text or name in html)
    assert shown == [], "entrant names visible to a judge"
    screen.assert_no_horizontal_overflow()
    screen.assert_healthy()


def test_wrong_password_is_refused_in_chinese(open_screen, screenshot):
    screen = open_screen("phone")
    page = screen.page
    screen.watch.expected_statuses.add(401)
    log_in(screen, "admin", "not-the-password")

    expect(page.locator(".flash-error")).to_have_text("用户名或密码错误。")
    expect(page).to_have_url(screen.base_url + "/login")
    assert screen.watch.documents[-1] == (401, screen.base_url + "/login")
    expect(page.get_by_label("用户名")).to_have_value("admin")
    expect(page.get_by_label("密码")).to_have_value("")
    expect(page.get_by_role("button", name="退出")).to_have_count(0)
    screenshot(screen, "phone")
    screen.assert_no_horizontal_overflow()
    screen.assert_healthy()
