"""Files people download: PDFs rendered from templates with the house print stylesheet
(WeasyPrint, Noto CJK fonts), and Excel sheets with the house header."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import render_template
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from weasyprint import CSS, HTML

PDF_STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "pdf.css"
HEADER_FILL = PatternFill("solid", fgColor="B91C1C")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render_pdf(template: str, *css: str, **context: Any) -> bytes:
    """A template rendered to PDF with the house print stylesheet and ``css`` on top."""
    html = render_template(template, **context)
    sheets = [CSS(filename=PDF_STYLESHEET), *(CSS(string=c) for c in css)]
    return HTML(string=html).write_pdf(stylesheets=sheets)


def style_header(sheet: Any) -> None:
    """The first row in the house colours."""
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")


def fill_sheet(
    sheet: Any,
    header: list[str],
    rows: Iterable[list[Any]],
    decimals: int,
    keep: tuple[int, int] | None = None,
) -> None:
    """Header row in the house colours, the rows, decimals shown with the event's places
    (columns in ``keep`` — judges' values — as entered), the header frozen."""
    sheet.append(header)
    style_header(sheet)
    number_format = "0" if decimals == 0 else "0." + "0" * decimals
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            entered = keep is not None and keep[0] <= cell.column < keep[1]
            if isinstance(cell.value, Decimal) and not entered:
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    for index, title in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(title) * 2 + 4)


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as an .xlsx file."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
