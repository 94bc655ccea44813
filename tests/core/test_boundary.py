"""The request boundary and the one refusal handler: a view that returns has its work
committed once; one that raises — a refusal or a fault — changes nothing; a refusal reads in
the user's language, as JSON for API clients, as the page shown again for people."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import render_template_string

from contest.core import audit
from contest.core.extensions import db
from contest.core.transaction import unit_of_work
from contest.core.web import on_refusal
from contest.domain.refusal import N_, Refused


class Full(Refused):
    """A refusal of the test views."""

    reasons = {"full": N_("Write the appeal in %(low)s to %(high)s characters.")}
    statuses = {"full": 409}


#: A page that shows itself again after a refusal, with the flashed messages.
PAGE = "<p>again {{ 1 + 1 }}</p>{% for m in get_flashed_messages() %}<p>{{ m }}</p>{% endfor %}"


@pytest.fixture
def app(another_app):
    """An app with test views that write an audit entry, then return or raise."""
    app = another_app()

    def write(then: str):
        audit.record("测试员", "test.write", "test", then)
        if then == "refused":
            raise Full("full", low=10, high=20)
        if then == "page":
            on_refusal(lambda refused: render_template_string(PAGE))
            raise Full("full", low=10, high=20)
        if then == "fault":
            raise RuntimeError("a bug")
        return "written"

    app.add_url_rule("/test/write/<then>", "test_write", write, methods=["GET"])
    app.add_url_rule("/api/test/write/<then>", "test_api_write", write, methods=["GET"])
    return app


def entries(app) -> list[str]:
    with app.app_context():
        return list(
            db.session.execute(
                sa.select(audit.AuditEntry.entity_id).where(audit.AuditEntry.action == "test.write")
            ).scalars()
        )


def test_a_view_that_returns_is_committed(app):
    response = app.test_client().get("/test/write/ok")
    assert response.status_code == 200
    assert entries(app) == ["ok"]


@pytest.mark.parametrize("then, status", [("refused", 409), ("page", 409), ("fault", 500)])
def test_a_view_that_raises_changes_nothing(app, then, status):
    response = app.test_client().get(f"/test/write/{then}")
    assert response.status_code == status
    assert entries(app) == []


def test_a_refusal_is_an_error_page_in_chinese(app):
    page = app.test_client().get("/test/write/refused").get_data(as_text=True)
    assert "申诉内容应为 10 至 20 个字。" in page


def test_a_refusal_shows_the_page_again_with_the_message(app):
    page = app.test_client().get("/test/write/page").get_data(as_text=True)
    assert "again 2" in page
    assert "申诉内容应为 10 至 20 个字。" in page


def test_api_clients_get_the_refusal_as_json(app):
    response = app.test_client().get("/api/test/write/refused")
    assert response.status_code == 409
    assert response.get_json() == {
        "error": "full",
        "message": "申诉内容应为 10 至 20 个字。",
        "low": 10,
        "high": 20,
    }


def test_a_unit_of_work_commits_or_rolls_back(app):
    with app.app_context():
        with unit_of_work():
            audit.record("测试员", "test.write", "test", "kept")
        with pytest.raises(Full), unit_of_work():
            audit.record("测试员", "test.write", "test", "dropped")
            raise Full("full", low=1, high=2)
    assert entries(app) == ["kept"]
