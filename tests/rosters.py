"""Excel rosters built in the tests (real .xlsx files, written with openpyxl)."""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from contest.domain import idcard

HEADER = ["姓名", "身份证号码", "性别", "出生日期", "工种", "技能等级", "手机号码", "工作单位"]


def person(n: int, born: date = date(1990, 1, 1), gender: str = "M") -> str:
    return idcard.build("330102", born + timedelta(days=n // 100), n % 100, gender)


def roster_bytes(rows: list[list], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(n: int, **fields) -> list:
    values = {
        "name": f"选手{n}", "id": person(n), "gender": "男", "birth": None, "trade": "焊工",
        "level": "高级工", "phone": "13800001111", "employer": "某公司",
    }  # fmt: skip
    values["birth"] = idcard.parse(values["id"]).birth_date.isoformat()
    values.update(fields)
    return list(values.values())


# --- hostile workbooks ------------------------------------------------------------------------
# An .xlsx is a zip archive of XML parts. These are written part by part so that a part can
# be one the zip module would never write: already compressed, twice in one archive.


@dataclass(frozen=True)
class Deflated:
    """A part's bytes as the archive stores them (raw deflate), with its size and CRC."""

    data: bytes
    size: int
    crc: int


def deflated(content: bytes) -> Deflated:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return Deflated(packer.compress(content) + packer.flush(), len(content), zlib.crc32(content))


def repeated(head: bytes, chunk: bytes, times: int, tail: bytes) -> Deflated:
    """``head + chunk * times + tail`` deflated without compressing every chunk: once the
    window holds nothing but the chunk (a chunk of 32 KB or more, repeating itself), the
    compressed form of one more chunk is the same every time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head + chunk) + packer.flush(zlib.Z_SYNC_FLUSH)
    again = packer.compress(chunk) + packer.flush(zlib.Z_SYNC_FLUSH)
    last = packer.compress(tail) + packer.flush()
    crc = zlib.crc32(head + chunk)
    for _ in range(times - 1):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(chunk) * times + len(tail)
    return Deflated(first + again * (times - 1) + last, size, crc)


def pack(parts: list[tuple[str, bytes | Deflated]]) -> bytes:
    """A zip archive of the parts, in order, as given (a name may come twice)."""
    body, directory = io.BytesIO(), io.BytesIO()
    for name, content in parts:
        part = content if isinstance(content, Deflated) else deflated(content)
        raw = name.encode()
        fields = (8, 0, 0x21, part.crc, len(part.data), part.size, len(raw))  # 1980-01-01
        directory.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, *fields,
                                    0, 0, 0, 0, 0, body.tell()) + raw)  # fmt: skip
        body.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, *fields, 0) + raw + part.data)
    count, size = len(parts), directory.tell()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, body.tell(), 0)
    return body.getvalue() + directory.getvalue() + end


def parts_of(workbook: bytes) -> list[tuple[str, bytes | Deflated]]:
    """The parts of a workbook, unpacked."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


SHEET = "xl/worksheets/sheet1.xml"


def with_part(name: str, content: bytes | Deflated, workbook: bytes | None = None) -> bytes:
    """A one-row roster (or ``workbook``) with the part ``name`` replaced by ``content``."""
    parts = parts_of(workbook or roster_bytes([row(1)]))
    assert name in dict(parts)
    return pack([(n, content if n == name else c) for n, c in parts])


def sheet_with(rows: str = "", doctype: str = "") -> bytes:
    """A worksheet part: a document type declaration if given, and the rows given."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def text_row(number: int, *texts: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
        for i, text in enumerate(texts)
    )
    return f'<row r="{number}">{cells}</row>'


def zip_bomb(megabytes: int = 100) -> bytes:
    """A roster whose worksheet unpacks to ``megabytes`` MB of one repeated row."""
    chunk = text_row(2, *row(1)[:2]).encode()
    chunk *= (1 << 20) // len(chunk)
    head, tail = sheet_with(text_row(1, *HEADER)).split(b"</sheetData>")
    return with_part(SHEET, repeated(head, chunk, megabytes, b"</sheetData>" + tail))


def xxe_workbook(secret: Path) -> bytes:
    """A roster whose header's first cell is an external entity naming a local file."""
    doctype = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    header = text_row(1, "&xxe;", *HEADER[1:])
    return with_part(SHEET, sheet_with(header + text_row(2, *row(1)), doctype))


def billion_laughs() -> bytes:
    """A roster whose first cell expands to a billion "lol"s."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    doctype = f"<!DOCTYPE worksheet [{''.join(entities)}]>"
    return with_part(SHEET, sheet_with(text_row(1, "&lol9;", *HEADER[1:]), doctype))
