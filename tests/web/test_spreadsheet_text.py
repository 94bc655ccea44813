"""What people typed goes into every spreadsheet as text: a name such as
``=HYPERLINK("http://evil.example","x")`` is never a live formula in an Excel workbook or a
CSV file, downloaded from a page or written by a command; numbers stay numbers."""

import csv
import io
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from contest.accounts.models import Role
from contest.core.extensions import db
from contest.core.files import append_row, csv_bytes
from contest.domain.package import read_package
from contest.events.models import Trade, Unit
from contest.packages import importing
from contest.publication import final
from contest.publication import services as publications
from tests.conftest import login
from tests.factories import make_user, sign_off
from tests.packages import small_package

EVIL = '=HYPERLINK("http://evil.example","x")'
#: The other first characters a spreadsheet reads as the start of a formula.
OTHERS = ["+1+1", "-2+3", "@SUM(1)", "\tTAB", "\rCR"]


@pytest.fixture
def evil(app):
    """The small package's event with the formula as the event's, a unit's, a team's, a
    trade's, a component's, an award's and an entrant's name; results published."""
    document = small_package()
    document["event"]["name"] = EVIL
    document["event"]["award_rules"][0]["title"] = EVIL
    document["units"][0]["name"] = EVIL
    document["teams"][0]["name"] = EVIL
    document["trades"][1]["name"] = EVIL
    document["trades"][0]["components"][0]["name"] = EVIL
    document["entrants"][0]["name"] = EVIL
    with app.app_context():
        make_user(Role.ORGANISER, username="organiser")
        package = read_package(json.loads(json.dumps(document), parse_float=Decimal))
        event = importing.import_package(package).event
        sign_off(*event.trades)
        db.session.flush()
        publications.publish_notice(event)
        final.publish_results(event)
        db.session.commit()
        weld = db.session.execute(sa.select(Trade.id).where(Trade.code == "WELD")).scalar_one()
        unit = db.session.execute(sa.select(Unit.id).where(Unit.code == "U1")).scalar_one()
        return SimpleNamespace(event_id=event.id, slug=event.slug, weld=weld, unit=unit)


def cells(data: bytes) -> list:
    """Every cell of every sheet of the workbook."""
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def assert_text_only(data: bytes) -> None:
    """No formula anywhere; the name is there as the literal text, quote-prefixed so that
    editing the cell keeps it text; some number is still a number."""
    found = cells(data)
    formulas = [(cell.coordinate, cell.value) for cell in found if cell.data_type == "f"]
    assert formulas == []
    named = [cell for cell in found if cell.value == EVIL]
    assert named and all(cell.data_type == "s" and cell.quotePrefix for cell in named)


def assert_numbers_stay_numbers(data: bytes) -> None:
    assert any(cell.data_type == "n" and cell.value == 87.08 for cell in cells(data))


def test_every_workbook_a_page_offers_keeps_the_names_as_text(client, evil):
    login(client, "organiser")
    downloads = [
        f"/results/events/{evil.event_id}/results.xlsx",
        f"/results/trades/{evil.weld}/results.xlsx",
        f"/registration/events/{evil.event_id}/coverage.xlsx",
        f"/unit/{evil.unit}/roster-template.xlsx",
        f"/e/{evil.slug}/awards.xlsx",
    ]
    for path in downloads:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_text_only(response.data)
    assert_numbers_stay_numbers(client.get(downloads[0]).data)
    assert_numbers_stay_numbers(client.get(downloads[-1]).data)


def test_the_commands_write_workbooks_and_csv_with_the_names_as_text(runner, evil, tmp_path):
    workbook, roster = tmp_path / "results.xlsx", tmp_path / "roster.xlsx"
    for args in (
        ["export-results", evil.slug, "--format", "xlsx", "-o", str(workbook)],
        ["roster-template", evil.slug, "-o", str(roster)],
    ):
        assert runner.invoke(args=args).exit_code == 0, args
    assert_text_only(workbook.read_bytes())
    assert_numbers_stay_numbers(workbook.read_bytes())
    assert_text_only(roster.read_bytes())

    result = runner.invoke(args=["export-results", evil.slug, "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    fields = [field for row in rows for field in row]
    assert "'" + EVIL in fields and EVIL not in fields
    assert "87.08" in fields  # numbers are written as numbers, not quoted
    assert not [f for f in fields if f[:1] in ("=", "+", "@", "\t", "\r")]


@pytest.mark.parametrize("text", [EVIL, *OTHERS])
def test_any_formula_start_is_written_as_text(text):
    book = Workbook()
    append_row(book.active, [text, -3, Decimal("-1.5"), "plain", "a=b"])
    buffer = io.BytesIO()
    book.save(buffer)
    first, negative, decimal, plain, inner = cells(buffer.getvalue())
    assert (first.data_type, first.quotePrefix) == ("s", True)
    assert first.value == text.replace("\r", "\n")  # XML reads a carriage return as a newline
    assert (negative.value, negative.data_type) == (-3, "n")
    assert (decimal.value, decimal.data_type) == (-1.5, "n")
    assert not plain.quotePrefix and not inner.quotePrefix

    written = csv_bytes(["名称", "数"], [[text, Decimal("-1.5")], ["a=b", -3]])
    rows = list(csv.reader(io.StringIO(written.decode("utf-8-sig"), newline="")))
    assert rows == [["名称", "数"], ["'" + text, "-1.5"], ["a=b", "-3"]]
