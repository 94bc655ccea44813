"""Draw of lots and check-in (检录) for a trade."""

from __future__ import annotations

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.core.queries import lock_row
from contest.core.types import utcnow
from contest.domain import draw as lots
from contest.domain.refusal import N_, Refused
from contest.domain.scoring import DeclaredStatus
from contest.events.models import Trade
from contest.registration.models import CheckIn, Entrant, RegistrationStatus
from contest.results import services as results
from contest.results.models import ComponentScore, Score


class DrawError(Refused):
    """The draw or a check-in cannot be made; ``code`` says why."""

    NO_ENTRANTS = "no_entrants"
    LOCKED = "locked"
    ALREADY_DRAWN = "already_drawn"
    SCORES_EXIST = "scores_exist"

    reasons = {
        NO_ENTRANTS: N_("The trade has no approved entrants to draw."),
        ALREADY_DRAWN: N_(
            "The trade has been drawn already. Tick “draw again” and give a reason to replace it."
        ),
        LOCKED: N_("The chief judge has locked this trade; scores can no longer be changed."),
        SCORES_EXIST: N_("Scores have been entered: the draw can no longer be changed."),
    }
    statuses = {LOCKED: 423}
    default_status = 409


def drawable(trade: Trade) -> list[Entrant]:
    """The approved entrants of the trade, who take part in the draw."""
    return list(
        db.session.execute(
            sa.select(Entrant)
            .where(
                Entrant.trade_id == trade.id,
                Entrant.registration_status == RegistrationStatus.APPROVED,
            )
            .order_by(Entrant.code)
        ).scalars()
    )


def make_draw(
    actor: User,
    trade: Trade,
    seed: str | None = None,
    *,
    redraw: bool = False,
    reason: str | None = None,
) -> list[lots.Lot]:
    """Draw stations and anonymous codes for the trade's approved entrants, recording the seed.

    A trade is drawn once; drawing again (with a reason) is allowed only before any score
    has been entered, since judges know entrants by these codes.
    """
    entrants = drawable(trade)
    if not entrants:
        raise DrawError(DrawError.NO_ENTRANTS)
    if trade.drawn_at is not None and not redraw:
        raise DrawError(DrawError.ALREADY_DRAWN)
    ids = sa.select(Entrant.id).where(Entrant.trade_id == trade.id)
    scored = (
        db.session.execute(
            sa.select(sa.func.count()).select_from(Score).where(Score.entrant_id.in_(ids))
        ).scalar_one()
        + db.session.execute(
            sa.select(sa.func.count())
            .select_from(ComponentScore)
            .where(ComponentScore.entrant_id.in_(ids))
        ).scalar_one()
    )
    if scored:
        raise DrawError(DrawError.SCORES_EXIST)
    seed = seed or lots.new_seed()
    drawn = lots.draw(seed, [e.code for e in entrants], prefix=trade.code[:1].upper())
    # Clear every code of the trade first, so that the unique constraints never clash.
    db.session.execute(
        sa.update(Entrant)
        .where(Entrant.trade_id == trade.id)
        .values(station_no=None, anon_code=None)
    )
    by_code = {e.code: e for e in entrants}
    db.session.flush()
    for lot in drawn:
        entrant = by_code[lot.entrant]
        entrant.station_no, entrant.anon_code = lot.station, lot.code
    old = {"seed": trade.draw_seed} if trade.draw_seed else None
    trade.draw_seed, trade.drawn_at = seed, utcnow()
    audit.record(
        actor,
        "trade.draw",
        "trade",
        trade.id,
        event=trade.event,
        old=old,
        new={"seed": seed, "entrants": len(drawn)},
        reason=reason,
    )
    return drawn


def verify_draw(trade: Trade) -> bool:
    """Whether the stored stations and codes are exactly what the recorded seed gives."""
    if trade.draw_seed is None:
        return False
    entrants = [e for e in drawable(trade) if e.station_no is not None]
    expected = lots.draw(trade.draw_seed, [e.code for e in entrants], trade.code[:1].upper())
    return {(e.code, e.station_no, e.anon_code) for e in entrants} == {
        (lot.entrant, lot.station, lot.code) for lot in expected
    }


def station_list(trade: Trade) -> list[Entrant]:
    """Entrants in station order (for the station list and the judges)."""
    return sorted(
        (e for e in drawable(trade) if e.station_no is not None), key=lambda e: e.station_no or 0
    )


def check_in(actor: User, entrant: Entrant, present: bool) -> None:
    """Mark an entrant present or absent at check-in; absent means DNS (did not start).
    A locked (signed-off) trade refuses it."""
    lock_row(Trade, entrant.trade_id)
    db.session.refresh(entrant.trade)
    if entrant.trade.is_locked:
        raise DrawError(DrawError.LOCKED)
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
    results.recompute_trade(entrant.trade)


def search(trade: Trade, query: str) -> list[Entrant]:
    """Check-in search by station number, name or entrant code."""
    entrants = station_list(trade) or drawable(trade)
    text = query.strip()
    if not text:
        return entrants
    if text.isdigit():
        return [e for e in entrants if e.station_no == int(text)]
    return [e for e in entrants if text in e.name or text.upper() == e.code.upper()]
