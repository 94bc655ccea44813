"""Printable and downloadable documents of the registration desk: coverage workbook,
station list and door list (PDF, rendered with WeasyPrint and Noto CJK fonts)."""

from __future__ import annotations

import io
from pathlib import Path

from flask import render_template
from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from weasyprint import CSS, HTML

from contest.labels import label
from contest.models import Event, Trade
from contest.services import draw
from contest.services.registration import Coverage

HEADER_FILL = PatternFill("solid", fgColor="B91C1C")


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
    sheet.append(header)
    gap = PatternFill("solid", fgColor="FDE68A")
    for row in report.rows:
        counts = [row.entries.get(t.code, 0) for t in report.trades]
        sheet.append([
            row.unit.code, row.unit.name, label(row.unit.kind),
            gettext("Yes") if row.has_team else gettext("No team"), *counts, sum(counts),
        ])  # fmt: skip
        if not row.has_team:
            for cell in sheet[sheet.max_row]:
                cell.fill = gap
    total = [gettext("Total"), "", "", ""] + [report.field.get(t.code, 0) for t in report.trades]
    sheet.append([*total, sum(report.field.values())])
    minimum = [gettext("Minimum field"), "", "", ""] + [t.min_entrants or "" for t in report.trades]
    sheet.append(minimum)
    for index, trade in enumerate(report.trades, start=5):
        if trade in report.trades_below_minimum:
            sheet.cell(row=sheet.max_row - 1, column=index).fill = gap
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 24 if index == 2 else 12
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


PDF_STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "pdf.css"


def _pdf(template: str, **context) -> bytes:
    html = render_template(template, **context)
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=PDF_STYLESHEET)])


def station_list_pdf(trade: Trade) -> bytes:
    """工位表: every station with its anonymous code, for the venue (no names)."""
    return _pdf("pdf/stations.html", trade=trade, entrants=draw.station_list(trade))


def door_list_pdf(trade: Trade) -> bytes:
    """检录表: name, unit, masked ID number and station, with a column for the signature."""
    entrants = sorted(draw.drawable(trade), key=lambda e: (e.station_no or 10**6, e.code))
    return _pdf("pdf/door_list.html", trade=trade, entrants=entrants)
