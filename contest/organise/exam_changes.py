"""The organiser's writes on a trade's exam that reach beyond the exam itself: a blueprint
saved only on a component without directly entered scores, and the corrections after the
exam (答案异议, EXAMS.md §3) — a key corrected or an item voided — refused once the
results are published, each re-marking every attempt by recomputing the trade."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core.extensions import db
from contest.domain import lifecycle
from contest.domain.lifecycle import Action, Facts
from contest.domain.package import Problem
from contest.events.models import Component, Trade
from contest.exams import setup
from contest.exams.models import ExamSetting
from contest.publication import services as publications
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
