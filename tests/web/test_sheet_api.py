"""The score sheet API: every refusal, idempotent retries, versions, and concurrent saves."""

import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain import snapshot
from contest.domain.scoring import Aggregation, CriterionKind
from contest.domain.stages import StageKind, StageState
from contest.events.models import Criterion, Event, Trade
from contest.results import services as results
from contest.results.models import ComponentScore, Score, ScoreState, TradeResultRecord
from contest.stages.models import StageWindow
from tests.conftest import Queries, race
from tests.factories import make_entrant, make_event, make_judge, make_trade, make_unit, make_user
from tests.judging import Tablet


@pytest.fixture
def panel(app):
    """WELD: P1 (0–50, step 0.5) and P2 (judgement 0–3 on max 30); judges J1 (unit X), J2 and
    J3 (unit A); entrants E1 (unit A) and E2 (unit B). Scoring is open. ELEC has judge J9."""
    with app.app_context():
        event = make_event()
        a, b, x = make_unit(event, "A"), make_unit(event, "B"), make_unit(event, "X")
        weld = make_trade(event, "WELD", "焊工")
        p1, p2 = weld.components[1].criteria
        p1.step = Decimal("0.5")
        p2.kind, p2.scale, p2.step, p2.max = (
            CriterionKind.JUDGEMENT,
            Decimal(3),
            Decimal(1),
            Decimal(30),
        )
        p2.aggregation = Aggregation.MEAN
        users = {n: make_user(Role.JUDGE, username=n) for n in ("j1", "j2", "j3", "j9")}
        make_judge(weld, "J1", unit=x, user=users["j1"])
        make_judge(weld, "J2", unit=x, user=users["j2"])
        make_judge(weld, "J3", unit=a, user=users["j3"])
        elec = make_trade(event, "ELEC", "电工")
        make_judge(elec, "J9", user=users["j9"])
        e1 = make_entrant(weld, a, "E1", station=1)
        e2 = make_entrant(weld, b, "E2", station=2)
        now = datetime.now(UTC)
        db.session.add(
            StageWindow(event=event, kind=StageKind.SCORING, opens_at=now - timedelta(hours=1),
                        closes_at=now + timedelta(hours=8), state=StageState.OPEN)
        )  # fmt: skip
        db.session.commit()
        return SimpleNamespace(trade=weld.id, e1=e1.id, e2=e2.id, event=event.id)


def audit_entries(app, action):
    with app.app_context():
        return db.session.execute(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        ).scalar_one()


def scores(app, **filters):
    with app.app_context():
        rows = db.session.execute(
            sa.select(Criterion.code, Score.value, Score.state, Score.version)
            .join(Criterion, Criterion.id == Score.criterion_id)
            .filter_by(**filters)
            .order_by(Criterion.code)
        )
        return [tuple(r) for r in rows]


def test_load_the_sheet(app, panel):
    tablet = Tablet(app, "j1")
    response = tablet.sheet(panel.trade, panel.e1)
    assert response.status_code == 200
    data = response.get_json()
    assert data["entrant"]["label"] == "01 · A001"
    assert [(c["code"], c["entry_max"], c["step"], c["score"]) for c in data["criteria"]] == [
        ("P1", "50", "0.5", None),
        ("P2", "3", "1", None),
    ]
    assert "选手" not in response.get_data(as_text=True)


def test_draft_then_submit_then_amend_with_a_reason(app, panel):
    tablet = Tablet(app, "j1")
    first = tablet.save(panel.trade, panel.e1, "P1", "42.5")
    assert first.status_code == 200
    assert first.get_json()["score"] == {"value": "42.5", "version": 1, "state": "draft"}
    again = tablet.save(panel.trade, panel.e1, "P1", "43", base=1)
    assert again.get_json()["score"]["version"] == 2
    assert tablet.submit(panel.trade, panel.e1).status_code == 422  # P2 missing
    tablet.save(panel.trade, panel.e1, "P2", "2")
    submitted = tablet.submit(panel.trade, panel.e1)
    assert submitted.status_code == 200 and submitted.get_json()["submitted"] is True
    # Submitting is a change too: every version moves on.
    assert scores(app, judge_id=1) == [
        ("P1", Decimal("43"), ScoreState.SUBMITTED, 3),
        ("P2", Decimal("2"), ScoreState.SUBMITTED, 2),
    ]
    versions = {c["code"]: c["score"]["version"] for c in submitted.get_json()["criteria"]}
    assert versions == {"P1": 3, "P2": 2}
    no_reason = tablet.save(panel.trade, panel.e1, "P1", "44", base=3)
    assert no_reason.status_code == 422
    assert no_reason.get_json()["message"] == "评分表已提交，修改时请填写原因。"
    amended = tablet.save(panel.trade, panel.e1, "P1", "44", base=3, reason="看错刻度")
    assert amended.status_code == 200
    with app.app_context():
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "score.amend")
        ).scalar_one()
        assert (entry.old["value"], entry.new["value"], entry.reason) == ("43", "44", "看错刻度")
        assert entry.user_id is not None and entry.at is not None


def test_submitted_values_count_in_the_results(app, panel):
    for name in ("j1", "j2"):
        tablet = Tablet(app, name)
        tablet.save(panel.trade, panel.e2, "P1", "40")
        tablet.save(panel.trade, panel.e2, "P2", "3")
    with app.app_context():
        trade = db.session.get(Trade, panel.trade)
        row = results.results_for(trade.event)["trades"][0]["entrants"]
        assert {e["code"]: e["status"] for e in row}["E2"] == "incomplete"  # drafts only
    for name in ("j1", "j2"):
        Tablet(app, name).submit(panel.trade, panel.e2)
    with app.app_context():
        trade = db.session.get(Trade, panel.trade)
        e2 = next(
            e for e in results.results_for(trade.event)["trades"][0]["entrants"]
            if e["code"] == "E2"
        )  # fmt: skip
        # J3 is from unit A, not E2's unit B, so E2 needs J3 too: still incomplete.
        assert e2["status"] == "incomplete"
        assert e2["components"] == {}


@pytest.mark.parametrize(
    "value, code, message",
    [
        ("50.5", "out_of_range", "请输入 0 至 50 之间的数值。"),
        ("-1", "out_of_range", "请输入 0 至 50 之间的数值。"),
        ("12.3", "off_step", "请输入 0.5 的整数倍。"),
    ],
)
def test_values_out_of_range_or_off_step_are_refused(app, panel, value, code, message):
    response = Tablet(app, "j1").save(panel.trade, panel.e1, "P1", value)
    assert response.status_code == 422
    assert response.get_json()["error"] == code and response.get_json()["message"] == message
    assert scores(app) == []


#: Numbers whose exact value would take a computer minutes and gigabytes to work with.
ABSURD = ["1E-999999999", "1E+999999999", "-1E-3000000", "1E+3000000", "0E-999999999"]


def answered(call, seconds: float = 30):
    """``call()``'s answer — or a failure if it has not answered in ``seconds`` (a request
    that never ends would otherwise hang the suite)."""
    answers: list = []
    worker = threading.Thread(target=lambda: answers.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert answers, f"no answer in {seconds} s"
    return answers[0]


@pytest.mark.parametrize("value", ABSURD)
def test_absurd_numbers_are_refused_before_any_arithmetic(app, panel, value):
    tablet = Tablet(app, "j1")
    response = answered(lambda: tablet.save(panel.trade, panel.e1, "P1", value))
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert response.get_json()["message"]
    path = f"/judging/trades/{panel.trade}/sheets/{panel.e1}"  # the page without JavaScript
    page = answered(lambda: tablet.client.post(
        path, data={"csrf_token": tablet.token, "value-P1": value, "version-P1": ""}
    ))  # fmt: skip
    assert 400 <= page.status_code < 500
    assert "请输入 0 至 50 之间的数值。" in page.get_data(as_text=True)
    assert scores(app) == []


def test_a_judge_saving_without_pause_is_slowed_down(app, panel, another_app):
    limited = another_app(RATELIMIT_ENABLED=True, SCORE_RATE_LIMIT="3 per minute")
    tablet, other = Tablet(limited, "j1"), Tablet(limited, "j2")
    answers = [tablet.save(panel.trade, panel.e1, "P1", "40", base=None if i == 0 else 1)
               for i in range(4)]  # the same value again: answered without a change  # fmt: skip
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert answers[3].status_code == 429 and answers[3].get_json()["message"]
    assert other.save(panel.trade, panel.e1, "P1", "41").status_code == 200  # per judge


def test_a_judgement_value_must_be_a_whole_point_of_the_scale(app, panel):
    tablet = Tablet(app, "j1")
    assert tablet.save(panel.trade, panel.e1, "P2", "4").status_code == 422
    assert tablet.save(panel.trade, panel.e1, "P2", "1.5").status_code == 422
    assert scores(app) == []


def test_recused_judge_is_refused_even_when_asking_directly(app, panel):
    tablet = Tablet(app, "j3")  # J3 is from unit A, like E1
    assert tablet.sheet(panel.trade, panel.e1).status_code == 403
    response = tablet.save(panel.trade, panel.e1, "P1", "40")
    assert response.status_code == 403
    assert response.get_json()["message"] == "您与该选手同单位，应当回避，不能评分。"
    assert scores(app) == []
    assert tablet.client.get(f"/judging/trades/{panel.trade}/sheets/{panel.e1}").status_code == 403


def test_a_judge_of_another_panel_is_refused(app, panel):
    tablet = Tablet(app, "j9")
    refused = tablet.save(panel.trade, panel.e1, "P1", "40")
    assert refused.status_code == 403
    assert refused.get_json()["message"] == "您不在本工种的裁判组中。"
    assert tablet.sheet(panel.trade, panel.e1).status_code == 403
    assert tablet.submit(panel.trade, panel.e1).status_code == 403
    with app.app_context():  # nor does a locked trade tell them more
        db.session.get(Trade, panel.trade).locked_at = datetime.now(UTC)
        db.session.commit()
    assert tablet.save(panel.trade, panel.e1, "P1", "40").status_code == 403
    assert scores(app) == []


def test_a_component_panel_keeps_other_judges_off_its_criteria(app, panel):
    with app.app_context():
        trade = db.session.get(Trade, panel.trade)
        trade.components[1].judges = [trade.panel[1].judge]  # only J2 scores the practical
        db.session.commit()
    response = Tablet(app, "j1").save(panel.trade, panel.e1, "P1", "40")
    assert response.status_code == 404  # P1 is not on J1's sheet
    assert scores(app) == []


def test_unknown_entrant_or_criterion(app, panel):
    tablet = Tablet(app, "j1")
    assert tablet.save(panel.trade, 99999, "P1", "1").status_code == 404
    assert tablet.save(panel.trade, panel.e1, "P9", "1").status_code == 404


def test_malformed_requests_are_400(app, panel):
    tablet = Tablet(app, "j1")
    url = f"/api/sheets/{panel.trade}/{panel.e1}/values"
    headers = {"X-CSRFToken": tablet.token, "Idempotency-Key": uuid.uuid4().hex}
    for body in ({}, {"criterion": "P1", "value": "abc"}, {"criterion": "P1", "value": "1e400"},
                 {"criterion": "P1", "value": "1", "base_version": "x"}, [],
                 {"criterion": "P1", "value": "1", "base_version": True},
                 {"criterion": "P1", "value": "1", "reason": " " + "x" * 501},
                 {"criterion": "P1", "value": "1", "reason": 5}):  # fmt: skip
        headers["Idempotency-Key"] = uuid.uuid4().hex
        response = tablet.client.post(url, json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.get_json()["error"] == "bad_request" and response.get_json()["message"]
    no_key = tablet.client.post(url, json={"criterion": "P1", "value": "1"},
                                headers={"X-CSRFToken": tablet.token})  # fmt: skip
    assert no_key.status_code == 400 and no_key.get_json()["error"] == "bad_key"
    no_csrf = tablet.client.post(url, json={"criterion": "P1", "value": "1"},
                                 headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
    assert no_csrf.status_code == 400
    assert scores(app) == []


def test_anonymous_api_calls_get_401_json(app, panel):
    response = app.test_client().get(f"/api/sheets/{panel.trade}/{panel.e1}")
    assert response.status_code == 401 and response.get_json()["status"] == 401


def test_locked_trade_and_closed_window_refuse_saves(app, panel):
    tablet = Tablet(app, "j1")
    tablet.save(panel.trade, panel.e1, "P1", "40")
    with app.app_context():
        db.session.get(Trade, panel.trade).locked_at = datetime.now(UTC)
        db.session.commit()
    locked = tablet.save(panel.trade, panel.e1, "P1", "41", base=1)
    assert locked.status_code == 423
    assert locked.get_json()["message"] == "裁判长已锁定本工种，成绩不能再修改。"
    with app.app_context():
        db.session.get(Trade, panel.trade).locked_at = None
        db.session.execute(sa.update(StageWindow).values(state=StageState.CLOSED))
        db.session.commit()
    closed = tablet.save(panel.trade, panel.e1, "P1", "41", base=1)
    assert closed.status_code == 423
    assert closed.get_json()["error"] == "scoring_closed"
    assert closed.get_json()["message"] == "本工种评分未开放。"
    assert scores(app) == [("P1", Decimal("40"), ScoreState.DRAFT, 1)]


def test_a_retry_with_the_same_key_applies_once(app, panel):
    tablet = Tablet(app, "j1")
    key = uuid.uuid4().hex
    first = tablet.save(panel.trade, panel.e1, "P1", "40", key=key)
    replay = tablet.save(panel.trade, panel.e1, "P1", "40", key=key)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replay"] == "true"
    assert replay.get_json() == first.get_json()
    assert scores(app) == [("P1", Decimal("40"), ScoreState.DRAFT, 1)]
    assert audit_entries(app, "score.draft") == 1


def test_a_retry_after_a_newer_value_still_gets_its_own_answer(app, panel):
    tablet = Tablet(app, "j1")
    key = uuid.uuid4().hex
    first = tablet.save(panel.trade, panel.e1, "P1", "40", key=key)
    assert tablet.save(panel.trade, panel.e1, "P1", "41", base=1).status_code == 200
    replay = tablet.save(panel.trade, panel.e1, "P1", "40", key=key)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replay"] == "true"
    assert replay.get_json() == first.get_json()
    assert scores(app) == [("P1", Decimal("41"), ScoreState.DRAFT, 2)]


def test_a_retried_submit_is_answered_once(app, panel):
    tablet = Tablet(app, "j1")
    tablet.save(panel.trade, panel.e1, "P1", "40")
    tablet.save(panel.trade, panel.e1, "P2", "2")
    key = uuid.uuid4().hex
    first = tablet.submit(panel.trade, panel.e1, key=key)
    replay = tablet.submit(panel.trade, panel.e1, key=key)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replay"] == "true"
    assert replay.get_json() == first.get_json()
    assert audit_entries(app, "sheet.submit") == 1


def test_a_late_entry_never_overwrites_a_newer_value(app, panel):
    tablet_a, tablet_b = Tablet(app, "j1"), Tablet(app, "j1")  # the same judge, two tablets
    tablet_a.save(panel.trade, panel.e1, "P1", "40")
    assert tablet_b.save(panel.trade, panel.e1, "P1", "45", base=1).status_code == 200
    late = tablet_a.save(panel.trade, panel.e1, "P1", "41", base=1)  # queued while offline
    assert late.status_code == 409
    assert late.get_json() | {"message": ""} == {
        "error": "conflict", "message": "", "value": "45", "version": 2,
    }  # fmt: skip
    assert scores(app) == [("P1", Decimal("45"), ScoreState.DRAFT, 2)]


def test_an_acknowledged_save_survives_a_restart(app, another_app, panel):
    assert Tablet(app, "j1").save(panel.trade, panel.e1, "P1", "40").status_code == 200
    restarted = another_app()  # a new process: new engine, no cache
    with restarted.app_context():
        assert db.session.execute(sa.select(Score.value)).scalar_one() == Decimal("40")


def test_two_judges_saving_at_once_both_count(app, panel):
    j1, j2 = Tablet(app, "j1"), Tablet(app, "j2")
    answers = race([
        lambda: j1.save(panel.trade, panel.e1, "P1", "40"),
        lambda: j2.save(panel.trade, panel.e1, "P1", "44"),
    ])  # fmt: skip
    assert [a.status_code for a in answers] == [200, 200]
    with app.app_context():
        values = db.session.execute(sa.select(Score.judge_id, Score.value).order_by(Score.judge_id))
        assert [tuple(v) for v in values] == [(1, Decimal("40")), (2, Decimal("44"))]


def test_the_same_judge_on_two_tablets_one_wins_the_other_is_told(app, panel):
    a, b = Tablet(app, "j1"), Tablet(app, "j1")
    answers = race([
        lambda: a.save(panel.trade, panel.e1, "P1", "40"),
        lambda: b.save(panel.trade, panel.e1, "P1", "42"),
    ])  # fmt: skip
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200, 409]
    winner = next(r for r in answers if r.status_code == 200).get_json()["score"]["value"]
    loser = next(r for r in answers if r.status_code == 409).get_json()
    assert loser["message"] == "该分数已在其他设备上修改，请刷新评分表查看。"
    assert scores(app) == [("P1", Decimal(winner), ScoreState.DRAFT, 1)]


def test_the_same_retry_racing_itself_applies_once(app, panel):
    a, b = Tablet(app, "j1"), Tablet(app, "j1")
    key = uuid.uuid4().hex
    answers = race([
        lambda: a.save(panel.trade, panel.e1, "P1", "40", key=key),
        lambda: b.save(panel.trade, panel.e1, "P1", "40", key=key),
    ])  # fmt: skip
    assert all(r.status_code in (200, 409) for r in answers)
    assert any(r.status_code == 200 for r in answers)
    assert scores(app) == [("P1", Decimal("40"), ScoreState.DRAFT, 1)]


def test_a_value_save_costs_the_same_in_a_larger_event(app, panel):
    """A save's statements do not grow with the event: more trades, with their entrants,
    judges and criteria, change nothing — 8 on PostgreSQL (the account, the sheet's address,
    the seat with the criterion and the trade's state, whether the results are published,
    the value, the audit chain's head, the audit entry, the idempotency key); SQLite adds
    its two write locks."""
    tablet = Tablet(app, "j1")

    def statements(entrant, value):
        with Queries(app) as seen:
            assert tablet.save(panel.trade, entrant, "P1", value).status_code == 200
        return seen.count

    small = statements(panel.e1, "10")
    with app.app_context():
        event = db.session.get(Event, panel.event)
        unit = make_unit(event, "C")
        for n in range(6):
            trade = make_trade(event, f"T{n}", f"工种{n}", criteria=8)
            make_judge(trade, f"K{n}")
            for m in range(8):
                make_entrant(trade, unit, f"T{n}E{m}", station=m + 1)
        db.session.commit()
        expected = 8 if db.engine.dialect.name == "postgresql" else 10
    assert statements(panel.e2, "11") == small == expected


def stored_is_full_computation(app, trade_id):
    """The trade's stored results are what scoring every entrant from scratch gives."""
    with app.app_context():
        trade = db.session.get(Trade, trade_id)
        stored = db.session.get(TradeResultRecord, trade_id).payload
        return stored == snapshot.dump_trade(results.compute(trade))


def test_submits_and_amendments_rescore_one_entrant_and_store_the_full_results(app, panel):
    """A submit or an amendment scores only its entrant again (the others' scores as stored)
    and what is stored is exactly what scoring everyone gives: ties broken by a criterion,
    ranks moving, and — should the stored results miss an entrant — everyone scored."""
    with app.app_context():
        trade = db.session.get(Trade, panel.trade)
        trade.tie_breakers = ["criterion:P2", "component:practical"]
        theory = trade.components[0]
        for entrant in (panel.e1, panel.e2):
            db.session.add(ComponentScore(entrant_id=entrant, component_id=theory.id, value=80))
        results.recompute_trade(trade)
        db.session.commit()
    tablets = {name: Tablet(app, name) for name in ("j1", "j2", "j3")}
    versions = {}

    def sheet(name, entrant, p1, p2):
        for code, value in (("P1", p1), ("P2", p2)):
            saved = tablets[name].save(panel.trade, entrant, code, value)
            assert saved.status_code == 200
        submitted = tablets[name].submit(panel.trade, entrant)
        assert submitted.status_code == 200
        for c in submitted.get_json()["criteria"]:
            versions[name, entrant, c["code"]] = c["score"]["version"]
        assert stored_is_full_computation(app, panel.trade)

    def amend(name, entrant, code, value):
        base = versions[name, entrant, code]
        answer = tablets[name].save(panel.trade, entrant, code, value, base=base, reason="复核")
        assert answer.status_code == 200
        versions[name, entrant, code] = answer.get_json()["score"]["version"]
        assert stored_is_full_computation(app, panel.trade)

    def ranks():
        with app.app_context():
            payload = db.session.get(TradeResultRecord, panel.trade).payload
            return {e["code"]: (e["rank"], e["total"]) for e in payload["entrants"]}

    sheet("j1", panel.e1, "40", "2")  # E1 (unit A): J3 is recused
    sheet("j2", panel.e1, "41", "2")
    assert ranks()["E1"][0] == 1 and ranks()["E2"] == (None, None)
    for name, p1 in (("j1", "40"), ("j2", "41"), ("j3", "40.5")):
        sheet(name, panel.e2, p1, "2")
    assert ranks() == {"E1": (1, "66.35"), "E2": (1, "66.35")}  # equal on every breaker
    amend("j1", panel.e2, "P2", "3")  # E2's P2 mark rises: the tie-breaker
    assert ranks()["E2"] == (1, "68.68") and ranks()["E1"][0] == 2
    with app.app_context():  # stored results that miss an entrant are not built on
        record = db.session.get(TradeResultRecord, panel.trade)
        payload = dict(record.payload)
        payload["entrants"] = [e for e in payload["entrants"] if e["code"] != "E2"]
        record.payload = payload
        db.session.commit()
    amend("j2", panel.e1, "P1", "50")
    assert ranks() == {"E1": (1, "69.50"), "E2": (2, "68.68")}


def test_every_api_route_is_documented(app):
    from pathlib import Path

    import yaml

    spec = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())
    documented = {(path, method.upper()) for path, item in spec["paths"].items() for method in item}
    routes = {
        (re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api")), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented


def test_the_sheet_page_renders_for_the_judge(app, panel):
    tablet = Tablet(app, "j1")
    tablet.save(panel.trade, panel.e1, "P1", "42.5")
    page = tablet.client.get(f"/judging/trades/{panel.trade}/sheets/{panel.e1}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "01 · A001" in html and "选手E1" not in html
    assert 'value="42.5"' in html and 'data-version="1"' in html
    assert "网络已断开：%(n)s 项修改暂存在本机" in html  # the tablet fills in the count


def test_the_sheet_works_without_javascript(app, panel):
    tablet = Tablet(app, "j1")
    url = f"/judging/trades/{panel.trade}/sheets/{panel.e1}"
    form = {"csrf_token": tablet.token, "value-P1": "40", "value-P2": "2", "submit": "1"}
    assert tablet.client.post(url, data=form).status_code == 302
    assert [(c, v, s) for c, v, s, _ in scores(app)] == [
        ("P1", Decimal("40"), ScoreState.SUBMITTED),
        ("P2", Decimal("2"), ScoreState.SUBMITTED),
    ]
    bad = tablet.client.post(url, data={"csrf_token": tablet.token, "value-P1": "40.3",
                                        "version-P1": "2", "reason": "改"})  # fmt: skip
    assert bad.status_code == 400 and "请输入 0.5 的整数倍" in bad.get_data(as_text=True)
    assert scores(app)[0][1] == Decimal("40")
