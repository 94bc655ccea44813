"""Registration rules (PRODUCT.md §2): who may be entered in which trade, for which unit.

``check_applicants`` validates a batch — one form, or every row of an Excel roster — against
the event's trades and everyone already registered, and reports every problem by row and
column, so that an upload can be refused as a whole with a complete report.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from contest.domain import idcard
from contest.domain.awards import age_on
from contest.domain.refusal import N_, Refused
from contest.domain.skills import skill_rank

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class Column:
    """The fields of an applicant, named as the roster's columns are."""

    NAME = "name"
    ID_NUMBER = "id_number"
    GENDER = "gender"
    BIRTH_DATE = "birth_date"
    TRADE = "trade"
    SKILL_LEVEL = "skill_level"
    PHONE = "phone"
    EMPLOYER = "employer"


@dataclass(frozen=True)
class Applicant:
    """One person to register, as typed in a form or a roster row (trade as its code)."""

    name: str | None = None
    id_number: str | None = None
    gender: str | None = None  # "M" / "F"; taken from the ID number when left blank
    birth_date: date | None = None  # taken from the ID number when left blank
    trade: str | None = None
    skill_level: str | None = None
    phone: str | None = None
    employer: str | None = None


class RegistrationError(Refused):
    """The batch cannot be registered; ``problems`` lists every reason by row and column."""

    reasons = {
        "invalid": N_("Nothing was changed. Please correct the form marked below."),
        "required": N_("is required"),
        "too_long": N_("is longer than %(max)s characters"),
        "bad_id_number": N_("is not a valid resident ID number: %(reason)s"),
        "bad_gender": N_("must be 男 or 女"),
        "bad_phone": N_("must be an 11-digit mobile number"),
        "bad_skill_level": N_("must be one of 初级工, 中级工, 高级工, 技师, 高级技师"),
        "unknown_trade": N_("“%(value)s” is not a trade of this event"),
        "too_young": N_(
            "is %(age)s on the first day of the event; the trade requires at least %(min)s"
        ),
        "too_old": N_("is %(age)s on the first day of the event; the trade allows at most %(max)s"),
        "skill_too_low": N_("the trade requires at least %(min)s"),
        "duplicate_in_batch": N_("the same person appears again (row %(row)s)"),
        "already_registered": N_("this person is already registered in trade %(trade)s"),
        "registered_elsewhere": N_("this person is already registered by unit %(unit)s"),
        "over_quota": N_("exceeds the quota of %(quota)s entrants per unit in trade %(trade)s"),
        "over_capacity": N_("exceeds the capacity of %(capacity)s entrants in trade %(trade)s"),
        "too_many_rows": N_("The roster has more than %(max)s rows."),
        "empty_roster": N_("The roster has no entrants."),
        "bad_header": N_("The first row must be the template's header: %(expected)s"),
        "id_as_number": N_(
            "Excel stored the number as a figure and lost digits; format the column as text"
        ),
        "bad_date": N_("must be a date or YYYY-MM-DD"),
        "id_birth_mismatch": N_("does not match the ID number, which gives %(birth_date)s"),
        "id_gender_mismatch": N_("does not match the ID number, which gives %(gender)s"),
    }

    def __init__(self, problems: Sequence[RowProblem]):
        rows = {p.row for p in problems if p.row > 0}
        super().__init__("invalid", problems=problems, n=len(problems), rows=len(rows))


@dataclass(frozen=True)
class TradeLimits:
    """What a trade allows."""

    code: str
    capacity: int | None = None
    unit_quota: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    min_skill_level: str | None = None


@dataclass(frozen=True)
class Registered:
    """Someone already registered in the event (returned registrations included)."""

    id_number: str | None
    trade: str
    unit: str
    code: str = ""


@dataclass(frozen=True)
class RowProblem:
    """A problem with one row (0-based) and, where it applies, one column."""

    row: int
    column: str | None
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rules:
    """The event-wide settings registration depends on."""

    starts_on: date
    trades: Mapping[str, TradeLimits]
    multiple_trades_allowed: bool = False
    #: Places of a unit in a trade set apart from the trade's quota per unit (名额分配):
    #: (unit code, trade code) → places.
    places: Mapping[tuple[str, str], int] = field(default_factory=dict)

    def quota(self, unit: str, trade: str) -> int | None:
        """How many the unit may enter in the trade (None: no limit per unit)."""
        if (unit, trade) in self.places:
            return self.places[(unit, trade)]
        limits = self.trades.get(trade)
        return limits.unit_quota if limits else None


def complete(applicant: Applicant) -> Applicant:
    """Fill a blank gender or birth date from a valid resident ID number, normalise the ID."""
    try:
        parsed = idcard.parse(applicant.id_number or "")
    except idcard.IdNumberError:
        return applicant
    return replace(
        applicant,
        id_number=parsed.number,
        gender=applicant.gender or parsed.gender,
        birth_date=applicant.birth_date or parsed.birth_date,
    )


def check_applicants(
    applicants: Sequence[Applicant],
    unit: str,
    rules: Rules,
    registered: Sequence[Registered],
    today: date | None = None,
) -> list[RowProblem]:
    """Every problem with registering ``applicants`` for ``unit`` (PRODUCT.md §2).

    ``registered`` is everyone already in the event, excluding any entrant being edited.
    Quota and capacity count ``registered`` plus the batch; a batch that would exceed them is
    refused on the rows beyond the limit.
    """
    problems: list[RowProblem] = []
    rows = [complete(a) for a in applicants]
    for index, applicant in enumerate(rows):
        problems.extend(_check_row(index, applicant, rules, today))
    problems.extend(_check_duplicates(rows, unit, rules, registered))
    problems.extend(_check_limits(rows, unit, rules, registered))
    return sorted(problems, key=lambda p: (p.row, _column_order(p.column)))


#: The Excel roster's fixed header (its first eight columns) and the field each one fills.
ROSTER_HEADER = (
    ("姓名", Column.NAME),
    ("身份证号码", Column.ID_NUMBER),
    ("性别", Column.GENDER),
    ("出生日期", Column.BIRTH_DATE),
    ("工种", Column.TRADE),
    ("技能等级", Column.SKILL_LEVEL),
    ("手机号码", Column.PHONE),
    ("工作单位", Column.EMPLOYER),
)
COLUMNS = tuple(column for _, column in ROSTER_HEADER)
COLUMN_TITLES = {column: title for title, column in ROSTER_HEADER}


def _column_order(column: str | None) -> int:
    return COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)


def _check_row(index: int, a: Applicant, rules: Rules, today: date | None) -> list[RowProblem]:
    problems = []

    def add(column: str | None, code: str, **params: Any) -> None:
        problems.append(RowProblem(index, column, code, params))

    for column in (Column.NAME, Column.ID_NUMBER, Column.TRADE, Column.PHONE):
        if not getattr(a, column):
            add(column, "required")
    if a.name and len(a.name) > 100:
        add(Column.NAME, "too_long", max=100)
    parsed = None
    if a.id_number:
        try:
            parsed = idcard.parse(a.id_number, today=today)
        except idcard.IdNumberError as error:
            add(Column.ID_NUMBER, "bad_id_number", reason=error.code)
    if parsed is not None:
        if a.birth_date is not None and parsed.birth_date != a.birth_date:
            add(Column.BIRTH_DATE, "id_birth_mismatch", birth_date=parsed.birth_date.isoformat())
        if a.gender is not None and parsed.gender != a.gender:
            add(Column.GENDER, "id_gender_mismatch", gender=parsed.gender)
    if a.gender is not None and a.gender not in ("M", "F"):
        add(Column.GENDER, "bad_gender")
    if a.phone and not MOBILE.match(a.phone):
        add(Column.PHONE, "bad_phone")
    if a.employer and len(a.employer) > 200:
        add(Column.EMPLOYER, "too_long", max=200)
    if a.skill_level and skill_rank(a.skill_level) is None:
        add(Column.SKILL_LEVEL, "bad_skill_level")
    if not a.trade:
        return problems
    limits = rules.trades.get(a.trade)
    if limits is None:
        add(Column.TRADE, "unknown_trade", value=a.trade)
        return problems
    born = parsed.birth_date if parsed is not None else a.birth_date
    if born is not None:
        age = age_on(born, rules.starts_on)
        if limits.min_age is not None and age < limits.min_age:
            add(Column.BIRTH_DATE, "too_young", age=age, min=limits.min_age)
        if limits.max_age is not None and age > limits.max_age:
            add(Column.BIRTH_DATE, "too_old", age=age, max=limits.max_age)
    if limits.min_skill_level is not None:
        level, minimum = skill_rank(a.skill_level), skill_rank(limits.min_skill_level)
        if not a.skill_level:
            add(Column.SKILL_LEVEL, "required")
        elif level is not None and minimum is not None and level < minimum:
            add(Column.SKILL_LEVEL, "skill_too_low", min=limits.min_skill_level)
    return problems


def _check_duplicates(
    rows: Sequence[Applicant], unit: str, rules: Rules, registered: Sequence[Registered]
) -> list[RowProblem]:
    """One person once per trade, and in one trade only unless the event allows more."""
    problems = []
    by_id: dict[str, list[Registered]] = defaultdict(list)
    for person in registered:
        if person.id_number:
            by_id[person.id_number].append(person)
    seen: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
    for index, a in enumerate(rows):
        if not a.id_number:
            continue
        for earlier, trade in seen[a.id_number]:
            if trade == a.trade or not rules.multiple_trades_allowed:
                problems.append(
                    RowProblem(index, Column.ID_NUMBER, "duplicate_in_batch", {"row": earlier})
                )
                break
        seen[a.id_number].append((index, a.trade))
        for person in by_id.get(a.id_number, []):
            if person.trade != a.trade and rules.multiple_trades_allowed:
                continue
            code = "registered_elsewhere" if person.unit != unit else "already_registered"
            params = {"trade": person.trade, "unit": person.unit}
            problems.append(RowProblem(index, Column.ID_NUMBER, code, params))
            break
    return problems


def _check_limits(
    rows: Sequence[Applicant], unit: str, rules: Rules, registered: Sequence[Registered]
) -> list[RowProblem]:
    """Per-unit quota and trade capacity, counting those already registered."""
    problems = []
    in_trade = Counter(p.trade for p in registered)
    of_unit = Counter(p.trade for p in registered if p.unit == unit)
    for index, a in enumerate(rows):
        limits = rules.trades.get(a.trade or "")
        if limits is None:
            continue
        in_trade[limits.code] += 1
        of_unit[limits.code] += 1
        quota = rules.quota(unit, limits.code)
        if quota is not None and of_unit[limits.code] > quota:
            params = {"quota": quota, "trade": limits.code}
            problems.append(RowProblem(index, Column.TRADE, "over_quota", params))
        elif limits.capacity is not None and in_trade[limits.code] > limits.capacity:
            params = {"capacity": limits.capacity, "trade": limits.code}
            problems.append(RowProblem(index, Column.TRADE, "over_capacity", params))
    return problems


@dataclass(frozen=True)
class OverQuota:
    """A unit with more entries in a trade than its places allow (after a quota is cut)."""

    unit: str
    trade: str
    quota: int
    entered: int


def over_quota(rules: Rules, entered: Mapping[tuple[str, str], int]) -> list[OverQuota]:
    """Where the entries of a unit in a trade ((unit, trade) → count, returned registrations
    left out) exceed the unit's places, by unit then trade."""
    found = []
    for (unit, trade), count in sorted(entered.items()):
        quota = rules.quota(unit, trade)
        if quota is not None and count > quota:
            found.append(OverQuota(unit, trade, quota, count))
    return found
