"""Public pages, the health check, error pages and security headers."""

import re
from pathlib import Path

from contest import create_app
from tests.conftest import app_config

ROOT = Path(__file__).resolve().parents[2]


def test_front_page_lists_events_with_figures(client, world):
    page = client.get("/").get_data(as_text=True)
    assert "测试市职工技术运动会" in page
    assert 'href="/e/test-games/"' in page


def test_event_home_shows_trades(client, world):
    page = client.get("/e/test-games/").get_data(as_text=True)
    assert "焊工" in page and "电工" in page
    assert "赛程尚未公布" in page  # no windows planned in this event


def test_unknown_event_is_a_chinese_404(client, world):
    response = client.get("/e/no-such-event/")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_json_clients_get_json_errors(client, world):
    response = client.get("/nowhere", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_healthz_is_503_when_the_database_cannot_be_reached():
    app = create_app(app_config("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert "Traceback" not in response.get_data(as_text=True)


def test_unreachable_database_gives_a_503_page_not_a_trace():
    app = create_app(app_config("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    response = app.test_client().get("/")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "服务暂时不可用" in page
    assert "Traceback" not in page and "psycopg" not in page


def test_security_headers(client, world):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_http_only(client, world):
    client.get("/login")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only


def test_templates_have_no_inline_scripts_or_styles():
    """The strict CSP forbids them; this catches one before a browser does."""
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {path}"
        assert not re.search(r"<style\b", text), f"style element in {path}"
        assert not re.search(r"\sstyle=", text), f"style attribute in {path}"
        assert not re.search(r"\son[a-z]+=", text), f"inline event handler in {path}"


def test_static_assets_are_local(client, world):
    page = client.get("/").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not url.startswith(("http:", "https:", "//")), url
    for asset in ("/static/css/app.css", "/static/js/app.js", "/static/img/favicon.svg"):
        with client.get(asset) as response:
            assert response.status_code == 200, asset


def test_times_are_shown_in_the_event_time_zone(app, client, world):
    from datetime import UTC, datetime

    from contest.core.extensions import db
    from contest.domain.stages import StageKind
    from contest.events.models import Event
    from contest.stages.models import StageWindow

    with app.app_context():
        event = db.session.get(Event, world.event_id)
        event.timezone = "Asia/Urumqi"  # UTC+6
        db.session.add(
            StageWindow(
                event=event,
                kind=StageKind.SCORING,
                opens_at=datetime(2026, 5, 10, 2, 30, tzinfo=UTC),
                closes_at=datetime(2026, 5, 10, 11, 0, tzinfo=UTC),
            )
        )
        db.session.commit()
    page = client.get("/e/test-games/").get_data(as_text=True)
    assert "08:30" in page and "17:00" in page
    assert "Asia/Urumqi" in page


def test_valid_fields_are_not_announced_as_invalid(client, world):
    page = client.get("/login").get_data(as_text=True)
    assert 'aria-invalid="None"' not in page and 'aria-describedby="None"' not in page
    assert "aria-invalid" not in page
