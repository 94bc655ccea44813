"""The organiser's item analysis of a trade's exam (EXAMS.md §3): the page and its Excel
sheet give what ``exam-report`` prints, with the score distribution of the attempts."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from contest.accounts.models import Role
from contest.core.extensions import db
from contest.events.models import Event, Trade
from tests.cli.test_package_exams import imported, printed
from tests.conftest import login
from tests.factories import make_user

HEADERS = ["题号", "题型", "题干", "难度 p", "区分度 D", "标记"]


@pytest.fixture
def games(app, runner, tmp_path):
    """The own exam fixture imported, with accounts; the addresses of WELD and ELEC."""
    imported(runner, tmp_path)
    with app.app_context():
        for role in (Role.ORGANISER, Role.JUDGE, Role.UNIT_CONTACT):
            make_user(role, username=role.value)
        db.session.commit()
        event = db.session.execute(sa.select(Event)).scalar_one()
        trades = {
            t.code: f"/organise/events/{event.id}/trades/{t.id}"
            for t in db.session.execute(sa.select(Trade)).scalars()
        }
    return trades


def cells(html: str, table: str) -> list[list[str]]:
    """The body rows of the table with the id ``table``, as the text of their cells."""
    body = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body is not None, table
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    ]


def test_the_page_shows_what_exam_report_prints(client, runner, games):
    login(client, "organiser")
    trade = client.get(games["WELD"])
    assert trade.status_code == 200
    assert f'{games["WELD"]}/exam"' in trade.text
    page = client.get(f"{games['WELD']}/exam")
    assert page.status_code == 200, page.text
    report = printed(runner, "exam-report", "exam-games", "WELD")["items"]
    rows = cells(page.text, "items")
    assert [(r[0], r[3], r[4], r[5]) for r in rows] == [
        (i["code"], i["p"] or "—", i["D"] or "—", "需复核" if i["flagged"] else "") for i in report
    ]
    assert [r[1] for r in rows] == ["单选题", "单选题", "多选题", "判断题", "填空题", "简答题"]
    assert rows[2][2] == "下列属于焊接缺陷的是"
    assert cells(page.text, "voided") == [["Q07", "单选题", "有争议的题", "已作废"]]
    assert 'data-attempts="2"' in page.text


def test_the_score_distribution(client, games):
    """E1 65.97 and E2 64.58 (``EXAM_EXPECTED_WELD``): both in 60–70, mean 65.275 → 65.28."""
    login(client, "organiser")
    page = client.get(f"{games['WELD']}/exam").text
    bands = cells(page, "distribution")
    assert [band[0] for band in bands] == [f"{low}–{low + 10}" for low in range(0, 100, 10)]
    assert [int(band[1]) for band in bands] == [0, 0, 0, 0, 0, 0, 2, 0, 0, 0]
    for name, value in (("mean", "65.28"), ("highest", "65.97"), ("lowest", "64.58")):
        assert f'<dd id="{name}">{value}</dd>' in page


def test_the_excel_sheet_has_the_rows_of_the_page(client, runner, games):
    login(client, "organiser")
    response = client.get(f"{games['WELD']}/exam.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    report = printed(runner, "exam-report", "exam-games", "WELD")["items"]
    assert [(r[0], f"{r[3]:.2f}", f"{r[4]:.2f}", r[5] or "") for r in rows[1:-1]] == [
        (i["code"], i["p"], i["D"], "需复核" if i["flagged"] else "") for i in report
    ]
    assert rows[-1] == ["Q07", "单选题", "有争议的题", None, None, "已作废"]


@pytest.mark.parametrize("role", ["judge", "unit_contact"])
def test_other_accounts_are_refused(client, games, role):
    login(client, role)
    assert client.get(f"{games['WELD']}/exam").status_code == 403
    assert client.get(f"{games['WELD']}/exam.xlsx").status_code == 403


def test_a_trade_without_an_exam_is_not_found(client, games):
    login(client, "organiser")
    assert f'{games["ELEC"]}/exam"' not in client.get(games["ELEC"]).text
    for path in ("exam", "exam.xlsx"):
        response = client.get(f"{games['ELEC']}/{path}")
        assert response.status_code == 404
        assert "工种 ELEC 没有理论考试" in response.text
