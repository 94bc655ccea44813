"""Taking a registration back, and withdrawing an entrant (退赛).

A registration that was never approved, has no station and nothing of a later stage
refers to may be taken back — deleted — while its unit may still correct it
(``Action.CORRECT``; staff later, giving a reason). Any other entrant is withdrawn instead:
kept, with the declared status WD and its reason, every score, certificate and record kept
(``Action.WITHDRAW``); the results never rank it (SCORING.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass

from contest.accounts.models import Role, User
from contest.core import audit
from contest.core.extensions import db
from contest.core.queries import lock_row
from contest.domain import lifecycle
from contest.domain.lifecycle import Action, Facts
from contest.domain.refusal import N_, Refused
from contest.domain.scoring import DeclaredStatus
from contest.events.models import Event
from contest.registration.facts import Windows, entrant_facts, kept, windows
from contest.registration.models import Entrant
from contest.registration.services import current, entrants_changed, snapshot


class WithdrawalRefused(Refused):
    """A registration that cannot be taken back, or an entrant who cannot withdraw."""

    KEPT = "kept"
    REASON_REQUIRED = "reason_required"
    DECLARED = "declared"

    reasons = {
        KEPT: N_(
            "The registration of %(name)s has been approved or has a station, scores or "
            "certificates, so it cannot be taken back: withdraw the entrant instead, giving a "
            "reason. Every score and record is kept."
        ),
        REASON_REQUIRED: N_("Give the reason for the withdrawal."),
        DECLARED: N_("%(name)s is already marked “%(status)s”."),
    }
    statuses = {KEPT: 409, DECLARED: 409}


def _staff(actor: User) -> bool:
    return actor.has_role(Role.ADMIN, Role.ORGANISER)


def _locked(entrant: Entrant) -> Entrant:
    """The entrant as committed now, with its event locked against other registration
    writes (a review, a correction) until the request ends."""
    lock_row(Event, entrant.event_id)
    return current(entrant)


def take_back(actor: User, entrant: Entrant, *, reason: str | None = None) -> None:
    """Delete a registration that nothing depends on yet, while its unit may correct it
    (staff later, giving a reason); otherwise refused, saying to withdraw instead."""
    entrant = _locked(entrant)
    if entrant.status is not None:
        raise WithdrawalRefused(
            WithdrawalRefused.DECLARED, name=entrant.name, status=entrant.status
        )
    if not (_staff(actor) and reason):
        lifecycle.check(Action.CORRECT, entrant_facts(entrant, windows(entrant.event)))
    if entrant.id in kept([entrant]):
        raise WithdrawalRefused(WithdrawalRefused.KEPT, name=entrant.name)
    audit.record(
        actor,
        "entrant.remove",
        "entrant",
        entrant.id,
        event=entrant.event,
        old=snapshot(entrant),
        reason=reason,
    )
    db.session.delete(entrant)
    db.session.flush()


def withdraw(actor: User, entrant: Entrant, *, reason: str | None) -> None:
    """The entrant withdraws from the contest (退赛), giving a reason: kept with the
    declared status WD, every score, certificate and record kept; refused once the chief
    judge has locked the trade. The trade's results are computed again."""
    reason = (reason or "").strip()
    if not reason:
        raise WithdrawalRefused(WithdrawalRefused.REASON_REQUIRED)
    entrant = _locked(entrant)
    trade = entrant.trade
    lock_row(type(trade), trade.id)  # against the chief's lock at the same moment
    db.session.refresh(trade)
    if entrant.status is not None:
        raise WithdrawalRefused(
            WithdrawalRefused.DECLARED, name=entrant.name, status=entrant.status
        )
    lifecycle.check(Action.WITHDRAW, Facts(locked=trade.is_locked), trade=trade.name)
    entrant.status, entrant.status_reason = DeclaredStatus.WD, reason
    db.session.flush()
    audit.record(
        actor,
        "entrant.withdraw",
        "entrant",
        entrant.id,
        event=entrant.event,
        old={"declared": None},
        new={**snapshot(entrant), "declared": DeclaredStatus.WD.value},
        reason=reason,
    )
    entrants_changed.send(trade)


@dataclass(frozen=True)
class RowActions:
    """What the unit's page offers for one entrant: edit it, take the registration back,
    or withdraw the entrant (the services decide again when asked)."""

    edit: bool = False
    take_back: bool = False
    withdraw: bool = False


def row_actions(actor: User, entrants: list[Entrant], open_: Windows) -> dict[int, RowActions]:
    """The actions of each entrant of a page, in a fixed number of queries."""
    staff = _staff(actor)
    keep = kept(entrants)
    actions: dict[int, RowActions] = {}
    for entrant in entrants:
        correctable = staff or (
            lifecycle.refusal(Action.CORRECT, entrant_facts(entrant, open_)) is None
        )
        if entrant.status is not None:
            actions[entrant.id] = RowActions(edit=staff)
            continue
        removable = correctable and entrant.id not in keep
        actions[entrant.id] = RowActions(
            edit=correctable,
            take_back=removable,
            withdraw=not removable and not entrant.trade.is_locked,
        )
    return actions
