"""The rules from real contest documents (SCORING.md §7) through the database: the project's
own example package imports, computes exactly its hand-worked results, warns about a manual
award for an unranked entrant, and exports back as a package that gives the same results."""

import json
from pathlib import Path

from tests.cli.test_packages import run, write

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rules-from-documents"
SLUG = "rules-from-documents"


def load(suffix: str) -> dict:
    return json.loads(EXAMPLE.with_suffix(suffix).read_text(encoding="utf-8"))


def results(runner) -> dict:
    result = run(runner, "export-results", SLUG)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_example_computes_its_hand_worked_results(runner):
    result = run(runner, "import-package", EXAMPLE.with_suffix(".json"))
    assert result.exit_code == 0, result.output
    assert "W05" in result.output  # named for 优胜奖 but disqualified: not selected, said so
    assert results(runner) == load(".results.json")


def test_the_example_round_trips_through_export_package(runner, tmp_path):
    assert run(runner, "import-package", EXAMPLE.with_suffix(".json")).exit_code == 0
    exported = run(runner, "export-package", SLUG)
    assert exported.exit_code == 0, exported.output
    document = json.loads(exported.stdout)
    for key in ("penalties", "ineligible", "manual_awards"):
        assert len(document[key]) == len(load(".json")[key])
    assert run(runner, "import-package", write(tmp_path, document)).exit_code == 0
    assert results(runner) == load(".results.json")
    again = run(runner, "export-package", SLUG)
    assert json.loads(again.stdout) == document
