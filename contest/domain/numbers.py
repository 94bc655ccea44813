"""Exact arithmetic for marks (SCORING.md: exact decimals, ROUND_HALF_UP, no binary floats).

Intermediate values (a mean of three judges, a 0–3 scale turned into marks) are kept as
exact fractions, so that nothing is rounded before the total; only the figures people see
are rounded, half up, to the event's number of decimals.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction

Number = Decimal | Fraction | int

#: Numbers that come in — marks, steps, weights, times, percentages — have at most this many
#: digits before the decimal point and this many after it. Anything longer (``1E-999999999``,
#: ``1E+999999999``) is refused before any arithmetic: exact arithmetic on it would cost
#: time and memory without bound.
MAX_WHOLE_DIGITS = 12
MAX_PLACES = 8


def reasonable(value: Decimal) -> bool:
    """Whether ``value`` is a finite decimal of at most ``MAX_WHOLE_DIGITS`` digits before
    the point and ``MAX_PLACES`` after it (trailing zeros aside). Looks only at its digits
    and exponent, so it is cheap whatever the value."""
    if not value.is_finite():
        return False
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if len(digits) > MAX_WHOLE_DIGITS + MAX_PLACES + 40:  # room for trailing zeros only
        return False
    if not any(digits):  # zero, written with a sane exponent
        return -MAX_PLACES - 40 <= exponent <= MAX_WHOLE_DIGITS
    significant = len(digits)
    while digits[significant - 1] == 0:
        significant -= 1
        exponent += 1
    return -exponent <= MAX_PLACES and significant + exponent <= MAX_WHOLE_DIGITS


def parse(text: str) -> Decimal | None:
    """The decimal ``text`` stands for if it is a reasonable one (see ``reasonable``),
    else None."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if reasonable(value) else None


def exact(value: Number | str) -> Fraction:
    """The exact rational value of a decimal, integer or decimal string."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        return Fraction(Decimal(value))
    return Fraction(value)


def round_half_up(value: Number, places: int) -> Decimal:
    """Round an exact value to ``places`` decimals, halves away from zero."""
    scaled = exact(value) * 10**places
    magnitude = math.floor(abs(scaled) + Fraction(1, 2))
    integral = magnitude if scaled >= 0 else -magnitude
    return Decimal(integral).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def fixed(value: Number | None, places: int) -> str | None:
    """The value as a string with exactly ``places`` decimals (rounded half up), or None."""
    return None if value is None else str(round_half_up(value, places))


def is_multiple(value: Number, step: Number) -> bool:
    """Whether ``value`` is a whole multiple of ``step``."""
    return (exact(value) / exact(step)).denominator == 1


def sqrt(value: Fraction, digits: int = 50) -> Decimal:
    """Square root to ``digits`` significant digits (SCORING.md §6 asks for at least 28)."""
    with localcontext() as context:
        context.prec = digits
        return (Decimal(value.numerator) / Decimal(value.denominator)).sqrt()


def to_decimal(value: Fraction, digits: int = 50) -> Decimal:
    """A fraction as a decimal with ``digits`` significant digits (for display of breakdowns)."""
    with localcontext() as context:
        context.prec = digits
        return Decimal(value.numerator) / Decimal(value.denominator)
