"""Registrations hold together with the later stages: a returned registration is corrected
during the review, reviews happen only in their windows, nothing a later stage depends on is
deleted (the entrant withdraws instead), an entrant with a station never changes trade."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.scoring import DeclaredStatus
from contest.domain.stages import StageKind, StageState
from contest.events.models import Event, Judge, Trade, Unit
from contest.publication.models import Certificate
from contest.registration import services as registration
from contest.registration.facts import kept
from contest.registration.models import Entrant, RegistrationStatus
from contest.results.models import Score, TradeResultRecord
from contest.stages.models import StageWindow
from tests.conftest import login, post, race
from tests.factories import make_entrant, make_user
from tests.rosters import person
from tests.web import test_documents, test_registration
from tests.web.test_registration import entrants, entry

#: The fixtures of the registration and the documents tests.
desk, games = test_registration.desk, test_documents.games


def set_windows(app, event_id: int, registration: StageState, review: StageState | None = None):
    """The event's registration window in ``registration``; a review window (planned after
    it) in ``review``, or none."""
    with app.app_context():
        db.session.execute(
            sa.update(StageWindow)
            .where(StageWindow.event_id == event_id, StageWindow.kind == StageKind.REGISTRATION)
            .values(state=registration)
        )
        db.session.execute(
            sa.delete(StageWindow).where(
                StageWindow.event_id == event_id, StageWindow.kind == StageKind.REVIEW
            )
        )
        if review is not None:
            now = datetime.now(UTC)
            db.session.add(
                StageWindow(
                    event_id=event_id, kind=StageKind.REVIEW, opens_at=now + timedelta(days=2),
                    closes_at=now + timedelta(days=3), state=review,
                )
            )  # fmt: skip
        db.session.commit()


def decide(client, event_id: int, ids: list[int], approve: bool = True, reason: str = ""):
    action = {"approve": "1"} if approve else {"send_back": "1", "reason": reason}
    path = f"/registration/events/{event_id}/review?status="
    return post(client, path, {"entrant": [str(i) for i in ids], **action})


def edit(client, unit_id: int, entrant: Entrant, **fields):
    data = entry(0, name=entrant.name, id_number=entrant.id_number, trade=entrant.trade.code)
    data.update(fields)
    return post(client, f"/unit/{unit_id}/entrants/{entrant.id}", data)


def audit_actions(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                sa.select(AuditEntry.action, AuditEntry.reason)
                .where(AuditEntry.entity == "entrant")
                .order_by(AuditEntry.id)
            )
        ]


@pytest.fixture
def two(app, client, desk):
    """Two registrations of unit A, submitted while registration is open."""
    login(client, "contact-a")
    for n in (1, 2):
        assert post(client, f"/unit/{desk.a}/entrants/new", entry(n)).status_code == 302
    return entrants(app)


# --- a returned registration during the review --------------------------------------------------


def test_a_returned_registration_is_corrected_until_the_review_closes(app, client, desk, two):
    returned, waiting = two
    login(staff := app.test_client(), "organiser")
    assert decide(staff, desk.event, [returned.id], False, "证书照片不清晰").status_code == 302
    set_windows(app, desk.event, StageState.CLOSED, review=StageState.OPEN)

    page = client.get(f"/unit/{desk.a}").get_data(as_text=True)
    assert "被退回修改的报名可在审核阶段结束前修改后重新提交" in page
    assert f'/entrants/{returned.id}"' in page and f'/entrants/{waiting.id}"' not in page

    response = edit(client, desk.a, returned, employer="新单位")
    assert response.status_code == 302
    corrected = entrants(app)[0]
    assert corrected.employer == "新单位"
    assert corrected.registration_status == RegistrationStatus.SUBMITTED
    assert corrected.review_note is None

    # Only a returned registration: not one awaiting review, nor this one once resubmitted.
    for entrant in (waiting, corrected):
        refused = edit(client, desk.a, entrant, employer="又改了")
        assert refused.status_code == 409
        assert "报名已截止。被退回修改的报名可在审核阶段结束前修改后重新提交。" in (
            refused.get_data(as_text=True)
        )
    assert [e.employer for e in entrants(app)] == ["新单位", None]
    # A new registration still needs the registration window.
    assert post(client, f"/unit/{desk.a}/entrants/new", entry(3)).status_code == 409


def test_after_the_review_closes_a_returned_registration_is_not_corrected(app, client, desk, two):
    returned, _ = two
    login(staff := app.test_client(), "organiser")
    decide(staff, desk.event, [returned.id], False, "证书照片不清晰")
    set_windows(app, desk.event, StageState.CLOSED, review=StageState.CLOSED)
    refused = edit(client, desk.a, returned, employer="新单位")
    assert refused.status_code == 409
    assert "报名已截止" in refused.get_data(as_text=True)
    assert entrants(app)[0].registration_status == RegistrationStatus.RETURNED


# --- the review window -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["organiser", "admin"])
def test_registrations_are_reviewed_only_while_registration_or_review_is_open(app, desk, two, who):
    with app.app_context():
        make_user(Role.ADMIN, username="admin")
        db.session.commit()
    first, second = two
    login(staff := app.test_client(), who)
    set_windows(app, desk.event, StageState.CLOSED)
    page = staff.get(f"/registration/events/{desk.event}/review").get_data(as_text=True)
    assert "报名和审核阶段均未开放，现在不能审核报名。" in page
    for approve in (True, False):
        refused = decide(staff, desk.event, [first.id], approve, "资料不全")
        assert refused.status_code == 409
        assert "报名和审核阶段均未开放，现在不能审核报名。" in refused.get_data(as_text=True)
    assert {e.registration_status for e in entrants(app)} == {RegistrationStatus.SUBMITTED}

    set_windows(app, desk.event, StageState.CLOSED, review=StageState.OPEN)
    assert decide(staff, desk.event, [first.id]).status_code == 302
    assert decide(staff, desk.event, [second.id], False, "资料不全").status_code == 302
    statuses = [e.registration_status for e in entrants(app)]
    assert statuses == [RegistrationStatus.APPROVED, RegistrationStatus.RETURNED]

    set_windows(app, desk.event, StageState.CLOSED, review=StageState.CLOSED)
    assert decide(staff, desk.event, [second.id]).status_code == 409  # no late approval


def test_a_registration_with_a_station_is_not_returned(app, desk):
    with app.app_context():
        drawn = make_entrant(
            db.session.get(Trade, desk.weld), db.session.get(Unit, desk.a), "E9", station=3
        )
        db.session.commit()
        drawn_id = drawn.id
    login(staff := app.test_client(), "organiser")
    refused = decide(staff, desk.event, [drawn_id], False, "照片不清晰")
    assert refused.status_code == 409
    assert "该选手已抽签分配工位，不能再撤回或更换工种，请改为办理退赛" in (
        refused.get_data(as_text=True)
    )
    assert entrants(app)[0].registration_status == RegistrationStatus.APPROVED


# --- taking back and withdrawing -------------------------------------------------------------


def test_a_returned_registration_is_taken_back_during_the_review(app, client, desk, two):
    returned, waiting = two
    login(staff := app.test_client(), "organiser")
    decide(staff, desk.event, [returned.id], False, "证书照片不清晰")
    set_windows(app, desk.event, StageState.CLOSED, review=StageState.OPEN)
    assert post(client, f"/unit/{desk.a}/entrants/{returned.id}/remove").status_code == 302
    refused = post(client, f"/unit/{desk.a}/entrants/{waiting.id}/remove")
    assert refused.status_code == 409
    assert "报名已截止" in refused.get_data(as_text=True)
    assert [e.id for e in entrants(app)] == [waiting.id]


def test_an_approved_registration_is_withdrawn_not_deleted(app, client, desk, two):
    approved, _ = two
    login(staff := app.test_client(), "organiser")
    decide(staff, desk.event, [approved.id])
    page = client.get(f"/unit/{desk.a}").get_data(as_text=True)
    assert page.count(">退赛</button>") == 1 and page.count(">撤回</button>") == 1

    refused = post(client, f"/unit/{desk.a}/entrants/{approved.id}/remove")
    assert refused.status_code == 409
    assert "选手1 的报名已审核通过，或已有工位、成绩或证书，不能撤回。请改为办理退赛" in (
        refused.get_data(as_text=True)
    )
    no_reason = post(client, f"/unit/{desk.a}/entrants/{approved.id}/withdraw", {"reason": " "})
    assert no_reason.status_code == 400
    assert "请填写退赛原因。" in no_reason.get_data(as_text=True)
    assert len(entrants(app)) == 2 and entrants(app)[0].status is None

    response = post(client, f"/unit/{desk.a}/entrants/{approved.id}/withdraw",
                    {"reason": "工作调动，无法参赛"})  # fmt: skip
    assert response.status_code == 302
    withdrawn = entrants(app)[0]
    assert (withdrawn.status, withdrawn.status_reason) == (DeclaredStatus.WD, "工作调动，无法参赛")
    assert withdrawn.registration_status == RegistrationStatus.APPROVED
    assert ("entrant.withdraw", "工作调动，无法参赛") in audit_actions(app)

    page = client.get(f"/unit/{desk.a}").get_data(as_text=True)
    assert "选手1" in page and "退赛</span>" in page and "工作调动，无法参赛" in page
    assert f"/entrants/{approved.id}/withdraw" not in page
    again = post(client, f"/unit/{desk.a}/entrants/{approved.id}/withdraw", {"reason": "再次"})
    assert again.status_code == 409 and "选手1 已标记为“退赛”。" in again.get_data(as_text=True)
    refused = edit(client, desk.a, withdrawn, employer="新单位")
    assert refused.status_code == 409
    assert "报名信息现在只能由组委会修改" in refused.get_data(as_text=True)

    # The organiser's lists: withdrawn entrants apart, marked, never reviewed again.
    listing = staff.get(f"/registration/events/{desk.event}/review").get_data(as_text=True)
    assert "退赛 1" in listing and "选手1" not in listing  # not awaiting review
    listing = staff.get(f"/registration/events/{desk.event}/review?status=WD")
    assert "选手1" in listing.get_data(as_text=True)
    refused = decide(staff, desk.event, [approved.id], False, "资料不全")
    assert refused.status_code == 409 and "选手1 已退赛，其报名不再审核。" in (
        refused.get_data(as_text=True)
    )


def test_a_registration_once_approved_is_never_deleted(app, client, desk, two):
    first, _ = two
    login(staff := app.test_client(), "organiser")
    decide(staff, desk.event, [first.id])
    decide(staff, desk.event, [first.id], False, "需补充材料")
    refused = post(client, f"/unit/{desk.a}/entrants/{first.id}/remove")
    assert refused.status_code == 409
    assert len(entrants(app)) == 2


def test_nothing_a_later_stage_refers_to_is_taken_back(app, desk, two):
    first, second = two
    with app.app_context():
        entrant = db.session.get(Entrant, first.id)
        criterion = db.session.get(Trade, desk.weld).components[1].criteria[0]
        judge = make_user(Role.JUDGE)
        panel_judge = Judge(event_id=desk.event, code="J1", name="裁判", user=judge)
        db.session.add(Score(entrant=entrant, criterion=criterion, judge=panel_judge, value=30))
        db.session.commit()
        assert kept(entrants(app)) == {first.id}
    login(staff := app.test_client(), "organiser")
    response = post(staff, f"/unit/{desk.a}/entrants/{first.id}/remove", {"reason": "补正"})
    assert response.status_code == 409
    assert post(staff, f"/unit/{desk.a}/entrants/{second.id}/remove").status_code == 302
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Score)).scalar_one() == 1


def test_a_published_medallist_is_neither_removed_nor_withdrawn(app, client, games):
    """On a published event (its trades locked, as publication requires): the entrant with
    a gold certificate can be neither removed nor withdrawn; every score and certificate
    stays and the certificate still verifies (revoking it, with a reason, is the way)."""
    code = games.codes[("gold", "E1")]
    issued = sorted(c for (_, entrant), c in games.codes.items() if entrant == "E1")
    with app.app_context():
        e1 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E1")).scalar_one()
        e1_id, unit_id = e1.id, e1.unit_id
        scores = sa.select(sa.func.count()).select_from(Score).where(Score.entrant_id == e1_id)
        before = db.session.execute(scores).scalar_one()
    assert before
    login(client, "organiser")
    refused = post(client, f"/unit/{unit_id}/entrants/{e1_id}/remove", {"reason": "单位要求"})
    assert refused.status_code == 409
    refused = post(client, f"/unit/{unit_id}/entrants/{e1_id}/withdraw", {"reason": "因伤退赛"})
    assert refused.status_code == 423
    assert "裁判长已锁定本工种" in refused.get_data(as_text=True)
    with app.app_context():
        e1 = db.session.get(Entrant, e1_id)
        assert e1.status is None
        assert db.session.execute(scores).scalar_one() == before
        certificates = sa.select(Certificate.code).where(Certificate.entrant_id == e1_id)
        assert sorted(db.session.execute(certificates).scalars()) == issued
    verified = client.get(f"/verify/{code}")
    assert verified.status_code == 200 and "证书真实有效" in verified.get_data(as_text=True)


def test_no_withdrawal_once_the_chief_judge_has_locked_the_trade(app, client, world):
    with app.app_context():
        db.session.execute(sa.update(Trade).values(locked_at=datetime.now(UTC)))
        e1 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E1")).scalar_one()
        db.session.commit()
        e1_id = e1.id
    login(client, "organiser")
    page = client.get(f"/unit/{world.unit_a}").get_data(as_text=True)
    assert "/withdraw" not in page
    response = post(client, f"/unit/{world.unit_a}/entrants/{e1_id}/withdraw", {"reason": "伤"})
    assert response.status_code == 423
    assert "裁判长已锁定本工种" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Entrant, e1_id).status is None


@pytest.mark.parametrize("who, status", [("other-contact", 403), ("judge", 403), ("entrant", 403)])
def test_only_the_units_contact_and_staff_withdraw(app, client, world, who, status):
    with app.app_context():
        e1_id = db.session.execute(sa.select(Entrant.id).where(Entrant.code == "E1")).scalar_one()
    login(client, who)
    path = f"/unit/{world.unit_a}/entrants/{e1_id}/withdraw"
    assert post(client, path, {"reason": "伤"}).status_code == status
    with app.app_context():
        assert db.session.get(Entrant, e1_id).status is None


def test_the_units_contact_withdraws_a_drawn_entrant(app, client, world):
    with app.app_context():
        e1_id = db.session.execute(sa.select(Entrant.id).where(Entrant.code == "E1")).scalar_one()
    login(client, "unit_contact")
    assert post(client, f"/unit/{world.unit_a}/entrants/{e1_id}/remove").status_code == 409
    path = f"/unit/{world.unit_a}/entrants/{e1_id}/withdraw"
    assert post(client, path, {"reason": "身体原因"}).status_code == 302
    with app.app_context():
        assert db.session.get(Entrant, e1_id).status == DeclaredStatus.WD


def test_taking_back_while_the_organiser_approves(app, desk, two):
    """At the same moment: either the registration is deleted before the approval (which
    then finds nothing), or approved first (and then kept); never an error."""
    first, _ = two
    contact, staff = app.test_client(), app.test_client()
    login(contact, "contact-a")
    login(staff, "organiser")
    answers = race([
        lambda: post(contact, f"/unit/{desk.a}/entrants/{first.id}/remove"),
        lambda: decide(staff, desk.event, [first.id]),
    ])  # fmt: skip
    statuses = sorted(r.status_code for r in answers)
    left = [e for e in entrants(app) if e.id == first.id]
    if left:
        assert statuses == [302, 409] and left[0].registration_status == RegistrationStatus.APPROVED
    else:
        assert statuses == [302, 400]  # nothing left to approve


# --- moves --------------------------------------------------------------------------------------


def test_an_entrant_with_a_station_does_not_change_trade(app, client, world):
    with app.app_context():
        e1 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E1")).scalar_one()
        e1.trade  # noqa: B018 (loaded for the form)
    login(client, "organiser")
    refused = edit(client, world.unit_a, e1, trade="ELEC", reason="改报电工")
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "该选手已抽签分配工位，不能再撤回或更换工种，请改为办理退赛" in page
    assert "已更新" not in page
    with app.app_context():
        stored = db.session.get(Entrant, e1.id)
        assert (stored.trade_id, stored.station_no) == (world.weld, 1)
    # Other corrections by the organisers, with a reason, still go through.
    assert edit(client, world.unit_a, e1, trade="WELD", phone="13900002222",
                reason="更正手机号").status_code == 302  # fmt: skip
    login(contact := app.test_client(), "unit_contact")
    assert edit(contact, world.unit_a, e1, trade="ELEC").status_code == 409


def test_an_unstationed_entrant_moves_and_both_trades_are_recomputed(app, client, world):
    with app.app_context():
        weld, elec = db.session.get(Trade, world.weld), db.session.get(Trade, world.elec)
        late = make_entrant(weld, db.session.get(Unit, world.unit_a), "E7", id_number=person(7))
        db.session.commit()
        late.trade  # noqa: B018
    login(client, "organiser")
    assert edit(client, world.unit_a, late, trade="ELEC", reason="改报电工").status_code == 302
    with app.app_context():
        weld, elec = (
            db.session.get(TradeResultRecord, t).payload for t in (world.weld, world.elec)
        )
        assert "E7" not in {e["code"] for e in weld["entrants"]}
        assert "E7" in {e["code"] for e in elec["entrants"]}


def test_a_clash_on_a_unique_number_is_a_clear_409(app, client, world, monkeypatch):
    """Should a move meet another entrant's station, code or ID number in the new trade (a
    check passed by a concurrent change), it is refused with a message, nothing saved."""
    with app.app_context():
        db.session.get(Event, world.event_id).multiple_trades_allowed = True
        weld = db.session.get(Trade, world.weld)
        elec = db.session.get(Trade, world.elec)
        unit = db.session.get(Unit, world.unit_a)
        late = make_entrant(weld, unit, "E7", id_number=person(7))
        make_entrant(elec, unit, "E8", id_number=person(7))
        db.session.commit()
        late.trade  # noqa: B018
    monkeypatch.setattr(registration, "registered_in", lambda event, excluding=None: [])
    login(client, "organiser")
    response = edit(client, world.unit_a, late, trade="ELEC", reason="改报电工")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert (
        "无法将 选手E7 保存到电工：该工种已有选手使用相同的工位号、匿名编号或身份证号码。" in page
    )
    assert "已更新" not in page
    with app.app_context():
        assert db.session.get(Entrant, late.id).trade_id == world.weld
