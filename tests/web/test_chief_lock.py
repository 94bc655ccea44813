"""Signing a trade off: refused while incomplete (with the list), then every change refused
(the judges' tablets with 423), unlocking with a reason; and a lock racing a judge's save."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from contest.accounts.models import User
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.events.models import Criterion, Trade
from contest.publication import services as publications
from contest.results.models import Score
from tests.conftest import race
from tests.judging import Desk, Tablet
from tests.web.test_chief_desk import audit, build, score_states, statuses


@pytest.fixture
def scored(app):
    return build(app)


def locked_at(app, trade_id):
    with app.app_context():
        return db.session.get(Trade, trade_id).locked_at


def complete(app, desk, scored):
    """Settle E2 (the only incomplete entrant) by excusing J2 and J3 from it."""
    for judge in (scored.j2, scored.j3):
        response = desk.post(
            f"/chief/trades/{scored.trade}/excuse",
            {"excuse-entrant": scored.e2, "excuse-judge": judge, "excuse-reason": "评分表遗失"},
        )
        assert response.status_code == 302


def test_an_incomplete_trade_is_not_locked_and_says_what_is_missing(app, scored):
    desk = Desk(app, "chief")
    response = desk.post(f"/chief/trades/{scored.trade}/lock")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "本工种暂不能签字确认：尚有 2 项未处理（见下方列表）。" in html
    outstanding = html[html.index('id="outstanding"') : html.index("data-chief-live=")]
    assert "02 · A002" in outstanding
    assert "P1 焊缝外观：J3 尚未提交分数" in outstanding
    assert "P2 工艺评价：J2, J3 尚未提交分数 · 草稿未提交：J2" in outstanding
    assert "01 · A001" not in outstanding  # a spread is shown, but does not block
    assert locked_at(app, scored.trade) is None
    assert audit(app, "trade.lock") == []


def test_lock_then_every_change_is_refused_until_unlocked(app, scored):
    desk = Desk(app, "chief")
    complete(app, desk, scored)
    response = desk.post(f"/chief/trades/{scored.trade}/lock")
    assert response.status_code == 302
    assert locked_at(app, scored.trade) is not None
    [entry] = audit(app, "trade.lock")
    assert entry.user_id == scored.users["chief"]
    page = desk.get(f"/chief/trades/{scored.trade}").get_data(as_text=True)
    assert "已由 王裁判长 于" in page and "锁定并签字确认" in page
    assert "在重新锁定本工种之前成绩不再是最终成绩" in page  # what unlocking would undo

    # The desk refuses every change with 423 and the reason; nothing changes.
    for path, data in [
        ("rescore", {"rescore-entrant": scored.e3, "rescore-judge": scored.j2,
                     "rescore-reason": "复核"}),
        ("excuse", {"excuse-entrant": scored.e3, "excuse-judge": scored.j3,
                    "excuse-reason": "离场"}),
        ("time", {"time-entrant": scored.e3, "time-time": "10:00"}),
        ("status", {"status-entrant": scored.e3, "status-status": "WD", "status-reason": "退赛"}),
        ("lock", {}),
    ]:  # fmt: skip
        refused = desk.post(f"/chief/trades/{scored.trade}/{path}", data)
        assert refused.status_code == 423, path
        assert "本工种已锁定（已签字确认）。如需修改，请填写原因后解除锁定。" in refused.get_data(
            as_text=True
        )
    assert audit(app, "sheet.rescore") == [] and audit(app, "entrant.time") == []
    assert statuses(app, scored.event)["E3"] == "ok"

    # A judge's save through the API is refused with 423 and the Chinese message.
    tablet = Tablet(app, "j2")
    save = tablet.save(scored.trade, scored.e3, "P1", "24", base=1, reason="更正")
    assert save.status_code == 423
    assert save.get_json()["message"] == "裁判长已锁定本工种，成绩不能再修改。"
    assert score_states(app, scored.e3, scored.j2)["P1"][0] == Decimal(21)

    # Unlocking needs a reason; then the judge may save again.
    no_reason = desk.post(f"/chief/trades/{scored.trade}/unlock", {"unlock-reason": ""})
    assert no_reason.status_code == 400
    assert "请填写原因。" in no_reason.get_data(as_text=True)
    assert locked_at(app, scored.trade) is not None
    unlocked = desk.post(f"/chief/trades/{scored.trade}/unlock", {"unlock-reason": "申诉复核"})
    assert unlocked.status_code == 302
    assert locked_at(app, scored.trade) is None
    [entry] = audit(app, "trade.unlock")
    assert entry.reason == "申诉复核" and entry.old["locked_at"]
    again = tablet.save(scored.trade, scored.e3, "P1", "24", base=1, reason="更正")
    assert again.status_code == 200
    assert score_states(app, scored.e3, scored.j2)["P1"][0] == Decimal(24)
    not_locked = desk.post(f"/chief/trades/{scored.trade}/unlock", {"unlock-reason": "再次"})
    assert not_locked.status_code == 409
    assert "本工种未锁定。" in not_locked.get_data(as_text=True)


@pytest.mark.parametrize("username, status", [("j2", 403), ("other-chief", 403), ("contact", 403)])
def test_only_the_chief_judge_and_staff_lock_or_unlock(app, scored, username, status):
    desk = Desk(app, username)
    assert desk.post(f"/chief/trades/{scored.trade}/lock").status_code == status
    assert (
        desk.post(f"/chief/trades/{scored.trade}/unlock", {"unlock-reason": "x"}).status_code
        == status
    )
    assert locked_at(app, scored.trade) is None


def test_an_organiser_may_unlock_what_the_chief_signed_off(app, scored):
    chief = Desk(app, "chief")
    complete(app, chief, scored)
    assert chief.post(f"/chief/trades/{scored.trade}/lock").status_code == 302
    organiser = Desk(app, "organiser")
    response = organiser.post(f"/chief/trades/{scored.trade}/unlock", {"unlock-reason": "复核"})
    assert response.status_code == 302
    assert locked_at(app, scored.trade) is None


def test_published_results_cannot_be_unlocked_until_withdrawn(app, scored):
    """The published results stand on the sign-off: unlocking (which would let check-ins,
    statuses and scores change under them) waits until the publication is withdrawn."""
    chief = Desk(app, "chief")
    complete(app, chief, scored)
    assert chief.post(f"/chief/trades/{scored.trade}/lock").status_code == 302
    with app.app_context():
        event = db.session.get(Trade, scored.trade).event
        publications.publish(event, publications.RESULTS, {"results": {}})
        db.session.commit()
    refused = chief.post(f"/chief/trades/{scored.trade}/unlock", {"unlock-reason": "复核"})
    assert refused.status_code == 423
    assert "成绩已公布" in refused.get_data(as_text=True)
    assert locked_at(app, scored.trade) is not None
    with app.app_context():
        event = db.session.get(Trade, scored.trade).event
        organiser = db.session.execute(sa.select(User).where(User.username == "organiser"))
        publications.withdraw(organiser.scalar_one(), event, publications.RESULTS, "更正")
        db.session.commit()
    assert (
        chief.post(f"/chief/trades/{scored.trade}/unlock", {"unlock-reason": "复核"}).status_code
        == 302
    )
    assert locked_at(app, scored.trade) is None


# --- a lock racing a save --------------------------------------------------------------------


def test_a_lock_racing_a_save_is_consistent(app, scored):
    """The save either happens before the lock (and is in the signed-off scores) or is refused
    with 423; never is a value saved after the sign-off. Run several rounds so that both
    orders are likely to happen."""
    chief = Desk(app, "chief")
    complete(app, chief, scored)
    tablet = Tablet(app, "j2")
    outcomes = set()
    for round_ in range(6):
        with app.app_context():
            version = db.session.execute(
                sa.select(Score.version)
                .join(Criterion, Criterion.id == Score.criterion_id)
                .where(
                    Score.entrant_id == scored.e3,
                    Score.judge_id == scored.j2,
                    Criterion.code == "P1",
                )
            ).scalar_one()
        value = str(25 + round_)
        lock, save = race([
            lambda: chief.post(f"/chief/trades/{scored.trade}/lock"),
            lambda value=value, version=version: tablet.save(
                scored.trade, scored.e3, "P1", value, base=version, reason="更正"
            ),
        ])  # fmt: skip
        assert lock.status_code == 302  # the sheet stays submitted: nothing blocks the lock
        assert save.status_code in (200, 423), save.get_json()
        with app.app_context():
            trade = db.session.get(Trade, scored.trade)
            score = db.session.execute(
                sa.select(Score)
                .join(Criterion, Criterion.id == Score.criterion_id)
                .where(
                    Score.entrant_id == scored.e3,
                    Score.judge_id == scored.j2,
                    Criterion.code == "P1",
                )
            ).scalar_one()
            assert score.updated_at <= trade.locked_at
            lock_entry = (
                db.session.execute(
                    sa.select(AuditEntry)
                    .where(AuditEntry.action == "trade.lock")
                    .order_by(AuditEntry.id.desc())
                )
                .scalars()
                .first()
            )
            amends = db.session.execute(
                sa.select(AuditEntry).where(AuditEntry.action == "score.amend")
            ).scalars().all()  # fmt: skip
            assert all(a.at <= lock_entry.at and a.id < lock_entry.id for a in amends)
            if save.status_code == 200:
                outcomes.add("saved before the lock")
                assert score.value == Decimal(value)
            else:
                outcomes.add("refused")
                assert save.get_json()["message"] == "裁判长已锁定本工种，成绩不能再修改。"
                assert score.value != Decimal(value)
        assert chief.post(
            f"/chief/trades/{scored.trade}/unlock", {"unlock-reason": f"第{round_ + 1}轮"}
        ).status_code == 302  # fmt: skip
    assert outcomes  # at least one round ran; which orders happened depends on scheduling
