"""Ranks, tie-breakers, team and unit tables, medals and standard scores (SCORING.md §3, §6)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from contest.domain.numbers import exact, round_half_up, sqrt
from contest.domain.scoring import EntrantScore


class Medal(StrEnum):
    """Medals from ranks 1, 2 and 3."""

    GOLD = "gold"
    SILVER = "silver"
    BRONZE = "bronze"


MEDAL_BY_RANK = {1: Medal.GOLD, 2: Medal.SILVER, 3: Medal.BRONZE}


@dataclass(frozen=True)
class TieNote:
    """How an entrant was separated from the one just above with the same total.

    ``breaker`` is the tie-breaker that decided (e.g. ``"time"``), or None when every
    breaker was equal and the two share the rank.
    """

    above: str
    breaker: str | None


@dataclass(frozen=True)
class Placing:
    """An entrant's rank in the trade (None when not ranked)."""

    code: str
    rank: int | None
    tie: TieNote | None = None


def _breaker_key(
    breaker: str, score: EntrantScore, time: Decimal | None, decimals: int
) -> tuple[object, ...]:
    """Smaller is better, so keys sort best first."""
    kind, _, code = breaker.partition(":")
    if kind == "time":
        return (0, time) if time is not None else (1, Decimal(0))
    if kind == "component":
        component = score.component(code)
        value = component.score if component else None
    elif kind == "criterion":
        criterion = score.criterion(code)
        value = criterion.mark if criterion else None
    else:
        raise ValueError(f"unknown tie-breaker {breaker!r}")
    return (0, -round_half_up(value, decimals)) if value is not None else (1, Decimal(0))


def ranks_by_criteria(tie_breakers: Sequence[str]) -> bool:
    """Whether ranking looks into entrants' criteria (not only totals, components, times)."""
    return any(b.partition(":")[0] == "criterion" for b in tie_breakers)


def rank_entrants(
    scores: Sequence[EntrantScore],
    tie_breakers: Sequence[str],
    times: Mapping[str, Decimal | None],
    decimals: int,
) -> list[Placing]:
    """Rank ``ok`` entrants by rounded total, then the tie-breakers in order (SCORING.md §3).

    Entrants equal on everything share the rank and the next rank is skipped (1, 2, 2, 4).
    Ranked entrants come first (by rank, then code), then the unranked (by code).
    """
    ranked = [s for s in scores if s.ranked]

    def key(score: EntrantScore) -> tuple[object, ...]:
        assert score.total is not None
        breakers = tuple(
            _breaker_key(b, score, times.get(score.code), decimals) for b in tie_breakers
        )
        return (-score.total, *breakers)

    keyed = sorted(((key(s), s.code) for s in ranked), key=lambda item: item)
    placings: list[Placing] = []
    rank = 0
    previous: tuple[object, ...] | None = None
    for position, (entrant_key, code) in enumerate(keyed, start=1):
        tie = None
        if previous is not None and previous[0] == entrant_key[0]:
            decided = next(
                (
                    b
                    for b, mine, theirs in zip(
                        tie_breakers, entrant_key[1:], previous[1:], strict=True
                    )
                    if mine != theirs
                ),
                None,
            )
            tie = TieNote(placings[-1].code, decided)
        if previous is None or entrant_key != previous:
            rank = position
        placings.append(Placing(code, rank, tie))
        previous = entrant_key
    placings.extend(
        Placing(s.code, None) for s in sorted(scores, key=lambda s: s.code) if not s.ranked
    )
    return placings


def competition_ranks(items: Sequence[tuple[str, tuple[object, ...]]]) -> dict[str, int]:
    """Standard competition ranking of (code, key) pairs, smaller key first: 1, 2, 2, 4."""
    ordered = sorted(items, key=lambda item: item[1])
    ranks: dict[str, int] = {}
    for position, (code, key) in enumerate(ordered, start=1):
        if position > 1 and key == ordered[position - 2][1]:
            ranks[code] = ranks[ordered[position - 2][0]]
        else:
            ranks[code] = position
    return ranks


# --- teams -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamPlacing:
    """A team's result in one trade: the sum of its best N members' rounded totals."""

    code: str
    rank: int | None
    score: Decimal | None
    counted: tuple[str, ...] = ()  # the members whose totals make the score


def rank_teams(
    team_size: int | None,
    members: Iterable[tuple[str, str, Decimal | None]],
    tie_breakers: Sequence[str] = (),
    times: Mapping[str, Decimal | None] | None = None,
    scores: Mapping[str, EntrantScore] | None = None,
    decimals: int = 2,
) -> list[TeamPlacing]:
    """Team ranking per trade (SCORING.md §3, team tie-breakers §7).

    ``members`` holds (team, entrant, rounded total or None if unranked) for every member of
    any status. Teams with fewer than ``team_size`` ranked members are unranked. The counted
    members are the best ``team_size`` by rounded total, then entrant code; equal team
    scores are separated by ``tie_breakers`` over the counted members (``time``: the sum of
    their ``times``, lower better, a missing time losing; ``component:<code>``: the sum of
    their rounded component scores from ``scores``, higher better)."""
    if not team_size:
        return []
    by_team: dict[str, list[tuple[Decimal, str]]] = {}
    for team, entrant, total in members:
        by_team.setdefault(team, [])
        if total is not None:
            by_team[team].append((total, entrant))
    scored: dict[str, tuple[Decimal, tuple[str, ...]]] = {}
    for team, totals in by_team.items():
        if len(totals) >= team_size:
            best = sorted(totals, key=lambda item: (-item[0], item[1]))[:team_size]
            scored[team] = (sum((t for t, _ in best), Decimal(0)), tuple(e for _, e in best))

    def key(team: str) -> tuple[object, ...]:
        score, counted = scored[team]
        return (-score, *(_team_breaker_key(b, counted, times or {}, scores or {}, decimals)
                          for b in tie_breakers))  # fmt: skip

    ranks = competition_ranks([(team, key(team)) for team in scored])
    ranked = sorted(scored, key=lambda team: (ranks[team], team))
    unranked = sorted(team for team in by_team if team not in scored)
    return [TeamPlacing(t, ranks[t], scored[t][0], scored[t][1]) for t in ranked] + [
        TeamPlacing(t, None, None) for t in unranked
    ]


def _team_breaker_key(
    breaker: str,
    counted: tuple[str, ...],
    times: Mapping[str, Decimal | None],
    scores: Mapping[str, EntrantScore],
    decimals: int,
) -> tuple[object, ...]:
    """Smaller is better; a team missing a counted member's figure comes last."""
    kind, _, code = breaker.partition(":")
    if kind == "time":
        seconds = [times.get(entrant) for entrant in counted]
        if any(t is None for t in seconds):
            return (1, Decimal(0))
        return (0, sum((t for t in seconds if t is not None), Decimal(0)))
    if kind == "component":
        found = [s.component(code) if (s := scores.get(e)) else None for e in counted]
        values = [c.score for c in found if c is not None and c.score is not None]
        if len(values) < len(counted):
            return (1, Decimal(0))
        return (0, -sum((round_half_up(v, decimals) for v in values), Decimal(0)))
    raise ValueError(f"unknown team tie-breaker {breaker!r}")


# --- field size, placement points and medals ---------------------------------------------------


def field_awards(
    ranked_count: int,
    min_entrants: int | None,
    started_count: int | None = None,
    min_started: int | None = None,
) -> bool:
    """Whether the trade's field is large enough to award anything: at least ``min_entrants``
    ranked (SCORING.md §3) and at least ``min_started`` started (§7, a void trade)."""
    if min_started is not None and (started_count or 0) < min_started:
        return False
    return min_entrants is None or ranked_count >= min_entrants


def medals_allowed(ranked_count: int, medals_by_field: bool) -> frozenset[Medal]:
    """WorldSkills-style medals by field size: 6+ all three, 5 gold and silver, else gold."""
    if not medals_by_field or ranked_count >= 6:
        return frozenset(Medal)
    if ranked_count == 5:
        return frozenset({Medal.GOLD, Medal.SILVER})
    return frozenset({Medal.GOLD})


@dataclass(frozen=True)
class Contribution:
    """What one ranked entrant brings to their unit: placement points and maybe a medal."""

    entrant: str
    unit: str
    points: int
    medal: Medal | None


def contributions(
    placings: Sequence[Placing],
    unit_of: Mapping[str, str],
    placement_points: Sequence[int],
    field_ok: bool,
    medals_by_field: bool,
) -> list[Contribution]:
    """Placement points and medals earned in one trade (none when the field does not award:
    too few ranked, or too few started)."""
    if not field_ok:
        return []
    ranked = [p for p in placings if p.rank is not None]
    allowed = medals_allowed(len(ranked), medals_by_field)
    result = []
    for placing in ranked:
        assert placing.rank is not None
        points = placement_points[placing.rank - 1] if placing.rank <= len(placement_points) else 0
        medal = MEDAL_BY_RANK.get(placing.rank)
        result.append(
            Contribution(
                placing.code,
                unit_of[placing.code],
                int(points),
                medal if medal in allowed else None,
            )
        )
    return result


@dataclass(frozen=True)
class UnitStanding:
    """A unit's place in the overall table."""

    code: str
    rank: int
    points: int
    gold: int
    silver: int
    bronze: int


def unit_table(units: Sequence[str], earned: Iterable[Contribution]) -> list[UnitStanding]:
    """Every unit ranked by points, then gold, silver, bronze; still equal → shared rank."""
    totals = {unit: [0, 0, 0, 0] for unit in units}
    for item in earned:
        row = totals[item.unit]
        row[0] += item.points
        if item.medal is not None:
            row[1 + list(Medal).index(item.medal)] += 1
    ranks = competition_ranks([(u, tuple(-n for n in row)) for u, row in totals.items()])
    ordered = sorted(totals, key=lambda unit: (ranks[unit], unit))
    return [UnitStanding(u, ranks[u], *totals[u]) for u in ordered]


# --- standard scores ---------------------------------------------------------------------------


def t_scores(totals: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """T = 50 + 10 × (total − mean) / sd over the ranked totals, 2 places (SCORING.md §6)."""
    if not totals:
        return {}
    values = {code: exact(total) for code, total in totals.items()}
    mean = sum(values.values(), Fraction(0)) / len(values)
    variance = sum(((v - mean) ** 2 for v in values.values()), Fraction(0)) / len(values)
    if variance == 0:
        return {code: Decimal("50.00") for code in values}
    sd = sqrt(variance, 60)
    return {code: round_half_up(_t(value, mean, sd), 2) for code, value in values.items()}


def _t(value: Fraction, mean: Fraction, sd: Decimal) -> Fraction:
    return 50 + 10 * (value - mean) / exact(sd)
