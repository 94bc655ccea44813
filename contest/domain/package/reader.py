"""Reading a ``contest-package/1`` document: its sections, then its cross-references."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from contest.domain.package.data import Package
from contest.domain.package.errors import PackageError
from contest.domain.package.references import References
from contest.domain.package.sections import read_sections


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
