"""Draw of lots (抽签): station numbers and anonymous codes from a recorded seed.

The draw is a published, reproducible procedure that anyone can re-run with any language
that has HMAC-SHA256:

1. For every entrant code ``c`` of the trade, compute ``HMAC-SHA256(key=seed, msg="station:" + c)``
   as a lower-case hex string. Sort the entrants by that string (ties, which do not occur in
   practice, by code). The first gets station 1, the next station 2, and so on.
2. In station order, each entrant's anonymous code is the trade's prefix followed by
   ``100 + int(HMAC-SHA256(key=seed, msg="code:" + c), 16) mod 900``, a number 100–999; if
   that number is already taken in the trade, the next free number is used (999 wraps to 100).

The seed is text (UTF-8); it is recorded with the trade when the draw is made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Lot:
    """What one entrant drew."""

    entrant: str
    station: int
    code: str


def new_seed() -> str:
    """A fresh random seed (16 hex characters) to record with the draw."""
    return secrets.token_hex(8)


def _mac(seed: str, message: str) -> str:
    return hmac.new(seed.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def draw(seed: str, entrants: Iterable[str], prefix: str) -> list[Lot]:
    """Assign stations 1..n and distinct anonymous codes, reproducibly from ``seed``."""
    codes = sorted(set(entrants))
    if len(codes) > 900:
        raise ValueError("at most 900 entrants per trade can receive three-digit codes")
    order = sorted(codes, key=lambda c: (_mac(seed, "station:" + c), c))
    taken: set[int] = set()
    lots = []
    for station, code in enumerate(order, start=1):
        number = 100 + int(_mac(seed, "code:" + code), 16) % 900
        while number in taken:
            number = 100 if number == 999 else number + 1
        taken.add(number)
        lots.append(Lot(code, station, f"{prefix}{number}"))
    return lots
