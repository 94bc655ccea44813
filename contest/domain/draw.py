"""Draw of lots (抽签): station numbers and anonymous codes from a recorded seed.

The draw is a published, reproducible procedure that anyone can re-run with any language
that has HMAC-SHA256:

1. For every entrant code ``c`` of the trade, compute ``HMAC-SHA256(key=seed, msg="station:" + c)``
   as a lower-case hex string. Sort the entrants by that string (ties, which do not occur in
   practice, by code). The first gets station 1, the next station 2, and so on.
2. In station order, each entrant's anonymous code is the trade's prefix followed by
   ``100 + int(HMAC-SHA256(key=seed, msg="code:" + c), 16) mod 900``, a number 100–999; if
   that number is already taken in the trade, the next free number is used (999 wraps to 100).
3. Entrants approved after the draw are placed by a top-up with its own recorded seed, the
   same way, among themselves only: the first of them takes the station after the highest
   one given before, the next the one after, and so on; the codes already given in the
   trade (recorded with the top-up) count as taken in step 2. Nobody else's station or code
   changes.

The seed is text (UTF-8); it is recorded with the trade when the draw is made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

#: How many anonymous codes one prefix has (100–999).
CODES = 900


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


def _number(code: str, prefix: str) -> int | None:
    """The number of an anonymous code with ``prefix`` (None for any other code)."""
    rest = code[len(prefix) :] if code.startswith(prefix) else ""
    return int(rest) if rest.isdigit() and 100 <= int(rest) <= 999 else None


def draw(
    seed: str,
    entrants: Iterable[str],
    prefix: str,
    *,
    first_station: int = 1,
    taken: Iterable[str] = (),
) -> list[Lot]:
    """Assign stations ``first_station``, ``first_station + 1``, … and distinct anonymous
    codes, none of them ``taken``, reproducibly from ``seed`` (steps 1–3 above)."""
    codes = sorted(set(entrants))
    used = {n for n in (_number(code, prefix) for code in taken) if n is not None}
    if len(codes) + len(used) > CODES:
        raise ValueError("at most 900 entrants per trade can receive three-digit codes")
    order = sorted(codes, key=lambda c: (_mac(seed, "station:" + c), c))
    lots = []
    for station, code in enumerate(order, start=first_station):
        number = 100 + int(_mac(seed, "code:" + code), 16) % CODES
        while number in used:
            number = 100 if number == 999 else number + 1
        used.add(number)
        lots.append(Lot(code, station, f"{prefix}{number}"))
    return lots
