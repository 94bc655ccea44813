"""The stage schedule: every transition on time and exactly once, with a controllable clock."""

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.stages import StageKind, StageState, due
from contest.publication.models import Publication
from contest.results.models import Score, ScoreState
from contest.stages import scheduler
from contest.stages import services as stages
from contest.stages.models import StageTransition, StageWindow
from tests.conftest import race
from tests.factories import (
    make_entrant,
    make_event,
    make_judge,
    make_trade,
    make_unit,
    make_user,
    score_fully,
    sign_off,
)

T0 = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# --- the rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, opens, closes, last, now, expected",
    [
        (StageState.PENDING, 1, 5, None, 0, None),  # not yet
        (StageState.PENDING, 1, 5, None, 1, StageState.OPEN),  # on the dot
        (StageState.PENDING, 1, 5, None, 6, StageState.CLOSED),  # missed entirely: once
        (StageState.PENDING, 1, None, None, 1, StageState.CLOSED),  # publication reached
        (StageState.OPEN, 1, 5, at(1), 4, None),
        (StageState.OPEN, 1, 5, at(1), 5, StageState.CLOSED),
        (StageState.OPEN, 1, 5, at(6), 7, None),  # reopened by hand after the close time
        (StageState.CLOSED, 1, 5, at(5), 9, None),  # closed stays closed
        (StageState.CLOSED, 1, 5, at(0), 2, None),  # closed by hand early: not reopened
    ],
)
def test_due(state, opens, closes, last, now, expected):
    assert (
        due(state, at(opens), at(closes) if closes is not None else None, last, at(now)) == expected
    )


# --- a planned event -------------------------------------------------------------------------


@pytest.fixture
def plan(ctx):
    """Registration 0–24 h, scoring 48–56 h, appeal 56–60 h, public notice 72–96 h,
    publication at 100 h; WELD has its own scoring window 50–54 h."""
    event = make_event()
    weld, elec = make_trade(event, "WELD", "焊工"), make_trade(event, "ELEC", "电工")
    unit = make_unit(event, "A")
    judge = make_judge(weld, "J1", user=make_user(Role.JUDGE, username="j1"))
    entrant = make_entrant(weld, unit, "E1", station=1, name="张伟")
    make_user(Role.ORGANISER, username="organiser")
    windows = {}
    for kind, opens, closes, trade in [
        (StageKind.REGISTRATION, 0, 24, None),
        (StageKind.SCORING, 48, 56, None),
        (StageKind.APPEAL, 56, 60, None),
        (StageKind.PUBLIC_NOTICE, 72, 96, None),
        (StageKind.PUBLISH, 100, None, None),
        (StageKind.SCORING, 50, 54, weld),
    ]:
        window = StageWindow(
            event=event,
            trade=trade,
            kind=kind,
            opens_at=at(opens),
            closes_at=at(closes) if closes is not None else None,
        )
        db.session.add(window)
        windows[(kind, trade.code if trade else None)] = window
    db.session.commit()
    return {
        "event": event,
        "weld": weld,
        "elec": elec,
        "judge": judge,
        "entrant": entrant,
        "windows": windows,
    }


def states(plan):
    db.session.expire_all()
    return {key: w.state.value for key, w in plan["windows"].items()}


def transitions():
    return db.session.execute(sa.select(sa.func.count()).select_from(StageTransition)).scalar_one()


def test_each_window_opens_and_closes_on_time_once(plan):
    timeline = [
        (-1, {}),
        (0, {(StageKind.REGISTRATION, None): "open"}),
        (24, {(StageKind.REGISTRATION, None): "closed"}),
        (48, {(StageKind.SCORING, None): "open"}),
        (50, {(StageKind.SCORING, "WELD"): "open"}),
        (54, {(StageKind.SCORING, "WELD"): "closed"}),
        (56, {(StageKind.SCORING, None): "closed", (StageKind.APPEAL, None): "open"}),
        (60, {(StageKind.APPEAL, None): "closed"}),
        (72, {(StageKind.PUBLIC_NOTICE, None): "open"}),
        (96, {(StageKind.PUBLIC_NOTICE, None): "closed"}),
        (100, {(StageKind.PUBLISH, None): "closed"}),
    ]
    expected = {key: "pending" for key in plan["windows"]}
    for hours, changes in timeline:
        applied = stages.apply_due(at(hours))
        db.session.commit()
        expected.update(changes)
        assert states(plan) == expected, hours
        assert {(a.kind, a.trade) for a in applied} == set(changes), hours
        assert stages.apply_due(at(hours)) == []  # the same moment again: nothing
    assert transitions() == 11
    by = db.session.execute(sa.select(StageTransition.by_user_id, StageTransition.at)).all()
    assert all(user is None for user, _ in by)  # the scheduler
    assert sorted(moment for _, moment in by)[0] == at(0)  # recorded on the scheduler's clock


def test_a_window_missed_while_no_scheduler_ran_closes_once_at_start(plan):
    applied = stages.apply_due(at(30))  # first run after downtime: registration 0–24 h passed
    db.session.commit()
    assert [(a.kind, a.to) for a in applied] == [(StageKind.REGISTRATION, StageState.CLOSED)]
    assert stages.apply_due(at(31)) == []
    moves = db.session.execute(
        sa.select(StageTransition.from_state, StageTransition.to_state)
    ).all()
    assert [tuple(m) for m in moves] == [(StageState.PENDING, StageState.CLOSED)]


def test_a_window_reopened_by_hand_is_not_closed_again(plan):
    stages.apply_due(at(30))
    registration = plan["windows"][(StageKind.REGISTRATION, None)]
    user = make_user(Role.ORGANISER, username="reopener")
    db.session.flush()
    assert stages.transition(registration, StageState.OPEN, user, "延长报名", at=at(31))
    db.session.commit()
    assert stages.apply_due(at(32)) == []
    assert states(plan)[(StageKind.REGISTRATION, None)] == "open"


def ready_to_publish(plan) -> None:
    """E1's results complete and both trades signed off: the notice and the results may
    be published when their time comes."""
    score_fully(plan["weld"])
    sign_off(plan["weld"], plan["elec"])
    db.session.commit()


def test_two_schedulers_at_once_record_each_transition_once(app, plan):
    ready_to_publish(plan)

    def run():
        with app.app_context():
            try:
                applied = stages.apply_due(at(100))
                db.session.commit()
                return len(applied)
            except Exception as error:  # a busy database: this one applied nothing
                db.session.rollback()
                return type(error).__name__

    first, second = race([run, run])
    counted = [n for n in (first, second) if isinstance(n, int)]
    assert sum(counted) == 6  # every window reached its final state once
    assert transitions() == 6
    publications = db.session.execute(sa.select(Publication.kind).order_by(Publication.kind))
    assert list(publications.scalars()) == ["results"]


def test_a_manual_close_racing_the_scheduler_records_one_transition(app, plan):
    stages.apply_due(at(1))
    db.session.commit()
    registration_id = plan["windows"][(StageKind.REGISTRATION, None)].id

    def by_hand():
        with app.app_context():
            organiser = db.session.execute(sa.select(User).where(User.username == "organiser"))
            try:
                done = stages.transition(
                    db.session.get(StageWindow, registration_id),
                    StageState.CLOSED,
                    organiser.scalar_one(),
                    "提前截止",
                )
                db.session.commit()
                return done
            except Exception:
                db.session.rollback()
                return False

    def scheduled():
        with app.app_context():
            try:
                done = bool(stages.apply_due(at(24)))
                db.session.commit()
                return done
            except Exception:
                db.session.rollback()
                return False

    outcomes = race([by_hand, scheduled])
    assert outcomes.count(True) == 1
    db.session.expire_all()
    moves = (
        db.session.execute(
            sa.select(StageTransition).where(StageTransition.to_state == StageState.CLOSED)
        )
        .scalars()
        .all()
    )
    assert len(moves) == 1


def test_only_one_scheduler_works_at_a_time(app, plan):
    first, second = scheduler.Leadership(app), scheduler.Leadership(app)
    try:
        assert first.acquire() is True
        assert second.acquire() is False
    finally:
        first.release()
    try:
        assert second.acquire() is True  # the lock is free again once the first stops
    finally:
        second.release()


# --- effects ---------------------------------------------------------------------------------


def test_closing_scoring_leaves_drafts_out_of_the_results(plan):
    from contest.results import services as results

    stages.apply_due(at(50))
    db.session.commit()
    weld, judge, entrant = plan["weld"], plan["judge"], plan["entrant"]
    for criterion in weld.criteria:
        db.session.add(
            Score(
                entrant=entrant,
                criterion=criterion,
                judge=judge,
                value=Decimal(40),
                state=ScoreState.DRAFT,
            )
        )
    db.session.commit()
    stages.apply_due(at(54))  # WELD's own scoring window closes
    db.session.commit()
    row = results.results_for(plan["event"])["trades"][0]["entrants"][0]
    assert row["status"] == "incomplete" and row["components"] == {}


def test_public_notice_publishes_the_nominations_once(plan):
    ready_to_publish(plan)
    stages.apply_due(at(72))
    db.session.commit()
    notice = db.session.execute(sa.select(Publication)).scalar_one()
    assert notice.kind == "public_notice" and "awards" in notice.payload
    stages.transition(
        plan["windows"][(StageKind.PUBLIC_NOTICE, None)], StageState.CLOSED, None, "测试", at=at(80)
    )
    stages.transition(
        plan["windows"][(StageKind.PUBLIC_NOTICE, None)],
        StageState.OPEN,
        None,
        "重新公示",
        at=at(81),
    )
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Publication)).scalar_one() == 1


def test_reaching_publication_publishes_the_results_once(plan):
    ready_to_publish(plan)
    stages.apply_due(at(100))
    db.session.commit()
    published = db.session.execute(
        sa.select(Publication).where(Publication.kind == "results")
    ).scalar_one()
    assert published.payload["results"]["event"] == "test-games"
    assert published.payload["entrants"]["E1"]["name"] == "张伟"
    assert stages.apply_due(at(200)) == []
    assert db.session.execute(sa.select(sa.func.count()).select_from(Publication)).scalar_one() == 1


def test_transitions_are_audited(plan):
    stages.apply_due(at(0))
    db.session.commit()
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "stage.open")
    ).scalar_one()
    assert entry.actor == "scheduler" and entry.new == {"state": "open"}


# --- the job store ---------------------------------------------------------------------------


def test_planned_transitions_become_date_jobs(app, plan):
    from apscheduler.schedulers.background import BackgroundScheduler

    ahead = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30) - T0
    for window in plan["windows"].values():  # the same plan, a month from now
        window.opens_at += ahead
        window.closes_at = window.closes_at + ahead if window.closes_at else None
    db.session.commit()
    runner = scheduler.build(app, BackgroundScheduler)
    try:
        runner.start(paused=True)
        scheduler.sync_jobs(runner)
        jobs = {j.id: j.next_run_time for j in runner.get_jobs() if j.id.startswith("window-")}
        registration = plan["windows"][(StageKind.REGISTRATION, None)]
        assert jobs[f"window-{registration.id}-open"] == at(0) + ahead
        assert len(jobs) == 6  # the next step of each of the six windows
        stored = db.session.execute(sa.text(f"SELECT count(*) FROM {scheduler.JOB_TABLE}"))
        assert stored.scalar_one() == 7  # plus the reconcile job, kept in the database
        scheduler.sync_jobs(runner)  # again: nothing doubles
        assert len(runner.get_jobs()) == 7
    finally:
        scheduler.stop(runner)


def test_the_development_server_schedules_in_process(app, another_app, plan):
    """Under ``make run`` the scheduler runs inside the web process: windows whose times have
    passed (the whole plan lies in the past) reach their final state on start, once."""
    live = another_app(SCHEDULER_IN_PROCESS=True)
    try:
        assert scheduler.Leadership(live).acquire() is False  # this process is the scheduler
        deadline = time.monotonic() + 20
        while transitions() < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
            db.session.rollback()
        assert set(states(plan).values()) == {"closed"}
        time.sleep(0.2)
        assert transitions() == 6
    finally:
        scheduler.stop(scheduler._scheduler)
    again = scheduler.Leadership(live)
    assert again.acquire() is True  # given up when it stopped
    again.release()


# --- the command line ------------------------------------------------------------------------


def test_scheduler_once_and_stages_json(app, plan):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["scheduler", "--once", "--at", "2026-05-02T10:00:00+0800"],
        env={"LANG": "zh_CN.UTF-8"},
    )
    assert result.exit_code == 0, result.output
    assert "test-games registration → closed" in result.stdout
    assert "已执行 1 次阶段变更" in result.stdout
    listing = runner.invoke(args=["stages", "test-games", "--json"])
    rows = json.loads(listing.stdout)
    registration = next(r for r in rows if r["window"] == "registration")
    assert registration == {
        "window": "registration",
        "trade": None,
        "opens": at(0).isoformat(),
        "closes": at(24).isoformat(),
        "state": "closed",
        "transitions": [
            {"to": "closed", "at": at(25).isoformat(), "by": "scheduler", "reason": None}
        ],
    }
    weld = next(r for r in rows if r["trade"] == "WELD")
    assert (weld["window"], weld["state"]) == ("scoring", "pending")
    text = runner.invoke(args=["stages", "test-games"]).stdout
    assert "registration" in text and "scheduler" in text


def test_stages_json_names_the_person_who_changed_a_window(app, plan):
    organiser = make_user(Role.ORGANISER, username=f"o-{uuid.uuid4().hex[:6]}", name="赵组委")
    db.session.flush()
    stages.transition(
        plan["windows"][(StageKind.REGISTRATION, None)], StageState.OPEN, organiser, "提前开放"
    )
    db.session.commit()
    rows = json.loads(app.test_cli_runner().invoke(args=["stages", "test-games", "--json"]).stdout)
    step = next(r for r in rows if r["window"] == "registration")["transitions"][0]
    assert (step["to"], step["by"], step["reason"]) == ("open", "赵组委", "提前开放")
