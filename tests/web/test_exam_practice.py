"""Practice (模拟练习): an entrant practises on the items offered for practice in the banks
of their trades' exams — never on an item of a sealed paper, never a short item — marked at
once with the key and the explanation, stored nowhere."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.extensions import db
from contest.exams.models import ExamAnswer, QuestionBank, QuestionItem
from contest.registration.models import Entrant
from tests.cli.test_package_exams import imported
from tests.conftest import csrf_token, login
from tests.factories import make_user


@pytest.fixture
def bank(app, runner, tmp_path):
    """The own exam fixture: every item offered for practice; E1 has the account
    ``entrant``; only Q08 is on no sealed paper (Q06 is short besides)."""
    imported(runner, tmp_path)
    with app.app_context():
        for item in db.session.scalars(sa.select(QuestionItem)):
            item.public = True
        db.session.get(QuestionItem, 8).explanation = "见安全规程第二章。"
        user = make_user(Role.ENTRANT, username="entrant")
        make_user(Role.ENTRANT, username="nobody")
        make_user(Role.JUDGE, username="judge")
        db.session.flush()
        db.session.execute(sa.update(Entrant).where(Entrant.code == "E1").values(user_id=user.id))
        db.session.commit()
        return db.session.execute(sa.select(QuestionBank.id)).scalar_one()


def test_only_items_off_the_sealed_papers_are_offered(client, bank):
    login(client, "entrant")
    home = client.get("/me/practice/")
    assert home.status_code == 200 and "exam-games" in home.text and "1 道题" in home.text
    page = client.get(f"/me/practice/{bank}")
    assert "不在试卷上的题" in page.text
    for on_paper in ("焊条电弧焊时", "坡口角度", "简述预热的作用"):
        assert on_paper not in page.text


def test_a_round_is_marked_at_once_and_stored_nowhere(app, client, bank):
    login(client, "entrant")
    client.get(f"/me/practice/{bank}")
    token = csrf_token(client, f"/me/practice/{bank}")
    client.get(f"/me/practice/{bank}")  # a new round: the same single item
    marked = client.post(f"/me/practice/{bank}", data={"csrf_token": token, "q-Q08": "true"})
    assert marked.status_code == 200
    assert "1 题中答对 0 题" in marked.text and "回答错误" in marked.text
    assert "答案：错（×）" in marked.text and "见安全规程第二章。" in marked.text
    right = client.post(f"/me/practice/{bank}", data={"csrf_token": token, "q-Q08": "false"})
    assert "1 题中答对 1 题" in right.text
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(ExamAnswer)).scalar() == 12


@pytest.mark.parametrize(("username", "status"), [("judge", 403), ("nobody", 404)])
def test_practice_is_for_the_banks_own_entrants(client, bank, username, status):
    login(client, username)
    assert client.get(f"/me/practice/{bank}").status_code == status
    if username == "nobody":
        assert "目前还没有向你开放的练习题" in client.get("/me/practice/").text
