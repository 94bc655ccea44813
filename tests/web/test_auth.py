"""Logging in and out, passwords, CSRF and the login rate limit."""

import sqlalchemy as sa

from contest.accounts import services as accounts
from contest.accounts.models import Role, User
from contest.core.audit import AuditEntry
from contest.core.config import Defaults
from contest.core.extensions import db
from tests.conftest import PASSWORD, csrf_token, login, post
from tests.factories import make_user


def _user(app, username):
    with app.app_context():
        return db.session.execute(sa.select(User).where(User.username == username)).scalar_one()


def _audit_actions(app):
    with app.app_context():
        return (
            db.session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
        )


def test_login_success_lands_on_the_role_home(app, client, world):
    response = login(client, "organiser")
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    assert client.get("/home").headers["Location"] == "/organise/"
    page = client.get("/organise/").get_data(as_text=True)
    assert "测试市职工技术运动会" in page
    assert _user(app, "organiser").last_login_at is not None
    assert "auth.login" in _audit_actions(app)


def test_username_is_case_insensitive(client, world):
    assert login(client, "ORGANISER").status_code == 302


def test_wrong_password_is_refused_in_chinese_and_audited(app, client, world):
    response = login(client, "organiser", "not-the-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/organise/").status_code == 302  # still anonymous → login page
    assert _audit_actions(app) == ["auth.login_failed"]


def test_unknown_user_gets_the_same_message(client, world):
    response = login(client, "nobody", "whatever-1")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_disabled_account_cannot_log_in(app, client, world):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "judge").values(active=False))
        db.session.commit()
    assert login(client, "judge").status_code == 401


def test_empty_form_is_a_400_with_field_errors(client, world):
    response = client.post("/login", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 400


def test_login_without_csrf_token_is_rejected(client, world):
    response = client.post("/login", data={"username": "organiser", "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert client.get("/organise/").status_code == 302  # not logged in


def test_post_with_a_forged_csrf_token_changes_nothing(app, client, world):
    login(client, "admin")
    response = client.post(
        f"/admin/users/{_user(app, 'judge').id}/active", data={"csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert _user(app, "judge").active is True


def test_next_parameter_is_followed_only_within_the_site(client, world):
    token = csrf_token(client)
    data = {"username": "unit_contact", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login?next=/unit/", data=data)
    assert response.headers["Location"] == "/unit/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post(
            f"/login?next={target}", data={**data, "csrf_token": csrf_token(client)}
        )
        assert response.headers["Location"] == "/home", target
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_anonymous_visitor_is_sent_to_login(client, world):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_needs_post_and_ends_the_session(client, world):
    login(client, "organiser")
    assert client.get("/logout").status_code == 405
    response = post(client, "/logout")
    assert response.status_code == 302
    assert client.get("/organise/").status_code == 302


def test_change_password(app, client, world):
    login(client, "judge")
    bad = post(
        client,
        "/account/password",
        {"current": "wrong-pass-1", "new": "new-pass-22", "confirm": "new-pass-22"},
    )
    assert bad.status_code == 400
    assert "当前密码不正确" in bad.get_data(as_text=True)
    weak = post(
        client,
        "/account/password",
        {"current": PASSWORD, "new": "abcdefghij", "confirm": "abcdefghij"},
    )
    assert weak.status_code == 400
    assert "密码至少8位" in weak.get_data(as_text=True)
    mismatch = post(
        client,
        "/account/password",
        {"current": PASSWORD, "new": "new-pass-22", "confirm": "new-pass-23"},
    )
    assert mismatch.status_code == 400
    assert _user(app, "judge").check_password(PASSWORD)

    ok = post(
        client,
        "/account/password",
        {"current": PASSWORD, "new": "new-pass-22", "confirm": "new-pass-22"},
    )
    assert ok.status_code == 302
    assert _user(app, "judge").check_password("new-pass-22")
    assert "user.password_change" in _audit_actions(app)


def test_passwords_are_stored_hashed(app):
    """As the application hashes them outside the tests (which use a cheap hash)."""
    app.config["PASSWORD_HASH_METHOD"] = Defaults.PASSWORD_HASH_METHOD
    with app.app_context():
        accounts.create_user(
            None, username="hashed", name="哈希", role=Role.ADMIN, password=PASSWORD
        )
        db.session.commit()
    user = _user(app, "hashed")
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(PASSWORD) and not user.check_password("not-the-password")


def test_login_is_rate_limited(another_app):
    from contest.core.extensions import limiter

    app = another_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_ACCOUNT="3 per minute")
    limiter.reset()
    with app.app_context():
        make_user(Role.ORGANISER, username="limited")
        db.session.commit()
    client = app.test_client()
    statuses = [login(client, "limited", "wrong-pass-1").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    blocked = login(client, "limited")  # even the right password waits now
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.get_data(as_text=True)
