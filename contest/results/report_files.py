"""The internal results as files: a trade's Excel workbook (every judge's values, dropped
ones struck through) and PDFs of a trade and of the event overview."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.styles import Font

from contest.core.files import fill_sheet, render_pdf, workbook_bytes
from contest.results.overview import EventReport
from contest.results.report import EntrantRow, Seat, TradeReport, seat_label

STRUCK = Font(strike=True, color="6B7280")


def trade_workbook(report: TradeReport) -> bytes:
    """The trade's results as .xlsx: one row per entrant, then a sheet of every judge's
    values per criterion (dropped values struck through) with the marks."""
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Results")
    components = report.components
    header = [
        gettext("Rank"),
        gettext("Entrant code"),
        gettext("Name"),
        gettext("Unit"),
        gettext("Team"),
        gettext("Status"),
        *(name for _, name, _ in components),
        gettext("Total"),
        gettext("T-score"),
        gettext("Completion time (s)"),
        gettext("Tie-break"),
        gettext("Flags"),
        gettext("Awards"),
        gettext("Deductions"),
    ]
    rows = []
    for row in report.rows:
        scores = []
        for code, _, _ in components:
            line = row.component(code)
            scores.append(line.score.value if line is not None and line.score else None)
        rows.append(
            [
                row.rank,
                row.code,
                row.name,
                row.unit,
                row.team,
                row.status_label,
                *scores,
                row.total,
                row.t_score,
                row.time,
                " ".join(row.ties),
                " ".join(f.code for f in row.flags),
                "、".join(row.awards),
                _deductions(row),
            ]
        )
    fill_sheet(sheet, header, rows, report.decimals)

    values = book.create_sheet(gettext("Judges' values"))
    judges = [j.code for j in report.judges]
    header = [
        gettext("Entrant code"),
        gettext("Name"),
        gettext("Component"),
        gettext("Criterion code"),
        gettext("Criterion"),
        *judges,
        gettext("Aggregate"),
        gettext("Factor"),
        gettext("Mark"),
        gettext("Dropped"),
        gettext("Flags"),
        gettext("Mark before deductions"),
        gettext("Deductions"),
    ]
    lines, struck = [], []
    for row in report.rows:
        for component in row.components:
            for criterion in component.criteria:
                cells = []
                for column, cell in enumerate(criterion.cells, start=6):
                    if cell.value is not None:
                        cells.append(cell.value)
                        if cell.seat == Seat.DROPPED:
                            struck.append((len(lines) + 2, column))
                    elif cell.seat == Seat.OFF:
                        cells.append(None)
                    else:
                        cells.append(seat_label(cell.seat))
                lines.append(
                    [
                        row.code,
                        row.name,
                        component.name,
                        criterion.code,
                        criterion.name,
                        *cells,
                        criterion.aggregate.value if criterion.aggregate else None,
                        criterion.factor,
                        criterion.mark.value if criterion.mark else None,
                        " ".join(criterion.dropped),
                        criterion.flag,
                        criterion.deductions.before if criterion.deductions else None,
                        "；".join(criterion.deductions.lines) if criterion.deductions else None,
                    ]
                )
    fill_sheet(values, header, lines, report.decimals, keep=(6, 6 + len(judges)))
    for row_number, column in struck:
        values.cell(row=row_number, column=column).font = STRUCK
    return workbook_bytes(book)


def _deductions(row: EntrantRow) -> str | None:
    """Everything taken off an entrant (or why penalties disqualified them), in words."""
    said = []
    for component in row.components:
        for criterion in component.criteria:
            if criterion.deductions:
                said.extend(f"{criterion.code} {line}" for line in criterion.deductions.lines)
        if component.deductions:
            said.extend(f"{component.name} {line}" for line in component.deductions.lines)
    if row.disqualified:
        said.append(row.disqualified)
    return "；".join(said) or None


#: The results documents' own print styles, on top of the house stylesheet (templates carry
#: no style elements, so that every template passes the same strict-CSP check).
RESULTS_CSS = """
body { font-size: 9pt; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; break-after: avoid; }
th, td { padding: 1.2mm 1.6mm; vertical-align: top; }
td.r, th.r { text-align: right; }
tr { break-inside: avoid; }
del { color: #777; }
.meta { color: #444; font-size: 8.5pt; }
.note { font-size: 8pt; color: #333; }
"""
LANDSCAPE_CSS = "@page { size: A4 landscape; margin: 12mm 10mm 14mm; }"


def trade_pdf(report: TradeReport, printed_at: datetime) -> bytes:
    """The trade's results and every judge's values, A4 landscape."""
    return render_pdf(
        "pdf/results_trade.html", RESULTS_CSS, LANDSCAPE_CSS, report=report, printed_at=printed_at
    )


def event_pdf(report: EventReport, printed_at: datetime) -> bytes:
    """The event's summary: trades, unit and medal tables, teams, award lists."""
    return render_pdf("pdf/results_event.html", RESULTS_CSS, report=report, printed_at=printed_at)
