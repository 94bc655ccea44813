"""Draw of lots, the printed lists, and check-in on a tablet."""

import shutil
import subprocess
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.draw import draw as published_draw
from contest.events.models import Trade
from contest.judging import draw
from contest.registration.models import CheckIn, Entrant, RegistrationStatus
from contest.results.models import Score
from tests.conftest import login, post
from tests.factories import make_entrant, make_event, make_judge, make_trade, make_unit, make_user


@pytest.fixture
def field(app):
    """WELD with six approved entrants (one more returned to its unit), a chief judge and a
    judge; registration is over (no window is open)."""
    with app.app_context():
        event = make_event()
        a, b = make_unit(event, "A", "甲区总工会"), make_unit(event, "B", "乙区总工会")
        weld = make_trade(event, "WELD", "焊工")
        make_user(Role.ORGANISER, username="organiser")
        make_judge(weld, "J1", user=make_user(Role.CHIEF_JUDGE, username="chief"), chief=True)
        make_judge(weld, "J2", user=make_user(Role.JUDGE, username="judge"))
        for n in range(1, 7):
            make_entrant(weld, a if n % 2 else b, f"E{n:02d}", name=f"选手{n}")
        make_entrant(
            weld, a, "E99", name="退回选手", registration_status=RegistrationStatus.RETURNED
        )
        db.session.commit()
        return SimpleNamespace(event=event.id, weld=weld.id)


def lots(app, trade_id):
    with app.app_context():
        rows = db.session.execute(
            sa.select(Entrant.code, Entrant.station_no, Entrant.anon_code)
            .where(Entrant.trade_id == trade_id)
            .order_by(Entrant.code)
        )
        return [tuple(r) for r in rows]


def test_draw_is_reproducible_from_its_seed(app, client, field):
    login(client, "organiser")
    response = post(client, f"/registration/trades/{field.weld}/draw", {"seed": "guangdong2026"})
    assert response.status_code == 302
    drawn = lots(app, field.weld)
    assert ("E99", None, None) in drawn  # returned: not drawn
    expected = {
        (lot.entrant, lot.station, lot.code)
        for lot in published_draw("guangdong2026", [f"E{n:02d}" for n in range(1, 7)], "W")
    }
    assert {row for row in drawn if row[1] is not None} == expected
    with app.app_context():
        trade = db.session.get(Trade, field.weld)
        assert trade.draw_seed == "guangdong2026" and draw.verify_draw(trade)
        audit = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "trade.draw")
        ).scalar_one()
        assert audit.new == {"seed": "guangdong2026", "entrants": 6}
    page = client.get(f"/registration/trades/{field.weld}/draw").get_data(as_text=True)
    assert "guangdong2026" in page and "工位号和加密号与种子一致" in page


def test_a_random_seed_is_recorded(app, client, field):
    login(client, "organiser")
    post(client, f"/registration/trades/{field.weld}/draw")
    with app.app_context():
        trade = db.session.get(Trade, field.weld)
        assert len(trade.draw_seed) == 16 and draw.verify_draw(trade)


def test_drawing_again_needs_a_reason_and_no_scores(app, client, field):
    login(client, "organiser")
    post(client, f"/registration/trades/{field.weld}/draw", {"seed": "first"})
    first = lots(app, field.weld)
    again = post(client, f"/registration/trades/{field.weld}/draw", {"seed": "second"})
    assert again.status_code == 409 and "该工种已抽签" in again.get_data(as_text=True)
    no_reason = post(client, f"/registration/trades/{field.weld}/draw",
                     {"seed": "second", "redraw": "y"})  # fmt: skip
    assert no_reason.status_code == 400
    assert lots(app, field.weld) == first
    ok = post(client, f"/registration/trades/{field.weld}/draw",
              {"seed": "second", "redraw": "y", "reason": "抽签设备故障"})  # fmt: skip
    assert ok.status_code == 302 and lots(app, field.weld) != first
    with app.app_context():
        trade = db.session.get(Trade, field.weld)
        entrant = db.session.execute(sa.select(Entrant).where(Entrant.code == "E01")).scalar_one()
        db.session.add(Score(entrant=entrant, criterion=trade.criteria[0],
                             judge=trade.panel[0].judge, value=10))  # fmt: skip
        db.session.commit()
    late = post(client, f"/registration/trades/{field.weld}/draw",
                {"seed": "third", "redraw": "y", "reason": "再抽"})  # fmt: skip
    assert late.status_code == 409 and "已录入成绩" in late.get_data(as_text=True)


def test_judges_see_only_stations_and_codes(app, client, field):
    login(client, "organiser")
    assert (
        post(client, f"/registration/trades/{field.weld}/draw", {"seed": "seed-1"}).status_code
        == 302
    )
    login(judge := app.test_client(), "judge")
    page = judge.get(f"/judging/trades/{field.weld}").get_data(as_text=True)
    drawn = [(station, anon) for _, station, anon in lots(app, field.weld) if station]
    assert len(drawn) == 6
    for station, anon in drawn:
        assert f"{station:02d} · {anon}" in page
    assert "选手" not in page and "甲区" not in page


def test_printed_lists_are_real_pdfs_with_chinese_text(app, client, field):
    login(client, "organiser")
    assert (
        post(client, f"/registration/trades/{field.weld}/draw", {"seed": "seed-1"}).status_code
        == 302
    )
    for kind in ("stations", "door-list"):
        response = client.get(f"/registration/trades/{field.weld}/{kind}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")
        data = response.data
        response.close()
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext (poppler-utils) is not installed")
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode("utf-8")
        assert "焊工" in text and "测试市职工技术运动会" in text
        if kind == "door-list":
            assert "选手1" in text and "甲区总工会" in text
            assert "**********" in text  # ID numbers masked
        else:
            assert "选手1" not in text  # the station list carries no names


def test_check_in_marks_present_and_absent_as_dns(app, client, field):
    login(client, "organiser")
    assert (
        post(client, f"/registration/trades/{field.weld}/draw", {"seed": "seed-1"}).status_code
        == 302
    )
    with app.app_context():
        e3 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E03")).scalar_one()
        station, e3_id = e3.station_no, e3.id
    page = client.get(f"/registration/trades/{field.weld}/check-in?q={station}")
    assert "选手3" in page.get_data(as_text=True)
    assert "选手1" not in page.get_data(as_text=True)
    by_name = client.get(f"/registration/trades/{field.weld}/check-in?q=选手3")
    assert "选手3" in by_name.get_data(as_text=True)

    post(client, f"/registration/trades/{field.weld}/check-in/{e3_id}", {"absent": "1"})
    with app.app_context():
        e3 = db.session.get(Entrant, e3_id)
        assert (e3.check_in, e3.status.value) == (CheckIn.ABSENT, "DNS")
        assert e3.checked_in_at is not None
    post(client, f"/registration/trades/{field.weld}/check-in/{e3_id}", {"present": "1"})
    with app.app_context():
        e3 = db.session.get(Entrant, e3_id)
        assert (e3.check_in, e3.status) == (CheckIn.PRESENT, None)
        actions = (
            db.session.execute(
                sa.select(AuditEntry.action).where(AuditEntry.entity_id == str(e3_id))
            )
            .scalars()
            .all()
        )
        assert actions == ["entrant.check_in", "entrant.check_in"]


def test_chief_judge_may_run_check_in_but_a_judge_may_not(app, field):
    login(chief := app.test_client(), "chief")
    assert chief.get(f"/registration/trades/{field.weld}/check-in").status_code == 200
    login(judge := app.test_client(), "judge")
    assert judge.get(f"/registration/trades/{field.weld}/check-in").status_code == 403
    assert chief.get(f"/registration/trades/{field.weld}/draw").status_code == 403


def test_check_in_of_an_entrant_of_another_trade_is_404(app, client, field):
    with app.app_context():
        event = db.session.get(Trade, field.weld).event
        other = make_trade(event, "ELEC", "电工")
        stranger = make_entrant(other, event.units[0], "X1")
        db.session.commit()
        stranger_id = stranger.id
    login(client, "organiser")
    response = post(client, f"/registration/trades/{field.weld}/check-in/{stranger_id}",
                    {"absent": "1"})  # fmt: skip
    assert response.status_code == 404


def test_a_malformed_seed_is_refused(app, client, field):
    login(client, "organiser")
    for seed in ("s1", "带中文的种子", "x" * 65):
        response = post(client, f"/registration/trades/{field.weld}/draw", {"seed": seed})
        assert response.status_code == 400, seed
    assert all(station is None for _, station, _ in lots(app, field.weld))


def test_check_in_is_refused_once_the_trade_is_locked(app, client, field):
    from datetime import UTC, datetime

    login(client, "organiser")
    assert (
        post(client, f"/registration/trades/{field.weld}/draw", {"seed": "seed-1"}).status_code
        == 302
    )
    with app.app_context():
        db.session.get(Trade, field.weld).locked_at = datetime.now(UTC)
        e1 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E01")).scalar_one()
        db.session.commit()
        e1_id = e1.id
    response = post(client, f"/registration/trades/{field.weld}/check-in/{e1_id}", {"absent": "1"})
    assert response.status_code == 423
    assert "裁判长已锁定本工种" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Entrant, e1_id).status is None


def test_registrations_under_review_are_not_in_the_results(app, field):
    from contest.results import services as results

    with app.app_context():
        db.session.execute(
            sa.update(Entrant)
            .where(Entrant.code == "E99")
            .values(registration_status=RegistrationStatus.SUBMITTED)
        )
        db.session.commit()
        trade = db.session.get(Trade, field.weld)
        codes = [e["code"] for e in results.results_for(trade.event)["trades"][0]["entrants"]]
        assert "E99" not in codes and len(codes) == 6
