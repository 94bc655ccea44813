"""Roster uploads that try to hurt the server: a zip bomb, external entities, entity
expansion, parts by the thousand, a row of endless cells — each refused with a message, as a
file that is not a workbook is; and nothing is read outside the registration window."""

import io
import zipfile

import openpyxl
import pytest
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from contest.domain.stages import StageState
from tests.conftest import login
from tests.rosters import (
    HEADER,
    SHEET,
    billion_laughs,
    deflated,
    pack,
    parts_of,
    repeated,
    roster_bytes,
    row,
    sheet_with,
    text_row,
    with_part,
    xxe_workbook,
    zip_bomb,
)
from tests.web.test_registration import desk, entrants, set_window, upload

__all__ = ["desk"]  # the fixture

UNREADABLE = "文件无法读取"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb()


@pytest.fixture
def unpacked(monkeypatch) -> list[str]:
    """The names of the parts anything unpacks during the test."""
    names: list[str] = []
    original = zipfile.ZipFile.open

    def opening(archive, name, *args, **kwargs):
        names.append(getattr(name, "filename", name))
        return original(archive, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", opening)
    return names


def refused(app, client, desk, data: bytes, *words: str):
    """Upload ``data`` as contact A: refused with 400 and ``words``, nothing registered."""
    login(client, "contact-a")
    response = upload(client, desk.a, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    for text in (UNREADABLE, *words):
        assert text in page, text
    assert entrants(app) == []
    return page


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked(
    app, client, desk, bomb, unpacked
):
    assert len(bomb) < 600_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo(SHEET).file_size > 100_000_000
    unpacked.clear()
    refused(app, client, desk, bomb, "MB，超过允许的 16 MB")
    assert unpacked == []


def test_a_part_compressed_a_thousand_times_over_is_refused_unread(app, client, desk, unpacked):
    head, tail = sheet_with(text_row(1, *HEADER)).split(b"</sheetData>")
    dense = repeated(head, b" " * (1 << 20), 4, b"</sheetData>" + tail)  # 4 MB of spaces
    data = with_part(SHEET, dense)
    unpacked.clear()
    refused(app, client, desk, data, "压缩比超过 100 倍")
    assert unpacked == []


def test_a_workbook_of_a_thousand_parts_is_refused(app, client, desk):
    parts = parts_of(roster_bytes([row(1)]))
    parts += [(f"xl/media/image{n}.png", b"") for n in range(1000)]
    refused(app, client, desk, pack(parts), "超过 500 个部分")


def test_a_part_named_twice_is_refused(app, client, desk):
    parts = parts_of(roster_bytes([row(1)]))
    other = sheet_with(text_row(1, *HEADER) + text_row(2, *row(2)))
    refused(app, client, desk, pack([*parts, (SHEET, other)]), "重名")


def test_an_external_entity_is_refused_and_the_file_it_names_never_shown(
    app, client, desk, tmp_path
):
    secret = tmp_path / "secret.txt"
    secret.write_text("姓名")  # were it read, the header would be right
    page = refused(app, client, desk, xxe_workbook(secret), "文档类型声明")
    assert str(secret) not in page


def test_entity_expansion_is_refused(app, client, desk):
    refused(app, client, desk, billion_laughs(), "文档类型声明")


def test_openpyxl_itself_reads_workbooks_through_defusedxml():
    """The second guard behind ours: openpyxl refuses entities when defusedxml is there."""
    from defusedxml import EntitiesForbidden

    assert openpyxl.DEFUSEDXML
    with pytest.raises(ValueError) as caught:
        openpyxl.load_workbook(io.BytesIO(billion_laughs()), read_only=True)
    assert isinstance(caught.value.__cause__, EntitiesForbidden)


def test_a_row_of_endless_cells_is_refused(app, client, desk):
    cells = "".join(f'<c r="A1"><v>{n}</v></c>' for n in range(30_000))
    data = with_part(SHEET, sheet_with(f'<row r="1">{cells}</row>'))
    refused(app, client, desk, data, "超过 50000 个元素")


def test_a_sheet_claiming_every_column_is_read_eight_columns_wide(app, client, desk, monkeypatch):
    widths: list[int] = []
    original = ReadOnlyWorksheet._get_row

    def measured(sheet, *args, **kwargs):
        widths.append(len(result := original(sheet, *args, **kwargs)))
        return result

    monkeypatch.setattr(ReadOnlyWorksheet, "_get_row", measured)
    rows = "".join(text_row(n, *row(n)) for n in range(2, 5))
    sheet = sheet_with(text_row(1, *HEADER) + rows).replace(
        b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>'
    )
    login(client, "contact-a")
    assert upload(client, desk.a, with_part(SHEET, sheet)).status_code == 302
    assert len(entrants(app)) == 3
    assert widths and max(widths) == len(HEADER)


@pytest.mark.parametrize(
    "data",
    [
        b"not a workbook",
        roster_bytes([row(1)])[:-100],  # cut short: no central directory
        with_part(SHEET, b"<worksheet><sheetData><row>"),  # unfinished XML
        with_part(SHEET, deflated(b"\x00" * 64)),  # not XML at all
        pack([("xl/workbook.xml", b"<workbook/>")]),  # no content types, no sheets
    ],
    ids=["not a zip", "truncated", "bad XML", "binary sheet", "no sheets"],
)
def test_a_file_that_is_not_a_readable_workbook_is_refused(app, client, desk, data):
    refused(app, client, desk, data, "不是 Excel 工作簿")


def test_outside_the_window_the_file_is_not_read(app, client, desk, bomb, unpacked):
    set_window(app, desk.event, StageState.CLOSED)
    login(client, "contact-a")
    for data in (b"not a workbook", bomb, billion_laughs()):
        unpacked.clear()
        response = upload(client, desk.a, data)
        page = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "报名已截止" in page and UNREADABLE not in page
        assert unpacked == []
    assert entrants(app) == []


def test_after_the_window_organisers_upload_with_a_reason_only(app, client, desk):
    set_window(app, desk.event, StageState.CLOSED)
    login(client, "organiser")
    without = upload(client, desk.a, b"not a workbook")
    assert without.status_code == 409 and UNREADABLE not in without.get_data(as_text=True)
    broken = upload(client, desk.a, b"not a workbook", reason="补报，经组委会同意")
    assert broken.status_code == 400 and UNREADABLE in broken.get_data(as_text=True)
    response = upload(client, desk.a, roster_bytes([row(1)]), reason="补报，经组委会同意")
    assert response.status_code == 302
    assert [e.name for e in entrants(app)] == ["选手1"]
