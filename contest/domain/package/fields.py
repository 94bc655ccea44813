"""The values of a package, as pydantic types, and pydantic's errors as the package's problems.

Pydantic checks the shape of the document (objects, required and unknown keys, lists, text,
true/false, exact decimals, whole numbers and their bounds); the small checks below word
what it cannot (blank text, choices, dates, …) with the package's own codes
(``PackageError.reasons``). ``problems_of`` turns a ``ValidationError`` into the same
``Problem`` list the package reader has always given: the path in the document, the code
and the details its message names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BeforeValidator, PlainValidator, Strict, ValidationError
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from contest.domain.numbers import MAX_PLACES, MAX_WHOLE_DIGITS, reasonable
from contest.domain.refusal import Problem

CODE_LENGTH = 32
E = TypeVar("E", bound=StrEnum)


def fault(code: str, /, **params: Any) -> PydanticCustomError:
    """A problem of one value: its code and the details its message names."""
    return PydanticCustomError(code, code, params)


#: A problem found below a value: where (relative to it), what, and the value found there.
Fault = tuple[tuple[str | int, ...], PydanticCustomError, Any]


def rejected(title: str, found: Sequence[Fault]) -> ValidationError:
    """The problems ``found``, to be raised together."""
    details = [InitErrorDetails(type=e, loc=loc, input=given) for loc, e, given in found]
    return ValidationError.from_exception_data(title, details)


def reported(error: ValidationError) -> list[Fault]:
    """The problems pydantic reported, to be raised again beside others (``rejected``)."""
    return [
        (tuple(e["loc"]), PydanticCustomError(e["type"], e["type"], e.get("ctx")), e["input"])
        for e in error.errors(include_url=False)
    ]


def text(max_length: int) -> AfterValidator:
    """The check of non-empty text of at most ``max_length`` characters."""

    def check(value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise fault("not_text")
        if len(value) > max_length:
            raise fault("too_long", max=max_length)
        return stripped

    return AfterValidator(check)


#: Non-empty text of at most 200 characters (``Annotated[str, Strict(), text(n)]`` for
#: another length), read without its surrounding spaces.
Text = Annotated[str, Strict(), text(200)]
Code = Annotated[str, Strict(), text(CODE_LENGTH)]


def _reasonable(number: Decimal) -> Decimal:
    if not reasonable(number):
        shown = str(number)
        raise fault(
            "unreasonable_number",
            value=shown if len(shown) <= 24 else f"{shown[:20]}…",
            whole=MAX_WHOLE_DIGITS,
            places=MAX_PLACES,
        )
    return number


def _positive(number: Decimal) -> Decimal:
    if number <= 0:
        raise fault("not_positive", value=str(number))
    return number


def _not_negative(number: Decimal) -> Decimal:
    if number < 0:
        raise fault("too_small", value=str(number), min="0")
    return number


def _percent(number: Decimal) -> Decimal:
    if number > 100:
        raise fault("too_large", value=str(number), max=100)
    return number


#: A finite decimal of reasonable length (a JSON number, read exactly, or its text; see
#: ``numbers.reasonable``), checked before anything else is done with it.
Number = Annotated[Decimal, AfterValidator(_reasonable)]
Positive = Annotated[Number, AfterValidator(_positive)]
NotNegative = Annotated[Number, AfterValidator(_not_negative)]
Percent = Annotated[Number, AfterValidator(_positive), AfterValidator(_percent)]


def _whole(value: Any) -> Any:
    if isinstance(value, bool) or not (
        isinstance(value, int)
        or (isinstance(value, Decimal) and value.is_finite())
        or (isinstance(value, float) and math.isfinite(value))
    ):
        raise fault("not_integer", value=str(value))
    return value


#: A whole number (not text, not true/false); ``Annotated[Whole, Field(ge=…, le=…)]`` bounds it.
Whole = Annotated[int, BeforeValidator(_whole)]


Flag = Annotated[bool, Strict()]


def _chosen(value: Any, options: Sequence[str]) -> Any:
    if value not in options:
        raise fault("not_choice", value=str(value), choices=", ".join(options))
    return value


def one_of(options: Sequence[str]) -> PlainValidator:
    """One of ``options``, exactly as written."""
    return PlainValidator(lambda value: _chosen(value, options))


def member(kind: type[E]) -> PlainValidator:
    """A member of the enumeration ``kind``, by its value."""
    values = tuple(k.value for k in kind)
    return PlainValidator(lambda value: kind(_chosen(value, values)))


def _day(value: Any) -> date:
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise fault("not_date", value=str(value)) from None


def _instant(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise fault("not_datetime", value=str(value))
    if moment.tzinfo is None:
        raise fault("no_offset", value=str(value))
    return moment


Day = Annotated[date, PlainValidator(_day)]
Instant = Annotated[datetime, PlainValidator(_instant)]


# --- pydantic's errors as problems --------------------------------------------------------------

#: The package's code for each kind of error pydantic reports itself.
CODES = {
    "missing": "required",
    "extra_forbidden": "unknown_key",
    "model_type": "not_object",
    "model_attributes_type": "not_object",
    "dict_type": "not_object",
    "list_type": "not_list",
    "too_short": "empty",
    "string_type": "not_text",
    "bool_type": "not_boolean",
    "decimal_type": "not_number",
    "decimal_parsing": "not_number",
    "finite_number": "not_number",
    "int_type": "not_integer",
    "int_parsing": "not_integer",
    "int_from_float": "not_integer",
    "greater_than_equal": "too_small",
    "less_than_equal": "too_large",
}


def path(loc: Iterable[str | int]) -> str:
    """A location as the package names it: ``trades[0].components[1].max``."""
    found = ""
    for part in loc:
        if isinstance(part, int):
            found += f"[{part}]"
        else:
            found = f"{found}.{part}" if found else part
    return found


def problem(error: ErrorDetails) -> Problem:
    """One of pydantic's errors as the package's problem."""
    where, kind, given = path(error["loc"]), error["type"], error["input"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    code = CODES.get(kind)
    if code is None:  # one of the package's own codes (``fault``)
        return Problem(where, kind, ctx)
    params: dict[str, Any] = {}
    if code == "unknown_key":
        params["key"] = str(error["loc"][-1])
    elif code in ("not_number", "not_integer"):
        params["value"] = str(given)
    elif code == "too_small":
        params.update(value=int(given), min=ctx["ge"])
    elif code == "too_large":
        params.update(value=int(given), max=ctx["le"])
    elif code == "not_object" and not where:
        where = "(document)"
    return Problem(where, code, params)


def problems_of(error: ValidationError) -> list[Problem]:
    """Every problem pydantic found, in its order."""
    return [problem(e) for e in error.errors(include_url=False, include_context=True)]
