"""The organiser's writes on a trade's exam that reach beyond the exam itself: a blueprint
saved only on a component without directly entered scores, and the corrections after the
exam (答案异议, EXAMS.md §3) — a key corrected or an item voided — refused once the
results are published, each re-marking every attempt by recomputing the trade."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core.extensions import db
from contest.domain import lifecycle
from contest.domain.lifecycle import Action, Facts
from contest.domain.package import Problem
from contest.events.models import Component, Trade
from contest.exams import paper_entry, setup
from contest.exams.models import ExamSetting
from contest.publication import services as publications
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import ComponentScore


def save_exam(actor: User, trade: Trade, data: setup.ExamInput) -> ExamSetting:
    """Create or change the trade's exam (``setup.save_exam``); refused (``ExamInvalid``)
    when the chosen component already has directly entered scores (EXAMS.md §5)."""
    component = db.session.get(Component, data.component_id) if data.component_id else None
    if component is not None and component.trade_id == trade.id:
        scored = db.session.execute(
            sa.select(ComponentScore.id).where(ComponentScore.component_id == component.id)
        ).first()
        if scored is not None:
            raise setup.ExamInvalid(
                [Problem("component", "component_scored", {"code": component.code})]
            )
    setting = setup.save_exam(actor, trade, data)
    results.recompute_trade(trade)
    return setting


def _not_published(trade: Trade) -> None:
    published = publications.published(trade.event, publications.RESULTS) is not None
    lifecycle.check(Action.AMEND_EXAM, Facts(published=published), trade=trade.code)


def change_key(
    actor: User, trade: Trade, setting: ExamSetting, code: str, key: Any, reason: str | None
) -> None:
    """Correct an item's key for this exam and re-mark every attempt; refused (``NotNow``)
    once the results are published."""
    _not_published(trade)
    setup.change_key(actor, setting, code, key, reason)
    results.recompute_trade(trade)


def void_item(
    actor: User, trade: Trade, setting: ExamSetting, code: str, reason: str | None
) -> None:
    """Void an item of the exam and re-mark every attempt; refused (``NotNow``) once the
    results are published."""
    _not_published(trade)
    setup.void_item(actor, setting, code, reason)
    results.recompute_trade(trade)


def key_sheet(
    actor: User, trade: Trade, setting: ExamSetting, entrant: Entrant, typed: Mapping[str, str]
) -> paper_entry.Sheet:
    """Key a paper answer sheet (``paper_entry.key``); refused once the results are
    published."""
    _not_published(trade)
    return paper_entry.key(actor, setting, entrant, typed)


def decide_sheet(
    actor: User,
    trade: Trade,
    setting: ExamSetting,
    entrant: Entrant,
    typed: Mapping[str, str],
    reason: str,
) -> paper_entry.Sheet:
    """Decide where a sheet's keyings differ (``paper_entry.decide``); refused once the
    results are published."""
    _not_published(trade)
    return paper_entry.decide(actor, setting, entrant, typed, reason)
