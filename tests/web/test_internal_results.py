"""Internal results: the event overview and each trade's full breakdown, who may see them,
and their Excel and PDF exports.

The event is the small test package (expected results worked by hand in tests/packages.py)
plus a diving trade with a trimmed panel, a tie decided by time and an incomplete entrant.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from contest.accounts.models import Role, User
from contest.core.extensions import db
from contest.domain.package import read_package
from contest.events.models import Judge, Trade, Unit, unit_contacts
from contest.packages import importing
from contest.registration.models import Entrant
from tests.conftest import login, post
from tests.factories import make_user
from tests.packages import EXPECTED, small_package

WELD_EXPECTED = {e["code"]: e for e in EXPECTED["trades"][0]["entrants"]}


def dive_package() -> dict:
    """The small package plus DIVE: one criterion D1 (0–10, step 0.5), trimmed mean of three
    judges J4 (chief), J5, J6, drop one highest and one lowest; ties broken by time.

    - E5 刘洋: 8, 7, 9 → J5's 7 and J6's 9 dropped → 8.00, 100 s;
    - E6 陈静: 6, 8, 10 → J4's 6 and J6's 10 dropped → 8.00, 90 s → ahead of E5 on time;
    - E7 杨帆: 5, 6 and nothing from J6 → incomplete.
    """
    package = small_package()
    package["trades"].append(
        {
            "code": "DIVE",
            "name": "跳水",
            "components": [
                {
                    "code": "dive",
                    "name": "动作",
                    "weight": 1,
                    "criteria": [
                        {
                            "code": "D1",
                            "name": "完成",
                            "max": 10,
                            "step": 0.5,
                            "aggregation": "trimmed_mean",
                            "trim": 1,
                        }
                    ],
                }
            ],
            "tie_breakers": ["time"],
            "recusal": "none",
        }
    )
    package["entrants"] += [
        {"code": "E5", "name": "刘洋", "unit": "U2", "trade": "DIVE"},
        {"code": "E6", "name": "陈静", "unit": "U3", "trade": "DIVE"},
        {"code": "E7", "name": "杨帆", "unit": "U1", "trade": "DIVE"},
    ]
    package["judges"] += [
        {"code": "J4", "name": "裁判丁", "unit": "JU", "trades": ["DIVE"], "chief": True},
        {"code": "J5", "name": "裁判戊", "unit": "JU", "trades": ["DIVE"]},
        {"code": "J6", "name": "裁判己", "unit": "JU", "trades": ["DIVE"]},
    ]
    for entrant, values in {"E5": (8, 7, 9), "E6": (6, 8, 10), "E7": (5, 6)}.items():
        for judge, value in zip(("J4", "J5", "J6"), values, strict=False):
            package["scores"].append(
                {"entrant": entrant, "criterion": "D1", "judge": judge, "value": value}
            )
    package["times"] += [{"entrant": "E5", "seconds": 100}, {"entrant": "E6", "seconds": 90}]
    return package


@pytest.fixture
def world(app):
    """The package imported, with one account of every kind: the chief judges of WELD (J1,
    also of ELEC) and of DIVE (J4), a judge on WELD's panel (J2), a contact of U1, E1's own
    account, an organiser and an admin."""
    with app.app_context():
        document = json.loads(json.dumps(dive_package()), parse_float=Decimal)
        event = importing.import_package(read_package(document)).event
        users = {
            name: make_user(role, username=name)
            for name, role in [
                ("weld-chief", Role.CHIEF_JUDGE),
                ("dive-chief", Role.CHIEF_JUDGE),
                ("judge", Role.JUDGE),
                ("contact", Role.UNIT_CONTACT),
                ("entrant", Role.ENTRANT),
                ("organiser", Role.ORGANISER),
                ("admin", Role.ADMIN),
            ]
        }
        judges = {j.code: j for j in db.session.execute(sa.select(Judge)).scalars()}
        judges["J1"].user = users["weld-chief"]
        judges["J4"].user = users["dive-chief"]
        judges["J2"].user = users["judge"]
        e1 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E1")).scalar_one()
        e1.user = users["entrant"]
        u1 = db.session.execute(sa.select(Unit).where(Unit.code == "U1")).scalar_one()
        db.session.flush()
        db.session.execute(
            unit_contacts.insert().values(unit_id=u1.id, user_id=users["contact"].id)
        )
        trades = {t.code: t.id for t in db.session.execute(sa.select(Trade)).scalars()}
        db.session.commit()
        return SimpleNamespace(event=event.id, **{code.lower(): i for code, i in trades.items()})


def signed_in(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def section(html: str, code: str) -> str:
    """The breakdown card of one entrant."""
    start = html.index(f'id="entrant-{code}"')
    end = html.find('id="entrant-', start + 1)
    return html[start : end if end != -1 else len(html)]


def ranking_row(html: str, code: str) -> str:
    start = html.index(f'id="rank-{code}"')
    return html[start : html.index("</tr>", start)]


def numbers(fragment: str, css_class: str) -> list[str]:
    return re.findall(rf'class="[^"]*{css_class}[^"]*">\s*([^<\s]+)', fragment)


# --- the trade page ----------------------------------------------------------------------------


def test_trade_page_shows_the_expected_totals_ranks_and_components(app, world):
    html = page(signed_in(app, "organiser").get(f"/results/trades/{world.weld}"))
    for code in ("E1", "E2"):
        row, expected = ranking_row(html, code), WELD_EXPECTED[code]
        assert numbers(row, "results-rank") == [str(expected["rank"])]
        assert numbers(row, "results-total") == [expected["total"]]
        for component in expected["components"].values():
            assert component in row
        assert expected["t_score"] in row
        assert "张伟" in html and "一号区总工会" in html  # names and units are shown
    assert numbers(section(html, "E1"), "results-total") == ["87.08", "87.08"]
    dns = ranking_row(html, "E3")
    assert numbers(dns, "results-rank") == ["—"] and "未参赛" in dns
    assert "金牌工人" in ranking_row(html, "E1") and "晋升（至技师）" in ranking_row(html, "E1")


def test_trade_page_shows_every_judge_value_recusal_and_excusal(app, world):
    html = page(signed_in(app, "organiser").get(f"/results/trades/{world.weld}"))
    e1, e2 = section(html, "E1"), section(html, "E2")
    cells = re.findall(r'results-seat-(\w+)">\s*(.*?)\s*</td>', e1)
    assert [(seat, re.sub(r"<[^>]+>", "", v)) for seat, v in cells] == [
        ("counted", "50"),
        ("counted", "55"),
        ("recused", "回避"),
        ("counted", "3"),
        ("counted", "2"),
        ("recused", "回避"),
    ]
    assert "52.50" in e1 and "33.33" in e1 and "85.83" in e1  # P1 mark, P2 mark, practical
    assert e2.count("results-seat-excused") == 2
    for sensitive in _id_numbers(app):
        assert sensitive not in html


def test_dropped_values_are_struck_through_and_the_tie_break_is_explained(app, world):
    html = page(signed_in(app, "admin").get(f"/results/trades/{world.dive}"))
    dropped = {
        code: sorted(
            Decimal(v) for v in re.findall(r"<del[^>]*>([^<]+)</del>", section(html, code))
        )
        for code in ("E5", "E6", "E7")
    }
    assert dropped == {"E5": [7, 9], "E6": [6, 10], "E7": []}
    assert re.findall(r"results-seat-(\w+)", section(html, "E7")) == [
        "counted",
        "counted",
        "missing",
    ]
    assert numbers(ranking_row(html, "E6"), "results-rank") == ["1"]
    assert numbers(ranking_row(html, "E5"), "results-rank") == ["2"]
    assert numbers(ranking_row(html, "E5"), "results-total") == ["8.00"]
    assert "与E6 陈静总成绩相同，按完成用时排在其后。" in ranking_row(html, "E5")
    assert "与E5 刘洋总成绩相同，按完成用时排在其前。" in ranking_row(html, "E6")
    incomplete = ranking_row(html, "E7")
    assert "成绩不完整" in incomplete and numbers(incomplete, "results-rank") == ["—"]


def test_flags_are_shown(app, world):
    with app.app_context():
        from contest.events.models import Criterion
        from contest.results import services as results
        from contest.results.models import Score

        p2 = db.session.execute(sa.select(Criterion).where(Criterion.code == "P2")).scalar_one()
        score = db.session.execute(
            sa.select(Score).where(Score.criterion_id == p2.id, Score.value == 3)
        ).scalar_one()  # E1's P2 from J1: 3 and 2 → 3 and 0, spread 3 over the allowed 1
        score.value = Decimal(0)
        results.recompute_trade(db.session.get(Trade, world.weld))
        db.session.commit()
    html = page(signed_in(app, "organiser").get(f"/results/trades/{world.weld}"))
    assert "<code>spread:P2</code>" in ranking_row(html, "E1")
    assert "spread:P2" not in ranking_row(html, "E2")


# --- who may see it ----------------------------------------------------------------------------


def test_a_chief_judge_sees_only_his_own_trades(app, world):
    weld_chief = signed_in(app, "weld-chief")
    assert weld_chief.get(f"/results/trades/{world.weld}").status_code == 200
    assert weld_chief.get(f"/results/trades/{world.weld}/results.xlsx").status_code == 200
    assert weld_chief.get(f"/results/trades/{world.dive}").status_code == 403
    assert weld_chief.get(f"/results/trades/{world.dive}/results.xlsx").status_code == 403
    assert weld_chief.get(f"/results/trades/{world.dive}/results.pdf").status_code == 403
    assert weld_chief.get(f"/results/events/{world.event}").status_code == 403
    dive_chief = signed_in(app, "dive-chief")
    assert dive_chief.get(f"/results/trades/{world.dive}").status_code == 200
    assert dive_chief.get(f"/results/trades/{world.weld}").status_code == 403


@pytest.mark.parametrize("username", ["judge", "contact", "entrant"])
def test_everyone_else_is_refused(app, world, username):
    client = signed_in(app, username)
    for path in (
        f"/results/trades/{world.weld}",
        f"/results/trades/{world.weld}/results.xlsx",
        f"/results/trades/{world.weld}/results.pdf",
        f"/results/events/{world.event}",
        f"/results/events/{world.event}/results.xlsx",
        f"/results/events/{world.event}/results.pdf",
    ):
        assert client.get(path).status_code == 403, path


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for path in (f"/results/trades/{world.weld}", f"/results/events/{world.event}"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_unknown_objects_are_not_found(app, world):
    organiser = signed_in(app, "organiser")
    assert organiser.get("/results/trades/999999").status_code == 404
    assert organiser.get("/results/events/999999").status_code == 404


# --- the event page ----------------------------------------------------------------------------


def test_event_page_has_trades_units_medals_teams_and_nominations(app, world):
    response = signed_in(app, "organiser").get(f"/results/events/{world.event}")
    html = page(response)
    assert response.headers["Cache-Control"] == "private, no-store"
    trades = html[html.index('id="trades"') : html.index('id="units"')]
    assert "results-state-complete" in trades and "results-state-incomplete" in trades
    assert f"/results/trades/{world.dive}" in trades
    units = html[html.index('id="units"') : html.index('id="medals"')]
    rows = re.findall(r"<tr><td class=\"num\">(\d+)</td><td><code>(\w+)</code>", units)
    # U1 5 + 5 points (WELD and ELEC); U3 5 (E6 wins DIVE), U2 3 + 3: U1 first with two golds
    assert rows[:3] == [("1", "U1"), ("2", "U2"), ("3", "U3")]
    awards = html[html.index('id="awards"') :]
    assert "金牌工人" in awards and "E6</code> 陈静" in awards and "技师" in awards
    teams = html[html.index('id="teams"') : html.index('id="awards"')]
    assert "一号队" in teams and "87.08" in teams


def test_hub_and_desk_link_to_the_results(app, world):
    organiser = signed_in(app, "organiser")
    assert f"/results/events/{world.event}" in page(
        organiser.get(f"/organise/events/{world.event}")
    )
    chief = signed_in(app, "weld-chief")
    assert f"/results/trades/{world.weld}" in page(chief.get(f"/chief/trades/{world.weld}"))


# --- exports -----------------------------------------------------------------------------------


def test_trade_workbook_carries_the_totals_and_every_judge_value(app, world):
    response = signed_in(app, "organiser").get(f"/results/trades/{world.weld}/results.xlsx")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    book = load_workbook(io.BytesIO(response.data))
    results, values = book.worksheets
    header = [c.value for c in results[1]]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in results.iter_rows(2, values_only=True)}
    for code, expected in WELD_EXPECTED.items():
        total = rows[code]["总成绩"]
        assert (None if total is None else f"{Decimal(str(total)):.2f}") == expected["total"]
        assert rows[code]["名次"] == expected["rank"]
    assert rows["E1"]["姓名"] == "张伟" and rows["E1"]["T分"] == pytest.approx(60)
    judges = [c.value for c in values[1]]
    p1 = next(r for r in values.iter_rows(2, values_only=True) if r[0] == "E1" and r[3] == "P1")
    line = dict(zip(judges, p1, strict=True))
    assert (line["J1"], line["J2"], line["J3"]) == (50, 55, "回避")


def test_dive_workbook_strikes_dropped_values(app, world):
    response = signed_in(app, "organiser").get(f"/results/trades/{world.dive}/results.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[1]
    header = [c.value for c in sheet[1]]
    struck = {}
    for row in sheet.iter_rows(2):
        struck[row[0].value] = sorted(
            header[c.column - 1] for c in row if c.font is not None and c.font.strike
        )
    assert struck == {"E6": ["J4", "J6"], "E5": ["J5", "J6"], "E7": []}


def test_event_workbook_is_the_results_workbook(app, world):
    response = signed_in(app, "organiser").get(f"/results/events/{world.event}/results.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {r[3]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(2, values_only=True)}
    assert f"{Decimal(str(rows['E1']['总成绩'])):.2f}" == "87.08"
    assert f"{Decimal(str(rows['E4']['总成绩'])):.2f}" == "88.25"


@pytest.mark.parametrize(
    ("path", "names", "landscape"),
    [
        ("/results/trades/{weld}/results.pdf", ["张伟", "李娜", "87.08", "回避"], True),
        ("/results/events/{event}/results.pdf", ["一号区总工会", "金牌工人", "赵敏"], False),
    ],
)
def test_pdf_exports_are_real_pdfs_in_chinese(app, world, tmp_path, path, names, landscape):
    response = signed_in(app, "organiser").get(path.format(**vars(world)))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    pdf = tmp_path / "results.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for name in names:
        assert name in text
    if shutil.which("pdfinfo") is not None:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        assert (width > height) == landscape


def _id_numbers(app) -> list[str]:
    with app.app_context():
        return [n for n in db.session.execute(sa.select(Entrant.id_number)).scalars() if n]


def test_the_trade_page_speaks_english_too(app, world):
    client = signed_in(app, "organiser")
    post(client, "/lang", {"lang": "en", "next": "/"})
    html = page(client.get(f"/results/trades/{world.dive}"))
    assert "Same total as E6 陈静; placed behind on completion time." in ranking_row(html, "E5")
    assert "Internal results" in html and "内部成绩" not in html


# --- blind while the trade is scored -------------------------------------------------------------


def weld_names(app) -> set[str]:
    """The names and units of WELD's entrants."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Entrant.name, Unit.name)
            .join(Unit, Unit.id == Entrant.unit_id)
            .join(Trade, Trade.id == Entrant.trade_id)
            .where(Trade.code == "WELD")
        ).all()
    return {name for row in rows for name in row}


def test_a_chief_judge_who_scores_sees_no_names_until_the_trade_is_locked(app, world):
    names = weld_names(app)
    assert {"张伟", "一号区总工会"} <= names
    chief = signed_in(app, "weld-chief")  # J1: chief judge, and on the panel that scores
    html = page(chief.get(f"/results/trades/{world.weld}"))
    assert [n for n in names if n in html] == []
    assert 'id="rank-E1"' not in html and "一号队" not in html  # no codes, no teams
    assert "您为本工种评分：在本工种锁定前，选手仅以工位号和加密号显示" in html
    assert re.findall(r'id="rank-(#\d+)"', html)  # entrants by number (no draw yet)
    book = load_workbook(io.BytesIO(chief.get(f"/results/trades/{world.weld}/results.xlsx").data))
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert not names & cells and "E1" not in cells
    assert chief.get(f"/results/trades/{world.weld}/results.pdf").status_code == 200
    # The organisers, who do not score, see who is who meanwhile.
    staff = page(signed_in(app, "organiser").get(f"/results/trades/{world.weld}"))
    assert "张伟" in staff and 'id="blind"' not in staff

    with app.app_context():
        db.session.get(Trade, world.weld).locked_at = datetime.now(UTC)
        db.session.commit()
    locked = page(chief.get(f"/results/trades/{world.weld}"))
    assert "张伟" in locked and "一号区总工会" in locked and 'id="blind"' not in locked


def test_a_chief_judge_who_marks_no_criterion_is_not_blind(app, world):
    """A chief judge whose every criterion is marked by component panels without them does
    not score the trade, and sees the names."""
    from contest.results.blindness import blind

    with app.app_context():
        trade = db.session.get(Trade, world.weld)
        chief = db.session.execute(sa.select(User).where(User.username == "weld-chief")).scalar()
        organiser = db.session.execute(sa.select(User).where(User.username == "organiser")).scalar()
        assert blind(chief, trade) is True and blind(organiser, trade) is False
        judge = db.session.execute(sa.select(Judge).where(Judge.code == "J2")).scalar_one()
        for component in trade.components:
            if component.criteria:
                component.judges = [judge]  # J1 marks nothing in WELD any more
        db.session.flush()
        assert blind(chief, trade) is False
        db.session.rollback()
