"""One contest walked through in a real browser, from registration to publication, by the
people who run it — the organiser (laptop), a unit contact (phone), two judges (tablets),
the chief judge (tablet) and the public (phone) — each in a browser of their own:

1. the unit contact registers four welders on the unit page;
2. registration closes and the review opens: the organiser approves two, returns one with
   a reason (the unit corrects and resubmits it, the organiser approves it) and returns
   another;
3. the draw; the last one, corrected and approved after it, awaits a station until the
   organiser's top-up gives it one, everyone else's station and code unchanged;
4. check-in (one welder absent: DNS), scoring opens, the judges score on their tablets;
5. the chief judge switches double entry on for the second trade (电工), whose values were
   submitted on tablets: the desk asks to confirm how many, the judges' tablets turn
   read-only and say why; a paper value both clerks agree on but the tablet contradicts
   waits for the chief judge, who keeps the tablet's; 电工 is signed off;
6. the organiser's preview while 焊工 is not locked lists it and offers no confirmation;
7. the chief judge locks 焊工; an appeal is upheld, which unlocks it: a preview opened
   just before is refused when confirmed, naming the trade; the one sheet sent back opens
   on its judge's tablet although scoring has closed (no other sheet does), is scored
   again, and the trade is locked again;
8. the results are published through the preview; the public pages show them and a
   certificate's verify page says it is genuine;
9. a published medallist is not withdrawn (a page opened before the lock is refused with
   a message), the certificate still verifies; the publication is withdrawn with a reason
   (the public page says so) and published again, the certificates kept.

The windows are opened and closed on the organiser's timeline page. Only what the walk
does not show is set in the database: the event, its people and marking schemes, and the
second trade's field, drawn and checked in, and its judges' tablet values (entered through
the service the tablet's API calls). Every page is checked for console errors, script
errors and CSP violations; screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.core.extensions import db
from contest.domain import idcard
from contest.domain.scoring import CriterionKind, DeclaredStatus
from contest.domain.stages import StageKind, StageState
from contest.events.models import (
    AwardRule,
    Component,
    Criterion,
    Judge,
    PanelMember,
    Trade,
    unit_contacts,
)
from contest.judging import sheets
from contest.publication.models import Certificate
from contest.registration.models import Entrant, RegistrationStatus
from contest.results.models import Score
from contest.stages.models import StageWindow
from tests.browser.conftest import LiveSite, Screen, serve
from tests.conftest import PASSWORD
from tests.factories import make_entrant, make_event, make_judge, make_unit, make_user

playwright_api = pytest.importorskip("playwright.sync_api", exc_type=ImportError)
expect = playwright_api.expect

pytestmark = pytest.mark.browser

SLUG = "walk-2026"
EVENT_NAME = "滨江市第七届职工职业技能大赛"
UNIT = "江城区总工会"
WELD, ELEC = "焊工", "电工"


@dataclass(frozen=True)
class Welder:
    name: str
    born: date
    sequence: int
    gender: str
    phone: str

    @property
    def id_number(self) -> str:
        return idcard.build("330102", self.born, self.sequence, self.gender)


ZHANG = Welder("张伟", date(1985, 3, 12), 11, "M", "13912340001")
WANG = Welder("王芳", date(1990, 7, 8), 12, "F", "13912340002")
LI = Welder("李强", date(1988, 11, 20), 13, "M", "13912340003")
ZHAO = Welder("赵敏", date(1993, 2, 5), 14, "F", "13912340004")
WELDERS = [ZHANG, WANG, LI, ZHAO]

#: Each judge's values (P1 on the 0–3 scale, P2 in marks) for the welders who turn up.
VALUES = {
    "judge1": {ZHANG: (3, 65), LI: (2, 60), ZHAO: (2, 50)},
    "judge2": {ZHANG: (3, 63), LI: (2, 58), ZHAO: (1, 52)},
}
#: The value judge2 gives 李强's P2 when the sheet is sent back after the appeal.
RESCORED_P2 = 66


@dataclass(frozen=True)
class World:
    """What the walk needs to know of the data it starts from."""

    event_id: int
    unit_id: int
    weld_id: int
    elec_id: int


# --- the stage -------------------------------------------------------------------------------


def build() -> World:
    """The event before registration opens its doors: accounts for every role, 焊工 with no
    entrant yet and 电工 drawn with two entrants checked in (of another unit); registration
    open, every later window not yet open. Committed."""
    make_user(Role.ORGANISER, username="organiser", name="组委会办公室")
    contact = make_user(Role.UNIT_CONTACT, username="contact", name="江城区联络员")
    chief = make_user(Role.CHIEF_JUDGE, username="chief", name="陈国强")
    markers = [
        make_user(Role.JUDGE, username=f"judge{n}", name=name)
        for n, name in enumerate(("刘建华", "孙丽"), start=1)
    ]
    event = make_event(SLUG, name=EVENT_NAME, host="滨江市总工会")
    jc, hb = make_unit(event, "JC", UNIT), make_unit(event, "HB", "湖滨区总工会")
    weld = Trade(event=event, code="WELD", name=WELD, position=0)
    elec = Trade(event=event, code="ELEC", name=ELEC, position=1)
    db.session.add_all([weld, elec])
    chief_judge = make_judge(weld, "C1", user=chief, chief=True)
    judges = [make_judge(weld, f"J{n}", user=user) for n, user in enumerate(markers, start=1)]
    for judge, user in zip([chief_judge, *judges], [chief, *markers], strict=True):
        judge.name = user.name
    elec.panel.append(PanelMember(judge=chief_judge, is_chief=True))
    elec.panel.extend(PanelMember(judge=judge) for judge in judges)
    _mark(weld, judges, [
        Criterion(code="P1", name="焊缝外观", kind=CriterionKind.JUDGEMENT, scale=Decimal(3),
                  step=Decimal(1), max=Decimal(30)),
        Criterion(code="P2", name="尺寸精度", step=Decimal(1), max=Decimal(70)),
    ])  # fmt: skip
    _mark(elec, judges, [Criterion(code="P1", name="接线工艺", step=Decimal(1), max=Decimal(100))])
    for station, name in ((1, "周海涛"), (2, "吴秀兰")):
        make_entrant(elec, hb, f"E{station:04d}", station=station, name=name)
    elec.draw_seed, elec.drawn_at = "elec-seed", datetime.now(UTC)
    for position, (code, title, select, group) in enumerate(
        [("gold", "金牌工人", {"top": 1}, "title"), ("prize", "优胜奖", {"top": 3}, None)]
    ):
        db.session.add(AwardRule(event=event, position=position, code=code, title=title,
                                 select=select, group=group))  # fmt: skip
    now = datetime.now(UTC)
    for kind, opens, closes, state in [
        (StageKind.REGISTRATION, -1, 1, StageState.OPEN),
        (StageKind.REVIEW, 1, 3, StageState.PENDING),
        (StageKind.SCORING, 5, 6, StageState.PENDING),
        (StageKind.APPEAL, 6, 7, StageState.PENDING),
        (StageKind.PUBLISH, 10, None, StageState.PENDING),
    ]:
        db.session.add(StageWindow(
            event=event, kind=kind, state=state, opens_at=now + timedelta(days=opens),
            closes_at=now + timedelta(days=closes) if closes is not None else None,
        ))  # fmt: skip
    db.session.flush()
    db.session.execute(unit_contacts.insert(), [{"unit_id": jc.id, "user_id": contact.id}])
    db.session.commit()
    return World(event_id=event.id, unit_id=jc.id, weld_id=weld.id, elec_id=elec.id)


def _mark(trade: Trade, judges, criteria: list[Criterion]) -> None:
    """The trade's marking scheme: one practical component with ``criteria``, marked by
    ``judges`` (the chief judge sits on the panel, and decides on the desk, without
    marking)."""
    practical = Component(position=0, code="practical", name="实操", weight=Decimal(1))
    for position, criterion in enumerate(criteria):
        criterion.trade, criterion.position = trade, position
        practical.criteria.append(criterion)
    practical.judges = list(judges)
    trade.components.append(practical)


@pytest.fixture(scope="module")
def live_server(database_url, _schema) -> Iterator[LiveSite]:
    """This module's own small event (not the demo), served; the browsers keep the static
    files for the walk, as they do behind the production proxy (``expires 7d``), instead of
    asking for each again on every page."""
    with serve(database_url, build, SEND_FILE_MAX_AGE_DEFAULT=3600) as site:
        yield site


# --- reading the database (what the pages are checked against) -------------------------------


def in_db(site: LiveSite, read: Callable[[], object]):
    with site.app.app_context():
        try:
            return read()
        finally:
            db.session.remove()


def entrant(site: LiveSite, name: str) -> Entrant:
    def read():
        found = db.session.execute(sa.select(Entrant).where(Entrant.name == name)).scalar_one()
        db.session.expunge(found)
        return found

    return in_db(site, read)


def lots(site: LiveSite, trade_id: int) -> dict[str, tuple[int | None, str | None]]:
    """Every entrant of the trade: name → (station, anonymous code)."""
    return in_db(site, lambda: {
        name: (station, code)
        for name, station, code in db.session.execute(
            sa.select(Entrant.name, Entrant.station_no, Entrant.anon_code).where(
                Entrant.trade_id == trade_id
            )
        )
    })  # fmt: skip


def certificate_codes(site: LiveSite) -> dict[tuple[str, str], str]:
    """Every valid certificate: (award, name) → code."""
    return in_db(site, lambda: {
        (award, name): code
        for award, name, code in db.session.execute(
            sa.select(Certificate.award_code, Entrant.name, Certificate.code)
            .join(Entrant, Entrant.id == Certificate.entrant_id)
            .where(Certificate.revoked_at.is_(None))
        )
    })  # fmt: skip


#: What each judge submits on the tablet for the 电工 entrant at station 1 (one more at
#: station 2).
ELEC_VALUES = {"judge1": 81, "judge2": 82}


def tablet_values(site: LiveSite, trade_id: int) -> None:
    """Both judges score the 电工 entrants on their tablets, through the sheet API's
    service (the walk shows tablet scoring on 焊工)."""

    def enter():
        trade = db.session.get(Trade, trade_id)
        for username, value in ELEC_VALUES.items():
            user = db.session.execute(sa.select(User).filter_by(username=username)).scalar_one()
            for competing in trade.entrants:
                sheets.save(
                    user, trade, competing, "P1", Decimal(value + competing.station_no - 1), None
                )
                sheets.submit(user, trade, competing)
        db.session.commit()

    in_db(site, enter)


def at_station(site: LiveSite, trade_id: int, station: int) -> Entrant:
    def read():
        found = db.session.execute(
            sa.select(Entrant).filter_by(trade_id=trade_id, station_no=station)
        ).scalar_one()
        db.session.expunge(found)
        return found

    return in_db(site, read)


def j1_value(site: LiveSite, entrant_id: int) -> Decimal:
    """J1's value of the entrant's only criterion, as the results count it."""
    return in_db(site, lambda: db.session.execute(
        sa.select(Score.value)
        .join(Judge, Judge.id == Score.judge_id)
        .where(Score.entrant_id == entrant_id, Judge.code == "J1")
    ).scalar_one())  # fmt: skip


# --- what people do --------------------------------------------------------------------------


def person(open_screen, viewport: str, username: str) -> Screen:
    """A browser of one's own, logged in (the way there through the front page is the
    other browser tests' subject)."""
    screen = open_screen(viewport)
    screen.goto("/login")
    screen.page.get_by_label("用户名").fill(username)
    screen.page.get_by_label("密码").fill(PASSWORD)
    screen.page.get_by_role("button", name="登录").click()
    expect(screen.page.locator("header.site-header")).to_contain_text("退出")
    return screen


def arrive(screen: Screen, path: str) -> None:
    """Go to ``path``, unless the last step left the browser there."""
    if screen.path() != path:
        screen.goto(path)


def check(screen: Screen, screenshot, label: str) -> None:
    """A screenshot of the step, and nothing went wrong in the page."""
    screen.page.wait_for_load_state("load")
    screenshot(screen, label)
    screen.assert_no_horizontal_overflow()
    screen.assert_healthy()


def flash(screen: Screen, kind: str = "success"):
    return screen.page.locator(f".flash-{kind}")


def confirming(screen: Screen, click: Callable[[], None]) -> str:
    """Click a button that asks first (``data-confirm``), say yes; the question asked."""
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    screen.page.once("dialog", answer)
    click()
    screen.page.wait_for_load_state("load")
    assert len(asked) == 1, asked
    return asked[0]


def move_window(screen: Screen, world: World, stage: str, open_: bool, reason: str) -> None:
    """Open or close one of the event's windows by hand on the timeline, with a reason."""
    page = screen.page
    arrive(screen, f"/organise/events/{world.event_id}/timeline")
    card = page.locator("li.timeline-window").filter(
        has=page.get_by_role("heading", name=stage, exact=True)
    )
    card.get_by_label("原因").fill(reason)
    card.get_by_role("button", name="立即开启" if open_ else "立即关闭").click()
    state = "进行中" if open_ else "已关闭"
    expect(flash(screen)).to_have_text(f"{stage}：{state}。")
    expect(card.locator(".card-head .badge")).to_have_text(state)
    expect(card.locator("ul.transitions li").last).to_contain_text(reason)


def unit_row(screen: Screen, name: str):
    return screen.page.locator("table.entrants tbody tr", has_text=name)


def review_row(screen: Screen, name: str):
    return screen.page.locator("form.form tbody tr", has_text=name)


def review(screen: Screen, world: World, names: list[str], reason: str | None = None) -> None:
    """Approve (or, with a reason, return) the registrations of ``names``."""
    page = screen.page
    screen.goto(f"/registration/events/{world.event_id}/review")
    for name in names:
        page.get_by_role("checkbox", name=name, exact=True).check()
    if reason is None:
        page.get_by_role("button", name="通过所选").click()
        expect(flash(screen)).to_have_text(f"已通过 {len(names)} 条报名。")
    else:
        page.get_by_label("退回原因").fill(reason)
        page.get_by_role("button", name="退回所选").click()
        expect(flash(screen)).to_have_text(f"已退回 {len(names)} 条报名。")
    for name in names:
        expect(review_row(screen, name)).to_have_count(0)  # no longer awaiting review


def station_table(screen: Screen) -> list[list[str]]:
    """The draw page's stations: [station, code, entrant code, name, unit] per row."""
    rows = screen.page.locator("table[data-stations] tbody tr")
    return [row.locator("td").all_inner_texts() for row in rows.all()]


# --- the walk ---------------------------------------------------------------------------------


def test_a_contest_from_registration_to_publication(open_screen, screenshot, live_server):
    site, world = live_server, live_server.facts
    organiser = person(open_screen, "laptop", "organiser")
    contact = person(open_screen, "phone", "contact")
    public = open_screen("phone")

    register(site, world, contact, organiser, screenshot)
    draw_and_top_up(site, world, contact, organiser, screenshot)
    judges = score(site, world, open_screen, organiser, screenshot)
    chief = double_entry(site, world, open_screen, organiser, judges, screenshot)
    preview_before_the_lock(site, world, organiser, public, screenshot)
    appeal_and_rescore(site, world, contact, organiser, chief, judges, public, screenshot)
    codes = publish(site, world, organiser, public, screenshot)
    published_medallist(site, world, contact, organiser, public, codes, screenshot)
    for screen in (organiser, contact, public, chief, *judges.values()):
        screen.assert_healthy()


# 1–2. Registration, and a return during the review ------------------------------------------


def register(site, world, contact: Screen, organiser: Screen, screenshot) -> None:
    page = contact.page
    expect(page).to_have_url(f"{site.url}/unit/{world.unit_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(UNIT)
    expect(page.locator(".window-card .badge-open")).to_have_text("报名进行中")
    for welder in WELDERS:
        page.get_by_role("link", name="添加选手").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("报名选手")
        page.get_by_label("姓名", exact=True).fill(welder.name)
        page.get_by_label("身份证号码", exact=True).fill(welder.id_number)
        page.get_by_label("工种", exact=True).select_option(label=f"{WELD}（WELD）")
        page.get_by_label("技能等级", exact=True).select_option(label="高级工")
        page.get_by_label("手机号码", exact=True).fill(welder.phone)
        page.get_by_role("button", name="保存选手").click()
        expect(flash(contact)).to_have_text(f"{welder.name} 已报名，等待审核。")
        expect(unit_row(contact, welder.name).locator(".badge")).to_have_text("待审核")
    expect(
        page.get_by_role("heading", level=2).filter(has_text="选手").locator("small")
    ).to_have_text(str(len(WELDERS)))
    check(contact, screenshot, "1-registered-contact")

    # Registration closes and the review opens; two are approved, two returned.
    move_window(organiser, world, "报名", False, "报名截止")
    move_window(organiser, world, "审核", True, "开始资格审核")
    organiser.goto(f"/registration/events/{world.event_id}/review")
    expect(organiser.page.get_by_role("heading", level=1)).to_have_text("报名审核")
    for welder in WELDERS:
        expect(review_row(organiser, welder.name).locator(".badge")).to_have_text("待审核")
    check(organiser, screenshot, "2-review-pending-organiser")
    review(organiser, world, [ZHANG.name, WANG.name])
    review(organiser, world, [LI.name], "身份证照片不清晰，请重新上传")
    review(organiser, world, [ZHAO.name], "缺少技能等级证书，请补充")
    check(organiser, screenshot, "2-reviewed-organiser")

    # The unit sees the reason, corrects 李强's registration and resubmits it.
    page.reload()
    expect(page.locator(".window-card .badge-closed")).to_have_text("报名已截止")
    expect(page.locator(".window-card")).to_contain_text(
        "被退回修改的报名可在审核阶段结束前修改后重新提交"
    )
    expect(page.get_by_role("link", name="添加选手")).to_have_count(0)
    returned = unit_row(contact, LI.name)
    expect(returned.locator(".badge")).to_have_text("已退回")
    expect(returned.locator(".note")).to_have_text("身份证照片不清晰，请重新上传")
    for approved in (ZHANG, WANG):
        expect(unit_row(contact, approved.name).locator(".badge")).to_have_text("已通过")
        expect(unit_row(contact, approved.name).get_by_role("link", name="修改")).to_have_count(0)
    check(contact, screenshot, "2-returned-contact")
    returned.get_by_role("link", name="修改").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("修改报名信息")
    page.get_by_label("工作单位", exact=True).fill("滨江重工集团")
    page.get_by_role("button", name="保存选手").click()
    expect(flash(contact)).to_have_text(f"已更新 {LI.name} 的报名信息。")
    expect(unit_row(contact, LI.name).locator(".badge")).to_have_text("待审核")
    expect(unit_row(contact, LI.name).locator(".note")).to_have_count(0)
    check(contact, screenshot, "2-resubmitted-contact")

    review(organiser, world, [LI.name])
    statuses = {w.name: entrant(site, w.name).registration_status for w in WELDERS}
    assert statuses == {
        ZHANG.name: RegistrationStatus.APPROVED,
        WANG.name: RegistrationStatus.APPROVED,
        LI.name: RegistrationStatus.APPROVED,
        ZHAO.name: RegistrationStatus.RETURNED,
    }
    assert entrant(site, LI.name).employer == "滨江重工集团"


# 3. The draw, and a late approval ----------------------------------------------------------


def draw_and_top_up(site, world, contact: Screen, organiser: Screen, screenshot) -> None:
    page = organiser.page
    organiser.goto(f"/organise/events/{world.event_id}")
    page.locator("tr", has_text=WELD).get_by_role("link", name="抽签").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"抽签 · {WELD}")
    expect(page.locator("[data-counts]")).to_have_text("3 名已审核通过的选手")
    page.get_by_label("种子").fill("walk-draw-1")
    page.get_by_role("button", name="抽签").click()
    expect(flash(organiser)).to_have_text("已完成抽签，种子为 walk-draw-1。")
    expect(page.locator("[data-check] .badge")).to_have_text("工位号和加密号与种子一致")
    drawn = station_table(organiser)
    assert sorted(row[3] for row in drawn) == sorted([ZHANG.name, WANG.name, LI.name])
    check(organiser, screenshot, "3-drawn-organiser")
    before = lots(site, world.weld_id)

    # 赵敏's registration, returned before the draw, is corrected during the review…
    page_c = contact.page
    page_c.reload()
    unit_row(contact, ZHAO.name).get_by_role("link", name="修改").click()
    page_c.get_by_label("技能等级", exact=True).select_option(label="技师")
    page_c.get_by_role("button", name="保存选手").click()
    expect(flash(contact)).to_have_text(f"已更新 {ZHAO.name} 的报名信息。")
    expect(unit_row(contact, ZHAO.name).locator(".badge")).to_have_text("待审核")
    # …and approved after the draw: it awaits a station, and the draw is no longer settled.
    review(organiser, world, [ZHAO.name])
    organiser.goto(f"/registration/trades/{world.weld_id}/draw")
    expect(page.locator("[data-counts]")).to_have_text("4 名已审核通过，3 名已有工位，1 名等待工位")
    awaiting = page.locator("section#awaiting")
    expect(awaiting.get_by_role("heading")).to_have_text("抽签后审核通过、尚无工位（1 名）")
    expect(awaiting.locator("table[data-awaiting] tbody tr")).to_have_count(1)
    expect(awaiting.locator("table[data-awaiting] tbody")).to_contain_text(ZHAO.name)
    expect(page.locator("[data-check]")).not_to_contain_text("工位号和加密号与种子一致")
    expect(page.locator("[data-check] .badge")).to_have_text("抽签后参赛名单有变动")
    check(organiser, screenshot, "3-late-approval-organiser")
    organiser.goto(f"/registration/trades/{world.weld_id}/check-in")
    expect(page.locator("[data-awaiting]")).to_contain_text(ZHAO.name)
    expect(page.locator("li.checkin")).to_have_count(3)
    expect(page.locator("li.checkin", has_text=ZHAO.name)).to_have_count(0)

    # The top-up gives 赵敏 a station; nobody else's station or code changes.
    organiser.goto(f"/registration/trades/{world.weld_id}/draw")
    awaiting.get_by_label("种子").fill("walk-late-1")
    awaiting.get_by_role("button", name="为后来审核通过的选手补抽工位").click()
    expect(flash(organiser)).to_have_text(
        "已为 1 名后来审核通过的选手补抽工位，种子为 walk-late-1。"
    )
    expect(page.locator("section#awaiting")).to_have_count(0)
    expect(page.locator("[data-counts]")).to_have_text("4 名已审核通过，4 名已有工位，0 名等待工位")
    expect(page.locator("[data-check] .badge")).to_have_text("工位号和加密号与种子一致")
    after_table = station_table(organiser)
    assert [row for row in after_table if row[3] != ZHAO.name] == drawn
    assert [row[0] for row in after_table if row[3] == ZHAO.name] == ["4"]
    check(organiser, screenshot, "3-topped-up-organiser")
    after = lots(site, world.weld_id)
    assert {n: v for n, v in after.items() if n != ZHAO.name} == {
        n: v for n, v in before.items() if n != ZHAO.name
    }
    assert after[ZHAO.name][0] == 4 and after[ZHAO.name][1] not in {c for _, c in before.values()}

    # The check-in page now lists everyone; the door list too.
    organiser.goto(f"/registration/trades/{world.weld_id}/check-in")
    expect(page.locator("[data-awaiting]")).to_have_count(0)
    expect(page.locator("li.checkin")).to_have_count(4)
    expect(page.locator("[data-tally]")).to_have_text(
        "已检录 0 · 缺考 0 · 待检录 4 · 共 4 名有工位的选手"
    )
    door = page.request.get(f"{site.url}/registration/trades/{world.weld_id}/door-list.pdf")
    assert door.ok and door.body().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        listed = subprocess.run(["pdftotext", "-", "-"], input=door.body(), capture_output=True,
                                check=True).stdout.decode()  # fmt: skip
        assert all(w.name in listed for w in WELDERS) and "尚无工位" not in listed
    move_window(organiser, world, "审核", False, "资格审核结束")


# 4. Check-in and scoring on tablets ----------------------------------------------------------


def score(site, world, open_screen, organiser: Screen, screenshot) -> dict[str, Screen]:
    page = organiser.page
    organiser.goto(f"/registration/trades/{world.weld_id}/check-in")
    for welder in WELDERS:
        row = page.locator("li.checkin", has_text=welder.name)
        row.get_by_role("button", name="缺考" if welder is WANG else "到场").click()
        expect(flash(organiser)).to_contain_text(welder.name)
    expect(page.locator("[data-tally]")).to_have_text(
        "已检录 3 · 缺考 1 · 待检录 0 · 共 4 名有工位的选手"
    )
    check(organiser, screenshot, "4-checked-in-organiser")
    assert entrant(site, WANG.name).status == DeclaredStatus.DNS

    move_window(organiser, world, "评分", True, "实操比赛开始")
    tablet_values(site, world.elec_id)

    judges = {}
    for username, viewport in (("judge1", "tablet-portrait"), ("judge2", "tablet-landscape")):
        screen = judges[username] = person(open_screen, viewport, username)
        jp = screen.page
        expect(jp).to_have_url(site.url + "/judging/")
        jp.locator("a.tile", has_text=WELD).click()
        expect(jp.get_by_role("heading", level=1)).to_have_text(WELD)
        expect(jp.locator(".muted .badge")).to_have_text("评分进行中")
        absent = jp.locator(".sheet.absent")
        expect(absent).to_have_count(1)
        expect(absent).to_contain_text(entrant(site, WANG.name).judge_label)
        expect(absent.locator(".badge")).to_have_text("检录缺席（未参赛）")
        assert_inside(absent.locator(".badge"), absent)
        for welder, (p1, p2) in VALUES[username].items():
            fill_sheet(screen, entrant(site, welder.name).judge_label, p1, p2)
        expect(jp.locator("a.sheet.done")).to_have_count(3)
        for name in (w.name for w in WELDERS):  # judges see stations and codes only
            assert name not in screen.text() and name not in jp.content()
        check(screen, screenshot, f"4-scored-{username}")
    return judges


def assert_inside(inner, outer) -> None:
    """``inner`` is drawn within ``outer``'s box (nothing sticks out of its tile)."""
    a, b = inner.bounding_box(), outer.bounding_box()
    assert a is not None and b is not None
    assert b["x"] <= a["x"] and a["x"] + a["width"] <= b["x"] + b["width"], (a, b)
    assert b["y"] <= a["y"] and a["y"] + a["height"] <= b["y"] + b["height"], (a, b)


def fill_sheet(screen: Screen, label: str, p1: int, p2: int) -> None:
    """From the judge's list of sheets: open the entrant's sheet, enter both values (each
    saved as entered) and submit it; back to the list."""
    page = screen.page
    page.locator("a.sheet", has=page.locator(".station", has_text=label)).click()
    expect(page.locator("h1 .station")).to_have_text(label)
    expect(page.locator("#score-sheet.js")).to_have_count(1)  # the script took over the form
    p1_field = page.locator('fieldset[data-criterion="P1"]')
    p2_field = page.locator('fieldset[data-criterion="P2"]')
    p1_field.locator(f'label.choice:has(input[value="{p1}"])').click()
    expect(p1_field.locator(".field-state")).to_have_text("已保存")
    p2_field.locator("input[type=number]").fill(str(p2))
    p2_field.locator("input[type=number]").press("Tab")
    expect(p2_field.locator(".field-state")).to_have_text("已保存")
    expect(page.locator("#sync-status")).to_have_text("已全部保存")
    page.get_by_role("button", name="提交评分表").click()
    expect(page.locator("#sync-status")).to_have_text("已提交 · 已全部保存")
    page.get_by_role("link", name="← 全部评分表").click()


# 5. Double entry on a trade scored on tablets -------------------------------------------------


DOUBLE_ENTRY = "纸质评分表由两名录分员分别录入"


def double_entry(site, world, open_screen, organiser, judges, screenshot) -> Screen:
    chief = person(open_screen, "tablet-landscape", "chief")
    page = chief.page
    chief.goto(f"/chief/trades/{world.elec_id}")
    section = page.locator("section#double-entry")
    expect(section.locator(".flash-info")).to_contain_text("本工种裁判已在平板上提交 4 项分数")
    confirm = section.get_by_label(re.compile("^确认：裁判已在平板上提交的 4 项分数保持不变"))
    expect(confirm).not_to_be_checked()
    check(chief, screenshot, "5-double-entry-asks-chief")

    # Switched on without the confirmation: refused, naming the count; nothing changed.
    chief.watch.expected_statuses.add(409)
    section.get_by_label(DOUBLE_ENTRY).check()
    section.get_by_role("button", name="保存").click()
    expect(section.locator(".error")).to_have_text(
        "本工种裁判已在平板上提交 4 项分数。开启双人录入后平板将关闭，未经您裁定，纸质录入不会"
        "替换平板上的分数：请确认这 4 项平板分数后再开启。"
    )
    assert chief.watch.documents[-1][0] == 409
    check(chief, screenshot, "5-double-entry-refused-chief")
    assert in_db(site, lambda: db.session.get(Trade, world.elec_id).double_entry) is False
    # Confirmed: on.
    section.get_by_label(DOUBLE_ENTRY).check()
    confirm.check()
    section.get_by_role("button", name="保存").click()
    expect(flash(chief)).to_have_text("已开启双人录入：本工种裁判平板评分已关闭。")
    expect(page.locator(".chief-head")).to_contain_text("纸质评分表双人录入")
    check(chief, screenshot, "5-double-entry-on-chief")
    assert in_db(site, lambda: db.session.get(Trade, world.elec_id).double_entry) is True

    # The judge's 电工 sheets are read-only and say why.
    judge = judges["judge1"]
    jp = judge.page
    judge.goto("/judging/")
    jp.locator("a.tile", has_text=ELEC).click()
    jp.locator("a.sheet").first.click()
    closed = jp.locator("#sheet-closed")
    expect(closed).to_have_text(
        "本工种采用纸质评分表双人录入：您的评分由录分员根据您的纸质评分表录入，不在平板上填写。"
        " 本评分表为只读。"
    )
    expect(jp.locator("#score-sheet")).to_have_attribute("data-readonly", "true")
    expect(jp.locator('fieldset[data-criterion="P1"] input[type=number]')).to_be_disabled()
    expect(jp.get_by_role("button", name="提交评分表")).to_be_disabled()
    check(judge, screenshot, "5-read-only-judge1")

    # J1's paper sheet of the first 电工 entrant says 85 where the tablet has 81: both
    # entries (the chief judge's and the organiser's) agree, and the tablet value stays
    # until the chief judge decides — who keeps it.
    paper = at_station(site, world.elec_id, 1)
    first = paper.judge_label
    enter_paper(chief, world, first, "85")
    expect(flash(chief)).to_have_text(
        "已保存：0 项一致，1 项等待第二名录分员录入，0 项与另一次录入不一致。"
    )
    enter_paper(organiser, world, first, "85")
    expect(flash(organiser)).to_have_text(
        "已保存：1 项一致（其中 1 项与裁判在平板上提交的分数不同，由裁判长裁定以哪个为准），"
        "0 项等待第二名录分员录入，0 项与另一次录入不一致。"
    )
    state = organiser.page.locator("#state-P1")
    expect(state).to_have_text("两次录入一致，但裁判在平板上提交的是 81：由裁判长裁定")
    check(organiser, screenshot, "5-paper-differs-organiser")
    assert j1_value(site, paper.id) == Decimal(81)
    chief.goto(f"/chief/trades/{world.elec_id}")
    expect(page.locator(".chief-attention")).to_contain_text(
        "J1 的纸质评分表为 85，平板上为 81；请裁定以哪个为准"
    )
    page.get_by_role("link", name="录入纸质评分表").first.click()
    row = page.locator("section#outstanding tbody tr", has_text=first)
    expect(row.locator(".badge")).to_have_text("纸质 85，平板 81")
    row.get_by_label("以哪个分数为准").select_option(label="保留平板上的分数")
    row.get_by_label("原因").fill("纸质评分表誊写有误，以平板记录为准")
    row.get_by_role("button", name="裁定").click()
    expect(flash(chief)).to_have_text(f"{first} P1：保留 J1 在平板上提交的分数。")
    check(chief, screenshot, "5-tablet-kept-chief")
    assert j1_value(site, paper.id) == Decimal(81)

    # 电工 is complete: its chief judge signs it off.
    lock(chief, world.elec_id)
    return chief


def enter_paper(clerk: Screen, world: World, label: str, value: str) -> None:
    """A clerk types J1's paper sheet of the entrant ``label`` (电工)."""
    page = clerk.page
    clerk.goto(f"/chief/trades/{world.elec_id}/paper")
    page.get_by_label("选手（工位号 · 加密号）").select_option(label=label)
    page.get_by_label("纸质评分表所属裁判").select_option(label="J1 刘建华")
    page.get_by_role("button", name="打开评分表").click()
    sheet = page.locator("section#sheet")
    expect(sheet.locator(".chief-paper-tablet")).to_have_text("平板上已提交：81")
    sheet.get_by_label(re.compile("^P1 接线工艺")).fill(value)
    sheet.get_by_role("button", name="保存录入").click()


# 6. The preview before the chief judge has locked 焊工 -----------------------------------------


BLOCKED = f"裁判长尚未锁定 {WELD} 工种。"


def preview_before_the_lock(site, world, organiser: Screen, public: Screen, screenshot) -> None:
    page = organiser.page
    organiser.goto(f"/organise/events/{world.event_id}/timeline")
    page.get_by_role("link", name="预览并发布…").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("成绩发布预览")
    blockers = page.locator(".publication-blockers")
    expect(blockers).to_contain_text("有 1 个工种未就绪")
    expect(blockers.locator("li")).to_have_text([BLOCKED])
    weld_row = page.locator("section#trades tbody tr", has_text=f"WELD {WELD}")
    expect(weld_row.locator('td[data-label="已锁定"]')).to_have_text("否")
    expect(weld_row.locator('td[data-label="状态"]')).to_have_text(BLOCKED)
    elec_row = page.locator("section#trades tbody tr", has_text=f"ELEC {ELEC}")
    expect(elec_row.locator('td[data-label="状态"]')).to_have_text("可发布")
    expect(page.get_by_role("button", name="确认发布")).to_have_count(0)
    check(organiser, screenshot, "6-preview-blocked-organiser")
    assert_unpublished(site, public)


def assert_unpublished(site, public: Screen) -> None:
    """The public finds no results, and none are stored as published."""
    public.watch.expected_statuses.add(404)
    response = public.page.goto(f"{site.url}/e/{SLUG}/results/WELD")
    assert response is not None and response.status == 404
    expect(public.page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    assert ZHANG.name not in public.text()
    assert certificate_codes(site) == {}


# 7. Sign-off, and an upheld appeal with a re-score -----------------------------------------


APPEAL = "该选手的尺寸精度测量结果与现场记录不符，请求复核。"
UPHELD_BECAUSE = "经复核，J2 的尺寸精度测量有误，退回重新评分。"
RESCORE_BECAUSE = "申诉成立：请重新测量尺寸精度"


def lock(chief: Screen, trade_id: int) -> None:
    """The chief judge signs the trade off on the desk."""
    page = chief.page
    chief.goto(f"/chief/trades/{trade_id}")
    asked = confirming(chief, lambda: page.get_by_role("button", name="锁定并签字确认").click())
    assert asked == "确定锁定本工种并签字确认成绩吗？"
    expect(flash(chief)).to_have_text("本工种已锁定并签字确认。")
    expect(page.locator(".chief-head .badge").first).to_have_text("已锁定")


def appeal_and_rescore(site, world, contact, organiser, chief, judges, public, screenshot):
    move_window(organiser, world, "评分", False, "实操比赛结束")
    lock(chief, world.weld_id)
    absent = entrant(site, WANG.name)
    statuses = chief.page.locator("section#entrants tbody tr", has_text=absent.judge_label)
    expect(statuses.locator(".badge")).to_have_text("未参赛")  # DNS since check-in
    check(chief, screenshot, "7-locked-chief")
    move_window(organiser, world, "申诉", True, "申诉受理开始")

    # The organiser opens the preview: ready, with the confirmation (not pressed yet).
    preview = f"/publication/events/{world.event_id}/results/preview"
    organiser.goto(preview)
    expect(organiser.page.locator(".publication-blockers")).to_have_count(0)
    expect(organiser.page.get_by_role("button", name="确认发布")).to_be_visible()
    expect(award_row(organiser, "优胜奖", LI.name).locator('td[data-label="总成绩"]')).to_have_text(
        "79.00"
    )

    # 江城区 appeals 李强's result.
    cp = contact.page
    contact.goto(f"/unit/{world.unit_id}")
    cp.get_by_role("link", name="申诉").click()
    group = cp.locator("section.card", has=cp.get_by_role("heading", name=re.compile(WELD)))
    expect(group.locator(".card-head .badge")).to_have_text("申诉进行中")
    item = group.locator("li.appeals-item", has_text=LI.name)
    item.get_by_label("申诉内容").fill(APPEAL)
    asked = confirming(contact, lambda: item.get_by_role("button", name="提交申诉").click())
    assert asked == f"确定提交 {LI.name} 的申诉吗？每名选手只能申诉一次。"
    expect(flash(contact)).to_have_text(f"已提交 {LI.name} 的申诉。")
    expect(item.locator(".appeals-who .badge")).to_have_text("待裁决")
    check(contact, screenshot, "7-appeal-filed-contact")

    # The chief judge upholds it: the trade is unlocked.
    li_label = entrant(site, LI.name).judge_label
    page = chief.page
    chief.goto(f"/chief/trades/{world.weld_id}")
    page.locator(".chief-links").get_by_role("link", name="申诉").click()
    card = page.locator("section.appeals-card", has_text=li_label)
    expect(card.locator("blockquote")).to_have_text(APPEAL)
    assert LI.name not in chief.text()  # the chief judge sees the station and code only
    card.get_by_label("申诉成立").check()
    card.get_by_label("裁决理由").fill(UPHELD_BECAUSE)
    card.get_by_role("button", name="记录裁决").click()
    expect(flash(chief)).to_contain_text(f"{li_label} 的申诉成立，本工种已解除锁定。")
    expect(card.locator(".card-head .badge")).to_have_text("成立")
    expect(page.locator("p.muted .badge")).to_have_text("未锁定")
    check(chief, screenshot, "7-upheld-chief")

    # The unit sees the decision; its page (left open) now offers withdrawing again.
    cp.reload()
    expect(item.locator(".appeals-who .badge")).to_have_text("成立")
    expect(item.locator(".appeals-decision")).to_contain_text(UPHELD_BECAUSE)
    cp.get_by_role("link", name=UNIT).click()
    expect(unit_row(contact, ZHANG.name).get_by_role("button", name="退赛")).to_be_visible()

    # The organiser confirms the preview opened before: refused, naming the trade.
    organiser.watch.expected_statuses.add(409)
    organiser.page.get_by_role("button", name="确认发布").click()
    expect(flash(organiser, "error")).to_have_text(BLOCKED)
    expect(organiser.page.locator(".publication-blockers li")).to_have_text([BLOCKED])
    expect(organiser.page.get_by_role("button", name="确认发布")).to_have_count(0)
    assert organiser.watch.documents[-1][0] == 409
    check(organiser, screenshot, "7-publish-refused-organiser")
    assert_unpublished(site, public)

    # J2's sheet of 李强 is sent back.
    card.get_by_role("link", name="退回评分表重评").click()
    expect(page.locator("h1 .station")).to_have_text(li_label)
    form = page.locator("section.card", has=page.get_by_role("heading", name="要求重评"))
    form.get_by_label("裁判").select_option(label="J2 孙丽")
    form.get_by_label("原因").fill(RESCORE_BECAUSE)
    form.get_by_role("button", name="要求重评").click()
    expect(flash(chief)).to_have_text(f"已要求 J2 对 {li_label} 重新评分。")
    check(chief, screenshot, "7-rescore-ordered-chief")

    # The judge's tablet opens exactly that sheet, though scoring has closed.
    judge = judges["judge2"]
    jp = judge.page
    judge.goto("/judging/")
    jp.locator("a.tile", has_text=WELD).click()
    expect(jp.locator(".muted .badge")).to_have_text("评分未开放")
    sent_back = jp.locator("a.sheet.rescore")
    expect(sent_back).to_have_count(1)
    expect(sent_back.locator(".station")).to_have_text(li_label)
    expect(sent_back.locator(".badge")).to_have_text("需重评")
    check(judge, screenshot, "7-sent-back-judge2")
    zhang = entrant(site, ZHANG.name).judge_label
    jp.locator("a.sheet", has=jp.locator(".station", has_text=zhang)).click()
    expect(jp.locator("#sheet-closed")).to_have_text("本工种评分未开放。 本评分表为只读。")
    jp.get_by_role("link", name="← 全部评分表").click()
    jp.locator("a.sheet", has=jp.locator(".station", has_text=li_label)).click()
    expect(jp.locator(".flash-error")).to_have_text(
        f"裁判长要求您对该选手重新评分：{RESCORE_BECAUSE}"
    )
    expect(jp.locator("#sheet-closed")).to_have_count(0)
    expect(jp.get_by_role("button", name="提交评分表")).to_be_enabled()
    p2 = jp.locator('fieldset[data-criterion="P2"] input[type=number]')
    expect(p2).to_have_value(str(VALUES["judge2"][LI][1]))
    p2.fill(str(RESCORED_P2))
    p2.press("Tab")
    expect(jp.locator('fieldset[data-criterion="P2"] .field-state')).to_have_text("已保存")
    jp.get_by_role("button", name="提交评分表").click()
    expect(jp.locator("#sync-status")).to_have_text("已提交 · 已全部保存")
    check(judge, screenshot, "7-rescored-judge2")
    jp.get_by_role("link", name="← 全部评分表").click()
    expect(jp.locator("a.sheet.rescore")).to_have_count(0)
    expect(jp.locator("a.sheet.done")).to_have_count(3)

    judges["judge1"].goto(f"/judging/trades/{world.weld_id}")  # J1's sheets stay closed
    expect(judges["judge1"].page.locator("a.sheet.rescore")).to_have_count(0)
    expect(judges["judge1"].page.locator("a.sheet.done")).to_have_count(3)

    lock(chief, world.weld_id)


# 8. Publication ------------------------------------------------------------------------------


def publish(site, world, organiser: Screen, public: Screen, screenshot) -> dict:
    move_window(organiser, world, "申诉", False, "申诉受理结束")
    page = organiser.page
    organiser.goto(f"/publication/events/{world.event_id}/results/preview")
    expect(page.locator("main")).to_contain_text("确认后发布的内容即如下所示")
    gold = page.locator(
        "section.publication-award", has=page.get_by_role("heading", name=re.compile("金牌工人"))
    )
    expect(gold.locator("td.name")).to_have_text([ZHANG.name, "吴秀兰"])
    check(organiser, screenshot, "8-preview-ready-organiser")
    page.get_by_role("button", name="确认发布").click()
    expect(flash(organiser)).to_have_text("成绩和获奖名单已发布，证书已颁发。")
    certificates = page.locator("section#certificates tbody tr")
    expect(certificates).to_have_count(7)  # gold and prizes: 焊工 1 + 3, 电工 1 + 2
    check(organiser, screenshot, "8-published-organiser")
    codes = certificate_codes(site)
    assert len(codes) == 7

    # The public results.
    pp = public.page
    public.goto(f"/e/{SLUG}/results/WELD")
    expect(pp.get_by_role("heading", level=1)).to_contain_text(f"{WELD}成绩")
    rows = pp.locator("table.public-results tbody tr")
    expect(rows.locator("td.name")).to_have_text([ZHANG.name, LI.name, ZHAO.name, WANG.name])
    expect(rows.locator('td[data-label="名次"]')).to_have_text(["1", "2", "3", "未参赛"])
    expect(rows.filter(has_text=LI.name).locator("td.public-total")).to_have_text("83.00")
    check(public, screenshot, "8-results-public")
    public.goto(f"/e/{SLUG}/awards")
    gold = pp.locator(
        "section.public-award", has=pp.get_by_role("heading", name=re.compile("金牌工人"))
    )
    expect(gold.locator("td.name")).to_have_text([ZHANG.name, "吴秀兰"])
    check(public, screenshot, "8-awards-public")

    # A certificate verifies, from the organiser's list as from its QR code.
    page.locator("section#certificates tbody tr", has_text=ZHANG.name).filter(
        has_text="金牌工人"
    ).get_by_role("link").first.click()
    assert_genuine(organiser, codes[("gold", ZHANG.name)])
    public.goto(f"/verify/{codes[('gold', ZHANG.name)]}")
    assert_genuine(public, codes[("gold", ZHANG.name)])
    check(public, screenshot, "8-verify-public")
    return codes


def award_row(screen: Screen, award: str, name: str):
    """The row of ``name`` in the preview's award list ``award``."""
    page = screen.page
    section = page.locator("section.publication-award").filter(
        has=page.get_by_role("heading", name=re.compile(award))
    )
    return section.locator("tbody tr", has_text=name)


def assert_genuine(screen: Screen, code: str) -> None:
    page = screen.page
    expect(page).to_have_url(re.compile(f"/verify/{re.escape(code)}$"))
    assert screen.watch.documents[-1][0] == 200
    expect(page.locator("#verify-verdict")).to_have_text("✓ 证书真实有效")
    expect(page.locator(".verify-code")).to_have_text(code)
    facts = page.locator(".verify-result dl.facts")
    for shown in (ZHANG.name, UNIT, WELD, "金牌工人"):
        expect(facts).to_contain_text(shown)


# 9. A published medallist ---------------------------------------------------------------------


def published_medallist(site, world, contact, organiser, public, codes, screenshot) -> None:
    # The unit contact's page, opened while the appeal had the trade unlocked, still offers
    # withdrawing 张伟: refused.
    row = unit_row(contact, ZHANG.name)
    row.get_by_label("退赛原因").fill("工作调动")
    contact.watch.expected_statuses.add(423)
    asked = confirming(contact, lambda: row.get_by_role("button", name="退赛").click())
    assert asked.startswith(f"确定让 {ZHANG.name} 退赛吗？")
    expect(flash(contact, "error")).to_have_text("裁判长已锁定本工种，成绩不能再修改。")
    assert contact.watch.documents[-1][0] == 423
    expect(unit_row(contact, ZHANG.name).get_by_role("button", name="退赛")).to_have_count(0)
    check(contact, screenshot, "9-withdrawal-refused-contact")
    assert entrant(site, ZHANG.name).status is None

    # The organiser is offered neither taking the registration back nor withdrawing.
    organiser.goto(f"/unit/{world.unit_id}")
    row = unit_row(organiser, ZHANG.name)
    expect(row.locator(".badge")).to_have_text("已通过")
    expect(row.get_by_role("button")).to_have_count(0)
    check(organiser, screenshot, "9-unit-page-organiser")

    gold = codes[("gold", ZHANG.name)]
    public.goto(f"/verify/{gold}")
    assert_genuine(public, gold)

    # The publication is withdrawn, with a reason: the public pages say so, the certificate
    # stands.
    page = organiser.page
    organiser.goto(f"/publication/events/{world.event_id}/")
    page.locator("section#results").get_by_role("link", name="撤回…").click()
    expect(page.locator(".publication-withdraw")).to_contain_text("此操作将撤销：")
    page.get_by_label("撤回原因").fill("复核获奖人员资格，更正后重新发布")
    page.get_by_role("button", name="撤回发布").click()
    expect(flash(organiser)).to_have_text("已撤回发布，公开页面将予以说明。")
    check(organiser, screenshot, "9-withdrawn-organiser")
    public.watch.expected_statuses.add(410)
    response = public.page.goto(f"{site.url}/e/{SLUG}/results/WELD")
    assert response is not None and response.status == 410
    expect(public.page.locator("main")).to_contain_text("成绩已撤回")
    expect(public.page.locator("main")).to_contain_text("复核获奖人员资格，更正后重新发布")
    assert ZHANG.name not in public.text()
    check(public, screenshot, "9-withdrawn-public")
    public.goto(f"/verify/{gold}")
    assert_genuine(public, gold)
    expect(public.page.locator(".verify-result")).to_contain_text(
        "撤回更正；证书在撤销之前继续有效"
    )

    # Published again: the same certificates.
    organiser.goto(f"/publication/events/{world.event_id}/results/preview")
    page.get_by_role("button", name="确认发布").click()
    expect(flash(organiser)).to_have_text("成绩和获奖名单已发布，证书已颁发。")
    assert certificate_codes(site) == codes
    public.goto(f"/e/{SLUG}/results/WELD")
    expect(public.page.locator("table.public-results td.name").first).to_have_text(ZHANG.name)
    public.goto(f"/verify/{gold}")
    assert_genuine(public, gold)
    expect(public.page.locator(".verify-result")).not_to_contain_text("撤回更正")
    check(public, screenshot, "9-republished-public")
