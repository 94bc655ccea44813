"""Results are stored per trade and recomputed one trade at a time."""

import json
from decimal import Decimal

import sqlalchemy as sa

from contest.core.extensions import db
from contest.domain import snapshot
from contest.domain.package import read_package
from contest.events.models import Event, Trade
from contest.packages import importing
from contest.registration.models import Entrant, RegistrationStatus
from contest.results import services as results
from contest.results.models import Score, TradeResultRecord
from tests.packages import EXPECTED, small_package


def _import():
    package = read_package(json.loads(json.dumps(small_package()), parse_float=Decimal))
    summary = importing.import_package(package)
    db.session.commit()
    return summary.event


def test_import_stores_results_for_every_trade(ctx):
    event = _import()
    stored = db.session.execute(sa.select(TradeResultRecord)).scalars().all()
    assert len(stored) == 2
    assert results.results_for(event) == EXPECTED


def test_a_changed_score_recomputes_only_its_trade(ctx):
    event = _import()
    weld, elec = (
        db.session.execute(sa.select(Trade).where(Trade.code == code)).scalar_one()
        for code in ("WELD", "ELEC")
    )
    elec_before = dict(db.session.get(TradeResultRecord, elec.id).payload)
    elec_time = db.session.get(TradeResultRecord, elec.id).computed_at

    score = db.session.execute(
        sa.select(Score).where(Score.value == Decimal(55))
    ).scalar_one()  # E1, P1, judge J2
    score.value = Decimal(35)  # E1's practical falls: P1 mean (50 + 35) / 2 = 42.5
    results.recompute_trade(weld)
    db.session.commit()

    document = results.results_for(db.session.get(Event, event.id))
    weld_rows = {e["code"]: e for e in document["trades"][0]["entrants"]}
    # practical 42.5 + 33.33… = 75.833…; total 27 + 53.0833… = 80.0833… → 80.08
    assert weld_rows["E1"]["total"] == "80.08"
    assert weld_rows["E2"]["rank"] == 1 and weld_rows["E1"]["rank"] == 2
    assert db.session.get(TradeResultRecord, elec.id).payload == elec_before
    assert db.session.get(TradeResultRecord, elec.id).computed_at == elec_time


def test_missing_stored_results_are_computed_on_demand(ctx):
    event = _import()
    db.session.execute(sa.delete(TradeResultRecord))
    db.session.commit()
    assert results.results_for(event) == EXPECTED
    assert (
        db.session.execute(sa.select(sa.func.count()).select_from(TradeResultRecord)).scalar_one()
        == 2
    )


def test_draft_scores_do_not_count(ctx):
    from contest.results.models import ScoreState

    event = _import()
    weld = db.session.execute(sa.select(Trade).where(Trade.code == "WELD")).scalar_one()
    score = db.session.execute(sa.select(Score).where(Score.value == Decimal(55))).scalar_one()
    score.state = ScoreState.DRAFT
    results.recompute_trade(weld)
    db.session.commit()
    rows = {e["code"]: e for e in results.results_for(event)["trades"][0]["entrants"]}
    assert rows["E1"]["status"] == "incomplete" and rows["E1"]["total"] is None
    assert rows["E1"]["components"] == {"theory": "90.00"}


def test_a_sheet_of_an_entrant_no_longer_approved_rescoring_the_others(ctx):
    """A judge's write racing an organiser who returned the entrant's registration (and
    recomputed the trade): the results rescored for that sheet are those of the others."""
    _import()
    weld = db.session.execute(sa.select(Trade).where(Trade.code == "WELD")).scalar_one()
    e1 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E1")).scalar_one()
    e1.registration_status = RegistrationStatus.RETURNED
    results.recompute_trade(weld)
    _, stored = results.stored(weld)
    assert "E1" not in {e["code"] for e in stored["entrants"]}
    assert results.recomputed(weld, e1, stored) == snapshot.dump_trade(results.compute(weld))
