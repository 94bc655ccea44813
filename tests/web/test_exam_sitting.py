"""Sitting the exam (EXAMS.md §4) through the exam pages: signing in with the admission
number and the ID number's last 4 characters, the paper, the server's clock, each answer
saved exactly once and never over a later one from another device, handing in, the time
running out, and the proctor's extensions, pauses and hand-ins with reasons in the audit."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain import idcard
from contest.exams.models import (
    ExamAnswer,
    ExamSetting,
    ExamSitting,
    QuestionItem,
    SittingEnd,
    exam_proctors,
)
from contest.registration import cards
from contest.registration.models import Entrant
from contest.stages.scheduler import tick
from tests.cli.test_package_exams import imported
from tests.cli.test_packages import results_json
from tests.conftest import csrf_token, login
from tests.factories import make_user
from tests.packages import exam_package

ID_E3 = idcard.build("110101", date(1990, 3, 7), 21, "M")
SIGN_IN = "/exam/exam-games/"


def sitting_package() -> dict:
    """The own exam fixture without its short section: E3 (no attempt yet) has an ID number
    and sits the exam here; the paper is Q01, Q02, Q07 (voided), Q03, Q04, Q05 — 14 marks
    counted."""
    package = exam_package()
    exam = package["exams"][0]
    exam["sections"] = [s for s in exam["sections"] if s["type"] != "short"]
    package["scores"] = [s for s in package["scores"] if "item" not in s]
    for entrant in package["entrants"]:
        if entrant["code"] == "E3":
            entrant["id_number"] = ID_E3
    return package


@pytest.fixture
def exam(app, runner, tmp_path):
    """The package imported, the exam open, a proctor given its room and another not."""
    imported(runner, tmp_path, sitting_package())
    with app.app_context():
        setting = db.session.execute(sa.select(ExamSetting)).scalar_one()
        setting.opened_at = utcnow()
        proctor = make_user(Role.PROCTOR, username="proctor")
        make_user(Role.PROCTOR, username="elsewhere")
        make_user(Role.JUDGE, username="judge")
        db.session.flush()
        db.session.execute(exam_proctors.insert().values(exam_id=setting.id, user_id=proctor.id))
        db.session.commit()
        return setting.id


def sign_in(client, admission="E3", last4=ID_E3[-4:]):
    token = csrf_token(client, SIGN_IN)
    return client.post(SIGN_IN, data={"admission": admission, "last4": last4, "csrf_token": token})


def save(client, item, response, base=0, key="k" * 12):
    token = csrf_token(client, SIGN_IN)
    return client.post(
        "/exam/exam-games/answers",
        json={"item": item, "response": response, "base": base},
        headers={"X-CSRFToken": token, "Idempotency-Key": key},
    )


def answers(app, code="E3"):
    with app.app_context():
        rows = db.session.execute(
            sa.select(ExamAnswer.item_code, ExamAnswer.response, ExamAnswer.revision)
            .join(Entrant, Entrant.id == ExamAnswer.entrant_id)
            .where(Entrant.code == code)
        ).all()
        return {item: (response, revision) for item, response, revision in rows}


def sitting(app, code="E3") -> ExamSitting:
    with app.app_context():
        found = db.session.execute(
            sa.select(ExamSitting).join(Entrant).where(Entrant.code == code)
        ).scalar_one()
        db.session.expunge(found)
        return found


def test_sign_in_needs_the_admission_number_and_the_id_numbers_last_four(client, exam):
    wrong = sign_in(client, last4="0000")
    assert wrong.status_code == 401
    assert "准考证号或身份证号后 4 位不正确" in wrong.text
    assert sign_in(client, admission="NOBODY").status_code == 401
    assert client.get("/exam/exam-games/paper").status_code == 302  # still signed out
    assert sign_in(client, admission="e3").status_code == 302  # any case
    page = client.get("/exam/exam-games/paper")
    assert page.status_code == 200
    assert "王强" in page.text and "焊条电弧焊时" in page.text
    assert "有争议的题" not in page.text  # the voided item is left out
    assert "降低冷却速度" not in page.text  # no key on the page


@pytest.mark.parametrize("opens", [None, timedelta(minutes=5)])
def test_before_the_exam_opens_the_entrant_waits(app, client, exam, opens):
    """Not opened yet, or an online round's window still to come."""
    with app.app_context():
        db.session.get(ExamSetting, exam).opened_at = opens and utcnow() + opens
        db.session.commit()
    sign_in(client)
    page = client.get("/exam/exam-games/paper")
    assert "考试尚未开始" in page.text
    refused = save(client, "Q01", "B")
    assert refused.status_code == 409
    assert answers(app) == {}
    if opens:
        assert client.get("/e/exam-games/quiz/WELD").status_code == 404


def test_once_the_round_has_closed_no_one_starts(app, client, exam):
    with app.app_context():
        db.session.get(ExamSetting, exam).closed_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    sign_in(client)
    closed = client.get("/exam/exam-games/paper")
    assert closed.status_code == 409 and "考试已结束" in closed.text


def test_an_answer_is_saved_once_per_key_and_never_over_a_later_one(app, client, exam):
    sign_in(client)
    client.get("/exam/exam-games/paper")
    first = save(client, "Q01", "B", key="device-a-0001")
    assert first.status_code == 200, first.text
    assert first.json == {"item": "Q01", "response": "B", "revision": 1}
    again = save(client, "Q01", "B", key="device-a-0001")
    assert again.status_code == 200 and again.headers["Idempotent-Replay"] == "true"
    assert answers(app) == {"Q01": ("B", 1)}
    # Another device, signed in with the same number, answers again on revision 1.
    other = client.application.test_client()
    sign_in(other)
    assert save(other, "Q01", "C", base=1, key="device-b-0001").json["revision"] == 2
    # The first device's queued change, made on revision 1, is refused: the later one stays.
    stale = save(client, "Q01", "A", base=1, key="device-a-0002")
    assert stale.status_code == 409
    assert stale.json["error"] == "stale"
    assert "另一台设备" in stale.json["message"]
    assert answers(app) == {"Q01": ("C", 2)}
    state = client.get("/exam/exam-games/state").json
    assert state["answers"]["Q01"] == {"response": "C", "revision": 2}


@pytest.mark.parametrize(
    ("item", "response", "message"),
    [
        ("Q01", "Z", "请选择第 Q01 题的一个选项"),
        ("Q03", ["A", "A"], "Q03"),
        ("Q04", "对", "Q04"),
        ("Q05", ["氩气"], "Q05"),
        ("Q08", True, "不在你的试卷上"),
    ],
)
def test_a_response_the_item_cannot_take_is_refused(app, client, exam, item, response, message):
    sign_in(client)
    client.get("/exam/exam-games/paper")
    refused = save(client, item, response)
    assert refused.status_code == 400
    assert message in refused.json["message"]
    assert answers(app) == {}


def test_a_save_needs_an_idempotency_key_and_a_question(app, client, exam):
    sign_in(client)
    client.get("/exam/exam-games/paper")
    assert save(client, "Q01", "B", key="x").status_code == 400
    token = csrf_token(client, SIGN_IN)
    nameless = client.post(
        "/exam/exam-games/answers",
        json=["Q01", "B"],
        headers={"X-CSRFToken": token, "Idempotency-Key": "k" * 12},
    )
    assert nameless.status_code == 400 and "无法识别" in nameless.json["message"]
    assert answers(app) == {}


def test_the_attempt_counts_once_handed_in(app, client, runner, exam):
    sign_in(client)
    client.get("/exam/exam-games/paper")
    for n, (item, response) in enumerate(
        [("Q01", "B"), ("Q02", "A"), ("Q03", ["A", "C", "D"]), ("Q04", True), ("Q05", ["Ar", None])]
    ):
        assert save(client, item, response, key=f"answer-{n:04d}").status_code == 200

    def e3():
        trade = results_json(runner, "exam-games")["trades"][0]
        return next(e for e in trade["entrants"] if e["code"] == "E3")

    assert "theory" not in e3()["components"]  # still sitting: no attempt yet
    token = csrf_token(client, SIGN_IN)
    done = client.post("/exam/exam-games/submit", data={"csrf_token": token})
    assert done.status_code == 302
    assert "你已交卷" in client.get("/exam/exam-games/done").text
    # 2 + 2 + 4 + 2 + 2 (one blank of two) = 12 of the 14 marks left by the voided Q07,
    # of a theory maximum of 100.
    assert e3()["components"]["theory"] == "85.71"
    late = save(client, "Q02", "B", key="answer-late")
    assert late.status_code == 409 and late.json["error"] == "ended"
    assert answers(app)["Q02"] == ("A", 1)


def test_no_answer_is_taken_after_the_time(app, client, exam):
    sign_in(client)
    client.get("/exam/exam-games/paper")
    assert save(client, "Q01", "B", key="in-time-0001").status_code == 200
    with app.app_context():
        found = db.session.execute(sa.select(ExamSitting)).scalar_one()
        found.started_at -= timedelta(minutes=61)
        db.session.commit()
    late = save(client, "Q02", "A", key="too-late-001")
    assert late.status_code == 409 and late.json["error"] == "time_up"
    assert sitting(app).ended_how == SittingEnd.TIME
    assert answers(app) == {"Q01": ("B", 1)}


def post_room(client, exam, action, **data):
    token = csrf_token(client, f"/proctor/exams/{exam}")
    return client.post(f"/proctor/exams/{exam}/{action}", data={"csrf_token": token, **data})


def entrant_id(app, code="E3"):
    with app.app_context():
        return db.session.execute(sa.select(Entrant.id).where(Entrant.code == code)).scalar_one()


def test_the_proctor_extends_one_entrants_time_with_a_reason(app, client, exam):
    entrant = client.application.test_client()
    sign_in(entrant)
    entrant.get("/exam/exam-games/paper")
    before = entrant.get("/exam/exam-games/state").json["left"]
    login(client, "proctor")
    room = client.get(f"/proctor/exams/{exam}")
    assert room.status_code == 200 and "王强" in room.text and "作答中" in room.text
    refused = post_room(client, exam, "extend", entrant=entrant_id(app), minutes=10, reason="")
    assert refused.status_code == 400
    assert sitting(app).extra_seconds == 0
    done = post_room(
        client, exam, "extend", entrant=entrant_id(app), minutes=10, reason="电脑死机重启"
    )
    assert done.status_code == 302
    assert sitting(app).extra_seconds == 600
    after = entrant.get("/exam/exam-games/state").json["left"]
    assert 600 - 5 <= after - before <= 600
    with app.app_context():
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "exam.extend")
        ).scalar_one()
        assert entry.reason == "电脑死机重启" and entry.new["minutes"] == 10


def test_a_pause_holds_the_time_and_refuses_answers(app, client, exam):
    entrant = client.application.test_client()
    sign_in(entrant)
    entrant.get("/exam/exam-games/paper")
    login(client, "proctor")
    assert post_room(client, exam, "pause", reason="停电").status_code == 302  # the whole room
    assert entrant.get("/exam/exam-games/state").json["paused"] is True
    refused = save(entrant, "Q01", "B", key="paused-0001")
    assert refused.status_code == 409 and refused.json["error"] == "paused"
    with app.app_context():
        found = db.session.execute(sa.select(ExamSitting)).scalar_one()
        found.paused_at -= timedelta(minutes=3)
        db.session.commit()
    assert post_room(client, exam, "resume", reason="来电").status_code == 302
    assert sitting(app).paused_seconds >= 180
    assert save(entrant, "Q01", "B", key="paused-0001").status_code == 200


def test_the_proctor_hands_a_paper_in(app, client, exam):
    entrant = client.application.test_client()
    sign_in(entrant)
    entrant.get("/exam/exam-games/paper")
    login(client, "proctor")
    assert (
        post_room(client, exam, "hand-in", entrant=entrant_id(app), reason="违纪").status_code
        == 302
    )
    assert sitting(app).ended_how == SittingEnd.PROCTOR
    assert entrant.get("/exam/exam-games/state").json["ended"] == "proctor"
    assert (
        post_room(client, exam, "hand-in", entrant=entrant_id(app), reason="再次").status_code
        == 409
    )


@pytest.mark.parametrize("username", ["elsewhere", "judge"])
def test_only_the_rooms_proctors_and_organisers_see_it(app, client, exam, username):
    login(client, username)
    assert client.get(f"/proctor/exams/{exam}").status_code == 403
    token = csrf_token(client, "/")
    refused = client.post(f"/proctor/exams/{exam}/pause", data={"csrf_token": token, "reason": "x"})
    assert refused.status_code == 403


def test_the_schedulers_tick_hands_in_the_papers_out_of_time(app, client, runner, exam):
    sign_in(client)
    client.get("/exam/exam-games/paper")
    assert save(client, "Q01", "B", key="in-time-0001").status_code == 200
    with app.app_context():
        found = db.session.execute(sa.select(ExamSitting)).scalar_one()
        found.started_at -= timedelta(minutes=60, seconds=1)
        db.session.commit()
        tick.send(utcnow())
        db.session.commit()
    assert sitting(app).ended_how == SittingEnd.TIME
    trade = results_json(runner, "exam-games")["trades"][0]
    e3 = next(e for e in trade["entrants"] if e["code"] == "E3")
    assert e3["components"]["theory"] == "14.29"  # the answers saved in time count: 2 of 14


def test_the_organiser_gives_rooms_to_proctors(app, client, exam):
    with app.app_context():
        make_user(Role.ORGANISER, username="organiser")
        db.session.commit()
        event_id = db.session.get(ExamSetting, exam).trade.event_id
    login(client, "organiser")
    page = client.get(f"/organise/events/{event_id}/proctors")
    assert page.status_code == 200 and "焊工" in page.text and "proctor" in page.text
    token = csrf_token(client, f"/organise/events/{event_id}/proctors")

    def give(**data):
        fields = {f"e{exam}-{k}": v for k, v in data.items()}
        return client.post(
            f"/organise/events/{event_id}/proctors/{exam}", data={"csrf_token": token, **fields}
        )

    refused = give(username="new-proctor")  # a new account needs a name and a password
    assert refused.status_code == 400 and "请填写姓名和密码" in refused.text
    assert give(username="judge").status_code == 400  # not a proctor's account
    assert give(username="proctor").status_code == 409  # already there
    made = give(username="new-proctor", name="孙监考", password="room-pass-2026")
    assert made.status_code == 302
    proctor = client.application.test_client()
    login(proctor, "new-proctor", "room-pass-2026")
    assert proctor.get(f"/proctor/exams/{exam}").status_code == 200
    assert "焊工" in proctor.get("/proctor/").text


def test_the_board_by_unit_shows_participation_live_and_scores_once_closed(app, client, exam):
    """U1: E1 and E3 registered, E1 sat (imported); U2: E2 and E4, E2 sat. Without the
    short section E1 scores 8 of 14 → 57.14, E2 10 of 14 → 71.43."""
    board = client.get("/e/exam-games/quiz/WELD")
    assert board.status_code == 200
    rows = re.findall(r"<tr><td class=\"num\">(\d+)</td><td>([^<]+)</td>", board.text)
    assert [name for _, name in rows] == ["一号区总工会", "二号产业工会"]
    assert "50.0%" in board.text and "71.43" not in board.text  # no scores while open
    with app.app_context():
        db.session.get(ExamSetting, exam).closed_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    by_mean = client.get("/e/exam-games/quiz/WELD?by=mean")
    assert by_mean.status_code == 200
    ranked = re.findall(r"<tr><td class=\"num\">(\d+)</td><td>([^<]+)</td>", by_mean.text)
    assert [name for _, name in ranked] == ["二号产业工会", "一号区总工会"]
    assert "71.43" in by_mean.text and "57.14" in by_mean.text
    assert client.get("/e/exam-games/quiz/ELEC").status_code == 404  # no exam


def test_the_proctor_opens_and_closes_the_room(app, client, exam):
    with app.app_context():
        db.session.get(ExamSetting, exam).opened_at = None
        db.session.commit()
    login(client, "proctor")
    assert post_room(client, exam, "close").status_code == 409  # never opened
    assert post_room(client, exam, "open").status_code == 302
    entrant = client.application.test_client()
    sign_in(entrant)
    assert "王强" in entrant.get("/exam/exam-games/paper").text
    assert post_room(client, exam, "open").status_code == 409  # opened already
    assert post_room(client, exam, "close").status_code == 302
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.action.in_(["exam.open", "exam.close"]))
        ).all()
        assert sorted(actions) == ["exam.close", "exam.open"]


def test_a_stems_image_is_shown_to_the_entrant_whose_paper_has_it(app, client, exam, tmp_path):
    app.config["QUESTION_IMAGE_FOLDER"] = str(tmp_path)
    (tmp_path / f"{'a' * 32}.png").write_bytes(b"\\x89PNG\\r\\n\\x1a\\n" + b"\\0" * 16)
    (tmp_path / f"{'b' * 32}.png").write_bytes(b"\\x89PNG\\r\\n\\x1a\\n" + b"\\0" * 16)
    with app.app_context():
        for code, name in (("Q01", "a"), ("Q08", "b")):  # Q08 is on no paper
            db.session.execute(
                sa.update(QuestionItem)
                .where(QuestionItem.code == code)
                .values(image=f"{name * 32}.png")
            )
        db.session.commit()
    address = f"/exam/exam-games/images/{'a' * 32}.png"
    assert client.get(address).status_code == 401  # nobody signed in
    sign_in(client)
    assert f'src="{address}"' in client.get("/exam/exam-games/paper").text
    shown = client.get(address)
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    shown.close()
    assert client.get(f"/exam/exam-games/images/{'b' * 32}.png").status_code == 404


def test_the_qr_on_the_entrants_page_signs_in_to_the_exam(app, client, exam):
    with app.app_context():
        user = make_user(Role.ENTRANT, username="wang")
        db.session.flush()
        e3 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E3")).scalar_one()
        e3.user_id = user.id
        token = cards.card_token(e3)
        db.session.commit()
    login(client, "wang")
    home = client.get("/me/")
    assert 'alt="理论考试二维码"' in home.text and "data:image/svg+xml" in home.text
    device = client.application.test_client()
    assert device.get(f"/exam/exam-games/card/{token}x").status_code == 401
    signed = device.get(f"/exam/exam-games/card/{token}")
    assert signed.status_code == 302 and signed.headers["Location"].endswith("/paper")
    assert "王强" in device.get("/exam/exam-games/paper").text
