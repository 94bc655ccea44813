"""Check-in (检录) of a trade on a tablet: only entrants in the field with a station from
the draw are checked in; absent means DNS. The running counts are taken over the same list
the page shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain import lifecycle
from contest.domain.lifecycle import Action
from contest.domain.scoring import DeclaredStatus
from contest.judging.draw import DrawError, facts, in_field, lock_trade
from contest.registration.models import CheckIn, Entrant
from contest.results import services as results


def check_in(actor: User, entrant: Entrant, present: bool) -> None:
    """Mark an entrant present or absent at check-in; absent means DNS (did not start).
    Only an entrant in the field with a station is checked in, and not once the trade is
    locked (signed off)."""
    trade = entrant.trade
    lock_trade(trade)
    db.session.refresh(entrant)
    lifecycle.check(Action.CHECK_IN, facts(trade, entrant), trade=trade.name)
    if not in_field(entrant):
        raise DrawError(DrawError.LEFT, name=entrant.name)
    old = {
        "check_in": entrant.check_in.value if entrant.check_in else None,
        "status": entrant.status.value if entrant.status else None,
    }
    entrant.check_in = CheckIn.PRESENT if present else CheckIn.ABSENT
    entrant.checked_in_at = utcnow()
    if present and entrant.status == DeclaredStatus.DNS:
        entrant.status = None
    elif not present:
        entrant.status = DeclaredStatus.DNS
    audit.record(
        actor,
        "entrant.check_in",
        "entrant",
        entrant.id,
        event=entrant.event,
        old=old,
        new={
            "check_in": entrant.check_in.value,
            "status": entrant.status.value if entrant.status else None,
        },
    )
    results.recompute_trade(trade)


@dataclass(frozen=True)
class Tally:
    """Where check-in stands: present, absent and not yet seen, of the entrants listed."""

    present: int
    absent: int
    waiting: int

    @property
    def total(self) -> int:
        return self.present + self.absent + self.waiting


def tally(entrants: Iterable[Entrant]) -> Tally:
    """The running counts of check-in over ``entrants`` (those listed for it)."""
    states = [e.check_in for e in entrants]
    return Tally(
        present=states.count(CheckIn.PRESENT),
        absent=states.count(CheckIn.ABSENT),
        waiting=states.count(None),
    )


def search(entrants: list[Entrant], query: str) -> list[Entrant]:
    """Check-in search among ``entrants`` by station number, name or entrant code."""
    text = query.strip()
    if not text:
        return entrants
    if text.isdigit():
        return [e for e in entrants if e.station_no == int(text)]
    return [e for e in entrants if text in e.name or text.upper() == e.code.upper()]
