"""A contest package into the database (PACKAGE.md).

``import_package`` replaces the event the package describes, inside the caller's
transaction: the old event (if any) is deleted and the new one inserted, so a failure
anywhere leaves the database as it was. Accounts linked to the old event's units, judges
and entrants are linked again to the records with the same codes.

Rows go in as batches of Core inserts (one executemany per table), not as ORM objects one by
one: a fully scored event has a quarter of a million scores. The ids a later table needs
are read back by code, and the results are computed once, at the end.

``read_file`` reads the document first, bounded in size and nesting before it is parsed.
Theory exams (EXAMS.md §5) go in with the event: its question bank (one bank per event, named
after it, replaced with it), each trade's exam with its papers drawn and sealed now, the
answers and the judges' marks of short items.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import IO, Any

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core import audit, uploads
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.exams import draw_papers
from contest.domain.package import Package, PackageError, read_package
from contest.domain.refusal import Problem, Refused
from contest.domain.stages import StageKind
from contest.events.models import (
    Component,
    Criterion,
    Event,
    Judge,
    PanelMember,
    Trade,
    Unit,
    UnitKind,
    component_judges,
    unit_contacts,
)
from contest.exams import services as exams
from contest.exams.models import ExamAnswer, ExamSetting, ItemScore, QuestionBank, QuestionItem
from contest.registration.models import CheckIn, Entrant, Gender, RegistrationStatus, Team
from contest.results import services as results
from contest.results.models import (
    AwardDecision,
    AwardDecisionKind,
    ComponentScore,
    EntrantFactor,
    Excusal,
    PenaltyRecord,
    Score,
    ScoreState,
)
from contest.stages.models import StageWindow

#: A package file larger than this is refused unread (a fully scored event of 150 trades
#: takes some tens of MB).
MAX_PACKAGE_SIZE = 256 * uploads.MB
#: A package nests seven levels deep; a document nested deeper than this is not parsed.
MAX_PACKAGE_DEPTH = 32


def read_file(source: IO[bytes]) -> Package:
    """The ``contest-package/1`` document in ``source``, validated. Raises
    ``uploads.UnreadableFile`` if it is too large or too deeply nested to be parsed, and
    ``PackageError`` if it is not JSON or not a valid package."""
    try:
        document = uploads.load_json(source, max_size=MAX_PACKAGE_SIZE, max_depth=MAX_PACKAGE_DEPTH)
    except Refused:
        raise
    except ValueError as error:  # not UTF-8, not JSON
        raise PackageError([Problem("", "invalid_json", {"error": str(error)})]) from None
    return read_package(document)


@dataclass(frozen=True)
class ImportSummary:
    """What an import created."""

    event: Event
    replaced: bool
    counts: dict[str, int]


def import_package(package: Package, actor: User | None = None) -> ImportSummary:
    """Create or replace the event of ``package`` and compute its results (caller commits)."""
    existing = db.session.execute(
        sa.select(Event).where(Event.slug == package.event.slug)
    ).scalar_one_or_none()
    links = _account_links(existing) if existing is not None else _Links()
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    db.session.execute(sa.delete(QuestionBank).where(QuestionBank.name == package.event.slug))

    event = _event(package)
    db.session.add(event)
    db.session.flush()
    units = _units(event, package, links)
    trades, components, criteria = _trades(event, package)
    teams = _teams(event, package, units)
    judges = _judges(event, package, units, trades, components, links)
    entrants = _entrants(event, package, units, teams, trades, links)
    _entries(package, entrants, judges, criteria, components)
    _exams(event, package, trades, components, entrants, judges)
    _penalties(package, entrants, criteria, components)
    _decisions(event, package, entrants)
    _windows(event, package, trades)
    results.recompute_event(event)

    counts = {
        "units": len(package.units),
        "trades": len(package.trades),
        "teams": len(package.teams),
        "entrants": len(package.entrants),
        "judges": len(package.judges),
        "scores": len(package.scores),
        "question_bank": len(package.question_bank),
        "exams": len(package.exams),
        "answers": len(package.answers),
    }
    audit.record(
        actor,
        "package.import",
        "event",
        event.id,
        event=event,
        new={"slug": event.slug, "replaced": existing is not None, **counts},
    )
    return ImportSummary(event, existing is not None, counts)


#: From this many rows on, PostgreSQL is given the rows with COPY rather than INSERTs.
COPY_FROM = 5_000


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` into the table of ``model`` (a model class or a table) in one batch."""
    if not rows:
        return
    table = getattr(model, "__table__", model)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        _copy(connection, table, rows)
    else:
        connection.execute(sa.insert(table), rows)


def _copy(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """COPY ``rows`` into ``table``, in the caller's transaction: every value goes through
    its column type as an INSERT would, and columns left out get their defaults."""
    dialect = connection.dialect
    given = list(rows[0])
    defaults = {}
    for column in table.columns:
        if column.name not in given and column.default is not None:
            default = column.default
            if default.is_callable:
                defaults[column.name] = default.arg(None)  # type: ignore[union-attr]
            elif default.is_scalar:
                defaults[column.name] = default.arg  # type: ignore[union-attr]
    names = given + list(defaults)
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({columns}) FROM STDIN"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in given] + list(defaults.values())
            copy.write_row(
                [
                    value if process is None else process(value)
                    for value, process in zip(values, processors, strict=True)
                ]
            )


def _ids(query: sa.Select) -> dict[Any, int]:
    """``{key: id}`` from a query selecting the key column(s) and then the id."""
    return {
        tuple(row[:-1]) if len(row) > 2 else row[0]: row[-1] for row in db.session.execute(query)
    }


def _event(package: Package) -> Event:
    data = package.event
    event = Event(
        slug=data.slug,
        name=data.name,
        starts_on=data.starts_on,
        timezone=data.timezone,
        decimals=data.decimals,
        placement_points=list(data.placement_points),
        medals_by_field=data.medals_by_field,
    )
    for position, rule in enumerate(data.award_rules):
        event.award_rules.append(results.award_rule_row(rule, position))
    return event


def _units(event: Event, package: Package, links: _Links) -> dict[str, int]:
    _insert(
        Unit,
        [
            {"event_id": event.id, "code": u.code, "name": u.name, "kind": UnitKind(u.kind)}
            for u in package.units
        ],
    )
    units = _ids(sa.select(Unit.code, Unit.id).where(Unit.event_id == event.id))
    _insert(
        unit_contacts,
        [
            {"unit_id": units[code], "user_id": user_id}
            for code, user_ids in (links.contacts or {}).items()
            if code in units
            for user_id in user_ids
        ],
    )
    return units


def _trades(event: Event, package: Package):
    """Trades, their components and criteria: ``(trades, components, criteria)`` ids keyed by
    trade code, and by (trade code, component or criterion code)."""
    _insert(
        Trade,
        [
            {
                "event_id": event.id,
                "position": position,
                "code": data.code,
                "name": data.name,
                "category": data.category,
                "tie_breakers": list(data.tie_breakers),
                "min_entrants": data.min_entrants,
                "team_size": data.team_size,
                "recusal": data.recusal,
                "disqualify_on": dict(data.disqualify_on),
                "overtime": results.overtime_row(data.overtime),
                "team_tie_breakers": list(data.team_tie_breakers),
                "min_started": data.min_started,
            }
            for position, data in enumerate(package.trades)
        ],
    )
    trades = _ids(sa.select(Trade.code, Trade.id).where(Trade.event_id == event.id))
    _insert(
        Component,
        [
            {
                "trade_id": trades[data.code],
                "position": index,
                "code": item.code,
                "name": item.name,
                "weight": item.weight,
                "max": item.max,
                "step": item.step,
            }
            for data in package.trades
            for index, item in enumerate(data.components)
        ],
    )
    components = _ids(
        sa.select(Trade.code, Component.code, Component.id)
        .join(Trade, Trade.id == Component.trade_id)
        .where(Trade.event_id == event.id)
    )
    rows = []
    for data in package.trades:
        order = 0
        for item in data.components:
            for criterion in item.criteria:
                rows.append(
                    {
                        "trade_id": trades[data.code],
                        "component_id": components[(data.code, item.code)],
                        "position": order,
                        "name": criterion.name,
                        "description": criterion.description,
                        **asdict(criterion.spec),  # the spec's fields are the column names
                    }
                )
                order += 1
    _insert(Criterion, rows)
    criteria = _ids(
        sa.select(Trade.code, Criterion.code, Criterion.id)
        .join(Trade, Trade.id == Criterion.trade_id)
        .where(Trade.event_id == event.id)
    )
    return trades, components, criteria


def _teams(event: Event, package: Package, units: dict[str, int]) -> dict[str, int]:
    _insert(
        Team,
        [
            {"event_id": event.id, "unit_id": units[t.unit], "code": t.code, "name": t.name}
            for t in package.teams
        ],
    )
    return _ids(sa.select(Team.code, Team.id).where(Team.event_id == event.id))


def _judges(event, package, units, trades, components, links) -> dict[str, int]:
    accounts = links.judges or {}
    _insert(
        Judge,
        [
            {
                "event_id": event.id,
                "code": data.code,
                "name": data.name,
                "unit_id": units.get(data.unit) if data.unit else None,
                "user_id": accounts.get(data.code),
            }
            for data in package.judges
        ],
    )
    judges = _ids(sa.select(Judge.code, Judge.id).where(Judge.event_id == event.id))
    _insert(
        PanelMember,
        [
            {"trade_id": trades[code], "judge_id": judges[data.code], "is_chief": data.chief}
            for data in package.judges
            for code in data.trades
        ],
    )
    _insert(
        component_judges,
        [
            {"component_id": components[(trade.code, item.code)], "judge_id": judges[code]}
            for trade in package.trades
            for item in trade.components
            for code in item.judges
        ],
    )
    return judges


def _entrants(event, package, units, teams, trades, links) -> dict[str, int]:
    accounts = links.entrants or {}
    times = dict(package.times)
    statuses = dict(package.statuses)
    rows = []
    for data in package.entrants:
        status = statuses.get(data.code)
        absent = status is not None and status.value == "DNS"
        rows.append(
            {
                "event_id": event.id,
                "trade_id": trades[data.trade],
                "unit_id": units[data.unit],
                "team_id": teams[data.team] if data.team else None,
                "user_id": accounts.get(data.code),
                "code": data.code,
                "name": data.name,
                "gender": Gender(data.gender) if data.gender else None,
                "birth_date": data.birth_date,
                "id_number": data.id_number,
                "skill_level": data.skill_level,
                "registration_status": RegistrationStatus.APPROVED,
                "time_seconds": times.get(data.code),
                "status": status,
                "check_in": CheckIn.ABSENT if absent else None,
            }
        )
    _insert(Entrant, rows)
    return _ids(sa.select(Entrant.code, Entrant.id).where(Entrant.event_id == event.id))


def _entries(package, entrants, judges, criteria, components) -> None:
    trade_of = {e.code: e.trade for e in package.entrants}
    marks, direct = [], []
    for score in package.scores:
        trade = trade_of[score.entrant]
        if score.item is not None:
            continue  # a short item's marks (``_exams``)
        if score.component is not None:
            direct.append(
                {
                    "entrant_id": entrants[score.entrant],
                    "component_id": components[(trade, score.component)],
                    "value": score.value,
                }
            )
        else:
            marks.append(
                {
                    "entrant_id": entrants[score.entrant],
                    "criterion_id": criteria[(trade, score.criterion)],
                    "judge_id": judges[score.judge],
                    "value": score.value,
                    "state": ScoreState.SUBMITTED,
                }
            )
    _insert(ComponentScore, direct)
    _insert(Score, marks)
    _insert(
        EntrantFactor,
        [
            {
                "entrant_id": entrants[code],
                "criterion_id": criteria[(trade_of[code], criterion)],
                "factor": factor,
            }
            for code, criterion, factor in package.factors
        ],
    )
    _insert(
        Excusal,
        [
            {"entrant_id": entrants[code], "judge_id": judges[judge], "reason": reason}
            for code, judge, reason in package.excusals
        ],
    )


def _exams(event, package, trades, components, entrants, judges) -> None:
    """The event's question bank, each trade's exam with its papers drawn and sealed now,
    the answers and the judges' marks of short items (EXAMS.md §5)."""
    if not package.question_bank and not package.exams:
        return
    bank = QuestionBank(name=event.slug)
    db.session.add(bank)
    db.session.flush()
    _insert(
        QuestionItem,
        [{"bank_id": bank.id, "version": 1, **exams.item_values(i)} for i in package.question_bank],
    )
    now = utcnow()
    _insert(
        ExamSetting,
        [
            {
                "trade_id": trades[exam.trade],
                "component_id": components[(exam.trade, exam.component)],
                "bank_id": bank.id,
                "minutes": exam.minutes,
                "seed": exam.seed,
                "papers": exam.papers,
                "sections": [exams.section_json(s) for s in exam.sections],
                "voided": sorted(exam.voided),
                "sealed_papers": exams.sealed(papers := draw_papers(exam, package.question_bank)),
                "sealed_versions": {code: 1 for paper in papers for code in paper.items},
                "sealed_at": now,
            }
            for exam in package.exams
        ],
    )
    by_trade = _ids(
        sa.select(Trade.code, ExamSetting.id)
        .join(ExamSetting, ExamSetting.trade_id == Trade.id)
        .where(Trade.event_id == event.id)
    )
    trade_of = {e.code: e.trade for e in package.entrants}
    _insert(
        ExamAnswer,
        [
            {
                "exam_id": by_trade[trade_of[entrant]],
                "entrant_id": entrants[entrant],
                "item_code": item,
                "response": response,
                "answered_at": now,
            }
            for entrant, item, response in package.answers
        ],
    )
    _insert(
        ItemScore,
        [
            {
                "exam_id": by_trade[trade_of[score.entrant]],
                "entrant_id": entrants[score.entrant],
                "item_code": score.item,
                "judge_id": judges[score.judge],
                "value": score.value,
                "updated_at": now,
            }
            for score in package.scores
            if score.item is not None
        ],
    )


def _penalties(package, entrants, criteria, components) -> None:
    """Penalties as the chief judge's records, recorded now by nobody (SCORING.md §7)."""
    trade_of = {e.code: e.trade for e in package.entrants}
    now = utcnow()
    _insert(
        PenaltyRecord,
        [
            {
                "entrant_id": entrants[code],
                "criterion_id": criteria[(trade_of[code], p.criterion)] if p.criterion else None,
                "component_id": components[(trade_of[code], p.component)] if p.component else None,
                "kind": p.kind,
                "points": p.points,
                "reason": p.reason,
                "created_at": now,
                "created_by_id": None,
            }
            for code, p in package.penalties
        ],
    )


def _decisions(event: Event, package: Package, entrants: dict[str, int]) -> None:
    """The organisers' decisions on award rules: entrants passed over, entrants named."""
    now = utcnow()

    def row(kind: AwardDecisionKind, rule: str, entrant: str, reason: str | None):
        return {
            "event_id": event.id,
            "rule_code": rule,
            "entrant_id": entrants[entrant],
            "kind": kind,
            "reason": reason,
            "created_at": now,
            "created_by_id": None,
        }

    _insert(
        AwardDecision,
        [row(AwardDecisionKind.INELIGIBLE, *item) for item in package.ineligible]
        + [row(AwardDecisionKind.NAMED, *item, None) for item in package.manual_awards],
    )


def _windows(event: Event, package: Package, trades: dict[str, int]) -> None:
    def row(kind: str, window, trade_id: int | None) -> dict[str, Any]:
        return {
            "event_id": event.id,
            "trade_id": trade_id,
            "kind": StageKind(kind),
            "opens_at": window.opens,
            "closes_at": window.closes,
        }

    rows = [row(kind, window, None) for kind, window in package.event.schedule.items()]
    rows += [
        row(kind, window, trades[data.code])
        for data in package.trades
        for kind, window in data.schedule.items()
    ]
    _insert(StageWindow, rows)


@dataclass
class _Links:
    """Accounts attached to an event's records, by the records' codes."""

    contacts: dict[str, list[int]] | None = None
    judges: dict[str, int] | None = None
    entrants: dict[str, int] | None = None


def _account_links(event: Event) -> _Links:
    contacts: dict[str, list[int]] = {}
    for code, user_id in db.session.execute(
        sa.select(Unit.code, unit_contacts.c.user_id)
        .join(unit_contacts, unit_contacts.c.unit_id == Unit.id)
        .where(Unit.event_id == event.id)
    ):
        contacts.setdefault(code, []).append(user_id)
    judges = dict(
        db.session.execute(
            sa.select(Judge.code, Judge.user_id).where(
                Judge.event_id == event.id, Judge.user_id.is_not(None)
            )
        ).all()
    )
    entrants = dict(
        db.session.execute(
            sa.select(Entrant.code, Entrant.user_id).where(
                Entrant.event_id == event.id, Entrant.user_id.is_not(None)
            )
        ).all()
    )
    return _Links(contacts, judges, entrants)
