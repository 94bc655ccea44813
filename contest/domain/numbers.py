"""Exact arithmetic for marks (SCORING.md: exact decimals, ROUND_HALF_UP, no binary floats).

Intermediate values (a mean of three judges, a 0–3 scale turned into marks) are kept as
exact fractions, so that nothing is rounded before the total; only the figures people see
are rounded, half up, to the event's number of decimals.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

Number = Decimal | Fraction | int


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
