"""The administrator manages accounts; every change is audited."""

import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from tests.conftest import login, post


def _user(app, username):
    with app.app_context():
        return db.session.execute(
            sa.select(User).where(User.username == username)
        ).scalar_one_or_none()


def test_admin_creates_an_organiser_who_can_log_in(app, client, world):
    login(client, "admin")
    response = post(
        client,
        "/admin/users",
        {
            "username": "zhao.organiser",
            "name": "赵组委",
            "role": "organiser",
            "phone": "13900001111",
            "password": "welcome-2026",
        },
    )
    assert response.status_code == 302
    user = _user(app, "zhao.organiser")
    assert user.role == Role.ORGANISER and user.name == "赵组委"
    with app.app_context():
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "user.create")
        ).scalar_one()
        assert entry.new["username"] == "zhao.organiser"
        assert entry.user_id == _user(app, "admin").id
    other = app.test_client()
    assert login(other, "zhao.organiser", "welcome-2026").status_code == 302


def test_duplicate_username_is_refused(app, client, world):
    login(client, "admin")
    with app.app_context():
        before = db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one()
    response = post(
        client,
        "/admin/users",
        {
            "username": "Judge",
            "name": "重名",
            "role": "organiser",
            "password": "welcome-2026",
        },
    )
    assert response.status_code == 400
    assert "该用户名已被使用" in response.get_data(as_text=True)
    with app.app_context():
        after = db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one()
        assert after == before


def test_invalid_fields_are_reported_per_field(client, world):
    login(client, "admin")
    response = post(
        client,
        "/admin/users",
        {
            "username": "bad name!",
            "name": "",
            "role": "judge",
            "phone": "12345",
            "password": "short",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "只能使用字母、数字" in page
    assert "请输入11位手机号码" in page
    assert "不是有效的选择" in page or "Not a valid choice" in page


def test_disable_and_enable_an_account(app, client, world):
    login(client, "admin")
    judge = _user(app, "judge")
    post(client, f"/admin/users/{judge.id}/active")
    assert _user(app, "judge").active is False
    assert login(app.test_client(), "judge").status_code == 401
    post(client, f"/admin/users/{judge.id}/active")
    assert _user(app, "judge").active is True


def test_last_admin_cannot_be_disabled(app, client, world):
    login(client, "admin")
    admin = _user(app, "admin")
    response = post(client, f"/admin/users/{admin.id}/active")
    assert response.status_code == 409
    assert "不能停用最后一个有效的管理员账号" in response.get_data(as_text=True)
    assert _user(app, "admin").active is True


def test_reset_password(app, client, world):
    login(client, "admin")
    judge = _user(app, "judge")
    weak = post(client, f"/admin/users/{judge.id}/password", {"password": "12345678"})
    assert weak.status_code == 400
    ok = post(
        client,
        f"/admin/users/{judge.id}/password",
        {"password": "fresh-pass-9", "reason": "裁判忘记密码"},
    )
    assert ok.status_code == 302
    assert _user(app, "judge").check_password("fresh-pass-9")
    with app.app_context():
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "user.password_reset")
        ).scalar_one()
        assert entry.reason == "裁判忘记密码" and entry.entity_id == str(judge.id)


def test_unknown_user_is_404(client, world):
    login(client, "admin")
    assert client.get("/admin/users/99999/password").status_code == 404
