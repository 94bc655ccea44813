"""Penalties as a service (SCORING.md §7): recorded off a criterion or component of the
entrant's trade and withdrawn with a reason, the trade recomputed each time; points checked
like scores (a number from 0 to all the target can be worth); refusals change nothing."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.lifecycle import NotNow
from contest.domain.scoring import DeclaredStatus
from contest.judging import penalties
from contest.judging.chief import ChiefError
from contest.judging.penalties import PenaltyError
from contest.results import services as results
from contest.results.models import PenaltyRecord
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


def build() -> SimpleNamespace:
    """WELD: theory 40 (0.3) and practical P1 40 + P2 40 (0.7) for E1 and E2: 68.00 each,
    both rank 1. Two 设备损坏 disqualify; 安全文明生产 takes 5. ELEC has E9."""
    chief = make_user(Role.CHIEF_JUDGE, "chief", "王裁判长")
    event = make_event()
    a, b = make_unit(event, "A"), make_unit(event, "B")
    weld, elec = make_trade(event, "WELD", "焊工"), make_trade(event, "ELEC", "电工")
    weld.penalty_points = {"安全文明生产": "5", "设备损坏": "0"}
    weld.disqualify_on = {"设备损坏": 2}
    make_judge(weld, "J1", user=chief, chief=True)
    make_judge(weld, "J2")
    e1, e2 = make_entrant(weld, a, "E1", station=1), make_entrant(weld, b, "E2", station=2)
    e9 = make_entrant(elec, a, "E9", station=1)
    score_fully(weld)
    results.recompute_trade(weld)
    db.session.commit()
    theory, practical = weld.components
    p1, p2 = practical.criteria
    return SimpleNamespace(
        chief=chief, weld=weld, elec=elec, e1=e1, e2=e2, e9=e9,
        theory=theory, practical=practical, p1=p1, p2=p2,
    )  # fmt: skip


@pytest.fixture
def w(ctx):
    return build()


def standing(trade) -> dict[str, tuple]:
    """(status, rank, total) of each entrant in the trade's stored results."""
    _, stored = results.stored(trade)
    assert stored is not None
    return {e["code"]: (e["status"], e["rank"], e["total"]) for e in stored["entrants"]}


def audited(action: str) -> list[AuditEntry]:
    return list(
        db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == action)).scalars()
    )


def add(w, entrant=None, target=None, kind="安全文明生产", points=None, reason="未戴护目镜"):
    return penalties.add_penalty(
        w.chief, w.weld, entrant or w.e1, target or w.p1, kind, points, reason
    )


def test_a_penalty_comes_off_the_mark_and_its_withdrawal_restores_it(w):
    assert standing(w.weld) == {"E1": ("ok", 1, "68.00"), "E2": ("ok", 1, "68.00")}
    penalty = add(w)  # the standard: 5
    db.session.commit()
    assert penalty.points == Decimal(5) and penalty.created_by_id == w.chief.id
    # P1 40 − 5: 0.3 × 40 + 0.7 × 75 = 64.50.
    assert standing(w.weld) == {"E1": ("ok", 2, "64.50"), "E2": ("ok", 1, "68.00")}

    penalties.withdraw_penalty(w.chief, penalty, "录错选手")
    db.session.commit()
    assert standing(w.weld) == {"E1": ("ok", 1, "68.00"), "E2": ("ok", 1, "68.00")}
    db.session.refresh(penalty)
    assert penalty.withdrawn_at is not None and penalty.withdrawal_reason == "录错选手"
    with pytest.raises(PenaltyError) as refused:
        penalties.withdraw_penalty(w.chief, penalty, "再撤一次")
    assert (refused.value.code, refused.value.status) == ("withdrawn", 409)
    assert [a.reason for a in audited("penalty.withdraw")] == ["录错选手"]


def test_a_component_and_a_direct_score_take_penalties_too(w):
    add(w, target=w.practical, points=Decimal("100"), reason="严重违规")
    add(w, entrant=w.e2, target=w.theory, points=Decimal("2.5"), reason="迟到")
    db.session.commit()
    # E1: practical 80 − 100 floors at 0 → 12.00; E2: theory 37.5 → 11.25 + 56 = 67.25.
    assert standing(w.weld) == {"E1": ("ok", 2, "12.00"), "E2": ("ok", 1, "67.25")}


def test_points_up_to_all_the_target_can_be_worth(w):
    """A criterion's mark can reach its maximum times its factor (whatever its scale); a
    component with criteria, theirs added; a direct component, its own maximum."""
    w.p1.factor = Decimal(2)
    w.p2.scale = Decimal(3)
    db.session.flush()
    assert [penalties.most(t) for t in (w.p1, w.p2, w.practical, w.theory)] == [
        Decimal(100), Decimal(50), Decimal(150), Decimal(100),
    ]  # fmt: skip
    add(w, target=w.p1, points=Decimal(100))
    add(w, target=w.p2, points=Decimal(50))
    add(w, target=w.practical, points=Decimal(150))
    add(w, target=w.theory, points=Decimal("0"))
    for target, points, ceiling in [
        (w.p1, "100.01", "100"), (w.p2, "50.5", "50"), (w.practical, "151", "150"),
        (w.theory, "100.000000001", "100"),
    ]:  # fmt: skip
        with pytest.raises(PenaltyError) as refused:
            add(w, target=target, points=Decimal(points))
        assert refused.value.code == "points_range" and refused.value.params == {"max": ceiling}
    assert len(db.session.execute(sa.select(PenaltyRecord)).all()) == 4


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"kind": ""}, "kind_required"),
        ({"kind": "   "}, "kind_required"),
        ({"kind": "类" * 33}, "kind_too_long"),
        ({"reason": ""}, "reason_required"),
        ({"reason": " "}, "reason_required"),
        ({"reason": "x" * 501}, "reason_too_long"),
        ({"kind": "违规操作"}, "points_required"),  # no standard for it, no points given
        ({"points": Decimal(-1)}, "points_range"),
        ({"points": Decimal("NaN")}, "points_range"),
        ({"points": Decimal("Infinity")}, "points_range"),
        ({"points": Decimal("1E+999999999")}, "points_range"),
        ({"points": Decimal("1E-999999999")}, "points_range"),
    ],
)
def test_refused_penalties_change_nothing(w, fields, code):
    before = standing(w.weld)
    with pytest.raises(PenaltyError) as refused:
        add(w, **fields)
    assert refused.value.code == code and refused.value.status == 400
    db.session.rollback()
    assert db.session.execute(sa.select(PenaltyRecord)).all() == []
    assert audited("penalty.create") == [] and standing(w.weld) == before


def test_only_a_target_of_the_trade_and_one_of_its_competing_entrants(w):
    other = w.elec.components[1].criteria[0]
    with pytest.raises(PenaltyError) as refused:
        add(w, target=other)
    assert (refused.value.code, refused.value.status) == ("unknown_target", 404)
    with pytest.raises(ChiefError) as refused:
        add(w, entrant=w.e9)
    assert refused.value.code == "not_competing"
    w.e2.status, w.e2.status_reason = DeclaredStatus.DNS, "缺考"
    db.session.commit()
    with pytest.raises(ChiefError) as refused:
        add(w, entrant=w.e2)
    assert refused.value.code == "not_competing"
    db.session.rollback()
    assert db.session.execute(sa.select(PenaltyRecord)).all() == []


def test_the_second_equipment_damage_disqualifies_until_one_is_withdrawn(w):
    first = add(w, kind="设备损坏", reason="焊枪摔坏")
    assert standing(w.weld)["E1"] == ("ok", 1, "68.00")  # 0 points: takes nothing
    add(w, kind="设备损坏", target=w.theory, reason="焊机电缆烧毁")
    db.session.commit()
    assert standing(w.weld)["E1"] == ("DQ", None, None)
    _, stored = results.stored(w.weld)
    assert stored is not None
    [e1] = [e for e in stored["entrants"] if e["code"] == "E1"]
    assert e1["disqualified_by"] == "设备损坏"
    # Another kind does not count towards it.
    add(w, entrant=w.e2, kind="安全文明生产")
    add(w, entrant=w.e2, kind="设备损坏", reason="割炬损坏")
    assert standing(w.weld)["E2"][0] == "ok"

    penalties.withdraw_penalty(w.chief, first, "复核录像：焊枪原已损坏")
    db.session.commit()
    assert standing(w.weld)["E1"] == ("ok", 1, "68.00")
    lines = penalties.ledger(w.weld, [w.e1])[w.e1.id]
    assert [(x.penalty.kind, x.target, x.counts, x.by) for x in lines] == [
        ("设备损坏", "P1 评分项1", False, "王裁判长"),
        ("设备损坏", "理论", True, "王裁判长"),
    ]
    assert lines[0].withdrawn_by == "王裁判长"


def test_a_signed_off_trade_refuses_both(w):
    penalty = add(w)
    sign_off(w.weld)
    db.session.commit()
    with pytest.raises(NotNow) as refused:
        add(w, entrant=w.e2)
    assert refused.value.status == 423
    db.session.rollback()
    with pytest.raises(NotNow):
        penalties.withdraw_penalty(w.chief, penalty, "复核")
    db.session.rollback()
    assert [p.withdrawn_at for p in db.session.execute(sa.select(PenaltyRecord)).scalars()] == [
        None
    ]


def test_both_are_audited_with_old_and_new(w):
    penalty = add(w, points=Decimal("7.50"), reason="未戴护目镜")
    penalties.withdraw_penalty(w.chief, penalty, "录错")
    db.session.commit()
    [created], [withdrawn] = audited("penalty.create"), audited("penalty.withdraw")
    facts = {"penalty": penalty.id, "kind": "安全文明生产", "points": "7.5", "target": "P1"}
    assert (created.old, created.new, created.reason) == (
        None, {**facts, "counts": True}, "未戴护目镜",
    )  # fmt: skip
    assert (withdrawn.old, withdrawn.new, withdrawn.reason) == (
        {**facts, "counts": True}, {**facts, "counts": False}, "录错",
    )  # fmt: skip
    assert created.entity == withdrawn.entity == "entrant"
    assert created.entity_id == withdrawn.entity_id == str(w.e1.id)
    assert created.user_id == withdrawn.user_id == w.chief.id
