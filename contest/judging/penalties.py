"""Penalties on the chief judge's desk (安全文明生产扣分, 违规扣分; SCORING.md §7): points off
one criterion or component of an entrant, with the kind and a reason, recorded by the chief
judge and audited like a score. A penalty given in error is never deleted: it is withdrawn
with a reason and stops counting. Each change recomputes the trade's results at once, so a
penalty that reaches the trade's ``disqualify_on`` count makes the entrant DQ (the domain
decides), and its withdrawal restores them.

Both actions are corrections of the results: refused as the chief's other corrections are
(``chief.correctable``: once the trade is signed off, or the results published). The
caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.numbers import reasonable
from contest.domain.refusal import N_
from contest.events.models import Component, Criterion, Trade
from contest.judging.chief import ChiefError, competing, correctable
from contest.judging.forms import REASON_MAX
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import PenaltyRecord

#: The longest kind of penalty ("安全文明生产", "设备损坏"): the column's length.
KIND_MAX = 32

Target = Criterion | Component


class PenaltyError(ChiefError):
    """A refused penalty, or a refused withdrawal of one."""

    KIND_REQUIRED = "kind_required"
    KIND_TOO_LONG = "kind_too_long"
    REASON_TOO_LONG = "reason_too_long"
    POINTS_REQUIRED = "points_required"
    POINTS_RANGE = "points_range"
    UNKNOWN_TARGET = "unknown_target"
    WITHDRAWN = "withdrawn"

    reasons = {
        KIND_REQUIRED: N_("Choose or type the kind of penalty."),
        KIND_TOO_LONG: N_("The kind of penalty can have at most %(max)s characters."),
        REASON_TOO_LONG: N_("The reason can have at most %(max)s characters."),
        POINTS_REQUIRED: N_(
            "Enter the points: the trade sets no standard for “%(kind)s”. Enter 0 to record "
            "an incident that takes no points."
        ),
        POINTS_RANGE: N_("Enter points from 0 to %(max)s."),
        UNKNOWN_TARGET: N_("Choose a criterion or a component of this trade."),
        WITHDRAWN: N_("This penalty has already been withdrawn."),
    }
    statuses = {UNKNOWN_TARGET: 404, WITHDRAWN: 409}


def most(target: Target) -> Decimal:
    """The most a penalty may take from ``target``: all its mark can be worth (its maximum
    times its factor), or a component's maximum (a component with criteria: theirs, added)."""
    if isinstance(target, Criterion):
        return target.max * target.factor
    if target.criteria:
        return sum((c.max * c.factor for c in target.criteria), Decimal(0))
    return target.max


def standard(trade: Trade, kind: str) -> Decimal | None:
    """The points one penalty of ``kind`` takes under the trade's 扣分标准, if it sets any."""
    stored = (trade.penalty_points or {}).get(kind)
    if stored is None:
        return None
    try:
        value = Decimal(str(stored))
    except ArithmeticError:
        return None
    return value if reasonable(value) and value >= 0 else None


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise PenaltyError(PenaltyError.REASON_REQUIRED)
    if len(reason) > REASON_MAX:
        raise PenaltyError(PenaltyError.REASON_TOO_LONG, max=REASON_MAX)
    return reason


def add_penalty(
    actor: User,
    trade: Trade,
    entrant: Entrant,
    target: Target,
    kind: str,
    points: Decimal | None,
    reason: str,
) -> PenaltyRecord:
    """Record a penalty of ``points`` (None: the trade's standard for ``kind``) off
    ``target``, a criterion or component of the trade, for a competing entrant of it; then
    recompute the trade. A penalty larger than the mark is fine (the mark floors at 0);
    points above all the target can be worth are refused."""
    kind = (kind or "").strip()
    if not kind:
        raise PenaltyError(PenaltyError.KIND_REQUIRED)
    if len(kind) > KIND_MAX:
        raise PenaltyError(PenaltyError.KIND_TOO_LONG, max=KIND_MAX)
    reason = _reason(reason)
    if target.trade_id != trade.id:
        raise PenaltyError(PenaltyError.UNKNOWN_TARGET)
    if points is None:
        points = standard(trade, kind)
        if points is None:
            raise PenaltyError(PenaltyError.POINTS_REQUIRED, kind=kind)
    ceiling = most(target)
    if not reasonable(points) or points < 0 or points > ceiling:
        raise PenaltyError(PenaltyError.POINTS_RANGE, max=f"{ceiling.normalize():f}")
    correctable(trade)
    db.session.refresh(entrant)
    competing(trade, entrant)
    record = PenaltyRecord(
        entrant_id=entrant.id,
        criterion_id=target.id if isinstance(target, Criterion) else None,
        component_id=target.id if isinstance(target, Component) else None,
        kind=kind,
        points=points,
        reason=reason,
        created_by_id=actor.id,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        actor,
        "penalty.create",
        "entrant",
        entrant.id,
        event=trade.event,
        new={**_facts(record, target.code), "counts": True},
        reason=reason,
    )
    db.session.flush()
    results.recompute_trade(trade)
    return record


def withdraw_penalty(actor: User, penalty: PenaltyRecord, reason: str) -> None:
    """Withdraw a penalty with a reason: it stays on the ledger and stops counting; the
    trade is recomputed (a disqualification it caused is lifted)."""
    reason = _reason(reason)
    trade = penalty.entrant.trade
    correctable(trade)
    db.session.refresh(penalty)
    if penalty.withdrawn_at is not None:
        raise PenaltyError(PenaltyError.WITHDRAWN)
    penalty.withdrawn_at, penalty.withdrawn_by_id = utcnow(), actor.id
    penalty.withdrawal_reason = reason
    facts = _facts(penalty, penalty.target_code)
    audit.record(
        actor,
        "penalty.withdraw",
        "entrant",
        penalty.entrant_id,
        event=trade.event,
        old={**facts, "counts": True},
        new={**facts, "counts": False},
        reason=reason,
    )
    db.session.flush()
    results.recompute_trade(trade)


def _facts(penalty: PenaltyRecord, target: str) -> dict[str, object]:
    return {
        "penalty": penalty.id,
        "kind": penalty.kind,
        "points": f"{Decimal(penalty.points).normalize():f}",
        "target": target,
    }


# --- what the desk shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLine:
    """A penalty as the ledger shows it: the record, what it is taken from, and who
    recorded (and withdrew) it."""

    penalty: PenaltyRecord
    target: str  # "P1 焊缝外观", "理论"
    by: str | None
    withdrawn_by: str | None

    @property
    def points(self) -> str:
        """The points as entered: 5, 2.5."""
        return _num(Decimal(self.penalty.points))

    @property
    def counts(self) -> bool:
        """Whether the penalty stands (not withdrawn)."""
        return self.penalty.withdrawn_at is None


def ledger(trade: Trade, entrants: list[Entrant]) -> dict[int, list[LedgerLine]]:
    """Every penalty of these entrants of the trade, withdrawn ones too, oldest first, by
    entrant id."""
    ids = [e.id for e in entrants]
    if not ids:
        return {}
    rows = list(
        db.session.execute(
            sa.select(PenaltyRecord)
            .where(PenaltyRecord.entrant_id.in_(ids))
            .order_by(PenaltyRecord.id)
        ).scalars()
    )
    users = {
        u.id: u.name
        for u in db.session.execute(
            sa.select(User).where(
                User.id.in_(
                    ({r.created_by_id for r in rows} | {r.withdrawn_by_id for r in rows}) - {None}
                )
            )
        ).scalars()
    }
    names = {("criterion", c.id): target_label(c) for c in trade.criteria}
    names.update({("component", c.id): target_label(c) for c in trade.components})
    found: dict[int, list[LedgerLine]] = {}
    for row in rows:
        key = (
            ("criterion", row.criterion_id) if row.criterion_id else ("component", row.component_id)
        )
        found.setdefault(row.entrant_id, []).append(
            LedgerLine(
                row,
                names.get(key, ""),
                users.get(row.created_by_id) if row.created_by_id else None,
                users.get(row.withdrawn_by_id) if row.withdrawn_by_id else None,
            )
        )
    return found


def targets(trade: Trade) -> list[tuple[str, str]]:
    """What a penalty may be taken from, as (value, label) for the form: each criterion,
    and each component scored directly, with the most it can be worth."""
    choices = []
    for component in trade.components:
        if component.criteria:
            for c in component.criteria:
                label = f"{target_label(c)} · {component.name} · ≤ {_num(most(c))}"
                choices.append((f"criterion-{c.id}", label))
        else:
            label = f"{target_label(component)} · ≤ {_num(most(component))}"
            choices.append((f"component-{component.id}", label))
    return choices


def find_target(trade: Trade, value: str | None) -> Target | None:
    """The criterion or component of the trade a form's ``targets`` value names."""
    kind, _, number = (value or "").partition("-")
    if not number.isdigit():
        return None
    model = {"criterion": Criterion, "component": Component}.get(kind)
    found: Target | None = db.session.get(model, int(number)) if model is not None else None
    return found if found is not None and found.trade_id == trade.id else None


def target_label(target: Target) -> str:
    """How a criterion ("P1 焊缝外观") or a component ("理论") is named on the desk."""
    return f"{target.code} {target.name}" if isinstance(target, Criterion) else target.name


def kinds(trade: Trade) -> list[str]:
    """The kinds of penalty the trade names: its 扣分标准, then those that disqualify."""
    named = list(trade.penalty_points or {})
    return named + [k for k in (trade.disqualify_on or {}) if k not in named]


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"
