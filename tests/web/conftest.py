"""A small event with one account of every role, for the web tests."""

from types import SimpleNamespace

import pytest

from contest.accounts.models import Role
from contest.core.extensions import db
from contest.events.models import unit_contacts
from tests.factories import (
    make_entrant,
    make_event,
    make_judge,
    make_team,
    make_trade,
    make_unit,
    make_user,
)


@pytest.fixture
def world(app):
    """Units A and B; trades WELD (chief + judge from B) and ELEC (another judge);
    entrants of both units; one account per role."""
    with app.app_context():
        users = {role: make_user(role, username=role.value) for role in Role}
        other_judge = make_user(Role.JUDGE, username="other-judge")
        other_contact = make_user(Role.UNIT_CONTACT, username="other-contact")
        event = make_event()
        a, b = make_unit(event, "A"), make_unit(event, "B")
        weld, elec = make_trade(event, "WELD", "焊工"), make_trade(event, "ELEC", "电工")
        make_judge(weld, "J1", user=users[Role.CHIEF_JUDGE], chief=True)
        make_judge(weld, "J2", unit=b, user=users[Role.JUDGE])
        make_judge(elec, "J3", user=other_judge)
        team_a = make_team(a)
        e1 = make_entrant(weld, a, "E1", station=1, team=team_a, user=users[Role.ENTRANT])
        make_entrant(weld, b, "E2", station=2)
        make_entrant(elec, a, "E3", station=1)
        db.session.flush()
        db.session.execute(
            unit_contacts.insert(),
            [
                {"unit_id": a.id, "user_id": users[Role.UNIT_CONTACT].id},
                {"unit_id": b.id, "user_id": other_contact.id},
            ],
        )
        db.session.commit()
        return SimpleNamespace(
            event_id=event.id,
            unit_a=a.id,
            unit_b=b.id,
            weld=weld.id,
            elec=elec.id,
            id_number=e1.id_number,
        )
