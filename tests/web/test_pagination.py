"""Long lists come a page at a time — the registrations to review, a unit's entrants, the
audit log — with links to the other pages that keep the filters."""

from __future__ import annotations

import re

import pytest

from contest.accounts.models import Role
from contest.core import audit
from contest.core.extensions import db
from contest.events.models import unit_contacts
from contest.registration.models import RegistrationStatus
from tests.conftest import login
from tests.factories import make_entrant, make_event, make_trade, make_unit, make_user


@pytest.fixture
def app(another_app):
    """Two rows a page."""
    return another_app(PAGE_SIZE=2)


@pytest.fixture
def five(app):
    """Five registrations awaiting review in unit A, a contact and an organiser."""
    with app.app_context():
        make_user(Role.ORGANISER, username="organiser")
        make_user(Role.ADMIN, username="admin")
        contact = make_user(Role.UNIT_CONTACT, username="contact")
        event = make_event()
        unit = make_unit(event, "A")
        trade = make_trade(event, "WELD", "焊工")
        for n in range(1, 6):
            make_entrant(
                trade,
                unit,
                f"E{n}",
                name=f"选手{n}",
                registration_status=RegistrationStatus.SUBMITTED,
            )
        db.session.flush()
        db.session.execute(unit_contacts.insert(), {"unit_id": unit.id, "user_id": contact.id})
        for n in range(3):
            audit.record("测试员", "test.entry", "test", n)
        db.session.commit()
        return event.id, unit.id


def names(page: str) -> list[str]:
    return re.findall(r"选手(\d)", page)


def test_the_review_list_pages_and_keeps_its_filter(client, five):
    event_id, _unit = five
    login(client, "organiser")
    first = client.get(f"/registration/events/{event_id}/review?status=submitted")
    page = first.get_data(as_text=True)
    assert sorted(set(names(page))) == ["1", "2"]
    assert "1–2，共 5 条" in page
    assert f"/registration/events/{event_id}/review?status=submitted&amp;page=3" in page
    last = client.get(f"/registration/events/{event_id}/review?status=submitted&page=3")
    assert sorted(set(names(last.get_data(as_text=True)))) == ["5"]
    beyond = client.get(f"/registration/events/{event_id}/review?status=submitted&page=9")
    assert beyond.status_code == 200 and names(beyond.get_data(as_text=True)) == []
    nonsense = client.get(f"/registration/events/{event_id}/review?status=submitted&page=x")
    assert sorted(set(names(nonsense.get_data(as_text=True)))) == ["1", "2"]


def test_a_units_entrants_page(client, five):
    _event, unit_id = five
    login(client, "contact")
    page = client.get(f"/unit/{unit_id}?page=2").get_data(as_text=True)
    assert sorted(set(names(page))) == ["3", "4"]
    assert "3–4，共 5 条" in page


def test_the_audit_log_pages(client, five):
    login(client, "admin")
    first = client.get("/admin/").get_data(as_text=True)  # newest first: the login, then two
    assert first.count("auth.login") == 1 and first.count("test.entry") == 1
    assert "1–2，共 4 条" in first and "/admin/?page=2" in first
    second = client.get("/admin/?page=2").get_data(as_text=True)
    assert second.count("test.entry") == 2
