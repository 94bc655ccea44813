"""Shared fixtures: an app on a real database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a test client, a CLI runner, and logging in through the real login form."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Callable, Iterator

import hypothesis
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from contest import create_app
from contest.core.extensions import cache, db, limiter

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "secret-pass-1"

# Examples are checked for what they compute, never for how fast: on a busy machine a
# property test must not fail on Hypothesis's per-example deadline (speed is for bench/).
hypothesis.settings.register_profile("contest", deadline=None)
hypothesis.settings.load_profile("contest")


def app_config(database_url: str, **overrides) -> dict:
    """Settings for an app under test."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "PUBLIC_STAMP_TTL": 0,  # changes show at once, as the tests expect
        # Cheap hashing, as the factories' accounts have: a real hash costs a quarter second.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> str:
    """The database every test of the session uses (emptied between tests). With parallel
    workers (pytest -n), each worker has its own: a file of its own for SQLite, a database
    of its own next to TEST_DATABASE_URL for PostgreSQL."""
    if not TEST_DATABASE_URL:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    if worker_id == "master":
        return TEST_DATABASE_URL
    base = sa.engine.make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg")
    name = f"{base.database}_{worker_id}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _schema(database_url):
    """Build the schema once per session, through the migrations (as production does)."""
    from flask_migrate import upgrade

    app = create_app(app_config(database_url))
    with app.app_context():
        drop_everything()
        upgrade()
        db.engine.dispose()
    yield


def drop_everything() -> None:
    """Remove every table (ours and Alembic's) from the current app's database."""
    metadata = sa.MetaData()
    metadata.reflect(bind=db.engine)
    metadata.drop_all(bind=db.engine)


def empty_tables() -> None:
    """Delete every row of every table, children first, and start the ids at 1 again: the
    state the migrations leave. On PostgreSQL only the tables that hold rows and the
    sequences that were used are touched: a query finds them, and deleting the rows of a
    few small tables costs a fraction of a TRUNCATE of them all."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name != "postgresql":
            for table in tables:
                connection.execute(table.delete())
            return
        filled, sequences = _used(connection)
        for table in tables:
            if table.name in filled:
                connection.execute(table.delete())
        if sequences:
            restart = ", ".join(f"setval('\"{name}\"', 1, false)" for name in sequences)
            connection.execute(sa.text(f"SELECT {restart}"))


def _used(connection: sa.Connection) -> tuple[set[str], list[str]]:
    """The tables that hold rows, and the sequences that have given out a number
    (PostgreSQL)."""
    sequences = (
        connection.execute(
            sa.text("SELECT relname FROM pg_class WHERE relkind = 'S' AND pg_table_is_visible(oid)")
        )
        .scalars()
        .all()
    )
    parts = [
        f"SELECT 'table', '{t.name}' WHERE EXISTS (SELECT FROM \"{t.name}\")"
        for t in db.metadata.sorted_tables
    ]
    parts += [f"SELECT 'sequence', '{name}' FROM \"{name}\" WHERE is_called" for name in sequences]
    used = connection.execute(sa.text(" UNION ALL ".join(parts))).all()
    return {name for kind, name in used if kind == "table"}, [
        name for kind, name in used if kind == "sequence"
    ]


@pytest.fixture(scope="session")
def _app(database_url, _schema) -> Flask:
    """The app every test of the session (of each parallel worker) shares. Building one
    compiles every route, and its first requests compile every template: done once instead
    of for every test. ``app`` puts it back as it was after every test."""
    app = create_app(app_config(database_url))
    yield app
    with app.app_context():
        db.engine.dispose()


@contextlib.contextmanager
def restored(app: Flask) -> Iterator[Flask]:
    """Use ``app`` in the block; afterwards put it back as it was, as if just started: its
    settings, extensions and cache, and empty tables."""
    # Flask-Limiter's switch lives on the extension, set by the last app built: a test that
    # built its own app with rate limits (a rate-limit test) leaves it on.
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    config, extensions = dict(app.config), dict(app.extensions)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            empty_tables()
            cache.clear()
        app.config.clear()
        app.config.update(config)
        app.extensions.clear()
        app.extensions.update(extensions)


@pytest.fixture
def app(_app) -> Iterator[Flask]:
    """The app on an empty database, as if just started; put back after the test. No app
    context is held, so requests behave as in production; wrap direct database work in
    ``with app.app_context():``."""
    with restored(_app):
        yield _app


@pytest.fixture
def another_app(database_url, _schema) -> Iterator[Callable[..., Flask]]:
    """Build apps of the test's own, with other settings (``another_app(PAGE_SIZE=2)``), as
    another process or worker would be. Afterwards the tables are emptied, any rate limits
    forgotten and every connection the apps opened is closed: an engine left to the garbage
    collector closes its connections at a random moment of a later test."""
    made: list[Flask] = []

    def build(**settings) -> Flask:
        made.append(create_app(app_config(settings.pop("url", database_url), **settings)))
        return made[-1]

    yield build
    for index, made_app in enumerate(made):
        with made_app.app_context():
            db.session.remove()
            if made_app.config["RATELIMIT_ENABLED"]:
                limiter.reset()
            if index == 0:
                empty_tables()
            db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An app context for tests that work with services and models directly."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of ``client``'s session, read from a real form as a browser would."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if match is None and path != "/login":  # public pages carry none for visitors
        return csrf_token(client, "/login")
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD):
    """Log in through the login form; returns the response (a redirect on success)."""
    token = csrf_token(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def assert_error_at(page: str, field: str, message: str) -> None:
    """``message`` is shown with the form input ``field`` (its error follows the input)."""
    start = page.index(f'id="{field}"')
    following = page[start : start + 6000]
    assert message in following.split('class="organise-cell', 1)[0].split('class="field', 1)[0]


def post(client: FlaskClient, path: str, data: dict | None = None, **kwargs):
    """POST with the session's CSRF token, as the page's own form would."""
    payload = {"csrf_token": csrf_token(client, "/")}
    payload.update(data or {})
    return client.post(path, data=payload, **kwargs)


def race(calls):
    """Run the calls in threads released at the same instant; their answers, in order."""
    barrier, answers = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        barrier.wait()
        answers[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


class Queries:
    """Counts the SQL statements the app sends."""

    def __init__(self, app: Flask):
        with app.app_context():
            self.engine = db.engine
        self.count = 0

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args):
        self.count += 1
