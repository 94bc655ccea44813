"""An event's rules as its 竞赛规程 states them: each award rule (SCORING.md §5, §7) and each
trade's scoring, ranking, team, void, penalty and overtime rules (§1, §3, §7), as clauses.

A ``Clause`` names its wording (a key of ``WORDS``, English templates marked for the
catalogues) and the details the wording names; a detail may itself be a clause (a
duration, a list of names, a tie-breaker). The application words them in the reader's
language; only the selection of an award rule is worded by the labels' ``selection_text``
(key ``select``, detail ``select``: the rule's ``select`` object), so that the rules text
and every list of awards say the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from contest.domain.awards import AwardRule, Promotion, Rounding
from contest.domain.refusal import N_
from contest.domain.scoring import Overtime, TradeSpec

#: The wording of each clause. ``%(name)s`` names a detail.
WORDS: Mapping[str, str] = {
    # joining
    "list": N_("%(items)s, %(item)s"),
    "then": N_("%(first)s; if still equal, %(next)s"),
    "clauses": N_("%(first)s; %(next)s"),
    "sentence": N_("%(text)s."),
    # award rules
    "select_promote": N_("%(select)s: %(promotion)s"),
    "promote_levels": N_("promoted %(levels)s level(s), to %(cap)s at most"),
    "promote_to": N_(
        "promoted to %(to)s; those already %(to)s or above go up one level (to %(cap)s at most)"
    ),
    "promote_to_cap": N_("promoted to %(to)s"),
    "rounding_round": N_("the number of places is rounded half up"),
    "rounding_floor": N_("the number of places is rounded down"),
    "rounding_ceil": N_("the number of places is rounded up"),
    "min_total": N_("a total of at least %(points)s points"),
    "min_every_component": N_("every component must reach %(points)s points"),
    "min_component": N_("%(component)s must reach %(points)s points"),
    "gender_F": N_("women only"),
    "gender_M": N_("men only"),
    "max_age": N_("aged %(age)s or under on the first competition day"),
    "rule_min_entrants": N_("only in trades with at least %(n)s ranked entrants"),
    "rule_trades": N_("only in %(trades)s"),
    "group": N_(
        "not combined with the other awards of group %(group)s: an entrant receives only "
        "the first of them"
    ),
    # trades
    "components": N_("the total is made up of %(parts)s"),
    "component_weight": N_("%(component)s (%(weight)s %%)"),
    "tie_breakers": N_("equal totals: %(breakers)s; if still equal, the rank is shared"),
    "no_tie_breakers": N_("equal totals share the rank"),
    "breaker_time": N_("the shorter completion time ranks higher"),
    "breaker_component": N_("the higher %(component)s score ranks higher"),
    "breaker_criterion": N_("the higher mark for %(criterion)s ranks higher"),
    "team_size": N_("a team's score is the sum of its best %(n)s members' totals"),
    "team_tie_breakers": N_("equal team scores: %(breakers)s"),
    "team_breaker_time": N_("the shorter time ranks higher"),
    "team_breaker_component": N_("the higher sum of %(component)s scores ranks higher"),
    "min_entrants": N_("a trade with fewer than %(n)s ranked entrants awards nothing"),
    "min_started": N_("a trade with fewer than %(n)s entrants who started awards nothing"),
    "penalty_points": N_("%(kind)s: %(points)s points off for each violation, down to 0"),
    "penalty_disqualify": N_("%(kind)s %(n)s times in all: disqualified"),
    "overtime": N_(
        "%(component)s over the set time (%(limit)s): %(points)s points off for each minute"
    ),
    "overtime_zero": N_(
        "%(component)s over the set time (%(limit)s): %(points)s points off for each minute; "
        "more than %(zero)s over, the component scores 0"
    ),
    "overtime_part": N_("part of a minute counts as a whole minute"),
    # durations
    "minutes": N_("%(n)s minutes"),
    "minutes_seconds": N_("%(m)s min %(s)s s"),
    "seconds": N_("%(n)s seconds"),
}


@dataclass(frozen=True)
class Clause:
    """One statement of the rules: the key of its wording and the details it names."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleText:
    """What an award rule says: its title and its clauses, in order."""

    code: str
    title: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class TradeRules:
    """A trade as its rules text needs it: the spec, and the names people read."""

    spec: TradeSpec
    name: str
    component_names: Mapping[str, str] = field(default_factory=dict)
    criterion_names: Mapping[str, str] = field(default_factory=dict)
    #: The trade's 扣分标准: points one penalty of each kind takes.
    penalty_points: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class TradeText:
    """What a trade's rules say, each clause a sentence of its own."""

    code: str
    name: str
    clauses: tuple[Clause, ...]


def plain(value: Decimal | int) -> str:
    """A number as a 竞赛规程 writes it: no exponent, no trailing zeros (60, 2.5)."""
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def joined(items: Sequence[Any], key: str = "list") -> Any:
    """Items joined by the wording ``key`` (``list``: A、B、C; ``then``: A；仍相同的，B)."""
    if not items:
        return ""
    result = items[0]
    for item in items[1:]:
        params = (
            {"items": result, "item": item} if key == "list" else {"first": result, "next": item}
        )
        result = Clause(key, params)
    return result


def duration(seconds: Decimal) -> Clause:
    """A duration in minutes (and seconds) as the rules state it."""
    whole = int(seconds)
    if whole != seconds:
        return Clause("seconds", {"n": plain(seconds)})
    minutes, rest = divmod(whole, 60)
    if minutes == 0:
        return Clause("seconds", {"n": rest})
    if rest == 0:
        return Clause("minutes", {"n": minutes})
    return Clause("minutes_seconds", {"m": minutes, "s": rest})


# --- award rules -------------------------------------------------------------------------------


def _promotion(promote: Promotion) -> Clause:
    if promote.to is None:
        return Clause("promote_levels", {"levels": promote.levels, "cap": promote.cap})
    if promote.to == promote.cap:
        return Clause("promote_to_cap", {"to": promote.to})
    return Clause("promote_to", {"to": promote.to, "cap": promote.cap})


def _applies(rule: AwardRule, trades: Sequence[TradeRules]) -> list[TradeRules]:
    return [t for t in trades if rule.trades is None or t.spec.code in rule.trades]


def _component_names(trades: Iterable[TradeRules]) -> dict[str, str]:
    names: dict[str, str] = {}
    for trade in trades:
        for component in trade.spec.components:
            names.setdefault(component.code, trade.component_names.get(component.code, ""))
    return {code: name or code for code, name in names.items()}


def _pass_lines(rule: AwardRule, trades: Sequence[TradeRules]) -> list[Clause]:
    """各部分均须达到 N 分 when one line covers every component of every trade the rule
    applies to; otherwise a clause per component."""
    lines = dict(rule.min_components or {})
    if not lines:
        return []
    covered = _applies(rule, trades)
    every = {c.code for t in covered for c in t.spec.components}
    if covered and set(lines) == every and len(set(lines.values())) == 1:
        return [Clause("min_every_component", {"points": plain(next(iter(lines.values())))})]
    names = _component_names(covered or trades)
    return [
        Clause("min_component", {"component": names.get(code, code), "points": plain(line)})
        for code, line in lines.items()
    ]


def rule_text(rule: AwardRule, trades: Sequence[TradeRules]) -> RuleText:
    """What one award rule says (SCORING.md §5, §7), ``trades`` being the event's."""
    select = Clause("select", {"select": rule.select.to_json()})
    clauses = [
        select
        if rule.promote is None
        else Clause("select_promote", {"select": select, "promotion": _promotion(rule.promote)})
    ]
    if rule.select.percent is not None:
        clauses.append(Clause(f"rounding_{Rounding(rule.select.rounding).value}"))
    if rule.min_total is not None:
        clauses.append(Clause("min_total", {"points": plain(rule.min_total)}))
    clauses += _pass_lines(rule, trades)
    if rule.gender in ("F", "M"):
        clauses.append(Clause(f"gender_{rule.gender}"))
    if rule.max_age is not None:
        clauses.append(Clause("max_age", {"age": rule.max_age}))
    if rule.trades is not None:
        names = {t.spec.code: t.name for t in trades}
        chosen = [names.get(code, code) for code in _in_order(rule.trades, trades)]
        clauses.append(Clause("rule_trades", {"trades": joined(chosen)}))
    if rule.min_entrants is not None:
        clauses.append(Clause("rule_min_entrants", {"n": rule.min_entrants}))
    if rule.group is not None:
        clauses.append(Clause("group", {"group": rule.group}))
    return RuleText(rule.code, rule.title, tuple(clauses))


def _in_order(codes: Iterable[str], trades: Sequence[TradeRules]) -> list[str]:
    """Trade codes in the event's order (unknown ones last, by code)."""
    order = {t.spec.code: i for i, t in enumerate(trades)}
    return sorted(codes, key=lambda code: (order.get(code, len(order)), code))


def award_rules_text(rules: Sequence[AwardRule], trades: Sequence[TradeRules]) -> list[RuleText]:
    """What each of the event's award rules says, in the rules' order."""
    return [rule_text(rule, trades) for rule in rules]


# --- trades ------------------------------------------------------------------------------------


def _weight(weight: Decimal) -> str:
    return plain(weight * 100)


def _breaker(breaker: str, trade: TradeRules, team: bool = False) -> Clause:
    kind, _, code = breaker.partition(":")
    prefix = "team_breaker" if team else "breaker"
    if kind == "time":
        return Clause(f"{prefix}_time")
    if kind == "component":
        name = trade.component_names.get(code) or code
        return Clause(f"{prefix}_component", {"component": name})
    criterion = trade.criterion_names.get(code)
    return Clause("breaker_criterion", {"criterion": f"{code} {criterion}" if criterion else code})


def _overtime(rule: Overtime, trade: TradeRules) -> list[Clause]:
    params: dict[str, Any] = {
        "component": trade.component_names.get(rule.component) or rule.component,
        "limit": duration(rule.limit),
        "points": plain(rule.per_minute),
    }
    if rule.zero_after is not None:
        clause = Clause("overtime_zero", {**params, "zero": duration(rule.zero_after)})
    else:
        clause = Clause("overtime", params)
    return [clause, Clause("overtime_part")]


def _penalties(trade: TradeRules) -> list[Clause]:
    clauses = []
    kinds = list(trade.penalty_points) + [
        k for k in trade.spec.disqualify_on if k not in trade.penalty_points
    ]
    for kind in kinds:
        points = trade.penalty_points.get(kind)
        if points is not None and points > 0:
            clauses.append(Clause("penalty_points", {"kind": kind, "points": plain(points)}))
        count = trade.spec.disqualify_on.get(kind)
        if count is not None:
            clauses.append(Clause("penalty_disqualify", {"kind": kind, "n": count}))
    return clauses


def trade_text(trade: TradeRules) -> TradeText:
    """What a trade's rules say (SCORING.md §1, §3, §7): how the total is made up, how ties
    are broken, teams, the smallest field that awards anything, penalties and overtime."""
    spec = trade.spec
    parts = [
        Clause(
            "component_weight",
            {"component": trade.component_names.get(c.code) or c.code, "weight": _weight(c.weight)},
        )
        for c in spec.components
    ]
    clauses = [Clause("components", {"parts": joined(parts)})] if parts else []
    if spec.tie_breakers:
        breakers = [_breaker(b, trade) for b in spec.tie_breakers]
        clauses.append(Clause("tie_breakers", {"breakers": joined(breakers, "then")}))
    else:
        clauses.append(Clause("no_tie_breakers"))
    if spec.team_size:
        clauses.append(Clause("team_size", {"n": spec.team_size}))
        if spec.team_tie_breakers:
            breakers = [_breaker(b, trade, team=True) for b in spec.team_tie_breakers]
            clauses.append(Clause("team_tie_breakers", {"breakers": joined(breakers, "then")}))
    if spec.min_entrants is not None:
        clauses.append(Clause("min_entrants", {"n": spec.min_entrants}))
    if spec.min_started is not None:
        clauses.append(Clause("min_started", {"n": spec.min_started}))
    clauses += _penalties(trade)
    if spec.overtime is not None:
        clauses += _overtime(spec.overtime, trade)
    return TradeText(spec.code, trade.name, tuple(clauses))
