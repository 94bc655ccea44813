"""Two organisers editing the same trade or event: whoever saves second, on the version they
loaded, is told someone else changed it meanwhile, and nothing of theirs is saved. Locks,
draws and scores do not make an organiser's form stale."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.events.models import Event, Judge, Trade
from contest.judging import draw
from contest.organise.setup import Stale, claim
from contest.registration.models import Entrant
from contest.results.models import Score
from tests.conftest import login, race
from tests.factories import make_user
from tests.web.test_organise_browser import FormReader, page_form

STALE_TRADE = "在您编辑期间，其他人已修改了此工种，本次未保存任何内容。请刷新页面查看对方的修改"
STALE_EVENT = "在您编辑期间，其他人已修改了此赛事，本次未保存任何内容。请刷新页面查看对方的修改"


@pytest.fixture
def organisers(app, world):
    """Two organisers' browsers, each logged in."""
    with app.app_context():
        make_user(Role.ORGANISER, username="organiser-2")
        db.session.commit()
    clients = app.test_client(), app.test_client()
    for client, name in zip(clients, ("organiser", "organiser-2"), strict=True):
        login(client, name)
    return clients


def _trade(app, trade_id) -> Trade:
    with app.app_context():
        trade = db.session.get(Trade, trade_id)
        db.session.expunge(trade)
        return trade


def _event(app, event_id) -> Event:
    with app.app_context():
        event = db.session.get(Event, event_id)
        db.session.expunge(event)
        return event


def _audit(app, action) -> int:
    with app.app_context():
        return db.session.execute(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        ).scalar_one()


def _id(app, model, **by) -> int:
    with app.app_context():
        return db.session.execute(sa.select(model.id).filter_by(**by)).scalar_one()


# --- a trade -----------------------------------------------------------------------------------


def test_the_second_save_of_a_trade_on_the_same_version_is_refused(app, world, organisers):
    first, second = organisers
    path = f"/organise/events/{world.event_id}/trades/{world.weld}"
    mine, theirs = page_form(first, path), page_form(second, path)
    assert mine["version"] == theirs["version"] == "1"

    assert first.post(path, data=mine | {"name": "焊工（电焊）"}).status_code == 302
    response = second.post(path, data=theirs | {"category": "二类", "unit_quota": "5"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert STALE_TRADE in page
    assert 'value="二类"' in page  # their input is still on the page, not saved
    trade = _trade(app, world.weld)
    assert (trade.name, trade.category, trade.unit_quota, trade.version) == (
        "焊工（电焊）", None, None, 2,
    )  # fmt: skip
    assert _audit(app, "trade.update") == 1

    # Reloaded, their change goes through on top of the first one.
    reloaded = page_form(second, path)
    assert reloaded["version"] == "2" and reloaded["name"] == "焊工（电焊）"
    assert second.post(path, data=reloaded | {"category": "二类"}).status_code == 302
    trade = _trade(app, world.weld)
    assert (trade.name, trade.category, trade.version) == ("焊工（电焊）", "二类", 3)


def test_a_stale_scheme_edit_removes_no_criterion(app, world, organisers):
    first, second = organisers
    path = f"/organise/events/{world.event_id}/trades/{world.weld}"
    mine, theirs = page_form(first, path), page_form(second, path)
    assert first.post(path, data=mine | {"components-1-criteria-0-max": "40"}).status_code == 302
    removed = {k: v for k, v in theirs.items() if not k.startswith("components-1-criteria-1-")}
    assert second.post(path, data=removed).status_code == 409
    with app.app_context():
        trade = db.session.get(Trade, world.weld)
        assert [(k.code, k.max) for k in trade.criteria] == [
            ("P1", Decimal(40)),
            ("P2", Decimal(50)),
        ]


def test_a_save_without_the_version_is_refused(app, world, organisers):
    first, _ = organisers
    path = f"/organise/events/{world.event_id}/trades/{world.weld}"
    data = page_form(first, path) | {"name": "改名"}
    del data["version"]
    assert first.post(path, data=data).status_code == 409
    assert _trade(app, world.weld).name == "焊工"


def test_the_trades_schedule_and_panel_are_edits_of_the_trade(app, world, organisers):
    first, second = organisers
    base = f"/organise/events/{world.event_id}/trades/{world.weld}"
    panel = page_form(second, f"{base}/panel")
    schedule = page_form(second, f"{base}/schedule")
    assert first.post(base, data=page_form(first, base) | {"name": "电焊工"}).status_code == 302

    j1 = str(_id(app, Judge, code="J1"))
    refused = second.post(f"{base}/panel", data=panel | {"judges": [j1], "chief": j1})
    assert refused.status_code == 409 and STALE_TRADE in refused.get_data(as_text=True)
    plan = schedule | {"scoring-opens": "2026-05-10T08:00", "scoring-closes": "2026-05-10T17:00"}
    refused = second.post(f"{base}/schedule", data=plan)
    assert refused.status_code == 409 and STALE_TRADE in refused.get_data(as_text=True)
    with app.app_context():
        trade = db.session.get(Trade, world.weld)
        assert sorted(m.judge.code for m in trade.panel) == ["J1", "J2"]
        assert trade.event.windows == []

    # On the version they now see, both go through, each making the other's form stale.
    panel = page_form(second, f"{base}/panel")
    assert second.post(f"{base}/panel", data=panel | {"judges": [j1], "chief": j1}).status_code == (
        302
    )
    schedule = page_form(second, f"{base}/schedule") | {
        "scoring-opens": "2026-05-10T08:00",
        "scoring-closes": "2026-05-10T17:00",
    }
    assert second.post(f"{base}/schedule", data=schedule).status_code == 302
    assert _trade(app, world.weld).version == 4


def test_draws_scores_and_locks_leave_the_organisers_form_valid(app, world, organisers):
    first, _ = organisers
    path = f"/organise/events/{world.event_id}/trades/{world.elec}"
    loaded = page_form(first, path)
    with app.app_context():
        trade = db.session.get(Trade, world.elec)
        chief = db.session.execute(sa.select(User).where(User.username == "chief_judge")).one()[0]
        checked_in = sa.update(Entrant).where(Entrant.trade_id == world.elec)
        db.session.execute(checked_in.values(check_in=None, checked_in_at=None))  # none yet
        draw.make_draw(chief, trade, seed="seed", redraw=True, reason="重新抽签")
        e3 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E3")).scalar_one()
        j3 = db.session.execute(sa.select(Judge).where(Judge.code == "J3")).scalar_one()
        criterion = trade.components[1].criteria[0]
        db.session.add(Score(entrant=e3, criterion=criterion, judge=j3, value=Decimal(30)))
        db.session.flush()
        trade.locked_at = datetime.now(UTC)
        db.session.flush()
        trade.locked_at = None
        db.session.commit()
    assert _trade(app, world.elec).version == 1
    assert first.post(path, data=loaded | {"name": "维修电工"}).status_code == 302
    assert _trade(app, world.elec).name == "维修电工"


def test_two_saves_at_the_same_moment_one_wins(app, world, organisers):
    path = f"/organise/events/{world.event_id}/trades/{world.weld}"
    forms = [page_form(c, path) for c in organisers]
    answers = race(
        [
            lambda: organisers[0].post(path, data=forms[0] | {"name": "甲改"}),
            lambda: organisers[1].post(path, data=forms[1] | {"name": "乙改"}),
        ]
    )
    assert sorted(a.status_code for a in answers) == [302, 409]
    winner = "甲改" if answers[0].status_code == 302 else "乙改"
    assert _trade(app, world.weld).name == winner
    assert _audit(app, "trade.update") == 1


# --- an event ----------------------------------------------------------------------------------


def test_the_second_save_of_an_events_settings_is_refused(app, world, organisers):
    first, second = organisers
    path = f"/organise/events/{world.event_id}/edit"
    mine, theirs = page_form(first, path), page_form(second, path)
    assert first.post(path, data=mine | {"venue": "市体育中心"}).status_code == 302
    response = second.post(path, data=theirs | {"host": "市总工会"})
    assert response.status_code == 409
    assert STALE_EVENT in response.get_data(as_text=True)
    event = _event(app, world.event_id)
    assert (event.venue, event.host, event.version) == ("市体育中心", None, 2)
    assert _audit(app, "event.update") == 1


def test_the_schedule_and_the_award_rules_are_edits_of_the_event(app, world, organisers):
    first, second = organisers
    base = f"/organise/events/{world.event_id}"
    schedule = page_form(second, f"{base}/schedule")
    awards = page_form(second, f"{base}/awards")
    edit = page_form(first, f"{base}/edit")
    assert first.post(f"{base}/edit", data=edit | {"venue": "市体育中心"}).status_code == 302

    plan = schedule | {"registration-opens": "2026-03-01T09:00",
                       "registration-closes": "2026-03-31T17:00"}  # fmt: skip
    refused = second.post(f"{base}/schedule", data=plan)
    assert refused.status_code == 409 and STALE_EVENT in refused.get_data(as_text=True)
    rules = awards | {"action": "add-rule"}
    added = second.post(f"{base}/awards", data=rules)  # a row button saves nothing
    assert added.status_code == 200
    rules = page_form_from(added) | {
        "award_rules-0-code": "gold", "award_rules-0-title": "金牌工人",
        "award_rules-0-select-way": "top", "award_rules-0-select-top": "1",
    }  # fmt: skip
    refused = second.post(f"{base}/awards", data=rules)
    assert refused.status_code == 409 and STALE_EVENT in refused.get_data(as_text=True)
    with app.app_context():
        event = db.session.get(Event, world.event_id)
        assert (event.windows, event.award_rules) == ([], [])


def page_form_from(response) -> dict:
    """The main form of a page already fetched."""
    reader = FormReader()
    reader.feed(response.get_data(as_text=True))
    form = next(f for f in reader.forms if f["action"] == "")
    data: dict = {}
    for name, value in form["fields"]:
        data[name] = (
            [*data[name], value]
            if isinstance(data.get(name), list)
            else ([data[name], value] if name in data else value)
        )
    return data


def test_a_claim_on_an_older_version_is_refused(app, world):
    with app.app_context():
        event = db.session.get(Event, world.event_id)
        claim(event, event.version)  # the version loaded: accepted
        with pytest.raises(Stale) as refused:
            claim(event, event.version + 1)
        assert refused.value.status == 409 and refused.value.code == "stale_event"
        db.session.rollback()
