"""Sessions end: logging out, changing a password, a password reset, disabling an account and
the administrator's "sign out everywhere" end every session and remember cookie of that
account — a cookie copied before then opens nothing afterwards. Cookies are Secure behind
HTTPS, and production pages ask the browser to use HTTPS only (HSTS)."""

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.registration.models import Entrant
from tests.conftest import PASSWORD, csrf_token, post

REMEMBER = "remember_token"


def _user(app, username):
    with app.app_context():
        return db.session.execute(sa.select(User).where(User.username == username)).scalar_one()


def signed_in(app, username, remember=False):
    """A device that logged in through the form (ticking "keep me logged in" if asked)."""
    device = app.test_client()
    data = {"username": username, "password": PASSWORD, "csrf_token": csrf_token(device)}
    if remember:
        data["remember"] = "y"
    assert device.post("/login", data=data).status_code == 302
    return device


def copied(app, device, *names):
    """Another browser holding a copy of ``device``'s cookies ``names`` (as a thief would)."""
    thief = app.test_client()
    for name in names:
        cookie = device.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        thief.set_cookie(name, cookie.value)
    return thief


def opens(client, path="/organise/"):
    """Whether ``client`` gets the page rather than the way to the login form."""
    response = client.get(path)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def test_an_old_session_cookie_opens_nothing_after_logout(app, world):
    device = signed_in(app, "organiser")
    thief = copied(app, device, "session")
    assert opens(thief)  # the copy works while the session lasts
    assert post(device, "/logout").status_code == 302
    assert not opens(device)
    assert not opens(thief)


def test_an_old_remember_cookie_opens_nothing_after_logout(app, world):
    device = signed_in(app, "organiser", remember=True)
    thief = copied(app, device, REMEMBER)
    assert opens(thief)  # a remember cookie alone logs in
    post(device, "/logout")
    assert not opens(thief)


def test_logout_ends_the_sessions_on_every_device(app, world):
    tablet, phone = signed_in(app, "organiser"), signed_in(app, "organiser", remember=True)
    post(tablet, "/logout")
    assert not opens(phone)


def test_the_remember_cookie_changes_once_the_sessions_were_ended(app, world):
    first = signed_in(app, "organiser", remember=True).get_cookie(REMEMBER).value
    post(signed_in(app, "organiser"), "/logout")
    second = signed_in(app, "organiser", remember=True).get_cookie(REMEMBER).value
    assert first != second


def test_a_password_change_ends_every_other_session_and_keeps_this_one(app, world):
    device = signed_in(app, "organiser", remember=True)
    other = signed_in(app, "organiser", remember=True)
    stolen = copied(app, device, "session", REMEMBER)
    response = post(
        device,
        "/account/password",
        {"current": PASSWORD, "new": "new-pass-22", "confirm": "new-pass-22"},
    )
    assert response.status_code == 302
    assert opens(device)  # the person who changed it stays logged in here
    assert not opens(other)
    assert not opens(stolen)
    # The device's own remember cookie was renewed with the session: it still works alone.
    assert opens(copied(app, device, REMEMBER))


def test_a_refused_password_change_ends_nothing(app, world):
    device = signed_in(app, "organiser")
    other = signed_in(app, "organiser")
    wrong = {"current": "wrong-pass-1", "new": "new-pass-22", "confirm": "new-pass-22"}
    assert post(device, "/account/password", wrong).status_code == 400
    assert opens(other)


def test_a_password_reset_by_the_administrator_ends_the_sessions(app, world):
    device = signed_in(app, "organiser", remember=True)
    stolen = copied(app, device, "session", REMEMBER)
    admin = signed_in(app, "admin")
    target = _user(app, "organiser").id
    ok = post(admin, f"/admin/users/{target}/password", {"password": "fresh-pass-9"})
    assert ok.status_code == 302
    assert not opens(device)
    assert not opens(stolen)


def test_a_disabled_account_stays_signed_out_when_enabled_again(app, world):
    device = signed_in(app, "organiser", remember=True)
    stolen = copied(app, device, "session", REMEMBER)
    admin = signed_in(app, "admin")
    target = _user(app, "organiser").id
    post(admin, f"/admin/users/{target}/active")  # disabled
    assert not opens(device)
    post(admin, f"/admin/users/{target}/active")  # enabled again
    assert _user(app, "organiser").active
    assert not opens(device)
    assert not opens(stolen)
    assert opens(signed_in(app, "organiser"))  # logging in again works


def test_the_administrator_signs_an_account_out_everywhere(app, world):
    judge = signed_in(app, "judge", remember=True)
    stolen = copied(app, judge, "session", REMEMBER)
    with app.app_context():
        entrant = db.session.execute(sa.select(Entrant.id).where(Entrant.code == "E1")).scalar()
    sheet = f"/api/sheets/{world.weld}/{entrant}"
    assert opens(judge, "/judging/") and stolen.get(sheet).status_code != 401
    admin = signed_in(app, "admin")
    page = admin.get("/admin/").get_data(as_text=True)
    target = _user(app, "judge").id
    assert f'action="/admin/users/{target}/sign-out"' in page and "强制下线" in page

    response = post(admin, f"/admin/users/{target}/sign-out")
    assert response.status_code == 302
    assert "已强制下线" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert not opens(judge, "/judging/")
    assert not opens(stolen, "/judging/")
    refused = stolen.get(sheet)
    assert refused.status_code == 401 and refused.is_json
    assert opens(admin, "/admin/")  # the administrator's own session goes on
    with app.app_context():
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "user.sign_out_everywhere")
        ).scalar_one()
        assert entry.entity_id == str(target) and entry.user_id == _user(app, "admin").id


def test_signing_out_everywhere_needs_the_form_token_and_an_administrator(app, world):
    judge = signed_in(app, "judge")
    target = _user(app, "judge").id
    admin = signed_in(app, "admin")
    forged = admin.post(f"/admin/users/{target}/sign-out", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert admin.get(f"/admin/users/{target}/sign-out").status_code == 405
    organiser = signed_in(app, "organiser")
    assert post(organiser, f"/admin/users/{target}/sign-out").status_code == 403
    assert post(admin, "/admin/users/99999/sign-out").status_code == 404
    assert opens(judge, "/judging/")


def test_cookies_are_secure_behind_https(another_app, world):
    app = another_app(SESSION_COOKIE_SECURE=True)
    device = app.test_client()
    data = {"username": "organiser", "password": PASSWORD, "remember": "y"}
    data["csrf_token"] = csrf_token(device)
    response = device.post("/login", data=data)
    cookies = {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}
    for name in ("session", REMEMBER):
        assert "Secure" in cookies[name], cookies[name]
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]


def test_the_remember_cookie_is_not_secure_in_development(app, world):
    device = app.test_client()
    data = {"username": "organiser", "password": PASSWORD, "remember": "y"}
    response = device.post("/login", data={**data, "csrf_token": csrf_token(device)})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER))
    assert "Secure" not in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_hsts_is_sent_in_production_only(app, another_app):
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers
    production = another_app(ENV_NAME="production", PUBLIC_URL="https://contest.example")
    header = (
        production.test_client()
        .get("/healthz", base_url="https://contest.example")
        .headers["Strict-Transport-Security"]
    )
    assert header.startswith("max-age=") and int(header.split("=")[1].split(";")[0]) >= 31536000
