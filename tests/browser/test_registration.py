"""Registration in a real browser, on a phone and a laptop: a unit contact registers entrants
by form and by Excel roster (refused whole, with a report by row, when a row is wrong), and
an organiser approves or returns them, which the unit contact then sees.

The demo's registration window is closed (the competition is under way); this module opens
it in the database for its tests. Each test's registrations are removed after it, so the
tests do not depend on one another or on their order, and the unit's quotas never run out.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from contest.accounts.models import User
from contest.core.extensions import db
from contest.demo import DEMO_PASSWORD
from contest.domain import idcard
from contest.domain.privacy import mask_id_number, mask_phone
from contest.domain.registration import Applicant
from contest.domain.stages import StageKind, StageState
from contest.events.models import Unit
from contest.registration import services as registration
from contest.registration.models import Entrant, RegistrationStatus
from contest.stages.models import StageWindow
from tests.browser.conftest import LiveSite, Screen, log_in

playwright_api = pytest.importorskip("playwright.sync_api", exc_type=ImportError)
expect = playwright_api.expect

pytestmark = pytest.mark.browser

UNIT_NAME = "江城区总工会"
JC_REGION = "330102"  # the demo's ID numbers for 江城区 start with this region code
ROSTER_HEADER = [
    "姓名",
    "身份证号码",
    "性别",
    "出生日期",
    "工种",
    "技能等级",
    "手机号码",
    "工作单位",
]
PHONE_AND_LAPTOP = ["phone", "laptop"]


def id_number(born: date, sequence: int, gender: str = "M") -> str:
    """A valid 江城区 ID number. The demo's people are born on days 1–28 of a month, so
    anyone born on the 29th–31st cannot clash with them. (Nor can their names: ``stage``
    checks that, so that a name picks out one row of a page and one record.)"""
    assert born.day > 28
    return idcard.build(JC_REGION, born, sequence, gender)


def with_wrong_check_digit(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


# --- the stage -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """The demo served with its registration window open."""

    site: LiveSite
    event_id: int
    unit_id: int

    @property
    def unit_path(self) -> str:
        return f"/unit/{self.unit_id}"

    def entrants(self) -> dict[str, tuple[RegistrationStatus, str | None]]:
        """Every entrant of 江城区 in the database: name → (status, review note)."""
        with self.site.app.app_context():
            rows = db.session.execute(
                sa.select(Entrant.name, Entrant.registration_status, Entrant.review_note).where(
                    Entrant.unit_id == self.unit_id
                )
            ).all()
            db.session.remove()
        return {name: (status, note) for name, status, note in rows}

    def register(self, applicants: list[Applicant]) -> None:
        """Register entrants for 江城区 as its contact would (for the review test's setup)."""
        with self.site.app.app_context():
            contact = db.session.execute(
                sa.select(User).where(User.username == "unit-jc")
            ).scalar_one()
            unit = db.session.get(Unit, self.unit_id)
            registration.register(contact, unit, applicants)
            db.session.commit()
            db.session.remove()


@pytest.fixture(scope="module")
def stage(live_server) -> Stage:
    """Open the event's registration window (closing in two weeks) for the whole module."""
    assert not names_used_here() & live_server.facts.entrant_names
    with live_server.app.app_context():
        window = db.session.execute(
            sa.select(StageWindow)
            .join(Unit, Unit.event_id == StageWindow.event_id)
            .where(
                Unit.id == live_server.facts.jc_unit_id,
                StageWindow.kind == StageKind.REGISTRATION,
                StageWindow.trade_id.is_(None),
            )
        ).scalar_one()
        window.state = StageState.OPEN
        window.closes_at = datetime.now(UTC) + timedelta(days=14)
        db.session.commit()
        found = Stage(live_server, event_id=window.event_id, unit_id=live_server.facts.jc_unit_id)
        db.session.remove()
    return found


@pytest.fixture
def clean(stage) -> Iterator[Stage]:
    """The open stage; the registrations a test makes are removed after it."""
    with stage.site.app.app_context():
        last = db.session.execute(sa.select(sa.func.max(Entrant.id))).scalar_one()
        db.session.remove()
    yield stage
    with stage.site.app.app_context():
        db.session.execute(sa.delete(Entrant).where(Entrant.id > last))
        db.session.commit()
        db.session.remove()


# --- helpers -------------------------------------------------------------------------------


def check_page(screen: Screen, screenshot, label: str) -> None:
    """Save a screenshot of the step, then the page health checks."""
    screenshot(screen, f"{label}-{screen.name}")
    screen.assert_no_horizontal_overflow()
    screen.assert_healthy()


def open_unit_page(screen: Screen, stage: Stage) -> None:
    """Log in as 江城区's contact, who lands on the unit page with registration open."""
    log_in(screen, "unit-jc", DEMO_PASSWORD)
    expect(screen.page).to_have_url(stage.site.url + stage.unit_path)
    expect(screen.page.get_by_role("heading", level=1)).to_have_text(UNIT_NAME)
    expect(screen.page.locator(".window-card .badge-open")).to_have_text("报名进行中")


def entrant_row(screen: Screen, name: str):
    return screen.page.locator("table.entrants tbody tr", has_text=name)


def assert_entrant_listed(
    screen: Screen, name: str, trade: str, number: str, status: str, phone: str | None = None
) -> None:
    """The unit page lists the entrant with the status, the ID number masked — and the full
    number nowhere in the page."""
    row = entrant_row(screen, name)
    expect(row).to_have_count(1)
    expect(row.locator("td.name")).to_have_text(name)
    expect(row.locator('td[data-label="工种"]')).to_have_text(trade)
    expect(row.locator('td[data-label="身份证号码"]')).to_have_text(mask_id_number(number))
    if phone is not None:
        expect(row.locator('td[data-label="电话"]')).to_have_text(mask_phone(phone))
    expect(row.locator(".badge")).to_have_text(status)
    assert number not in screen.text()
    assert number not in screen.page.content()
    if phone is not None:
        assert phone not in screen.page.content()


def entrant_count(screen: Screen) -> int:
    """The number shown next to the 选手 heading of the unit page."""
    heading = screen.page.get_by_role("heading", level=2).filter(has_text="选手")
    return int(heading.locator("small").inner_text())


# --- 1. registering by form ----------------------------------------------------------------

TRADE_NAMES = {"WELD": "焊工", "ELEC": "维修电工", "CNC": "数控车工", "BRICK": "砌筑工"}

FORM_ENTRANTS = {
    # viewport: (name, birth date, sequence, gender, trade code, skill level, phone)
    "phone": ("陈晓峰", date(1990, 5, 30), 11, "M", "WELD", "高级工", "13912345678"),
    "laptop": ("林秀英", date(1986, 10, 31), 22, "F", "ELEC", "技师", "15087654321"),
}


@pytest.mark.parametrize("viewport", PHONE_AND_LAPTOP)
def test_unit_contact_registers_an_entrant_by_form(open_screen, screenshot, clean, viewport):
    name, born, sequence, gender, code, level, phone = FORM_ENTRANTS[viewport]
    number = id_number(born, sequence, gender)
    trade = TRADE_NAMES[code]
    screen = open_screen(viewport)
    page = screen.page
    screen.watch.expected_statuses.add(400)  # the refused submission
    before = clean.entrants()

    open_unit_page(screen, clean)
    shown_before = entrant_count(screen)
    assert shown_before == len(before)
    check_page(screen, screenshot, "1-unit-page")

    page.get_by_role("link", name="添加选手").click()
    expect(page).to_have_url(f"{clean.site.url}{clean.unit_path}/entrants/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("报名选手")
    check_page(screen, screenshot, "2-empty-form")

    # First with a mistyped ID number: refused, the form kept, nothing saved.
    page.get_by_label("姓名", exact=True).fill(name)
    page.get_by_label("身份证号码", exact=True).fill(with_wrong_check_digit(number))
    page.get_by_label("工种", exact=True).select_option(label=f"{trade}（{code}）")
    page.get_by_label("技能等级", exact=True).select_option(label=level)
    page.get_by_label("手机号码", exact=True).fill(phone)
    page.get_by_role("button", name="保存选手").click()

    id_field = page.locator(".field", has=page.locator("input[name=id_number]"))
    expect(id_field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(id_field.locator(".error")).to_have_text("不是有效的身份证号码：校验码错误")
    expect(id_field.locator("input")).to_have_attribute("aria-invalid", "true")
    assert screen.watch.documents[-1][0] == 400
    expect(page.locator(".field.has-error")).to_have_count(1)  # no other field is blamed
    expect(page.get_by_label("姓名", exact=True)).to_have_value(name)
    expect(page.get_by_label("工种", exact=True)).to_have_value(code)
    expect(page.get_by_label("手机号码", exact=True)).to_have_value(phone)
    check_page(screen, screenshot, "3-wrong-check-digit")
    assert clean.entrants() == before

    # Corrected: registered, awaiting review, back on the unit page.
    page.get_by_label("身份证号码", exact=True).fill(number)
    page.get_by_role("button", name="保存选手").click()
    expect(page).to_have_url(clean.site.url + clean.unit_path)
    expect(page.locator(".flash-success")).to_have_text(f"{name} 已报名，等待审核。")
    assert_entrant_listed(screen, name, trade, number, "待审核", phone)
    assert entrant_count(screen) == shown_before + 1
    check_page(screen, screenshot, "4-registered")

    after = clean.entrants()
    assert after == {**before, name: (RegistrationStatus.SUBMITTED, None)}


# --- 2. registering by Excel roster --------------------------------------------------------

#: Rows of a good roster, as a unit contact fills the template: the trade by name or code,
#: gender and birth date left blank or filled in (as a date or as text).
ROSTER_ROWS = {
    "phone": [
        ("周建国", id_number(date(1979, 3, 29), 31), "", None, "数控车工", "高级工", "13800001111"),
        (
            "吴丽华",
            id_number(date(1992, 7, 30), 32, "F"),
            "女",
            date(1992, 7, 30),
            "BRICK",
            "中级工",
            "18600002222",
        ),
        (
            "郑国伟",
            id_number(date(1988, 12, 31), 33),
            "男",
            "1988-12-31",
            "CNC",
            "技师",
            "17700003333",
        ),
    ],
    "laptop": [
        ("孙志强", id_number(date(1983, 1, 29), 41), "", None, "砌筑工", "高级技师", "13300004444"),
        (
            "钱芳菲",
            id_number(date(1995, 8, 30), 42, "F"),
            "",
            "1995-08-30",
            "ELEC",
            "中级工",
            "15000005555",
        ),
    ],
}
EMPLOYER = "滨江市江城区市政工程公司"
#: A roster whose second entrant (Excel row 3) has a mistyped ID number — its only problem
#: after either good roster above (江城区 may enter 3 people per trade and has 1 in each).
BAD_ROSTER_ROWS = [
    ("冯国庆", id_number(date(1985, 10, 29), 51), "", None, "WELD", "高级工", "13900006666"),
    (
        "褚海燕",
        with_wrong_check_digit(id_number(date(1991, 4, 30), 52, "F")),
        "",
        None,
        "ELEC",
        "中级工",
        "13900007777",
    ),
    ("卫明远", id_number(date(1987, 6, 30), 53), "", None, "焊工", "高级工", "13900008888"),
]


def fill_roster(template: Path, rows, destination: Path) -> Path:
    """The downloaded template with ``rows`` typed into its first sheet from row 2."""
    book = load_workbook(template)
    sheet = book.worksheets[0]
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate([*row, EMPLOYER], start=1):
            if value not in ("", None):
                sheet.cell(row=number, column=column, value=value)
    book.save(destination)
    book.close()
    return destination


def upload(screen: Screen, roster: Path) -> None:
    screen.page.get_by_label("Excel 报名表（.xlsx）").set_input_files(roster)
    screen.page.get_by_role("button", name="上传报名表").click()


@pytest.mark.parametrize("viewport", PHONE_AND_LAPTOP)
def test_unit_contact_registers_entrants_by_excel_roster(
    open_screen, screenshot, clean, tmp_path, viewport
):
    screen = open_screen(viewport)
    page = screen.page
    screen.watch.expected_statuses.add(400)  # the refused roster
    before = clean.entrants()
    open_unit_page(screen, clean)
    roster_card = page.locator("section#roster")
    expect(roster_card.get_by_role("heading")).to_have_text("用 Excel 报名表批量报名")
    check_page(screen, screenshot, "1-unit-page")

    # The template is a real workbook whose first sheet starts with the fixed header.
    with page.expect_download() as downloading:
        roster_card.get_by_role("link", name="下载报名表模板").click()
    download = downloading.value
    assert download.failure() is None
    assert download.suggested_filename == "binjiang-2026-roster.xlsx"
    template = tmp_path / download.suggested_filename
    download.save_as(template)
    assert zipfile.is_zipfile(template)
    book = load_workbook(template, read_only=True)
    first = book.worksheets[0]
    header = [cell.value for cell in next(first.iter_rows(min_row=1, max_row=1))]
    assert header[: len(ROSTER_HEADER)] == ROSTER_HEADER
    assert first.title == "报名表"
    book.close()
    expect(page).to_have_url(clean.site.url + clean.unit_path)  # still on the unit page

    # A good roster: every row registered, awaiting review.
    rows = ROSTER_ROWS[viewport]
    upload(screen, fill_roster(template, rows, tmp_path / "good.xlsx"))
    expect(page).to_have_url(clean.site.url + clean.unit_path + "#entrants")
    expect(page.locator(".flash-success")).to_have_text(f"已从报名表登记 {len(rows)} 名选手。")
    for name, number, _g, _b, trade, _l, phone in rows:
        assert_entrant_listed(screen, name, TRADE_NAMES.get(trade, trade), number, "待审核", phone)
    assert entrant_count(screen) == len(before) + len(rows)
    check_page(screen, screenshot, "2-roster-imported")
    registered = clean.entrants()
    assert registered == {
        **before,
        **{row[0]: (RegistrationStatus.SUBMITTED, None) for row in rows},
    }

    # A roster with one bad row (Excel row 3): refused whole, with the problem by row.
    upload(screen, fill_roster(template, BAD_ROSTER_ROWS, tmp_path / "bad.xlsx"))
    report = page.locator("section#roster .report")
    expect(report).to_be_visible()
    expect(report.locator(".error")).to_have_text("1 行共有 1 个问题，未导入任何数据。")
    expect(report.locator("li")).to_have_text(
        ["第 3 行 身份证号码：不是有效的身份证号码：校验码错误"]
    )
    assert screen.watch.documents[-1][0] == 400
    assert entrant_count(screen) == len(registered)
    for name, *_ in BAD_ROSTER_ROWS:
        expect(entrant_row(screen, name)).to_have_count(0)
    check_page(screen, screenshot, "3-roster-refused")
    assert clean.entrants() == registered


# --- 3. the organiser's review -------------------------------------------------------------

TO_APPROVE = Applicant(
    name="蒋文博",
    id_number=id_number(date(1984, 2, 29), 61),
    trade="WELD",
    skill_level="技师",
    phone="13611112222",
)
TO_RETURN = Applicant(
    name="沈佳怡",
    id_number=id_number(date(1993, 9, 30), 62, "F"),
    trade="BRICK",
    skill_level="高级工",
    phone="13633334444",
)
RETURN_REASON = "技能等级证书与填报等级不符，请核实后重新提交"


@pytest.mark.parametrize(
    ("organiser_screen", "unit_screen"),
    [("laptop", "phone"), ("phone", "laptop")],
    ids=["organiser-laptop", "organiser-phone"],
)
def test_organiser_approves_and_returns_registrations(
    open_screen, screenshot, clean, organiser_screen, unit_screen
):
    clean.register([TO_APPROVE, TO_RETURN])
    organiser = open_screen(organiser_screen)
    page = organiser.page
    organiser.watch.expected_statuses.add(400)  # returning without a reason
    log_in(organiser, "organiser", DEMO_PASSWORD)
    expect(page).to_have_url(clean.site.url + "/organise/")

    review_path = f"/registration/events/{clean.event_id}/review"
    organiser.goto(review_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("报名审核")
    expect(page.get_by_label("状态")).to_have_value(RegistrationStatus.SUBMITTED.value)
    pending = page.locator("form.form tbody tr")
    # Everyone awaiting review: ours and the demo's own (another unit's).
    for applicant in (TO_APPROVE, TO_RETURN):
        expect(pending.filter(has_text=applicant.name)).to_have_count(1)
    check_page(organiser, screenshot, "1-review-all-pending")

    # Only 江城区's.
    page.get_by_label("单位").select_option(label=UNIT_NAME)
    page.get_by_role("button", name="显示").click()
    expect(page).to_have_url(re.compile(r"[?&]unit=JC\b"))
    expect(pending).to_have_count(2)
    expect(pending.locator("td:nth-child(4)")).to_have_text([UNIT_NAME, UNIT_NAME])
    expect(pending.locator(".badge")).to_have_text(["待审核", "待审核"])
    check_page(organiser, screenshot, "2-review-unit-pending")

    # Approve one.
    page.get_by_role("checkbox", name=TO_APPROVE.name).check()
    page.get_by_role("button", name="通过所选").click()
    expect(page.locator(".flash-success")).to_have_text("已通过 1 条报名。")
    expect(page).to_have_url(re.compile(r"[?&]unit=JC\b"))  # the filter is kept
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text(TO_RETURN.name)
    check_page(organiser, screenshot, "3-approved")

    # Returning needs a reason…
    page.get_by_role("checkbox", name=TO_RETURN.name).check()
    page.get_by_role("button", name="退回所选").click()
    reason_field = page.locator(".field", has=page.locator("input[name=reason]"))
    expect(reason_field.locator(".error")).to_have_text("请填写退回原因。")
    assert organiser.watch.documents[-1][0] == 400
    assert clean.entrants()[TO_RETURN.name] == (RegistrationStatus.SUBMITTED, None)
    check_page(organiser, screenshot, "4-return-without-reason")

    # …given, the registration goes back to the unit.
    page.get_by_role("checkbox", name=TO_RETURN.name).check()
    page.get_by_label("退回原因").fill(RETURN_REASON)
    page.get_by_role("button", name="退回所选").click()
    expect(page.locator(".flash-success")).to_have_text("已退回 1 条报名。")
    expect(pending).to_have_count(0)
    expect(page.locator(".empty")).to_be_visible()
    check_page(organiser, screenshot, "5-returned")

    entrants = clean.entrants()
    assert entrants[TO_APPROVE.name] == (RegistrationStatus.APPROVED, None)
    assert entrants[TO_RETURN.name] == (RegistrationStatus.RETURNED, RETURN_REASON)

    # The unit contact sees both decisions, and the reason.
    contact = open_screen(unit_screen)
    open_unit_page(contact, clean)
    assert_entrant_listed(contact, TO_APPROVE.name, "焊工", TO_APPROVE.id_number, "已通过")
    assert_entrant_listed(contact, TO_RETURN.name, "砌筑工", TO_RETURN.id_number, "已退回")
    expect(entrant_row(contact, TO_APPROVE.name).locator(".note")).to_have_count(0)
    expect(entrant_row(contact, TO_RETURN.name).locator(".note")).to_have_text(RETURN_REASON)
    check_page(contact, screenshot, "6-unit-sees-decisions")


def names_used_here() -> set[str]:
    """The name of everyone this module registers or tries to."""
    return {
        *(entrant[0] for entrant in FORM_ENTRANTS.values()),
        *(row[0] for rows in (*ROSTER_ROWS.values(), BAD_ROSTER_ROWS) for row in rows),
        TO_APPROVE.name,
        TO_RETURN.name,
    }
