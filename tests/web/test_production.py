"""Production settings: a secret is required, PostgreSQL pools are sized, and behind a
reverse proxy each client is told apart by its forwarded address."""

import gc
import io
import runpy
from pathlib import Path

import pytest

from contest import create_app
from contest.accounts.models import Role
from contest.core.extensions import db, limiter
from tests.conftest import TEST_DATABASE_URL, app_config, csrf_token, login
from tests.factories import make_user


def test_production_refuses_to_start_without_a_secret(monkeypatch, database_url):
    monkeypatch.delenv("CONTEST_SECRET_KEY", raising=False)
    config = app_config(database_url, ENV_NAME="production", SECRET_KEY=None)
    with pytest.raises(RuntimeError, match="CONTEST_SECRET_KEY"):
        create_app(config)


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="pool settings apply to PostgreSQL")
def test_postgresql_pool_is_sized_from_settings(another_app):
    app = another_app(DB_POOL_SIZE=7, DB_MAX_OVERFLOW=3)
    with app.app_context():
        pool = db.engine.pool
        assert (pool.size(), pool._max_overflow) == (7, 3)


def test_behind_a_proxy_each_client_has_its_own_login_limit(another_app):
    app = another_app(
        RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_ADDRESS="2 per minute", PROXY_COUNT=1
    )
    limiter.reset()
    with app.app_context():
        make_user(Role.ORGANISER, username="proxied")
        db.session.commit()
    first = app.test_client()
    first.environ_base["HTTP_X_FORWARDED_FOR"] = "10.0.0.1"
    assert [login(first, "proxied", "wrong-pass").status_code for _ in range(2)] == [401, 401]
    assert login(first, "proxied").status_code == 429
    second = app.test_client()  # another person at another address, same proxy
    second.environ_base["HTTP_X_FORWARDED_FOR"] = "10.0.0.2"
    assert login(second, "proxied").status_code == 302


def test_an_upload_over_the_size_limit_is_refused_with_a_clear_page(app, client, world):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    login(client, "unit_contact")
    token = csrf_token(client, "/")
    big = io.BytesIO(b"x" * 4096)
    response = client.post(
        f"/unit/{world.unit_a}/roster",
        data={"csrf_token": token, "file": (big, "名册.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)


def test_a_gunicorn_worker_freezes_the_loaded_application_out_of_the_collector(monkeypatch):
    """A full collection over the application's own objects stalled a worker for ~100 ms."""
    monkeypatch.setenv("GUNICORN_GC_THRESHOLD", "40000")
    settings = runpy.run_path(str(Path(__file__).parents[2] / "gunicorn.conf.py"))
    threshold = gc.get_threshold()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > 1000
        assert gc.get_threshold() == (40000, 10, 10)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
