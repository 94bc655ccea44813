"""Chief judge's desk: live progress, discrepancies, actions, judging analysis, sign-off;
and, on the same blueprint, the clerks' page for double entry of paper sheets
(``paper_views``).

Entrants appear only by station number and anonymous code, never by name. The desk works
without JavaScript; with it, ``static/js/chief.js`` refreshes the progress matrix and the
list of what needs attention every 15 seconds from the ``live`` fragment.
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import object_required
from contest.accounts.models import User
from contest.core.extensions import db
from contest.core.labels import LABELS
from contest.core.types import utcnow
from contest.core.web import on_refusal
from contest.domain.numbers import round_half_up
from contest.domain.results import TradeResult
from contest.domain.scoring import DeclaredStatus
from contest.domain.stages import StageKind
from contest.events.access import can_run_trade
from contest.events.models import Judge, Trade
from contest.judging import chief, desk, double_entry, exam_marking, paper_views, penalties
from contest.judging.chart import chart
from contest.judging.desk import who
from contest.judging.forms import (
    ClerkForm,
    DeskForm,
    DoubleEntrySwitchForm,
    ExcuseForm,
    LockForm,
    PenaltyForm,
    RescoreForm,
    StatusForm,
    TimeForm,
    UnlockForm,
    WithdrawPenaltyForm,
    clock,
)
from contest.judging.services import approved_entrant, approved_entrants, panel_judge
from contest.registration.models import Entrant
from contest.results.explain import disqualification_text, explained
from contest.results.models import PenaltyRecord
from contest.stages import services as stages

bp = Blueprint("chief", __name__)

#: Seconds between two refreshes of the live matrix.
REFRESH_SECONDS = 15


bp.add_app_template_filter(clock, "clock")

# The clerks' page (paper_views), on this blueprint: chief.paper, chief.enter_paper and the
# chief judge's decisions between paper and tablet, chief.decide_paper.
bp.add_url_rule("/trades/<int:trade_id>/paper", view_func=paper_views.paper, methods=["GET"])
bp.add_url_rule("/trades/<int:trade_id>/paper", view_func=paper_views.enter_paper, methods=["POST"])
bp.add_url_rule(
    "/trades/<int:trade_id>/paper/decide", view_func=paper_views.decide_paper, methods=["POST"]
)


# --- loading the objects a form or URL names -------------------------------------------------


def _entrant(trade: Trade, entrant_id: int | None) -> Entrant:
    """An approved entrant of this trade, else 404."""
    return approved_entrant(trade, entrant_id) or abort(404)


def _judge(trade: Trade, judge_id: int | None) -> Judge:
    """A judge on this trade's panel, else 404."""
    return panel_judge(trade, judge_id) or abort(404)


def _back(trade: Trade) -> str:
    """Where to go after an action: the page it was posted from, if on this trade's desk."""
    target = request.form.get("next", "")
    base = url_for(".desk", trade_id=trade.id)
    if target == base or (
        target.startswith(base + "/") and "//" not in target and "\\" not in target
    ):
        return target
    return base


# --- the desk --------------------------------------------------------------------------------


def _forms(trade: Trade, matrix: desk.Matrix, approved: list[Entrant]) -> dict[str, DeskForm]:
    competing = options((e.id, who(e)) for e in matrix.entrants)
    every = options((e.id, _entrant_choice(e)) for e in approved)
    judges = options((j.id, f"{j.code} {j.name}") for j in matrix.judges)
    forms: dict[str, DeskForm] = {
        "rescore": RescoreForm(prefix="rescore"),
        "excuse": ExcuseForm(prefix="excuse"),
        "time": TimeForm(prefix="time"),
        "status": StatusForm(prefix="status"),
        "lock": LockForm(prefix="lock"),
        "unlock": UnlockForm(prefix="unlock"),
        "double_entry": DoubleEntrySwitchForm(prefix="paper", double_entry=trade.double_entry),
        "clerk": ClerkForm(prefix="clerk"),
    }
    for name in ("rescore", "excuse"):
        forms[name].entrant.choices = competing
        forms[name].judge.choices = judges
    forms["time"].entrant.choices = every
    forms["status"].entrant.choices = every
    forms["status"].status.choices = [("", _("Competing (no declaration)"))] + [
        (s.value, f"{s.value} · {LABELS[DeclaredStatus][s]}") for s in DeclaredStatus
    ]
    return forms


def _switch(trade: Trade, form: DeskForm) -> None:
    """The double-entry switch asks to confirm the tablet values it would close, naming how
    many there are now; without any (or once it is on) it asks nothing."""
    assert isinstance(form, DoubleEntrySwitchForm)
    count = 0 if trade.double_entry else double_entry.tablet_values(trade)
    if not count:
        del form.confirm
        del form.tablet_values
        return
    if form.tablet_values.data != str(count):
        form.confirm.data = False  # a confirmation of another count confirms nothing
    form.tablet_values.data = str(count)
    form.confirm.label.text = _(
        "Confirm: the %(count)s values the judges have already submitted on tablets stay "
        "as they are, and paper entries never replace them without my decision.",
        count=count,
    )


def options(pairs) -> list[tuple[object, str]]:
    """Select choices with an empty first choice."""
    return [("", "—"), *pairs]


def _entrant_choice(entrant: Entrant) -> str:
    extra = [entrant.status.value] if entrant.status else []
    if entrant.time_seconds is not None:
        extra.append(clock(entrant.time_seconds))
    return f"{who(entrant)} ({', '.join(extra)})" if extra else who(entrant)


def _desk(
    trade: Trade,
    status: int = 200,
    failed: dict[str, DeskForm] | None = None,
    lock_items: list[desk.Discrepancy] | None = None,
):
    """Render the desk; ``failed`` replaces a form by the refused one, with its errors."""
    g.timezone = trade.event.timezone
    computed = desk.compute(trade)
    matrix = desk.matrix(trade)
    found = desk.discrepancies(trade, computed)
    tendencies = desk.analysis(trade, computed)
    approved = approved_entrants(trade)
    ledger = penalties.ledger(trade, approved)
    forms = _forms(trade, matrix, approved)
    for name, form in (failed or {}).items():
        for field in form:
            if field.type == "SelectField":
                field.choices = forms[name][field.short_name].choices
        forms[name] = form
    _switch(trade, forms["double_entry"])
    return (
        render_template(
            "chief/desk.html",
            trade=trade,
            matrix=matrix,
            discrepancies=found,
            blocking=sum(1 for d in found if d.blocking),
            analysis=tendencies,
            chart=chart(tendencies),
            approved=approved,
            forms=forms,
            lock_items=lock_items,
            scoring_open=stages.is_open(trade.event, StageKind.SCORING, trade),
            locked_by=desk.signed_off_by(trade),
            refresh=REFRESH_SECONDS,
            now=utcnow(),
            who=who,
            names=_names(trade),
            ledger=ledger,
            disqualified=_disqualified(trade, computed, approved, ledger),
            exam=exam_marking.load(trade),
        ),
        status,
    )


def _disqualified(
    trade: Trade,
    computed: TradeResult,
    entrants: list[Entrant],
    ledger: dict[int, list[penalties.LedgerLine]],
) -> dict[int, str]:
    """Entrant id → why the penalties disqualified them, for those they did."""
    by_code = {e.code: e for e in entrants}
    found = {}
    for row in computed.entrants:
        kind, entrant = row.score.disqualified_by, by_code.get(row.code)
        if kind is None or entrant is None:
            continue
        lines = ledger.get(entrant.id, [])
        count = sum(1 for line in lines if line.counts and line.penalty.kind == kind)
        found[entrant.id] = disqualification_text(
            kind, count, (trade.disqualify_on or {}).get(kind)
        )
    return found


def _names(trade: Trade) -> dict[str, str]:
    """Criterion and component codes → "code name", for the list of discrepancies."""
    names = {c.code: c.name for c in trade.components}
    names.update({c.code: f"{c.code} {c.name}" for c in trade.criteria})
    return names


@bp.get("/trades/<int:trade_id>", endpoint="desk")
@object_required(Trade, "trade_id", can_run_trade)
def desk_page(trade: Trade):
    """The trade's progress matrix, what needs attention, the actions and the analysis."""
    return _desk(trade)


@bp.get("/trades/<int:trade_id>/live")
@object_required(Trade, "trade_id", can_run_trade)
def live(trade: Trade):
    """The live part of the desk (matrix and what needs attention), for the refresh script."""
    g.timezone = trade.event.timezone
    matrix = desk.matrix(trade)
    found = desk.discrepancies(trade)
    html = render_template(
        "chief/_live.html",
        trade=trade,
        matrix=matrix,
        discrepancies=found,
        blocking=sum(1 for d in found if d.blocking),
        now=utcnow(),
        who=who,
        names=_names(trade),
    )
    return html, 200, {"Cache-Control": "no-store"}


# --- drill-down ------------------------------------------------------------------------------


#: Places of the marks on the entrant's page (judgement marks such as 2.333 stay readable).
MARK_PLACES = 3


def _penalty_form(trade: Trade, form: PenaltyForm | None = None) -> PenaltyForm:
    """The form to record a penalty, its kinds and targets filled in: each kind the trade
    names with its standard (扣分标准) and how many disqualify; the standards go to the
    script that fills in the points (``static/js/penalty.js``)."""
    form = form or PenaltyForm(prefix="penalty")
    standards = {k: str(v) for k, v in (trade.penalty_points or {}).items()}
    limits = trade.disqualify_on or {}
    choices = []
    for kind in penalties.kinds(trade):
        points, count = standards.get(kind), limits.get(kind)
        if points is not None and count is not None:
            said = _(
                "%(kind)s (%(points)s points each; disqualified at %(count)s)",
                kind=kind,
                points=points,
                count=count,
            )
        elif points is not None:
            said = _("%(kind)s (%(points)s points each)", kind=kind, points=points)
        elif count is not None:
            said = _("%(kind)s (disqualified at %(count)s)", kind=kind, count=count)
        else:
            said = kind
        choices.append((kind, said))
    form.kind.choices = options(choices)
    form.kind.render_kw = {"data-penalty-standards": json.dumps(standards, ensure_ascii=False)}
    form.target.choices = options(penalties.targets(trade))
    return form


def _entrant_page(
    trade: Trade,
    entrant: Entrant,
    focus: Judge | None,
    status: int = 200,
    penalty_form: PenaltyForm | None = None,
    withdrawal: tuple[int, WithdrawPenaltyForm] | None = None,
):
    g.timezone = trade.event.timezone
    computed = desk.compute(trade)
    row = next((r for r in computed.entrants if r.code == entrant.code), None)
    results = (
        {c.code: c for component in row.score.components for c in component.criteria} if row else {}
    )
    marks = {
        code: round_half_up(result.mark, MARK_PLACES)
        for code, result in results.items()
        if result.mark is not None
    }
    decimals = trade.event.decimals
    deductions = {
        code: explained(r.before, r.mark, r.deductions, decimals, places=MARK_PLACES)
        for code, r in results.items()
    }
    components = [
        (
            component,
            round_half_up(component.score, MARK_PLACES) if component.score is not None else None,
            explained(
                component.before,
                component.score,
                component.deductions,
                decimals,
                MARK_PLACES,
            ),
        )
        for component in (row.score.components if row else ())
    ]
    ledger = penalties.ledger(trade, [entrant]).get(entrant.id, [])
    disqualified = _disqualified(trade, computed, [entrant], {entrant.id: ledger}).get(entrant.id)
    withdrawals = {
        line.penalty.id: WithdrawPenaltyForm(prefix=f"withdraw-{line.penalty.id}", formdata=None)
        for line in ledger
        if line.counts
    }
    if withdrawal is not None:
        withdrawals[withdrawal[0]] = withdrawal[1]
    stored = desk.stored_scores(entrant)
    judges = [m.judge for m in sorted(trade.panel, key=lambda m: (not m.is_chief, m.judge_id))]
    seats = {
        c.id: {j.id for j in (component.judges or judges)}
        for component in trade.components
        for c in component.criteria
    }
    matrix = desk.matrix(trade)
    forms: dict[str, DeskForm] = _forms(trade, matrix, approved_entrants(trade))
    for name in ("rescore", "excuse"):
        forms[name].entrant.data = entrant.id
        forms[name].judge.data = focus.id if focus else None
    forms["time"].entrant.data = entrant.id
    forms["status"].entrant.data = entrant.id
    forms["penalty"] = _penalty_form(trade, penalty_form)
    return (
        render_template(
            "chief/entrant.html",
            trade=trade,
            entrant=entrant,
            focus=focus,
            cell=matrix.cell(entrant, focus) if focus else None,
            judges=judges,
            results=results,
            marks=marks,
            deductions=deductions,
            components=components,
            names={c.code: c.name for c in trade.components},
            row=row,
            stored=stored,
            seats=seats,
            forms=forms,
            ledger=ledger,
            withdrawals=withdrawals,
            dq_reason=disqualified,
            competing=any(e.id == entrant.id for e in matrix.entrants),
            who=who,
        ),
        status,
    )


@bp.get("/trades/<int:trade_id>/entrants/<int:entrant_id>")
@object_required(Trade, "trade_id", can_run_trade)
def entrant_page(trade: Trade, entrant_id: int):
    """One entrant: every judge's values per criterion, the marks and flags."""
    return _entrant_page(trade, _entrant(trade, entrant_id), None)


@bp.get("/trades/<int:trade_id>/entrants/<int:entrant_id>/judges/<int:judge_id>")
@object_required(Trade, "trade_id", can_run_trade)
def cell_page(trade: Trade, entrant_id: int, judge_id: int):
    """One cell of the matrix: this judge's values for this entrant, criterion by criterion."""
    return _entrant_page(trade, _entrant(trade, entrant_id), _judge(trade, judge_id))


# --- actions ---------------------------------------------------------------------------------


def _again(trade: Trade, name: str, form: DeskForm, field: str | None = None) -> None:
    """Should the action be refused, show the desk again with the form (the message under
    ``field``) and, for a refused sign-off, what is outstanding."""
    on_refusal(
        lambda refused: _desk(trade, failed={name: form}, lock_items=refused.params.get("items")),
        form,
        field,
    )


def _invalid(trade: Trade, name: str, form: DeskForm):
    flash(_("Nothing was changed. Please correct the form marked below."), "error")
    return _desk(trade, 400, {name: form})


@bp.post("/trades/<int:trade_id>/rescore")
@object_required(Trade, "trade_id", can_run_trade)
def rescore(trade: Trade):
    """Ask a judge to score an entrant again: their values stop counting until resubmitted."""
    form = RescoreForm(prefix="rescore")
    if not form.validate():
        return _invalid(trade, "rescore", form)
    entrant, judge = _entrant(trade, form.entrant.data), _judge(trade, form.judge.data)
    _again(trade, "rescore", form, "judge")
    chief.request_rescore(current_user, trade, entrant, judge, form.reason.data)
    flash(
        _(
            "%(judge)s has been asked to score %(entrant)s again.",
            judge=judge.code,
            entrant=who(entrant),
        ),
        "success",
    )
    return redirect(_back(trade))


@bp.post("/trades/<int:trade_id>/excuse")
@object_required(Trade, "trade_id", can_run_trade)
def excuse(trade: Trade):
    """Excuse a judge from an entrant's panel."""
    form = ExcuseForm(prefix="excuse")
    if not form.validate():
        return _invalid(trade, "excuse", form)
    entrant, judge = _entrant(trade, form.entrant.data), _judge(trade, form.judge.data)
    _again(trade, "excuse", form, "judge")
    chief.excuse(current_user, trade, entrant, judge, form.reason.data)
    flash(
        _(
            "%(judge)s has been excused from %(entrant)s.",
            judge=judge.code,
            entrant=who(entrant),
        ),
        "success",
    )
    return redirect(_back(trade))


@bp.post("/trades/<int:trade_id>/time")
@object_required(Trade, "trade_id", can_run_trade)
def set_time(trade: Trade):
    """Record, correct or clear an entrant's completion time."""
    form = TimeForm(prefix="time")
    if not form.validate():
        return _invalid(trade, "time", form)
    entrant = _entrant(trade, form.entrant.data)
    _again(trade, "time", form, "time")
    changed = chief.set_time(current_user, trade, entrant, form.seconds, form.reason.data or None)
    if not changed:
        flash(_("Nothing was changed."), "info")
    elif form.seconds is None:
        flash(_("The time of %(entrant)s has been cleared.", entrant=who(entrant)), "success")
    else:
        flash(
            _(
                "The time of %(entrant)s is now %(time)s (%(seconds)s s).",
                entrant=who(entrant),
                time=clock(form.seconds),
                seconds=str(form.seconds),
            ),
            "success",
        )
    return redirect(_back(trade))


@bp.post("/trades/<int:trade_id>/status")
@object_required(Trade, "trade_id", can_run_trade)
def set_status(trade: Trade):
    """Declare DNS, DQ or WD for an entrant, or clear it, with a reason."""
    form = StatusForm(prefix="status")
    form.status.choices = [("", "")] + [(s.value, s.value) for s in DeclaredStatus]
    if not form.validate():
        return _invalid(trade, "status", form)
    entrant = _entrant(trade, form.entrant.data)
    declared = DeclaredStatus(form.status.data) if form.status.data else None
    _again(trade, "status", form, "status")
    changed = chief.set_status(current_user, trade, entrant, declared, form.reason.data)
    if not changed:
        flash(_("Nothing was changed."), "info")
    elif declared is None:
        flash(_("%(entrant)s is competing again.", entrant=who(entrant)), "success")
    else:
        flash(
            _(
                "%(entrant)s: %(status)s.",
                entrant=who(entrant),
                status=LABELS[DeclaredStatus][declared],
            ),
            "success",
        )
    return redirect(_back(trade))


# --- penalties -------------------------------------------------------------------------------


def _penalty(trade: Trade, penalty_id: int) -> PenaltyRecord:
    """A penalty of an entrant of this trade, else 404."""
    penalty = db.get_or_404(PenaltyRecord, penalty_id)
    if penalty.entrant.trade_id != trade.id:
        abort(404)
    return penalty


def _ledger(trade: Trade, entrant: Entrant) -> str:
    """The entrant's penalties on their page."""
    return url_for(".entrant_page", trade_id=trade.id, entrant_id=entrant.id) + "#penalties"


def _entrant_again(trade: Trade, entrant: Entrant, form: DeskForm, **failed) -> None:
    """Should the action be refused, show the entrant's page again with the form (the
    message under the field the form names for it, else flashed only)."""
    on_refusal(lambda refused: _entrant_page(trade, entrant, None, refused.status, **failed), form)


@bp.post("/trades/<int:trade_id>/entrants/<int:entrant_id>/penalties")
@object_required(Trade, "trade_id", can_run_trade)
def add_penalty(trade: Trade, entrant_id: int):
    """Record a penalty against a criterion or component of the entrant (扣分)."""
    entrant = _entrant(trade, entrant_id)
    form = _penalty_form(trade, PenaltyForm(prefix="penalty"))
    if not form.validate():
        flash(_("Nothing was changed. Please correct the form marked below."), "error")
        return _entrant_page(trade, entrant, None, 400, penalty_form=form)
    target = penalties.find_target(trade, form.target.data)
    if target is None:
        form.target.errors = [*form.target.errors, _("Choose a criterion or a component.")]
        flash(_("Nothing was changed. Please correct the form marked below."), "error")
        return _entrant_page(trade, entrant, None, 400, penalty_form=form)
    _entrant_again(trade, entrant, form, penalty_form=form)
    record = penalties.add_penalty(
        current_user, trade, entrant, target, form.chosen_kind, form.value, form.reason.data
    )
    flash(
        _(
            "%(entrant)s: penalty recorded, %(kind)s −%(points)s from %(target)s.",
            entrant=who(entrant),
            kind=record.kind,
            points=f"{record.points.normalize():f}",
            target=penalties.target_label(target),
        ),
        "success",
    )
    return redirect(_ledger(trade, entrant))


@bp.post("/trades/<int:trade_id>/penalties/<int:penalty_id>/withdraw")
@object_required(Trade, "trade_id", can_run_trade)
def withdraw_penalty(trade: Trade, penalty_id: int):
    """Withdraw a penalty given in error, with a reason; it stays on the ledger."""
    penalty = _penalty(trade, penalty_id)
    entrant = penalty.entrant
    form = WithdrawPenaltyForm(prefix=f"withdraw-{penalty.id}")
    if not form.validate():
        flash(_("Nothing was changed. Please correct the form marked below."), "error")
        return _entrant_page(trade, entrant, None, 400, withdrawal=(penalty.id, form))
    _entrant_again(trade, entrant, form, withdrawal=(penalty.id, form))
    penalties.withdraw_penalty(current_user, penalty, form.reason.data)
    flash(
        _("%(entrant)s: the penalty %(kind)s has been withdrawn.", entrant=who(entrant),
          kind=penalty.kind),
        "success",
    )  # fmt: skip
    return redirect(_ledger(trade, entrant))


@bp.post("/trades/<int:trade_id>/lock")
@object_required(Trade, "trade_id", can_run_trade)
def lock_trade(trade: Trade):
    """Sign the trade off; refused with the list of what is outstanding."""
    _again(trade, "lock", LockForm(prefix="lock"))
    chief.lock(current_user, trade)
    flash(_("The trade has been locked and signed off."), "success")
    return redirect(url_for(".desk", trade_id=trade.id))


@bp.post("/trades/<int:trade_id>/unlock")
@object_required(Trade, "trade_id", can_run_trade)
def unlock_trade(trade: Trade):
    """Reopen a signed-off trade, with a reason."""
    form = UnlockForm(prefix="unlock")
    if not form.validate():
        return _invalid(trade, "unlock", form)
    _again(trade, "unlock", form, "reason")
    chief.unlock(current_user, trade, form.reason.data)
    flash(_("The trade has been unlocked; scores can be changed again."), "success")
    return redirect(url_for(".desk", trade_id=trade.id))


# --- double entry: settings ------------------------------------------------------------------


@bp.post("/trades/<int:trade_id>/double-entry")
@object_required(Trade, "trade_id", can_run_trade)
def set_double_entry(trade: Trade):
    """Switch double entry of paper sheets on or off (on, confirming the tablet values)."""
    form = DoubleEntrySwitchForm(prefix="paper")
    on = bool(form.double_entry.data)
    _again(trade, "double_entry", form, "double_entry")
    changed = double_entry.set_double_entry(current_user, trade, on, form.confirmed)
    if not changed:
        flash(_("Nothing was changed."), "info")
    elif on:
        flash(_("Double entry is on: judges' tablets are closed for this trade."), "success")
    else:
        flash(_("Double entry is off: judges enter their scores on tablets."), "success")
    return redirect(url_for(".desk", trade_id=trade.id) + "#double-entry")


@bp.post("/trades/<int:trade_id>/clerks")
@object_required(Trade, "trade_id", can_run_trade)
def add_clerk(trade: Trade):
    """List an account, by username, as a clerk of the trade's paper sheets."""
    form = ClerkForm(prefix="clerk")
    if not form.validate():
        return _invalid(trade, "clerk", form)
    _again(trade, "clerk", form, "username")
    user = chief.add_clerk(current_user, trade, form.username.data)
    flash(_("%(name)s is now a clerk of this trade.", name=user.name), "success")
    return redirect(url_for(".desk", trade_id=trade.id) + "#double-entry")


@bp.post("/trades/<int:trade_id>/clerks/<int:user_id>/remove")
@object_required(Trade, "trade_id", can_run_trade)
def remove_clerk(trade: Trade, user_id: int):
    """Take an account off the trade's clerks."""
    user = db.get_or_404(User, user_id)
    _again(trade, "clerk", ClerkForm(prefix="clerk"))
    chief.remove_clerk(current_user, trade, user)
    flash(_("%(name)s is no longer a clerk of this trade.", name=user.name), "success")
    return redirect(url_for(".desk", trade_id=trade.id) + "#double-entry")
