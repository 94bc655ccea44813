"""The draw and check-in hold together with registration: the first draw waits until the
field is settled, late approvals get stations by a top-up that keeps everyone else's, those
who leave after the draw keep their row but are no longer checked in, a redraw is refused
once anyone has checked in, and every page and list says plainly when the field has changed
since the draw."""

import shutil
import subprocess
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.draw import draw as published_draw
from contest.domain.scoring import DeclaredStatus
from contest.domain.stages import StageKind, StageState
from contest.events.models import Trade
from contest.judging import draw
from contest.judging.models import DrawKind, DrawRound
from contest.registration.models import Entrant, RegistrationStatus
from contest.stages.models import StageWindow
from tests.conftest import login, post, race
from tests.factories import make_entrant, make_event, make_judge, make_trade, make_unit, make_user


@pytest.fixture
def weld(app):
    """WELD with six approved entrants and one returned, a chief judge and a judge; no
    window is open (registration is over)."""
    with app.app_context():
        event = make_event()
        a, b = make_unit(event, "A", "甲区总工会"), make_unit(event, "B", "乙区总工会")
        trade = make_trade(event, "WELD", "焊工")
        make_user(Role.ORGANISER, username="organiser")
        make_judge(trade, "J1", user=make_user(Role.CHIEF_JUDGE, username="chief"), chief=True)
        make_judge(trade, "J2", user=make_user(Role.JUDGE, username="judge"))
        for n in range(1, 7):
            make_entrant(trade, a if n % 2 else b, f"E{n:02d}", name=f"选手{n}")
        make_entrant(
            trade, b, "E07", name="后补选手", registration_status=RegistrationStatus.RETURNED
        )
        db.session.commit()
        return SimpleNamespace(event=event.id, id=trade.id)


def url(weld, tail=""):
    return f"/registration/trades/{weld.id}/{tail}"


def lots(app):
    with app.app_context():
        rows = db.session.execute(
            sa.select(Entrant.code, Entrant.station_no, Entrant.anon_code).order_by(Entrant.code)
        )
        return {code: (station, anon) for code, station, anon in rows}


def change(app, code, **values):
    """What the registration desk or the chief judge changed after the draw."""
    with app.app_context():
        db.session.execute(sa.update(Entrant).where(Entrant.code == code).values(**values))
        db.session.commit()


def entrant_id(app, code):
    with app.app_context():
        return db.session.execute(sa.select(Entrant.id).where(Entrant.code == code)).scalar_one()


def audit_actions(app):
    with app.app_context():
        return (
            db.session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
        )


def drawn(app, client, weld, seed="seed-1"):
    login(client, "organiser")
    assert post(client, url(weld, "draw"), {"seed": seed}).status_code == 302


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def rows(html, table):
    """The rows of the body of the table marked ``table``."""
    body = html.split(table, 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>")


def pdf_text(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    data = response.data
    response.close()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")


# --- the first draw waits until the field is settled -------------------------------------------


def test_no_draw_while_registration_is_open(app, client, weld):
    with app.app_context():
        event = db.session.get(Trade, weld.id).event
        db.session.add(StageWindow(event=event, kind=StageKind.REGISTRATION, state=StageState.OPEN,
                                   opens_at=datetime(2026, 4, 1, tzinfo=UTC)))  # fmt: skip
        db.session.commit()
    login(client, "organiser")
    shown = page(client, url(weld, "draw"))
    assert "报名尚未截止" in shown and 'name="seed"' not in shown
    assert "当前阶段" in shown and "报名" in shown
    before = lots(app)
    response = post(client, url(weld, "draw"), {"seed": "early"})
    assert response.status_code == 409
    assert "报名尚未截止：请在报名截止、所有报名审核完毕后再抽签。" in response.get_data(
        as_text=True
    )
    assert lots(app) == before and all(station is None for station, _ in before.values())
    with app.app_context():
        assert db.session.get(Trade, weld.id).draw_seed is None
        assert db.session.execute(sa.select(sa.func.count()).select_from(DrawRound)).scalar() == 0
    assert "trade.draw" not in audit_actions(app)


def test_no_draw_while_a_registration_awaits_review(app, client, weld):
    change(app, "E07", registration_status=RegistrationStatus.SUBMITTED)
    login(client, "organiser")
    response = post(client, url(weld, "draw"), {"seed": "early"})
    assert response.status_code == 409
    shown = response.get_data(as_text=True)
    assert "本工种还有 1 份报名待审核：请先审核再抽签。" in shown
    assert "<h1>抽签 · 焊工</h1>" in shown  # the draw page again, with the reason
    assert all(station is None for station, _ in lots(app).values())


def test_no_draw_without_an_approved_entrant(app, client, weld):
    with app.app_context():
        event = db.session.get(Trade, weld.id).event
        empty = make_trade(event, "ELEC", "电工")
        db.session.commit()
        empty_id = empty.id
    login(client, "organiser")
    response = post(client, f"/registration/trades/{empty_id}/draw", {"seed": "none"})
    assert response.status_code == 409
    assert "该工种没有审核通过的选手，无法抽签。" in response.get_data(as_text=True)


def test_only_the_organisers_draw_or_top_up(app, client, weld):
    for username in ("chief", "judge"):
        login(other := app.test_client(), username)
        assert post(other, url(weld, "draw"), {"seed": "mine"}).status_code == 403
        assert post(other, url(weld, "top-up"), {"seed": "mine"}).status_code == 403
    assert all(station is None for station, _ in lots(app).values())


# --- late approvals: the stale draw and the top-up ---------------------------------------------


def test_a_late_approval_waits_for_a_station_and_every_page_says_so(app, client, weld):
    drawn(app, client, weld)
    change(app, "E07", registration_status=RegistrationStatus.APPROVED)

    shown = page(client, url(weld, "draw"))
    assert "7 名已审核通过，6 名已有工位，1 名等待工位" in shown
    assert "抽签后审核通过、尚无工位（1 名）" in shown and "后补选手" in shown
    assert "抽签后参赛名单有变动" in shown
    assert "工位号和加密号与种子一致" not in shown  # not green while someone waits
    assert rows(shown, "data-stations") == 6  # the six stations listed, as counted

    checking = page(client, url(weld, "check-in"))
    assert "后补选手" in checking and "尚无工位" in checking  # named in the notice only
    assert "待检录 6" in checking and "共 6 名" in checking
    assert checking.count('class="checkin ') == 6

    door = pdf_text(client, url(weld, "door-list.pdf"))
    assert "后补选手" in door and "尚无工位" in door and "—" not in door

    with app.app_context():
        assert draw.verify_draw(db.session.get(Trade, weld.id))  # the draw still proven


def test_a_top_up_keeps_every_station_and_code(app, client, weld):
    drawn(app, client, weld)
    before = lots(app)
    change(app, "E07", registration_status=RegistrationStatus.APPROVED)
    response = post(client, url(weld, "top-up"), {"seed": "late-1"})
    assert response.status_code == 302
    after = lots(app)
    assert {c: v for c, v in after.items() if c != "E07"} == {
        c: v for c, v in before.items() if c != "E07"
    }
    taken = sorted(anon for station, anon in before.values() if anon)
    (expected,) = published_draw("late-1", ["E07"], "W", first_station=7, taken=taken)
    assert after["E07"] == (7, expected.code) and expected.code not in taken
    with app.app_context():
        trade = db.session.get(Trade, weld.id)
        assert trade.draw_seed == "seed-1" and draw.verify_draw(trade)
        top = db.session.execute(
            sa.select(DrawRound).where(DrawRound.kind == DrawKind.TOP_UP)
        ).scalar_one()
        assert (top.seed, top.first_station, top.taken) == ("late-1", 7, taken)
        assert top.lots == [{"entrant": "E07", "station": 7, "code": expected.code}]
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "trade.top_up")
        ).scalar_one()
        assert entry.new == {"seed": "late-1", "first_station": 7, "placed": top.lots}
    shown = page(client, url(weld, "draw"))
    assert "补抽" in shown and "late-1" in shown and "E07" in shown
    assert "工位号和加密号与种子一致" in shown
    assert "7 名已审核通过，7 名已有工位，0 名等待工位" in shown
    stations = pdf_text(client, url(weld, "stations.pdf"))
    assert "late-1" in stations and "seed-1" in stations

    again = post(client, url(weld, "top-up"), {"seed": "late-2"})
    assert again.status_code == 409
    assert "所有已审核通过的选手都已有工位。" in again.get_data(as_text=True)


def test_a_top_up_needs_a_draw_first(app, client, weld):
    login(client, "organiser")
    response = post(client, url(weld, "top-up"), {"seed": "late-1"})
    assert response.status_code == 409 and "该工种尚未抽签。" in response.get_data(as_text=True)


def test_two_top_ups_at_once_place_the_late_approval_once(app, client, weld):
    drawn(app, client, weld)
    change(app, "E07", registration_status=RegistrationStatus.APPROVED)
    tabs = []
    for _ in range(2):
        login(tab := app.test_client(), "organiser")
        tabs.append(tab)
    answers = race([lambda t=t, s=s: post(t, url(weld, "top-up"), {"seed": s}).status_code
                    for t, s in zip(tabs, ("race-a", "race-b"), strict=True)])  # fmt: skip
    assert sorted(answers) == [302, 409]
    with app.app_context():
        assert (
            db.session.execute(
                sa.select(sa.func.count()).select_from(DrawRound).where(DrawRound.kind == "top_up")
            ).scalar()
            == 1
        )
        assert draw.verify_draw(db.session.get(Trade, weld.id))


# --- entrants who leave after the draw ---------------------------------------------------------


@pytest.mark.parametrize(
    "leaving",
    [
        {"registration_status": RegistrationStatus.RETURNED, "review_note": "证书过期"},
        {"status": DeclaredStatus.WD, "status_reason": "因伤退赛"},
    ],
    ids=["returned", "withdrawn"],
)
def test_an_entrant_who_leaves_keeps_the_row_but_is_not_checked_in(app, client, weld, leaving):
    drawn(app, client, weld)
    before = lots(app)
    change(app, "E03", **leaving)

    shown = page(client, url(weld, "draw"))
    assert "5 名已审核通过，5 名已有工位，0 名等待工位 · 1 名抽签后退出" in shown
    assert "抽签后退出（1 名）" in shown and "选手3" in shown
    assert "抽签后参赛名单有变动" in shown and "工位号和加密号与种子一致" not in shown
    assert rows(shown, "data-stations") == 5 and rows(shown, "data-left") == 1
    with app.app_context():
        assert draw.verify_draw(db.session.get(Trade, weld.id))  # the draw still proven
    assert lots(app) == before  # the row keeps its station and code

    checking = page(client, url(weld, "check-in"))
    assert "抽签后退出，不检录：选手3" in checking
    assert checking.count('class="checkin ') == 5 and "共 5 名" in checking
    response = post(client, url(weld, f"check-in/{entrant_id(app, 'E03')}"), {"present": "1"})
    assert response.status_code == 409
    assert "选手3 已不在参赛名单中（抽签后被退回或退赛），不能检录。" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(Entrant, entrant_id(app, "E03")).check_in is None
    door = pdf_text(client, url(weld, "door-list.pdf"))
    assert "选手3" in door and "抽签后退出" in door

    # A late approval does not take the station left empty.
    with app.app_context():
        trade = db.session.get(Trade, weld.id)
        make_entrant(trade, trade.event.units[0], "E08", name="新选手")
        db.session.commit()
    assert post(client, url(weld, "top-up"), {"seed": "late-1"}).status_code == 302
    after = lots(app)
    assert after["E08"][0] == 7 and after["E03"] == before["E03"]
    with app.app_context():
        assert draw.verify_draw(db.session.get(Trade, weld.id))


# --- a redraw ----------------------------------------------------------------------------------


def test_a_redraw_says_what_it_undoes_and_keeps_the_draw_it_replaces(app, client, weld):
    drawn(app, client, weld, "first")
    shown = page(client, url(weld, "draw"))
    assert "本工种的全部工位号和加密号都会改变；已打印的检录表和工位卡作废。" in shown
    before = lots(app)
    response = post(client, url(weld, "draw"),
                    {"seed": "second", "redraw": "y", "reason": "抽签设备故障"})  # fmt: skip
    assert response.status_code == 302 and lots(app) != before
    with app.app_context():
        trade = db.session.get(Trade, weld.id)
        assert trade.draw_seed == "second" and draw.verify_draw(trade)
        kinds = db.session.execute(
            sa.select(DrawRound.kind, DrawRound.seed, DrawRound.reason).order_by(DrawRound.id)
        ).all()
        assert kinds == [
            (DrawKind.DRAW, "first", None),
            (DrawKind.REDRAW, "second", "抽签设备故障"),
        ]
    shown = page(client, url(weld, "draw"))
    assert "已被重新抽签取代" in shown and "first" in shown


def test_a_redraw_after_check_in_is_refused_and_points_to_the_top_up(app, client, weld):
    drawn(app, client, weld)
    assert post(client, url(weld, f"check-in/{entrant_id(app, 'E01')}"),
                {"present": "1"}).status_code == 302  # fmt: skip
    before = lots(app)
    shown = page(client, url(weld, "draw"))
    assert "已有 1 名选手完成检录" in shown and 'name="redraw"' not in shown
    response = post(client, url(weld, "draw"),
                    {"seed": "again", "redraw": "y", "reason": "再抽"})  # fmt: skip
    assert response.status_code == 409
    assert "重新抽签会改变所有人的工位。请改为给后来审核通过的选手补抽工位。" in response.get_data(
        as_text=True
    )
    assert lots(app) == before
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(DrawRound)).scalar() == 1


def test_a_redraw_once_locked_is_refused(app, client, weld):
    drawn(app, client, weld)
    with app.app_context():
        db.session.get(Trade, weld.id).locked_at = datetime(2026, 5, 10, tzinfo=UTC)
        db.session.commit()
    response = post(client, url(weld, "draw"),
                    {"seed": "again", "redraw": "y", "reason": "再抽"})  # fmt: skip
    assert response.status_code == 423 and "裁判长已锁定本工种" in response.get_data(as_text=True)


# --- check-in ----------------------------------------------------------------------------------


def test_check_in_waits_for_the_draw(app, client, weld):
    login(client, "organiser")
    shown = page(client, url(weld, "check-in"))
    assert "该工种尚未抽签" in shown and 'class="checkin ' not in shown
    response = post(client, url(weld, f"check-in/{entrant_id(app, 'E01')}"), {"present": "1"})
    assert response.status_code == 409 and "该工种尚未抽签。" in response.get_data(as_text=True)


def test_a_late_approval_cannot_be_checked_in_before_the_top_up(app, client, weld):
    drawn(app, client, weld)
    change(app, "E07", registration_status=RegistrationStatus.APPROVED)
    response = post(client, url(weld, f"check-in/{entrant_id(app, 'E07')}"), {"present": "1"})
    assert response.status_code == 409
    assert "该选手尚无工位：请先为后来审核通过的选手补抽工位。" in response.get_data(as_text=True)


def test_the_running_counts_match_the_list(app, client, weld):
    drawn(app, client, weld)
    post(client, url(weld, f"check-in/{entrant_id(app, 'E01')}"), {"present": "1"})
    post(client, url(weld, f"check-in/{entrant_id(app, 'E02')}"), {"absent": "1"})
    shown = page(client, url(weld, "check-in"))
    assert "已检录 1 · 缺考 1 · 待检录 4 · 共 6 名有工位的选手" in shown
    assert shown.count('class="checkin present"') == 1
    assert shown.count('class="checkin absent"') == 1
    assert shown.count('class="checkin pending"') == 4
    # A search narrows the list, not the counts.
    station = lots(app)["E03"][0]
    found = page(client, url(weld, f"check-in?q={station}"))
    assert found.count('class="checkin ') == 1 and "共 6 名有工位的选手" in found


# --- the trade's step --------------------------------------------------------------------------


def test_the_draw_page_shows_the_trade_step(app, client, weld):
    login(client, "organiser")
    assert "当前阶段" in (shown := page(client, url(weld, "draw"))) and ">审核<" in shown
    assert post(client, url(weld, "draw"), {"seed": "seed-1"}).status_code == 302
    assert ">已抽签<" in page(client, url(weld, "draw"))
    post(client, url(weld, f"check-in/{entrant_id(app, 'E01')}"), {"present": "1"})
    assert ">检录<" in page(client, url(weld, "draw"))


def test_the_pages_speak_english_too(app, client, weld):
    drawn(app, client, weld)
    change(app, "E07", registration_status=RegistrationStatus.APPROVED)
    change(app, "E03", status=DeclaredStatus.WD)
    with client.session_transaction() as session:
        session["lang"] = "en"
    shown = page(client, url(weld, "draw"))
    assert "6 approved, 5 with a station, 1 awaiting a station · 1 left the field" in shown
    assert "Stage of the trade" in shown and ">Drawn<" in shown
    checking = page(client, url(weld, "check-in"))
    assert "Checked in 0 · Absent 0 · Waiting 5 · 5 entrants with a station" in checking
    assert "1 entrant approved after the draw has no station yet and is not listed: 后补选手" in (
        checking
    )
    assert "1 entrant left the field after the draw and is not checked in: 选手3." in checking
