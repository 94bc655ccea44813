"""A trade's exam set up, sealed, opened, closed, printed and corrected in the organiser area
(EXAMS.md §2, §3): the blueprint is checked as the package reader checks one, the papers are
previewed and sealed, the PDFs carry the paper, and a corrected key or a voided item
re-marks every attempt, audited, with the reason listed on the exam page."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.exams import ItemType
from contest.events.models import Component, Event, Trade
from contest.exams import setup
from contest.exams.models import ExamSetting, QuestionBank, QuestionItem
from contest.publication.models import Publication
from contest.publication.services import RESULTS
from tests.cli.test_package_exams import imported
from tests.cli.test_packages import results_json
from tests.conftest import login, post
from tests.factories import make_event, make_trade, make_user
from tests.packages import exam_package


@pytest.fixture
def games(app, runner, tmp_path):
    """The own exam fixture imported (ELEC's theory without directly entered scores), with
    accounts; the ids and addresses the tests need."""
    document = exam_package()
    document["scores"] = [s for s in document["scores"] if s.get("component") != "theory"]
    imported(runner, tmp_path, document)
    with app.app_context():
        for role in (Role.ORGANISER, Role.JUDGE, Role.UNIT_CONTACT):
            make_user(role, username=role.value)
        event = db.session.execute(sa.select(Event)).scalar_one()
        other = make_event("other-games")
        foreign = make_trade(other, "PLUMB", "管道工")
        db.session.commit()
        trades = {t.code: t for t in db.session.execute(sa.select(Trade)).scalars()}
        elec = trades["ELEC"]
        theory = next(c for c in elec.components if c.code == "theory")
        practical = next(
            c.id
            for c in db.session.execute(sa.select(Component)).scalars()
            if c.code == "practical"
        )
        bank = db.session.execute(sa.select(QuestionBank)).scalar_one()
        base = f"/organise/events/{event.id}/trades"
        return {
            "event": event.id,
            "WELD": f"{base}/{trades['WELD'].id}",
            "ELEC": f"{base}/{elec.id}",
            "FOREIGN": f"{base}/{foreign.id}",
            "elec_id": elec.id,
            "theory": theory.id,
            "practical": practical,
            "bank": bank.id,
        }


def shown(html: str) -> list[str]:
    """The messages a page shows: flashed, under fields, on an error page."""
    found = re.findall(r'class="(?:flash [^"]*|error)">([^<]*)<', html)
    return found + re.findall(r"<h1>([^<]*)</h1>\s*<p>([^<]*)<", html)


def blueprint(games, *sections, **fields) -> dict:
    data = {
        "component": games["theory"],
        "bank": games["bank"],
        "minutes": "45",
        "seed": "elec-2026",
        "papers": "2",
    }
    data.update(fields)
    for i, section in enumerate(sections):
        for key, value in section.items():
            data[f"sections-{i}-{key}"] = value
    return data


SINGLE = {"type": "single", "count": "2", "marks": "1"}
JUDGE = {"type": "judge", "count": "1", "marks": "2"}


def elec_exam(app, games) -> ExamSetting | None:
    with app.app_context():
        found = db.session.execute(
            sa.select(ExamSetting).where(ExamSetting.trade_id == games["elec_id"])
        ).scalar_one_or_none()
        if found is not None:
            db.session.expunge(found)
        return found


def audit_actions(app) -> list[tuple[str, dict | None, dict | None, str | None]]:
    with app.app_context():
        return [
            (e.action, e.old, e.new, e.reason)
            for e in db.session.execute(
                sa.select(AuditEntry).where(AuditEntry.entity == "exam").order_by(AuditEntry.id)
            ).scalars()
        ]


def weld_theory(runner) -> dict[str, str | None]:
    entrants = results_json(runner, "exam-games")["trades"][0]["entrants"]
    return {e["code"]: e["components"].get("theory") for e in entrants}


def pdf_text(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.data.startswith(b"%PDF")
    data = response.data
    response.close()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")


# --- the blueprint ---------------------------------------------------------------------------


def test_an_exam_is_set_up_previewed_and_sealed(app, client, games):
    login(client, "organiser")
    assert f"{games['ELEC']}/exam/setup" in client.get(games["ELEC"]).text
    page = client.get(f"{games['ELEC']}/exam/setup")
    assert page.status_code == 200
    assert re.search(r'name="seed"[^>]*value="exam-games-ELEC-[0-9a-f]{6}"', page.text)

    response = post(client, f"{games['ELEC']}/exam/setup", blueprint(games, SINGLE, JUDGE))
    assert response.status_code == 302, response.text
    setting = elec_exam(app, games)
    assert setting is not None
    assert (setting.minutes, setting.seed, setting.papers, setting.sealed_at) == (
        45,
        "elec-2026",
        2,
        None,
    )
    assert setting.sections == [
        {"type": "single", "count": 2, "marks": "1"},
        {"type": "judge", "count": 1, "marks": "2"},
    ]
    assert audit_actions(app)[-1][0] == "exam.create"

    preview = client.get(f"{games['ELEC']}/exam/papers")
    assert preview.status_code == 200
    assert "一、单项选择题（每题 1 分，共 2 题）" in preview.text
    assert "二、判断题（每题 2 分，共 1 题）" in preview.text
    assert preview.text.count('class="card exam-paper"') == 2
    assert "总分 4 分" in preview.text
    assert "尚未封卷" in preview.text

    # sealing needs the confirmation
    assert post(client, f"{games['ELEC']}/exam/seal").status_code == 400
    assert elec_exam(app, games).sealed_at is None
    response = post(client, f"{games['ELEC']}/exam/seal", {"confirm": "y"})
    assert response.status_code == 302
    setting = elec_exam(app, games)
    assert setting.sealed_at is not None
    with app.app_context():
        bank = setup.bank_items(games["bank"])
    drawn = [[list(codes) for codes in paper] for paper in setting.sealed_papers]
    assert len(drawn) == 2 and all(len(p[0]) == 2 and len(p[1]) == 1 for p in drawn)
    assert setting.sealed_versions == {c: 1 for p in drawn for s in p for c in s}
    assert {i.code for i in bank} >= set(setting.sealed_versions)
    assert audit_actions(app)[-1][0] == "exam.seal"
    assert "已封卷的试卷" in client.get(f"{games['ELEC']}/exam/papers").text

    # the blueprint can no longer change, nor be sealed again
    again = post(client, f"{games['ELEC']}/exam/setup", blueprint(games, SINGLE, minutes="90"))
    assert again.status_code == 409
    assert "封卷，组卷设置不能再更改" in again.text, shown(again.text)
    assert elec_exam(app, games).minutes == 45
    assert post(client, f"{games['ELEC']}/exam/seal", {"confirm": "y"}).status_code == 409


def test_too_few_items_are_refused_naming_the_section(app, client, games):
    login(client, "organiser")
    multiple = {"type": "multiple", "count": "10", "marks": "2"}
    response = post(client, f"{games['ELEC']}/exam/setup", blueprint(games, SINGLE, multiple))
    assert response.status_code == 400
    assert "第 2 节（多选题）：题库中符合条件的试题只有 1 道，需要 10 道" in response.text
    assert elec_exam(app, games) is None


def test_bad_input_is_refused_with_nothing_saved(app, client, games):
    login(client, "organiser")
    bad = {"type": "single", "count": "2", "marks": "-1", "step": "1"}
    response = post(
        client,
        f"{games['ELEC']}/exam/setup",
        blueprint(games, bad, minutes="x", component=games["practical"]),
    )
    assert response.status_code == 400
    for message in ("“x”不是整数", "必须大于 0", "step"):
        assert message in response.text, (message, shown(response.text))
    empty = post(client, f"{games['ELEC']}/exam/setup", blueprint(games))
    assert empty.status_code == 400
    assert elec_exam(app, games) is None


def test_an_exam_fed_component_takes_no_direct_scores(app, client, games, runner, tmp_path):
    imported(runner, tmp_path)  # E5's theory score entered directly again
    with app.app_context():
        elec = db.session.execute(sa.select(Trade).where(Trade.code == "ELEC")).scalar_one()
        theory = next(c for c in elec.components if c.code == "theory")
        bank = db.session.execute(sa.select(QuestionBank)).scalar_one()
        path = f"/organise/events/{elec.event_id}/trades/{elec.id}/exam/setup"
        data = blueprint({"theory": theory.id, "bank": bank.id}, SINGLE)
    login(client, "organiser")
    response = post(client, path, data)
    assert response.status_code == 400
    assert "已有直接录入的成绩" in response.text


# --- open and close ----------------------------------------------------------------------------


def test_open_seals_first_and_open_and_close_are_refused_out_of_turn(app, client, games):
    login(client, "organiser")
    post(client, f"{games['ELEC']}/exam/setup", blueprint(games, SINGLE))
    closing = post(client, f"{games['ELEC']}/exam/close")
    assert closing.status_code == 409
    assert "尚未开考，不能结束考试" in closing.text
    assert elec_exam(app, games).closed_at is None

    assert post(client, f"{games['ELEC']}/exam/open", {"confirm": "y"}).status_code == 302
    setting = elec_exam(app, games)
    assert setting.opened_at is not None and setting.sealed_at is not None
    assert setting.sealed_papers
    again = post(client, f"{games['ELEC']}/exam/open", {"confirm": "y"})
    assert again.status_code == 409 and "不能再次开考" in again.text
    assert elec_exam(app, games).opened_at == setting.opened_at

    assert post(client, f"{games['ELEC']}/exam/close").status_code == 302
    closed = elec_exam(app, games).closed_at
    assert closed is not None
    again = post(client, f"{games['ELEC']}/exam/close")
    assert again.status_code == 409 and "考试已于" in again.text
    assert elec_exam(app, games).closed_at == closed
    actions = [a[0] for a in audit_actions(app)]
    assert actions[-4:] == ["exam.create", "exam.seal", "exam.open", "exam.close"][-4:]


def test_the_services_refuse_out_of_turn(app, games):
    with app.app_context():
        setting = db.session.execute(
            sa.select(ExamSetting).join(Trade).where(Trade.code == "WELD")
        ).scalar_one()
        actor = make_user(Role.ORGANISER, username="someone")
        with pytest.raises(setup.ExamRefused) as refused:
            setup.close_exam(actor, setting)
        assert refused.value.code == "not_open"
        setup.open_exam(actor, setting)
        assert setting.opened_at is not None
        with pytest.raises(setup.ExamRefused) as refused:
            setup.open_exam(actor, setting)
        assert refused.value.code == "already_open"
        setup.close_exam(actor, setting)
        with pytest.raises(setup.ExamRefused) as refused:
            setup.close_exam(actor, setting)
        assert refused.value.code == "already_closed"
        db.session.rollback()


# --- printing ----------------------------------------------------------------------------------


def test_the_papers_print_with_their_answer_sheets_and_key(client, games):
    login(client, "organiser")
    page = client.get(f"{games['WELD']}/exam").text
    for path in ("exam/papers/1.pdf", "exam/papers/1/sheet.pdf", "exam/key.pdf"):
        assert f"{games['WELD']}/{path}" in page

    paper = pdf_text(client, f"{games['WELD']}/exam/papers/1.pdf")
    for text in (
        "理论考试测试赛",
        "焊工",
        "准考证号",
        "姓名",
        "一、单项选择题（每题 2 分，共 3 题）",
        "二、多项选择题（每题 4 分，共 1 题）",
        "三、判断题（每题 2 分，共 1 题）",
        "四、填空题（每题 4 分，共 1 题）",
        "五、简答题（每题 10 分，共 1 题）",
        "下列属于焊接缺陷的是",
        "A. 气孔",
        "E. 焊道",
    ):
        assert text in paper, text
    numbers = re.findall(r"^\s*(\d+)\. \S", paper, re.M)
    assert numbers == [str(n) for n in range(1, 8)]
    assert "参考答案" not in paper and "降低冷却速度" not in paper

    sheet = pdf_text(client, f"{games['WELD']}/exam/papers/1/sheet.pdf")
    assert "答题卡" in sheet and "准考证号" in sheet
    boxes = re.findall(r"□\s*(\S)", sheet)
    assert boxes == [*"ABCD" * 3, *"ABCDE", "对", "错"]
    assert re.search(r"^\s*6\s+\(1\)\s+\(2\)", sheet, re.M)
    assert "五、简答题（每题 10 分，共 1 题）" in sheet

    key = pdf_text(client, f"{games['WELD']}/exam/key.pdf")
    assert "参考答案" in key
    for text in ("ACD", "氩气 / Ar；直流正接", "降低冷却速度", "已作废"):
        assert text in key, text

    assert client.get(f"{games['WELD']}/exam/papers/2.pdf").status_code == 404


def test_unsealed_papers_are_not_printed(client, games):
    login(client, "organiser")
    post(client, f"{games['ELEC']}/exam/setup", blueprint(games, SINGLE))
    assert client.get(f"{games['ELEC']}/exam/papers/1.pdf").status_code == 409
    assert client.get(f"{games['ELEC']}/exam/key.pdf").status_code == 409


# --- corrections after the exam (答案异议) -----------------------------------------------------


def test_a_corrected_key_re_marks_every_attempt(app, client, runner, games):
    """Q02's key A → C: E1 (answered C) gains 2, raw 107/6 → 74.31; E2 (answered A) loses 2,
    raw 13.5 → 56.25."""
    assert weld_theory(runner) == {"E1": "65.97", "E2": "64.58", "E3": None, "E4": None}
    login(client, "organiser")
    response = post(
        client, f"{games['WELD']}/exam/key", {"item": "Q02", "key": "c", "reason": "教材有误"}
    )
    assert response.status_code == 302, response.text
    assert weld_theory(runner) == {"E1": "74.31", "E2": "56.25", "E3": None, "E4": None}
    with app.app_context():
        setting = db.session.execute(sa.select(ExamSetting)).scalars().first()
        assert setting.sealed_versions["Q02"] == 2
        versions = db.session.execute(
            sa.select(QuestionItem.version, QuestionItem.key).where(QuestionItem.code == "Q02")
        ).all()
        assert sorted(versions) == [(1, "A"), (2, "C")]
    action, old, new, reason = audit_actions(app)[-1]
    assert action == "exam.key" and reason == "教材有误"
    assert (old["key"], new["key"]) == ("A", "C")
    page = client.get(f"{games['WELD']}/exam").text
    assert "教材有误" in page and "答案 A → C" in page


def test_a_key_change_is_checked_as_a_package_key(app, client, runner, games):
    login(client, "organiser")
    for data, message, status in (
        ({"item": "Q02", "key": "Z", "reason": "x"}, "不是本题的选项", 400),
        ({"item": "Q03", "key": "A", "reason": "x"}, "多选题答案至少", 400),
        ({"item": "Q02", "key": "A", "reason": "x"}, "已经是该题的答案", 400),
        ({"item": "Q02", "key": "C", "reason": " "}, "请填写原因", 400),
        ({"item": "Q99", "key": "C", "reason": "x"}, "", 400),
    ):
        response = post(client, f"{games['WELD']}/exam/key", data)
        assert response.status_code == status, (data, response.status_code)
        assert message in response.text, (message, shown(response.text))
    assert weld_theory(runner)["E1"] == "65.97"
    assert [a for a in audit_actions(app) if a[0] == "exam.key"] == []


def test_a_voided_item_leaves_raw_and_total(app, client, runner, games):
    """Q01 voided: E1 raw 83/6 of 22 → 62.88; E2 raw 15.5 of 22 → 70.45."""
    login(client, "organiser")
    missing = post(client, f"{games['WELD']}/exam/void", {"item": "Q01", "reason": ""})
    assert missing.status_code == 400
    response = post(client, f"{games['WELD']}/exam/void", {"item": "Q01", "reason": "超纲"})
    assert response.status_code == 302
    assert weld_theory(runner) == {"E1": "62.88", "E2": "70.45", "E3": None, "E4": None}
    action, old, new, reason = audit_actions(app)[-1]
    assert (action, old, new, reason) == (
        "exam.void",
        {"voided": ["Q07"]},
        {"item": "Q01", "voided": ["Q01", "Q07"]},
        "超纲",
    )
    page = client.get(f"{games['WELD']}/exam").text
    assert "超纲" in page
    twice = post(client, f"{games['WELD']}/exam/void", {"item": "Q01", "reason": "再次"})
    assert twice.status_code == 409


def test_voiding_every_item_of_a_paper_is_refused(app, client, runner, games):
    login(client, "organiser")
    for code in ("Q01", "Q02", "Q03", "Q04", "Q05"):
        response = post(client, f"{games['WELD']}/exam/void", {"item": code, "reason": "x"})
        assert response.status_code == 302
    last = post(client, f"{games['WELD']}/exam/void", {"item": "Q06", "reason": "x"})
    assert last.status_code == 409
    assert "试卷 1 的全部试题" in last.text
    with app.app_context():
        setting = db.session.execute(sa.select(ExamSetting)).scalars().first()
        assert "Q06" not in setting.voided


def test_no_correction_once_the_results_are_published(app, client, runner, games):
    with app.app_context():
        db.session.add(
            Publication(
                event_id=games["event"],
                kind=RESULTS,
                payload={},
                published_at=datetime(2026, 6, 1, tzinfo=UTC),
            )
        )
        db.session.commit()
    login(client, "organiser")
    response = post(client, f"{games['WELD']}/exam/void", {"item": "Q01", "reason": "x"})
    assert response.status_code == 423
    assert "成绩已公布" in response.text, shown(response.text)
    key = post(client, f"{games['WELD']}/exam/key", {"item": "Q02", "key": "C", "reason": "x"})
    assert key.status_code == 423
    assert weld_theory(runner)["E1"] == "65.97"


# --- access ------------------------------------------------------------------------------------

PAGES = (
    "exam/setup",
    "exam/papers",
    "exam/papers/1.pdf",
    "exam/papers/1/sheet.pdf",
    "exam/key.pdf",
)
ACTIONS = ("exam/setup", "exam/seal", "exam/open", "exam/close", "exam/key", "exam/void")


@pytest.mark.parametrize("role", ["judge", "unit_contact"])
def test_other_accounts_are_refused(client, games, role):
    login(client, role)
    for path in PAGES:
        assert client.get(f"{games['WELD']}/{path}").status_code == 403, path
    for path in ACTIONS:
        assert post(client, f"{games['WELD']}/{path}", {"confirm": "y"}).status_code == 403


def test_a_trade_of_another_event_is_not_found(app, client, games):
    login(client, "organiser")
    for path in PAGES:
        assert client.get(f"{games['FOREIGN']}/{path}").status_code == 404, path
    for path in ACTIONS:
        response = post(client, f"{games['FOREIGN']}/{path}", {"confirm": "y"})
        assert response.status_code == 404, path


def test_actions_need_the_csrf_token(app, client, games):
    login(client, "organiser")
    response = client.post(f"{games['WELD']}/exam/void", data={"item": "Q01", "reason": "x"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.execute(sa.select(ExamSetting)).scalars().first().voided == ["Q07"]


def test_an_unsealed_exam_is_edited_with_the_change_audited(app, client, games):
    login(client, "organiser")
    filtered = {**JUDGE, "tags": "1, 9", "difficulty_from": "", "level": ""}
    post(client, f"{games['ELEC']}/exam/setup", blueprint(games, SINGLE, filtered))
    page = client.get(f"{games['ELEC']}/exam/setup").text
    assert 'name="sections-1-tags" type="text" value="1, 9"' in page
    assert 'name="sections-2-type"' in page  # blank rows to add sections
    response = post(
        client, f"{games['ELEC']}/exam/setup", blueprint(games, SINGLE, minutes="50", papers="1")
    )
    assert response.status_code == 302
    setting = elec_exam(app, games)
    assert (setting.minutes, setting.papers, len(setting.sections)) == (50, 1, 1)
    action, old, new, _ = audit_actions(app)[-1]
    assert action == "exam.update"
    assert (old["minutes"], new["minutes"], old["papers"], new["papers"]) == (45, 50, 2, 1)
    assert old["sections"][1]["filter"] == {"tags": ["1", "9"]}


def test_keys_are_read_as_typed(app):
    with app.test_request_context():
        read = setup.key_from_text
        assert read(ItemType.SINGLE, " b ") == "B"
        assert read(ItemType.MULTIPLE, "a, c；D") == ["A", "C", "D"]
        assert [read(ItemType.JUDGE, w) for w in ("对", "×", "T", "wrong", "也许")] == [
            True,
            False,
            True,
            False,
            "也许",
        ]
        assert read(ItemType.FILL, "氩气 / Ar\n直流正接；DCEN\n") == [
            ["氩气", "Ar"],
            ["直流正接", "DCEN"],
        ]
        assert read(ItemType.SHORT, "  ") is None
        assert (
            setup.key_text(ItemType.FILL, (("氩气", "Ar"), ("直流正接",))) == "氩气 / Ar\n直流正接"
        )
        assert setup.key_text(ItemType.MULTIPLE, frozenset("DCA")) == "ACD"
