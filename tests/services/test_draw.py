"""The draw's services: the facts of a trade as the lifecycle reads them, and the check of
every station and code against the recorded seeds."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.core.extensions import db
from contest.domain import draw as lots
from contest.domain.lifecycle import Facts, Step
from contest.domain.scoring import DeclaredStatus
from contest.domain.stages import StageKind, StageState
from contest.judging import draw
from contest.judging.models import DrawRound
from contest.publication.models import Publication
from contest.registration.models import CheckIn, RegistrationStatus
from contest.results.models import ComponentScore
from contest.stages.models import StageWindow
from tests.factories import make_entrant, make_event, make_trade, make_unit, make_user


@pytest.fixture
def trade(ctx):
    """WELD: four approved, one awaiting review, one returned, one withdrawn."""
    event = make_event()
    unit = make_unit(event, "A")
    weld = make_trade(event, "WELD", "焊工")
    for n in range(1, 5):
        make_entrant(weld, unit, f"E{n}")
    make_entrant(weld, unit, "S1", registration_status=RegistrationStatus.SUBMITTED)
    make_entrant(weld, unit, "R1", registration_status=RegistrationStatus.RETURNED)
    make_entrant(weld, unit, "W1", status=DeclaredStatus.WD)
    make_user(Role.ORGANISER, username="organiser")
    db.session.commit()
    return weld


def organiser():
    return db.session.execute(sa.select(User).where(User.username == "organiser")).scalar_one()


def entrant(trade, code):
    return next(e for e in trade.entrants if e.code == code)


def test_the_facts_of_a_trade_before_the_draw(trade):
    assert draw.facts(trade) == Facts(
        registration_open=False, review_open=False, awaiting_review=1, approved=4, drawn=False,
        unstationed=4, checked_in=0, scored=False, scoring_open=False, appeal_open=False,
        locked=False, noticed=False, published=False,
    )  # fmt: skip
    one = draw.facts(trade, entrant(trade, "R1"))
    assert (one.returned, one.stationed, one.present) == (True, False, False)


def test_the_facts_follow_the_windows_the_scores_and_the_publications(trade):
    for kind in (StageKind.REGISTRATION, StageKind.SCORING):
        db.session.add(StageWindow(event=trade.event, kind=kind, state=StageState.OPEN,
                                   opens_at=datetime(2026, 5, 1, tzinfo=UTC)))  # fmt: skip
    db.session.add(ComponentScore(entrant=entrant(trade, "E1"), component=trade.components[0],
                                  value=Decimal(50)))  # fmt: skip
    db.session.add(Publication(event=trade.event, kind="public_notice", payload={}))
    entrant(trade, "E2").station_no = 1
    entrant(trade, "E2").check_in = CheckIn.ABSENT
    db.session.commit()
    known = draw.facts(trade, entrant(trade, "E2"))
    assert (known.registration_open, known.scoring_open, known.scored) == (True, True, True)
    assert (known.noticed, known.published, known.drawn) == (True, False, True)
    assert (known.unstationed, known.checked_in, known.stationed) == (3, 1, True)
    assert known.present is False


def settled_and_drawn(trade):
    """S1 returned for correction: the field is settled, and drawn with seed-1."""
    entrant(trade, "S1").registration_status = RegistrationStatus.RETURNED
    db.session.flush()
    draw.make_draw(organiser(), trade, "seed-1")


def test_the_field_after_a_draw_a_return_and_a_late_approval(trade):
    settled_and_drawn(trade)
    entrant(trade, "E2").registration_status = RegistrationStatus.RETURNED
    entrant(trade, "S1").registration_status = RegistrationStatus.APPROVED
    db.session.commit()
    known = draw.field(trade)
    assert [e.code for e in known.awaiting] == ["S1"]
    assert [e.code for e in known.left] == ["E2"]
    assert sorted(e.code for e in known.stationed) == ["E1", "E3", "E4"]
    assert known.approved == 4 and known.changed
    assert draw.overview(trade).step == Step.DRAWN


def test_tampering_with_a_station_or_a_recorded_top_up_is_found(trade):
    settled_and_drawn(trade)
    entrant(trade, "S1").registration_status = RegistrationStatus.APPROVED
    db.session.flush()
    draw.top_up(organiser(), trade, "late-1")
    db.session.commit()
    assert draw.verify_draw(trade)
    assert [holds for _, holds in draw.verification(trade)] == [True, True]

    e1 = entrant(trade, "E1")
    e1.anon_code, saved = "W999" if e1.anon_code != "W999" else "W998", e1.anon_code
    db.session.flush()
    assert not draw.verify_draw(trade)
    assert [holds for _, holds in draw.verification(trade)] == [False, True]
    e1.anon_code = saved
    top = db.session.execute(sa.select(DrawRound).order_by(DrawRound.id.desc())).scalars().first()
    top.first_station = 9  # claims other stations than the seed gave
    db.session.flush()
    assert not draw.verify_draw(trade)


def test_a_draw_made_before_draws_were_recorded_still_verifies(trade):
    codes = ["E1", "E2", "E3", "E4"]
    for lot in lots.draw("old-seed", codes, "W"):
        entrant(trade, lot.entrant).station_no = lot.station
        entrant(trade, lot.entrant).anon_code = lot.code
    trade.draw_seed, trade.drawn_at = "old-seed", datetime(2026, 5, 1, tzinfo=UTC)
    entrant(trade, "S1").registration_status = RegistrationStatus.APPROVED
    db.session.commit()
    assert draw.verify_draw(trade) and draw.verification(trade) == []
    placed = draw.top_up(organiser(), trade, "late-1")
    assert placed.first_station == 5 and placed.entrants == ["S1"]
    assert draw.verify_draw(trade)
