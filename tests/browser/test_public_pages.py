"""The public pages of last year's demo event (finished and published) in a real browser, on
a phone: the event home, a trade's results with its score-distribution chart (drawn by
Chart.js under the strict CSP), the award lists and the 公示 with its objection form; plus the
venue screen on a desktop. Full-page screenshots go to ``test-artifacts/public-*.png``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contest.core.extensions import db
from contest.demo import PAST_SLUG
from contest.domain.stages import StageKind, StageState
from contest.events import services as events
from contest.stages import services as stages
from tests.browser.conftest import Screen

playwright_api = pytest.importorskip("playwright.sync_api", exc_type=ImportError)
expect = playwright_api.expect

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HOME = f"/e/{PAST_SLUG}/"
#: A resident ID number in full (17 digits and a digit or X).
FULL_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
#: Any non-transparent pixel in the canvas: Chart.js has drawn on it.
DRAWN = """
(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
  return false;
}
"""


@pytest.fixture(scope="module")
def published(live_server):
    """Last year's demo games — every trade signed off, its nominations and results
    published — with its 公示 open again, so that an objection can be filed. (This year's
    games cannot be published: their trades are still being scored.)"""
    with live_server.app.app_context():
        event = events.event_by_slug(PAST_SLUG)
        window = stages.window(event, StageKind.PUBLIC_NOTICE)
        stages.transition(window, StageState.OPEN, None, "浏览器测试")
        db.session.commit()
        db.session.remove()
    return live_server


def save(screen: Screen, name: str) -> None:
    """A full-page screenshot as ``test-artifacts/public-<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screen.page.screenshot(path=str(ARTIFACTS / f"public-{name}.png"), full_page=True)


def check(screen: Screen, name: str) -> None:
    """Healthy (no errors, no CSP violations), fits the screen, shows no ID number."""
    screen.page.wait_for_load_state("load")  # after a click, the stylesheet may still load
    screen.assert_healthy()
    screen.assert_no_horizontal_overflow()
    assert not FULL_ID_NUMBER.search(screen.text()), name
    save(screen, name)


def test_public_pages_on_a_phone(open_screen, published):
    screen = open_screen("phone")
    page = screen.page

    screen.goto(HOME)
    expect(page.get_by_role("heading", name="赛程")).to_be_visible()
    expect(page.get_by_role("link", name="获奖名单").first).to_be_visible()
    check(screen, "home")

    page.get_by_role("link", name="焊工").first.click()
    expect(page.get_by_role("heading", name="焊工成绩")).to_be_visible()
    canvas = page.locator("canvas#score-distribution")
    expect(canvas).to_have_attribute("data-drawn", "true")
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    assert canvas.evaluate(DRAWN)
    assert page.evaluate("() => Chart.getChart('score-distribution') !== undefined")
    check(screen, "results")

    page.get_by_role("navigation", name="本赛事页面").get_by_role("link", name="获奖名单").click()
    expect(page.get_by_role("heading", name="获奖名单", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="下载 PDF")).to_have_attribute(
        "href", f"/e/{PAST_SLUG}/awards.pdf"
    )
    check(screen, "awards")

    page.get_by_role("navigation", name="本赛事页面").get_by_role("link", name="公示").click()
    expect(page.get_by_role("heading", name="拟表彰人选公示")).to_be_visible()
    check(screen, "notice")


def test_an_objection_from_a_phone(open_screen, published):
    screen = open_screen("phone")
    page = screen.page
    screen.goto(f"/e/{PAST_SLUG}/notice")
    page.get_by_role("link", name="提出异议").click()
    page.get_by_label("异议对象（拟表彰人选）").select_option(index=1)
    page.get_by_label("您的真实姓名").fill("钱学真")
    page.get_by_label("电话").fill("139 1234 5678")
    page.get_by_label("异议内容").fill("该选手的实操成绩与现场情况不符，请组委会核实。")
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_text("您的异议已提交")).to_be_visible()
    assert "13912345678" not in screen.text()
    check(screen, "notice-objection-sent")


def test_the_lookup_and_the_venue_screen(open_screen, published):
    phone = open_screen("phone")
    phone.goto(f"/e/{PAST_SLUG}/lookup")
    phone.page.get_by_label("姓名").fill("没有此人")
    phone.page.get_by_label("身份证号码后四位").fill("1234")
    phone.page.get_by_role("button", name="查询").click()
    expect(phone.page.get_by_text("未找到已公布的成绩")).to_be_visible()
    check(phone, "lookup")

    desktop = open_screen("desktop")
    desktop.goto(f"/e/{PAST_SLUG}/screen")
    refresh = desktop.page.locator('meta[http-equiv="refresh"]')
    expect(refresh).to_have_attribute("content", re.compile(r"^30; url=/e/.+/screen\?page=\d+$"))
    expect(desktop.page.get_by_role("heading", name="奖牌榜")).to_be_visible()
    desktop.assert_healthy()
    desktop.assert_no_horizontal_overflow()
    save(desktop, "screen")
