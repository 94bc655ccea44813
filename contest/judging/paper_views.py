"""The clerks' page for double entry of paper sheets: choose an entrant and the judge whose
sheet it is, and type its values blind; and the chief judge's decisions where the paper
sheet and the judge's tablet disagree. The views are the "chief" blueprint's
(``chief.paper``, ``chief.enter_paper``, ``chief.decide_paper``); ``chief_views`` adds them
to it.

Entrants appear only by station number and anonymous code, never by name.
"""

from __future__ import annotations

from collections import Counter

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from contest.accounts.access import object_required
from contest.accounts.models import User
from contest.core.refusals import describe, describe_problem
from contest.core.web import on_refusal
from contest.domain.refusal import Refused
from contest.events.access import can_run_trade
from contest.events.models import Criterion, Judge, Trade
from contest.judging import chief, desk, double_entry, facts
from contest.judging.chief import ChiefError
from contest.judging.forms import PaperDecisionForm
from contest.judging.services import approved_entrant, competing_entrants, panel_judge
from contest.registration.models import Entrant


def can_enter_paper(user: User, trade: Trade) -> bool:
    """The clerks' page: the trade's listed clerks, its chief judge, the organisers' staff."""
    return can_run_trade(user, trade) or chief.is_clerk(user, trade)


def _paper_page(
    trade: Trade,
    entrant: Entrant | None,
    judge: Judge | None,
    refused: Refused | None = None,
    typed: dict[str, str] | None = None,
    decision: PaperDecisionForm | None = None,
):
    """The clerks' page; after a refused entry, the values as typed and each message next to
    the criterion it is about; after a refused decision, the decision's form again."""
    g.timezone = trade.event.timezone
    items = None
    refusal, status = None, 200
    closed = facts.paper_refusal(trade, entrant, judge)
    if entrant is not None and judge is not None:
        try:
            items = double_entry.paper_sheet(current_user, trade, entrant, judge)
        except ChiefError as error:  # this judge's sheet cannot be entered: say why
            refusal, status = describe(error), error.status
    errors = {}
    if refused is not None:
        errors = {p.path: describe_problem(refused, p, located=False) for p in refused.problems}
        if "criterion" in refused.params:
            errors[refused.params["criterion"]] = describe(refused)
    entrants = competing_entrants(trade)
    judges = [m.judge for m in sorted(trade.panel, key=lambda m: (not m.is_chief, m.judge_id))]
    outstanding = desk.paper_mismatches(trade, entrants)
    can_run = can_run_trade(current_user, trade)
    decisions = {}
    for d in outstanding if can_run else ():
        if d.kind == "tablet":
            key = (d.entrant.id, d.judges[0], d.criterion)
            failed = decision is not None and decision_key(decision) == key
            decisions[key] = decision if failed else PaperDecisionForm(formdata=None)
    return render_template(
        "chief/paper.html",
        trade=trade,
        entrant=entrant,
        judge=judge,
        entrants=entrants,
        judges=judges,
        items=items,
        refusal=refusal,
        errors=errors,
        typed=typed or {},
        outstanding=outstanding,
        decisions=decisions,
        closed=describe(closed) if closed is not None else None,
        can_run=can_run,
        who=desk.who,
    ), status


def decision_key(form: PaperDecisionForm) -> tuple[int | None, str, str]:
    """(entrant id, judge code, criterion code) a decision's form is about."""
    raw = form.entrant.data or ""
    return (int(raw) if raw.isdigit() else None, form.judge.data or "", form.criterion.data or "")


def _arg_id(name: str, source) -> int | None:
    raw = source.get(name, "")
    return int(raw) if raw.isdigit() else None


@object_required(Trade, "trade_id", can_enter_paper)
def paper(trade: Trade):
    """The clerks' page: choose an entrant and the judge whose paper sheet it is, enter it."""
    entrant_id, judge_id = _arg_id("entrant", request.args), _arg_id("judge", request.args)
    entrant = (approved_entrant(trade, entrant_id) or abort(404)) if entrant_id else None
    judge = (panel_judge(trade, judge_id) or abort(404)) if judge_id else None
    return _paper_page(trade, entrant, judge)


@object_required(Trade, "trade_id", can_enter_paper)
def enter_paper(trade: Trade):
    """Enter the values of one paper sheet; all are checked before any is saved."""
    entrant = approved_entrant(trade, _arg_id("entrant", request.form)) or abort(404)
    judge = panel_judge(trade, _arg_id("judge", request.form)) or abort(404)
    typed = {k[6:]: v.strip() for k, v in request.form.items() if k.startswith("value-")}
    on_refusal(lambda refused: _paper_page(trade, entrant, judge, refused, typed))
    states = double_entry.enter_paper_sheet(current_user, trade, entrant, judge, typed)
    flash(
        _entered(Counter(states.values())), "error" if "mismatch" in states.values() else "success"
    )
    return redirect(url_for(".paper", trade_id=trade.id, entrant=entrant.id, judge=judge.id))


def _entered(counts: Counter[str]) -> str:
    """What a clerk's entry came to: values both clerks agree on (saying how many of them
    differ from the judge's tablet value and wait for the chief judge), waiting or
    different."""
    agreed = counts["agreed"] + counts["tablet"] + counts["kept"]
    if counts["tablet"]:
        return ngettext(
            "Saved: %(agreed)s agreed, %(num)s of them different from the value the judge "
            "submitted on the tablet (the chief judge decides which holds); %(waiting)s "
            "waiting for the second clerk, %(mismatch)s different from the other entry.",
            "Saved: %(agreed)s agreed, %(num)s of them different from the values the judge "
            "submitted on the tablet (the chief judge decides which hold); %(waiting)s "
            "waiting for the second clerk, %(mismatch)s different from the other entry.",
            counts["tablet"],
            agreed=agreed,
            waiting=counts["waiting"],
            mismatch=counts["mismatch"],
        )
    return _(
        "Saved: %(agreed)s agreed, %(waiting)s waiting for the second clerk, "
        "%(mismatch)s different from the other entry.",
        agreed=agreed,
        waiting=counts["waiting"],
        mismatch=counts["mismatch"],
    )


@object_required(Trade, "trade_id", can_run_trade)
def decide_paper(trade: Trade):
    """The chief judge decides which value holds where the paper sheet and the judge's
    tablet disagree, with a reason."""
    form = PaperDecisionForm()
    entrant_id, judge_code, code = decision_key(form)
    entrant = approved_entrant(trade, entrant_id) or abort(404)
    judge = next((m.judge for m in trade.panel if m.judge.code == judge_code), None) or abort(404)
    criterion = next((c for c in trade.criteria if c.code == code), None) or abort(404)

    def again(refused: Refused | None = None):
        return _paper_page(trade, None, None, refused, decision=form)

    if not form.validate():
        flash(_("Nothing was changed. Please correct the form marked below."), "error")
        return again()[0], 400
    on_refusal(again, form, "keep")
    double_entry.decide(
        current_user, trade, entrant, judge, criterion, form.keep.data, form.reason.data
    )
    flash(_decided(form.keep.data, judge, criterion, entrant), "success")
    return redirect(url_for(".paper", trade_id=trade.id) + "#outstanding")


def _decided(keep: str, judge: Judge, criterion: Criterion, entrant: Entrant) -> str:
    names = {"judge": judge.code, "criterion": criterion.code, "entrant": desk.who(entrant)}
    if keep == "paper":
        return _("%(entrant)s %(criterion)s: the paper value of %(judge)s now counts.", **names)
    return _("%(entrant)s %(criterion)s: the tablet value of %(judge)s stays.", **names)
