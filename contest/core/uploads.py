"""Files people upload, read without letting them hurt the server.

An Excel workbook (.xlsx) is a zip archive of XML parts, and a small archive can unpack to
gigabytes. Before openpyxl sees one, ``workbook`` checks

- the archive's central directory, without unpacking anything: how many parts, their size
  unpacked, how much each is compressed, no name twice (``ZipLimits``);
- every part, unpacked as a stream and scanned by expat in constant memory: no document
  type declaration (a workbook never has one; entities, local or external, need one), and
  no more than ``ZipLimits.elements`` elements in one row, one shared string or any other
  part — openpyxl builds each of those whole in memory.

openpyxl itself parses through defusedxml whenever that is installed (``openpyxl.DEFUSEDXML``),
so entities stay refused behind this check too. Whatever goes wrong reading the file, then
or while the caller reads its rows, is an ``UnreadableFile`` (400) — never a server error.

A JSON document is read only up to a size, and parsed only if it is nested no deeper than
a limit (``load_json``).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import IO, Any
from xml.parsers import expat

from flask import current_app
from openpyxl import load_workbook

from contest.domain.refusal import N_, Refused

MB = 1 << 20


class UnreadableFile(Refused):
    """An uploaded file that cannot be read, or not without harm to the server."""

    reasons = {
        "unreadable": N_(
            "The file cannot be read: it is not an Excel workbook (.xlsx), or it is damaged."
        ),
        "too_many_parts": N_("The file cannot be read: it has more than %(max)d parts."),
        "too_large_unpacked": N_(
            "The file cannot be read: unpacked it has %(size)d MB, more than the %(max)d MB "
            "allowed."
        ),
        "compressed_too_much": N_(
            "The file cannot be read: part of it is compressed more than %(max)d times over, "
            "as only a damaged or hostile file is."
        ),
        "duplicate_part": N_(
            "The file cannot be read: two of its parts have the same name, as only a damaged "
            "or hostile file has."
        ),
        "declaration": N_(
            "The file cannot be read: it contains a document type declaration, which a "
            "workbook never does."
        ),
        "too_complex": N_(
            "The file cannot be read: a row or part of it has more than %(max)d elements."
        ),
        "too_large": N_("The file cannot be read: it is larger than %(max)d MB."),
        "too_deep": N_("The file cannot be read: its data is nested more than %(max)d levels."),
    }


@dataclass(frozen=True)
class ZipLimits:
    """What an uploaded archive may hold. A 10,000-row roster unpacks to about 5 MB."""

    parts: int = 500
    unpacked: int = 16 * MB
    #: Unpacked size ÷ packed size of any part of at least ``ratio_from`` bytes.
    ratio: int = 100
    ratio_from: int = MB
    #: Elements in one row (``row``), one shared string (``si``) or any other whole part.
    elements: int = 50_000


WORKBOOK = ZipLimits()
#: The signature of an entry of the central directory; zipfile reads one ZipInfo for each.
CENTRAL_ENTRY = b"PK\x01\x02"
#: Elements openpyxl reads (and forgets) one at a time; everything else it reads whole.
STREAMED = {"row", "si"}


@contextmanager
def workbook(source: IO[bytes], limits: ZipLimits = WORKBOOK) -> Iterator[Any]:
    """The uploaded workbook in ``source`` opened read-only, once ``check_archive`` passes;
    closed after the block. Any failure to read it, in the block too, is ``UnreadableFile``."""
    with _unreadable():
        check_archive(source, limits)
        source.seek(0)
        book = load_workbook(source, read_only=True, data_only=True, keep_links=False)
    try:
        with _unreadable():
            yield book
    finally:
        book.close()


@contextmanager
def _unreadable() -> Iterator[None]:
    """Any failure of the block but a refusal becomes ``UnreadableFile``: a broken or hostile
    file makes zipfile, expat and openpyxl fail in many ways (BadZipFile, ParseError,
    KeyError, TypeError, defusedxml's refusals, …)."""
    try:
        yield
    except Refused:
        raise
    except Exception as error:
        current_app.logger.info("refused an unreadable upload: %r", error)
        raise UnreadableFile("unreadable") from error


def check_archive(source: IO[bytes], limits: ZipLimits = WORKBOOK) -> None:
    """Refuse the zip archive in ``source`` if its directory or its XML parts exceed
    ``limits`` (see the module's docstring); ``zipfile.BadZipFile`` if it is no archive."""
    if _occurrences(source, CENTRAL_ENTRY) > limits.parts:  # before zipfile reads them all
        raise UnreadableFile("too_many_parts", max=limits.parts)
    source.seek(0)
    with zipfile.ZipFile(source) as archive:
        parts = archive.infolist()
        check_directory(parts, limits)
        for part in parts:
            with archive.open(part) as stream:
                _scan(stream, limits.elements)


def check_directory(parts: list[zipfile.ZipInfo], limits: ZipLimits = WORKBOOK) -> None:
    """Refuse an archive by what its central directory says of its parts (zipfile never
    unpacks more of a part than the directory says)."""
    if len(parts) > limits.parts:
        raise UnreadableFile("too_many_parts", max=limits.parts)
    if len({part.filename for part in parts}) < len(parts):
        raise UnreadableFile("duplicate_part")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.unpacked:
        size = -(-unpacked // MB)
        raise UnreadableFile("too_large_unpacked", size=size, max=limits.unpacked // MB)
    for part in parts:
        if part.file_size >= limits.ratio_from and part.file_size > limits.ratio * max(
            part.compress_size, 1
        ):
            raise UnreadableFile("compressed_too_much", max=limits.ratio)


def _occurrences(source: IO[bytes], pattern: bytes, size: int = MB) -> int:
    """How many times ``pattern`` occurs in ``source``, read a block at a time."""
    count, overlap = 0, b""
    while block := source.read(size):
        data = overlap + block
        count += data.count(pattern)
        overlap = data[-(len(pattern) - 1) :]  # too short to hold it: never counted twice
    return count


def _scan(stream: IO[bytes], most: int) -> None:
    """Refuse a part with a document type declaration or more than ``most`` elements in
    one row, shared string or the rest of it. Where the part stops being well-formed XML
    (binary parts at once), the scan stops: no XML parser reads further either."""
    count = 0

    def start(name: str, attributes: Any) -> None:
        nonlocal count
        count = 0 if name.rpartition(":")[2] in STREAMED else count + 1
        if count > most:
            raise UnreadableFile("too_complex", max=most)

    def declaration(*args: Any) -> None:
        raise UnreadableFile("declaration")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = declaration
    with suppress(expat.ExpatError):
        parser.ParseFile(stream)


# --- JSON ----------------------------------------------------------------------------------

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def load_json(source: IO[bytes], *, max_size: int, max_depth: int) -> Any:
    """The JSON document in ``source`` (UTF-8, numbers with a fraction as ``Decimal``),
    refused unread beyond ``max_size`` bytes and unparsed if nested deeper than
    ``max_depth``. ``ValueError`` if it is not UTF-8 JSON."""
    data = source.read(max_size + 1)
    if len(data) > max_size:
        raise UnreadableFile("too_large", max=max_size // MB)
    if nesting(data) > max_depth:
        raise UnreadableFile("too_deep", max=max_depth)
    return json.loads(data.decode("utf-8-sig"), parse_float=Decimal)


def nesting(data: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (brackets inside strings aside)."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    return max(accumulate(_STEP[b] for b in brackets), default=0)
