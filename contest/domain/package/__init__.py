"""The ``contest-package/1`` document (PACKAGE.md): strict reading and validation.

``read_package`` turns a parsed JSON document (numbers parsed as ``Decimal``) into a
``Package`` or a list of every ``Problem`` found, each with its path in the document
(``trades[0].components[1].criteria[0].max``) and a code the application words in the
user's language. Scores are checked exactly as if entered in the app: range, step,
recusal, excusal and panel membership.

- ``data`` — the package as frozen data classes;
- ``schema`` — the document's shape as pydantic models, with ``fields`` (its values, and
  pydantic's errors as problems);
- ``sections`` — the rules of each list (codes used once, tie-breakers, weights) and the data;
- ``references`` — the cross-references and the scores;
- ``reader`` — ``read_package``; ``errors`` — ``PackageError`` and the wording of each code.
"""

from contest.domain.package.data import (
    ComponentData,
    CriterionData,
    EntrantData,
    EventData,
    JudgeData,
    Package,
    ScoreData,
    TeamData,
    TradeData,
    UnitData,
    Window,
    trade_spec,
)
from contest.domain.package.errors import PackageError
from contest.domain.package.reader import read_exam, read_item, read_package
from contest.domain.package.schema import PACKAGE_FORMAT
from contest.domain.refusal import Problem

__all__ = [
    "PACKAGE_FORMAT",
    "ComponentData",
    "CriterionData",
    "EntrantData",
    "EventData",
    "JudgeData",
    "Package",
    "PackageError",
    "Problem",
    "ScoreData",
    "TeamData",
    "TradeData",
    "UnitData",
    "Window",
    "read_exam",
    "read_item",
    "read_package",
    "trade_spec",
]
