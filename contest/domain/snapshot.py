"""Computed trade results as plain JSON and back, losslessly.

Stored results keep exact values: fractions as ``"numerator/denominator"`` and decimals as
strings, so a page showing a stored breakdown shows exactly what was computed.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from contest.domain.awards import Nomination
from contest.domain.ranking import Contribution, Medal, Placing, TeamPlacing, TieNote
from contest.domain.results import EntrantResult, TradeResult
from contest.domain.scoring import ComponentResult, CriterionResult, EntrantScore, Status


def _frac(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _unfrac(value: str | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def dump_trade(result: TradeResult) -> dict[str, Any]:
    """A JSON-safe dict holding everything in ``result``."""
    return {
        "code": result.code,
        "ranked_count": result.ranked_count,
        "field_ok": result.field_ok,
        "entrants": [_dump_entrant(e) for e in result.entrants],
        "teams": [
            {"code": t.code, "rank": t.rank, "score": _dec(t.score), "counted": list(t.counted)}
            for t in result.teams
        ],
        "skipped": [[rule, entrant, why] for (rule, entrant), why in result.skipped.items()],
    }


def load_trade(data: dict[str, Any]) -> TradeResult:
    """The ``TradeResult`` that ``dump_trade`` wrote."""
    return TradeResult(
        code=data["code"],
        entrants=[_load_entrant(e) for e in data["entrants"]],
        teams=[
            TeamPlacing(t["code"], t["rank"], _undec(t["score"]), tuple(t["counted"]))
            for t in data["teams"]
        ],
        ranked_count=data["ranked_count"],
        field_ok=data["field_ok"],
        skipped={(rule, entrant): why for rule, entrant, why in data["skipped"]},
    )


def _dump_entrant(entrant: EntrantResult) -> dict[str, Any]:
    score, placing, earned = entrant.score, entrant.placing, entrant.contribution
    return {
        "code": score.code,
        "status": score.status.value,
        "total_exact": _frac(score.total_exact),
        "total": _dec(score.total),
        "flags": list(score.flags),
        "components": [_dump_component(c) for c in score.components],
        "rank": placing.rank,
        "tie": None if placing.tie is None else [placing.tie.above, placing.tie.breaker],
        "t_score": _dec(entrant.t_score),
        "awards": [[n.rule, n.promoted_to] for n in entrant.awards],
        "contribution": None
        if earned is None
        else {
            "unit": earned.unit,
            "points": earned.points,
            "medal": None if earned.medal is None else earned.medal.value,
        },
    }


def _load_entrant(data: dict[str, Any]) -> EntrantResult:
    code = data["code"]
    score = EntrantScore(
        code=code,
        status=Status(data["status"]),
        components=tuple(_load_component(c) for c in data["components"]),
        total_exact=_unfrac(data["total_exact"]),
        total=_undec(data["total"]),
        flags=tuple(data["flags"]),
    )
    tie = None if data["tie"] is None else TieNote(data["tie"][0], data["tie"][1])
    earned = data["contribution"]
    contribution = None
    if earned is not None:
        medal = None if earned["medal"] is None else Medal(earned["medal"])
        contribution = Contribution(code, earned["unit"], earned["points"], medal)
    return EntrantResult(
        score=score,
        placing=Placing(code, data["rank"], tie),
        t_score=_undec(data["t_score"]),
        awards=tuple(Nomination(rule, code, level) for rule, level in data["awards"]),
        contribution=contribution,
    )


def _dump_component(component: ComponentResult) -> dict[str, Any]:
    return {
        "code": component.code,
        "weight": _dec(component.weight),
        "score": _frac(component.score),
        "criteria": [
            {
                "code": c.code,
                "panel": list(c.panel),
                "values": {judge: _dec(value) for judge, value in c.values.items()},
                "missing": list(c.missing),
                "recused": list(c.recused),
                "excused": list(c.excused),
                "dropped": list(c.dropped),
                "aggregate": _frac(c.aggregate),
                "factor": _dec(c.factor),
                "mark": _frac(c.mark),
                "flag": c.flag,
            }
            for c in component.criteria
        ],
    }


def _load_component(data: dict[str, Any]) -> ComponentResult:
    return ComponentResult(
        code=data["code"],
        weight=Decimal(data["weight"]),
        score=_unfrac(data["score"]),
        criteria=tuple(
            CriterionResult(
                code=c["code"],
                panel=tuple(c["panel"]),
                values={judge: Decimal(value) for judge, value in c["values"].items()},
                missing=tuple(c["missing"]),
                recused=tuple(c["recused"]),
                excused=tuple(c["excused"]),
                dropped=tuple(c["dropped"]),
                aggregate=_unfrac(c["aggregate"]),
                factor=Decimal(c["factor"]),
                mark=_unfrac(c["mark"]),
                flag=c["flag"],
            )
            for c in data["criteria"]
        ),
    )
