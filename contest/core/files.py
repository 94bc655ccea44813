"""Files people download: PDFs rendered from templates with the house print stylesheet
(WeasyPrint, Noto CJK fonts), Excel sheets with the house header, and CSV files.

Names and other text people typed go into spreadsheets as text: a value that a spreadsheet
would read as a formula (``=HYPERLINK(…)``, ``+…``, ``-…``, ``@…``) is written so that it is
shown as typed and never evaluated (OWASP: CSV injection). Every row of every workbook and
CSV file goes through ``append_row`` or ``csv_bytes``.
"""

from __future__ import annotations

import csv
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
#: First characters that make a spreadsheet program read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def looks_like_formula(value: Any) -> bool:
    """Whether a spreadsheet program would take this text for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Add a row to ``sheet`` with text kept as text: a value that looks like a formula
    becomes a string cell with Excel's quote prefix, so it shows as typed and stays text even
    when the cell is edited. Numbers stay numbers."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if looks_like_formula(cell.value):
            cell.data_type = "s"  # openpyxl made it a formula ("f")
            cell.quotePrefix = True


def csv_text(value: Any) -> Any:
    """A CSV field: text that looks like a formula gets a leading single quote (OWASP)."""
    return "'" + value if looks_like_formula(value) else value


def csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """A CSV file that spreadsheets open safely: UTF-8 with a byte-order mark (so Excel reads
    the Chinese), text that looks like a formula prefixed with a single quote."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in (header, *rows):
        writer.writerow([csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def fill_sheet(
    sheet: Any,
    header: list[str],
    rows: Iterable[list[Any]],
    decimals: int,
    keep: tuple[int, int] | None = None,
) -> None:
    """Header row in the house colours, the rows, decimals shown with the event's places
    (columns in ``keep`` — judges' values — as entered), the header frozen."""
    append_row(sheet, header)
    style_header(sheet)
    number_format = "0" if decimals == 0 else "0." + "0" * decimals
    for row in rows:
        append_row(sheet, row)
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
