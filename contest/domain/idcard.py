"""Resident identity card numbers (居民身份证号码), GB 11643-1999.

An 18-character number: a 6-digit address code, the birth date as YYYYMMDD, a 3-digit
sequence whose last digit is odd for men and even for women, and a check digit (0-9 or X)
computed with ISO 7064 MOD 11-2. Problems are reported as codes (``IdNumberError.code``)
so the application can word them in the user's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")
# Province-level codes of GB/T 2260, plus 71 (Taiwan), 81/82 (Hong Kong/Macao) and 83
# (residence permits for Taiwan residents).
_PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63"}
    | {"64", "65", "71", "81", "82", "83"}
)
EARLIEST_BIRTH = date(1900, 1, 1)


class IdNumberError(ValueError):
    """Why a number is not a valid resident ID; ``code`` is one of the class constants."""

    LENGTH = "length"
    CHARACTERS = "characters"
    REGION = "region"
    BIRTH_DATE = "birth_date"
    CHECK_DIGIT = "check_digit"

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IdNumber:
    """A parsed, valid resident ID number."""

    number: str
    region: str
    birth_date: date
    gender: str  # "M" or "F"


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalise(raw: str) -> str:
    """Strip spaces and upper-case a trailing x, as people type and Excel stores them."""
    return re.sub(r"\s+", "", str(raw)).upper()


def parse(raw: str, today: date | None = None) -> IdNumber:
    """Validate ``raw`` and return its parts; raise ``IdNumberError`` if it is not valid."""
    number = normalise(raw)
    if len(number) != 18:
        raise IdNumberError(IdNumberError.LENGTH)
    if not _SHAPE.match(number):
        raise IdNumberError(IdNumberError.CHARACTERS)
    if number[:2] not in _PROVINCES:
        raise IdNumberError(IdNumberError.REGION)
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(IdNumberError.BIRTH_DATE) from None
    if born < EARLIEST_BIRTH or born > (today or date.today()):
        raise IdNumberError(IdNumberError.BIRTH_DATE)
    if check_digit(number[:17]) != number[17]:
        raise IdNumberError(IdNumberError.CHECK_DIGIT)
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumber(number=number, region=number[:6], birth_date=born, gender=gender)


def build(region: str, birth_date: date, sequence: int, gender: str) -> str:
    """Compose a valid number from its parts (sequence 0-99; the gender digit is derived)."""
    if not (len(region) == 6 and region.isdigit() and 0 <= sequence <= 99):
        raise ValueError("region must be 6 digits and sequence 0-99")
    gender_digit = (1 if gender == "M" else 0) + 2 * (sequence % 5)
    first17 = f"{region}{birth_date:%Y%m%d}{sequence:02d}{gender_digit}"
    return first17 + check_digit(first17)
