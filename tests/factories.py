"""Builders for test data; call inside an app context, then commit."""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from werkzeug.security import generate_password_hash

from contest.accounts.models import Role, User
from contest.core.extensions import db
from contest.domain import idcard
from contest.events.models import (
    Component,
    Criterion,
    Event,
    Judge,
    PanelMember,
    Trade,
    Unit,
    UnitKind,
)
from contest.registration.models import CheckIn, Entrant, Gender, RegistrationStatus, Team
from tests.conftest import PASSWORD

_seq = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    """The test password's hash, made once per session, with few rounds: real hashing is
    deliberately slow, and checking it would cost every login of the suite as much as
    making it. The accounts the application itself creates keep its own hashing."""
    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def make_user(role: Role, username: str | None = None, name: str | None = None) -> User:
    """An active account with the standard test password."""
    n = next(_seq)
    user = User(username=username or f"{role.value}-{n}", name=name or f"用户{n}", role=role)
    user.password_hash = _password_hash()
    db.session.add(user)
    return user


def make_event(slug: str = "test-games", **fields) -> Event:
    """An event starting on 2026-05-10 in Asia/Shanghai."""
    values = {
        "name": "测试市职工技术运动会",
        "starts_on": date(2026, 5, 10),
        "placement_points": [9, 7, 6],
    }
    values.update(fields)
    event = Event(slug=slug, **values)
    db.session.add(event)
    return event


def make_unit(event: Event, code: str, name: str | None = None, kind=UnitKind.DISTRICT) -> Unit:
    unit = Unit(event=event, code=code, name=name or f"{code}区总工会", kind=kind)
    db.session.add(unit)
    return unit


def make_trade(event: Event, code: str = "WELD", name: str = "焊工", criteria: int = 2) -> Trade:
    """A trade with theory (0.3, direct) and practical (0.7) with ``criteria`` criteria."""
    trade = Trade(event=event, code=code, name=name, position=len(event.trades))
    trade.components.append(
        Component(position=0, code="theory", name="理论", weight=Decimal("0.3"))
    )
    practical = Component(position=1, code="practical", name="实操", weight=Decimal("0.7"))
    trade.components.append(practical)
    for i in range(criteria):
        practical.criteria.append(
            Criterion(
                trade=trade, position=i, code=f"P{i + 1}", name=f"评分项{i + 1}", max=Decimal(50)
            )
        )
    db.session.add(trade)
    return trade


def make_judge(
    trade: Trade, code: str, unit: Unit | None = None, user: User | None = None, chief: bool = False
) -> Judge:
    judge = Judge(event=trade.event, code=code, name=f"裁判{code}", unit=unit, user=user)
    trade.panel.append(PanelMember(judge=judge, is_chief=chief))
    db.session.add(judge)
    return judge


def make_team(unit: Unit, code: str | None = None) -> Team:
    team = Team(
        event=unit.event, unit=unit, code=code or f"{unit.code}-1", name=f"{unit.name}代表队"
    )
    db.session.add(team)
    return team


def make_entrant(
    trade: Trade,
    unit: Unit,
    code: str,
    *,
    station: int | None = None,
    user: User | None = None,
    team: Team | None = None,
    **fields,
) -> Entrant:
    """An approved entrant with a valid resident ID (born 1990, region 330102). An entrant
    given a station has checked in at it (present), as entrants to be scored must have,
    unless ``check_in`` says otherwise."""
    n = next(_seq)
    values = {
        "name": f"选手{code}",
        "gender": Gender.MALE,
        "birth_date": date(1990, 1 + n % 12, 1 + n % 28),
        "registration_status": RegistrationStatus.APPROVED,
        "phone": "13812345678",
    }
    if station is not None:
        values["check_in"] = CheckIn.PRESENT
    values.update(fields)
    if "id_number" not in values:
        values["id_number"] = idcard.build(
            "330102", values["birth_date"], n % 100, values["gender"].value
        )
    entrant = Entrant(
        event=trade.event,
        trade=trade,
        unit=unit,
        team=team,
        code=code,
        user=user,
        station_no=station,
        anon_code=f"A{station:03d}" if station else None,
        **values,
    )
    db.session.add(entrant)
    return entrant


def score_fully(trade: Trade, value: Decimal = Decimal(40)) -> None:
    """Complete results for every approved entrant of ``trade``: a mark for each component
    scored directly, and every panel judge's submitted ``value`` for each criterion."""
    from contest.results.models import ComponentScore, Score

    db.session.flush()
    entrants = [e for e in trade.entrants if e.registration_status == RegistrationStatus.APPROVED]
    judges = [member.judge for member in trade.panel]
    for entrant in entrants:
        for component in trade.components:
            if not component.criteria:
                db.session.add(ComponentScore(entrant=entrant, component=component, value=value))
            for criterion in component.criteria:
                for judge in judges:
                    db.session.add(
                        Score(entrant=entrant, criterion=criterion, judge=judge, value=value)
                    )
    db.session.flush()


def sign_off(*trades: Trade) -> None:
    """Lock each trade as its chief judge's sign-off does (results recomputed), so that its
    results may go on public notice and be published."""
    from contest.results import services as results

    for trade in trades:
        trade.locked_at = datetime(2026, 5, 12, 10, tzinfo=UTC)
        db.session.flush()
        results.recompute_trade(trade)
    db.session.flush()
