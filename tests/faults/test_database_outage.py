"""The database going away gives a clear 503 page, not a stack trace, and the application
recovers by itself when it returns (PostgreSQL over a connection that a test can cut)."""

import pytest
import sqlalchemy as sa

from contest.core.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_event
from tests.faults.proxy import Outage

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL) to cut its connection"
)


@pytest.fixture
def outage(app, database_url):
    url = sa.engine.make_url(database_url)
    link = Outage((url.host or "127.0.0.1", url.port or 5432))
    yield link, url.set(host="127.0.0.1", port=link.port).render_as_string(hide_password=False)
    link.close()


def test_an_outage_gives_503_and_the_app_recovers(app, outage, another_app):
    with app.app_context():
        make_event(name="断网测试赛")
        db.session.commit()
    link, via_link = outage
    site = another_app(url=via_link)
    client = site.test_client()
    assert "断网测试赛" in client.get("/").get_data(as_text=True)

    link.cut()
    for _ in range(3):  # pooled connections are gone, new ones refused
        response = client.get("/")
        assert response.status_code == 503
        page = response.get_data(as_text=True)
        assert "服务暂时不可用" in page and "Traceback" not in page
    assert client.get("/healthz").status_code == 503  # a load balancer takes the host out

    link.restore()
    recovered = client.get("/")
    assert recovered.status_code == 200 and "断网测试赛" in recovered.get_data(as_text=True)


def test_a_connection_the_server_ended_is_replaced_unseen(app):
    """A restart of the server, or an administrator ending sessions, closes the pooled
    connections while they idle: the next request gets a fresh one, and its page."""
    with app.app_context():
        make_event(name="重连测试赛")
        db.session.commit()
        engine = db.engine
    engine.dispose()
    client = app.test_client()
    assert "重连测试赛" in client.get("/").get_data(as_text=True)
    assert engine.pool.checkedin() == 1
    with engine.connect() as connection:
        pooled = connection.execute(sa.text("select pg_backend_pid()")).scalar()
    administrator = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
    with administrator.connect() as other:
        ended = other.execute(sa.text("select pg_terminate_backend(:pid, 5000)"), {"pid": pooled})
        assert ended.scalar()
    administrator.dispose()

    page = client.get("/")
    assert page.status_code == 200 and "重连测试赛" in page.get_data(as_text=True)
    with engine.connect() as connection:
        assert connection.execute(sa.text("select pg_backend_pid()")).scalar() != pooled
