"""Judges mark the short items of a trade's theory exam (EXAMS.md §3): blind, one question
across every script, by the theory panel less recusal; values on the section's marks and step,
all or nothing; the theory component is scored once every panel judge's value is in; refused
to anyone off the panel and once the trade is signed off; every change audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.exams import Attempt, mark_attempt
from contest.domain.numbers import round_half_up
from contest.domain.snapshot import load_trade
from contest.events.models import Judge, Trade
from contest.exams.models import ExamAnswer, ExamSetting, ItemScore
from contest.exams.services import exam_runs, stored_attempts
from contest.publication.models import Publication
from contest.registration.models import Entrant
from contest.results.models import TradeResultRecord
from tests.cli.test_package_exams import imported
from tests.conftest import csrf_token, login
from tests.factories import make_user
from tests.packages import exam_marking_package

#: Each entrant's blind label (station · anonymous code).
LABELS = {"E1": "01 · K3F9", "E2": "02 · M7Q2", "E3": "03 · P5X8", "E4": "04 · R2D6"}
#: The judges' accounts: J1 the chief, J3 of U2 (recused for E2), J4 marks only the
#: practical, J5 judges ELEC only.
ACCOUNTS = {
    "J1": ("chief", Role.CHIEF_JUDGE),
    "J2": ("j2", Role.JUDGE),
    "J3": ("j3", Role.JUDGE),
    "J4": ("j4", Role.JUDGE),
    "J5": ("j5", Role.JUDGE),
}
ANSWER = "预热能降低焊缝的冷却速度，防止产生冷裂纹。"
NAMES = ["张伟", "李娜", "王强", "赵敏", "一号区总工会", "二号产业工会"]
ENTRY = "理论考试主观题评分"


@pytest.fixture
def w(app, runner, tmp_path):
    """The exam fixture with Q06 unmarked; judges with accounts; stations and codes drawn;
    E1 answered Q06, E2 left it blank."""
    imported(runner, tmp_path, exam_marking_package())
    with app.app_context():
        for code, (username, role) in ACCOUNTS.items():
            judge = db.session.execute(sa.select(Judge).where(Judge.code == code)).scalar_one()
            judge.user = make_user(role, username=username)
        make_user(Role.ORGANISER, username="organiser")
        entrants = {e.code: e for e in db.session.execute(sa.select(Entrant)).scalars()}
        for code, label in LABELS.items():
            station, anon = label.split(" · ")
            entrants[code].station_no, entrants[code].anon_code = int(station), anon
        exam = db.session.execute(sa.select(ExamSetting)).scalar_one()
        db.session.add(
            ExamAnswer(
                exam_id=exam.id, entrant_id=entrants["E1"].id, item_code="Q06", response=ANSWER
            )
        )
        db.session.commit()
        trades = {t.code: t.id for t in db.session.execute(sa.select(Trade)).scalars()}
        return SimpleNamespace(
            weld=trades["WELD"],
            elec=trades["ELEC"],
            **{code: entrants[code].id for code in LABELS},
        )


def path(w, item="Q06"):
    return f"/judging/trades/{w.weld}/exam-marking/{item}"


def as_judge(app, username):
    client = app.test_client()
    login(client, username)
    return client


def save(client, w, values, item="Q06", reason=None, seen=None):
    """Post the item's form as the page shows it, with ``values`` (entrant code → text)
    typed in; ``seen`` replaces the values the page showed."""
    page = client.get(path(w, item)).text
    data = {"csrf_token": csrf_token(client, "/judging/")}
    for entrant, shown in re.findall(r'name="seen-(\d+)" value="([^"]*)"', page):
        data[f"seen-{entrant}"] = shown
    for code, value in values.items():
        data[f"value-{getattr(w, code)}"] = value
    for code, value in (seen or {}).items():
        data[f"seen-{getattr(w, code)}"] = value
    if reason:
        data["reason"] = reason
    return client.post(path(w, item), data=data)


def marks(app):
    """Every stored value of Q06: (entrant id, judge code) → value."""
    with app.app_context():
        return {
            (entrant, judge): value
            for entrant, judge, value in db.session.execute(
                sa.select(ItemScore.entrant_id, Judge.code, ItemScore.value).join(
                    Judge, Judge.id == ItemScore.judge_id
                )
            )
        }


def theory(app, w, code):
    """The theory component's exact score of the entrant in the trade's stored results."""
    with app.app_context():
        payload = db.session.get(TradeResultRecord, w.weld).payload
        (entrant,) = [e for e in load_trade(payload).entrants if e.code == code]
        return next(c.score for c in entrant.score.components if c.code == "theory")


def marked(app, w, code, unit):
    """The theory score ``mark_attempt`` gives the entrant's stored attempt."""
    with app.app_context():
        run = exam_runs([w.weld])[w.weld]
        stored = stored_attempts([getattr(w, code)])[getattr(w, code)]
        attempt = Attempt(code, stored.responses, stored.values)
        result = mark_attempt(run.exam, run.papers, run.bank, attempt, run.panel(unit))
        return result.score(run.maximum)


def test_the_home_offers_the_marking_to_the_exam_panel_only(app, w):
    link = f"/judging/trades/{w.weld}/exam-marking"
    for username in ("chief", "j2", "j3"):
        home = as_judge(app, username).get("/judging/").text
        assert ENTRY in home and f'href="{link}"' in home, username
    for username in ("j4", "j5"):
        home = as_judge(app, username).get("/judging/").text
        assert ENTRY not in home and link not in home, username
    index = as_judge(app, "j2").get(link)
    assert index.status_code == 200
    assert f'href="{path(w)}"' in index.text and "简述预热的作用。" in index.text


def test_the_page_is_blind_and_shows_only_the_scripts_the_judge_marks(app, w):
    page = as_judge(app, "chief").get(path(w))
    assert page.status_code == 200
    html = page.text
    assert "简述预热的作用。" in html and "降低冷却速度，防止冷裂纹。" in html  # stem, key
    assert "0–10" in html and "0.5" in html
    assert LABELS["E1"] in html and LABELS["E2"] in html and ANSWER in html
    assert "未作答" in html  # E2 left Q06 blank
    assert LABELS["E3"] not in html  # no attempt
    assert LABELS["E4"] not in html  # DNS
    assert 'inputmode="decimal"' in html
    for name in NAMES:
        assert name not in html
    recused = as_judge(app, "j3").get(path(w)).text
    assert LABELS["E1"] in recused and ANSWER in recused
    assert LABELS["E2"] not in recused and f"value-{w.E2}" not in recused


def test_the_theory_component_is_scored_once_every_panel_value_is_in(app, w):
    assert theory(app, w, "E1") is None and theory(app, w, "E2") is None
    chief, j2, j3 = (as_judge(app, name) for name in ("chief", "j2", "j3"))
    response = save(chief, w, {"E1": "7", "E2": "5"})
    assert response.status_code == 302
    assert "已保存分值：2" in chief.get(response.headers["Location"]).text
    assert theory(app, w, "E1") is None and theory(app, w, "E2") is None
    assert save(j2, w, {"E1": "8", "E2": "6"}).status_code == 302
    # J3 is recused for E2, so J1 and J2 are E2's whole panel: mean(5, 6) = 5.5.
    assert theory(app, w, "E2") == marked(app, w, "E2", "U2")
    assert round_half_up(theory(app, w, "E2"), 2) == Decimal("64.58")
    assert theory(app, w, "E1") is None  # J3's value is still missing
    assert save(j3, w, {"E1": "８.5"}).status_code == 302  # full-width digits are read
    assert theory(app, w, "E1") == marked(app, w, "E1", "U1")
    assert round_half_up(theory(app, w, "E1"), 2) == Decimal("65.97")
    assert marks(app)[(w.E1, "J3")] == Decimal("8.5")


def test_the_progress_counts_every_panel_value_needed(app, w):
    chief = as_judge(app, "chief")
    page = chief.get(path(w)).text
    assert "0 / 2" in page and "0 / 5" in page  # mine: E1, E2; panel: 3 for E1, 2 for E2
    save(chief, w, {"E1": "7"})
    page = chief.get(path(w)).text
    assert "1 / 2" in page and "1 / 5" in page
    index = chief.get(f"/judging/trades/{w.weld}/exam-marking").text
    assert "1 / 2" in index and "1 / 5" in index
    assert "1 / 2" in chief.get("/judging/").text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10.5", "请输入 0 至 10 之间的分值"),
        ("-1", "请输入 0 至 10 之间的分值"),
        ("7.25", "请输入 0.5 的整数倍"),
        ("七", "不是数字"),
        ("1e1", "不是数字"),
        ("NaN", "不是数字"),
    ],
)
def test_a_value_out_of_range_or_off_step_saves_nothing(app, w, value, message):
    chief = as_judge(app, "chief")
    response = save(chief, w, {"E1": value, "E2": "6"})
    assert response.status_code == 422
    assert f"{LABELS['E1']} · 试题 Q06：" in response.text and message in response.text
    assert "未保存任何分数" in response.text
    assert f'value="{value}"' in response.text  # what the judge typed is kept
    assert marks(app) == {}


def test_judges_off_the_exam_panel_and_other_accounts_are_refused(app, w):
    for username in ("j4", "j5", "organiser"):
        client = as_judge(app, username)
        assert client.get(f"/judging/trades/{w.weld}/exam-marking").status_code == 403
        assert client.get(path(w)).status_code == 403
        token = csrf_token(client, "/")
        data = {"csrf_token": token, f"value-{w.E1}": "5"}
        assert client.post(path(w), data=data).status_code == 403, username
    assert marks(app) == {}
    anonymous = app.test_client()
    assert anonymous.get(path(w)).status_code == 302


def test_a_recused_judge_and_entrants_without_an_attempt_are_refused(app, w):
    j3 = as_judge(app, "j3")
    token = csrf_token(j3, "/judging/")
    refused = j3.post(path(w), data={"csrf_token": token, f"value-{w.E2}": "5"})
    assert refused.status_code == 403 and "回避" in refused.text
    for entrant in (w.E3, w.E4):  # no attempt; DNS
        response = j3.post(path(w), data={"csrf_token": token, f"value-{entrant}": "5"})
        assert response.status_code == 404
    assert j3.post(path(w), data={"csrf_token": token, "value-x1": "5"}).status_code == 400
    assert j3.post(path(w), data={f"value-{w.E1}": "5"}).status_code == 400  # no CSRF token
    assert marks(app) == {}


def test_items_that_are_not_short_are_refused(app, w):
    chief = as_judge(app, "chief")
    single = chief.get(path(w, "Q01"))
    assert single.status_code == 422 and "自动评分" in single.text
    assert save(chief, w, {"E1": "1"}, item="Q01").status_code == 422
    assert chief.get(path(w, "Q08")).status_code == 404  # not on the paper
    assert chief.get(path(w, "NOPE")).status_code == 404
    assert marks(app) == {}


def test_the_marking_closes_when_the_trade_is_signed_off(app, w):
    chief = as_judge(app, "chief")
    save(chief, w, {"E1": "7"})
    with app.app_context():
        db.session.get(Trade, w.weld).locked_at = datetime.now(UTC)
        db.session.commit()
    page = chief.get(path(w)).text
    assert 'id="marking-closed"' in page and "disabled" in page
    token = csrf_token(chief, "/judging/")
    refused = chief.post(path(w), data={"csrf_token": token, f"value-{w.E1}": "9"})
    assert refused.status_code == 423 and "裁判长已锁定" in refused.text
    assert marks(app) == {(w.E1, "J1"): Decimal("7")}


def test_the_marking_closes_when_the_results_are_published(app, w):
    chief = as_judge(app, "chief")
    with app.app_context():
        event_id = db.session.get(Trade, w.weld).event_id
        db.session.add(Publication(event_id=event_id, kind="results", payload={}))
        db.session.commit()
    assert 'id="marking-closed"' in chief.get(path(w)).text
    token = csrf_token(chief, "/judging/")
    refused = chief.post(path(w), data={"csrf_token": token, f"value-{w.E1}": "9"})
    assert refused.status_code == 423 and "成绩已公布" in refused.text
    assert marks(app) == {}


def test_a_change_is_audited_with_the_old_and_new_value(app, w):
    chief = as_judge(app, "chief")
    save(chief, w, {"E1": "7"})
    save(chief, w, {"E1": "7.5"}, reason="复核后改分")
    save(chief, w, {"E1": "7.5"})  # unchanged: nothing to record
    with app.app_context():
        entries = (
            db.session.execute(
                sa.select(AuditEntry)
                .where(AuditEntry.entity == "item_score")
                .order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
        assert [(e.action, e.old, e.new["value"], e.reason) for e in entries] == [
            ("exam_mark.enter", None, "7", None),
            ("exam_mark.amend", {"value": "7"}, "7.5", "复核后改分"),
        ]
        assert entries[1].new == {"value": "7.5", "entrant": "E1", "item": "Q06", "judge": "J1"}
    assert marks(app) == {(w.E1, "J1"): Decimal("7.5")}


def test_a_value_changed_on_another_device_is_not_overwritten(app, w):
    tablet, phone = as_judge(app, "chief"), as_judge(app, "chief")
    assert save(phone, w, {"E1": "7"}).status_code == 302
    late = save(tablet, w, {"E1": "9"}, seen={"E1": ""})  # the tablet's page showed no value
    assert late.status_code == 422 and "另一台设备" in late.text
    assert marks(app) == {(w.E1, "J1"): Decimal("7")}


def test_the_chief_judges_desk_shows_the_marking_progress(app, w):
    chief = as_judge(app, "chief")
    save(chief, w, {"E1": "7", "E2": "5"})
    desk = chief.get(f"/chief/trades/{w.weld}")
    assert desk.status_code == 200
    section = desk.text.split('id="exam-marking"', 1)[1].split("</section>", 1)[0]
    assert ENTRY in section
    whole = section.split('data-exam-progress="Q06"', 1)[1]
    assert "2 / 5" in whole.split("</td>", 1)[0]
    for name in NAMES:
        assert name not in section


def test_an_excused_judge_leaves_the_entrants_panel(app, w):
    chief, j2, j3 = (as_judge(app, name) for name in ("chief", "j2", "j3"))
    with app.app_context():
        j2_id = db.session.execute(sa.select(Judge.id).where(Judge.code == "J2")).scalar_one()
    token = csrf_token(chief, "/judging/")
    excused = chief.post(
        f"/chief/trades/{w.weld}/excuse",
        data={
            "csrf_token": token,
            "excuse-entrant": w.E1,
            "excuse-judge": j2_id,
            "excuse-reason": "身体不适",
        },
    )
    assert excused.status_code == 302
    page = j2.get(path(w)).text
    assert LABELS["E1"] not in page and LABELS["E2"] in page
    refused = save(j2, w, {"E1": "8"})
    assert refused.status_code == 403 and "裁判长已免除" in refused.text
    save(chief, w, {"E1": "7"})
    save(j3, w, {"E1": "8"})
    # E1's panel is J1 and J3 now: mean(7, 8) = 7.5.
    assert theory(app, w, "E1") is not None
    with app.app_context():
        run = exam_runs([w.weld])[w.weld]
        stored = stored_attempts([w.E1])[w.E1]
        attempt = Attempt("E1", stored.responses, stored.values)
        expected = mark_attempt(
            run.exam, run.papers, run.bank, attempt, run.panel("U1", {"J2"})
        ).score(run.maximum)
    assert theory(app, w, "E1") == expected
