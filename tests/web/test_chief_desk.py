"""The chief judge's desk: the progress matrix, what needs attention, who may see it, the
re-score, excusal, time and status actions, and the judging analysis."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.scoring import Aggregation, CriterionKind, DeclaredStatus
from contest.domain.stages import StageKind, StageState
from contest.events.models import Component, Criterion, Trade
from contest.judging.desk import analysis, discrepancies
from contest.judging.models import RescoreRequest
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import ComponentScore, Excusal, Score, ScoreState
from contest.stages.models import StageWindow
from tests.factories import make_entrant, make_event, make_judge, make_unit, make_user
from tests.judging import Desk, Tablet

# --- the scored trade every chief test starts from ---------------------------------------------


def build(app) -> SimpleNamespace:
    """WELD: theory (0.3, entered directly: 80 for everyone) and practical (0.7) with
    P1 (0–50, step 0.5, max spread 5) and P2 (judgement 0–3 counting for 30). Panel: J1
    (chief, unit X), J2 (unit X), J3 (unit A). Entrants: E1 (unit A, station 1: J3 recused),
    E2 and E3 (unit B). Scored:

    - E1: J1 40/2, J2 47/3 — P1 spread 7 over 5;
    - E2: J1 30/1 submitted, J2 P1 31 submitted and P2 2 still a draft, J3 nothing;
    - E3: J1 20/1, J2 21/1, J3 22/1, all submitted.

    ELEC (another trade) has its own chief judge and entrant E9. Scoring is open."""
    with app.app_context():
        users = {
            name: make_user(role, username=name, name=label)
            for name, role, label in [
                ("chief", Role.CHIEF_JUDGE, "王裁判长"),
                ("j2", Role.JUDGE, "李裁判"),
                ("j3", Role.JUDGE, "赵裁判"),
                ("organiser", Role.ORGANISER, "组委会"),
                ("admin", Role.ADMIN, "管理员"),
                ("contact", Role.UNIT_CONTACT, "联络员"),
                ("entrant", Role.ENTRANT, "选手账号"),
                ("other-chief", Role.CHIEF_JUDGE, "电工裁判长"),
                ("clerk1", Role.JUDGE, "录分员甲"),
                ("clerk2", Role.JUDGE, "录分员乙"),
            ]
        }
        event = make_event()
        a, b, x = make_unit(event, "A"), make_unit(event, "B"), make_unit(event, "X")
        weld = Trade(event=event, code="WELD", name="焊工", position=0)
        weld.components.append(
            Component(position=0, code="theory", name="理论", weight=Decimal("0.3"))
        )
        practical = Component(position=1, code="practical", name="实操", weight=Decimal("0.7"))
        weld.components.append(practical)
        practical.criteria.append(
            Criterion(
                trade=weld, position=0, code="P1", name="焊缝外观", max=Decimal(50),
                step=Decimal("0.5"), max_spread=Decimal(5),
            )
        )  # fmt: skip
        practical.criteria.append(
            Criterion(
                trade=weld, position=1, code="P2", name="工艺评价", max=Decimal(30),
                kind=CriterionKind.JUDGEMENT, scale=Decimal(3), step=Decimal(1),
                aggregation=Aggregation.MEAN,
            )
        )  # fmt: skip
        db.session.add(weld)
        j1 = make_judge(weld, "J1", unit=x, user=users["chief"], chief=True)
        j2 = make_judge(weld, "J2", unit=x, user=users["j2"])
        j3 = make_judge(weld, "J3", unit=a, user=users["j3"])
        elec = Trade(event=event, code="ELEC", name="电工", position=1)
        elec.components.append(Component(code="theory", name="理论", weight=Decimal(1)))
        db.session.add(elec)
        make_judge(elec, "J9", user=users["other-chief"], chief=True)
        e1 = make_entrant(weld, a, "E1", station=1, user=users["entrant"])
        e2 = make_entrant(weld, b, "E2", station=2)
        e3 = make_entrant(weld, b, "E3", station=3)
        e9 = make_entrant(elec, a, "E9", station=1)
        now = datetime.now(UTC)
        db.session.add(
            StageWindow(event=event, kind=StageKind.SCORING, opens_at=now - timedelta(hours=1),
                        closes_at=now + timedelta(hours=8), state=StageState.OPEN)
        )  # fmt: skip
        db.session.flush()
        for entrant in (e1, e2, e3):
            db.session.add(
                ComponentScore(entrant=entrant, component=weld.components[0], value=Decimal(80))
            )
        p1, p2 = practical.criteria
        for entrant, judge, criterion, value, state in [
            (e1, j1, p1, "40", ScoreState.SUBMITTED),
            (e1, j1, p2, "2", ScoreState.SUBMITTED),
            (e1, j2, p1, "47", ScoreState.SUBMITTED),
            (e1, j2, p2, "3", ScoreState.SUBMITTED),
            (e2, j1, p1, "30", ScoreState.SUBMITTED),
            (e2, j1, p2, "1", ScoreState.SUBMITTED),
            (e2, j2, p1, "31", ScoreState.SUBMITTED),
            (e2, j2, p2, "2", ScoreState.DRAFT),
            (e3, j1, p1, "20", ScoreState.SUBMITTED),
            (e3, j1, p2, "1", ScoreState.SUBMITTED),
            (e3, j2, p1, "21", ScoreState.SUBMITTED),
            (e3, j2, p2, "1", ScoreState.SUBMITTED),
            (e3, j3, p1, "22", ScoreState.SUBMITTED),
            (e3, j3, p2, "1", ScoreState.SUBMITTED),
        ]:
            db.session.add(
                Score(
                    entrant=entrant, criterion=criterion, judge=judge, value=Decimal(value),
                    state=state, submitted_at=now if state == ScoreState.SUBMITTED else None,
                )
            )  # fmt: skip
        db.session.flush()
        results.recompute_event(event)
        db.session.commit()
        return SimpleNamespace(
            trade=weld.id,
            elec=elec.id,
            event=event.id,
            e1=e1.id,
            e2=e2.id,
            e3=e3.id,
            e9=e9.id,
            j1=j1.id,
            j2=j2.id,
            j3=j3.id,
            users={name: user.id for name, user in users.items()},
        )


@pytest.fixture
def scored(app):
    return build(app)


def statuses(app, event_id) -> dict[str, str]:
    """Each entrant's status in the published results document."""
    with app.app_context():
        from contest.events.models import Event

        document = results.results_for(db.session.get(Event, event_id))
        return {e["code"]: e["status"] for t in document["trades"] for e in t["entrants"]}


def audit(app, action) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).scalars()
        return list(rows)


def score_states(app, entrant_id, judge_id) -> dict[str, tuple[Decimal, ScoreState]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Criterion.code, Score.value, Score.state)
            .join(Criterion, Criterion.id == Score.criterion_id)
            .where(Score.entrant_id == entrant_id, Score.judge_id == judge_id)
        )
        return {code: (value, state) for code, value, state in rows}


CELL = re.compile(
    r'chief-cell chief-cell-(\w+)">\s*<a [^>]*>(.*?)<span class="visually-hidden">', re.S
)


def cells(html: str) -> list[tuple[str, str]]:
    """(state, visible text) of every cell of the matrix, row by row."""
    return [
        (state, " ".join(re.sub(r"<[^>]+>", "", text).split()))
        for state, text in CELL.findall(html)
    ]


# --- the matrix and what needs attention -----------------------------------------------------


def test_the_matrix_shows_every_judge_for_every_entrant(app, scored):
    desk = Desk(app, "chief")
    page = desk.get(f"/chief/trades/{scored.trade}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert cells(html) == [
        ("done", "2/2"), ("done", "2/2"), ("recused", "回避"),   # E1: J1, J2, J3 (unit A)
        ("done", "2/2"), ("partial", "1/2 +1"), ("empty", "0/2"),  # E2: J2 has a draft
        ("done", "2/2"), ("done", "2/2"), ("done", "2/2"),       # E3
    ]  # fmt: skip
    assert html.index("01 · A001") < html.index("02 · A002") < html.index("03 · A003")
    # Station and code only: never an entrant's name.
    assert "选手E" not in html
    # The live fragment the script fetches holds the same matrix and nothing else.
    fragment = desk.get(f"/chief/trades/{scored.trade}/live")
    assert fragment.status_code == 200
    assert fragment.headers["Cache-Control"] == "no-store"
    body = fragment.get_data(as_text=True)
    assert cells(body) == cells(html)
    assert "<html" not in body and "data-chief-live-body" in body


def test_the_matrix_follows_new_scores(app, scored):
    desk = Desk(app, "chief")
    tablet = Tablet(app, "j3")
    assert tablet.save(scored.trade, scored.e2, "P1", "32").status_code == 200
    states = cells(desk.get(f"/chief/trades/{scored.trade}/live").get_data(as_text=True))
    assert states[5] == ("partial", "0/2 +1")  # a draft is on its way
    tablet.save(scored.trade, scored.e2, "P2", "2")
    assert tablet.submit(scored.trade, scored.e2).status_code == 200
    states = cells(desk.get(f"/chief/trades/{scored.trade}/live").get_data(as_text=True))
    assert states[5] == ("done", "2/2")


def test_the_desk_lists_spreads_missing_values_and_drafts(app, scored):
    with app.app_context():
        trade = db.session.get(Trade, scored.trade)
        found = [
            (d.kind, d.entrant.code, d.criterion, d.judges, d.detail, d.drafts, d.blocking)
            for d in discrepancies(trade)
        ]
    assert found == [
        ("spread", "E1", "P1", ("J1", "J2"), "7", (), False),
        ("missing", "E2", "P1", ("J3",), "", (), True),
        ("missing", "E2", "P2", ("J2", "J3"), "", ("J2",), True),
    ]
    html = Desk(app, "chief").get(f"/chief/trades/{scored.trade}").get_data(as_text=True)
    assert "P1 焊缝外观：评分差 7，超过允许的 5" in html
    assert "(J1 40, J2 47)" in html
    assert "P2 工艺评价：J2, J3 尚未提交分数 · 草稿未提交：J2" in html
    assert "2 项待处理事项影响签字确认" in html


def test_a_trimmed_rule_with_too_small_a_panel_is_flagged(app, scored):
    with app.app_context():
        criterion = db.session.execute(
            sa.select(Criterion).where(Criterion.code == "P2")
        ).scalar_one()
        criterion.aggregation, criterion.trim = Aggregation.TRIMMED_MEAN, 1
        db.session.commit()
        trade = db.session.get(Trade, scored.trade)
        panel = [d for d in discrepancies(trade) if d.kind == "panel"]
    # E1 has J1 and J2 only (J3 recused): two judges, a trimmed mean needs three.
    assert [(d.entrant.code, d.criterion, d.judges, d.detail, d.limit) for d in panel] == [
        ("E1", "P2", ("J1", "J2"), "2", Decimal(3))
    ]
    html = Desk(app, "chief").get(f"/chief/trades/{scored.trade}").get_data(as_text=True)
    assert "P2 工艺评价：裁判仅剩 2 人，去掉最高最低分的规则至少需要 3 人" in html


def test_a_missing_direct_component_is_listed(app, scored):
    with app.app_context():
        db.session.execute(sa.delete(ComponentScore).where(ComponentScore.entrant_id == scored.e3))
        db.session.commit()
        trade = db.session.get(Trade, scored.trade)
        found = [(d.kind, d.entrant.code, d.criterion) for d in discrepancies(trade)]
    assert ("component", "E3", "theory") in found


def test_the_cell_drill_down_shows_values_per_criterion(app, scored):
    desk = Desk(app, "chief")
    page = desk.get(f"/chief/trades/{scored.trade}/entrants/{scored.e2}/judges/{scored.j2}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "J2 的评分表" in html
    table = html[html.index('id="cell"') : html.index('id="values"')]
    rows = re.findall(
        r'class="name">(P\d)[^<]*<small[^>]*>[^<]*</small></td>\s*'
        r'<td class="num"[^>]*>([^<]*)</td>\s*'
        r'<td[^>]*><span class="badge[^"]*">([^<]*)',
        table,
    )
    assert rows == [("P1", "31", "已提交"), ("P2", "2", "草稿")]
    assert "选手E2" not in html
    whole = desk.get(f"/chief/trades/{scored.trade}/entrants/{scored.e1}").get_data(as_text=True)
    assert "回避" in whole and "47" in whole
    # Another trade's entrant, or a judge who is not on the panel: not found.
    assert desk.get(f"/chief/trades/{scored.trade}/entrants/{scored.e9}").status_code == 404
    assert (
        desk.get(f"/chief/trades/{scored.trade}/entrants/{scored.e1}/judges/99999").status_code
        == 404
    )


def test_the_page_keeps_the_content_security_policy(app, scored):
    html = Desk(app, "chief").get(f"/chief/trades/{scored.trade}").get_data(as_text=True)
    assert "style=" not in html
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/js/app.js" defer>',
        '<script src="/static/js/queue.js" defer>',
        '<script src="/static/js/chief.js" defer>',
    ]
    assert 'data-chief-live="/chief/trades/' in html and 'data-chief-interval="15"' in html


# --- who may open the desk -------------------------------------------------------------------


@pytest.mark.parametrize("username", ["chief", "organiser", "admin"])
def test_the_chief_judge_and_staff_open_the_desk(app, scored, username):
    desk = Desk(app, username)
    assert desk.get(f"/chief/trades/{scored.trade}").status_code == 200
    assert desk.get(f"/chief/trades/{scored.trade}/live").status_code == 200


@pytest.mark.parametrize("username", ["j2", "other-chief", "contact", "entrant", "clerk1"])
def test_everyone_else_is_refused(app, scored, username):
    desk = Desk(app, username)
    for path in ("", "/live", f"/entrants/{scored.e1}"):
        assert desk.get(f"/chief/trades/{scored.trade}{path}").status_code == 403
    answer = desk.post(
        f"/chief/trades/{scored.trade}/rescore",
        {"rescore-entrant": scored.e3, "rescore-judge": scored.j2, "rescore-reason": "复核"},
    )
    assert answer.status_code == 403
    assert score_states(app, scored.e3, scored.j2)["P1"][1] == ScoreState.SUBMITTED


def test_anonymous_visitors_are_sent_to_log_in(app, scored):
    response = app.test_client().get(f"/chief/trades/{scored.trade}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- re-score --------------------------------------------------------------------------------


def test_a_rescore_puts_the_values_back_to_draft_until_resubmitted(app, scored):
    assert statuses(app, scored.event)["E3"] == "ok"
    desk = Desk(app, "chief")
    response = desk.post(
        f"/chief/trades/{scored.trade}/rescore",
        {"rescore-entrant": scored.e3, "rescore-judge": scored.j2, "rescore-reason": "刻度看错"},
    )
    assert response.status_code == 302
    assert {s for _, s in score_states(app, scored.e3, scored.j2).values()} == {ScoreState.DRAFT}
    assert statuses(app, scored.event)["E3"] == "incomplete"
    [entry] = audit(app, "sheet.rescore")
    assert (entry.reason, entry.new["judge"], entry.user_id) == (
        "刻度看错",
        "J2",
        scored.users["chief"],
    )
    states = cells(desk.get(f"/chief/trades/{scored.trade}/live").get_data(as_text=True))
    assert states[7] == ("partial", "0/2 +2 ↺")
    # The judge sees the request, corrects a value and submits again: the entrant counts.
    tablet = Tablet(app, "j2")
    sheet = tablet.client.get(f"/api/sheets/{scored.trade}/{scored.e3}").get_json()
    assert sheet["rescore"] == "刻度看错"
    version = next(c for c in sheet["criteria"] if c["code"] == "P1")["score"]["version"]
    assert tablet.save(scored.trade, scored.e3, "P1", "23", base=version).status_code == 200
    assert tablet.submit(scored.trade, scored.e3).status_code == 200
    assert statuses(app, scored.event)["E3"] == "ok"
    with app.app_context():
        request = db.session.execute(sa.select(RescoreRequest)).scalar_one()
        assert request.resolved_at is not None


@pytest.mark.parametrize(
    "data, status, message",
    [
        ({"rescore-reason": ""}, 400, "请填写原因。"),
        ({"rescore-reason": "   "}, 400, "请填写原因。"),
        ({"rescore-judge": ""}, 400, "请选择裁判。"),
        ({"rescore-entrant": "x"}, 400, "请选择选手。"),
    ],
)
def test_a_rescore_needs_a_reason_an_entrant_and_a_judge(app, scored, data, status, message):
    form = {"rescore-entrant": scored.e3, "rescore-judge": scored.j2, "rescore-reason": "复核"}
    response = Desk(app, "chief").post(f"/chief/trades/{scored.trade}/rescore", form | data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert {s for _, s in score_states(app, scored.e3, scored.j2).values()} == {
        ScoreState.SUBMITTED
    }
    assert audit(app, "sheet.rescore") == []


def test_rescore_refusals(app, scored):
    desk = Desk(app, "chief")

    def ask(entrant, judge):
        return desk.post(
            f"/chief/trades/{scored.trade}/rescore",
            {"rescore-entrant": entrant, "rescore-judge": judge, "rescore-reason": "复核"},
        )

    other = ask(scored.e9, scored.j2)  # an entrant of another trade
    assert other.status_code == 404
    recused = ask(scored.e1, scored.j3)
    assert recused.status_code == 409
    assert "该裁判与选手同单位，已回避" in recused.get_data(as_text=True)
    nothing = ask(scored.e2, scored.j3)
    assert nothing.status_code == 409
    assert "没有可重评的分数" in nothing.get_data(as_text=True)
    assert ask(scored.e3, scored.j2).status_code == 302
    twice = ask(scored.e3, scored.j2)
    assert twice.status_code == 409
    assert "已要求该裁判对该选手重新评分" in twice.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(RescoreRequest.id))).scalar_one() == 1


# --- excusal ---------------------------------------------------------------------------------


def test_excusing_the_missing_judges_makes_the_entrant_complete(app, scored):
    assert statuses(app, scored.event)["E2"] == "incomplete"
    desk = Desk(app, "organiser")
    for judge, reason in ((scored.j3, "突发疾病离场"), (scored.j2, "评分表遗失")):
        response = desk.post(
            f"/chief/trades/{scored.trade}/excuse",
            {"excuse-entrant": scored.e2, "excuse-judge": judge, "excuse-reason": reason},
        )
        assert response.status_code == 302
    assert statuses(app, scored.event)["E2"] == "ok"
    assert [(e.new["judge"], e.reason) for e in audit(app, "excusal.create")] == [
        ("J3", "突发疾病离场"),
        ("J2", "评分表遗失"),
    ]
    states = cells(Desk(app, "chief").get(f"/chief/trades/{scored.trade}").get_data(as_text=True))
    assert states[3:6] == [("done", "2/2"), ("excused", "已免评"), ("excused", "已免评")]


def test_excusal_refusals(app, scored):
    desk = Desk(app, "chief")
    url = f"/chief/trades/{scored.trade}/excuse"
    form = {"excuse-entrant": scored.e2, "excuse-judge": scored.j3, "excuse-reason": "离场"}
    no_reason = desk.post(url, form | {"excuse-reason": ""})
    assert no_reason.status_code == 400 and "请填写原因。" in no_reason.get_data(as_text=True)
    assert desk.post(url, form | {"excuse-entrant": scored.e9}).status_code == 404
    assert desk.post(url, form | {"excuse-judge": 99999}).status_code == 404
    assert desk.post(url, form).status_code == 302
    again = desk.post(url, form)
    assert again.status_code == 409
    assert "该裁判已被免除对该选手的评分。" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(Excusal.id))).scalar_one() == 1


# --- times and statuses ----------------------------------------------------------------------


def entrant_row(app, entrant_id):
    with app.app_context():
        entrant = db.session.get(Entrant, entrant_id)
        return entrant.time_seconds, entrant.status, entrant.status_reason


@pytest.mark.parametrize(
    "typed, seconds",
    [("754.5", "754.5"), ("12:34.5", "754.5"), ("12：34", "754"), ("1:02:03", "3723"),
     ("0:59.25", "59.25")],
)  # fmt: skip
def test_times_in_seconds_or_minutes_and_seconds(app, scored, typed, seconds):
    response = Desk(app, "chief").post(
        f"/chief/trades/{scored.trade}/time", {"time-entrant": scored.e3, "time-time": typed}
    )
    assert response.status_code == 302
    assert entrant_row(app, scored.e3)[0] == Decimal(seconds)
    [entry] = audit(app, "entrant.time")
    assert entry.new == {"seconds": seconds} and entry.old == {"seconds": None}


@pytest.mark.parametrize(
    "typed", ["12:60", "abc", "-5", "1:60:00", "12:34:56:7", "1.23456", "9" * 5000, "1" * 12]
)
def test_a_time_that_cannot_be_read_is_refused(app, scored, typed):
    response = Desk(app, "chief").post(
        f"/chief/trades/{scored.trade}/time", {"time-entrant": scored.e3, "time-time": typed}
    )
    assert response.status_code == 400
    assert "请以秒（如 754.5）或“分:秒”（如 12:34.5）填写用时。" in response.get_data(as_text=True)
    assert entrant_row(app, scored.e3)[0] is None


def test_changing_or_clearing_a_time_needs_a_reason(app, scored):
    desk = Desk(app, "chief")
    url = f"/chief/trades/{scored.trade}/time"
    assert desk.post(url, {"time-entrant": scored.e3, "time-time": "10:00"}).status_code == 302
    change = desk.post(url, {"time-entrant": scored.e3, "time-time": "10:05"})
    assert change.status_code == 400 and "请填写原因。" in change.get_data(as_text=True)
    assert entrant_row(app, scored.e3)[0] == Decimal(600)
    fixed = desk.post(
        url, {"time-entrant": scored.e3, "time-time": "10:05", "time-reason": "计时员抄错"}
    )
    assert fixed.status_code == 302 and entrant_row(app, scored.e3)[0] == Decimal(605)
    cleared = desk.post(
        url, {"time-entrant": scored.e3, "time-time": "", "time-reason": "录错选手"}
    )
    assert cleared.status_code == 302 and entrant_row(app, scored.e3)[0] is None
    assert [(e.new["seconds"], e.reason) for e in audit(app, "entrant.time")] == [
        ("600", None),
        ("605", "计时员抄错"),
        (None, "录错选手"),
    ]
    assert desk.post(url, {"time-entrant": scored.e9, "time-time": "1"}).status_code == 404


def test_declaring_and_clearing_a_status(app, scored):
    desk = Desk(app, "chief")
    url = f"/chief/trades/{scored.trade}/status"
    no_reason = desk.post(url, {"status-entrant": scored.e3, "status-status": "DQ"})
    assert no_reason.status_code == 400 and "请填写原因。" in no_reason.get_data(as_text=True)
    bad = desk.post(
        url, {"status-entrant": scored.e3, "status-status": "XX", "status-reason": "违规"}
    )
    assert bad.status_code == 400
    assert entrant_row(app, scored.e3) == (None, None, None)
    dq = desk.post(
        url, {"status-entrant": scored.e3, "status-status": "DQ", "status-reason": "违规操作"}
    )
    assert dq.status_code == 302
    assert entrant_row(app, scored.e3) == (None, DeclaredStatus.DQ, "违规操作")
    assert statuses(app, scored.event)["E3"] == "DQ"
    # A declared entrant leaves the matrix.
    html = desk.get(f"/chief/trades/{scored.trade}").get_data(as_text=True)
    assert len(cells(html)) == 6
    cleared = desk.post(
        url, {"status-entrant": scored.e3, "status-status": "", "status-reason": "申诉成立"}
    )
    assert cleared.status_code == 302
    assert entrant_row(app, scored.e3) == (None, None, None)
    assert statuses(app, scored.event)["E3"] == "ok"
    assert [(e.old["status"], e.new["status"], e.reason) for e in audit(app, "entrant.status")] == [
        (None, "DQ", "违规操作"),
        ("DQ", None, "申诉成立"),
    ]
    assert (
        desk.post(
            url, {"status-entrant": scored.e9, "status-status": "DNS", "status-reason": "x"}
        ).status_code
        == 404
    )


# --- judging analysis ------------------------------------------------------------------------


def test_judging_analysis_by_hand(app, scored):
    """Panels complete with two or more values: E1 P1 (J1 40, J2 47: mean 43.5), E1 P2 (2
    and 3 on a 0–3 scale of 30 marks: 20 and 30, mean 25), E3 P1 (20, 21, 22: mean 21) and
    E3 P2 (1, 1, 1: all 10). E2 is left out: values are missing.

    J1: (−3.5 − 5 − 1 + 0) / 4 = −2.375; J2: (3.5 + 5 + 0 + 0) / 4 = 2.125;
    J3: (1 + 0) / 2 = 0.5."""
    with app.app_context():
        trade = db.session.get(Trade, scored.trade)
        found = [(t.judge.code, t.values, t.mean_deviation) for t in analysis(trade)]
    assert found == [
        ("J1", 4, Decimal("-2.375")),
        ("J2", 4, Decimal("2.125")),
        ("J3", 2, Decimal("0.500")),
    ]
    html = Desk(app, "chief").get(f"/chief/trades/{scored.trade}").get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>")]
    bars = re.findall(
        r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="18" fill="(#\w+)"', svg
    )
    # The axis is at 120 + 180; J1 has the largest deviation and fills half the chart.
    assert bars == [("120.0", "180.0", "#1d4ed8"), ("300.0", "161.1", "#b91c1c"),
                    ("300.0", "37.9", "#b91c1c")]  # fmt: skip
    assert "-2.375" in html and "+2.125" in html and "+0.500" in html
    assert "style" not in svg


# --- forms: CSRF, where to go back to, English -----------------------------------------------


def test_every_action_needs_the_csrf_token(app, scored):
    desk = Desk(app, "chief")
    for path, data in [
        ("rescore", {"rescore-entrant": scored.e3, "rescore-judge": scored.j2,
                     "rescore-reason": "复核"}),
        ("status", {"status-entrant": scored.e3, "status-status": "DQ", "status-reason": "违规"}),
        ("lock", {}),
        ("double-entry", {"paper-double_entry": "y"}),
    ]:  # fmt: skip
        response = desk.client.post(f"/chief/trades/{scored.trade}/{path}", data=data)
        assert response.status_code == 400, path
    assert entrant_row(app, scored.e3) == (None, None, None)
    assert score_states(app, scored.e3, scored.j2)["P1"][1] == ScoreState.SUBMITTED


def test_an_action_returns_to_the_page_it_came_from_on_this_desk_only(app, scored):
    desk = Desk(app, "chief")
    url = f"/chief/trades/{scored.trade}/time"
    back = f"/chief/trades/{scored.trade}/entrants/{scored.e3}"
    response = desk.post(url, {"time-entrant": scored.e3, "time-time": "60", "next": back})
    assert response.headers["Location"] == back
    for elsewhere in ("https://example.com/", "//example.com/x", "/chief/trades/999/x"):
        response = desk.post(
            url,
            {"time-entrant": scored.e3, "time-time": "61", "time-reason": "更正",
             "next": elsewhere},
        )  # fmt: skip
        assert response.headers["Location"] == f"/chief/trades/{scored.trade}"


def test_the_desk_in_english(app, scored):
    desk = Desk(app, "chief")
    desk.post("/lang", {"lang": "en", "next": "/"})
    html = desk.get(f"/chief/trades/{scored.trade}").get_data(as_text=True)
    for text in (
        "Chief judge's desk",
        "Panel progress",
        "Needs attention",
        "P1 焊缝外观: the judges' values are 7 apart, more than the allowed 5",
        "P2 工艺评价: no submitted value from J2, J3 · draft not submitted: J2",
        "Ask a judge to re-score",
        "Judging analysis",
        "Double entry of paper sheets",
        "Recused",
    ):
        assert text in html, text
    refused = desk.post(f"/chief/trades/{scored.trade}/lock").get_data(as_text=True)
    assert "The trade cannot be signed off yet: 2 item(s) are outstanding" in refused
