"""An event's rules text in the reader's language: every award rule and every trade's
scoring, penalty, overtime, team and void rules, as the 竞赛规程 states them
(``domain.rules_text`` decides the clauses; this module reads the event and words them).
Shown to organisers and, before any result is published, to the public."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import get_translations

from contest.core.extensions import db
from contest.core.labels import selection_text
from contest.domain import rules_text
from contest.domain.rules_text import Clause, TradeRules
from contest.domain.scoring import ComponentSpec, TradeSpec
from contest.events.models import AwardRule, Component, Criterion, Event, Trade
from contest.results import services as results


@dataclass(frozen=True)
class Statement:
    """One award rule or one trade, with what its rules say."""

    code: str
    title: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class RulesText:
    """The event's rules: its award rules, then its trades."""

    awards: tuple[Statement, ...]
    trades: tuple[Statement, ...]

    def __bool__(self) -> bool:
        return bool(self.awards or self.trades)


class Words:
    """Clauses put into the reader's language (the catalogue is looked up once, not for
    every clause: an event may state thousands)."""

    def __init__(self) -> None:
        self.translations = get_translations()

    def word(self, clause: Clause | Any) -> str:
        """A clause (or a detail of one) in the reader's language."""
        if not isinstance(clause, Clause):
            return str(clause)
        if clause.key == "select":
            return selection_text(clause.params["select"])
        template = self.translations.ugettext(rules_text.WORDS[clause.key])
        params = {key: self.word(value) for key, value in clause.params.items()}
        return template % params if params else template

    def sentence(self, clauses: Sequence[Clause]) -> str:
        """Clauses as one sentence: joined, with a full stop, its first letter a capital."""
        if not clauses:
            return ""
        text = self.word(rules_text.joined(list(clauses), "clauses"))
        return self.word(Clause("sentence", {"text": text[:1].upper() + text[1:]}))


def _specs(trades: Sequence[Trade]) -> list[TradeRules]:
    """The trades as their rules text needs them, in a fixed number of queries: the settings
    the rules state and the components' and criteria's names (not the scheme's details,
    panels or scores)."""
    ids = [trade.id for trade in trades]
    components: dict[int, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for trade_id, code, name, weight in db.session.execute(
        sa.select(Component.trade_id, Component.code, Component.name, Component.weight)
        .where(Component.trade_id.in_(ids))
        .order_by(Component.trade_id, Component.position, Component.id)
    ):
        components[trade_id].append((code, name, weight))
    criteria: dict[int, dict[str, str]] = defaultdict(dict)
    for trade_id, code, name in db.session.execute(
        sa.select(Criterion.trade_id, Criterion.code, Criterion.name).where(
            Criterion.trade_id.in_(ids)
        )
    ):
        criteria[trade_id][code] = name
    return [
        TradeRules(
            spec=TradeSpec(
                code=trade.code,
                components=tuple(
                    ComponentSpec(code, weight) for code, _, weight in components[trade.id]
                ),
                tie_breakers=tuple(trade.tie_breakers or ()),
                min_entrants=trade.min_entrants,
                team_size=trade.team_size,
                disqualify_on=dict(trade.disqualify_on or {}),
                overtime=results.overtime_rule(trade.overtime),
                team_tie_breakers=tuple(trade.team_tie_breakers or ()),
                min_started=trade.min_started,
            ),
            name=trade.name,
            component_names={code: name for code, name, _ in components[trade.id]},
            criterion_names=criteria[trade.id],
            penalty_points={k: Decimal(str(p)) for k, p in (trade.penalty_points or {}).items()},
        )
        for trade in trades
    ]


def _statement(trade: TradeRules, words: Words) -> Statement:
    text = rules_text.trade_text(trade)
    return Statement(text.code, text.name, tuple(words.sentence([c]) for c in text.clauses))


def trade_statement(trade: Trade) -> Statement:
    """What one trade's rules say, a sentence per clause."""
    return _statement(_specs([trade])[0], Words())


def event_rules(event: Event) -> RulesText:
    """What the event's award rules and its trades' rules say, in the reader's language."""
    rows = db.session.execute(
        sa.select(Trade).where(Trade.event_id == event.id).order_by(Trade.position, Trade.id)
    ).scalars()
    trades = _specs(list(rows))
    rules = db.session.execute(
        sa.select(AwardRule).where(AwardRule.event_id == event.id).order_by(AwardRule.position)
    ).scalars()
    awards = rules_text.award_rules_text([results.award_rule(r) for r in rules], trades)
    words = Words()
    return RulesText(
        awards=tuple(Statement(r.code, r.title, (words.sentence(r.clauses),)) for r in awards),
        trades=tuple(_statement(t, words) for t in trades),
    )
