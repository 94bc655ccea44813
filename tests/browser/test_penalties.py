"""Recording a penalty on the chief judge's desk in a real browser, on a tablet and a phone:
choosing a kind fills in the trade's standard points (a static script, under the strict
CSP), the penalty comes off the mark and the ledger lists it; withdrawing it takes a
reason."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from contest.core.extensions import db
from contest.demo import DEMO_PASSWORD
from contest.events.models import Trade
from contest.registration.models import Entrant, RegistrationStatus
from tests.browser.conftest import log_in

playwright_api = pytest.importorskip("playwright.sync_api", exc_type=ImportError)
expect = playwright_api.expect

pytestmark = pytest.mark.browser


def _first_welder(live_server) -> tuple[int, int]:
    """The demo's welding trade gets a 扣分标准; the ids of its first competing entrant and
    of its first criterion."""
    with live_server.app.app_context():
        trade = db.session.get(Trade, live_server.facts.weld_trade_id)
        trade.penalty_points = {"安全文明生产": "5", "设备损坏": "0"}
        trade.disqualify_on = {"设备损坏": 2}
        entrant = (
            db.session.execute(
                sa.select(Entrant)
                .where(
                    Entrant.trade_id == trade.id,
                    Entrant.registration_status == RegistrationStatus.APPROVED,
                    Entrant.status.is_(None),
                    Entrant.station_no.is_not(None),
                )
                .order_by(Entrant.station_no)
            )
            .scalars()
            .first()
        )
        assert entrant is not None
        found = entrant.id, trade.criteria[0].id
        db.session.commit()
        return found


@pytest.mark.parametrize("viewport", ["tablet-portrait", "phone"])
def test_a_penalty_recorded_and_withdrawn_in_the_browser(
    open_screen, screenshot, live_server, viewport
):
    entrant, criterion = _first_welder(live_server)
    screen = open_screen(viewport)
    page = screen.page
    log_in(screen, "chief-weld", DEMO_PASSWORD)
    trade = live_server.facts.weld_trade_id
    screen.goto(f"/chief/trades/{trade}/entrants/{entrant}")

    form = page.locator("#add-penalty")
    kind = form.get_by_label("扣分类别")
    points = form.get_by_label("扣分", exact=True)
    kind.select_option("安全文明生产")
    expect(points).to_have_value("5")
    kind.select_option("设备损坏")
    expect(points).to_have_value("0")
    points.fill("3")  # typed by the chief judge: a kind chosen next leaves it alone
    kind.select_option("安全文明生产")
    expect(points).to_have_value("3")
    form.get_by_label("扣分项").select_option(f"criterion-{criterion}")
    form.get_by_label("原因", exact=True).fill("未戴护目镜")
    form.get_by_role("button", name="记录扣分").click()

    expect(page.locator(".flash-success")).to_contain_text("已记录扣分")
    expect(page.locator("#penalties")).to_contain_text("未戴护目镜")
    expect(page.locator("#values .deductions")).to_contain_text("安全文明生产 −3（未戴护目镜）")
    screenshot(screen, viewport)
    screen.assert_no_horizontal_overflow()
    screen.assert_healthy()

    row = page.locator("#penalties tr.chief-penalty").last
    row.get_by_text("撤销该扣分").click()
    row.get_by_label("撤销原因").fill("录错选手")
    row.get_by_role("button", name="确认撤销").click()
    expect(page.locator(".flash-success")).to_contain_text("扣分已撤销")
    expect(page.locator("#penalties tr.chief-penalty").last).to_contain_text("已撤销")
    expect(page.locator("#values .deductions")).to_have_count(0)
    screen.assert_healthy()
