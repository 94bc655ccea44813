"""How stored values read to people: one translated label per enum member. The domain's
enums are worded here; each feature registers the words of its own (``register``)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from contest.domain.scoring import Aggregation, CriterionKind, DeclaredStatus, Recusal
from contest.domain.stages import StageKind, StageState

LABELS: dict[type[Enum], dict[Enum, object]] = {
    DeclaredStatus: {
        DeclaredStatus.DNS: _l("Did not start"),
        DeclaredStatus.DQ: _l("Disqualified"),
        DeclaredStatus.WD: _l("Withdrawn"),
    },
    CriterionKind: {
        CriterionKind.MEASUREMENT: _l("Measurement"),
        CriterionKind.JUDGEMENT: _l("Judgement"),
    },
    Aggregation: {
        Aggregation.MEAN: _l("Mean"),
        Aggregation.MEDIAN: _l("Median"),
        Aggregation.SUM: _l("Sum"),
        Aggregation.TRIMMED_MEAN: _l("Trimmed mean"),
        Aggregation.TRIMMED_SUM: _l("Trimmed sum"),
    },
    Recusal: {Recusal.SAME_UNIT: _l("Same-unit judges recused"), Recusal.NONE: _l("No recusal")},
    StageKind: {
        StageKind.REGISTRATION: _l("Registration"),
        StageKind.REVIEW: _l("Review"),
        StageKind.SCORING: _l("Scoring"),
        StageKind.APPEAL: _l("Appeals"),
        StageKind.PUBLIC_NOTICE: _l("Public notice"),
        StageKind.PUBLISH: _l("Publication"),
    },
    StageState: {
        StageState.PENDING: _l("Not yet open"),
        StageState.OPEN: _l("Open"),
        StageState.CLOSED: _l("Closed"),
    },
}


def register(kind: type[Enum], words: dict[Any, object]) -> None:
    """The words of a feature's enum, one per member."""
    LABELS[kind] = words


def label(value: Enum | None) -> str:
    """The translated label of an enum member ('' for None)."""
    if value is None:
        return ""
    return str(LABELS[type(value)][value])


def selection_text(select: dict) -> str:
    """How an award rule selects, in a few words (SCORING.md §5; ``of`` and ``manual``, §7)."""
    if "top" in select:
        return gettext("places 1–%(n)s", n=select["top"])
    if "ranks" in select:
        first, last = select["ranks"]
        return gettext("places %(first)s–%(last)s", first=first, last=last)
    if "percent" in select:
        base = select.get("of", "ranked")
        if base == "started":
            return gettext("%(percent)s %% of those who started", percent=select["percent"])
        if base == "registered":
            return gettext("%(percent)s %% of those registered", percent=select["percent"])
        return gettext("the first %(percent)s %% of the field", percent=select["percent"])
    if select.get("manual"):
        return gettext("named by the organisers")
    rows = []
    for size, places in select.get("top_by_field", []):
        if size is None:
            rows.append(gettext("otherwise %(k)s", k=places))
        else:
            rows.append(gettext("up to %(n)s entrants: %(k)s", n=size, k=places))
    return gettext("places by field size: %(rows)s", rows="; ".join(rows))
