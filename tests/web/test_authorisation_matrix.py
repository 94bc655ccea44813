"""Every route of the application, called as every role and anonymously, answers as its
access rule says. The routes come from the app's URL map, and every one must have a rule
here, so a new route cannot be forgotten.

Objects in the addresses are the shared ``world``'s: event, trade WELD (chief_judge is its
chief, judge sits on its panel), unit A (unit_contact is its contact), entrant E1 (unit A,
account entrant). Allowed means "not refused": any answer but 401/403/a login redirect, and
never a 500 (a missing object may well be a 404).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.core.extensions import db
from contest.events.models import Judge
from contest.registration.models import Entrant
from tests.conftest import csrf_token, login

ROLES = [role.value for role in Role]
EVERYONE = frozenset(ROLES) | {None}  # None: anonymous
LOGGED_IN = frozenset(ROLES)
STAFF = frozenset({"admin", "organiser"})
ADMIN = frozenset({"admin"})
WELD_PANEL = frozenset({"chief_judge", "judge"})  # can_judge_trade
WELD_DESK = STAFF | {"chief_judge"}  # can_run_trade
UNIT_A = STAFF | {"unit_contact"}  # can_act_for_unit

RULES: dict[str, frozenset] = {
    # Public pages and documents (published or not: refusing is not theirs to do).
    "main.index": EVERYONE,
    "main.healthz": EVERYONE,
    "main.set_language": EVERYONE,
    "auth.login": EVERYONE,
    "main.event_home": EVERYONE,
    "public.results_index": EVERYONE,
    "public.trade_results": EVERYONE,
    "public.awards": EVERYONE,
    "public.notice_page": EVERYONE,
    "public.lookup": EVERYONE,
    "public.screen": EVERYONE,
    "public.quiz_board": EVERYONE,
    "documents.awards_pdf": EVERYONE,
    "documents.awards_xlsx": EVERYONE,
    "documents.certificate_pdf": EVERYONE,
    "documents.verify": EVERYONE,
    "documents.verify_form": EVERYONE,
    "static": EVERYONE,
    # Any account.
    "main.home": LOGGED_IN,
    "auth.logout": LOGGED_IN,
    "auth.change_password": LOGGED_IN,
    # Per role.
    "admin.home": ADMIN,
    "admin.create_user": ADMIN,
    "admin.toggle_active": ADMIN,
    "admin.reset_password": ADMIN,
    "admin.sign_out": ADMIN,
    "organise.home": STAFF,
    "entrant.home": frozenset({"entrant"}),
    "practice.home": frozenset({"entrant"}),
    "practice.start": frozenset({"entrant"}),  # and then only their banks (test_exam_practice)
    "practice.check": frozenset({"entrant"}),
    "unit.home": frozenset({"unit_contact"}),
    "judging.home": WELD_PANEL,
    # Per object.
    "judging.trade": WELD_PANEL,
    "judging.sheet": WELD_PANEL,
    "judging.save_sheet": WELD_PANEL,
    "judging.exam_marking": WELD_PANEL,  # and then only the exam's panel (test_exam_marking)
    "judging.exam_item": WELD_PANEL,
    "judging.save_exam_item": WELD_PANEL,
    "api.load_sheet": WELD_PANEL,
    "api.save_value": WELD_PANEL,
    "api.submit_sheet": WELD_PANEL,
    "draw.check_in": WELD_DESK,
    "draw.cards_pdf": STAFF,
    "cards.scan": EVERYONE,  # then by who scans: the door staff, the entrant, anyone else
    "draw.mark": WELD_DESK,
    "appeals.trade": WELD_DESK,
    "appeals.decide": WELD_DESK,
    "results.trade": WELD_DESK,
    "results.trade_pdf": WELD_DESK,
    "results.trade_xlsx": WELD_DESK,
    "appeals.unit": UNIT_A,
    "appeals.file_appeal": UNIT_A,
    # The exam pages: the sign-in is anyone's; the paper's calls answer only an entrant
    # signed in to the exam on this device (test_exam_sitting), never an account as such.
    "exam.sign_in": EVERYONE,
    "exam.paper": EVERYONE,  # to the sign-in page
    "exam.done": EVERYONE,  # to the sign-in page
    "exam.leave": EVERYONE,
    "exam.card": frozenset(),  # only a valid card signs in; a bad one is answered 401
    "exam.image": frozenset(),
    "exam.state": frozenset(),
    "exam.save": frozenset(),
    "exam.submit": frozenset(),
}
PROCTORS = STAFF | {"proctor"}  # and then only the exam's proctors (test_exam_sitting)
for endpoint in ("home", "room", "extend", "pause", "resume", "hand_in", "open_room", "close_room"):
    RULES[f"proctor.{endpoint}"] = PROCTORS
for endpoint in ("desk", "live", "entrant_page", "cell_page", "rescore", "excuse", "set_time",
                 "set_status", "lock_trade", "unlock_trade", "set_double_entry", "add_clerk",
                 "remove_clerk", "paper", "enter_paper", "decide_paper", "add_penalty",
                 "withdraw_penalty"):  # fmt: skip
    RULES[f"chief.{endpoint}"] = WELD_DESK
for endpoint in ("unit", "team", "add_entrant", "edit_entrant", "remove_entrant",
                 "withdraw_entrant", "roster_template", "upload_roster"):  # fmt: skip
    RULES[f"unit.{endpoint}"] = UNIT_A
STAFF_AREAS = ("organise.", "registration.", "draw.draw_page", "draw.make_draw", "draw.top_up",
               "draw.stations_pdf", "draw.door_list_pdf", "results.event", "appeals.objections",
               "appeals.decide_objection", "documents.event_certificates_pdf",
               "publishing.")  # fmt: skip


def rule_for(endpoint: str) -> frozenset:
    if endpoint in RULES:
        return RULES[endpoint]
    if endpoint.startswith(STAFF_AREAS):
        return STAFF
    raise AssertionError(f"no access rule for {endpoint}: add it to RULES")


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule, method


@pytest.fixture
def addresses(app, world):
    with app.app_context():
        one = lambda query: db.session.execute(query).scalar_one()  # noqa: E731
        values = {
            "event_id": world.event_id,
            "trade_id": world.weld,
            "unit_id": world.unit_a,
            "entrant_id": one(sa.select(Entrant.id).where(Entrant.code == "E1")),
            "judge_id": one(sa.select(Judge.id).where(Judge.code == "J2")),
            "user_id": one(sa.select(User.id).where(User.username == "unit_contact")),
            "slug": "test-games",
            "trade_code": "WELD",
            "code": "2026001-00001-ABCDEF",
            "kind": "results",
            "filename": "css/app.css",
        }
    return values


def address(rule, values) -> str:
    return rule.build({arg: values.get(arg, 1) for arg in rule.arguments})[1]


def refused(response, role) -> bool:
    if role is None:
        to_login = response.status_code == 302 and "/login" in response.headers.get("Location", "")
        return to_login or response.status_code == 401
    return response.status_code in (401, 403)


@pytest.mark.parametrize("role", [None, *ROLES], ids=lambda r: r or "anonymous")
def test_every_route_answers_every_role_as_its_rule_says(app, addresses, role):
    client = app.test_client()
    if role:
        assert login(client, role).status_code == 302
    token = csrf_token(client, "/")
    wrong = []
    for rule, method in routes(app):
        if rule.endpoint == "auth.logout":
            continue  # checked at the end: it would end the session
        path = address(rule, addresses)
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token},
                                   headers={"X-CSRFToken": token})  # fmt: skip
        response.close()
        allowed = role in rule_for(rule.endpoint)
        if response.status_code >= 500 or refused(response, role) == allowed:
            wrong.append(f"{method} {path} ({rule.endpoint}): {response.status_code}")
    assert not wrong, "\n".join(wrong)
    logout = client.post("/logout", data={"csrf_token": token})
    assert refused(logout, role) == (role not in rule_for("auth.logout"))


def test_every_route_has_a_rule(app):
    missing = []
    for rule, _ in routes(app):
        try:
            rule_for(rule.endpoint)
        except AssertionError as error:
            missing.append(str(error))
    assert not missing, missing
    assert not [e for e in RULES if e not in {r.endpoint for r, _ in routes(app)}], (
        "rules for routes that no longer exist"
    )


def test_anonymous_api_calls_get_json_401_not_a_login_page(app, addresses):
    response = app.test_client().get(f"/api/sheets/{addresses['trade_id']}/1")
    assert response.status_code == 401 and response.is_json
    assert re.search(r"登录|log in", response.get_json()["message"], re.I)
