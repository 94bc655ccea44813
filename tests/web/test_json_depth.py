"""A JSON body nested deeper than any of ours is refused with a clear 400 (JSON), at any
address — never a 500 from Python's recursion limit — and changes nothing."""

import uuid

import pytest
import sqlalchemy as sa

from contest.core.extensions import db
from contest.core.web import MAX_JSON_DEPTH, nested_deeper_than
from contest.results.models import Score
from tests.judging import Tablet
from tests.web.test_sheet_api import panel  # noqa: F401

MESSAGE = f"JSON 数据嵌套过深（最多 {MAX_JSON_DEPTH} 层）。"
#: Deeper than Python's parser follows; deep enough that walking it recursively fails; just
#: over the bound.
BODIES = {
    "beyond the parser": "[" * 100_000 + "]" * 100_000,
    "beyond a recursive walk": '{"a":' * 600 + "1" + "}" * 600,
    "just over": "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_deep_json_is_a_clear_400_anywhere(client, body):
    for path in ("/", "/healthz", "/api/sheets/1/1", "/e/nowhere/"):
        response = client.get(path, data=body, content_type="application/json")
        assert response.status_code == 400, path
        assert response.get_json() == {"error": "请求有误", "message": MESSAGE, "status": 400}


def test_a_judge_sending_deep_json_is_refused_and_nothing_is_saved(app, panel):  # noqa: F811
    tablet = Tablet(app, "j1")
    headers = {"X-CSRFToken": tablet.token, "Idempotency-Key": uuid.uuid4().hex}
    body = (
        '{"criterion": "P1", "value": "42", "base_version": null, "x": ' + BODIES["just over"] + "}"
    )
    refused = tablet.client.post(
        f"/api/sheets/{panel.trade}/{panel.e1}/values",
        data=body,
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 400 and refused.get_json()["message"] == MESSAGE
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Score)).scalar() == 0
    assert tablet.save(panel.trade, panel.e1, "P1", "42").status_code == 200


def test_nesting_is_measured_without_recursion():
    assert not nested_deeper_than({"a": [1, {"b": 2}]}, 3)
    assert nested_deeper_than({"a": [1, {"b": []}]}, 3)
    assert not nested_deeper_than("text", 0)
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert nested_deeper_than(deep, MAX_JSON_DEPTH)
