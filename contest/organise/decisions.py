"""The organisers' decisions on the award rules (SCORING.md §7): that an entrant does not meet
a rule's conditions (符合条件的…, so that the rule passes them over), and the entrants a rule
“named by the organisers” selects (优胜奖若干).

A decision names the rule by its code, as the package does. Only a ranked entrant can be
named — ranked in the trade's stored results. A decision is never deleted: it is withdrawn
with a reason, and stops counting. Each one is audited and recomputes the entrant's trade;
none is taken once the event's results are published (the publication is withdrawn first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from contest.accounts.models import User
from contest.core.extensions import db
from contest.core.queries import lock_row
from contest.core.types import utcnow
from contest.domain import lifecycle, snapshot
from contest.domain.lifecycle import Action, Facts
from contest.domain.refusal import N_, Problem, Refused
from contest.events.models import AwardRule, Event
from contest.organise.setup import Invalid, check_text, problem, record_change
from contest.publication import services as publications
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import AwardDecision, AwardDecisionKind

#: The longest reason kept.
REASON_LENGTH = 500


class DecisionRefused(Refused):
    """A withdrawal of a decision that cannot be made."""

    reasons = {
        "already_withdrawn": N_("This decision was already withdrawn; nothing was changed."),
        "withdrawal_reason": N_("Give the reason for withdrawing the decision."),
    }
    statuses = {"already_withdrawn": 409}


@dataclass(frozen=True)
class DecisionInput:
    """A decision as the organiser submitted it."""

    kind: str | None = None
    rule: str | None = None
    entrant: str | None = None
    reason: str | None = None


def event_decisions(event: Event) -> list[AwardDecision]:
    """Every decision of the event, current ones first, newest first."""
    return list(
        db.session.execute(
            sa.select(AwardDecision)
            .where(AwardDecision.event_id == event.id)
            .options(
                selectinload(AwardDecision.entrant).selectinload(Entrant.trade),
                selectinload(AwardDecision.entrant).selectinload(Entrant.unit),
            )
            .order_by(AwardDecision.withdrawn_at.is_not(None), AwardDecision.id.desc())
        ).scalars()
    )


def decision_state(decision: AwardDecision) -> dict[str, Any]:
    """A decision as the audit log records it."""
    return {
        "kind": decision.kind,
        "rule": decision.rule_code,
        "entrant": decision.entrant.code,
        "reason": decision.reason,
        "withdrawn_at": decision.withdrawn_at,
        "withdrawal_reason": decision.withdrawal_reason,
    }


def _published(event: Event) -> bool:
    return publications.published(event, publications.RESULTS) is not None


def _ranked(entrant: Entrant) -> bool:
    """Whether the entrant is ranked in their trade's stored results."""
    _, payload = results.stored(entrant.trade)
    computed = (
        snapshot.load_trade(payload) if payload is not None else results.compute(entrant.trade)
    )
    return any(e.code == entrant.code and e.placing.rank is not None for e in computed.entrants)


def _by_code(
    model: type[AwardRule] | type[Entrant],
    event: Event,
    field: str,
    code: str | None,
    problems: list[Problem],
) -> Any:
    """The event's award rule or entrant with ``code``, or None with a problem under
    ``field`` (none given, or none such)."""
    if not code:
        problems.append(problem(field, "required"))
        return None
    found = db.session.execute(
        sa.select(model).where(model.event_id == event.id, model.code == code)
    ).scalar_one_or_none()
    if found is None:
        problems.append(problem(field, f"unknown_{field}", code=code))
    return found


def _check(
    event: Event, data: DecisionInput
) -> tuple[AwardDecisionKind, AwardRule, Entrant, str | None]:
    """The decision's rule and entrant; ``Invalid`` listing every problem, under its field."""
    problems: list[Problem] = []
    kind = next((k for k in AwardDecisionKind if k.value == data.kind), None)
    if kind is None:
        choices = ", ".join(k.value for k in AwardDecisionKind)
        problems.append(problem("kind", "not_choice", value=data.kind or "", choices=choices))
    reason = check_text(problems, "reason", data.reason, REASON_LENGTH)
    if kind == AwardDecisionKind.INELIGIBLE and reason is None and not problems:
        problems.append(problem("reason", "required"))
    rule = _by_code(AwardRule, event, "rule", data.rule, problems)
    if rule is not None and kind == AwardDecisionKind.NAMED and not rule.select.get("manual"):
        problems.append(problem("rule", "rule_not_manual", rule=rule.title))
    entrant = _by_code(Entrant, event, "entrant", data.entrant, problems)
    if problems:
        raise Invalid(problems)
    assert kind is not None and rule is not None and entrant is not None
    who = f"{entrant.code} {entrant.name}"
    if rule.trades is not None and entrant.trade.code not in rule.trades:
        problems.append(
            problem(
                "entrant",
                "rule_not_for_trade",
                rule=rule.title,
                trade=entrant.trade.name,
                entrant=who,
            )
        )
    elif kind == AwardDecisionKind.NAMED and not _ranked(entrant):
        problems.append(problem("entrant", "not_ranked", entrant=who, trade=entrant.trade.name))
    if problems:
        raise Invalid(problems)
    return kind, rule, entrant, reason


def decide(actor: User, event: Event, data: DecisionInput) -> AwardDecision:
    """Record a decision and recompute the entrant's trade. Refused (``Invalid``) for an
    unknown rule or entrant, a rule that does not apply to the entrant's trade, a name for a
    rule that does not name its entrants or for an entrant who is not ranked, and a decision
    already in force; (``NotNow``) once the results are published."""
    lifecycle.check(Action.DECIDE, Facts(published=_published(event)))
    kind, rule, entrant, reason = _check(event, data)
    lock_row(Entrant, entrant.id)
    current = db.session.execute(
        sa.select(AwardDecision.id).where(
            AwardDecision.event_id == event.id,
            AwardDecision.rule_code == rule.code,
            AwardDecision.entrant_id == entrant.id,
            AwardDecision.kind == kind,
            AwardDecision.withdrawn_at.is_(None),
        )
    ).first()
    if current is not None:
        raise Invalid(
            [problem("entrant", "already_decided", entrant=entrant.code, rule=rule.title)]
        )
    decision = AwardDecision(
        event_id=event.id,
        rule_code=rule.code,
        entrant=entrant,
        kind=kind,
        reason=reason,
        created_by_id=actor.id,
    )
    db.session.add(decision)
    db.session.flush()
    record_change(
        actor, "award_decision.create", "award_decision", decision.id, None,
        decision_state(decision), event=event,
    )  # fmt: skip
    results.recompute_trade(entrant.trade)
    return decision


def withdraw(actor: User, event: Event, decision: AwardDecision, reason: str | None) -> None:
    """Withdraw a decision with a reason (it is kept, and stops counting) and recompute the
    entrant's trade."""
    lifecycle.check(Action.DECIDE, Facts(published=_published(event)))
    reason = (reason or "").strip()[:REASON_LENGTH]
    if not reason:
        raise DecisionRefused("withdrawal_reason")
    lock_row(AwardDecision, decision.id)
    db.session.refresh(decision)
    if decision.withdrawn_at is not None:
        raise DecisionRefused("already_withdrawn")
    before = decision_state(decision)
    decision.withdrawn_at = utcnow()
    decision.withdrawn_by_id = actor.id
    decision.withdrawal_reason = reason
    db.session.flush()
    record_change(
        actor, "award_decision.withdraw", "award_decision", decision.id, before,
        decision_state(decision), event=event,
    )  # fmt: skip
    results.recompute_trade(decision.entrant.trade)
