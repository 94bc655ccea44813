"""An event's rules text in the reader's language: every award rule and every trade's
scoring, penalty, overtime, team and void rules, as the 竞赛规程 states them
(``domain.rules_text`` decides the clauses; this module reads the event and words them).
Shown to organisers and, before any result is published, to the public."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import selectinload

from contest.core.extensions import db
from contest.core.labels import selection_text
from contest.domain import rules_text
from contest.domain.rules_text import Clause, TradeRules
from contest.domain.scoring import TradeSpec
from contest.events.models import AwardRule, Component, Event, Trade
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


def word(clause: Clause | Any) -> str:
    """A clause (or a detail of one) in the reader's language."""
    if not isinstance(clause, Clause):
        return str(clause)
    if clause.key == "select":
        return selection_text(clause.params["select"])
    params = {key: word(value) for key, value in clause.params.items()}
    return gettext(rules_text.WORDS[clause.key], **params)


def sentence(clauses: tuple[Clause, ...] | list[Clause]) -> str:
    """Clauses as one sentence: joined, with a full stop."""
    if not clauses:
        return ""
    template = rules_text.WORDS["sentence"]
    text = word(rules_text.joined(list(clauses), "clauses"))
    return gettext(template, text=text[:1].upper() + text[1:])


def trade_rules(trade: Trade, spec: TradeSpec | None = None) -> TradeRules:
    """The trade as its rules text needs it (``spec``: its spec, if already read)."""
    return TradeRules(
        spec=spec or results.trade_spec(trade),
        name=trade.name,
        component_names={c.code: c.name for c in trade.components},
        criterion_names={k.code: k.name for c in trade.components for k in c.criteria},
        penalty_points={kind: Decimal(str(p)) for kind, p in (trade.penalty_points or {}).items()},
    )


def _trades(event: Event) -> list[Trade]:
    return list(
        db.session.execute(
            sa.select(Trade)
            .where(Trade.event_id == event.id)
            .order_by(Trade.position, Trade.id)
            .options(selectinload(Trade.components).selectinload(Component.criteria))
        ).scalars()
    )


def trade_statement(trade: TradeRules) -> Statement:
    """What one trade's rules say, a sentence per clause."""
    text = rules_text.trade_text(trade)
    return Statement(text.code, text.name, tuple(sentence([c]) for c in text.clauses))


def event_rules(event: Event) -> RulesText:
    """What the event's award rules and its trades' rules say, in the reader's language."""
    rows = _trades(event)
    specs = results.trade_specs(rows)
    trades = [trade_rules(t, specs[t.id]) for t in rows]
    rules = db.session.execute(
        sa.select(AwardRule).where(AwardRule.event_id == event.id).order_by(AwardRule.position)
    ).scalars()
    awards = rules_text.award_rules_text([results.award_rule(r) for r in rules], trades)
    return RulesText(
        awards=tuple(Statement(r.code, r.title, (sentence(r.clauses),)) for r in awards),
        trades=tuple(trade_statement(t) for t in trades),
    )
