"""The paper fallback's answer sheets keyed in twice (EXAMS.md §2): two clerks key an
entrant's sheet in turn; where they agree the answers count at once, where they differ the
organiser decides from the sheet with a reason; nothing counts before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.exams.models import ExamKeying, ExamSetting
from contest.publication.models import Publication
from contest.publication.services import RESULTS
from tests.cli.test_packages import results_json
from tests.conftest import csrf_token, login
from tests.factories import make_user
from tests.web.test_exam_sitting import answers, exam  # noqa: F401 (fixture)

SHEET = {"Q01": "B", "Q02": "a", "Q03": "A C D", "Q04": "对", "Q05": "Ar|", "Q07": ""}


@pytest.fixture
def clerks(app, exam):  # noqa: F811
    with app.app_context():
        make_user(Role.ORGANISER, username="clerk-1")
        make_user(Role.ORGANISER, username="clerk-2")
        make_user(Role.ORGANISER, username="organiser")
        db.session.commit()
        setting = db.session.get(ExamSetting, exam)
        trade = setting.trade
        e3 = next(e for e in trade.entrants if e.code == "E3")
        e1 = next(e for e in trade.entrants if e.code == "E1")
        base = f"/organise/events/{trade.event_id}/trades/{trade.id}/exam/sheets"
        return {"list": base, "E3": f"{base}/{e3.id}", "E1": f"{base}/{e1.id}"}


def as_clerk(app, username):
    client = app.test_client()
    login(client, username)
    return client


def key(client, address, sheet, **extra):
    token = csrf_token(client, address)
    data = {f"r-{code}": text for code, text in sheet.items()}
    return client.post(address, data={"csrf_token": token, **data, **extra})


def theory(runner):
    trade = results_json(runner, "exam-games")["trades"][0]
    return next(e for e in trade["entrants"] if e["code"] == "E3")["components"].get("theory")


def test_two_agreeing_keyings_count_at_once(app, runner, clerks):
    first = as_clerk(app, "clerk-1")
    assert "未录入" in first.get(clerks["list"]).text
    assert key(first, clerks["E3"], SHEET).status_code == 302
    assert theory(runner) is None and answers(app) == {}  # one keying counts for nothing
    again = key(first, clerks["E3"], SHEET)
    assert again.status_code == 409 and "须由另一名录入员" in again.text
    second = as_clerk(app, "clerk-2")
    assert key(second, clerks["E3"], SHEET).status_code == 302
    assert "两遍录入一致" in second.get(clerks["E3"]).text
    # Q01 2 + Q02 2 + Q03 4 + Q04 2 + Q05 one blank of two 2 = 12 of 14 marks.
    assert theory(runner) == "85.71"
    assert answers(app)["Q03"] == (["A", "C", "D"], 1)
    assert key(second, clerks["E3"], SHEET).status_code == 409  # keyed twice already


def test_differing_keyings_wait_for_the_organisers_decision(app, runner, clerks):
    key(as_clerk(app, "clerk-1"), clerks["E3"], SHEET)
    second = as_clerk(app, "clerk-2")
    key(second, clerks["E3"], {**SHEET, "Q02": "C", "Q04": "错"})
    page = second.get(clerks["E3"]).text
    assert "两遍录入不一致" in page or "2 题不一致" in page
    assert theory(runner) is None
    organiser = as_clerk(app, "organiser")
    decide = f"{clerks['E3']}/decide"
    token = csrf_token(organiser, clerks["E3"])
    refused = organiser.post(decide, data={"csrf_token": token, "r-Q02": "A", "r-Q04": "对"})
    assert refused.status_code == 400 and "请填写裁决理由" in refused.text
    assert theory(runner) is None
    done = organiser.post(
        decide,
        data={"csrf_token": token, "r-Q02": "A", "r-Q04": "对", "reason": "核对原始答题卡"},
    )
    assert done.status_code == 302
    assert theory(runner) == "85.71"
    with app.app_context():
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "exam.paper.decide")
        ).scalar_one()
        assert entry.reason == "核对原始答题卡" and entry.new["decided"] == {
            "Q02": "A",
            "Q04": True,
        }
        assert db.session.execute(sa.select(sa.func.count()).select_from(ExamKeying)).scalar() == 2


def test_a_sheet_typed_wrong_is_refused_naming_the_question(app, clerks):
    first = as_clerk(app, "clerk-1")
    refused = key(first, clerks["E3"], {**SHEET, "Q01": "Z", "Q05": "a|b|c"})
    assert refused.status_code == 400
    assert "请选择第 Q01 题的一个选项" in refused.text and "第 Q05 题有 2 个空" in refused.text
    assert 'value="Z"' in refused.text  # what was typed stays
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(ExamKeying)).scalar() == 0


def test_answers_already_in_are_not_keyed_again(app, clerks):
    first = as_clerk(app, "clerk-1")
    refused = key(first, clerks["E1"], SHEET)
    assert refused.status_code == 409 and "已有作答记录" in refused.text


def test_keying_is_for_the_organisers(app, clerks):
    judge = as_clerk(app, "judge")
    assert judge.get(clerks["list"]).status_code == 403


def test_no_sheet_is_keyed_once_the_results_are_published(app, clerks):
    with app.app_context():
        setting = db.session.scalar(sa.select(ExamSetting))
        db.session.add(
            Publication(
                event_id=setting.trade.event_id,
                kind=RESULTS,
                payload={},
                published_at=datetime(2026, 6, 1, tzinfo=UTC),
            )
        )
        db.session.commit()
    refused = key(as_clerk(app, "clerk-1"), clerks["E3"], SHEET)
    assert refused.status_code == 423
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(ExamKeying)).scalar() == 0
