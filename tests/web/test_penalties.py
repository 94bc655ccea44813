"""Penalties on the chief judge's desk (SCORING.md §7): recorded against a criterion or a
component with a reason, withdrawn with a reason, audited; refused to anyone but the trade's
chief judge and staff, once the trade is signed off or published, and for points that are
not a number from 0 to the target's maximum. Every page that explains a result shows each
deduction, the mark before and after, overtime, and why penalties disqualified an entrant.

The trade is ``test_chief_desk.build``'s WELD: theory 80 for everyone (0.3); practical
(0.7) with P1 (0–50) and P2 (0–3 counting for 30). E1: P1 43.5, P2 25 → 71.95, rank 1;
E3: P1 21, P2 10 → 45.70, rank 2; E2 incomplete. Its 扣分标准: 安全文明生产 5 points,
设备损坏 0 points and two of them disqualify; overtime on practical past 600 s, 2 points a
minute, 0 more than 600 s over.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from contest.core.extensions import db
from contest.events.models import Criterion, Trade
from contest.publication import services as publications
from contest.results import services as results
from contest.results.models import PenaltyRecord
from tests.judging import Desk
from tests.web.test_chief_desk import audit, build
from tests.web.test_chief_lock import complete, locked_at
from tests.web.test_draw_changes import pdf_text

RULES = {
    "penalty_points": {"安全文明生产": "5", "设备损坏": "0"},
    "disqualify_on": {"设备损坏": 2},
    "overtime": {"component": "practical", "limit": "600", "per_minute": "2", "zero_after": "600"},
}


@pytest.fixture
def scored(app):
    ids = build(app)
    with app.app_context():
        trade = db.session.get(Trade, ids.trade)
        for name, value in RULES.items():
            setattr(trade, name, value)
        ids.p1 = next(c.id for c in trade.criteria if c.code == "P1")
        ids.theory = trade.components[0].id
        ids.elec_theory = db.session.get(Trade, ids.elec).components[0].id
        db.session.flush()
        results.recompute_trade(trade)
        db.session.commit()
    return ids


def add(desk, scored, entrant, **fields):
    """Post the penalty form of ``entrant``'s page."""
    data = {f"penalty-{name}": value for name, value in fields.items()}
    return desk.post(f"/chief/trades/{scored.trade}/entrants/{entrant}/penalties", data)


def withdraw(desk, scored, penalty, reason):
    return desk.post(
        f"/chief/trades/{scored.trade}/penalties/{penalty}/withdraw",
        {f"withdraw-{penalty}-reason": reason},
    )


def standing(app, scored) -> dict[str, tuple]:
    """Each entrant's (status, rank, total) in the stored results of the trade."""
    with app.app_context():
        trade = db.session.get(Trade, scored.trade)
        document = results.results_for(trade.event)
    [weld] = [t for t in document["trades"] if t["code"] == "WELD"]
    return {e["code"]: (e["status"], e["rank"], e["total"]) for e in weld["entrants"]}


def penalties(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(sa.select(PenaltyRecord).order_by(PenaltyRecord.id)).scalars()
        return [(p.kind, p.points, p.reason, p.withdrawn_at is not None) for p in rows]


def text(response) -> str:
    """The page's text, tags removed and spaces joined, as a reader sees it."""
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def entrant_page(desk, scored, entrant):
    return desk.get(f"/chief/trades/{scored.trade}/entrants/{entrant}")


# --- recording and withdrawing -------------------------------------------------------------------


def test_the_chief_judge_records_a_penalty_and_withdraws_it(app, scored):
    desk = Desk(app, "chief")
    assert standing(app, scored)["E1"] == ("ok", 1, "71.95")
    response = add(
        desk, scored, scored.e1, kind="安全文明生产", target=f"criterion-{scored.p1}",
        points="40", reason="未戴护目镜，屡劝不改",
    )  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/entrants/{scored.e1}#penalties")
    # P1 43.5 − 40 = 3.5: E1 falls to 24 + 0.7 × (3.5 + 25) = 43.95, behind E3.
    assert standing(app, scored)["E1"] == ("ok", 2, "43.95")
    assert standing(app, scored)["E3"] == ("ok", 1, "45.70")

    page = text(entrant_page(desk, scored, scored.e1))
    assert "安全文明生产 −40（未戴护目镜，屡劝不改）" in page
    assert "43.500 → 3.500" in page
    assert "68.500 → 28.500" not in page  # the component is not deducted a second time
    ledger = page[page.index("扣分记录") :]
    assert "安全文明生产 40 P1 焊缝外观 未戴护目镜，屡劝不改 王裁判长" in ledger
    assert "有效" in ledger

    [penalty] = _ids(app)
    refused = withdraw(desk, scored, penalty, "")
    assert refused.status_code == 400 and "请填写原因。" in refused.get_data(as_text=True)
    assert standing(app, scored)["E1"] == ("ok", 2, "43.95")
    done = withdraw(desk, scored, penalty, "录错选手")
    assert done.status_code == 302
    assert standing(app, scored)["E1"] == ("ok", 1, "71.95")
    assert penalties(app) == [("安全文明生产", Decimal(40), "未戴护目镜，屡劝不改", True)]
    page = text(entrant_page(desk, scored, scored.e1))
    assert "已撤销 由 王裁判长" in page and "录错选手" in page
    assert "43.500 → 3.500" not in page
    again = withdraw(desk, scored, penalty, "再撤一次")
    assert again.status_code == 409 and "该扣分已撤销。" in again.get_data(as_text=True)

    [created] = audit(app, "penalty.create")
    assert created.reason == "未戴护目镜，屡劝不改" and created.old is None
    assert created.new == {"penalty": penalty, "kind": "安全文明生产", "points": "40",
                           "target": "P1", "counts": True}  # fmt: skip
    assert created.user_id == scored.users["chief"] and created.entity_id == str(scored.e1)
    [withdrawn] = audit(app, "penalty.withdraw")
    assert withdrawn.reason == "录错选手"
    assert (withdrawn.old["counts"], withdrawn.new["counts"]) == (True, False)
    assert withdrawn.new["kind"] == "安全文明生产" and withdrawn.new["points"] == "40"


def _ids(app) -> list[int]:
    with app.app_context():
        return list(
            db.session.execute(sa.select(PenaltyRecord.id).order_by(PenaltyRecord.id)).scalars()
        )


def test_empty_points_take_the_trades_standard_without_javascript(app, scored):
    desk = Desk(app, "chief")
    page = entrant_page(desk, scored, scored.e3).get_data(as_text=True)
    # The kinds the trade names, with their standard and how many disqualify; the standards
    # also go to the (static) script that fills the points in.
    assert '<option value="安全文明生产">安全文明生产（每次 5 分）</option>' in page
    assert '<option value="设备损坏">设备损坏（每次 0 分，2 次取消资格）</option>' in page
    assert "data-penalty-standards=" in page
    assert re.findall(r"<script[^>]*>", page)[-1] == '<script src="/static/js/penalty.js" defer>'
    assert "style=" not in page

    response = add(
        desk, scored, scored.e3, kind="安全文明生产", target=f"criterion-{scored.p1}",
        points="", reason="未戴护目镜",
    )  # fmt: skip
    assert response.status_code == 302
    assert penalties(app) == [("安全文明生产", Decimal(5), "未戴护目镜", False)]
    page = text(entrant_page(desk, scored, scored.e3))
    assert "安全文明生产 −5（未戴护目镜）" in page and "21.000 → 16.000" in page

    # A kind typed in, which the trade sets no standard for, needs its points.
    typed = add(
        desk, scored, scored.e3, kind="", other_kind="违规操作",
        target=f"component-{scored.theory}", reason="私带工具",
    )  # fmt: skip
    assert typed.status_code == 400
    assert "请填写扣分：本工种未规定“违规操作”的扣分标准。" in typed.get_data(as_text=True)
    typed = add(
        desk, scored, scored.e3, kind="安全文明生产", other_kind="违规操作", points="2.5",
        target=f"component-{scored.theory}", reason="私带工具",
    )  # fmt: skip
    assert typed.status_code == 302
    assert penalties(app)[-1] == ("违规操作", Decimal("2.5"), "私带工具", False)
    page = text(entrant_page(desk, scored, scored.e3))
    assert "违规操作 −2.5（私带工具）" in page and "80.000 → 77.500" in page


# --- who may, and when ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["j2", "contact", "other-chief", "entrant"])
def test_only_the_trades_chief_judge_and_staff_record_penalties(app, scored, username):
    chief = Desk(app, "chief")
    assert add(
        chief, scored, scored.e3, kind="安全文明生产", target=f"criterion-{scored.p1}",
        reason="未戴护目镜",
    ).status_code == 302  # fmt: skip
    [penalty] = _ids(app)
    desk = Desk(app, username)
    response = add(
        desk, scored, scored.e3, kind="安全文明生产", target=f"criterion-{scored.p1}",
        reason="未戴护目镜",
    )  # fmt: skip
    assert response.status_code == 403
    assert withdraw(desk, scored, penalty, "撤销").status_code == 403
    assert penalties(app) == [("安全文明生产", Decimal(5), "未戴护目镜", False)]
    assert len(audit(app, "penalty.create")) == 1 and audit(app, "penalty.withdraw") == []


def test_an_organiser_records_penalties_too(app, scored):
    response = add(
        Desk(app, "organiser"), scored, scored.e3, kind="安全文明生产",
        target=f"criterion-{scored.p1}", reason="未戴护目镜",
    )  # fmt: skip
    assert response.status_code == 302 and len(penalties(app)) == 1


def test_a_signed_off_trade_refuses_penalties_until_unlocked(app, scored):
    desk = Desk(app, "chief")
    add(desk, scored, scored.e3, kind="安全文明生产", target=f"criterion-{scored.p1}",
        reason="未戴护目镜")  # fmt: skip
    [penalty] = _ids(app)
    complete(app, desk, scored)
    assert desk.post(f"/chief/trades/{scored.trade}/lock").status_code == 302
    before = standing(app, scored)

    refused = add(
        desk, scored, scored.e3, kind="设备损坏", target=f"criterion-{scored.p1}",
        reason="焊机损坏",
    )  # fmt: skip
    assert refused.status_code == 423
    assert "裁判长已锁定本工种，成绩不能再修改。" in refused.get_data(as_text=True)
    refused = withdraw(desk, scored, penalty, "复核")
    assert refused.status_code == 423
    assert penalties(app) == [("安全文明生产", Decimal(5), "未戴护目镜", False)]
    assert standing(app, scored) == before
    # The ledger stays readable; no form is offered while the trade is locked.
    page = entrant_page(desk, scored, scored.e3).get_data(as_text=True)
    assert "未戴护目镜" in page and 'id="penalty-kind"' not in page
    assert "本工种已锁定（已签字确认）。如需修改，请填写原因后解除锁定。" in page
    assert f"/penalties/{penalty}/withdraw" not in page

    assert (
        desk.post(f"/chief/trades/{scored.trade}/unlock", {"unlock-reason": "复核"}).status_code
        == 302
    )
    assert withdraw(desk, scored, penalty, "复核后撤销").status_code == 302
    assert penalties(app)[0][3] is True


def test_published_results_refuse_penalties(app, scored):
    desk = Desk(app, "chief")
    complete(app, desk, scored)
    assert desk.post(f"/chief/trades/{scored.trade}/lock").status_code == 302
    with app.app_context():
        event = db.session.get(Trade, scored.trade).event
        publications.publish(event, publications.RESULTS, {"results": {}})
        db.session.commit()
    refused = add(
        desk, scored, scored.e3, kind="安全文明生产", target=f"criterion-{scored.p1}",
        reason="未戴护目镜",
    )  # fmt: skip
    assert refused.status_code == 423 and "成绩已公布" in refused.get_data(as_text=True)
    assert penalties(app) == [] and locked_at(app, scored.trade) is not None


# --- what is refused -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "points, message",
    [
        ("-1", "请输入 0 至 50 之间的扣分。"),
        ("50.5", "请输入 0 至 50 之间的扣分。"),
        ("1E+999999999", "请输入 0 至 50 之间的扣分。"),
        ("NaN", "请输入 0 至 50 之间的扣分。"),
        ("0.000000001", "请输入 0 至 50 之间的扣分。"),
        ("五分", "请输入数字。"),
        ("5,5", "请输入数字。"),
    ],
)
def test_points_that_are_not_a_number_from_0_to_the_maximum_are_refused(
    app, scored, points, message
):
    desk = Desk(app, "chief")
    response = add(
        desk, scored, scored.e3, kind="安全文明生产", target=f"criterion-{scored.p1}",
        points=points, reason="未戴护目镜",
    )  # fmt: skip
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    field = html[html.index('id="penalty-points"') :]
    assert message in field[: field.index("</div>")]  # under the points
    assert penalties(app) == [] and audit(app, "penalty.create") == []
    assert standing(app, scored)["E3"] == ("ok", 2, "45.70")


def test_a_penalty_needs_a_kind_a_target_of_this_trade_and_a_reason(app, scored):
    desk = Desk(app, "chief")
    cases = [
        ({"target": f"criterion-{scored.p1}", "reason": "x"}, "请选择或填写扣分类别。"),
        ({"kind": "安全文明生产", "reason": "x"}, "请选择评分项或成绩模块。"),
        ({"kind": "安全文明生产", "target": f"component-{scored.elec_theory}", "reason": "x"},
         "请选择评分项或成绩模块。"),
        ({"kind": "安全文明生产", "target": "criterion-x", "reason": "x"},
         "请选择评分项或成绩模块。"),
        ({"kind": "安全文明生产", "target": f"criterion-{scored.p1}"}, "请填写原因。"),
        ({"other_kind": "类" * 33, "target": f"criterion-{scored.p1}", "reason": "x"},
         "字段长度不能超过 32 个字符。"),
        ({"kind": "安全文明生产", "target": f"criterion-{scored.p1}", "reason": "x" * 501},
         "字段长度不能超过 500 个字符。"),
    ]  # fmt: skip
    for fields, message in cases:
        response = add(desk, scored, scored.e3, **fields)
        assert response.status_code == 400, fields
        assert message in response.get_data(as_text=True), fields
    assert penalties(app) == []
    # Another trade's entrant, and one declared out, are not this desk's to penalise.
    other = add(desk, scored, scored.e9, kind="安全文明生产", target=f"criterion-{scored.p1}",
                reason="x")  # fmt: skip
    assert other.status_code == 404
    desk.post(
        f"/chief/trades/{scored.trade}/status",
        {"status-entrant": scored.e3, "status-status": "WD", "status-reason": "退赛"},
    )
    out = add(desk, scored, scored.e3, kind="安全文明生产", target=f"criterion-{scored.p1}",
              reason="x")  # fmt: skip
    assert out.status_code == 404 and "该选手不在本工种参赛。" in out.get_data(as_text=True)
    assert penalties(app) == []


def test_a_penalty_larger_than_the_mark_floors_it_at_zero(app, scored):
    desk = Desk(app, "chief")
    response = add(
        desk, scored, scored.e3, kind="安全文明生产", target=f"criterion-{scored.p1}",
        points="30", reason="严重违规",
    )  # fmt: skip
    assert response.status_code == 302
    # P1 21 − 30 floors at 0: 24 + 0.7 × (0 + 10) = 31.00.
    assert standing(app, scored)["E3"] == ("ok", 2, "31.00")
    page = text(entrant_page(desk, scored, scored.e3))
    assert "21.000 → 0.000" in page and "安全文明生产 −30（严重违规）" in page
    report = text(desk.get(f"/results/trades/{scored.trade}"))
    assert "21.00 → 0.00" in report and "安全文明生产 −30（严重违规）" in report


# --- disqualification by penalties ---------------------------------------------------------------


def test_the_second_equipment_damage_disqualifies_and_the_pages_say_why(app, scored):
    desk = Desk(app, "chief")
    first = add(desk, scored, scored.e1, kind="设备损坏", target=f"criterion-{scored.p1}",
                reason="焊枪摔坏")  # fmt: skip
    assert first.status_code == 302
    assert standing(app, scored)["E1"] == ("ok", 1, "71.95")  # 0 points: counts, takes nothing
    page = text(entrant_page(desk, scored, scored.e1))
    assert "设备损坏（不扣分；焊枪摔坏）" in page

    second = add(desk, scored, scored.e1, kind="设备损坏", target=f"criterion-{scored.p1}",
                 reason="焊机电缆烧毁")  # fmt: skip
    assert second.status_code == 302
    assert standing(app, scored)["E1"] == ("DQ", None, None)
    assert standing(app, scored)["E3"] == ("ok", 1, "45.70")
    why = "设备损坏 2 次（达到取消资格次数 2 次），取消比赛资格"
    assert why in text(entrant_page(desk, scored, scored.e1))
    desk_page = text(desk.get(f"/chief/trades/{scored.trade}"))
    assert why in desk_page
    assert why in text(desk.get(f"/results/trades/{scored.trade}"))
    assert why in pdf_text(desk.client, f"/results/trades/{scored.trade}/results.pdf").replace(
        "\n", ""
    )

    [first_id, _] = _ids(app)
    assert withdraw(desk, scored, first_id, "复核录像：焊枪原已损坏").status_code == 302
    assert standing(app, scored)["E1"] == ("ok", 1, "71.95")
    assert why not in text(entrant_page(desk, scored, scored.e1))


def test_an_entrant_disqualified_by_penalties_does_not_hold_up_the_sign_off(app, scored):
    """E2's panel has not finished (J2 and J3 owe values), which blocks the sign-off; once
    two equipment damages disqualify E2, nothing is outstanding."""
    desk = Desk(app, "chief")
    assert desk.post(f"/chief/trades/{scored.trade}/lock").status_code == 409
    for reason in ("焊枪摔坏", "焊机电缆烧毁"):
        add(desk, scored, scored.e2, kind="设备损坏", target=f"criterion-{scored.p1}",
            reason=reason)  # fmt: skip
    assert standing(app, scored)["E2"] == ("DQ", None, None)
    assert desk.post(f"/chief/trades/{scored.trade}/lock").status_code == 302
    assert locked_at(app, scored.trade) is not None


# --- overtime and the files ----------------------------------------------------------------------


def test_overtime_is_explained_with_the_minutes_counted(app, scored):
    desk = Desk(app, "chief")
    url = f"/chief/trades/{scored.trade}/time"
    assert desk.post(url, {"time-entrant": scored.e3, "time-time": "11:35"}).status_code == 302
    assert desk.post(url, {"time-entrant": scored.e1, "time-time": "1300"}).status_code == 302
    # E3: 695 s, 95 over → 2 minutes → 4 off practical 31: 24 + 0.7 × 27 = 42.90.
    # E1: 1300 s, 700 over, more than 600: practical 0 → 24.00.
    assert standing(app, scored)["E3"] == ("ok", 1, "42.90")
    assert standing(app, scored)["E1"] == ("ok", 2, "24.00")
    report = text(desk.get(f"/results/trades/{scored.trade}"))
    assert "超时 95 秒，按 2 分钟计，扣 4.00 分" in report and "31.00 → 27.00" in report
    assert "超时 700 秒，超过 10 分钟，该部分记 0 分" in report and "68.50 → 0.00" in report
    page = text(entrant_page(desk, scored, scored.e3))
    assert "超时 95 秒，按 2 分钟计，扣 4.00 分" in page and "31.000 → 27.000" in page
    pdf = pdf_text(desk.client, f"/results/trades/{scored.trade}/results.pdf")
    assert "超时 95 秒，按 2 分钟计，扣 4.00 分" in pdf.replace("\n", "")


def test_the_workbook_lists_the_deductions(app, scored):
    desk = Desk(app, "chief")
    add(desk, scored, scored.e3, kind="安全文明生产", target=f"criterion-{scored.p1}",
        reason="未戴护目镜")  # fmt: skip
    response = Desk(app, "organiser").get(f"/results/trades/{scored.trade}/results.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    results_sheet, values = book.worksheets
    header = [c.value for c in results_sheet[1]]
    rows = {
        r[1]: dict(zip(header, r, strict=True))
        for r in results_sheet.iter_rows(2, values_only=True)
    }
    assert rows["E3"]["扣分明细"] == "P1 安全文明生产 −5（未戴护目镜）"
    assert rows["E1"]["扣分明细"] is None
    header = [c.value for c in values[1]]
    line = next(
        dict(zip(header, r, strict=True))
        for r in values.iter_rows(2, values_only=True)
        if r[0] == "E3" and r[3] == "P1"
    )
    assert (line["得分"], line["扣分前得分"]) == (16, 21)
    assert line["扣分明细"] == "安全文明生产 −5（未戴护目镜）"


def test_the_penalties_in_english(app, scored):
    desk = Desk(app, "chief")
    desk.post("/lang", {"lang": "en", "next": "/"})
    add(desk, scored, scored.e3, kind="安全文明生产", target=f"criterion-{scored.p1}",
        reason="no goggles")  # fmt: skip
    page = text(entrant_page(desk, scored, scored.e3))
    assert "安全文明生产 −5 (no goggles)" in page and "21.000 → 16.000" in page
    assert "Record a penalty" in page and "Withdraw" in page
    refused = add(desk, scored, scored.e3, kind="安全文明生产", target=f"criterion-{scored.p1}",
                  points="99", reason="x")  # fmt: skip
    assert "Enter points from 0 to 50." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Criterion, scored.p1).max == Decimal(50)
