"""Draw of lots (抽签) for a trade; check-in (检录) is in ``checkin``.

The first draw waits until the field is settled (registration closed, every registration of
the trade reviewed). Entrants approved after it get their stations by a top-up, which keeps
every station and code already given; a redraw, replacing all of them, is possible only
before anyone has checked in or been scored. Every draw is recorded (``DrawRound``) with its
seed and what it gave, so that anyone can check it from the seed.

An entrant who leaves after the draw (registration returned, or withdrawn: declared WD)
keeps the station on their row, and nobody else is given it; they are no longer checked in
or listed. Until late approvals have their stations, and as long as someone has left, the
pages and printed lists say so (``Field``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from contest.accounts.models import User
from contest.core import audit, labels
from contest.core.extensions import db
from contest.core.queries import lock_row
from contest.core.types import utcnow
from contest.domain import draw as lots
from contest.domain import lifecycle
from contest.domain.lifecycle import Action, Facts, NotNow, Step
from contest.domain.refusal import N_, Refused
from contest.domain.scoring import DeclaredStatus
from contest.domain.stages import StageKind
from contest.events.models import Trade
from contest.judging.models import DrawKind, DrawRound
from contest.publication import services as publication
from contest.registration.models import CheckIn, Entrant, RegistrationStatus
from contest.results.models import ComponentScore, Score
from contest.stages import services as stages


class DrawError(Refused):
    """The draw or a check-in cannot be made for a reason that is not the trade's step
    (those are ``lifecycle.NotNow``); ``code`` says why."""

    ALREADY_DRAWN = "already_drawn"
    REASON_REQUIRED = "reason_required"
    LEFT = "left"

    reasons = {
        ALREADY_DRAWN: N_(
            "The trade has been drawn already. Tick “draw again” and give a reason to replace it."
        ),
        REASON_REQUIRED: N_("Give the reason for drawing again."),
        LEFT: N_(
            "%(name)s is no longer in the field (returned or withdrawn after the draw) and "
            "is not checked in."
        ),
    }
    default_status = 409


labels.register(
    Step,
    {
        Step.REGISTRATION: _l("Registration"),
        Step.REVIEW: _l("Review"),
        Step.DRAWN: _l("Drawn"),
        Step.CHECKED_IN: _l("Check-in"),
        Step.SCORING: _l("Scoring"),
        Step.LOCKED: _l("Locked"),
        Step.APPEAL: _l("Appeals"),
        Step.NOTICE: _l("Public notice"),
        Step.PUBLISHED: _l("Published"),
    },
)
labels.register(
    DrawKind,
    {DrawKind.DRAW: _l("Draw"), DrawKind.REDRAW: _l("Redraw"), DrawKind.TOP_UP: _l("Top-up")},
)

#: An entrant in the field: approved and not withdrawn. Only they are drawn and checked in.
IN_FIELD = sa.and_(
    Entrant.registration_status == RegistrationStatus.APPROVED,
    sa.or_(Entrant.status.is_(None), Entrant.status != DeclaredStatus.WD),
)


def in_field(entrant: Entrant) -> bool:
    """Whether the entrant is in the field (approved, not withdrawn)."""
    return (
        entrant.registration_status == RegistrationStatus.APPROVED
        and entrant.status != DeclaredStatus.WD
    )


# --- what is known of the trade --------------------------------------------------------------


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def facts(trade: Trade, entrant: Entrant | None = None) -> Facts:
    """Every fact of the trade (and of ``entrant``, if given) the lifecycle asks about: its
    windows, who awaits review, is approved, lacks a station or has checked in, whether it
    has been drawn, scored, locked, put on notice and published."""
    event = trade.event
    awaiting, approved, unstationed, checked_in, stationed = db.session.execute(
        sa.select(
            _count(Entrant.registration_status == RegistrationStatus.SUBMITTED),
            _count(IN_FIELD),
            _count(sa.and_(IN_FIELD, Entrant.station_no.is_(None))),
            _count(Entrant.check_in.is_not(None)),
            _count(Entrant.station_no.is_not(None)),
        ).where(Entrant.trade_id == trade.id)
    ).one()
    ids = sa.select(Entrant.id).where(Entrant.trade_id == trade.id)
    scored = db.session.execute(
        sa.select(
            sa.or_(
                sa.exists().where(Score.entrant_id.in_(ids)),
                sa.exists().where(ComponentScore.entrant_id.in_(ids)),
            )
        )
    ).scalar_one()
    concerned: dict[str, bool] = {}
    if entrant is not None:
        concerned = {
            "returned": entrant.registration_status == RegistrationStatus.RETURNED,
            "stationed": entrant.station_no is not None,
            "present": entrant.check_in == CheckIn.PRESENT,
        }
    return Facts(
        registration_open=stages.is_open(event, StageKind.REGISTRATION, trade),
        review_open=stages.is_open(event, StageKind.REVIEW, trade),
        awaiting_review=awaiting,
        approved=approved,
        drawn=trade.drawn_at is not None or stationed > 0,
        unstationed=unstationed,
        checked_in=checked_in,
        scored=bool(scored),
        scoring_open=stages.is_open(event, StageKind.SCORING, trade),
        appeal_open=stages.is_open(event, StageKind.APPEAL, trade),
        locked=trade.is_locked,
        noticed=publication.published(event, publication.NOTICE) is not None,
        published=publication.published(event, publication.RESULTS) is not None,
        **concerned,
    )


@dataclass(frozen=True)
class Field:
    """Who the trade's draw concerns now."""

    stationed: list[Entrant]  # in the field with a station, in station order: the lists
    awaiting: list[Entrant]  # in the field without a station (approved after the draw)
    left: list[Entrant]  # with a station but no longer in the field (returned, withdrawn)

    @property
    def approved(self) -> int:
        """How many entrants are in the field."""
        return len(self.stationed) + len(self.awaiting)

    @property
    def changed(self) -> bool:
        """Whether the field has changed since the draw (once there is one)."""
        return bool(self.stationed or self.left) and bool(self.awaiting or self.left)


def field(trade: Trade) -> Field:
    """The trade's entrants in the field, and those who left it after the draw."""
    rows = db.session.execute(
        sa.select(Entrant)
        .where(Entrant.trade_id == trade.id, sa.or_(IN_FIELD, Entrant.station_no.is_not(None)))
        .options(selectinload(Entrant.unit))
        .order_by(Entrant.code)
    ).scalars()
    stationed: list[Entrant] = []
    awaiting: list[Entrant] = []
    left: list[Entrant] = []
    for entrant in rows:
        if not in_field(entrant):
            left.append(entrant)
        elif entrant.station_no is None:
            awaiting.append(entrant)
        else:
            stationed.append(entrant)
    stationed.sort(key=lambda e: e.station_no or 0)
    left.sort(key=lambda e: e.station_no or 0)
    awaiting.sort(key=lambda e: e.code)
    return Field(stationed, awaiting, left)


def drawable(trade: Trade) -> list[Entrant]:
    """The entrants of the trade in the field (approved, not withdrawn), by code."""
    return list(
        db.session.execute(
            sa.select(Entrant).where(Entrant.trade_id == trade.id, IN_FIELD).order_by(Entrant.code)
        ).scalars()
    )


# --- the draw, a redraw, a top-up ------------------------------------------------------------


def _prefix(trade: Trade) -> str:
    return trade.code[:1].upper()


def lock_trade(trade: Trade) -> None:
    """Serialise the draws and check-ins of the trade, and read it as it now stands."""
    lock_row(Trade, trade.id)
    db.session.refresh(trade)


def make_draw(
    actor: User,
    trade: Trade,
    seed: str | None = None,
    *,
    redraw: bool = False,
    reason: str | None = None,
) -> list[lots.Lot]:
    """Draw stations and anonymous codes for the trade's field from ``seed`` (random if
    not given), recording it.

    The first draw waits until registration has closed and every registration of the trade
    has been reviewed. Drawing again (``redraw``, with a reason) replaces every station and
    code, and is refused once anyone has checked in or any score exists: late approvals
    are given stations by ``top_up`` instead.
    """
    lock_trade(trade)
    known = facts(trade)
    reason = (reason or "").strip() or None
    if known.drawn and not redraw:
        raise DrawError(DrawError.ALREADY_DRAWN)
    if known.drawn:
        lifecycle.check(Action.REDRAW, known, trade=trade.name)
        if reason is None:
            raise DrawError(DrawError.REASON_REQUIRED)
    else:
        lifecycle.check(Action.DRAW, known, trade=trade.name)
    seed = seed or lots.new_seed()
    entrants = drawable(trade)
    drawn = lots.draw(seed, [e.code for e in entrants], _prefix(trade))
    # Clear every station and code of the trade first (on a redraw, those of entrants who
    # have left too), so that the unique constraints never clash; the round replaced keeps
    # what it gave.
    db.session.execute(
        sa.update(Entrant)
        .where(Entrant.trade_id == trade.id)
        .values(station_no=None, anon_code=None)
    )
    db.session.flush()
    _place(entrants, drawn)
    old = {"seed": trade.draw_seed} if trade.draw_seed else None
    trade.draw_seed, trade.drawn_at = seed, utcnow()
    kind = DrawKind.REDRAW if known.drawn else DrawKind.DRAW
    _record(actor, trade, kind, seed, 1, [], drawn, reason)
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


def top_up(actor: User, trade: Trade, seed: str | None = None) -> DrawRound:
    """Give stations and codes to the entrants approved after the draw, from ``seed``
    (random if not given), keeping every station and code already given: the new stations
    follow the highest one used, and the codes never clash with one given before. Returns
    the top-up as recorded."""
    lock_trade(trade)
    lifecycle.check(Action.TOP_UP, facts(trade), trade=trade.name)
    given = db.session.execute(
        sa.select(Entrant.station_no, Entrant.anon_code).where(
            Entrant.trade_id == trade.id,
            sa.or_(Entrant.station_no.is_not(None), Entrant.anon_code.is_not(None)),
        )
    ).all()
    first = max((station for station, _ in given if station is not None), default=0) + 1
    taken = sorted(code for _, code in given if code)
    seed = seed or lots.new_seed()
    late = field(trade).awaiting
    placed = lots.draw(
        seed, [e.code for e in late], _prefix(trade), first_station=first, taken=taken
    )
    _place(late, placed)
    made = _record(actor, trade, DrawKind.TOP_UP, seed, first, taken, placed, None)
    audit.record(
        actor,
        "trade.top_up",
        "trade",
        trade.id,
        event=trade.event,
        new={"seed": seed, "first_station": first, "placed": made.lots},
    )
    return made


def _place(entrants: Iterable[Entrant], drawn: list[lots.Lot]) -> None:
    by_code = {e.code: e for e in entrants}
    for lot in drawn:
        entrant = by_code[lot.entrant]
        entrant.station_no, entrant.anon_code = lot.station, lot.code


def _lots(drawn: list[lots.Lot]) -> list[dict[str, object]]:
    return [{"entrant": lot.entrant, "station": lot.station, "code": lot.code} for lot in drawn]


def _record(
    actor: User,
    trade: Trade,
    kind: DrawKind,
    seed: str,
    first: int,
    taken: list[str],
    drawn: list[lots.Lot],
    reason: str | None,
) -> DrawRound:
    made = DrawRound(
        trade=trade,
        kind=kind,
        seed=seed,
        prefix=_prefix(trade),
        first_station=first,
        taken=taken,
        lots=_lots(drawn),
        made_by_id=actor.id,
        reason=reason,
    )
    db.session.add(made)
    db.session.flush()
    return made


# --- checking the draw from its seeds ----------------------------------------------------------


def rounds(trade: Trade) -> tuple[list[DrawRound], list[DrawRound]]:
    """The trade's recorded draws: those standing (the last draw or redraw and the top-ups
    after it) and those a redraw replaced, each in the order made."""
    made = list(
        db.session.execute(
            sa.select(DrawRound).where(DrawRound.trade_id == trade.id).order_by(DrawRound.id)
        ).scalars()
    )
    full = [i for i, r in enumerate(made) if r.kind != DrawKind.TOP_UP]
    start = full[-1] if full else 0
    return made[start:], made[:start]


def verification(trade: Trade) -> list[tuple[DrawRound, bool]]:
    """Each standing draw with whether it holds: its seed gives exactly what it recorded,
    the entrants still have what it gave them, and a top-up started after the highest
    station and skipped exactly the codes given before it."""
    standing, _ = rounds(trade)
    given = _given(trade)
    checked = []
    codes: list[str] = []
    top = 0
    for made in standing:
        again = lots.draw(
            made.seed,
            made.entrants,
            made.prefix,
            first_station=made.first_station,
            taken=made.taken,
        )
        holds = _lots(again) == made.lots and all(
            given.get(lot["entrant"]) == (lot["station"], lot["code"]) for lot in made.lots
        )
        if made.kind == DrawKind.TOP_UP and checked:
            holds = holds and sorted(made.taken) == sorted(codes)
            holds = holds and made.first_station == top + 1
        codes += [lot["code"] for lot in made.lots]
        top = max([top, *(lot["station"] for lot in made.lots)])
        checked.append((made, holds))
    return checked


def verify_draw(trade: Trade) -> bool:
    """Whether every station and code of the trade is what the recorded seeds give: the
    draw's (for every entrant it placed, whether still in the field or not) and each
    top-up's."""
    if trade.draw_seed is None:
        return False
    checked = verification(trade)
    given = _given(trade)
    placed = {lot["entrant"] for made, _ in checked for lot in made.lots}
    rest = {code: lot for code, lot in given.items() if code not in placed}
    if checked and checked[0][0].kind != DrawKind.TOP_UP:
        return all(holds for _, holds in checked) and not rest
    # Drawn before the draws were recorded one by one: the trade's seed gave the rest.
    expected = lots.draw(trade.draw_seed, list(rest), _prefix(trade))
    return all(holds for _, holds in checked) and {
        (lot.entrant, lot.station, lot.code) for lot in expected
    } == {(code, station, anon) for code, (station, anon) in rest.items()}


def _given(trade: Trade) -> dict[str, tuple[int | None, str | None]]:
    """Entrant code → (station, anonymous code) of everyone of the trade who has either."""
    rows = db.session.execute(
        sa.select(Entrant.code, Entrant.station_no, Entrant.anon_code).where(
            Entrant.trade_id == trade.id,
            sa.or_(Entrant.station_no.is_not(None), Entrant.anon_code.is_not(None)),
        )
    )
    return {code: (station, anon) for code, station, anon in rows}


@dataclass(frozen=True)
class Overview:
    """What the draw page shows: the trade's step, its field, its draws and whether each
    holds, and why the draw, a redraw or a top-up would be refused now."""

    facts: Facts
    step: Step
    field: Field
    standing: list[tuple[DrawRound, bool]]
    replaced: list[DrawRound]
    verified: bool | None
    refusals: dict[Action, NotNow | None]


def overview(trade: Trade) -> Overview:
    """The trade's draw as it stands."""
    known = facts(trade)
    _, replaced = rounds(trade)
    return Overview(
        facts=known,
        step=lifecycle.step(known),
        field=field(trade),
        standing=verification(trade),
        replaced=replaced,
        verified=verify_draw(trade) if trade.draw_seed else None,
        refusals={
            action: lifecycle.refusal(action, known, trade=trade.name)
            for action in (Action.DRAW, Action.REDRAW, Action.TOP_UP)
        },
    )
