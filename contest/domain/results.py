"""A whole event's results: trades, teams, units, awards — and the contest-results/1 document.

``compute_trade`` depends only on one trade's data, so a changed score recomputes one trade;
``compute_event`` combines stored trade results into the unit table and award lists, which
is cheap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from contest.domain.awards import (
    AwardRule,
    Candidate,
    Decisions,
    FieldSize,
    Nomination,
    apply_rules,
)
from contest.domain.numbers import fixed, round_half_up
from contest.domain.ranking import (
    Contribution,
    Placing,
    TeamPlacing,
    UnitStanding,
    contributions,
    field_awards,
    rank_entrants,
    rank_teams,
    t_scores,
    unit_table,
)
from contest.domain.scoring import (
    DeclaredStatus,
    EntrantInput,
    EntrantScore,
    TradeSpec,
    score_entrant,
)

RESULTS_FORMAT = "contest-results/1"


@dataclass(frozen=True)
class EventSpec:
    """The event-wide settings results depend on."""

    slug: str
    starts_on: date
    decimals: int = 2
    placement_points: tuple[int, ...] = ()
    medals_by_field: bool = False
    award_rules: tuple[AwardRule, ...] = ()
    units: tuple[str, ...] = ()
    decisions: Decisions = field(default_factory=Decisions)


@dataclass(frozen=True)
class EntrantResult:
    """Everything computed for one entrant."""

    score: EntrantScore
    placing: Placing
    t_score: Decimal | None = None
    awards: tuple[Nomination, ...] = ()
    contribution: Contribution | None = None

    @property
    def code(self) -> str:
        return self.score.code


@dataclass
class TradeResult:
    """One trade's results, entrants in published order (ranked by rank, then the rest)."""

    code: str
    entrants: list[EntrantResult]
    teams: list[TeamPlacing]
    ranked_count: int
    field_ok: bool
    skipped: dict[tuple[str, str], str] = field(default_factory=dict)  # (rule, entrant) → why

    def entrant(self, code: str) -> EntrantResult | None:
        """The result of one entrant, if they are in this trade."""
        return next((e for e in self.entrants if e.code == code), None)


def compute_trade(
    event: EventSpec,
    trade: TradeSpec,
    entrants: Sequence[EntrantInput],
    scored: Mapping[str, EntrantScore] | None = None,
) -> TradeResult:
    """Score, rank and award one trade (SCORING.md §1–6).

    ``scored`` holds the scores of entrants whose marks are known already (a stored result,
    after one other entrant's sheet changed): they are taken as they are, and those entrants'
    values are not read; every other entrant is scored. Ranks, awards, points and teams are
    always worked out over everyone."""
    scored = scored or {}
    by_code = {e.code: e for e in entrants}
    scores = {
        e.code: scored[e.code] if e.code in scored else score_entrant(trade, e, event.decimals)
        for e in entrants
    }
    placings = rank_entrants(
        list(scores.values()),
        trade.tie_breakers,
        {e.code: e.time for e in entrants},
        event.decimals,
    )
    ranked = [p for p in placings if p.rank is not None]
    started = sum(1 for e in entrants if e.status not in _NOT_STARTED)
    size = FieldSize(len(ranked), started, len(entrants))
    field_ok = field_awards(len(ranked), trade.min_entrants, started, trade.min_started)
    totals = {p.code: _total(scores[p.code]) for p in ranked}
    t = t_scores(totals)
    candidates = [
        _candidate(p.code, p.rank, scores[p.code], by_code[p.code], event.decimals)
        for p in ranked
        if p.rank is not None
    ]
    awards = apply_rules(
        event.award_rules,
        trade.code,
        candidates,
        field_ok,
        event.starts_on,
        size,
        event.decisions,
    )
    earned = {
        c.entrant: c
        for c in contributions(
            placings,
            {e.code: e.unit for e in entrants},
            event.placement_points,
            field_ok,
            event.medals_by_field,
        )
    }
    teams = rank_teams(
        trade.team_size,
        [(e.team, e.code, scores[e.code].total) for e in entrants if e.team is not None],
        trade.team_tie_breakers,
        {e.code: e.time for e in entrants},
        scores,
        event.decimals,
    )
    return TradeResult(
        code=trade.code,
        entrants=[
            EntrantResult(
                scores[p.code],
                p,
                t.get(p.code),
                tuple(awards.by_entrant.get(p.code, ())),
                earned.get(p.code),
            )
            for p in placings
        ],
        teams=teams,
        ranked_count=len(ranked),
        field_ok=field_ok,
        skipped=awards.skipped,
    )


_NOT_STARTED = (DeclaredStatus.DNS, DeclaredStatus.WD)


def _candidate(
    code: str, rank: int, score: EntrantScore, entrant: EntrantInput, decimals: int
) -> Candidate:
    components = {
        c.code: round_half_up(c.score, decimals) for c in score.components if c.score is not None
    }
    return Candidate(
        code,
        rank,
        _total(score),
        entrant.birth_date,
        entrant.skill_level,
        components,
        entrant.gender,
    )


def _total(score: EntrantScore) -> Decimal:
    assert score.total is not None
    return score.total


@dataclass(frozen=True)
class AwardList:
    """Everyone a rule selected across the event: by trade, then rank, then code."""

    rule: AwardRule
    entrants: tuple[str, ...]
    promotions: dict[str, str]


def award_lists(event: EventSpec, trades: Sequence[TradeResult]) -> list[AwardList]:
    """Every rule in rule order with its nominees (trades in the order given)."""
    lists = []
    for rule in event.award_rules:
        chosen: list[str] = []
        promotions: dict[str, str] = {}
        for trade in trades:
            for entrant in trade.entrants:
                for nomination in entrant.awards:
                    if nomination.rule == rule.code:
                        chosen.append(entrant.code)
                        if nomination.promoted_to is not None:
                            promotions[entrant.code] = nomination.promoted_to
        lists.append(AwardList(rule, tuple(chosen), promotions))
    return lists


def units(event: EventSpec, trades: Sequence[TradeResult]) -> list[UnitStanding]:
    """The overall unit table from every trade's points and medals."""
    earned = [e.contribution for t in trades for e in t.entrants if e.contribution is not None]
    return unit_table(event.units, earned)


def results_document(event: EventSpec, trades: Sequence[TradeResult]) -> dict[str, Any]:
    """The ``contest-results/1`` document (PACKAGE.md), decimals as fixed-place strings."""
    places = event.decimals
    return {
        "format": RESULTS_FORMAT,
        "event": event.slug,
        "trades": [
            {
                "code": trade.code,
                "entrants": [_entrant_document(e, places) for e in trade.entrants],
                "teams": [
                    {"code": t.code, "rank": t.rank, "score": fixed(t.score, places)}
                    for t in trade.teams
                ],
            }
            for trade in trades
        ],
        "units": [
            {
                "code": u.code,
                "rank": u.rank,
                "points": u.points,
                "gold": u.gold,
                "silver": u.silver,
                "bronze": u.bronze,
            }
            for u in units(event, trades)
        ],
        "awards": [_award_document(a) for a in award_lists(event, trades)],
    }


def _entrant_document(entrant: EntrantResult, places: int) -> dict[str, Any]:
    score = entrant.score
    return {
        "code": score.code,
        "rank": entrant.placing.rank,
        "status": score.status.value,
        "total": fixed(score.total, places),
        "components": {
            c.code: fixed(c.score, places) for c in score.components if c.score is not None
        },
        "t_score": fixed(entrant.t_score, 2),
        "flags": list(score.flags),
        "awards": [n.rule for n in entrant.awards],
    }


def _award_document(award: AwardList) -> dict[str, Any]:
    document: dict[str, Any] = {
        "code": award.rule.code,
        "title": award.rule.title,
        "entrants": list(award.entrants),
    }
    if award.rule.promote is not None:
        document["promotions"] = award.promotions
    return document
