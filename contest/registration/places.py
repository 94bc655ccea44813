"""Places per unit and trade (名额分配): the organiser gives a unit a number of places in a
trade apart from the trade's quota per unit — in a grid or from Excel — and is told which
units already have more entries than their new places allow, by name. Registration counts
against these places (``services.rules_for``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

import sqlalchemy as sa
from flask_babel import gettext
from openpyxl import Workbook

from contest.accounts.models import User
from contest.core import audit, uploads
from contest.core.extensions import db
from contest.core.files import fill_sheet, workbook_bytes
from contest.domain.refusal import N_, Refused
from contest.domain.registration import OverQuota, RowProblem, Rules, over_quota
from contest.events.models import Event, Trade, Unit, UnitPlaces
from contest.registration.models import Entrant

#: The most places a unit may have in one trade.
MOST = 999


class PlacesError(Refused):
    """A grid of places that cannot be taken (each problem names its row and column)."""

    INVALID = "invalid"
    NOT_A_NUMBER = "not_a_number"
    BAD_HEADER = "bad_header"
    UNKNOWN_UNIT = "unknown_unit"
    reasons = {
        INVALID: N_("The places were not saved: %(n)s problem(s)."),
        NOT_A_NUMBER: N_(
            "Places are a whole number from 0 to %(most)s, or empty for the trade's quota."
        ),
        BAD_HEADER: N_("The first row must be the template's header: %(expected)s."),
        UNKNOWN_UNIT: N_("There is no unit %(unit)s in this event."),
    }


@dataclass(frozen=True)
class Cell:
    """A unit's places in a trade: set apart (or None: the trade's quota per unit), the
    quota that applies, and the entries so far."""

    places: int | None
    quota: int | None
    entered: int

    @property
    def over(self) -> bool:
        return self.quota is not None and self.entered > self.quota


@dataclass(frozen=True)
class Grid:
    units: list[Unit]
    trades: list[Trade]
    cells: dict[tuple[int, int], Cell]

    def cell(self, unit: Unit, trade: Trade) -> Cell:
        return self.cells[(unit.id, trade.id)]


def places_of(event: Event) -> dict[tuple[str, str], int]:
    """The places set apart in the event: (unit code, trade code) → places."""
    return {
        (unit, trade): places
        for unit, trade, places in db.session.execute(
            sa.select(Unit.code, Trade.code, UnitPlaces.places)
            .join(Unit, Unit.id == UnitPlaces.unit_id)
            .join(Trade, Trade.id == UnitPlaces.trade_id)
            .where(Unit.event_id == event.id)
        )
    }


def entered(event: Event) -> Counter[tuple[str, str]]:
    """Everyone entered in the event, by (unit code, trade code), as the quota counts them."""
    return Counter(
        db.session.execute(
            sa.select(Unit.code, Trade.code)
            .join(Entrant, Entrant.unit_id == Unit.id)
            .join(Trade, Trade.id == Entrant.trade_id)
            .where(Entrant.event_id == event.id)
        )
    )


def grid(event: Event, rules: Rules) -> Grid:
    """Every unit and trade of the event with the places, the quota under the event's
    registration ``rules`` and the entries."""
    units = sorted(event.units, key=lambda u: u.code)
    trades = sorted(event.trades, key=lambda t: (t.position, t.id))
    counts, set_apart = entered(event), places_of(event)
    return Grid(
        units,
        trades,
        {
            (u.id, t.id): Cell(
                set_apart.get((u.code, t.code)),
                rules.quota(u.code, t.code),
                counts[(u.code, t.code)],
            )
            for u in units
            for t in trades
        },
    )


def read_value(raw: Any) -> int | None:
    """A cell of the grid: empty (the trade's quota) or a whole number 0–``MOST``; else
    ``ValueError``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if not text.isdigit() or int(text) > MOST:
        raise ValueError(text)
    return int(text)


def set_places(actor: User, event: Event, values: Mapping[tuple[int, int], int | None]) -> None:
    """Set the places of the given (unit id, trade id) cells (None: back to the trade's
    quota), audited."""
    units = {u.id: u for u in event.units}
    trades = {t.id: t for t in event.trades}
    stored = {
        (row.unit_id, row.trade_id): row
        for row in db.session.scalars(
            sa.select(UnitPlaces).where(UnitPlaces.unit_id.in_(list(units)))
        )
    }
    changes = []
    for (unit_id, trade_id), places in values.items():
        if unit_id not in units or trade_id not in trades:
            continue
        row = stored.get((unit_id, trade_id))
        old = row.places if row else None
        if old == places:
            continue
        if places is None:
            db.session.delete(row)
        elif row is None:
            db.session.add(UnitPlaces(unit_id=unit_id, trade_id=trade_id, places=places))
        else:
            row.places = places
        changes.append({"unit": units[unit_id].code, "trade": trades[trade_id].code,
                        "old": old, "new": places})  # fmt: skip
    if changes:
        db.session.flush()
        audit.record(actor, "places.set", "event", event.id, new={"changes": changes}, event=event)


def warnings(event: Event, rules: Rules) -> list[OverQuota]:
    """The units with more entries in a trade than their places (or the trade's quota)
    allow under the event's registration ``rules``."""
    return over_quota(rules, entered(event))


# --- Excel ---------------------------------------------------------------------------------------


def _header(trades: list[Trade]) -> list[str]:
    return [gettext("Unit code"), gettext("Unit"), *(f"{t.name}（{t.code}）" for t in trades)]


def workbook(event: Event, rules: Rules) -> bytes:
    """The grid as an Excel sheet: a row per unit, a column per trade; empty cells take the
    trade's quota per unit."""
    found = grid(event, rules)
    rows = [[u.code, u.name, *(found.cell(u, t).places for t in found.trades)] for u in found.units]
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Places")
    fill_sheet(sheet, _header(found.trades), rows, 2)
    return workbook_bytes(book)


def read_workbook(event: Event, source: IO[bytes]) -> dict[tuple[int, int], int | None]:
    """The grid of an uploaded sheet, every cell checked (``PlacesError`` naming row and
    column of each problem; ``uploads.UnreadableFile`` for a file that is no workbook)."""
    trades = sorted(event.trades, key=lambda t: (t.position, t.id))
    units = {u.code: u for u in event.units}
    expected = _header(trades)
    with uploads.workbook(source) as book:
        rows = list(
            book.worksheets[0].iter_rows(
                max_row=len(units) + 50, max_col=len(expected), values_only=True
            )
        )
    header = [str(v).strip() if v is not None else "" for v in (rows[0] if rows else ())]
    if header != expected:
        problem = RowProblem(1, None, PlacesError.BAD_HEADER, {"expected": " | ".join(expected)})
        raise PlacesError(PlacesError.INVALID, problems=[problem], n=1)
    values: dict[tuple[int, int], int | None] = {}
    problems = []
    for number, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * (len(expected) - len(row))
        code = str(cells[0]).strip() if cells[0] is not None else ""
        if not code:
            continue
        unit = units.get(code)
        if unit is None:
            problems.append(RowProblem(number, None, PlacesError.UNKNOWN_UNIT, {"unit": code}))
            continue
        for trade, raw in zip(trades, cells[2:], strict=True):
            try:
                values[(unit.id, trade.id)] = read_value(raw)
            except ValueError:
                params = {"most": MOST}
                problems.append(RowProblem(number, expected[2 + trades.index(trade)],
                                           PlacesError.NOT_A_NUMBER, params))  # fmt: skip
    if problems:
        raise PlacesError(PlacesError.INVALID, problems=problems, n=len(problems))
    return values
