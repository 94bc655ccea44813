"""Reading a ``contest-package/1`` document: its sections, then its cross-references."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from contest.domain import exams
from contest.domain.package import schema
from contest.domain.package.data import Package
from contest.domain.package.errors import PackageError
from contest.domain.package.fields import problems_of
from contest.domain.package.references import References
from contest.domain.package.sections import exam_of, item_of, read_sections
from contest.domain.refusal import Problem


def read_package(document: Any) -> Package:
    """Validate a parsed ``contest-package/1`` document (numbers parsed as ``Decimal``).

    Raises ``PackageError`` listing every problem found; returns the package (with its
    non-fatal ``warnings``) when there is none. Cross-references are checked only in a
    document whose every part is well formed: in a broken one they would only add noise.
    """
    package, problems, warnings = read_sections(document)
    if package is not None:
        references = References(package)
        problems += references.check()
        warnings += references.warnings
    if problems or package is None:
        raise PackageError(problems)
    return replace(package, warnings=tuple(warnings))


def read_exam(
    document: Any, bank: Sequence[exams.Item]
) -> tuple[exams.Exam, tuple[exams.Paper, ...]]:
    """An exam's blueprint, given as one of a package's ``exams`` (EXAMS.md §2, §5), read
    with the package's rules, and its papers drawn from ``bank``.

    Raises ``PackageError`` listing every problem; a section whose filter matches too few
    items is ``too_few_items`` at ``sections[i]``, naming the section, its type, the items
    it needs and the items found."""
    try:
        node = schema.Exam.model_validate(document)
    except ValidationError as error:
        raise PackageError(problems_of(error)) from None
    exam = exam_of(node)
    try:
        papers = exams.draw_papers(exam, bank)
    except exams.TooFewItems as error:
        number = error.params["section"]
        params = {**error.params, "type": exam.sections[number - 1].type}
        raise PackageError([Problem(f"sections[{number - 1}]", "too_few_items", params)]) from None
    return exam, papers


def read_item(document: Any) -> exams.Item:
    """An item of the question bank (EXAMS.md §1) read with the package's rules: its
    options and its key suit its type. Raises ``PackageError`` listing every problem."""
    try:
        node = schema.QuestionItem.model_validate(document)
    except ValidationError as error:
        raise PackageError(problems_of(error)) from None
    return item_of(node)
