"""Theory exams through the database (EXAMS.md §5): import-package stores the question bank,
each trade's exam with its papers sealed, the answers and the judges' marks of short items;
export-results gives what the package reader computes."""

import json

import pytest
import sqlalchemy as sa

from contest.core.extensions import db
from contest.exams.models import ExamAnswer, ExamSetting, ItemScore, QuestionBank, QuestionItem
from tests.cli.test_packages import EXAMPLES, results_json, run, write
from tests.packages import EXAM_EXPECTED_WELD, exam_package


def imported(runner, tmp_path, document=None):
    result = run(runner, "import-package", write(tmp_path, document or exam_package()))
    assert result.exit_code == 0, result.output
    return result


def weld(results):
    entrants = results["trades"][0]["entrants"]
    return [(e["code"], e["rank"], e["status"], e["total"], e["components"]) for e in entrants]


def counts(app):
    with app.app_context():
        return {
            model.__tablename__: db.session.execute(
                sa.select(sa.func.count()).select_from(model)
            ).scalar_one()
            for model in (QuestionBank, QuestionItem, ExamSetting, ExamAnswer, ItemScore)
        }


def test_the_exam_is_stored_and_marks_the_theory_component(app, runner, tmp_path):
    """The hand-worked E1: theory 65.97, total 75.49 (``tests.packages``)."""
    imported(runner, tmp_path)
    results = results_json(runner, "exam-games")
    assert weld(results) == EXAM_EXPECTED_WELD
    assert results["trades"][1]["entrants"][0]["components"] == {"theory": "75.00"}
    assert counts(app) == {
        "question_banks": 1,
        "question_items": 8,
        "exam_settings": 1,
        "exam_answers": 12,
        "item_scores": 5,
    }
    with app.app_context():
        setting = db.session.execute(sa.select(ExamSetting)).scalar_one()
        bank = db.session.get(QuestionBank, setting.bank_id)
        assert bank is not None and bank.name == "exam-games"
        assert setting.voided == ["Q07"] and setting.sealed_at is not None
        (paper,) = setting.sealed_papers
        assert sorted(paper[0]) == ["Q01", "Q02", "Q07"]
        assert paper[1:] == [["Q03"], ["Q04"], ["Q05"], ["Q06"]]
        blank = db.session.execute(
            sa.select(ExamAnswer.response).where(ExamAnswer.item_code == "Q07")
        ).scalars()
        assert sorted(blank, key=repr) == ["A", None]


def test_importing_again_replaces_the_bank_and_the_exam(app, runner, tmp_path):
    imported(runner, tmp_path)
    document = exam_package()
    document["answers"] = [a for a in document["answers"] if a["entrant"] != "E1"]
    imported(runner, tmp_path, document)
    assert counts(app)["question_banks"] == 1
    assert counts(app)["exam_answers"] == 6
    entrants = results_json(runner, "exam-games")["trades"][0]["entrants"]
    e1 = next(e for e in entrants if e["code"] == "E1")
    assert (e1["status"], e1["components"]) == ("incomplete", {"practical": "85.00"})


def test_a_missing_panel_value_leaves_the_component_incomplete(runner, tmp_path):
    document = exam_package()
    del document["scores"][2]  # J3's mark of E1's short item
    imported(runner, tmp_path, document)
    entrants = results_json(runner, "exam-games")["trades"][0]["entrants"]
    e1 = next(e for e in entrants if e["code"] == "E1")
    assert (e1["status"], e1["components"]) == ("incomplete", {"practical": "85.00"})


def test_an_excused_judge_leaves_the_panel(runner, tmp_path):
    """J3 excused from E1: Q06 is mean(7, 8) = 7.5; raw 8 + 7.5 = 15.5 → 64.58."""
    document = exam_package()
    document["excusals"] = [{"entrant": "E1", "judge": "J3", "reason": "亲属"}]
    del document["scores"][2]  # (an excused judge's mark is an error)
    imported(runner, tmp_path, document)
    entrants = results_json(runner, "exam-games")["trades"][0]["entrants"]
    e1 = next(e for e in entrants if e["code"] == "E1")
    assert e1["components"]["theory"] == "64.58"


def test_the_shared_exam_example_through_the_database(runner):
    path = EXAMPLES / "exam-example.json"
    if not path.exists():
        pytest.skip(f"shared examples not available at {EXAMPLES}")
    assert run(runner, "import-package", path).exit_code == 0
    expected = json.loads((EXAMPLES / "exam-example.results.json").read_text(encoding="utf-8"))
    slug = json.loads(path.read_text(encoding="utf-8"))["event"]["slug"]
    assert results_json(runner, slug) == expected


# --- exam-papers and exam-report (EXAMS.md §5) ------------------------------------------------


def printed(runner, *args):
    result = run(runner, *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_exam_papers_and_report_of_the_own_fixture(runner, tmp_path):
    """As the package reader gives them (tests/domain/test_package_exams.py): the voided Q07
    stays listed; two attempts, E1 the upper group, E2 the lower."""
    imported(runner, tmp_path)
    (paper,) = printed(runner, "exam-papers", "exam-games", "WELD")["papers"]
    assert sorted(paper[:3]) == ["Q01", "Q02", "Q07"]
    assert paper[3:] == ["Q03", "Q04", "Q05", "Q06"]
    assert printed(runner, "exam-report", "exam-games", "WELD") == {
        "items": [
            {"code": "Q01", "p": "0.50", "D": "1.00", "flagged": False},
            {"code": "Q02", "p": "0.50", "D": "-1.00", "flagged": True},
            {"code": "Q03", "p": "0.75", "D": "-0.50", "flagged": True},
            {"code": "Q04", "p": "0.50", "D": "1.00", "flagged": False},
            {"code": "Q05", "p": "0.75", "D": "-0.50", "flagged": True},
            {"code": "Q06", "p": "0.67", "D": "0.23", "flagged": False},
        ]
    }


@pytest.mark.parametrize(
    ("args", "chinese", "english"),
    [
        (("nowhere", "WELD"), "没有标识为“nowhere”的赛事", "No event with the slug “nowhere”"),
        (("exam-games", "NONE"), "exam-games 中没有代码为“NONE”的工种", "No trade with the code"),
        (("exam-games", "ELEC"), "工种 ELEC 没有理论考试", "Trade ELEC has no theory exam"),
    ],
)
def test_exam_commands_say_what_is_missing(runner, tmp_path, args, chinese, english):
    imported(runner, tmp_path)
    for command in ("exam-papers", "exam-report"):
        result = run(runner, command, *args)
        assert result.exit_code == 1 and chinese in result.stderr, result.output
        result = runner.invoke(args=[command, *args], env={"LANG": "en_US.UTF-8"})
        assert result.exit_code == 1 and english in result.stderr, result.output


@pytest.mark.parametrize(("command", "name"), [("exam-papers", "papers"), ("exam-report", "items")])
def test_the_shared_exam_example_papers_and_items(runner, command, name):
    path = EXAMPLES / "exam-example.json"
    if not path.exists():
        pytest.skip(f"shared examples not available at {EXAMPLES}")
    assert run(runner, "import-package", path).exit_code == 0
    expected = json.loads((EXAMPLES / f"exam-example.{name}.json").read_text(encoding="utf-8"))
    for trade, listing in expected.items():
        assert printed(runner, command, "exam-example", trade) == listing, trade


# --- export-package ------------------------------------------------------------------------


def test_export_package_round_trips_the_exam(runner, tmp_path):
    """import → export → import gives the same results, papers and report, and exporting
    again gives the same document."""
    imported(runner, tmp_path)
    before = [
        results_json(runner, "exam-games"),
        printed(runner, "exam-papers", "exam-games", "WELD"),
        printed(runner, "exam-report", "exam-games", "WELD"),
    ]
    exported = printed(runner, "export-package", "exam-games")
    assert [len(exported[k]) for k in ("question_bank", "exams", "answers")] == [8, 1, 12]
    assert sum(1 for s in exported["scores"] if "item" in s) == 5
    assert exported["exams"][0]["voided"] == ["Q07"]
    imported(runner, tmp_path, exported)
    after = [
        results_json(runner, "exam-games"),
        printed(runner, "exam-papers", "exam-games", "WELD"),
        printed(runner, "exam-report", "exam-games", "WELD"),
    ]
    assert after == before
    assert printed(runner, "export-package", "exam-games") == exported
    original = {item["code"]: item for item in exam_package()["question_bank"]}
    again = {item["code"]: item for item in exported["question_bank"]}
    assert (
        again["Q06"] == {"marks": 1, **original["Q06"]}
        and again["Q05"]["key"] == original["Q05"]["key"]
    )
