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
from contest.publication.models import Publication
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
    message = (
        "本工种采用纸质评分表双人录入：您的评分由录分员根据您的纸质评分表录入，不在平板上填写。"
    )
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


# --- paper and tablet ------------------------------------------------------------------------


def test_switching_double_entry_on_over_tablet_values_needs_their_confirmation(app, scored):
    desk = Desk(app, "chief")
    html = desk.get(f"/chief/trades/{scored.trade}").get_data(as_text=True)
    assert "确认：裁判已在平板上提交的 13 项分数保持不变" in html
    assert 'name="paper-tablet_values" value="13"' in html
    for count in (None, 12):  # not confirmed, or another count confirmed
        refused = switch_on(desk, scored.trade, count)
        assert refused.status_code == 409
        text = refused.get_data(as_text=True)
        assert "本工种裁判已在平板上提交 13 项分数。开启双人录入后平板将关闭" in text
    with app.app_context():
        assert db.session.get(Trade, scored.trade).double_entry is False
    assert audit(app, "trade.double_entry") == []
    assert switch_on(desk, scored.trade).status_code == 302
    # A trade without tablet values asks nothing.
    other = Desk(app, "other-chief")
    assert "paper-tablet_values" not in other.get(f"/chief/trades/{scored.elec}").get_data(
        as_text=True
    )
    assert switch_on(other, scored.elec, None).status_code == 302


def decide(desk, scored, entrant, judge, criterion, keep, reason="核对原始评分表"):
    data = {"entrant": entrant, "judge": judge, "criterion": criterion, "keep": keep}
    if reason:
        data["reason"] = reason
    return desk.post(f"/chief/trades/{scored.trade}/paper/decide", data)


def version_of(app, entrant, judge, code) -> int:
    with app.app_context():
        return db.session.execute(
            sa.select(Score.version)
            .join(Criterion, Criterion.id == Score.criterion_id)
            .where(Score.entrant_id == entrant, Score.judge_id == judge, Criterion.code == code)
        ).scalar_one()


def test_paper_never_replaces_a_submitted_tablet_value_the_chief_judge_decides(app, paper):
    # E3: J2 submitted P1 21, P2 1 on the tablet; J3 submitted P1 22, P2 1.
    first, second, chief = Desk(app, "clerk1"), Desk(app, "clerk2"), Desk(app, "chief")
    before = version_of(app, paper.e3, paper.j2, "P1")
    for clerk in (first, second):
        assert enter(clerk, paper, paper.e3, paper.j2, P1="25", P2="1").status_code == 302
    # The clerks agree on 25, the tablet says 21: the tablet value stays, flagged.
    assert score_states(app, paper.e3, paper.j2) == {
        "P1": (Decimal(21), ScoreState.SUBMITTED),
        "P2": (Decimal(1), ScoreState.SUBMITTED),
    }
    assert version_of(app, paper.e3, paper.j2, "P1") == before
    html = sheet(first, paper, paper.e3, paper.j2)
    assert "平板上已提交：21" in html
    assert shown(html)["P1"] == ("25", "两次录入一致，但裁判在平板上提交的是 21：由裁判长裁定")
    assert shown(html)["P2"] == ("1", "一致：已计入成绩")
    assert "/paper/decide" not in html  # the clerks do not decide
    chief_page = chief.get(f"/chief/trades/{paper.trade}/paper").get_data(as_text=True)
    assert f'action="/chief/trades/{paper.trade}/paper/decide"' in chief_page
    assert "纸质 25，平板 21" in chief_page
    desk_html = chief.get(f"/chief/trades/{paper.trade}").get_data(as_text=True)
    assert "P1 焊缝外观：J2 的纸质评分表为 25，平板上为 21；请裁定以哪个为准" in desk_html
    assert chief.post(f"/chief/trades/{paper.trade}/lock").status_code == 409

    # A clerk may not decide; a decision needs a reason.
    assert decide(first, paper, paper.e3, "J2", "P1", "paper").status_code == 403
    no_reason = decide(chief, paper, paper.e3, "J2", "P1", "paper", reason="")
    assert no_reason.status_code == 400 and "请填写原因。" in no_reason.get_data(as_text=True)
    nothing = decide(chief, paper, paper.e3, "J2", "P2", "paper")
    assert nothing.status_code == 409
    assert "该项分数的纸质评分表与平板并无不一致，无需裁定。" in nothing.get_data(as_text=True)

    # The chief judge takes the paper value: recorded with both values, the version moves on.
    taken = decide(chief, paper, paper.e3, "J2", "P1", "paper")
    assert taken.status_code == 302
    assert score_states(app, paper.e3, paper.j2)["P1"] == (Decimal(25), ScoreState.SUBMITTED)
    assert version_of(app, paper.e3, paper.j2, "P1") == before + 1
    [entry] = audit(app, "paper.keep_paper")
    assert (entry.old["value"], entry.old["paper_value"], entry.new["value"]) == ("21", "25", "25")
    assert entry.reason == "核对原始评分表" and entry.user_id == paper.users["chief"]
    with app.app_context():
        computed = compute(db.session.get(Trade, paper.trade))
        row = next(r for r in computed.entrants if r.code == "E3")
        assert row.score.components[1].criteria[0].values["J2"] == Decimal(25)

    # J3's sheet: the clerks agree on 20, the tablet says 22; the chief judge keeps 22.
    for clerk in (first, second):
        enter(clerk, paper, paper.e3, paper.j3, P1="20", P2="1")
    before = version_of(app, paper.e3, paper.j3, "P1")
    assert decide(chief, paper, paper.e3, "J3", "P1", "tablet").status_code == 302
    assert score_states(app, paper.e3, paper.j3)["P1"] == (Decimal(22), ScoreState.SUBMITTED)
    assert version_of(app, paper.e3, paper.j3, "P1") == before + 1
    [kept] = audit(app, "paper.keep_tablet")
    assert (kept.old["value"], kept.old["paper_value"], kept.new["value"]) == ("22", "20", "22")
    assert shown(sheet(first, paper, paper.e3, paper.j3))["P1"][1] == (
        "两次录入一致；裁判长裁定保留平板上的 22"
    )
    with app.app_context():
        assert paper_mismatches(db.session.get(Trade, paper.trade)) == []
    # Decided once: deciding again finds nothing to decide.
    assert decide(chief, paper, paper.e3, "J3", "P1", "paper").status_code == 409
    # A clerk who corrects an entry reopens the question.
    enter(first, paper, paper.e3, paper.j3, P1="21")
    enter(second, paper, paper.e3, paper.j3, P1="21")
    with app.app_context():
        found = paper_mismatches(db.session.get(Trade, paper.trade))
        assert [(d.kind, d.criterion, d.detail, d.tablet) for d in found] == [
            ("tablet", "P1", "21", Decimal(22))
        ]


def test_an_entry_that_differs_from_the_tablet_is_reported_as_waiting_for_the_chief(app, paper):
    """The clerk whose entry makes a value agreed that the tablet contradicts is told so —
    not "0 agreed, 0 waiting, 0 different", as if nothing had been saved."""
    first, second = Desk(app, "clerk1"), Desk(app, "clerk2")
    assert enter(first, paper, paper.e3, paper.j2, P1="25", P2="1").status_code == 302
    assert enter(second, paper, paper.e3, paper.j2, P1="25", P2="1").status_code == 302
    assert (
        "已保存：2 项一致（其中 1 项与裁判在平板上提交的分数不同，由裁判长裁定以哪个为准），"
        "0 项等待第二名录分员录入，0 项与另一次录入不一致。"
    ) in sheet(second, paper, paper.e3, paper.j2)
    with second.client.session_transaction() as session:
        session["lang"] = "en"
    assert enter(second, paper, paper.e3, paper.j2, P1="25", P2="1").status_code == 302
    assert (
        "Saved: 2 agreed, 1 of them different from the value the judge submitted on the tablet "
        "(the chief judge decides which holds); 0 waiting for the second clerk, 0 different "
        "from the other entry."
    ) in sheet(second, paper, paper.e3, paper.j2)


def test_paper_entries_and_decisions_are_refused_once_the_results_are_published(app, paper):
    with app.app_context():
        db.session.add(Publication(event_id=paper.event, kind="results", payload={}))
        db.session.commit()
    refused = enter(Desk(app, "clerk1"), paper, paper.e3, paper.j2, P1="25")
    assert refused.status_code == 423
    assert "成绩已公布；如需修改，请先说明原因撤回公布。" in refused.get_data(as_text=True)
    assert entries(app) == 0
    page = Desk(app, "clerk1").get(f"/chief/trades/{paper.trade}/paper").get_data(as_text=True)
    assert "成绩已公布" in page
    decision = decide(Desk(app, "chief"), paper, paper.e3, "J2", "P1", "paper")
    assert decision.status_code == 423
