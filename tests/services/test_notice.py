"""The public notice (公示): real-name objections while the notice is open, the organisers'
decisions, and the final award lists published with them applied."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.stages import StageKind, StageState
from contest.events.models import AwardRule
from contest.publication import notice
from contest.publication import services as publications
from contest.publication.final import final_awards
from contest.publication.models import (
    Certificate,
    Decision,
    Objection,
    ObjectionAction,
    Publication,
)
from contest.publication.notice import NoticeError
from contest.results.models import ComponentScore
from contest.stages import services as stages
from contest.stages.models import StageWindow
from tests.factories import make_entrant, make_event, make_trade, make_unit, make_user
from tests.services.test_appeals import at

TEXT = "该选手所在单位与其工作单位不符，不符合参赛资格。"


def build() -> SimpleNamespace:
    """WELD with three entrants of three units, totals 90 / 80 / 70 (E1, E2, E3), signed off
    by its chief judge; award lists gold (top 1) and expert (ranks 1–3) in one group, and
    prize (top 3); scoring 48–56 h, public notice 72–96 h, publication at 100 h. Call inside
    an app context."""
    event = make_event()
    weld = make_trade(event, "WELD", "焊工", criteria=0)  # theory and practical, both direct
    weld.locked_at = at(60)
    for position, (code, title, select, group) in enumerate(
        [
            ("gold", "金牌工人", {"top": 1}, "title"),
            ("expert", "技术能手", {"ranks": [1, 3]}, "title"),
            ("prize", "优胜奖", {"top": 3}, None),
        ]
    ):
        db.session.add(
            AwardRule(event=event, position=position, code=code, title=title, select=select,
                      group=group)
        )  # fmt: skip
    for n, value in enumerate((90, 80, 70), start=1):
        entrant = make_entrant(weld, make_unit(event, f"U{n}"), f"E{n}", station=n)
        for component in weld.components:
            db.session.add(
                ComponentScore(entrant=entrant, component=component, value=Decimal(value))
            )
    for kind, opens, closes in [
        (StageKind.SCORING, 48, 56),
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
    organiser = make_user(Role.ORGANISER, username="organiser", name="组委会")
    db.session.commit()
    return SimpleNamespace(event=event, weld=weld, organiser=organiser)


def clock(hours: float) -> None:
    stages.apply_due(at(hours))
    db.session.commit()


def lists(awards) -> dict[str, list[str]]:
    """Award code → the entrant codes on it."""
    return {a["code"]: [row["entrant"] for row in a["entrants"]] for a in awards}


NOTICE_LISTS = {"gold": ["E1"], "expert": ["E2", "E3"], "prize": ["E1", "E2", "E3"]}


def count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Objection)).scalar_one()


def object_to(w, award="gold", entrant="E1", name="王五", phone="13912345678", text=TEXT):
    objection = notice.file(w.event, award, entrant, name, phone, text)
    db.session.commit()
    return objection


@pytest.fixture
def w(ctx):
    return build()


@pytest.fixture
def open_notice(w):
    """The notice window open (at 80 h) and the nomination list published."""
    clock(80)
    return w


def test_the_notice_publishes_the_nomination_lists(open_notice):
    assert lists(notice.nominations(open_notice.event)) == NOTICE_LISTS
    assert notice.award_codes(open_notice.event) == {
        "gold": "金牌工人",
        "expert": "技术能手",
        "prize": "优胜奖",
    }


# --- filing ----------------------------------------------------------------------------------


def test_an_objection_is_filed_while_the_notice_is_open(open_notice):
    objection = object_to(open_notice, phone=" 139 1234 5678 ", name=" 王五 ", text=f" {TEXT} ")
    assert (objection.award_code, objection.entrant_code) == ("gold", "E1")
    assert (objection.name, objection.phone, objection.text) == ("王五", "13912345678", TEXT)
    assert objection.status == Decision.PENDING
    assert notice.objections(open_notice.event) == [objection]
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "objection.file")
    ).scalar_one()
    assert entry.actor == "public: 王五" and entry.new == {"award": "gold", "entrant": "E1"}
    assert "13912345678" not in str(entry.new)  # the phone stays out of the audit log


def test_a_landline_with_its_area_code_is_accepted(open_notice):
    assert object_to(open_notice, phone="0571-87654321").phone == "0571-87654321"


@pytest.mark.parametrize(
    "moments, state",
    [((80, 96), StageState.CLOSED), ((60,), StageState.PENDING)],
    ids=["late", "before-the-notice"],
)
def test_an_objection_outside_the_notice_is_refused(w, moments, state):
    for hours in moments:
        clock(hours)
    with pytest.raises(stages.WindowClosed) as refused:
        notice.file(w.event, "gold", "E1", "王五", "13912345678", TEXT)
    db.session.rollback()
    assert refused.value.params["stage"] == StageKind.PUBLIC_NOTICE
    assert refused.value.params["state"] == state.value
    assert count() == 0


@pytest.mark.parametrize("award, entrant", [("gold", "E2"), ("nope", "E1"), ("prize", "E9")])
def test_an_objection_to_an_unknown_nomination_is_refused(open_notice, award, entrant):
    with pytest.raises(NoticeError) as refused:
        object_to(open_notice, award=award, entrant=entrant)
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == (NoticeError.UNKNOWN_NOMINATION, 404)
    assert count() == 0


def test_before_the_list_is_published_there_is_nothing_to_object_to(w):
    clock(80)
    db.session.execute(sa.delete(Publication))  # the window reopened without a list
    db.session.commit()
    with pytest.raises(NoticeError) as refused:
        object_to(w)
    db.session.rollback()
    assert refused.value.code == NoticeError.NOT_PUBLISHED and refused.value.status == 404


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("name", "", NoticeError.NAME),
        ("name", "王", NoticeError.NAME),
        ("name", "王" * 51, NoticeError.NAME),
        ("phone", "", NoticeError.PHONE),
        ("phone", "1381234567", NoticeError.PHONE),
        ("phone", "23812345678", NoticeError.PHONE),
        ("phone", "87654321", NoticeError.PHONE),
        ("phone", "1381234567x", NoticeError.PHONE),
        ("text", "", NoticeError.TEXT),
        ("text", "有问题", NoticeError.TEXT),
        ("text", "字" * 2001, NoticeError.TEXT),
    ],
)
def test_an_objection_needs_a_real_name_a_phone_and_a_reasoned_text(
    open_notice, field, value, code
):
    with pytest.raises(NoticeError) as refused:
        object_to(open_notice, **{field: value})
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == (code, 400)
    assert count() == 0


# --- decisions and the final lists -----------------------------------------------------------


def final(w) -> dict[str, list[str]]:
    return lists(final_awards(w.event)["awards"])


def published_lists(w) -> dict[str, list[str]]:
    payload = publications.published(w.event, publications.RESULTS).payload
    return lists(payload["awards"])


def certificates() -> set[tuple[str, str]]:
    rows = db.session.execute(sa.select(Certificate.award_code, Certificate.entrant_id)).all()
    return {(award, entrant) for award, entrant in rows}


def test_an_upheld_removal_takes_the_nomination_off_the_final_list(open_notice):
    w = open_notice
    objection = object_to(w, award="gold", entrant="E1")
    notice.decide(w.organiser, objection, True, "经核实，资格不符", ObjectionAction.REMOVE)
    db.session.commit()
    db.session.expire_all()
    assert (objection.status, objection.action) == (Decision.UPHELD, ObjectionAction.REMOVE)
    assert objection.decided_by_id == w.organiser.id and objection.new_award_code is None
    assert final(w) == {**NOTICE_LISTS, "gold": []}
    [change] = notice.changes(w.event)
    assert change["award"] == "gold" and change["entrant"] == "E1"
    assert change["action"] == "remove" and change["reason"] == "经核实，资格不符"
    assert lists(notice.nominations(w.event)) == NOTICE_LISTS  # what the public saw is kept

    clock(100)  # the notice closes, the results are published with the decision applied
    assert published_lists(w) == {**NOTICE_LISTS, "gold": []}
    payload = publications.published(w.event, publications.RESULTS).payload
    assert [c["entrant"] for c in payload["changes"]] == ["E1"]
    assert "gold" not in {award for award, _ in certificates()}


def test_an_upheld_change_moves_the_nomination_to_another_list(open_notice):
    w = open_notice
    objection = object_to(w, award="gold", entrant="E1")
    notice.decide(w.organiser, objection, True, "改评技术能手", "change", "expert")
    db.session.commit()
    db.session.expire_all()
    assert (objection.action, objection.new_award_code) == (ObjectionAction.CHANGE, "expert")
    expected = {**NOTICE_LISTS, "gold": [], "expert": ["E2", "E3", "E1"]}
    assert final(w) == expected
    [change] = notice.changes(w.event)
    assert (change["to"], change["to_title"]) == ("expert", "技术能手")
    clock(100)
    assert published_lists(w) == expected
    assert len([1 for award, _ in certificates() if award == "expert"]) == 3


def test_a_rejected_objection_leaves_the_lists_unchanged(open_notice):
    w = open_notice
    objection = object_to(w)
    notice.decide(w.organiser, objection, False, "经核实，资格符合", ObjectionAction.REMOVE, "x")
    db.session.commit()
    db.session.expire_all()
    assert (objection.status, objection.action, objection.new_award_code) == (
        Decision.REJECTED,
        None,
        None,
    )
    assert notice.changes(w.event) == [] and final(w) == NOTICE_LISTS
    clock(100)
    assert published_lists(w) == NOTICE_LISTS


def test_decisions_are_audited(open_notice):
    w = open_notice
    notice.decide(w.organiser, object_to(w), True, "资格不符", ObjectionAction.REMOVE)
    db.session.commit()
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "objection.decide")
    ).scalar_one()
    assert entry.user_id == w.organiser.id and entry.reason == "资格不符"
    assert entry.new == {"status": "upheld", "action": "remove", "to": None}


def test_an_objection_is_decided_once(open_notice):
    w = open_notice
    objection = object_to(w)
    notice.decide(w.organiser, objection, False, "资格符合")
    db.session.commit()
    with pytest.raises(NoticeError) as refused:
        notice.decide(w.organiser, objection, True, "改判", ObjectionAction.REMOVE)
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == (NoticeError.DECIDED, 409)
    db.session.expire_all()
    assert objection.status == Decision.REJECTED and final(w) == NOTICE_LISTS


@pytest.mark.parametrize(
    "upheld, reason, action, to, code",
    [
        (True, "", ObjectionAction.REMOVE, None, NoticeError.REASON_REQUIRED),
        (False, "  ", None, None, NoticeError.REASON_REQUIRED),
        (True, "资格不符", None, None, NoticeError.ACTION_REQUIRED),
        (True, "资格不符", "demote", None, NoticeError.ACTION_REQUIRED),
        (True, "改评", ObjectionAction.CHANGE, None, NoticeError.UNKNOWN_AWARD),
        (True, "改评", ObjectionAction.CHANGE, "gold", NoticeError.UNKNOWN_AWARD),  # the same
        (True, "改评", ObjectionAction.CHANGE, "platinum", NoticeError.UNKNOWN_AWARD),
    ],
)
def test_an_incomplete_decision_is_refused(open_notice, upheld, reason, action, to, code):
    w = open_notice
    objection = object_to(w)
    with pytest.raises(NoticeError) as refused:
        notice.decide(w.organiser, objection, upheld, reason, action, to)
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == (code, 400)
    db.session.expire_all()
    assert objection.status == Decision.PENDING and final(w) == NOTICE_LISTS


def test_no_decision_after_the_results_are_published(open_notice):
    w = open_notice
    objection = object_to(w)
    clock(100)
    with pytest.raises(NoticeError) as refused:
        notice.decide(w.organiser, objection, True, "资格不符", ObjectionAction.REMOVE)
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == (NoticeError.PUBLISHED, 409)
    db.session.expire_all()
    assert objection.status == Decision.PENDING and published_lists(w) == NOTICE_LISTS


# --- applying the changes (a pure function) --------------------------------------------------


def award(code, *entrants):
    return {"code": code, "title": code, "entrants": [{"entrant": e} for e in entrants]}


def change(source, entrant, action, to=None):
    return {"award": source, "entrant": entrant, "action": action, "to": to}


def test_apply_removes_moves_and_never_doubles_or_touches_its_input():
    awards = [award("gold", "E1", "E2"), award("expert", "E3", "E2")]
    upheld = [
        change("gold", "E1", "remove"),
        change("gold", "E2", "change", "expert"),  # already on expert: not twice
        change("missing", "E3", "remove"),  # an award list no longer there: ignored
    ]
    assert lists(notice.apply(awards, upheld)) == {"gold": [], "expert": ["E3", "E2"]}
    assert lists(awards) == {"gold": ["E1", "E2"], "expert": ["E3", "E2"]}
    assert notice.apply(awards, []) == awards
