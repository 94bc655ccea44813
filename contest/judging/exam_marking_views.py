"""Judges' pages for marking the short items of a trade's theory exam, one question across
every script (按题评阅): the trade's items with the judge's progress, and each item's page — a
plain form that works without JavaScript. Entrants appear only by their blind label. The
routes are on the judging blueprint (``views``)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import object_required
from contest.core.refusals import describe, describe_problem
from contest.core.web import on_refusal
from contest.domain.refusal import Refused
from contest.events.access import can_judge_trade
from contest.events.models import Trade
from contest.judging import exam_marking, facts


def _closed(trade: Trade) -> str | None:
    refused = facts.mark_refusal(trade)
    return describe(refused) if refused is not None else None


@object_required(Trade, "trade_id", can_judge_trade)
def marking(trade: Trade) -> ResponseReturnValue:
    """The trade's short exam items, with this judge's progress and the panel's on each."""
    g.timezone = trade.event.timezone
    found, judge = exam_marking.overview(current_user, trade)
    return render_template(
        "judging/exam_marking_index.html",
        trade=trade,
        marking=found,
        judge=judge,
        closed=_closed(trade),
    )


def _page(
    trade: Trade,
    code: str,
    refused: Refused | None = None,
    typed: Mapping[int, str] | None = None,
) -> ResponseReturnValue:
    """An item's marking page; after a refused save, what the judge typed and each refused
    value's message next to its entrant."""
    g.timezone = trade.event.timezone
    errors = (
        {p.path: describe_problem(refused, p, located=False) for p in refused.problems}
        if refused is not None
        else {}
    )
    return render_template(
        "judging/exam_marking.html",
        page=exam_marking.page(current_user, trade, code),
        trade=trade,
        errors=errors,
        typed={str(k): v for k, v in (typed or {}).items()},
        closed=_closed(trade),
    )


@object_required(Trade, "trade_id", can_judge_trade)
def item(trade: Trade, code: str) -> ResponseReturnValue:
    """One item's marking page: the stem, the reference answer, and every script the judge
    marks with the judge's value."""
    return _page(trade, code)


def _by_entrant(prefix: str) -> dict[int, str]:
    """The form's fields ``<prefix><entrant id>``, by entrant id (400 for any other id)."""
    found = {}
    for key, value in request.form.items():
        if key.startswith(prefix):
            entrant = key[len(prefix) :]
            if not entrant.isdigit() or len(entrant) > 12:
                abort(400)
            found[int(entrant)] = value
    return found


@object_required(Trade, "trade_id", can_judge_trade)
def save(trade: Trade, code: str) -> ResponseReturnValue:
    """Save the values typed on an item's page; nothing is saved if any is refused."""
    typed = _by_entrant("value-")
    on_refusal(lambda refused: _page(trade, code, refused, typed))
    reason = (request.form.get("reason") or "").strip()[:500] or None
    changed = exam_marking.save(current_user, trade, code, typed, _by_entrant("seen-"), reason)
    flash(_("Values saved: %(count)s.", count=changed), "success")
    return redirect(url_for(".exam_item", trade_id=trade.id, code=code))
