"""`flask seed-demo`: a realistic demo event in an empty database, and its logins."""

import re

import pytest
import sqlalchemy as sa

from contest import demo
from contest.core.extensions import db
from contest.domain import idcard
from contest.events import services as events
from contest.events.models import Component, Criterion, Event, Judge, Trade, Unit, UnitKind
from contest.publication import services as publications
from contest.publication.models import Certificate, Publication
from contest.registration.models import Entrant, Team
from contest.results.models import ComponentScore, Score
from tests.conftest import login, restored


@pytest.fixture(scope="module")
def app(_app):
    """The app for the whole module: these tests only read the demo (or log in to it), so
    it is loaded once, and the tables emptied after the module instead of after each test."""
    with restored(_app):
        yield _app


@pytest.fixture(scope="module")
def seeded(app):
    """The output of ``flask seed-demo`` run once on the empty database."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_prints_every_demo_login(seeded):
    for login_ in demo.demo_logins():
        assert re.search(rf"^\s+{re.escape(login_.username)}\s", seeded, re.M), login_.username
    assert demo.DEMO_PASSWORD in seeded
    assert "裁判长" in seeded and "单位联络员" in seeded


def test_second_run_loads_nothing_more(app, runner, seeded):
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert "未加载演示数据" in again.output
    assert "chief-weld" in again.output  # the logins are printed again
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar_one() == 2


def test_demo_event_is_realistic(app, seeded):
    with app.app_context():
        kinds = set(db.session.execute(sa.select(Unit.kind)).scalars())
        assert {UnitKind.DISTRICT, UnitKind.INDUSTRY, UnitKind.ENTERPRISE} <= kinds
        trades = db.session.execute(sa.select(Trade)).scalars().all()
        assert len(trades) >= 3
        for trade in trades:
            codes = [c.code for c in trade.components]
            assert codes == ["theory", "practical"]
            kinds = {c.kind.value for c in trade.criteria}
            assert kinds == {"measurement", "judgement"}
            assert sum(c.weight for c in trade.components) == 1
        assert db.session.execute(sa.select(sa.func.count()).select_from(Team)).scalar_one() >= 6
        assert db.session.execute(sa.select(sa.func.count()).select_from(Judge)).scalar_one() >= 15
        assert db.session.execute(sa.select(sa.func.count()).select_from(Score)).scalar_one() > 100
        assert (
            db.session.execute(sa.select(sa.func.count()).select_from(ComponentScore)).scalar_one()
            > 20
        )


def test_demo_data_obeys_the_rules(app, seeded):
    with app.app_context():
        for entrant in db.session.execute(sa.select(Entrant)).scalars():
            parsed = idcard.parse(entrant.id_number)
            assert parsed.birth_date == entrant.birth_date
            assert parsed.gender == entrant.gender.value
        for score in db.session.execute(sa.select(Score)).scalars():
            criterion = db.session.get(Criterion, score.criterion_id)
            assert 0 <= score.value <= criterion.entry_max
            assert score.value % criterion.step == 0
            judge, entrant = (
                db.session.get(Judge, score.judge_id),
                db.session.get(Entrant, score.entrant_id),
            )
            assert judge.unit_id != entrant.unit_id  # recusal respected
        for cs in db.session.execute(sa.select(ComponentScore)).scalars():
            component = db.session.get(Component, cs.component_id)
            assert 0 <= cs.value <= component.max and cs.value % component.step == 0


def test_last_years_games_are_finished_and_published(app, seeded):
    with app.app_context():
        past = db.session.execute(sa.select(Event).where(Event.slug == demo.PAST_SLUG)).scalar_one()
        assert {w.state.value for w in past.windows} == {"closed"}
        kinds = db.session.execute(
            sa.select(Publication.kind).where(Publication.event_id == past.id)
        ).scalars()
        assert set(kinds) == {"public_notice", "results"}
        final = publications.published(past, "results").payload
        assert all(t["entrants"] for t in final["results"]["trades"])
        winners = [row for award in final["awards"] for row in award["entrants"]]
        assert winners and all(row["certificate"] for row in winners)
        issued = db.session.execute(
            sa.select(sa.func.count()).select_from(Certificate)
        ).scalar_one()
        assert issued == len(winners)
        # Nothing of this year's games is published yet.
        assert publications.published(events.event_by_slug(demo.DEMO_SLUG), "results") is None


@pytest.mark.parametrize("login_", demo.demo_logins(), ids=lambda item: item.username)
def test_each_demo_login_reaches_its_home(app, seeded, login_):
    client = app.test_client()
    assert login(client, login_.username, login_.password).status_code == 302
    response = client.get("/home", follow_redirects=True)
    assert response.status_code == 200
    assert (
        "滨江市第六届职工职业技能大赛" in response.get_data(as_text=True)
        or login_.role.value == "admin"
    )
