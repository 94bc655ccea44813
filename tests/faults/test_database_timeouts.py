"""A database that stops answering does not hold requests forever: a connection is given
``DB_CONNECT_TIMEOUT`` seconds, a statement ``DB_STATEMENT_TIMEOUT``, a wait for a pooled
connection ``DB_POOL_TIMEOUT``; then the page says 503, and so does ``/healthz``
(PostgreSQL, through a link a test can silence; bounds generous, the machine is shared)."""

import threading
import time

import pytest
import sqlalchemy as sa

from contest.core.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_event
from tests.faults.proxy import Outage

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL) to stop it answering"
)

#: Small timeouts for the test; the defaults are 5, 30 and 10 seconds.
FAST = {"DB_CONNECT_TIMEOUT": 2, "DB_STATEMENT_TIMEOUT": 1, "DB_POOL_TIMEOUT": 1}
#: Longest a refused request may take here: generous, for a shared machine.
BOUND = 10


def timed(call):
    """``call()`` in a thread: its answer and how long it took; fails after ``BOUND`` seconds
    instead of waiting for a request that never ends."""
    done: list = []
    start = time.monotonic()
    worker = threading.Thread(target=lambda: done.append(call()), daemon=True)
    worker.start()
    worker.join(BOUND)
    assert done, f"no answer within {BOUND} s"
    return done[0], time.monotonic() - start


def unavailable(response) -> bool:
    page = response.get_data(as_text=True)
    return response.status_code == 503 and "Traceback" not in page


@pytest.fixture
def outage(app, database_url):
    url = sa.engine.make_url(database_url)
    link = Outage((url.host or "127.0.0.1", url.port or 5432))
    yield link, url.set(host="127.0.0.1", port=link.port).render_as_string(hide_password=False)
    link.close()


def test_a_database_that_accepts_and_never_answers_gives_503_within_seconds(
    app, outage, another_app
):
    with app.app_context():
        make_event(name="无响应测试赛")
        db.session.commit()
    link, via_link = outage
    site = another_app(url=via_link, **FAST)
    client = site.test_client()
    assert "无响应测试赛" in client.get("/").get_data(as_text=True)  # a pooled connection
    assert client.get("/healthz").status_code == 200

    link.silence()
    try:
        page, seconds = timed(lambda: client.get("/"))
        assert unavailable(page) and "服务暂时不可用" in page.get_data(as_text=True)
        assert seconds < BOUND
        health, seconds = timed(lambda: client.get("/healthz"))
        assert unavailable(health) and seconds < BOUND
    finally:
        link.restore()
    recovered = client.get("/")
    assert recovered.status_code == 200 and "无响应测试赛" in recovered.get_data(as_text=True)


@pytest.fixture
def locked(app, database_url):
    """Hold the events table locked from another connection, as a stuck transaction would;
    yields a function that releases it."""
    holder = sa.create_engine(
        sa.engine.make_url(database_url).set(drivername="postgresql+psycopg"),
        poolclass=sa.pool.NullPool,
    )
    connection = holder.connect()
    connection.execute(sa.text("LOCK TABLE events IN ACCESS EXCLUSIVE MODE"))
    yield connection.rollback
    connection.close()
    holder.dispose()


def test_a_statement_that_waits_too_long_is_cancelled_and_gives_503(another_app, locked):
    site = another_app(**FAST)
    page, seconds = timed(lambda: site.test_client().get("/"))
    locked()
    assert unavailable(page) and seconds < BOUND


def test_a_request_that_finds_no_free_connection_gives_503(another_app, locked):
    site = another_app(DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0, DB_POOL_TIMEOUT=1)
    with site.app_context():
        pool = db.engine.pool
    first: list = []
    holding = threading.Thread(target=lambda: first.append(site.test_client().get("/")))
    holding.start()  # takes the only connection, and waits on the lock
    try:
        deadline = time.monotonic() + BOUND
        while pool.checkedout() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        health, seconds = timed(lambda: site.test_client().get("/healthz"))
        assert unavailable(health) and seconds < BOUND
    finally:
        locked()
        holding.join(BOUND)
    assert first[0].status_code == 200  # served once the lock was released
