"""Appeals (申诉) and the organisers' decisions on objections (异议) to the 公示 list.

- ``/appeals/units/<unit>``: the team leader (the unit's contact; staff too) sees the unit's
  competing entrants per trade with the state of their appeal, and files one written appeal
  per entrant while the trade's appeal window is open.
- ``/appeals/trades/<trade>``: the trade's chief judge (or the organisers' staff, for the
  arbitration group) decides each appeal with a reason; an upheld appeal unlocks the trade
  so that the entrant's sheets can be sent back for re-scoring from the desk.
- ``/appeals/events/<event>/objections``: the organisers decide the objections filed during
  公示 and see what the final award lists will be.

Every refusal says why in the user's language, with its 4xx status, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest.accounts.access import STAFF, object_required, part_of
from contest.appeals import services as appeals
from contest.appeals.forms import (
    REJECTED,
    UPHELD,
    AppealDecisionForm,
    AppealForm,
    ObjectionDecisionForm,
)
from contest.appeals.models import Appeal
from contest.core.refusals import describe
from contest.core.web import on_refusal
from contest.domain.stages import StageKind, StageState
from contest.events.access import can_act_for_unit, can_manage_event, can_run_trade
from contest.events.models import Event, Trade, Unit
from contest.publication import notice
from contest.publication import services as publications
from contest.publication.final import final_awards
from contest.publication.models import Decision, Objection, ObjectionAction
from contest.registration.models import Entrant
from contest.stages import services as stages
from contest.stages.models import StageWindow

bp = Blueprint("appeals", __name__)

DECISIONS = {
    Decision.PENDING: _l("Awaiting decision"),
    Decision.UPHELD: _l("Upheld"),
    Decision.REJECTED: _l("Rejected"),
}


@bp.context_processor
def template_helpers() -> dict:
    """Helpers of this area's templates."""
    return {"decision_label": lambda d: str(DECISIONS[d]), "entrant_code": entrant_code}


def entrant_code(entrant: Entrant) -> str:
    """How judges' pages name an entrant: station and anonymous code (the registration code
    before the draw), never the name."""
    if entrant.station_no is not None or entrant.anon_code:
        return entrant.judge_label
    return entrant.code


def window_text(window: StageWindow | None, kind: StageKind) -> str:
    """The state of a window in one sentence: open until when, or why it is not open."""
    if window is not None and window.state == StageState.OPEN:
        if window.closes_at is None:
            return _("Open.")
        return _("Open until %(when)s.", when=format_datetime(window.closes_at, "short"))
    return describe(stages.closed(kind, window), context=False)


# --- the team leader's page ------------------------------------------------------------------


@dataclass
class EntrantRow:
    """One competing entrant of the unit, their appeal and, if one may be filed, the form."""

    entrant: Entrant
    appeal: Appeal | None
    form: AppealForm | None


@dataclass
class TradeGroup:
    """The unit's entrants in one trade, with that trade's appeal window."""

    trade: Trade
    window: StageWindow | None
    open: bool
    window_text: str
    rows: list[EntrantRow]


def _prefix(entrant: Entrant) -> str:
    return f"appeal-{entrant.id}"


def _unit_groups(unit: Unit, failed: dict[int, AppealForm]) -> list[TradeGroup]:
    entrants = appeals.competing(unit)
    filed = {a.entrant_id: a for a in appeals.for_unit(unit)}
    by_trade: dict[int, list[Entrant]] = {}
    for entrant in entrants:
        by_trade.setdefault(entrant.trade_id, []).append(entrant)
    groups = []
    trades = sorted({e.trade for rows in by_trade.values() for e in rows}, key=_trade_order)
    for trade in trades:
        window = stages.window(unit.event, StageKind.APPEAL, trade)
        is_open = window is not None and window.state == StageState.OPEN
        rows = []
        for entrant in by_trade[trade.id]:
            appeal = filed.get(entrant.id)
            form = None
            if appeal is None and is_open:
                form = failed.get(entrant.id) or AppealForm(prefix=_prefix(entrant), formdata=None)
            rows.append(EntrantRow(entrant, appeal, form))
        groups.append(
            TradeGroup(trade, window, is_open, window_text(window, StageKind.APPEAL), rows)
        )
    return groups


def _trade_order(trade: Trade) -> tuple[int, int]:
    return trade.position, trade.id


def _unit_page(unit: Unit, status: int = 200, failed: dict[int, AppealForm] | None = None):
    g.timezone = unit.event.timezone
    return (
        render_template(
            "appeals/unit.html",
            unit=unit,
            groups=_unit_groups(unit, failed or {}),
        ),
        status,
    )


@bp.get("/units/<int:unit_id>")
@object_required(Unit, "unit_id", can_act_for_unit)
def unit(unit: Unit):
    """The unit's competing entrants per trade, the state of their appeals, and the forms."""
    return _unit_page(unit)


@bp.post("/units/<int:unit_id>/entrants/<int:entrant_id>")
@object_required(Unit, "unit_id", can_act_for_unit)
@part_of(Entrant, "entrant_id", "unit")
def file_appeal(unit: Unit, entrant: Entrant):
    """File the entrant's one written appeal (in the trade's appeal window)."""
    form = AppealForm(prefix=_prefix(entrant))
    if not form.validate():
        flash(_("Nothing was changed. Please correct the form marked below."), "error")
        return _unit_page(unit, 400, {entrant.id: form})
    on_refusal(lambda refused: _unit_page(unit, failed={entrant.id: form}), form)
    appeals.file(current_user, entrant, form.text.data)
    flash(_("The appeal for %(name)s has been filed.", name=entrant.name), "success")
    return redirect(url_for(".unit", unit_id=unit.id, _anchor=f"entrant-{entrant.id}"))


# --- the chief judge's (or arbitration group's) page -----------------------------------------


@dataclass
class AppealRow:
    """One appeal of the trade, with the decision form while it is pending."""

    appeal: Appeal
    form: AppealDecisionForm | None
    reopened: bool


def _trade_page(
    trade: Trade, status: int = 200, failed: dict[int, AppealDecisionForm] | None = None
):
    g.timezone = trade.event.timezone
    published = publications.published(trade.event, publications.RESULTS)
    rows = []
    for appeal in appeals.for_trade(trade):
        form = None
        if appeal.status == Decision.PENDING and published is None:
            form = (failed or {}).get(appeal.id) or AppealDecisionForm(
                prefix=f"appeal-{appeal.id}", formdata=None
            )
        reopened = appeal.status == Decision.UPHELD and published is None
        rows.append(AppealRow(appeal, form, reopened))
    window = stages.window(trade.event, StageKind.APPEAL, trade)
    return (
        render_template(
            "appeals/trade.html",
            trade=trade,
            rows=rows,
            published=published,
            window=window,
            window_text=window_text(window, StageKind.APPEAL),
            is_staff=current_user.has_role(*STAFF),
        ),
        status,
    )


@bp.get("/trades/<int:trade_id>")
@object_required(Trade, "trade_id", can_run_trade)
def trade(trade: Trade):
    """The trade's appeals, pending first, with the decision forms."""
    return _trade_page(trade)


@bp.post("/trades/<int:trade_id>/appeals/<int:appeal_id>")
@object_required(Trade, "trade_id", can_run_trade)
@part_of(Appeal, "appeal_id", "trade")
def decide(trade: Trade, appeal: Appeal):
    """Uphold or reject an appeal, with a reason."""
    form = AppealDecisionForm(prefix=f"appeal-{appeal.id}")
    if not form.validate():
        flash(_("Nothing was changed. Please correct the form marked below."), "error")
        return _trade_page(trade, 400, {appeal.id: form})
    upheld = form.decision.data == UPHELD
    was_locked = trade.is_locked
    on_refusal(lambda refused: _trade_page(trade, failed={appeal.id: form}), form)
    appeals.decide(current_user, appeal, upheld, form.reason.data)
    who = entrant_code(appeal.entrant)
    if upheld and was_locked:
        message = _(
            "The appeal for %(entrant)s is upheld and the trade has been unlocked. Send the "
            "entrant's sheets back for re-scoring on the chief judge's desk; the judges may "
            "score this entrant again until the results are published.",
            entrant=who,
        )
    elif upheld:
        message = _(
            "The appeal for %(entrant)s is upheld. Send the entrant's sheets back for "
            "re-scoring on the chief judge's desk; the judges may score this entrant again "
            "until the results are published.",
            entrant=who,
        )
    else:
        message = _("The appeal for %(entrant)s is rejected.", entrant=who)
    flash(message, "success")
    return redirect(url_for(".trade", trade_id=trade.id, _anchor=f"appeal-{appeal.id}"))


# --- the organisers' page: objections to the 公示 list ---------------------------------------


@dataclass
class ObjectionRow:
    """One objection, the nomination it concerns (as published) and the decision form."""

    objection: Objection
    nomination: dict | None
    award_title: str
    form: ObjectionDecisionForm | None


def _nominations(published) -> dict[tuple[str, str], dict]:
    if published is None:
        return {}
    return {
        (award["code"], row["entrant"]): row
        for award in published.payload["awards"]
        for row in award["entrants"]
    }


def _objections_page(
    event: Event, status: int = 200, failed: dict[int, ObjectionDecisionForm] | None = None
):
    g.timezone = event.timezone
    notice_published = publications.published(event, publications.NOTICE)
    results_published = publications.published(event, publications.RESULTS)
    awards = notice.award_codes(event)
    nominations = _nominations(notice_published)
    rows = []
    objections = notice.objections(event)
    for objection in objections:
        form = None
        if objection.status == Decision.PENDING and results_published is None:
            form = (failed or {}).get(objection.id) or ObjectionDecisionForm(
                prefix=f"objection-{objection.id}", formdata=None
            ).fill(awards, objection.award_code)
        rows.append(
            ObjectionRow(
                objection,
                nominations.get((objection.award_code, objection.entrant_code)),
                awards.get(objection.award_code, objection.award_code),
                form,
            )
        )
    window = stages.window(event, StageKind.PUBLIC_NOTICE)
    if results_published is not None:
        final = {
            "awards": results_published.payload.get("awards", []),
            "changes": results_published.payload.get("changes", []),
        }
    else:
        final = final_awards(event)
    trades = sorted(event.trades, key=_trade_order)
    return (
        render_template(
            "appeals/objections.html",
            event=event,
            rows=rows,
            awards=awards,
            notice_published=notice_published,
            results_published=results_published,
            window=window,
            window_text=window_text(window, StageKind.PUBLIC_NOTICE),
            final=final,
            trades=trades,
            appeal_counts=appeals.counts(event),
            decisions=list(DECISIONS),
        ),
        status,
    )


@bp.get("/events/<int:event_id>/objections")
@object_required(Event, "event_id", can_manage_event)
def objections(event: Event):
    """The objections to the 公示 list, the decision forms, and the final award lists."""
    return _objections_page(event)


@bp.post("/events/<int:event_id>/objections/<int:objection_id>")
@object_required(Event, "event_id", can_manage_event)
@part_of(Objection, "objection_id", "event")
def decide_objection(event: Event, objection: Objection):
    """Reject an objection, or uphold it by removing or moving the nomination."""
    form = ObjectionDecisionForm(prefix=f"objection-{objection.id}").fill(
        notice.award_codes(event), objection.award_code
    )
    if not form.validate():
        flash(_("Nothing was changed. Please correct the form marked below."), "error")
        return _objections_page(event, 400, {objection.id: form})
    upheld = form.decision.data != REJECTED
    action = ObjectionAction(form.decision.data) if upheld else None
    on_refusal(lambda refused: _objections_page(event, failed={objection.id: form}), form)
    notice.decide(
        current_user, objection, upheld, form.reason.data, action, form.new_award.data or None
    )
    if not upheld:
        message = _("The objection has been rejected; the nomination stands.")
    elif action == ObjectionAction.REMOVE:
        message = _("The objection has been upheld; the nomination is removed from the list.")
    else:
        message = _(
            "The objection has been upheld; the nomination moves to %(award)s.",
            award=notice.award_codes(event).get(objection.new_award_code, ""),
        )
    flash(message, "success")
    return redirect(url_for(".objections", event_id=event.id, _anchor=f"objection-{objection.id}"))
