"""Marks, panels and totals (SCORING.md §1–2): the vocabulary of a marking scheme."""

from __future__ import annotations

from enum import StrEnum


class CriterionKind(StrEnum):
    """Objective measurement or subjective judgement (SCORING.md §1)."""

    MEASUREMENT = "measurement"
    JUDGEMENT = "judgement"


class Aggregation(StrEnum):
    """How a panel's values for one criterion combine (SCORING.md §1)."""

    MEAN = "mean"
    MEDIAN = "median"
    SUM = "sum"
    TRIMMED_MEAN = "trimmed_mean"
    TRIMMED_SUM = "trimmed_sum"


class Recusal(StrEnum):
    """Whether judges of the entrant's own unit are kept off the panel (SCORING.md §4)."""

    SAME_UNIT = "same_unit"
    NONE = "none"


class DeclaredStatus(StrEnum):
    """A status the chief judge declares; such an entrant is never ranked (SCORING.md §2)."""

    DNS = "DNS"
    DQ = "DQ"
    WD = "WD"


def is_recused(recusal: Recusal, judge_unit: str | int | None, entrant_unit: str | int) -> bool:
    """SCORING.md §4: a judge of the entrant's own unit may not score them (unless "none")."""
    return recusal == Recusal.SAME_UNIT and judge_unit is not None and judge_unit == entrant_unit
