"""The shared example packages give exactly their published results (skipped without them)."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from contest.domain.package import read_package

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "examples"
NAMES = ["demo-city-games", "diving-example", "ws-style-example", "edge-cases", "exam-example"]


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.mark.parametrize("name", NAMES)
def test_example_results(name):
    package_path = EXAMPLES / f"{name}.json"
    if not package_path.exists():
        pytest.skip(f"shared examples not available at {EXAMPLES}")
    package = read_package(load(package_path))
    expected = json.loads((EXAMPLES / f"{name}.results.json").read_text(encoding="utf-8"))
    assert package.results() == expected


@pytest.mark.parametrize(
    ("suffix", "method"), [("papers", "exam_papers"), ("items", "exam_report")]
)
def test_exam_example(suffix, method):
    """``exam-papers`` and ``exam-report`` of every trade of the exam example (EXAMS.md §5)."""
    package_path = EXAMPLES / "exam-example.json"
    if not package_path.exists():
        pytest.skip(f"shared examples not available at {EXAMPLES}")
    package = read_package(load(package_path))
    expected = json.loads((EXAMPLES / f"exam-example.{suffix}.json").read_text(encoding="utf-8"))
    assert {trade: getattr(package, method)(trade) for trade in expected} == expected
    assert set(expected) == {exam.trade for exam in package.exams}


OWN = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("name", ["rules-from-documents"])
def test_own_example_results(name):
    """The project's own examples (SCORING.md §7), always present."""
    package = read_package(load(OWN / f"{name}.json"))
    expected = json.loads((OWN / f"{name}.results.json").read_text(encoding="utf-8"))
    assert package.results() == expected
