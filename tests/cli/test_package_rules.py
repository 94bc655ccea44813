"""The keys of SCORING.md §7 in contest-package/1: imported into the database, computed, and
written back by export-package so that the event round-trips."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contest.core.extensions import db
from contest.domain.package import read_package
from contest.events.models import AwardRule, Event, Trade
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import AwardDecision, AwardDecisionKind, PenaltyRecord
from tests.cli.test_packages import database_content, results_json, run, write
from tests.packages import rules_package, small_package

#: The keys §7 adds, where they are.
TRADE_KEYS = ("disqualify_on", "overtime", "team_tie_breakers", "min_started")
LISTS = ("penalties", "ineligible", "manual_awards")


@pytest.fixture
def imported(runner, tmp_path):
    result = run(runner, "import-package", write(tmp_path, rules_package()))
    assert result.exit_code == 0, result.output
    return result


def by_code(document, trade="WELD"):
    entrants = next(t for t in document["trades"] if t["code"] == trade)["entrants"]
    return {e["code"]: e for e in entrants}


def awards(document):
    return {a["code"]: a["entrants"] for a in document["awards"]}


def test_the_rules_count_in_the_results(runner, imported):
    found = results_json(runner)
    weld = by_code(found)
    assert weld["E1"]["components"]["practical"] == "80.83"  # 85.83, 5 minutes over
    assert weld["E2"]["components"]["practical"] == "82.42"  # 84.42, 2 off P1
    assert (weld["E5"]["status"], weld["E5"]["rank"]) == ("DQ", None)  # the second 设备损坏
    assert awards(found)["gold"] == ["E4"]  # E1 is passed over
    assert awards(found)["winner"] == ["E2"]  # E3 (DNS) is named but not ranked
    assert found["awards"][-1]["promotions"] == {"E2": "技师"}


def test_the_database_computes_what_the_package_reading_does(runner, imported):
    package = read_package(json.loads(json.dumps(rules_package()), parse_float=Decimal))
    assert results_json(runner) == package.results()


def test_a_named_entrant_without_a_rank_is_a_warning(imported):
    assert imported.exit_code == 0
    assert "manual_awards[1].entrant" in imported.stderr
    assert "选手“E3”没有名次" in imported.stderr


def test_the_keys_are_stored(app, imported):
    with app.app_context():
        weld = db.session.execute(sa.select(Trade).where(Trade.code == "WELD")).scalar_one()
        assert weld.disqualify_on == {"设备损坏": 2}
        assert weld.overtime == {
            "component": "practical",
            "limit": "2700",
            "per_minute": "1",
            "zero_after": "600",
        }
        assert (weld.team_tie_breakers, weld.min_started) == (["time", "component:theory"], 2)
        elec = db.session.execute(sa.select(Trade).where(Trade.code == "ELEC")).scalar_one()
        assert (elec.disqualify_on, elec.overtime, elec.team_tie_breakers) == ({}, None, [])
        women = db.session.execute(sa.select(AwardRule).where(AwardRule.code == "women"))
        women = women.scalar_one()
        assert women.select == {"percent": "50", "rounding": "round", "of": "registered"}
        assert women.promote == {"to": "技师", "cap": "高级技师"}
        assert (women.min_components, women.gender) == ({"theory": "60"}, "F")
        winner = db.session.execute(sa.select(AwardRule).where(AwardRule.code == "winner"))
        assert winner.scalar_one().select == {"manual": True}

        penalties = db.session.execute(
            sa.select(PenaltyRecord).order_by(PenaltyRecord.id)
        ).scalars()
        assert [
            (p.entrant.code, p.target_code, p.points, p.kind, p.reason, p.created_by_id)
            for p in penalties
        ] == [
            ("E2", "P1", Decimal(2), "安全文明生产", "未戴护目镜", None),
            ("E5", "theory", Decimal(0), "设备损坏", "焊枪", None),
            ("E5", "P2", Decimal("1.5"), "设备损坏", "夹具", None),
        ]
        assert all(p.created_at is not None for p in db.session.scalars(sa.select(PenaltyRecord)))
        decisions = db.session.execute(
            sa.select(AwardDecision).order_by(AwardDecision.id)
        ).scalars()
        assert [(d.kind, d.rule_code, d.entrant.code, d.reason) for d in decisions] == [
            (AwardDecisionKind.INELIGIBLE, "gold", "E1", "非一线职工"),
            (AwardDecisionKind.NAMED, "winner", "E2", None),
            (AwardDecisionKind.NAMED, "winner", "E3", None),
        ]


def test_export_package_writes_the_keys_back_and_round_trips(runner, tmp_path, imported):
    first = run(runner, "export-package", "small-games", "-o", tmp_path / "out.json")
    assert first.exit_code == 0
    exported = (tmp_path / "out.json").read_text(encoding="utf-8")
    document, original = json.loads(exported), rules_package()
    for key in LISTS:
        assert document[key] == original[key]
    weld = document["trades"][0]
    assert {key: weld[key] for key in TRADE_KEYS} == {
        key: original["trades"][0][key] for key in TRADE_KEYS
    }
    assert not set(TRADE_KEYS) & set(document["trades"][1])
    assert document["event"]["award_rules"][3:] == original["event"]["award_rules"][3:]
    before = results_json(runner)

    again = run(runner, "import-package", tmp_path / "out.json")
    assert again.exit_code == 0, again.output
    assert run(runner, "export-package", "small-games", "-o", tmp_path / "out2.json").exit_code == 0
    assert (tmp_path / "out2.json").read_text(encoding="utf-8") == exported
    assert results_json(runner) == before


def test_importing_twice_replaces_penalties_and_decisions(app, runner, tmp_path, imported):
    assert run(runner, "import-package", write(tmp_path, rules_package())).exit_code == 0
    with app.app_context():
        count = sa.select(sa.func.count())
        assert db.session.execute(count.select_from(PenaltyRecord)).scalar_one() == 3
        assert db.session.execute(count.select_from(AwardDecision)).scalar_one() == 3


def withdraw(app, penalty_entrant: str, decision_rule: str) -> None:
    """Withdraw a penalty of one entrant and the decisions of one rule, as the chief judge
    and the organisers do (with a reason), and recompute the event."""
    with app.app_context():
        when = datetime(2026, 5, 10, 12, tzinfo=UTC)
        entrant = sa.select(Entrant.id).where(Entrant.code == penalty_entrant)
        db.session.execute(
            sa.update(PenaltyRecord)
            .where(PenaltyRecord.entrant_id.in_(entrant))
            .values(withdrawn_at=when, withdrawal_reason="录入错误")
        )
        db.session.execute(
            sa.update(AwardDecision)
            .where(AwardDecision.rule_code == decision_rule)
            .values(withdrawn_at=when, withdrawal_reason="复核")
        )
        results.recompute_event(db.session.execute(sa.select(Event)).scalar_one())
        db.session.commit()


def test_withdrawn_penalties_and_decisions_are_not_exported(app, runner, tmp_path, imported):
    withdraw(app, "E2", "gold")
    now = results_json(runner)
    assert by_code(now)["E2"]["components"]["practical"] == "84.42"
    assert awards(now)["gold"] == ["E1", "E4"]

    document = json.loads(run(runner, "export-package", "small-games").stdout)
    assert [p["entrant"] for p in document["penalties"]] == ["E5", "E5"]
    assert "ineligible" not in document
    assert [m["entrant"] for m in document["manual_awards"]] == ["E2", "E3"]

    assert run(runner, "import-package", write(tmp_path, document, "again.json")).exit_code == 0
    assert results_json(runner) == now


def test_a_package_without_the_rules_exports_as_before(runner, tmp_path):
    assert run(runner, "import-package", write(tmp_path, small_package())).exit_code == 0
    document = json.loads(run(runner, "export-package", "small-games").stdout)
    assert not set(LISTS) & set(document)
    for trade in document["trades"]:
        assert not set(TRADE_KEYS) & set(trade)
    for rule in document["event"]["award_rules"]:
        assert not {"min_components", "gender"} & set(rule)
        assert not {"of", "manual"} & set(rule["select"])


INVALID = {
    "penalty on a criterion of another trade": (
        lambda d: d["penalties"][0].update(entrant="E4"),
        "penalties[0].criterion",
        "引用了不存在的本工种的评分项“P1”",
        "refers to an unknown criterion of this trade “P1”",
    ),
    "penalty naming both targets": (
        lambda d: d["penalties"][0].update(component="theory"),
        "penalties[0]",
        "扣分须指定“评分项”或“组成部分”之一",
        "a penalty names either criterion or component",
    ),
    "manual award for a rule that is not manual": (
        lambda d: d["manual_awards"][0].update(rule="gold"),
        "manual_awards[0].rule",
        "奖项“gold”不是由组委会指定人选的奖项",
        "award rule “gold” does not select manually",
    ),
    "pass line on a component of no trade of the rule": (
        lambda d: d["event"]["award_rules"][4]["min_components"].update(exam=60),
        "event.award_rules[4].min_components.exam",
        "引用了不存在的本奖项所适用工种的组成部分“exam”",
        "refers to an unknown component of the trades the rule applies to “exam”",
    ),
    "cap below to": (
        lambda d: d["event"]["award_rules"][4]["promote"].update(cap="高级工"),
        "event.award_rules[4].promote.cap",
        "不能低于 to 指定的等级“技师”",
        "must not be below the level “技师” that to promotes to",
    ),
    "team tie-breaker by criterion": (
        lambda d: d["trades"][0].update(team_tie_breakers=["criterion:P1"]),
        "trades[0].team_tie_breakers[0]",
        "不是本工种可用的团体同分决胜规则",
        "is not a team tie-breaker of this trade",
    ),
    "duplicate decision": (
        lambda d: d["ineligible"].append(dict(d["ineligible"][0])),
        "ineligible[1]",
        "同一奖项重复列出了该选手",
        "this entrant is named twice for this award rule",
    ),
}


@pytest.mark.parametrize("kind", list(INVALID))
def test_an_invalid_rule_changes_nothing_and_says_why(app, runner, tmp_path, imported, kind):
    change, path, chinese, english = INVALID[kind]
    before = database_content(app)
    document = rules_package()
    change(document)
    source = write(tmp_path, document, "bad.json")
    for lang, words in (("zh_CN.UTF-8", chinese), ("en_US.UTF-8", english)):
        result = runner.invoke(args=["import-package", str(source)], env={"LANG": lang})
        assert result.exit_code == 1
        line = next(
            (ln for ln in result.stderr.splitlines() if ln.strip().startswith(path + ":")), ""
        )
        assert words in line, result.stderr
    assert database_content(app) == before
