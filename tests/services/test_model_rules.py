"""Database-level guarantees: exact decimals, aware times, constraints, append-only audit."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from contest.core import audit
from contest.core.audit import AuditEntry, AuditLogIsAppendOnly
from contest.core.extensions import db
from contest.domain.stages import StageKind
from contest.events.models import Criterion
from contest.results.models import Score
from contest.stages.models import StageWindow
from tests.factories import make_entrant, make_event, make_judge, make_trade, make_unit


def test_decimals_round_trip_exactly(ctx):
    event = make_event()
    trade = make_trade(event)
    criterion = trade.components[1].criteria[0]
    criterion.max_spread = Decimal("0.1")
    criterion.factor = Decimal("1.23456789012345678901234567")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Criterion, criterion.id)
    assert stored.max_spread == Decimal("0.1")
    assert stored.factor == Decimal("1.23456789012345678901234567")
    assert isinstance(stored.max, Decimal)


def test_times_are_stored_as_utc_and_naive_ones_refused(ctx):
    event = make_event()
    shanghai = timezone(timedelta(hours=8))
    window = StageWindow(
        event=event,
        kind=StageKind.SCORING,
        opens_at=datetime(2026, 5, 10, 8, 0, tzinfo=shanghai),
        closes_at=datetime(2026, 5, 10, 18, 0, tzinfo=shanghai),
    )
    db.session.add(window)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(StageWindow, window.id).opens_at == datetime(
        2026, 5, 10, 0, 0, tzinfo=UTC
    )

    db.session.add(StageWindow(event=event, kind=StageKind.APPEAL, opens_at=datetime(2026, 5, 11)))
    with pytest.raises(StatementError):
        db.session.flush()
    db.session.rollback()


def test_a_window_must_close_after_it_opens(ctx):
    event = make_event()
    now = datetime.now(UTC)
    db.session.add(StageWindow(event=event, kind=StageKind.REVIEW, opens_at=now, closes_at=now))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_event_window_of_each_kind(ctx):
    event = make_event()
    now = datetime.now(UTC)
    for _ in range(2):
        db.session.add(StageWindow(event=event, kind=StageKind.SCORING, opens_at=now))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_score_per_entrant_criterion_and_judge(ctx):
    event = make_event()
    trade, unit = make_trade(event), make_unit(event, "A")
    judge, entrant = make_judge(trade, "J1"), make_entrant(trade, unit, "E1")
    criterion = trade.components[1].criteria[0]
    for value in ("10", "11"):
        db.session.add(
            Score(entrant=entrant, criterion=criterion, judge=judge, value=Decimal(value))
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_concurrent_edits_of_a_score_are_detected(app):
    with app.app_context():
        event = make_event()
        trade, unit = make_trade(event), make_unit(event, "A")
        score = Score(
            entrant=make_entrant(trade, unit, "E1"),
            criterion=trade.components[1].criteria[0],
            judge=make_judge(trade, "J1"),
            value=Decimal(10),
        )
        db.session.add(score)
        db.session.commit()
        score_id = score.id

    # Two sessions read the same version; the second writer must not silently win.
    with app.app_context():
        first = db.session.get(Score, score_id)
        with db.engine.connect() as other:
            other.execute(
                sa.update(Score).where(Score.id == score_id).values(value="12", version=2)
            )
            other.commit()
        first.value = Decimal(13)
        with pytest.raises(StaleDataError):
            db.session.commit()
        db.session.rollback()
        assert db.session.get(Score, score_id).value == Decimal(12)


def test_audit_log_is_append_only(ctx):
    entry = audit.record("scheduler", "stage.open", "stage_window", 1, new={"state": "open"})
    db.session.commit()
    assert entry.actor == "scheduler"

    entry.reason = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()

    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).reason is None
