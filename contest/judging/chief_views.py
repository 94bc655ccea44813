"""Chief judge's desk: live progress, discrepancies, actions, judging analysis, sign-off;
and the clerks' page for double entry of paper sheets.

Entrants appear only by station number and anonymous code, never by name. The desk works
without JavaScript; with it, ``static/js/chief.js`` refreshes the progress matrix and the
list of what needs attention every 15 seconds from the ``live`` fragment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import object_required
from contest.accounts.models import User
from contest.core.extensions import db
from contest.core.labels import LABELS
from contest.core.refusals import describe, describe_problem
from contest.core.types import utcnow
from contest.core.web import on_refusal
from contest.domain.numbers import round_half_up
from contest.domain.refusal import Refused
from contest.domain.scoring import DeclaredStatus
from contest.domain.stages import StageKind
from contest.events.access import can_run_trade
from contest.events.models import Judge, PanelMember, Trade
from contest.judging import chief
from contest.judging.chief import ChiefError
from contest.judging.forms import (
    ClerkForm,
    DeskForm,
    DoubleEntryForm,
    ExcuseForm,
    LockForm,
    RescoreForm,
    StatusForm,
    TimeForm,
    UnlockForm,
    clock,
)
from contest.judging.services import competing_entrants
from contest.registration.models import Entrant, RegistrationStatus
from contest.results.models import Score
from contest.stages import services as stages

bp = Blueprint("chief", __name__)

#: Seconds between two refreshes of the live matrix.
REFRESH_SECONDS = 15


def can_enter_paper(user: User, trade: Trade) -> bool:
    """The clerks' page: the trade's listed clerks, its chief judge, the organisers' staff."""
    return can_run_trade(user, trade) or chief.is_clerk(user, trade)


bp.add_app_template_filter(clock, "clock")


# --- loading the objects a form or URL names -------------------------------------------------


def _entrant(trade: Trade, entrant_id: int | None) -> Entrant:
    """An approved entrant of this trade, else 404."""
    entrant = db.session.get(Entrant, entrant_id) if entrant_id else None
    if (
        entrant is None
        or entrant.trade_id != trade.id
        or entrant.registration_status != RegistrationStatus.APPROVED
    ):
        abort(404)
    return entrant


def _judge(trade: Trade, judge_id: int | None) -> Judge:
    """A judge on this trade's panel, else 404."""
    member = db.session.get(PanelMember, (trade.id, judge_id)) if judge_id else None
    if member is None:
        abort(404)
    return member.judge


def _approved(trade: Trade) -> list[Entrant]:
    """Every approved entrant of the trade (competing or declared DNS/DQ/WD), by station."""
    return list(
        db.session.execute(
            sa.select(Entrant)
            .where(
                Entrant.trade_id == trade.id,
                Entrant.registration_status == RegistrationStatus.APPROVED,
            )
            .order_by(Entrant.station_no.nulls_last(), Entrant.anon_code, Entrant.id)
        ).scalars()
    )


def who(entrant: Entrant) -> str:
    """How the desk names an entrant: station and anonymous code (the registration code
    only before the draw), never the name."""
    if entrant.station_no is not None or entrant.anon_code:
        return entrant.judge_label
    return entrant.code


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


CHART_WIDTH, LABEL_WIDTH, VALUE_WIDTH, ROW, BAR, TOP = 560, 120, 80, 30, 18, 24
LENIENT, STRICT = "#b91c1c", "#1d4ed8"


@dataclass(frozen=True)
class Bar:
    """One judge's bar in the analysis chart (SVG user units)."""

    label: str
    value: Decimal | None
    count: int
    y: float
    x: float
    width: float
    fill: str


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart of deviations around zero, drawn by the template as SVG."""

    bars: list[Bar]
    width: int
    height: int
    axis: float
    top: int
    bottom: float
    label_x: int
    value_x: int
    bar_height: int
    peak: Decimal
    left: int = LABEL_WIDTH
    right: int = CHART_WIDTH - VALUE_WIDTH


def chart(tendencies: list[chief.JudgeTendency]) -> Chart:
    """Geometry of the analysis chart: bars right of the axis for judges above the panel
    mean (lenient), left for those below (strict), scaled to the largest deviation."""
    peak = max(
        (abs(t.mean_deviation) for t in tendencies if t.mean_deviation is not None),
        default=Decimal(0),
    )
    half = (CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH) / 2
    axis = LABEL_WIDTH + half
    bars = []
    for i, t in enumerate(tendencies):
        y = TOP + i * ROW + (ROW - BAR) / 2
        value = t.mean_deviation
        length = float(abs(value) / peak) * half if value is not None and peak else 0.0
        x = axis if value is None or value >= 0 else axis - length
        fill = STRICT if value is not None and value < 0 else LENIENT
        bars.append(Bar(t.judge.code, value, t.values, y, round(x, 1), round(length, 1), fill))
    height = TOP + len(tendencies) * ROW + 8
    return Chart(
        bars,
        CHART_WIDTH,
        height,
        axis,
        TOP - 6,
        height - 4,
        LABEL_WIDTH - 10,
        CHART_WIDTH - 6,
        BAR,
        peak,
    )


def _forms(trade: Trade, matrix: chief.Matrix, approved: list[Entrant]) -> dict[str, DeskForm]:
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
        "double_entry": DoubleEntryForm(prefix="paper", double_entry=trade.double_entry),
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
    lock_items: list[chief.Discrepancy] | None = None,
):
    """Render the desk; ``failed`` replaces a form by the refused one, with its errors."""
    g.timezone = trade.event.timezone
    computed = chief.compute(trade)
    matrix = chief.matrix(trade)
    found = chief.discrepancies(trade, computed)
    tendencies = chief.analysis(trade, computed)
    approved = _approved(trade)
    forms = _forms(trade, matrix, approved)
    for name, form in (failed or {}).items():
        for field in form:
            if field.type == "SelectField":
                field.choices = forms[name][field.short_name].choices
        forms[name] = form
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
            locked_by=db.session.get(User, trade.locked_by_id) if trade.locked_by_id else None,
            refresh=REFRESH_SECONDS,
            now=utcnow(),
            who=who,
            names=_names(trade),
        ),
        status,
    )


def _names(trade: Trade) -> dict[str, str]:
    """Criterion and component codes → "code name", for the list of discrepancies."""
    names = {c.code: c.name for c in trade.components}
    names.update({c.code: f"{c.code} {c.name}" for c in trade.criteria})
    return names


@bp.get("/trades/<int:trade_id>")
@object_required(Trade, "trade_id", can_run_trade)
def desk(trade: Trade):
    """The trade's progress matrix, what needs attention, the actions and the analysis."""
    return _desk(trade)


@bp.get("/trades/<int:trade_id>/live")
@object_required(Trade, "trade_id", can_run_trade)
def live(trade: Trade):
    """The live part of the desk (matrix and what needs attention), for the refresh script."""
    g.timezone = trade.event.timezone
    matrix = chief.matrix(trade)
    found = chief.discrepancies(trade)
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


def _entrant_page(trade: Trade, entrant: Entrant, focus: Judge | None):
    g.timezone = trade.event.timezone
    computed = chief.compute(trade)
    row = next((r for r in computed.entrants if r.code == entrant.code), None)
    results = (
        {c.code: c for component in row.score.components for c in component.criteria} if row else {}
    )
    marks = {
        code: round_half_up(result.mark, 3)
        for code, result in results.items()
        if result.mark is not None
    }
    stored = {
        (s.criterion_id, s.judge_id): s
        for s in db.session.execute(sa.select(Score).where(Score.entrant_id == entrant.id))
        .scalars()
        .all()
    }
    judges = [m.judge for m in sorted(trade.panel, key=lambda m: (not m.is_chief, m.judge_id))]
    seats = {
        c.id: {j.id for j in (component.judges or judges)}
        for component in trade.components
        for c in component.criteria
    }
    matrix = chief.matrix(trade)
    forms = _forms(trade, matrix, _approved(trade))
    for name in ("rescore", "excuse"):
        forms[name].entrant.data = entrant.id
        forms[name].judge.data = focus.id if focus else None
    forms["time"].entrant.data = entrant.id
    forms["status"].entrant.data = entrant.id
    return render_template(
        "chief/entrant.html",
        trade=trade,
        entrant=entrant,
        focus=focus,
        cell=matrix.cell(entrant, focus) if focus else None,
        judges=judges,
        results=results,
        marks=marks,
        row=row,
        stored=stored,
        seats=seats,
        forms=forms,
        competing=any(e.id == entrant.id for e in matrix.entrants),
        who=who,
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
    """Switch double entry of paper sheets on or off."""
    form = DoubleEntryForm(prefix="paper")
    on = bool(form.double_entry.data)
    _again(trade, "double_entry", form, "double_entry")
    changed = chief.set_double_entry(current_user, trade, on)
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


# --- double entry: the clerks' page ----------------------------------------------------------


def _paper_page(
    trade: Trade,
    entrant: Entrant | None,
    judge: Judge | None,
    refused: Refused | None = None,
    typed: dict[str, str] | None = None,
):
    """The clerks' page; after a refused entry, the values as typed and each message next to
    the criterion it is about."""
    g.timezone = trade.event.timezone
    items = None
    refusal, status = None, 200
    if entrant is not None and judge is not None:
        try:
            items = chief.paper_sheet(current_user, trade, entrant, judge)
        except ChiefError as error:  # this judge's sheet cannot be entered: say why
            refusal, status = describe(error), error.status
    errors = {}
    if refused is not None:
        errors = {p.path: describe_problem(refused, p, located=False) for p in refused.problems}
        if "criterion" in refused.params:
            errors[refused.params["criterion"]] = describe(refused)
    entrants = competing_entrants(trade)
    judges = [m.judge for m in sorted(trade.panel, key=lambda m: (not m.is_chief, m.judge_id))]
    outstanding = chief.paper_mismatches(trade, entrants)
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
        scoring_open=stages.is_open(trade.event, StageKind.SCORING, trade),
        can_run=can_run_trade(current_user, trade),
        who=who,
    ), status


def _arg_id(name: str, source) -> int | None:
    raw = source.get(name, "")
    return int(raw) if raw.isdigit() else None


@bp.get("/trades/<int:trade_id>/paper")
@object_required(Trade, "trade_id", can_enter_paper)
def paper(trade: Trade):
    """The clerks' page: choose an entrant and the judge whose paper sheet it is, enter it."""
    entrant_id, judge_id = _arg_id("entrant", request.args), _arg_id("judge", request.args)
    entrant = _entrant(trade, entrant_id) if entrant_id else None
    judge = _judge(trade, judge_id) if judge_id else None
    return _paper_page(trade, entrant, judge)


@bp.post("/trades/<int:trade_id>/paper")
@object_required(Trade, "trade_id", can_enter_paper)
def enter_paper(trade: Trade):
    """Enter the values of one paper sheet; all are checked before any is saved."""
    entrant = _entrant(trade, _arg_id("entrant", request.form))
    judge = _judge(trade, _arg_id("judge", request.form))
    typed = {k[6:]: v.strip() for k, v in request.form.items() if k.startswith("value-")}
    on_refusal(lambda refused: _paper_page(trade, entrant, judge, refused, typed))
    states = chief.enter_paper_sheet(current_user, trade, entrant, judge, typed)
    counts = Counter(states.values())
    flash(
        _(
            "Saved: %(agreed)s agreed, %(waiting)s waiting for the second clerk, "
            "%(mismatch)s different from the other entry.",
            agreed=counts.get("agreed", 0),
            waiting=counts.get("waiting", 0),
            mismatch=counts.get("mismatch", 0),
        ),
        "success" if not counts.get("mismatch") else "error",
    )
    return redirect(url_for(".paper", trade_id=trade.id, entrant=entrant.id, judge=judge.id))
