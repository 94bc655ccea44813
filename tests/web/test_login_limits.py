"""Logging in tells nobody which usernames exist, and only failed attempts are limited: per
account and per address separately, with a larger allowance for the venue's addresses, so
that a room of judges behind one address all get in."""

from ipaddress import ip_network

import pytest
import sqlalchemy as sa

from contest.accounts import models
from contest.accounts.models import Role, User
from contest.core.extensions import db, limiter
from tests.conftest import PASSWORD, login, post
from tests.factories import make_user

VENUE = "10.20.1.5"


@pytest.fixture
def hash_checks(monkeypatch):
    """The password hash checks the application makes: the hash's method (which sets how
    long a check takes) and the password checked."""
    calls = []
    check = models.check_password_hash

    def counted(pwhash, password):
        calls.append((pwhash.split("$")[0], password))
        return check(pwhash, password)

    monkeypatch.setattr(models, "check_password_hash", counted)
    return calls


def test_an_unknown_username_costs_a_password_check_like_a_known_one(client, world, hash_checks):
    assert login(client, "organiser", "wrong-pass-1").status_code == 401
    assert [password for _, password in hash_checks] == ["wrong-pass-1"]
    assert login(client, "nobody-here", "wrong-pass-2").status_code == 401
    assert [password for _, password in hash_checks] == ["wrong-pass-1", "wrong-pass-2"]
    (known, _), (unknown, _) = hash_checks
    assert known == unknown == "pbkdf2:sha256:1000"  # the same work: the tests' cheap hash


def test_a_disabled_account_costs_a_password_check_too(app, client, world, hash_checks):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "judge").values(active=False))
        db.session.commit()
    response = login(client, "judge")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert [password for _, password in hash_checks] == [PASSWORD]


def limited_app(another_app, **settings):
    app = another_app(RATELIMIT_ENABLED=True, **settings)
    limiter.reset()
    return app


def at(app, address):
    """A browser at ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def judges(app, count):
    with app.app_context():
        names = [make_user(Role.JUDGE, username=f"judge{n:02}").username for n in range(count)]
        db.session.commit()
    return names


def test_sixteen_judges_log_in_from_one_address(another_app):
    """With the default settings: a venue's tablets share the venue's one address."""
    app = limited_app(another_app)
    statuses = [login(at(app, "203.0.113.9"), name).status_code for name in judges(app, 16)]
    assert statuses == [302] * 16


def test_successful_logins_do_not_count_against_the_account(another_app):
    app = limited_app(another_app, LOGIN_RATE_LIMIT_PER_ACCOUNT="3 per minute")
    (name,) = judges(app, 1)
    for _ in range(5):
        device = at(app, "203.0.113.9")
        assert login(device, name).status_code == 302
        post(device, "/logout")


def test_failed_logins_are_limited_per_account_from_any_address(another_app):
    app = limited_app(another_app, LOGIN_RATE_LIMIT_PER_ACCOUNT="3 per minute")
    target, other = judges(app, 2)
    statuses = [login(at(app, f"198.51.100.{n}"), target, "wrong-pass").status_code
                for n in range(3)]  # fmt: skip
    assert statuses == [401, 401, 401]
    blocked = login(at(app, "198.51.100.99"), target)  # even the right password waits now
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.get_data(as_text=True)
    assert login(at(app, "198.51.100.99"), target.upper()).status_code == 429  # same account
    assert login(at(app, "198.51.100.0"), other).status_code == 302  # others are not held up


def test_an_unknown_username_is_limited_like_a_known_one(another_app):
    app = limited_app(another_app, LOGIN_RATE_LIMIT_PER_ACCOUNT="2 per minute")
    (known,) = judges(app, 1)
    for name in (known, "nobody-here"):
        statuses = [login(at(app, f"198.51.100.{n}"), name, "wrong-pass").status_code
                    for n in range(3)]  # fmt: skip
        assert statuses == [401, 401, 429], name


def test_failed_logins_are_limited_per_address_across_accounts(another_app):
    app = limited_app(another_app, LOGIN_RATE_LIMIT_PER_ADDRESS="3 per minute")
    names = judges(app, 5)
    guesser = at(app, "198.51.100.7")
    assert [login(guesser, n, "wrong-pass").status_code for n in names[:3]] == [401, 401, 401]
    assert login(guesser, names[3]).status_code == 429
    assert login(at(app, "198.51.100.8"), names[4]).status_code == 302  # another address


def test_the_venue_addresses_have_a_larger_allowance(another_app):
    app = limited_app(
        another_app,
        LOGIN_RATE_LIMIT_PER_ADDRESS="3 per minute",
        LOGIN_RATE_LIMIT_PER_VENUE="8 per minute",
        VENUE_ADDRESSES="10.20.0.0/16, 192.0.2.44",
    )
    names = judges(app, 9)
    for address in (VENUE, "192.0.2.44"):
        room = at(app, address)
        typos = [login(room, n, "typo-pass").status_code for n in names[:6]]
        assert typos == [401] * 6, address
        assert login(room, names[6]).status_code == 302
    elsewhere = at(app, "10.21.0.1")  # outside the venue's network
    assert [login(elsewhere, n, "typo-pass").status_code for n in names[:4]] == [401] * 3 + [429]


def test_the_venue_addresses_may_be_a_list(another_app):
    app = limited_app(
        another_app,
        LOGIN_RATE_LIMIT_PER_ADDRESS="1 per minute",
        VENUE_ADDRESSES=["10.20.0.0/16"],
    )
    names = judges(app, 3)
    room = at(app, VENUE)
    assert [login(room, n, "typo-pass").status_code for n in names] == [401, 401, 401]


def test_the_venue_addresses_come_from_the_environment(another_app, monkeypatch):
    monkeypatch.setenv("CONTEST_VENUE_ADDRESSES", "10.20.0.0/16, 203.0.113.7")
    monkeypatch.setenv("CONTEST_LOGIN_RATE_LIMIT_PER_VENUE", "50 per minute")
    app = another_app()
    assert app.config["VENUE_ADDRESSES"] == (ip_network("10.20.0.0/16"), ip_network("203.0.113.7"))
    assert app.config["LOGIN_RATE_LIMIT_PER_VENUE"] == "50 per minute"


def test_a_mistyped_venue_address_stops_the_start(another_app):
    with pytest.raises(ValueError, match=r"VENUE_ADDRESSES: .10\.20\.0\.300."):
        another_app(VENUE_ADDRESSES="10.20.0.0/16, 10.20.0.300")
