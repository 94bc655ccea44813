"""What several workers (or hosts) must share goes through Redis when REDIS_URL is set:
rate limits and the published-page cache. Sessions are signed cookies, valid in any worker
with the same secret. Needs the local Redis server; skipped without it."""

from __future__ import annotations

import socket
import uuid

import pytest

from contest.accounts.models import Role
from contest.core.extensions import cache, db
from tests.conftest import login
from tests.factories import make_user

REDIS = "redis://127.0.0.1:6379/15"


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not redis_answers(), reason="no Redis server on localhost")


@pytest.fixture
def workers(another_app, monkeypatch):
    """Two app instances, as two gunicorn workers would be, sharing Redis."""
    monkeypatch.setenv("REDIS_URL", REDIS)
    prefix = f"test-{uuid.uuid4().hex}:"
    config = dict(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_ACCOUNT="3 per minute",
                  CACHE_KEY_PREFIX=prefix, RATELIMIT_KEY_PREFIX=prefix)  # fmt: skip
    first, second = another_app(**config), another_app(**config)
    with first.app_context():
        make_user(Role.ORGANISER, username="shared")
        db.session.commit()
    yield first, second
    with first.app_context():
        cache.clear()


def test_failed_logins_count_across_workers(workers):
    first, second = workers
    assert first.config["RATELIMIT_STORAGE_URI"] == REDIS
    a, b = first.test_client(), second.test_client()
    assert [login(a, "shared", "wrong-pass").status_code for _ in range(2)] == [401, 401]
    assert login(b, "shared", "wrong-pass").status_code == 401  # the third, in the other one
    assert login(a, "shared").status_code == 429
    assert login(b, "shared").status_code == 429


def test_the_cache_is_shared_and_a_session_works_in_any_worker(workers):
    first, second = workers
    with first.app_context():
        cache.set("probe", "写入于一号进程")
    with second.app_context():
        assert cache.get("probe") == "写入于一号进程"
    client = first.test_client()
    assert login(client, "shared").status_code == 302
    cookie = client.get_cookie("session")
    other = second.test_client()
    other.set_cookie("session", cookie.value)
    assert other.get("/organise/").status_code == 200  # logged in there too
