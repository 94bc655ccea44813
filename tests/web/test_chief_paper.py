"""Double entry of paper sheets: switching it on (confirming the tablet values it closes),
listing clerks, two clerks entering each sheet blind, only values both agree on reaching
the results, and never over a judge's submitted tablet value without the chief judge's
decision."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.stages import StageState
from contest.events.models import Criterion, Trade
from contest.judging.desk import compute, paper_mismatches
from contest.judging.models import PaperEntry
from contest.results.models import Score, ScoreState
from contest.stages.models import StageWindow
from tests.judging import Desk, Tablet
from tests.web.test_chief_desk import audit, build, score_states, statuses


@pytest.fixture
def scored(app):
    return build(app)


#: The values the judges of the scored trade have submitted on tablets (``build``).
TABLET_VALUES = 13


def switch_on(desk: Desk, trade: int, count: int | None = TABLET_VALUES):
    """Switch double entry on, confirming ``count`` tablet values (None: not confirming)."""
    data = {"paper-double_entry": "y"}
    if count is not None:
        data.update({"paper-confirm": "y", "paper-tablet_values": str(count)})
    return desk.post(f"/chief/trades/{trade}/double-entry", data)


@pytest.fixture
def paper(app, scored):
    """The scored trade with double entry on and clerk1, clerk2 listed (by the organiser)."""
    organiser = Desk(app, "organiser")
    url = f"/chief/trades/{scored.trade}"
    assert switch_on(organiser, scored.trade).status_code == 302
    for name in ("clerk1", "clerk2"):
        assert organiser.post(f"{url}/clerks", {"clerk-username": name}).status_code == 302
    return scored


def enter(desk, scored, entrant, judge, **values):
    data = {"entrant": entrant, "judge": judge}
    data.update({f"value-{code}": value for code, value in values.items()})
    return desk.post(f"/chief/trades/{scored.trade}/paper", data)


def sheet(desk, scored, entrant, judge) -> str:
    page = desk.get(f"/chief/trades/{scored.trade}/paper?entrant={entrant}&judge={judge}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def shown(html) -> dict[str, tuple[str, str]]:
    """criterion → (value in the clerk's input, state shown next to it)."""
    rows = re.findall(
        r'name="value-(\w+)"[^>]*value="([^"]*)"[^>]*>\s*'
        r'<span id="state-\w+" class="[^"]*">([^<]*)',
        html,
    )
    return {code: (value, state.strip()) for code, value, state in rows}


def entries(app):
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count(PaperEntry.id))).scalar_one()


# --- settings --------------------------------------------------------------------------------


def test_double_entry_and_clerks_are_set_on_the_desk_and_audited(app, paper):
    with app.app_context():
        trade = db.session.get(Trade, paper.trade)
        assert trade.double_entry is True
        assert [u.username for u in trade.clerks] == ["clerk1", "clerk2"]
    [switch] = audit(app, "trade.double_entry")
    assert switch.new == {"double_entry": True, "tablet_values": TABLET_VALUES}
    assert switch.user_id == paper.users["organiser"]
    assert [e.new["clerk"] for e in audit(app, "trade.clerk_add")] == ["clerk1", "clerk2"]
    html = Desk(app, "chief").get(f"/chief/trades/{paper.trade}").get_data(as_text=True)
    assert "录分员甲" in html and "录分员乙" in html
    assert f'href="/chief/trades/{paper.trade}/paper"' in html
    # The judges' tablets are closed for this trade, and their sheets say why.
    tablet = Tablet(app, "j3")
    save = tablet.save(paper.trade, paper.e2, "P1", "30")
    assert save.status_code == 409 and save.get_json()["error"] == "double_entry"
    message = "本工种采用纸质评分表双人录入：您的评分由录分员根据您的纸质评分表录入，不在平板上填写。"
    assert save.get_json()["message"] == message
    assert tablet.sheet(paper.trade, paper.e2).get_json()["closed"]["message"] == message
    html = tablet.client.get(f"/judging/trades/{paper.trade}/sheets/{paper.e2}").get_data(
        as_text=True
    )
    assert message in html and 'data-readonly="true"' in html
    assert re.search(r'<input type="number" name="value-P1"[^>]* disabled', html)
    # Removing a clerk closes the page to them.
    organiser = Desk(app, "organiser")
    remove = organiser.post(f"/chief/trades/{paper.trade}/clerks/{paper.users['clerk2']}/remove")
    assert remove.status_code == 302
    assert [e.old["clerk"] for e in audit(app, "trade.clerk_remove")] == ["clerk2"]
    assert Desk(app, "clerk2").get(f"/chief/trades/{paper.trade}/paper").status_code == 403
    assert Desk(app, "clerk1").get(f"/chief/trades/{paper.trade}/paper").status_code == 200


@pytest.mark.parametrize(
    "username, status, message",
    [
        ("nobody", 400, "没有名为“nobody”的有效账号。"),
        ("entrant", 400, "“entrant”不能担任录分员：只有工作人员和裁判账号可以。"),
        ("clerk1", 409, "“clerk1”已是本工种录分员。"),
        ("", 400, "请输入用户名。"),
    ],
)
def test_clerk_refusals(app, paper, username, status, message):
    response = Desk(app, "chief").post(
        f"/chief/trades/{paper.trade}/clerks", {"clerk-username": username}
    )
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert len(audit(app, "trade.clerk_add")) == 2


def test_only_the_chief_and_staff_change_the_settings(app, scored):
    judge = Desk(app, "j2")
    url = f"/chief/trades/{scored.trade}"
    assert judge.post(f"{url}/double-entry", {"paper-double_entry": "y"}).status_code == 403
    assert judge.post(f"{url}/clerks", {"clerk-username": "clerk1"}).status_code == 403
    with app.app_context():
        assert db.session.get(Trade, scored.trade).double_entry is False


@pytest.mark.parametrize("username", ["j2", "contact", "entrant", "other-chief"])
def test_the_clerks_page_is_for_clerks_and_the_chief(app, paper, username):
    desk = Desk(app, username)
    assert desk.get(f"/chief/trades/{paper.trade}/paper").status_code == 403
    assert enter(desk, paper, paper.e2, paper.j3, P1="30").status_code == 403
    assert entries(app) == 0


# --- two clerks, blind -----------------------------------------------------------------------


def test_two_clerks_agree_differ_and_wait(app, paper):
    first, second = Desk(app, "clerk1"), Desk(app, "clerk2")
    saved = enter(first, paper, paper.e2, paper.j3, P1="32", P2="2")
    assert saved.status_code == 302
    html = sheet(first, paper, paper.e2, paper.j3)
    assert "已保存：0 项一致，2 项等待第二名录分员录入，0 项与另一次录入不一致。" in html
    assert shown(html) == {
        "P1": ("32", "等待第二名录分员录入"),
        "P2": ("2", "等待第二名录分员录入"),
    }
    assert score_states(app, paper.e2, paper.j3) == {}

    # The second clerk does not see the first one's values, only that they are waiting.
    assert shown(sheet(second, paper, paper.e2, paper.j3)) == {
        "P1": ("", "另一名录分员已录入：等待您录入"),
        "P2": ("", "另一名录分员已录入：等待您录入"),
    }
    assert enter(second, paper, paper.e2, paper.j3, P1="32", P2="3").status_code == 302
    assert shown(sheet(second, paper, paper.e2, paper.j3)) == {
        "P1": ("32", "一致：已计入成绩"),
        "P2": ("3", "与另一次录入不一致：请核对纸质评分表"),
    }
    # Only the agreed value counts.
    assert score_states(app, paper.e2, paper.j3) == {"P1": (Decimal(32), ScoreState.SUBMITTED)}
    with app.app_context():
        trade = db.session.get(Trade, paper.trade)
        row = next(r for r in compute(trade).entrants if r.code == "E2")
        p1, p2 = row.score.components[1].criteria
        assert p1.values == {"J1": Decimal(30), "J2": Decimal(31), "J3": Decimal(32)}
        assert "J3" not in p2.values
        found = [(d.kind, d.criterion, d.judges, d.detail) for d in paper_mismatches(trade)]
        assert found == [("paper", "P2", ("J3",), "2 / 3")]
    desk = Desk(app, "chief")
    html = desk.get(f"/chief/trades/{paper.trade}").get_data(as_text=True)
    assert "P2 工艺评价：J3 的纸质评分表两次录入不一致（2 / 3）" in html
    refused = desk.post(f"/chief/trades/{paper.trade}/lock")
    assert refused.status_code == 409
    assert "J3 的纸质评分表两次录入不一致" in refused.get_data(as_text=True)

    # The first clerk checks the paper and corrects the value: now both agree.
    assert enter(first, paper, paper.e2, paper.j3, P2="3").status_code == 302
    assert score_states(app, paper.e2, paper.j3) == {
        "P1": (Decimal(32), ScoreState.SUBMITTED),
        "P2": (Decimal(3), ScoreState.SUBMITTED),
    }
    # J2's paper sheet (the tablet left a draft) is entered twice too: E2 is complete.
    assert statuses(app, paper.event)["E2"] == "incomplete"
    for clerk in (first, second):
        assert enter(clerk, paper, paper.e2, paper.j2, P1="31", P2="2").status_code == 302
    assert score_states(app, paper.e2, paper.j2) == {
        "P1": (Decimal(31), ScoreState.SUBMITTED),
        "P2": (Decimal(2), ScoreState.SUBMITTED),
    }
    assert statuses(app, paper.event)["E2"] == "ok"
    with app.app_context():
        assert paper_mismatches(db.session.get(Trade, paper.trade)) == []
    assert [e.new for e in audit(app, "paper.enter")][:2] == [
        {"value": "32", "criterion": "P1", "judge": "J3"},
        {"value": "2", "criterion": "P2", "judge": "J3"},
    ]
    assert desk.post(f"/chief/trades/{paper.trade}/lock").status_code == 302


def test_a_later_disagreement_stops_an_agreed_value_counting_and_keeps_its_row(app, paper):
    first, second = Desk(app, "clerk1"), Desk(app, "clerk2")
    enter(first, paper, paper.e2, paper.j3, P1="32")
    enter(second, paper, paper.e2, paper.j3, P1="32")
    assert score_states(app, paper.e2, paper.j3) == {"P1": (Decimal(32), ScoreState.SUBMITTED)}
    enter(second, paper, paper.e2, paper.j3, P1="33")
    assert score_states(app, paper.e2, paper.j3) == {"P1": (Decimal(32), ScoreState.DRAFT)}
    created, withdrawn = audit(app, "score.paper")
    assert created.old is None and created.new["value"] == "32" and created.new["version"] == 1
    assert (withdrawn.old["state"], withdrawn.old["version"]) == ("submitted", 1)
    assert (withdrawn.new["state"], withdrawn.new["version"]) == ("draft", 2)
    # Agreed again, on the corrected value: it counts again, the same row moved on.
    enter(first, paper, paper.e2, paper.j3, P1="33")
    assert score_states(app, paper.e2, paper.j3) == {"P1": (Decimal(33), ScoreState.SUBMITTED)}
    again = audit(app, "score.paper")[-1]
    assert (again.old["value"], again.new["value"], again.new["version"]) == ("32", "33", 3)


@pytest.mark.parametrize(
    "values, errors",
    [
        ({"P1": "50.5", "P2": "2"}, {"P1": "请输入 0 至 50 之间的数值。"}),
        ({"P1": "30", "P2": "1.5"}, {"P2": "请输入 1 的整数倍。"}),
        ({"P1": "30.25"}, {"P1": "请输入 0.5 的整数倍。"}),
        ({"P1": "abc", "P2": "4"}, {"P1": "请输入数字。", "P2": "请输入 0 至 3 之间的数值。"}),
    ],
)
def test_values_are_checked_like_the_judges_sheet(app, paper, values, errors):
    response = enter(Desk(app, "clerk1"), paper, paper.e2, paper.j3, **values)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "未保存任何分数，请更正下方标出的数值。" in html
    for message in errors.values():
        assert message in html
    assert entries(app) == 0


def test_nothing_entered_is_refused(app, paper):
    response = enter(Desk(app, "clerk1"), paper, paper.e2, paper.j3, P1="", P2="")
    assert response.status_code == 400
    assert "请至少填写一项分数。" in response.get_data(as_text=True)


def test_recused_judges_and_other_trades_are_refused(app, paper):
    clerk = Desk(app, "clerk1")
    page = clerk.get(f"/chief/trades/{paper.trade}/paper?entrant={paper.e1}&judge={paper.j3}")
    assert page.status_code == 409
    assert "该裁判与选手同单位，已回避" in page.get_data(as_text=True)
    assert enter(clerk, paper, paper.e1, paper.j3, P1="30").status_code == 409
    assert enter(clerk, paper, paper.e9, paper.j3, P1="30").status_code == 404
    assert enter(clerk, paper, paper.e2, 99999, P1="30").status_code == 404
    assert entries(app) == 0


def test_entry_needs_double_entry_on_an_open_window_and_an_unlocked_trade(app, scored):
    desk = Desk(app, "chief")
    off = enter(desk, scored, scored.e2, scored.j3, P1="30")
    assert off.status_code == 409
    assert "本工种未开启纸质评分表双人录入。" in off.get_data(as_text=True)
    assert switch_on(desk, scored.trade).status_code == 302
    with app.app_context():
        db.session.execute(sa.update(StageWindow).values(state=StageState.CLOSED))
        db.session.commit()
    closed = enter(desk, scored, scored.e2, scored.j3, P1="30")
    assert closed.status_code == 423
    assert "本工种评分未开放。" in closed.get_data(as_text=True)
    with app.app_context():
        db.session.execute(sa.update(StageWindow).values(state=StageState.OPEN))
        db.session.get(Trade, scored.trade).locked_at = utcnow()
        db.session.commit()
    locked = enter(desk, scored, scored.e2, scored.j3, P1="30")
    assert locked.status_code == 423
    assert entries(app) == 0
    switch = desk.post(f"/chief/trades/{scored.trade}/double-entry", {})
    assert switch.status_code == 423
    with app.app_context():
        assert db.session.get(Trade, scored.trade).double_entry is True


def test_a_rescore_is_refused_in_a_double_entry_trade(app, paper):
    response = Desk(app, "chief").post(
        f"/chief/trades/{paper.trade}/rescore",
        {"rescore-entrant": paper.e3, "rescore-judge": paper.j2, "rescore-reason": "复核"},
    )
    assert response.status_code == 409
    assert "本工种采用纸质评分表双人录入：请两名录分员分别更正录入。" in response.get_data(
        as_text=True
    )
    with app.app_context():
        states = db.session.execute(
            sa.select(Score.state)
            .join(Criterion, Criterion.id == Score.criterion_id)
            .where(Score.entrant_id == paper.e3, Score.judge_id == paper.j2)
        ).scalars()
        assert set(states) == {ScoreState.SUBMITTED}


def test_clerks_find_their_paper_sheets_on_their_home_page(app, paper):
    home = Desk(app, "clerk1").get("/judging/")
    assert home.status_code == 200
    assert f"/chief/trades/{paper.trade}/paper" in home.get_data(as_text=True)
    assert "待录入的纸质评分表" in home.get_data(as_text=True)
