"""The parts of the benchmark that run inside the application (an app context on the bench
database, like ``flask shell``): judges' accounts, publication (after signing every trade
off, as publishing requires), the recomputation figure, the roster upload, and the exam
burst's theory exam with its count of stored answers. Each task
prints one JSON line for ``bench.run``.

    DATABASE_URL=postgresql://…/bench python -m bench.tasks judges bench-10 --accounts 16
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook

from contest import create_app
from contest.accounts import services as accounts
from contest.accounts.models import Role
from contest.core.extensions import db
from contest.core.transaction import unit_of_work
from contest.domain import idcard, snapshot
from contest.domain.exams import Exam, Item, ItemType, Section, draw_papers
from contest.domain.package import read_package
from contest.domain.scoring import DeclaredStatus, Status
from contest.domain.stages import StageKind, StageState
from contest.events.models import Component, Criterion, Event, Judge, PanelMember, Trade, Unit
from contest.exams import services as exam_rows
from contest.exams.models import ExamAnswer, ExamSetting, QuestionBank, QuestionItem
from contest.packages import importing
from contest.publication import final
from contest.registration import roster
from contest.registration.models import CheckIn, Entrant, RegistrationStatus
from contest.results import services as results
from contest.results.models import Score, ScoreState, TradeResultRecord
from contest.stages.models import StageWindow

PASSWORD = "bench-2026"


def _event(slug: str) -> Event:
    return db.session.execute(sa.select(Event).where(Event.slug == slug)).scalar_one()


def judges(slug: str, count: int, per_trade: int, sheets: int) -> dict[str, Any]:
    """Accounts for ``count`` judges, ``per_trade`` from each panel of the event's last trades
    (the largest), whose first ``sheets`` sheets (their entrants checked in) are emptied for
    them to fill in again; and the scoring window open. Everyone else's scores stay, so
    every submit recomputes a trade of full size."""
    event = _event(slug)
    trades = list(
        db.session.execute(
            sa.select(Trade)
            .where(Trade.event_id == event.id)
            .order_by(Trade.position.desc())
            .limit(-(-count // per_trade))
        ).scalars()
    )
    tablets = []
    for trade in sorted(trades, key=lambda t: t.position):
        panel = db.session.execute(
            sa.select(Judge)
            .join(PanelMember, PanelMember.judge_id == Judge.id)
            .where(PanelMember.trade_id == trade.id)
            .order_by(Judge.id)
            .limit(per_trade)
        ).scalars()
        entrants = list(
            db.session.execute(
                sa.select(Entrant.id)
                .where(Entrant.trade_id == trade.id)
                .order_by(Entrant.id)
                .limit(sheets)
            ).scalars()
        )
        db.session.execute(  # only entrants checked in can be scored
            sa.update(Entrant)
            .where(Entrant.id.in_(entrants))
            .values(check_in=CheckIn.PRESENT, checked_in_at=datetime.now(UTC))
        )
        codes = list(
            db.session.execute(
                sa.select(Criterion.code)
                .where(Criterion.trade_id == trade.id)
                .order_by(Criterion.position)
            ).scalars()
        )
        for judge in panel:
            if len(tablets) == count:
                break
            username = f"{slug}-{judge.code}".lower()
            user = accounts.find_by_username(username) or accounts.create_user(
                None, username=username, name=judge.name, role=Role.JUDGE, password=PASSWORD
            )
            judge.user_id = user.id
            db.session.execute(
                sa.delete(Score).where(Score.judge_id == judge.id, Score.entrant_id.in_(entrants))
            )
            tablets.append(
                {
                    "username": username,
                    "password": PASSWORD,
                    "trade": trade.id,
                    "entrants": entrants,
                    "criteria": codes,
                }
            )
        results.recompute_trade(trade)
    now = datetime.now(UTC)
    window = db.session.execute(
        sa.select(StageWindow).where(
            StageWindow.event_id == event.id,
            StageWindow.trade_id.is_(None),
            StageWindow.kind == StageKind.SCORING,
        )
    ).scalar_one_or_none()
    if window is None:
        window = StageWindow(event_id=event.id, kind=StageKind.SCORING)
        db.session.add(window)
    window.opens_at, window.closes_at = now - timedelta(hours=1), now + timedelta(hours=12)
    window.state = StageState.OPEN
    return {"judges": tablets}


def sign_off(event: Event) -> int:
    """Make the event publishable as its chief judges would: the entrants of the trades
    nobody scored are declared absent (DNS) and every trade is locked, results recomputed.
    Returns how many entrants were declared absent."""
    incomplete = {
        e.code
        for trade in results.stored_trades(event)
        for e in trade.entrants
        if e.score.status == Status.INCOMPLETE
    }
    if incomplete:
        db.session.execute(
            sa.update(Entrant)
            .where(Entrant.event_id == event.id, Entrant.code.in_(incomplete))
            .values(status=DeclaredStatus.DNS, status_reason="bench: not scored")
        )
    db.session.execute(
        sa.update(Trade).where(Trade.event_id == event.id).values(locked_at=datetime.now(UTC))
    )
    db.session.expire_all()
    results.recompute_event(event)
    return len(incomplete)


def publish(slug: str) -> dict[str, Any]:
    """Sign the event off (not timed), then publish its final results (what the public
    pages show)."""
    with unit_of_work():
        absent = sign_off(_event(slug))
    started = time.perf_counter()
    with unit_of_work():
        final.publish_results(_event(slug))
    return {"seconds": time.perf_counter() - started, "declared_absent": absent}


def recompute(slug: str, rounds: int) -> dict[str, Any]:
    """The full recomputation of the event's results against reading its score rows (as the
    application reads, and with the garbage collector paused as the recomputation pauses
    it), in turns after one untimed round of each; nothing is kept."""
    event = _event(slug)
    event_id = event.id
    query = (
        sa.select(Score.entrant_id, Score.criterion_id, Score.judge_id, Score.value)
        .join(Entrant, Entrant.id == Score.entrant_id)
        .where(Entrant.event_id == event_id, Score.state == ScoreState.SUBMITTED)
    )

    def read() -> int:
        return len(db.session.execute(query).all())

    def read_paused() -> int:
        gc.disable()
        try:
            return read()
        finally:
            gc.enable()

    def compute() -> int:
        computed = results.recompute_event(db.session.get(Event, event_id))
        db.session.flush()
        return len(computed)

    reads, paused, computes, rows, trades = [], [], [], 0, 0
    for turn in range(rounds + 1):
        for target, times in ((read, reads), (read_paused, paused), (compute, computes)):
            gc.collect()
            started = time.perf_counter()
            count = target()
            elapsed = time.perf_counter() - started
            db.session.rollback()
            if turn:
                times.append(elapsed)
            if target is not compute:
                rows = count
            else:
                trades = count
    return {
        "rows": rows,
        "trades": trades,
        "read": statistics.median(reads),
        "read_paused": statistics.median(paused),
        "recompute": statistics.median(computes),
        "reads": reads,
        "recomputes": computes,
    }


def check(slug: str) -> dict[str, Any]:
    """Whether the stored results of every trade of the event are what its data gives now
    (after the judges' concurrent saves); the trades that differ."""
    event = _event(slug)
    stored = {
        trade_id: payload
        for trade_id, payload in db.session.execute(
            sa.select(TradeResultRecord.trade_id, TradeResultRecord.payload)
            .join(Trade, Trade.id == TradeResultRecord.trade_id)
            .where(Trade.event_id == event.id)
        )
    }
    spec = results.event_spec(event)
    differ = []
    trades = db.session.execute(sa.select(Trade).where(Trade.event_id == event.id)).scalars()
    for trade in trades:
        if stored.get(trade.id) != snapshot.dump_trade(results.compute(trade, spec)):
            differ.append(trade.code)
    db.session.rollback()
    return {"trades": len(stored), "differ": differ}


def roster_upload(slug: str, rows: int) -> dict[str, Any]:
    """Register ``rows`` people from one Excel roster, as the unit contact's upload does."""
    event = _event(slug)
    unit = db.session.execute(
        sa.select(Unit).where(Unit.event_id == event.id).order_by(Unit.id).limit(1)
    ).scalar_one()
    trades = list(
        db.session.execute(sa.select(Trade.code).where(Trade.event_id == event.id)).scalars()
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(
        ["姓名", "身份证号码", "性别", "出生日期", "工种", "技能等级", "手机号码", "工作单位"]
    )
    for n in range(rows):
        born = date(1975, 1, 1) + timedelta(days=n // 100)
        gender = "MF"[n % 2]
        number = idcard.build("330106", born, n % 100, gender)
        sheet.append(
            [f"选手{n}", number, "男" if gender == "M" else "女", born.isoformat(),
             trades[n % len(trades)], "高级工", f"138{n:08d}", "某制造公司"]
        )  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    started = time.perf_counter()
    roster.parse(event, io.BytesIO(data))
    parse = time.perf_counter() - started
    started = time.perf_counter()
    with unit_of_work():
        created = roster.import_roster(None, unit, io.BytesIO(data), check_stage=False)
    seconds = time.perf_counter() - started
    return {"rows": len(created), "seconds": seconds, "parse": parse, "bytes": len(data)}


def exam(slug: str, path: str) -> dict[str, Any]:
    """The theory exam of the event's one trade, as ``contest.demo`` makes the demo's: the
    bank of the file (``bench.generate.exam_bank``), one paper drawn and sealed, the room
    open. Returns every approved entrant's admission number and ID number's last 4, and the
    items of the (one) paper as the entrants' pages save them: type, option labels, blanks."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    event = _event(slug)
    trade = db.session.execute(sa.select(Trade).where(Trade.event_id == event.id)).scalar_one()
    theory = db.session.execute(
        sa.select(Component).where(Component.trade_id == trade.id, Component.code == "theory")
    ).scalar_one()
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
            None,
            row.get("difficulty"),
        )
        for row in document["items"]
    ]  # fmt: skip
    bank = QuestionBank(name=f"{event.name} · 理论题库")
    bank.items = [QuestionItem(version=1, **exam_rows.item_values(item)) for item in items]
    blueprint = document["exam"]
    sections = [
        Section(ItemType(s["type"]), s["count"], Decimal(s["marks"]),
                partial=Decimal(str(s["partial"])) if "partial" in s else None)
        for s in blueprint["sections"]
    ]  # fmt: skip
    drawn = Exam(trade.code, "theory", blueprint["minutes"], blueprint["seed"], tuple(sections))
    papers = draw_papers(drawn, items)
    now = datetime.now(UTC)
    db.session.add_all(
        [
            bank,
            ExamSetting(
                trade=trade,
                component=theory,
                bank=bank,
                minutes=drawn.minutes,
                seed=drawn.seed,
                papers=drawn.papers,
                sections=[exam_rows.section_json(s) for s in sections],
                voided=[],
                sealed_papers=exam_rows.sealed(papers),
                sealed_versions={code: 1 for paper in papers for code in paper.items},
                sealed_at=now,
                opened_at=now,
            ),
        ]
    )
    by_code = {item.code: item for item in items}
    codes = list(papers[0].items)
    entrants = db.session.execute(
        sa.select(Entrant.code, Entrant.id_number)
        .where(
            Entrant.trade_id == trade.id, Entrant.registration_status == RegistrationStatus.APPROVED
        )
        .order_by(Entrant.code)
    ).all()
    return {
        "examinees": [[code, number[-4:]] for code, number in entrants],
        "items": {
            code: [by_code[code].type.value, sorted(by_code[code].options), by_code[code].blanks]
            for code in codes
        },
    }


def exam_answers(slug: str) -> dict[str, Any]:
    """The answers stored for the event's exam: rows, the sum of their revisions (every
    applied save bumps one), and each answer's revision by entrant and item."""
    event = _event(slug)
    rows = db.session.execute(
        sa.select(Entrant.code, ExamAnswer.item_code, ExamAnswer.revision)
        .join(Entrant, Entrant.id == ExamAnswer.entrant_id)
        .join(ExamSetting, ExamSetting.id == ExamAnswer.exam_id)
        .join(Trade, Trade.id == ExamSetting.trade_id)
        .where(Trade.event_id == event.id)
    ).all()
    return {
        "rows": len(rows),
        "revisions": sum(revision for _, _, revision in rows),
        "answers": [list(row) for row in rows],
    }


def import_file(path: str) -> dict[str, Any]:
    """Import a package file as ``flask import-package`` does, timing the reading and
    checking of the file apart."""
    started = time.perf_counter()
    document = json.loads(Path(path).read_text(encoding="utf-8-sig"), parse_float=Decimal)
    package = read_package(document)
    check = time.perf_counter() - started
    with unit_of_work():
        summary = importing.import_package(package)
    return {"seconds": time.perf_counter() - started, "check": check, **summary.counts}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("judges")
    command.add_argument("slug")
    command.add_argument("--accounts", type=int, default=16)
    command.add_argument("--per-trade", type=int, default=4)
    command.add_argument("--sheets", type=int, default=24)
    command = commands.add_parser("publish")
    command.add_argument("slug")
    command = commands.add_parser("recompute")
    command.add_argument("slug")
    command.add_argument("--rounds", type=int, default=3)
    command = commands.add_parser("check")
    command.add_argument("slug")
    command = commands.add_parser("exam")
    command.add_argument("package", help="the event's package, imported first")
    command.add_argument("bank", help="a JSON file of items and blueprint (bench.generate)")
    command = commands.add_parser("exam-answers")
    command.add_argument("slug")
    command = commands.add_parser("import")
    command.add_argument("path")
    command = commands.add_parser("roster")
    command.add_argument("slug")
    command.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        if args.command == "judges":
            with unit_of_work():
                answer = judges(args.slug, args.accounts, args.per_trade, args.sheets)
        elif args.command == "publish":
            answer = publish(args.slug)
        elif args.command == "check":
            answer = check(args.slug)
        elif args.command == "exam":
            imported = import_file(args.package)
            slug = json.loads(Path(args.package).read_text(encoding="utf-8"))["event"]["slug"]
            with unit_of_work():
                answer = {"import": imported, **exam(slug, args.bank)}
        elif args.command == "exam-answers":
            answer = exam_answers(args.slug)
        elif args.command == "import":
            answer = import_file(args.path)
        elif args.command == "recompute":
            answer = recompute(args.slug, args.rounds)
        else:
            answer = roster_upload(args.slug, args.rows)
    sys.stdout.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
