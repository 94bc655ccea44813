"""Computed trade results as plain JSON and back, losslessly.

Stored results keep exact values: fractions as ``"numerator/denominator"`` and decimals as
strings, so a page showing a stored breakdown shows exactly what was computed. A criterion's
breakdown leaves out what is as usual — an empty list, no flag, a factor of 1, a panel that
is the judges who gave values, in their order — and reading puts it back: a trade's results
are written at every submitted sheet, so their size is paid at every one. Results written
with every key read back the same.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from fractions import Fraction
from typing import Any

from contest.domain.awards import Nomination
from contest.domain.ranking import Contribution, Medal, Placing, TeamPlacing, TieNote
from contest.domain.results import EntrantResult, TradeResult
from contest.domain.scoring import (
    ComponentResult,
    CriterionResult,
    Deduction,
    EntrantScore,
    Status,
)


def _frac(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _unfrac(value: str | None) -> Fraction | None:
    if value is None:
        return None
    numerator, _, denominator = value.partition("/")  # from two ints: 3× faster than parsing
    return Fraction(int(numerator), int(denominator or 1))


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def dump_trade(
    result: TradeResult, earlier: dict[str, Any] | None = None, unchanged: Collection[str] = ()
) -> dict[str, Any]:
    """A JSON-safe dict holding everything in ``result``.

    The ``unchanged`` entrants' scores are copied from ``earlier`` (a dump of the trade
    before one other entrant's marks changed), criteria included: their scores in
    ``result`` were read back from it (``load_scores``), perhaps without their criteria."""
    kept = {e["code"]: e for e in earlier["entrants"] if e["code"] in unchanged} if earlier else {}
    return {
        "code": result.code,
        "ranked_count": result.ranked_count,
        "field_ok": result.field_ok,
        "entrants": [_dump_entrant(e, kept.get(e.code)) for e in result.entrants],
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


def _dump_entrant(entrant: EntrantResult, kept: dict[str, Any] | None = None) -> dict[str, Any]:
    """The entrant's score (or the ``kept`` dump's, its placing written over), then placing."""
    placing, earned = entrant.placing, entrant.contribution
    return {
        **(kept if kept is not None else _dump_score(entrant.score)),
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


def _dump_score(score: EntrantScore) -> dict[str, Any]:
    data = {
        "code": score.code,
        "status": score.status.value,
        "total_exact": _frac(score.total_exact),
        "total": _dec(score.total),
        "flags": list(score.flags),
        "components": [_dump_component(c) for c in score.components],
    }
    if score.disqualified_by is not None:
        data["disqualified_by"] = score.disqualified_by
    return data


def _dump_deductions(
    data: dict[str, Any], before: Fraction | None, items: tuple[Deduction, ...]
) -> None:
    """Add the deductions (rare) to a criterion's or component's dump."""
    if not items:
        return
    data["before"] = _frac(before)
    data["deductions"] = [
        {
            "kind": d.kind,
            "points": _frac(d.points),
            "reason": d.reason,
            "over": _dec(d.over),
            "minutes": d.minutes,
            "zeroed": d.zeroed,
            **({"zero_after": str(d.zero_after)} if d.zero_after is not None else {}),
        }
        for d in items
    ]


def _load_deductions(data: dict[str, Any]) -> dict[str, Any]:
    if "deductions" not in data:
        return {}
    items = tuple(
        Deduction(
            d["kind"], _unfrac(d["points"]) or Fraction(0), d["reason"], _undec(d["over"]),
            d["minutes"], d["zeroed"], _undec(d.get("zero_after")),
        )
        for d in data["deductions"]
    )  # fmt: skip
    return {"deductions": items, "before": _unfrac(data["before"])}


def load_scores(data: dict[str, Any], criteria: bool = True) -> dict[str, EntrantScore]:
    """The entrants' scores (by entrant code) in what ``dump_trade`` wrote, without their
    placings and awards; their components without their criteria unless ``criteria``
    (reading those is most of the cost)."""
    return {e["code"]: _load_score(e, criteria) for e in data["entrants"]}


def _load_score(data: dict[str, Any], criteria: bool = True) -> EntrantScore:
    return EntrantScore(
        code=data["code"],
        status=Status(data["status"]),
        components=tuple(_load_component(c, criteria) for c in data["components"]),
        total_exact=_unfrac(data["total_exact"]),
        total=_undec(data["total"]),
        flags=tuple(data["flags"]),
        disqualified_by=data.get("disqualified_by"),
    )


def _load_entrant(data: dict[str, Any]) -> EntrantResult:
    code = data["code"]
    score = _load_score(data)
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
    data = {
        "code": component.code,
        "weight": _dec(component.weight),
        "score": _frac(component.score),
        "criteria": [_dump_criterion(c) for c in component.criteria],
    }
    _dump_deductions(data, component.before, component.deductions)
    return data


def _dump_criterion(criterion: CriterionResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": criterion.code,
        "values": {judge: str(value) for judge, value in criterion.values.items()},
        "aggregate": _frac(criterion.aggregate),
        "mark": _frac(criterion.mark),
    }
    if criterion.panel != tuple(criterion.values):
        data["panel"] = list(criterion.panel)
    for name in _JUDGE_LISTS:
        if judges := getattr(criterion, name):
            data[name] = list(judges)
    if (factor := str(criterion.factor)) != "1":
        data["factor"] = factor
    if criterion.flag is not None:
        data["flag"] = criterion.flag
    _dump_deductions(data, criterion.before, criterion.deductions)
    return data


_JUDGE_LISTS = ("missing", "recused", "excused", "dropped")


def _load_component(data: dict[str, Any], criteria: bool = True) -> ComponentResult:
    return ComponentResult(
        code=data["code"],
        weight=Decimal(data["weight"]),
        score=_unfrac(data["score"]),
        criteria=tuple(_load_criterion(c) for c in data["criteria"]) if criteria else (),
        **_load_deductions(data),
    )


def _load_criterion(data: dict[str, Any]) -> CriterionResult:
    values = {judge: Decimal(value) for judge, value in data["values"].items()}
    return CriterionResult(
        code=data["code"],
        panel=tuple(data.get("panel", values)),
        values=values,
        missing=tuple(data.get("missing", ())),
        recused=tuple(data.get("recused", ())),
        excused=tuple(data.get("excused", ())),
        dropped=tuple(data.get("dropped", ())),
        aggregate=_unfrac(data["aggregate"]),
        factor=Decimal(data.get("factor", "1")),
        mark=_unfrac(data["mark"]),
        flag=data.get("flag"),
        **_load_deductions(data),
    )
