"""Random input never gets a 500: every form of the product (its real field names, random
values: unicode, huge numbers, long text, missing fields) and the sheet JSON API, through
the real app and database."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contest.core.extensions import db
from contest.domain.stages import StageKind, StageState
from contest.stages.models import StageWindow
from tests.conftest import csrf_token, login

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e309",
            "1E-999999999",
            "1E+999999999",
            "-1E-3000000",
            "0E-999999999",
            "NaN",
            "Infinity",
            "9" * 40,
            "0.0000000001",
            "12.345",
            "２０２６-０５-１０",
            "2026-02-30T25:61",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "\x00",
            "😀" * 50,
            "张" * 5000,
            "../../etc/passwd",
            "%(name)s",
            "{{ 7*7 }}",
        ]
    ),
)


def field_names(html: str) -> list[str]:
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html))
    return sorted(names - {"csrf_token"})


def fuzz_form(client, page: str, action: str | None = None):
    """A strategy of submissions for the form on ``page`` (posted to ``action``)."""
    html = client.get(page).get_data(as_text=True)
    names = field_names(html)
    assert names, f"no form fields on {page}"
    return action or page, st.dictionaries(st.sampled_from(names), nasty_text, max_size=len(names))


@pytest.fixture
def scoring_open(app, world):
    with app.app_context():
        now = datetime.now(UTC)
        db.session.add(
            StageWindow(event_id=world.event_id, kind=StageKind.SCORING, state=StageState.OPEN,
                        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=8))
        )  # fmt: skip
        db.session.commit()
    return world


FORMS = {
    "organiser": [
        "/organise/events/new",
        "/organise/events/{e}/edit",
        "/organise/events/{e}/copy",
        "/organise/events/{e}/schedule",
        "/organise/events/{e}/awards",
        "/organise/events/{e}/trades/{t}",
        "/organise/events/{e}/trades/{t}/schedule",
        "/organise/events/{e}/trades/{t}/copy",
        "/organise/events/{e}/units",
        "/organise/events/{e}/judges",
    ],
    "unit_contact": ["/unit/{u}/entrants/new", "/unit/{u}/team"],
    "admin": ["/account/password"],
    None: ["/login"],
}


@pytest.mark.parametrize(
    ("role", "page"), [(role, page) for role, pages in FORMS.items() for page in pages]
)
def test_forms_never_fail_with_a_500(app, world, role, page):
    client = app.test_client()
    if role:
        login(client, role)
    path = page.format(e=world.event_id, t=world.weld, u=world.unit_a)
    action, submissions = fuzz_form(client, path)
    token = csrf_token(client, path)

    @FUZZ
    @given(submissions)
    def submit(data):
        response = client.post(action, data={"csrf_token": token, **data})
        assert response.status_code < 500, (data, response.status_code)

    submit()


json_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    nasty_text, st.lists(st.integers(), max_size=3), st.dictionaries(st.text(), st.integers()),
)  # fmt: skip
bodies = st.one_of(
    st.dictionaries(
        st.one_of(st.sampled_from(["criterion", "value", "base_version", "reason"]), st.text()),
        json_values,
        max_size=5,
    ),
    json_values,
)


def test_the_sheet_api_never_fails_with_a_500(app, scoring_open):
    client = app.test_client()
    login(client, "judge")
    token = csrf_token(client, "/")
    base = f"/api/sheets/{scoring_open.weld}"
    entrants = [1, 2, 3, 10**12, -1]

    @FUZZ
    @given(bodies, st.sampled_from(entrants), st.sampled_from(["values", "submit"]),
           st.one_of(st.none(), nasty_text))  # fmt: skip
    def call(body, entrant, action, key):
        headers = {"X-CSRFToken": token}
        if key is not None:
            # any key a client can send: no header may carry a character outside ASCII, nor a
            # control character (a line break would end it)
            sendable = key.isascii() and key.isprintable()
            headers["Idempotency-Key"] = key if sendable else uuid.uuid4().hex
        response = client.post(f"{base}/{entrant}/{action}", json=body, headers=headers)
        assert response.status_code < 500, (body, response.status_code)
        assert response.is_json

    call()


@FUZZ
@given(raw=st.binary(max_size=200))
def test_malformed_json_is_a_400_not_a_500(app, scoring_open, raw):
    client = app.test_client()
    login(client, "judge")
    token = csrf_token(client, "/")
    response = client.post(
        f"/api/sheets/{scoring_open.weld}/1/values",
        data=raw,
        headers={"X-CSRFToken": token, "Content-Type": "application/json",
                 "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert 400 <= response.status_code < 500


def test_nul_characters_are_refused_with_a_clear_message(app, scoring_open):
    client = app.test_client()
    login(client, "organiser")
    path = f"/organise/events/{scoring_open.event_id}/judges"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "code": "J\x00"})
    assert response.status_code == 400
    assert "输入内容包含不允许的字符" in response.get_data(as_text=True)
    login(judge := app.test_client(), "judge")
    api = judge.post(
        f"/api/sheets/{scoring_open.weld}/1/values",
        json={"criterion": "P1", "value": "1", "reason": "\x00"},
        headers={"X-CSRFToken": csrf_token(judge, "/"), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert api.status_code == 400 and api.is_json


def test_ids_beyond_the_database_range_are_refused_not_a_500(app, scoring_open):
    judge = app.test_client()
    login(judge, "judge")
    huge = 10**12
    response = judge.get(f"/api/sheets/{scoring_open.weld}/{huge}")
    assert response.status_code in (400, 404) and response.is_json
    login(organiser := app.test_client(), "organiser")
    for path in (f"/organise/events/{huge}", f"/results/trades/{huge}", f"/appeals/units/{huge}"):
        assert organiser.get(path).status_code in (400, 404), path
