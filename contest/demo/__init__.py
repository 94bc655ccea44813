"""A realistic demo: a city workers' technical games in progress, and last year's edition,
finished and published.

Everything is generated from fixed random seeds, so two demo databases are identical apart
from the dates, which are placed around the day of seeding (this year's competition started
yesterday: registration and review are closed, scoring is open, some scores are in; last
year's has every window closed, its 公示 list and final results published, certificates
issued).
"""

from __future__ import annotations

import random
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from contest.accounts import services as accounts
from contest.accounts.models import Role, User
from contest.core.extensions import db
from contest.demo.data import (
    AWARD_RULES,
    BRICK_BANK,
    BRICK_EXAM,
    EMPLOYERS,
    GIVEN_F,
    GIVEN_M,
    JUDGE_NAMES,
    SURNAMES,
    TEAM_UNITS,
    TRADES,
    UNITS,
)
from contest.domain import draw as lots
from contest.domain import idcard
from contest.domain.exams import Exam, Item, ItemType, Section, draw_papers
from contest.domain.scoring import Aggregation, CriterionKind, Recusal, is_recused
from contest.domain.skills import SKILL_LADDER
from contest.domain.stages import StageKind, StageState
from contest.events.models import (
    AwardRule,
    Component,
    Criterion,
    Event,
    Judge,
    PanelMember,
    Trade,
    Unit,
)
from contest.exams import services as exam_rows
from contest.exams.models import ExamSetting, QuestionBank, QuestionItem, exam_proctors
from contest.judging.models import DrawKind, DrawRound
from contest.publication import final
from contest.publication import services as publications
from contest.registration import services as registration
from contest.registration.models import CheckIn, Entrant, Gender, RegistrationStatus, Team
from contest.results import services as results
from contest.results.models import ComponentScore, Score
from contest.stages.models import StageWindow

DEMO_SLUG = "binjiang-2026"
DEMO_NAME = "滨江市第六届职工职业技能大赛"
PAST_SLUG = "binjiang-2025"
PAST_NAME = "滨江市第五届职工职业技能大赛"
DEMO_PASSWORD = "demo2026"
TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class DemoLogin:
    """A demo account to print for people trying the product."""

    role: Role
    username: str
    name: str
    password: str = DEMO_PASSWORD


def demo_logins() -> list[DemoLogin]:
    """The accounts the demo creates, one per role."""
    return [
        DemoLogin(Role.ADMIN, "admin", "平台管理员"),
        DemoLogin(Role.ORGANISER, "organiser", "赵组委"),
        DemoLogin(Role.UNIT_CONTACT, "unit-jc", "江城区联络员 林晓红"),
        DemoLogin(Role.CHIEF_JUDGE, "chief-weld", JUDGE_NAMES[0]),
        DemoLogin(Role.JUDGE, "judge-weld", JUDGE_NAMES[1]),
        DemoLogin(Role.ENTRANT, "entrant", "王建华"),
        DemoLogin(Role.PROCTOR, "proctor", "砌筑工考场监考 周敏"),
    ]


def exam_sitter() -> Entrant | None:
    """A 砌筑工 entrant of this year's games who can sit the demo's theory exam."""
    return db.session.execute(
        db.select(Entrant)
        .join(Event, Event.id == Entrant.event_id)
        .join(Trade, Trade.id == Entrant.trade_id)
        .where(
            Event.slug == DEMO_SLUG,
            Trade.code == "BRICK",
            Entrant.registration_status == RegistrationStatus.APPROVED,
        )
        .order_by(Entrant.station_no, Entrant.code)
        .limit(1)
    ).scalar_one_or_none()


def has_events() -> bool:
    """Whether the database already holds an event (the demo is only loaded into an empty one)."""
    return db.session.execute(db.select(Event.id).limit(1)).first() is not None


def seed(today: date | None = None) -> Event:
    """Create the demo: last year's games, finished and published (so the public pages,
    award lists and certificates have something to show), and this year's games in
    progress with the demo accounts; returns this year's. The caller commits."""
    today = today or datetime.now(ZoneInfo(TIMEZONE)).date()
    logins = {login.role: login for login in demo_logins()}
    users = {
        role: accounts.create_user(
            None, username=login.username, name=login.name, role=role, password=login.password
        )
        for role, login in logins.items()
    }
    past = _games(PAST_SLUG, PAST_NAME, today - timedelta(days=364), None, random.Random(2025))
    for trade in past.trades:  # signed off by the chief judges: publishing needs it
        trade.locked_at = datetime.combine(today - timedelta(days=361), time(18), UTC)
    publications.publish_notice(past)
    final.publish_results(past)
    return _games(DEMO_SLUG, DEMO_NAME, today, users, random.Random(2026))


def _games(
    slug: str, name: str, today: date, users: dict[Role, User] | None, rng: random.Random
) -> Event:
    """One edition of the games around ``today``: in progress (scoring open) when it has the
    demo accounts, otherwise finished, every window closed and every trade scored."""
    finished = users is None
    event = Event(
        slug=slug,
        name=name,
        host="滨江市总工会、滨江市人力资源和社会保障局",
        venue="滨江市公共实训基地",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        timezone=TIMEZONE,
        decimals=2,
        placement_points=[9, 7, 6, 5, 4, 3, 2, 1],
    )
    db.session.add(event)
    _award_rules(event)
    _windows(event, today, finished)

    units = {
        code: Unit(event=event, code=code, name=name, kind=kind) for code, name, kind, _ in UNITS
    }
    if users is not None:
        units["JC"].contacts.append(users[Role.UNIT_CONTACT])
    regions = {code: region for code, _, _, region in UNITS}
    teams = {
        code: Team(
            event=event,
            unit=units[code],
            code=f"{code}-1",
            name=registration.default_team_name(units[code]),
            leader_name=_person(rng, "M"),
            coach_name=_person(rng, "F"),
            contact_phone=_phone(rng),
        )
        for code in TEAM_UNITS
    }
    trades = [_trade(event, position, spec) for position, spec in enumerate(TRADES)]
    judges = _judges(event, units, trades, users, rng)
    db.session.add_all([*units.values(), *teams.values(), *trades])
    db.session.add_all(judge for panel in judges.values() for judge in panel)
    db.session.flush()

    entrants = _entrants(event, trades, units, teams, regions, users, rng)
    _check_in(entrants, today)
    db.session.add_all(entrant for rows in entrants.values() for entrant in rows)
    db.session.flush()
    _scores(trades, entrants, judges, rng, finished)
    if users is not None:
        _exam(event, trades, users[Role.PROCTOR])
    db.session.flush()
    results.recompute_event(event)
    return event


def _exam(event: Event, trades: list[Trade], proctor: User) -> None:
    """This year's 砌筑工 theory exam, its papers sealed and the room open, with its proctor
    (entrants sign in at /exam/<slug>/ with their entrant code and the ID's last 4)."""
    brick = next(t for t in trades if t.code == "BRICK")
    items = [
        Item(
            row["code"],
            ItemType(row["type"]),
            row["stem"],
            frozenset(row["key"]) if row["type"] == "multiple"
            else tuple(tuple(b) for b in row["key"]) if row["type"] == "fill"
            else row["key"],
            Decimal(1),
            row.get("options", {}),
            tuple(row.get("tags", ())),
            row.get("level"),
            row.get("difficulty"),
        )
        for row in BRICK_BANK
    ]  # fmt: skip
    bank = QuestionBank(name=f"{event.name} · 砌筑工题库")
    bank.items = [QuestionItem(version=1, **exam_rows.item_values(item)) for item in items]
    sections = [
        Section(ItemType(s["type"]), s["count"], Decimal(s["marks"]),
                partial=Decimal(str(s["partial"])) if "partial" in s else None)
        for s in BRICK_EXAM["sections"]
    ]  # fmt: skip
    exam = Exam("BRICK", "theory", BRICK_EXAM["minutes"], BRICK_EXAM["seed"], tuple(sections))
    papers = draw_papers(exam, items)
    now = datetime.now(UTC)
    setting = ExamSetting(
        trade=brick,
        component=brick.components[0],
        bank=bank,
        minutes=exam.minutes,
        seed=exam.seed,
        papers=exam.papers,
        sections=[exam_rows.section_json(s) for s in sections],
        voided=[],
        sealed_papers=exam_rows.sealed(papers),
        sealed_versions={code: 1 for paper in papers for code in paper.items},
        sealed_at=now,
        opened_at=now,
    )
    db.session.add_all([bank, setting])
    db.session.flush()
    db.session.execute(exam_proctors.insert().values(exam_id=setting.id, user_id=proctor.id))


def _award_rules(event: Event) -> None:
    # A copy: each event's rules get selections of their own, not the table's.
    for position, (code, title, select, group, extra) in enumerate(deepcopy(AWARD_RULES)):
        event.award_rules.append(
            AwardRule(
                position=position, code=code, title=title, select=select, group=group, **extra
            )
        )


def _windows(event: Event, today: date, finished: bool) -> None:
    tz = ZoneInfo(TIMEZONE)

    def at(days: int, hour: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour), tz).astimezone(UTC)

    plan = [
        (StageKind.REGISTRATION, at(-40, 9), at(-20, 17), StageState.CLOSED),
        (StageKind.REVIEW, at(-19, 9), at(-10, 17), StageState.CLOSED),
        (StageKind.SCORING, at(-1, 8), at(2, 18), StageState.OPEN),
        (StageKind.APPEAL, at(2, 18), at(3, 18), StageState.PENDING),
        (StageKind.PUBLIC_NOTICE, at(4, 9), at(11, 17), StageState.PENDING),
        (StageKind.PUBLISH, at(12, 9), None, StageState.PENDING),
    ]
    for kind, opens, closes, state in plan:
        state = StageState.CLOSED if finished else state
        event.windows.append(StageWindow(kind=kind, opens_at=opens, closes_at=closes, state=state))


def _trade(event: Event, position: int, spec) -> Trade:
    code, name, category, theory_weight, criteria = spec
    trade = Trade(
        event=event,
        position=position,
        code=code,
        name=name,
        category=category,
        tie_breakers=["component:practical", "time", "component:theory"],
        min_entrants=5,
        team_size=2,
        recusal=Recusal.SAME_UNIT,
        capacity=40,
        unit_quota=3,
        min_age=18,
        max_age=60,
        min_skill_level="中级工",
        # 每人每次违规扣 5 分，扣完为止；设备损坏两次取消比赛资格 (SCORING.md §7).
        penalty_points={"安全文明生产": "5", "设备损坏": "0"},
        disqualify_on={"设备损坏": 2},
    )
    trade.components.append(
        Component(
            position=0,
            code="theory",
            name="理论",
            weight=Decimal(theory_weight),
            max=Decimal(100),
            step=Decimal("0.5"),
        )
    )
    practical = Component(
        position=1, code="practical", name="实操", weight=1 - Decimal(theory_weight)
    )
    trade.components.append(practical)
    for index, (ccode, cname, cmax, kind, scale, step, agg, spread, text) in enumerate(criteria):
        practical.criteria.append(
            Criterion(
                trade=trade,
                position=index,
                code=ccode,
                name=cname,
                description=text,
                max=Decimal(cmax),
                kind=CriterionKind(kind),
                scale=Decimal(scale) if scale else None,
                step=Decimal(str(step)),
                aggregation=Aggregation(agg),
                trim=1,
                max_spread=Decimal(spread) if spread is not None else None,
            )
        )
    return trade


def _judges(event, units, trades, users, rng) -> dict[str, list[Judge]]:
    """Five judges per trade: a chief and two others from the skills centre, and two from
    participating units (so recusal matters)."""
    names = iter(JUDGE_NAMES)
    panels: dict[str, list[Judge]] = {}
    number = 0
    for trade in trades:
        panel = []
        for seat, unit_code in enumerate(["JD", "JD", "JD", "ZG", "JS"]):
            number += 1
            judge = Judge(
                event=event,
                code=f"J{number:02d}",
                name=next(names),
                unit=units[unit_code],
                phone=_phone(rng),
            )
            trade.panel.append(PanelMember(judge=judge, is_chief=seat == 0))
            panel.append(judge)
        panels[trade.code] = panel
    if users is not None:
        weld = panels["WELD"]
        weld[0].user = users[Role.CHIEF_JUDGE]
        weld[1].user = users[Role.JUDGE]
    return panels


def _entrants(event, trades, units, teams, regions, users, rng) -> dict[str, list[Entrant]]:
    by_trade: dict[str, list[Entrant]] = {}
    number = 0
    seen: set[str] = set()
    for trade in trades:
        rows = []
        for unit_code in TEAM_UNITS:
            for _ in range(rng.choice([1, 1, 2])):
                number += 1
                gender = rng.choice("MMMF") if trade.code != "ELEC" else rng.choice("MMMMF")
                born = date(rng.randint(1972, 2002), rng.randint(1, 12), rng.randint(1, 28))
                while True:
                    number_id = idcard.build(regions[unit_code], born, rng.randint(0, 99), gender)
                    if number_id not in seen:
                        seen.add(number_id)
                        break
                rows.append(
                    Entrant(
                        event=event,
                        trade=trade,
                        unit=units[unit_code],
                        team=teams[unit_code],
                        code=f"E{number:04d}",
                        name=_person(rng, gender),
                        gender=Gender(gender),
                        birth_date=born,
                        id_number=number_id,
                        phone=_phone(rng),
                        employer=rng.choice(EMPLOYERS[unit_code]),
                        skill_level=rng.choice(SKILL_LADDER[1:4]),
                        registration_status=RegistrationStatus.APPROVED,
                    )
                )
        _draw(trade, rows, rng)
        by_trade[trade.code] = rows
    if users is None:
        return by_trade
    # The demo entrant account: the first welder of 江城区.
    mine = next(e for e in by_trade["WELD"] if e.unit.code == "JC")
    mine.name, mine.user = users[Role.ENTRANT].name, users[Role.ENTRANT]
    # A few registrations still under review in the last trade.
    brick = by_trade["BRICK"]
    brick[-1].registration_status = RegistrationStatus.SUBMITTED
    brick[-2].registration_status = RegistrationStatus.RETURNED
    brick[-2].review_note = "身份证复印件不清晰，请重新上传"
    return by_trade


def _draw(trade: Trade, rows: list[Entrant], rng: random.Random) -> None:
    """The trade's draw of lots, made after the review closed by the published procedure
    from a recorded seed, so that its page shows a draw anyone can check."""
    # The random numbers an earlier demo drew here are still taken, so that every name and
    # score after them stays as it was.
    rng.shuffle(list(range(len(rows))))
    rng.sample(range(100, 1000), len(rows))
    seed = f"{trade.event.slug}-{trade.code}".lower()
    drawn = lots.draw(seed, [e.code for e in rows], trade.code[:1].upper())
    by_code = {e.code: e for e in rows}
    for lot in drawn:
        by_code[lot.entrant].station_no, by_code[lot.entrant].anon_code = lot.station, lot.code
    day = trade.event.starts_on - timedelta(days=8)
    trade.draw_seed = seed
    trade.drawn_at = datetime.combine(day, time(10), ZoneInfo(TIMEZONE)).astimezone(UTC)
    db.session.add(
        DrawRound(
            trade=trade,
            kind=DrawKind.DRAW,
            seed=seed,
            prefix=trade.code[:1].upper(),
            first_station=1,
            taken=[],
            lots=[{"entrant": x.entrant, "station": x.station, "code": x.code} for x in drawn],
            made_at=trade.drawn_at,
        )
    )


def _check_in(entrants: dict[str, list[Entrant]], today: date) -> None:
    """Every approved entrant checked in at their station when the competition opened
    (yesterday at 08:00): only entrants checked in can be scored."""
    at = datetime.combine(today - timedelta(days=1), time(8), ZoneInfo(TIMEZONE)).astimezone(UTC)
    for rows in entrants.values():
        for entrant in rows:
            if entrant.registration_status == RegistrationStatus.APPROVED and entrant.station_no:
                entrant.check_in, entrant.checked_in_at = CheckIn.PRESENT, at


def _scores(trades, entrants, judges, rng, finished: bool) -> None:
    """Finished: everything scored. In progress: WELD fully scored, ELEC half way, CNC
    theory only, BRICK nothing yet."""
    for trade in trades:
        rows = [
            e for e in entrants[trade.code] if e.registration_status == RegistrationStatus.APPROVED
        ]
        if trade.code == "BRICK" and not finished:
            continue
        theory, practical = trade.components
        for entrant in rows:
            skill = rng.uniform(0.55, 0.97)
            db.session.add(
                ComponentScore(
                    entrant=entrant,
                    component=theory,
                    value=_on_step(Decimal(100) * Decimal(str(skill)), Decimal("0.5")),
                )
            )
            partial = trade.code == "CNC" or (trade.code == "ELEC" and entrant.station_no % 2)
            if partial and not finished:
                continue
            if trade.code == "WELD":
                entrant.time_seconds = Decimal(rng.randint(2400, 3600))
            for criterion in practical.criteria:
                for judge in judges[trade.code]:
                    if is_recused(trade.recusal, judge.unit_id, entrant.unit_id):
                        continue
                    db.session.add(
                        Score(
                            entrant=entrant,
                            criterion=criterion,
                            judge=judge,
                            value=_judge_value(criterion, skill, rng),
                        )
                    )


def _judge_value(criterion: Criterion, skill: float, rng: random.Random) -> Decimal:
    top = criterion.entry_max
    raw = Decimal(str(min(1.0, max(0.0, skill + rng.uniform(-0.12, 0.12))))) * top
    return min(top, _on_step(raw, criterion.step))


def _on_step(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value() * step


def _person(rng: random.Random, gender: str) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_M if gender == "M" else GIVEN_F)


def _phone(rng: random.Random) -> str:
    return (
        rng.choice(["138", "139", "150", "186", "177", "133"]) + f"{rng.randint(0, 99999999):08d}"
    )
