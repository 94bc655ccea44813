"""The registration desk's downloads: the coverage workbook (不留空白点)."""

from __future__ import annotations

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from contest.core.files import append_row, style_header, workbook_bytes
from contest.core.labels import label
from contest.events.models import Event
from contest.registration.desk import Coverage


def coverage_workbook(event: Event, report: Coverage) -> bytes:
    """The coverage report: one row per unit, entries per trade with the quota, gaps marked."""
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Coverage")
    header = [gettext("Unit code"), gettext("Unit"), gettext("Kind"), gettext("Team")]
    for trade in report.trades:
        quota = f"/{trade.unit_quota}" if trade.unit_quota else ""
        header.append(f"{trade.name}{quota}")
    header.append(gettext("Entrants"))
    append_row(sheet, header)
    gap = PatternFill("solid", fgColor="FDE68A")
    for row in report.rows:
        counts = [row.entries.get(t.code, 0) for t in report.trades]
        append_row(sheet, [
            row.unit.code, row.unit.name, label(row.unit.kind),
            gettext("Yes") if row.has_team else gettext("No team"), *counts, sum(counts),
        ])  # fmt: skip
        if not row.has_team:
            for cell in sheet[sheet.max_row]:
                cell.fill = gap
    total = [gettext("Total"), "", "", ""] + [report.field.get(t.code, 0) for t in report.trades]
    append_row(sheet, [*total, sum(report.field.values())])
    minimum = [gettext("Minimum field"), "", "", ""] + [t.min_entrants or "" for t in report.trades]
    append_row(sheet, minimum)
    for index, trade in enumerate(report.trades, start=5):
        if trade in report.trades_below_minimum:
            sheet.cell(row=sheet.max_row - 1, column=index).fill = gap
    style_header(sheet)
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 24 if index == 2 else 12
    sheet.freeze_panes = "C2"
    return workbook_bytes(book)
