"""Excel rosters (报名表): the downloadable template and all-or-nothing uploads.

The template's first sheet starts with a header row whose first eight columns are
姓名 | 身份证号码 | 性别 | 出生日期 | 工种 | 技能等级 | 手机号码 | 工作单位; 工种 accepts a trade's
code or name, 性别 男/女, 出生日期 a date or YYYY-MM-DD text. Problems are reported by Excel
row number (the header is row 1) and column title.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import sqlalchemy as sa
from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from contest.accounts.models import User
from contest.core import uploads
from contest.core.extensions import db
from contest.core.files import append_row
from contest.domain.refusal import N_
from contest.domain.registration import (
    ROSTER_HEADER,
    Applicant,
    Column,
    RegistrationError,
    RowProblem,
)
from contest.domain.skills import SKILL_LADDER
from contest.events.models import Event, Trade, Unit
from contest.registration import services as registration
from contest.registration.models import Entrant

GENDERS = {"男": "M", "女": "F"}
MAX_ROWS = 10_000
FIRST_DATA_ROW = 2


class RosterError(RegistrationError):
    """The upload was refused; ``problems`` holds every problem found, by Excel row and
    column."""

    reasons = {"invalid": N_("%(n)d problem(s) in %(rows)d row(s); nothing was imported.")}


@dataclass(frozen=True)
class ParsedRoster:
    """The applicants of an upload, the Excel row each came from, and the problems found
    reading the cells (by position in ``applicants``)."""

    applicants: list[Applicant]
    rows: list[int]
    problems: list[RowProblem]


# --- template ------------------------------------------------------------------------------


def template(event: Event) -> bytes:
    """The roster template: the form sheet with data validation, the trades, instructions."""
    trades = list(
        db.session.execute(
            sa.select(Trade).where(Trade.event_id == event.id).order_by(Trade.position, Trade.id)
        ).scalars()
    )
    book = Workbook()
    form = book.active
    form.title = gettext("Roster")
    append_row(form, [title for title, _ in ROSTER_HEADER])
    fill = PatternFill("solid", fgColor="B91C1C")
    for cell in form[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")
    widths = (12, 22, 8, 14, 18, 12, 15, 28)
    for index, width in enumerate(widths, start=1):
        form.column_dimensions[get_column_letter(index)].width = width
    form.freeze_panes = "A2"
    last = MAX_ROWS + 1
    for column in ("B", "G"):  # keep ID and phone numbers as text so Excel keeps every digit
        form.column_dimensions[column].number_format = "@"

    listing = book.create_sheet(gettext("Trades"))
    append_row(
        listing,
        [
            gettext("Trade code"),
            gettext("Trade"),
            gettext("Category"),
            gettext("Quota per unit"),
            gettext("Capacity"),
            gettext("Age"),
            gettext("Minimum skill level"),
        ],
    )
    unlimited = gettext("no limit")
    for trade in trades:
        ages = "–".join(str(a) if a is not None else "" for a in (trade.min_age, trade.max_age))
        append_row(
            listing,
            [
                trade.code,
                trade.name,
                trade.category or "",
                trade.unit_quota or unlimited,
                trade.capacity or unlimited,
                ages if ages != "–" else unlimited,
                trade.min_skill_level or unlimited,
            ],
        )
    for index, width in enumerate((12, 20, 8, 12, 10, 10, 14), start=1):
        listing.column_dimensions[get_column_letter(index)].width = width

    validations = [
        DataValidation(type="list", formula1='"男,女"', allow_blank=True),
        DataValidation(
            type="list", formula1=f"'{listing.title}'!$B$2:$B${len(trades) + 1}", allow_blank=False
        ),
        DataValidation(type="list", formula1=f'"{",".join(SKILL_LADDER)}"', allow_blank=True),
        DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True),
        DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=False),
    ]
    for validation, column in zip(validations, ("C", "E", "F", "D", "B"), strict=True):
        validation.error = gettext("Choose from the list or follow the instructions.")
        validation.errorTitle = gettext("Invalid entry")
        validation.add(f"{column}{FIRST_DATA_ROW}:{column}{last}")
        form.add_data_validation(validation)

    guide = book.create_sheet(gettext("Instructions"))
    guide.column_dimensions["A"].width = 100
    for line in _instructions(event):
        append_row(guide, [line])
    guide["A1"].font = Font(bold=True, size=14)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _instructions(event: Event) -> list[str]:
    one_trade = (
        gettext("A person may enter several trades of this event.")
        if event.multiple_trades_allowed
        else gettext("A person may enter one trade only.")
    )
    lines = [
        gettext("%(event)s: entrant roster — how to fill it in", event=event.name),
        "",
        gettext(
            "1. One entrant per row of the first sheet. Do not change the header row or the "
            "order of the columns."
        ),
        gettext(
            "2. 姓名, 身份证号码, 工种 and 手机号码 are required; 技能等级 is required for trades "
            "with a minimum skill level."
        ),
        gettext(
            "3. 身份证号码 has 18 characters, the last may be X. Keep the column formatted as "
            "text so that Excel does not lose the last digits."
        ),
        gettext(
            "4. 性别 is 男 or 女; 出生日期 is a date or text as YYYY-MM-DD. Left blank, both are "
            "taken from the ID number; filled in, they must agree with it."
        ),
        gettext(
            "5. 工种 is a trade's name or code (see the trades sheet); 技能等级 is one of "
            "%(levels)s.",
            levels="、".join(SKILL_LADDER),
        ),
        gettext(
            "6. Age is counted in full years on the first day of the competition (%(day)s). "
            "Each trade's age range, quota per unit, capacity and minimum skill level are on "
            "the trades sheet.",
            day=event.starts_on.isoformat(),
        ),
        gettext("7. %(rule)s No person may be entered by two units.", rule=one_trade),
        gettext(
            "8. The whole sheet is checked on upload: if any row is wrong, nothing is imported "
            "and every problem is listed by row and column. Correct them and upload again."
        ),
    ]
    return lines


# --- reading an upload ---------------------------------------------------------------------


def parse(event: Event, source: IO[bytes]) -> ParsedRoster:
    """Read an uploaded workbook; raise ``uploads.UnreadableFile`` if it cannot be read (or
    not safely: see ``contest.core.uploads``), ``RosterError`` if it is not a roster (wrong
    header, no rows, too many rows)."""
    with uploads.workbook(source) as book:
        # As wide as the header, whatever width the sheet claims (openpyxl pads every row).
        rows = list(
            book.worksheets[0].iter_rows(
                min_row=1, max_row=MAX_ROWS + 2, max_col=len(ROSTER_HEADER), values_only=True
            )
        )
    header = [_text(v) for v in (rows[0] if rows else ())][: len(ROSTER_HEADER)]
    expected = [title for title, _ in ROSTER_HEADER]
    if header != expected:
        raise RosterError([RowProblem(1, None, "bad_header", {"expected": " | ".join(expected)})])
    trades = _trade_lookup(event)
    applicants, numbers, problems = [], [], []
    for number, values in enumerate(rows[1:], start=FIRST_DATA_ROW):
        cells = list(values[: len(ROSTER_HEADER)]) + [None] * (len(ROSTER_HEADER) - len(values))
        if all(_text(v) is None for v in cells):
            continue
        if len(applicants) >= MAX_ROWS:
            raise RosterError([RowProblem(number, None, "too_many_rows", {"max": MAX_ROWS})])
        applicant, found = _read_row(len(applicants), cells, trades)
        applicants.append(applicant)
        numbers.append(number)
        problems.extend(found)
    if not applicants:
        raise RosterError([RowProblem(FIRST_DATA_ROW, None, "empty_roster")])
    return ParsedRoster(applicants, numbers, problems)


def _trade_lookup(event: Event) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, name in db.session.execute(
        sa.select(Trade.code, Trade.name).where(Trade.event_id == event.id)
    ):
        lookup[name.strip()] = code
        lookup[code] = code
        lookup[code.upper()] = code
    return lookup


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _read_row(
    row: int, cells: list[Any], trades: dict[str, str]
) -> tuple[Applicant, list[RowProblem]]:
    """The applicant in one row (``row`` is its position among the applicants)."""
    problems = []
    name, id_cell, gender_cell, birth_cell, trade_cell, level, phone_cell, employer = cells

    id_number = _text(id_cell)
    if isinstance(id_cell, int | float) and not isinstance(id_cell, bool):
        # Excel stored the ID as a number: beyond 15 digits the last ones are lost.
        problems.append(RowProblem(row, Column.ID_NUMBER, "id_as_number"))
        id_number = None
    gender = None
    if _text(gender_cell) is not None:
        gender = GENDERS.get(_text(gender_cell) or "")
        if gender is None:
            problems.append(RowProblem(row, Column.GENDER, "bad_gender"))
    birth = None
    if isinstance(birth_cell, datetime):
        birth = birth_cell.date()
    elif isinstance(birth_cell, date):
        birth = birth_cell
    elif _text(birth_cell) is not None:
        try:
            text = _text(birth_cell) or ""
            if len(text) != 10:
                raise ValueError(text)
            birth = date.fromisoformat(text)
        except ValueError:
            problems.append(RowProblem(row, Column.BIRTH_DATE, "bad_date"))
    # An unknown trade stays as typed: the registration rules report it.
    trade = trades.get(_text(trade_cell) or "", _text(trade_cell))
    phone = _text(phone_cell)
    if isinstance(phone_cell, float) and phone_cell.is_integer():
        phone = str(int(phone_cell))
    applicant = Applicant(
        name=_text(name),
        id_number=id_number,
        gender=gender,
        birth_date=birth,
        trade=trade,
        skill_level=_text(level),
        phone=phone,
        employer=_text(employer),
    )
    return applicant, problems


# --- importing -----------------------------------------------------------------------------


def import_roster(
    actor: User | None,
    unit: Unit,
    source: IO[bytes],
    *,
    reason: str | None = None,
    check_stage: bool = True,
) -> list[Entrant]:
    """Parse and register a whole roster for ``unit``: every row or none (caller commits).

    The window (and the actor's right to register after it, giving a ``reason``) is checked
    before the file is read at all. Raises ``stages.WindowClosed``,
    ``uploads.UnreadableFile``, and ``RosterError`` with every problem by Excel row.
    """
    if check_stage:
        assert actor is not None
        registration.check_window(unit.event, actor, reason)
    parsed = parse(unit.event, source)
    try:
        return registration.register(
            actor,
            unit,
            parsed.applicants,
            reason=reason,
            check_stage=check_stage,
            known=parsed.problems,
        )
    except RegistrationError as error:
        raise RosterError([_on_sheet(p, parsed.rows) for p in error.problems]) from None


def _on_sheet(problem: RowProblem, rows: list[int]) -> RowProblem:
    """A batch problem restated with Excel row numbers."""
    params = dict(problem.params)
    if "row" in params:
        params["row"] = rows[params["row"]]
    return RowProblem(rows[problem.row], problem.column, problem.code, params)
