"""Appeals (申诉): filed by a unit's team leader in the trade's appeal window, one per entrant;
decided once with a reason, before the results are published; an upheld appeal unlocks the
trade, and each sheet the chief judge then sends back can be scored again by its judge after
scoring closed, until it is resubmitted or the results are published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.appeals import services as appeals
from contest.appeals.models import Appeal
from contest.appeals.services import AppealError
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.lifecycle import NotNow
from contest.domain.stages import StageKind, StageState
from contest.events.models import Criterion, Trade, unit_contacts
from contest.judging import chief, sheets
from contest.judging.services import judge_for_user
from contest.publication import services as publications
from contest.publication.models import Decision
from contest.registration.models import RegistrationStatus
from contest.results.models import Score, ScoreState
from contest.stages import services as stages
from contest.stages.models import StageWindow
from tests.conftest import race
from tests.factories import (
    make_entrant,
    make_event,
    make_judge,
    make_trade,
    make_unit,
    make_user,
    score_fully,
    sign_off,
)

T0 = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
TEXT = "第3号工位焊件外观评分与现场录像不符，请复核。"


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def build() -> SimpleNamespace:
    """Scoring 48–56 h, appeals 56–60 h, public notice 72–96 h, publication at 100 h.
    WELD has E1 (unit A), E2 (unit B) and E3 (unit A, registration not approved); judge J1
    (account ``j1``) and chief judge J0 (account ``chief``); ``contact`` acts for unit A,
    ``other-contact`` for unit B. Call inside an app context; committed."""
    event = make_event()
    weld = make_trade(event, "WELD", "焊工")
    a, b = make_unit(event, "A"), make_unit(event, "B")
    judge = make_user(Role.JUDGE, username="j1", name="李裁判")
    chief = make_user(Role.CHIEF_JUDGE, username="chief", name="王裁判长")
    make_judge(weld, "J0", user=chief, chief=True)
    make_judge(weld, "J1", user=judge)
    contact = make_user(Role.UNIT_CONTACT, username="contact", name="张领队")
    other = make_user(Role.UNIT_CONTACT, username="other-contact", name="赵领队")
    make_user(Role.ORGANISER, username="organiser", name="组委会")
    e1 = make_entrant(weld, a, "E1", station=1, name="张伟")
    e2 = make_entrant(weld, b, "E2", station=2, name="李娜")
    e3 = make_entrant(weld, a, "E3", name="王强", registration_status=RegistrationStatus.SUBMITTED)
    for kind, opens, closes in [
        (StageKind.SCORING, 48, 56),
        (StageKind.APPEAL, 56, 60),
        (StageKind.PUBLIC_NOTICE, 72, 96),
        (StageKind.PUBLISH, 100, None),
    ]:
        db.session.add(
            StageWindow(
                event=event,
                kind=kind,
                opens_at=at(opens),
                closes_at=at(closes) if closes is not None else None,
            )
        )
    db.session.flush()
    db.session.execute(
        unit_contacts.insert(),
        [{"unit_id": a.id, "user_id": contact.id}, {"unit_id": b.id, "user_id": other.id}],
    )
    db.session.commit()
    return SimpleNamespace(
        event=event, weld=weld, a=a, b=b, e1=e1, e2=e2, e3=e3,
        judge=judge, chief=chief, contact=contact, other=other,
    )  # fmt: skip


def clock(hours: float) -> None:
    """Let the scheduler apply what is due at ``hours`` and commit."""
    stages.apply_due(at(hours))
    db.session.commit()


def count_appeals() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Appeal)).scalar_one()


def audit(action: str) -> list[AuditEntry]:
    return list(
        db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).scalars()
    )


def lock(trade: Trade, by: User) -> None:
    """Sign the trade off (as the chief judge's lock does)."""
    trade.locked_at, trade.locked_by_id = utcnow(), by.id
    db.session.commit()


@pytest.fixture
def w(ctx):
    return build()


# --- filing ----------------------------------------------------------------------------------


def test_an_appeal_is_filed_in_the_window(w):
    clock(57)
    appeal = appeals.file(w.contact, w.e1, f"  {TEXT}  ")
    db.session.commit()
    assert (appeal.status, appeal.text, appeal.filed_by_id) == (
        Decision.PENDING,
        TEXT,
        w.contact.id,
    )
    assert (appeal.trade_id, appeal.event_id) == (w.weld.id, w.event.id)
    assert appeals.for_unit(w.a) == [appeal] and appeals.for_unit(w.b) == []
    assert appeals.for_trade(w.weld) == [appeal]
    assert appeals.appeal_for(w.e1) == appeal and appeals.appeal_for(w.e2) is None
    [entry] = audit("appeal.file")
    assert entry.user_id == w.contact.id and entry.new["entrant"] == "E1"


@pytest.mark.parametrize(
    "hours, state",
    [((50,), StageState.PENDING), ((57, 60), StageState.CLOSED)],
    ids=["before-it-opens", "after-it-closed"],
)
def test_an_appeal_outside_the_window_is_refused(w, hours, state):
    for moment in hours:
        clock(moment)
    with pytest.raises(stages.WindowClosed) as refused:
        appeals.file(w.contact, w.e1, TEXT)
    db.session.rollback()
    closure = refused.value.params
    assert closure["stage"] == StageKind.APPEAL
    assert (closure["stage"], closure["state"]) == ("appeal", state.value)
    assert closure["at"] == (at(56) if state == StageState.PENDING else at(60))
    assert count_appeals() == 0 and audit("appeal.file") == []


def test_an_appeal_window_closed_by_hand_refuses_at_once(w):
    clock(57)
    window = stages.window(w.event, StageKind.APPEAL, w.weld)
    stages.transition(window, StageState.CLOSED, w.chief, "提前截止", at=at(58))
    db.session.commit()
    with pytest.raises(stages.WindowClosed):
        appeals.file(w.contact, w.e1, TEXT)
    db.session.rollback()
    assert count_appeals() == 0


def test_a_trade_with_its_own_appeal_window_follows_it(w):
    db.session.add(
        StageWindow(
            event=w.event, trade=w.weld, kind=StageKind.APPEAL, opens_at=at(62), closes_at=at(64)
        )
    )
    db.session.commit()
    clock(57)  # the event's appeal window is open, but not WELD's own
    with pytest.raises(stages.WindowClosed):
        appeals.file(w.contact, w.e1, TEXT)
    db.session.rollback()
    clock(63)
    assert appeals.file(w.contact, w.e1, TEXT).status == Decision.PENDING


def test_a_second_appeal_for_the_same_entrant_is_refused(w):
    clock(57)
    first = appeals.file(w.contact, w.e1, TEXT)
    db.session.commit()
    with pytest.raises(AppealError) as refused:
        appeals.file(w.contact, w.e1, "另一份申诉：理论成绩登记有误，请核对。")
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == (AppealError.DUPLICATE, 409)
    assert count_appeals() == 1 and db.session.get(Appeal, first.id).text == TEXT


@pytest.mark.parametrize("text", ["", "   ", "太短了", "x" * 2001])
def test_an_appeal_too_short_or_too_long_is_refused(w, text):
    clock(57)
    with pytest.raises(AppealError) as refused:
        appeals.file(w.contact, w.e1, text)
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == (AppealError.TEXT, 400)
    assert refused.value.params == {"low": 10, "high": 2000}
    assert count_appeals() == 0


def test_the_limits_themselves_are_accepted(w):
    clock(57)
    appeals.file(w.contact, w.e1, "x" * 10)
    appeals.file(w.other, w.e2, "y" * 2000)
    db.session.commit()
    assert count_appeals() == 2


def test_an_entrant_not_approved_cannot_be_appealed_for(w):
    clock(57)
    with pytest.raises(AppealError) as refused:
        appeals.file(w.contact, w.e3, TEXT)
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == (AppealError.NOT_COMPETING, 404)
    assert count_appeals() == 0


# --- deciding --------------------------------------------------------------------------------


def filed(w, entrant=None):
    clock(57)
    appeal = appeals.file(w.contact if entrant is None else w.other, entrant or w.e1, TEXT)
    db.session.commit()
    return appeal


def save(w, entrant, value="30", base=None):
    """Judge J1 saves a value for P1 of ``entrant`` (``base``: the version J1 saw)."""
    score = sheets.save(w.judge, w.weld, entrant, "P1", Decimal(value), base)
    db.session.commit()
    return score


def submitted(w):
    """J1 scores E1 and E2 (P1 and P2: 30) in the scoring window and submits both sheets."""
    clock(50)
    for entrant in (w.e1, w.e2):
        for code in ("P1", "P2"):
            sheets.save(w.judge, w.weld, entrant, code, Decimal(30), None)
        sheets.submit(w.judge, w.weld, entrant)
    db.session.commit()


def version(w, entrant) -> int:
    """The version of J1's P1 for ``entrant``."""
    return sheets.load(w.judge, w.weld, entrant).item("P1").score.version


def refused_save(w, entrant, value="31") -> NotNow:
    with pytest.raises(NotNow) as refused:
        save(w, entrant, value, version(w, entrant))
    db.session.rollback()
    return refused.value


def test_an_upheld_appeal_and_the_chief_judges_rescore_order_reopen_only_that_sheet(w):
    submitted(w)
    appeal = filed(w)
    clock(61)  # scoring closed at 56, appeals at 60
    lock(w.weld, w.chief)
    assert refused_save(w, w.e1).code == "locked"

    appeals.decide(w.chief, appeal, True, "录像显示评分有误，同意复核")
    db.session.commit()

    db.session.expire_all()
    assert appeal.status == Decision.UPHELD and appeal.decided_by_id == w.chief.id
    assert appeal.decision_reason == "录像显示评分有误，同意复核" and appeal.decided_at
    assert w.weld.is_locked is False
    [unlocked] = audit("trade.unlock")
    assert unlocked.reason == "录像显示评分有误，同意复核"
    [decided] = audit("appeal.decide")
    assert decided.new == {"status": "upheld", "entrant": "E1"}
    # The appeal alone reopens no sheet: scoring has closed.
    refused = refused_save(w, w.e1)
    assert (refused.code, refused.status) == ("scoring_closed", 423)

    # The chief judge sends J1's sheet of E1 back: that sheet, and only that one, opens.
    j1 = judge_for_user(w.judge, w.weld)
    chief.request_rescore(w.chief, w.weld, w.e1, j1, "申诉成立，请复核P1")
    db.session.commit()
    score = save(w, w.e1, "35", version(w, w.e1))
    assert (score.value, score.state) == (Decimal(35), ScoreState.DRAFT)
    assert refused_save(w, w.e2).code == "scoring_closed"
    with pytest.raises(NotNow) as other:  # another judge's sheet of E1 stays closed
        sheets.save(w.chief, w.weld, w.e1, "P1", Decimal(1), None)
    db.session.rollback()
    assert other.value.code == "scoring_closed"

    # Resubmitted: the order is done and the sheet closes again.
    sheets.submit(w.judge, w.weld, w.e1)
    db.session.commit()
    [done] = audit("sheet.submit")[-1:]
    assert done.new["rescore"] == "申诉成立，请复核P1"
    assert refused_save(w, w.e1, "36").code == "scoring_closed"
    stored = db.session.execute(
        sa.select(Score.entrant_id, Score.value, Score.state)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(Criterion.code == "P1")
        .order_by(Score.entrant_id)
    ).all()
    assert stored == [
        (w.e1.id, Decimal(35), ScoreState.SUBMITTED),
        (w.e2.id, Decimal(30), ScoreState.SUBMITTED),
    ]


def test_an_upheld_appeal_on_an_unlocked_trade_unlocks_nothing(w):
    appeal = filed(w)
    appeals.decide(w.chief, appeal, True, "同意复核")
    db.session.commit()
    assert audit("trade.unlock") == []


def publish_at_100(w) -> None:
    """Every result complete and the trade signed off, then the publication instant."""
    score_fully(w.weld)
    sign_off(w.weld)
    db.session.commit()
    clock(100)
    assert publications.published(w.event, publications.RESULTS) is not None


def test_a_rescore_order_ends_when_the_results_are_published(w):
    submitted(w)
    appeal = filed(w)
    appeals.decide(w.chief, appeal, True, "同意复核")
    db.session.commit()
    chief.request_rescore(w.chief, w.weld, w.e1, judge_for_user(w.judge, w.weld), "复核")
    db.session.commit()
    publications.publish(w.event, publications.RESULTS, {"results": {}})  # published
    db.session.commit()
    refused = refused_save(w, w.e1)
    assert (refused.code, refused.status) == ("published", 423)
    with pytest.raises(NotNow) as again:  # nor can the chief judge send another sheet back
        chief.request_rescore(w.chief, w.weld, w.e2, judge_for_user(w.judge, w.weld), "复核")
    db.session.rollback()
    assert again.value.code == "published"


def test_a_rejected_appeal_changes_nothing_else(w):
    appeal = filed(w)
    clock(61)
    lock(w.weld, w.chief)
    locked_at = w.weld.locked_at
    appeals.decide(w.chief, appeal, False, "经复核，评分无误")
    db.session.commit()
    db.session.expire_all()
    assert (appeal.status, appeal.decision_reason) == (Decision.REJECTED, "经复核，评分无误")
    assert w.weld.locked_at == locked_at and audit("trade.unlock") == []
    with pytest.raises(NotNow) as refused:
        save(w, w.e1)
    db.session.rollback()
    assert refused.value.code == "locked"


def test_an_appeal_is_decided_once(w):
    appeal = filed(w)
    appeals.decide(w.chief, appeal, False, "评分无误")
    db.session.commit()
    for upheld in (True, False):
        with pytest.raises(AppealError) as refused:
            appeals.decide(w.chief, appeal, upheld, "改判")
        db.session.rollback()
        assert (refused.value.code, refused.value.status) == (AppealError.DECIDED, 409)
    db.session.expire_all()
    assert (appeal.status, appeal.decision_reason) == (Decision.REJECTED, "评分无误")
    assert len(audit("appeal.decide")) == 1


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_decision_needs_a_reason(w, reason):
    appeal = filed(w)
    with pytest.raises(AppealError) as refused:
        appeals.decide(w.chief, appeal, True, reason)
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == (AppealError.REASON_REQUIRED, 400)
    db.session.expire_all()
    assert appeal.status == Decision.PENDING and audit("appeal.decide") == []


def test_no_decision_after_the_results_are_published(w):
    appeal = filed(w)
    publish_at_100(w)
    with pytest.raises(AppealError) as refused:
        appeals.decide(w.chief, appeal, True, "同意复核")
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == (AppealError.PUBLISHED, 409)
    db.session.expire_all()
    assert appeal.status == Decision.PENDING


def test_two_decisions_at_the_same_moment_record_one(app, w):
    appeal_id, users = filed(w).id, {"chief": w.chief.id, "organiser": None}
    users["organiser"] = db.session.execute(
        sa.select(User.id).where(User.username == "organiser")
    ).scalar_one()

    def decide(who, upheld):
        def run():
            with app.app_context():
                try:
                    appeals.decide(
                        db.session.get(User, users[who]),
                        db.session.get(Appeal, appeal_id),
                        upheld,
                        f"{who} 的决定",
                    )
                    db.session.commit()
                    return "ok"
                except AppealError as error:
                    db.session.rollback()
                    return error.code

        return run

    answers = race([decide("chief", True), decide("organiser", False)])
    assert sorted(answers) == ["decided", "ok"]
    db.session.expire_all()
    appeal = db.session.get(Appeal, appeal_id)
    winner = "chief" if answers[0] == "ok" else "organiser"
    assert appeal.decision_reason == f"{winner} 的决定"
    assert len(audit("appeal.decide")) == 1
