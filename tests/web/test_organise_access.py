"""Only organisers and administrators reach the configuration screens; objects must belong
to the event in the address; every change needs the session's CSRF token."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from contest.accounts.models import User
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.events.models import Event, Judge, Trade, Unit
from contest.organise import trade_setup
from tests.conftest import login, post
from tests.factories import make_event, make_trade, make_unit
from tests.web.test_organise_browser import page_form

# Every screen, with {e} the event, {t} a trade, {u} a unit, {j} a judge, {c} a contact.
PAGES = [
    "/organise/events/new",
    "/organise/events/{e}",
    "/organise/events/{e}/edit",
    "/organise/events/{e}/copy",
    "/organise/events/{e}/schedule",
    "/organise/events/{e}/timeline",
    "/organise/events/{e}/awards",
    "/organise/events/{e}/trades/new",
    "/organise/events/{e}/trades/{t}",
    "/organise/events/{e}/trades/{t}/copy",
    "/organise/events/{e}/trades/{t}/schedule",
    "/organise/events/{e}/trades/{t}/panel",
    "/organise/events/{e}/units",
    "/organise/events/{e}/units/{u}",
    "/organise/events/{e}/units/{u}/contacts/{c}/password",
    "/organise/events/{e}/judges",
    "/organise/events/{e}/judges/{j}",
    "/organise/events/{e}/judges/{j}/account/password",
]
ACTIONS = [
    "/organise/events/new",
    "/organise/events/{e}/edit",
    "/organise/events/{e}/copy",
    "/organise/events/{e}/schedule",
    "/organise/events/{e}/awards",
    "/organise/events/{e}/trades/new",
    "/organise/events/{e}/trades/{t}",
    "/organise/events/{e}/trades/{t}/copy",
    "/organise/events/{e}/trades/{t}/schedule",
    "/organise/events/{e}/trades/{t}/delete",
    "/organise/events/{e}/trades/{t}/move",
    "/organise/events/{e}/trades/{t}/panel",
    "/organise/events/{e}/units",
    "/organise/events/{e}/units/{u}",
    "/organise/events/{e}/units/{u}/contacts",
    "/organise/events/{e}/units/{u}/contacts/link",
    "/organise/events/{e}/units/{u}/contacts/{c}/password",
    "/organise/events/{e}/units/{u}/contacts/{c}/remove",
    "/organise/events/{e}/judges",
    "/organise/events/{e}/judges/{j}",
    "/organise/events/{e}/judges/{j}/account",
    "/organise/events/{e}/judges/{j}/account/link",
    "/organise/events/{e}/judges/{j}/account/unlink",
    "/organise/events/{e}/judges/{j}/account/role",
    "/organise/events/{e}/judges/{j}/account/password",
]


@pytest.fixture
def ids(app, world):
    """The world's objects, by the letters the paths use."""
    with app.app_context():
        judge = db.session.execute(sa.select(Judge.id).where(Judge.code == "J1")).scalar_one()
        contact = db.session.execute(
            sa.select(User.id).where(User.username == "unit_contact")
        ).scalar_one()
    return {"e": world.event_id, "t": world.weld, "u": world.unit_a, "j": judge, "c": contact}


def _audit_count(app):
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar_one()


@pytest.mark.parametrize("role", ["admin", "organiser"])
def test_staff_reach_every_screen(client, ids, role):
    login(client, role)
    for page in PAGES:
        response = client.get(page.format(**ids))
        assert response.status_code == 200, page
        assert 'name="csrf_token"' in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["unit_contact", "chief_judge", "judge", "entrant"])
def test_other_roles_are_refused_everywhere(app, client, ids, role):
    login(client, role)
    before = _audit_count(app)
    for page in PAGES:
        assert client.get(page.format(**ids)).status_code == 403, page
    for action in ACTIONS:
        assert post(client, action.format(**ids), {"code": "X"}).status_code == 403, action
    assert _audit_count(app) == before


def test_anonymous_visitors_are_sent_to_log_in(client, ids):
    for page in PAGES:
        response = client.get(page.format(**ids))
        assert response.status_code == 302 and "/login" in response.headers["Location"], page


@pytest.fixture
def other(app, world):
    """A second event with its own trade, unit, judge and contact."""
    with app.app_context():
        event = make_event("other-games")
        trade = make_trade(event, "OTHER")
        unit = make_unit(event, "Z")
        judge = Judge(event=event, code="Z1", name="外人")
        db.session.add(judge)
        db.session.commit()
        return SimpleNamespace(event=event.id, trade=trade.id, unit=unit.id, judge=judge.id)


def test_objects_of_another_event_are_not_found(app, client, ids, other):
    login(client, "organiser")
    foreign = dict(ids, t=other.trade, u=other.unit, j=other.judge)
    for page in PAGES:
        if any(f"{{{key}}}" in page for key in "tuj"):
            assert client.get(page.format(**foreign)).status_code == 404, page
    for action in ACTIONS:
        if any(f"{{{key}}}" in action for key in "tuj"):
            assert post(client, action.format(**foreign), {"code": "X"}).status_code == 404, action
    # The other event's own pages work, and nothing above changed it.
    assert client.get(f"/organise/events/{other.event}/trades/{other.trade}").status_code == 200
    with app.app_context():
        assert db.session.get(Trade, other.trade).code == "OTHER"
        assert db.session.get(Unit, other.unit).code == "Z"


def test_unknown_events_are_not_found(client, ids):
    login(client, "organiser")
    assert client.get("/organise/events/999999/edit").status_code == 404
    assert client.get(f"/organise/events/999999/trades/{ids['t']}").status_code == 404


def test_every_change_needs_the_csrf_token(app, client, ids):
    login(client, "organiser")
    before = _audit_count(app)
    for action in ACTIONS:
        response = client.post(action.format(**ids), data={"code": "X", "name": "改名"})
        assert response.status_code == 400, action
        assert "表单已过期或并非从本站提交" in response.get_data(as_text=True)
    assert _audit_count(app) == before
    with app.app_context():
        assert db.session.get(Event, ids["e"]).name == "测试市职工技术运动会"
        assert db.session.get(Trade, ids["t"]).code == "WELD"


def test_screens_speak_english_on_request(client, ids):
    login(client, "organiser")
    post(client, "/lang", {"lang": "en"})
    page = client.get("/organise/events/{e}/trades/{t}".format(**ids)).get_data(as_text=True)
    assert "Marking scheme" in page and "Add a criterion" in page and "Tie-breakers" in page
    assert "评分方案" not in page
    response = post(client, "/organise/events/{e}/units".format(**ids), {"code": "A", "name": "x"})
    assert "the code “A” is already used in this event" in response.get_data(as_text=True)


def test_a_simultaneous_save_of_the_same_code_is_a_conflict(app, client, ids, monkeypatch):
    def clash(*args, **kwargs):
        raise IntegrityError("INSERT …", {}, Exception("unique constraint"))

    monkeypatch.setattr(trade_setup, "update_trade", clash)
    login(client, "organiser")
    path = "/organise/events/{e}/trades/{t}".format(**ids)
    response = client.post(path, data=page_form(client, path))
    assert response.status_code == 409
    assert "此内容已被他人修改，请刷新后重试。" in response.get_data(as_text=True)
