"""Organisers open and close a window by hand, with a reason; each change applies once."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.stages import StageKind, StageState
from contest.events.models import Event
from contest.stages import services as stages
from contest.stages.models import StageTransition, StageWindow
from tests.conftest import login, post, race
from tests.factories import make_event, make_user


@pytest.fixture
def planned(app):
    with app.app_context():
        event = make_event()
        make_user(Role.ORGANISER, username="organiser")
        make_user(Role.UNIT_CONTACT, username="contact")
        now = datetime.now(UTC)
        window = StageWindow(
            event=event, kind=StageKind.REGISTRATION, opens_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=9),
        )  # fmt: skip
        db.session.add(window)
        db.session.commit()
        return event.id, window.id


def state(app, window_id):
    with app.app_context():
        return db.session.get(StageWindow, window_id).state


def test_open_and_close_by_hand_with_a_reason(app, client, planned):
    event_id, window_id = planned
    login(client, "organiser")
    path = f"/organise/events/{event_id}/windows/{window_id}/state"
    assert post(client, path, {"state": "open"}).status_code == 400  # no reason
    assert state(app, window_id) == StageState.PENDING
    assert post(client, path, {"state": "open", "reason": "提前开放报名"}).status_code == 302
    assert state(app, window_id) == StageState.OPEN
    assert post(client, path, {"state": "closed", "reason": "名额已满"}).status_code == 302
    assert state(app, window_id) == StageState.CLOSED
    timeline = client.get(f"/organise/events/{event_id}/timeline").get_data(as_text=True)
    assert "重新开放该阶段：在其截止前，相关内容可以修改。" in timeline  # what reopening undoes
    with app.app_context():
        moves = db.session.execute(
            sa.select(
                StageTransition.from_state, StageTransition.to_state, StageTransition.reason
            ).order_by(StageTransition.id)
        ).all()
        assert [tuple(m) for m in moves] == [
            (StageState.PENDING, StageState.OPEN, "提前开放报名"),
            (StageState.OPEN, StageState.CLOSED, "名额已满"),
        ]
        actions = (
            db.session.execute(
                sa.select(AuditEntry.action)
                .where(AuditEntry.entity == "stage_window")
                .order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
        assert actions == ["stage.open", "stage.closed"]


def test_bad_requests_change_nothing(app, client, planned):
    event_id, window_id = planned
    with app.app_context():
        other = make_event(slug="other-games")
        db.session.commit()
        other_id = other.id
    login(client, "organiser")
    path = f"/organise/events/{event_id}/windows/{window_id}/state"
    assert post(client, path, {"state": "pending", "reason": "x"}).status_code == 400
    assert post(client, path, {"state": "nonsense", "reason": "x"}).status_code == 400
    missing = f"/organise/events/{event_id}/windows/{window_id + 99}/state"
    assert post(client, missing, {"state": "open", "reason": "x"}).status_code == 404
    elsewhere = f"/organise/events/{other_id}/windows/{window_id}/state"
    assert post(client, elsewhere, {"state": "open", "reason": "x"}).status_code == 404
    login(contact := app.test_client(), "contact")
    assert post(contact, path, {"state": "open", "reason": "x"}).status_code == 403
    assert state(app, window_id) == StageState.PENDING


def test_the_timeline_shows_each_change_and_who_made_it(app, client, planned):
    event_id, window_id = planned
    login(client, "organiser")
    path = f"/organise/events/{event_id}/windows/{window_id}/state"
    post(client, path, {"state": "open", "reason": "提前开放报名"})
    page = client.get(f"/organise/events/{event_id}/timeline").get_data(as_text=True)
    assert "报名" in page and "提前开放报名" in page and "进行中" in page
    assert "关闭" in page  # the button to close it now


def test_two_people_opening_at_the_same_moment_open_it_once(app, planned):
    event_id, window_id = planned

    def attempt():
        with app.app_context():
            window = db.session.get(StageWindow, window_id)
            try:
                done = stages.transition(window, StageState.OPEN, None, "并发测试")
                db.session.commit()
                return done
            except Exception as error:  # a busy database counts as "not applied"
                db.session.rollback()
                return type(error).__name__

    assert race([attempt, attempt]).count(True) == 1
    with app.app_context():
        assert (
            db.session.execute(sa.select(sa.func.count()).select_from(StageTransition)).scalar_one()
            == 1
        )
        assert db.session.get(Event, event_id).windows[0].state == StageState.OPEN


def test_an_opened_window_lets_contacts_register(app, planned):
    event_id, window_id = planned
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert not stages.is_open(event, StageKind.REGISTRATION)
        stages.transition(db.session.get(StageWindow, window_id), StageState.OPEN, None, "测试")
        db.session.commit()
        assert stages.is_open(event, StageKind.REGISTRATION)
