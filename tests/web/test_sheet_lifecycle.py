"""Where a judge's sheet stands in the trade's life: a re-score order opens exactly that sheet
whatever the scoring window, until it is resubmitted; nothing is written once the results are
published, not even by a write waiting for the trade's lock when they were; only entrants who
checked in are scored; the page and the API say why a sheet is closed, in the same words."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.extensions import db
from contest.core.queries import lock_row
from contest.domain.scoring import DeclaredStatus
from contest.domain.stages import StageKind, StageState
from contest.events.models import Criterion, Trade
from contest.judging.models import RescoreRequest
from contest.publication.models import Publication
from contest.registration.models import CheckIn, Entrant
from contest.results.models import Score, ScoreState
from contest.stages.models import StageWindow
from tests.factories import make_entrant, make_event, make_judge, make_trade, make_unit, make_user
from tests.judging import Desk, Tablet

PUBLISHED = "成绩已公布；如需修改，请先说明原因撤回公布。"
CLOSED = "本工种评分未开放。"
ABSENT = "该选手尚未检录：只有已检录的选手才能评分。"
READ_ONLY = "本评分表为只读。"


@pytest.fixture
def w(app):
    """WELD (P1, P2: 0–50) with chief judge J0 (``chief``) and judge J1 (``j1``); E1 and E2
    checked in, E3 not yet, E4 absent at check-in (DNS). Scoring is open; J1 has submitted
    E1 and E2 (P1 30, P2 20)."""
    with app.app_context():
        event = make_event()
        a, b = make_unit(event, "A"), make_unit(event, "B")
        weld = make_trade(event, "WELD", "焊工")
        chief = make_user(Role.CHIEF_JUDGE, username="chief")
        make_user(Role.ORGANISER, username="organiser")
        j0 = make_judge(weld, "J0", user=chief, chief=True)
        j1 = make_judge(weld, "J1", user=make_user(Role.JUDGE, username="j1"))
        e1 = make_entrant(weld, a, "E1", station=1)
        e2 = make_entrant(weld, b, "E2", station=2)
        e3 = make_entrant(weld, b, "E3", station=3, check_in=None)
        e4 = make_entrant(weld, a, "E4", station=4, check_in=CheckIn.ABSENT)
        e4.status = DeclaredStatus.DNS
        now = datetime.now(UTC)
        db.session.add(
            StageWindow(event=event, kind=StageKind.SCORING, opens_at=now - timedelta(hours=1),
                        closes_at=now + timedelta(hours=8), state=StageState.OPEN)
        )  # fmt: skip
        db.session.commit()
        found = SimpleNamespace(
            event=event.id, trade=weld.id, j0=j0.id, j1=j1.id,
            e1=e1.id, e2=e2.id, e3=e3.id, e4=e4.id,
        )  # fmt: skip
    tablet = Tablet(app, "j1")
    for entrant, values in ((found.e1, ("30", "20")), (found.e2, ("30", "20"))):
        for code, value in zip(("P1", "P2"), values, strict=True):
            assert tablet.save(found.trade, entrant, code, value).status_code == 200
        assert tablet.submit(found.trade, entrant).status_code == 200
    return found


def close_scoring(app) -> None:
    with app.app_context():
        db.session.execute(sa.update(StageWindow).values(state=StageState.CLOSED))
        db.session.commit()


def publish(app, w) -> None:
    with app.app_context():
        db.session.add(Publication(event_id=w.event, kind="results", payload={}))
        db.session.commit()


def page(client, w, entrant) -> str:
    response = client.get(f"/judging/trades/{w.trade}/sheets/{entrant}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def versions(tablet: Tablet, w, entrant) -> dict[str, int]:
    sheet = tablet.sheet(w.trade, entrant).get_json()
    return {c["code"]: c["score"]["version"] for c in sheet["criteria"] if c["score"]}


def stored(app, entrant_id) -> dict[str, tuple[Decimal, ScoreState]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Criterion.code, Score.value, Score.state)
            .join(Criterion, Criterion.id == Score.criterion_id)
            .where(Score.entrant_id == entrant_id)
        )
        return {code: (value, state) for code, value, state in rows}


def controls_disabled(html: str) -> bool:
    inputs = re.findall(r'<input type="number" name="value-\w+"[^>]*>', html)
    buttons = re.findall(r'<button type="submit" name="(?:save|submit)"[^>]*>', html)
    return bool(inputs) and all(" disabled" in tag for tag in inputs + buttons)


def rescore(app, w, entrant, judge, reason="申诉成立，请复核") -> int:
    response = Desk(app, "chief").post(
        f"/chief/trades/{w.trade}/rescore",
        {"rescore-entrant": entrant, "rescore-judge": judge, "rescore-reason": reason},
    )
    return response.status_code


# --- 1. a re-score order after scoring closed -------------------------------------------------


def test_a_rescore_order_opens_that_sheet_on_the_page_and_the_api_until_resubmitted(app, w):
    close_scoring(app)
    tablet = Tablet(app, "j1")
    html = page(tablet.client, w, w.e1)
    assert CLOSED in html and READ_ONLY in html and controls_disabled(html)
    assert tablet.sheet(w.trade, w.e1).get_json()["closed"]["error"] == "scoring_closed"

    # The chief judge sends J1's sheet of E1 back (after an upheld appeal, say).
    assert rescore(app, w, w.e1, w.j1) == 302
    html = page(tablet.client, w, w.e1)
    assert "裁判长要求您对该选手重新评分：申诉成立，请复核" in html
    assert CLOSED not in html and 'data-readonly="false"' in html
    assert not re.search(r'<input type="number" name="value-P1"[^>]* disabled', html)
    sheet = tablet.sheet(w.trade, w.e1).get_json()
    assert sheet["closed"] is None and sheet["rescore"] == "申诉成立，请复核"
    trade_page = tablet.client.get(f"/judging/trades/{w.trade}").get_data(as_text=True)
    assert "需重评" in trade_page

    # Through the API, then the plain form: both are open for this sheet only.
    seen = versions(tablet, w, w.e1)
    saved = tablet.save(w.trade, w.e1, "P1", "35", base=seen["P1"])
    assert saved.status_code == 200, saved.get_json()
    other = tablet.save(w.trade, w.e2, "P1", "35", base=versions(tablet, w, w.e2)["P1"])
    assert (other.status_code, other.get_json()["error"]) == (423, "scoring_closed")
    chiefs = Tablet(app, "chief").save(w.trade, w.e1, "P1", "1")  # the order is J1's only
    assert (chiefs.status_code, chiefs.get_json()["message"]) == (423, CLOSED)
    seen = versions(tablet, w, w.e1)
    form = {"csrf_token": tablet.token, "value-P1": "36", "version-P1": seen["P1"],
            "value-P2": "20", "version-P2": seen["P2"], "submit": "1"}  # fmt: skip
    posted = tablet.client.post(f"/judging/trades/{w.trade}/sheets/{w.e1}", data=form)
    assert posted.status_code == 302
    assert stored(app, w.e1) == {
        "P1": (Decimal(36), ScoreState.SUBMITTED),
        "P2": (Decimal(20), ScoreState.SUBMITTED),
    }

    # Resubmitted: the order is fulfilled, the sheet closed again.
    with app.app_context():
        [order] = db.session.execute(sa.select(RescoreRequest)).scalars()
        assert order.resolved_at is not None
    html = page(tablet.client, w, w.e1)
    assert CLOSED in html and controls_disabled(html) and "重新评分" not in html
    again = tablet.save(w.trade, w.e1, "P1", "37", base=versions(tablet, w, w.e1)["P1"])
    assert (again.status_code, again.get_json()["error"]) == (423, "scoring_closed")


def test_a_second_order_for_the_same_sheet_and_orders_by_others_are_refused(app, w):
    close_scoring(app)
    assert rescore(app, w, w.e1, w.j1) == 302
    assert rescore(app, w, w.e1, w.j1) == 409  # already asked
    judge = Desk(app, "j1")
    response = judge.post(
        f"/chief/trades/{w.trade}/rescore",
        {"rescore-entrant": w.e2, "rescore-judge": w.j1, "rescore-reason": "自己重评"},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(RescoreRequest.id))).scalar() == 1


# --- 3. nothing is written once the results are published -------------------------------------


def test_every_write_is_refused_once_the_results_are_published(app, w):
    publish(app, w)  # scoring is still open: an organiser reopened it, say
    tablet = Tablet(app, "j1")
    seen = versions(tablet, w, w.e1)
    amend = tablet.save(w.trade, w.e1, "P1", "31", base=seen["P1"], reason="复核")
    assert (amend.status_code, amend.get_json()["error"]) == (423, "published")
    assert amend.get_json()["message"] == PUBLISHED
    draft = tablet.save(w.trade, w.e3, "P1", "31")
    assert draft.status_code == 423
    assert tablet.submit(w.trade, w.e1).status_code == 423
    form = {"csrf_token": tablet.token, "value-P1": "31", "version-P1": seen["P1"],
            "reason": "复核"}  # fmt: skip
    plain = tablet.client.post(f"/judging/trades/{w.trade}/sheets/{w.e1}", data=form)
    assert plain.status_code == 423 and PUBLISHED in plain.get_data(as_text=True)
    html = page(tablet.client, w, w.e1)
    assert PUBLISHED in html and controls_disabled(html)
    assert "成绩已公布" in tablet.client.get(f"/judging/trades/{w.trade}").get_data(as_text=True)

    # Nor can the chief judge correct anything.
    desk = Desk(app, "chief")
    for path, data in [
        ("rescore", {"rescore-entrant": w.e1, "rescore-judge": w.j1, "rescore-reason": "复核"}),
        ("excuse", {"excuse-entrant": w.e1, "excuse-judge": w.j1, "excuse-reason": "回避"}),
        ("time", {"time-entrant": w.e1, "time-time": "12:00"}),
        ("status", {"status-entrant": w.e1, "status-status": "DQ", "status-reason": "违规"}),
    ]:
        response = desk.post(f"/chief/trades/{w.trade}/{path}", data)
        assert response.status_code == 423, path
        assert PUBLISHED in response.get_data(as_text=True), path
    assert stored(app, w.e1) == {
        "P1": (Decimal(30), ScoreState.SUBMITTED),
        "P2": (Decimal(20), ScoreState.SUBMITTED),
    }
    with app.app_context():
        e1 = db.session.get(Entrant, w.e1)
        assert (e1.status, e1.time_seconds) == (None, None)


def test_a_save_waiting_for_the_trade_while_the_results_are_published_is_refused(app, w):
    """The publication commits while the save waits for the trade's row: the save sees it
    (publishing needs the trade signed off, which takes the row's exclusive lock)."""
    tablet = Tablet(app, "j1")
    base = versions(tablet, w, w.e1)["P1"]
    holding = threading.Event()

    def publish_holding_the_trade():
        with app.app_context():
            lock_row(Trade, w.trade)
            db.session.get(Trade, w.trade).locked_at = datetime.now(UTC)
            db.session.add(Publication(event_id=w.event, kind="results", payload={}))
            db.session.flush()
            holding.set()
            time.sleep(1.0)  # the save below is waiting for the row meanwhile
            db.session.get(Trade, w.trade).locked_at = None  # unlocked again by an appeal
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=publish_holding_the_trade)
    thread.start()
    assert holding.wait(10)
    answer = tablet.save(w.trade, w.e1, "P1", "31", base=base, reason="复核")
    thread.join()
    assert (answer.status_code, answer.get_json()["error"]) == (423, "published")
    assert stored(app, w.e1)["P1"] == (Decimal(30), ScoreState.SUBMITTED)


# --- 4. only entrants who checked in are scored ----------------------------------------------


def test_an_entrant_not_checked_in_is_shown_as_such_and_cannot_be_scored(app, w):
    tablet = Tablet(app, "j1")
    refused = tablet.save(w.trade, w.e3, "P1", "30")
    assert (refused.status_code, refused.get_json()["error"]) == (409, "absent")
    assert refused.get_json()["message"] == ABSENT
    html = page(tablet.client, w, w.e3)
    assert ABSENT in html and controls_disabled(html)
    listing = tablet.client.get(f"/judging/trades/{w.trade}").get_data(as_text=True)
    assert "03 · A003" in listing and "尚未检录" in listing
    assert f"/judging/trades/{w.trade}/sheets/{w.e3}" not in listing  # no sheet to open
    assert "04 · A004" in listing and "检录缺席（未参赛）" in listing  # absent: DNS
    assert stored(app, w.e3) == {}

    # Checked in at last: the sheet opens.
    with app.app_context():
        db.session.get(Entrant, w.e3).check_in = CheckIn.PRESENT
        db.session.commit()
    assert tablet.save(w.trade, w.e3, "P1", "30").status_code == 200
    listing = tablet.client.get(f"/judging/trades/{w.trade}").get_data(as_text=True)
    assert f"/judging/trades/{w.trade}/sheets/{w.e3}" in listing


def test_an_absent_entrant_is_not_competing(app, w):
    refused = Tablet(app, "j1").save(w.trade, w.e4, "P1", "30")
    assert (refused.status_code, refused.get_json()["error"]) == (404, "not_competing")
