"""Why each entrant of a trade stands where they do, in words: the tie-breakers, who was
equal with whom and what separated them, and the award rules whose cut an entrant made but
which did not select them."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext

from contest.domain.results import TradeResult


def award_text(rule: str, promoted_to: str | None, titles: dict[str, str]) -> str:
    """An award an entrant holds, in words (with the level it was promoted to)."""
    title = titles.get(rule, rule)
    if promoted_to:
        return gettext("%(award)s (to %(level)s)", award=title, level=promoted_to)
    return title


def breaker_text(
    breaker: str, component_names: dict[str, str], criterion_names: dict[str, str]
) -> str:
    """A tie-breaker in words: "the practical score", "completion time"…"""
    kind, _, code = breaker.partition(":")
    if kind == "time":
        return gettext("completion time")
    if kind == "component":
        return gettext("the %(component)s score", component=component_names.get(code, code))
    if kind == "criterion":
        name = criterion_names.get(code)
        return gettext("the mark for %(criterion)s", criterion=f"{code} {name}" if name else code)
    return breaker


def tie_notes(
    computed: TradeResult,
    who: Callable[[str], str],
    component_names: dict[str, str],
    criterion_names: dict[str, str],
) -> dict[str, list[str]]:
    """For every entrant whose total equals a neighbour's: which tie-breaker put them
    ahead or behind, or that every breaker was equal and they share the rank."""
    notes: dict[str, list[str]] = {}
    for entrant in computed.entrants:
        tie = entrant.placing.tie
        if tie is None:
            continue
        if tie.breaker is None:
            notes.setdefault(tie.above, []).append(
                gettext(
                    "Equal with %(entrant)s on the total and every tie-breaker: "
                    "they share rank %(rank)s.",
                    entrant=who(entrant.code),
                    rank=entrant.placing.rank,
                )
            )
            notes.setdefault(entrant.code, []).append(
                gettext(
                    "Equal with %(entrant)s on the total and every tie-breaker: "
                    "they share rank %(rank)s.",
                    entrant=who(tie.above),
                    rank=entrant.placing.rank,
                )
            )
            continue
        decided = breaker_text(tie.breaker, component_names, criterion_names)
        notes.setdefault(tie.above, []).append(
            gettext(
                "Same total as %(entrant)s; placed ahead on %(breaker)s.",
                entrant=who(entrant.code),
                breaker=decided,
            )
        )
        notes.setdefault(entrant.code, []).append(
            gettext(
                "Same total as %(entrant)s; placed behind on %(breaker)s.",
                entrant=who(tie.above),
                breaker=decided,
            )
        )
    return notes


def passed_over(
    computed: TradeResult, titles: dict[str, str], component_names: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """entrant → why award rules whose cut they made (or that named them) did not select
    them."""
    found: dict[str, list[str]] = {}
    for (rule, entrant), why in computed.skipped.items():
        found.setdefault(entrant, []).append(
            gettext(
                "%(award)s: %(reason)s",
                award=titles.get(rule, rule),
                reason=_why(why, component_names or {}),
            )
        )
    return found


def _why(why: str, component_names: dict[str, str]) -> str:
    kind, _, group = why.partition(":")
    if kind == "min_total":
        return gettext("total below the rule's minimum")
    if kind == "min_component":
        return gettext(
            "%(component)s score below the rule's pass line",
            component=component_names.get(group, group),
        )
    if kind == "gender":
        return gettext("the rule is for the other gender, or no gender is recorded")
    if kind == "ineligible":
        return gettext("the organisers decided the entrant does not meet the rule's conditions")
    if kind == "max_age":
        return gettext("over the rule's age limit, or no birth date")
    if kind == "promote":
        return gettext("cannot be promoted (no level on the ladder, or already at the cap)")
    if kind == "group":
        return gettext("already holds an award of group %(group)s", group=group)
    return why
