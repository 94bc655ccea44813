"""The audit log's hash chain: each entry carries the hash of the one before it and its own
hash over its content and that link, so an edited entry, or one removed from the middle,
breaks the chain at that point. Pure functions; the services fill and check the columns.

The hash covers what an entry says (when, who by name, what, old → new, why), not the
foreign keys the database may null when a user or an event is deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: The link of the first entry of the chain.
GENESIS = "0" * 64
FIELDS = ("at", "actor", "action", "entity", "entity_id", "old", "new", "reason")


def canonical(entry: Mapping[str, Any]) -> str:
    """The entry's content as one canonical JSON text (sorted keys, UTC times)."""
    content = {key: entry.get(key) for key in FIELDS}
    moment = content["at"]
    if isinstance(moment, datetime):
        content["at"] = moment.astimezone(UTC).isoformat()
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(previous: str, entry: Mapping[str, Any]) -> str:
    """The hash of an entry chained to the previous entry's hash."""
    return hashlib.sha256(f"{previous}\n{canonical(entry)}".encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where the chain does not hold: ``changed`` (the entry's content no longer matches its
    hash) or ``gap`` (its link does not match the entry before it: something was removed
    or inserted)."""

    entry_id: int
    kind: str


def verify(entries: Iterable[tuple[int, str | None, str | None, Mapping[str, Any]]]) -> list[Break]:
    """Check a chain given in id order as (id, prev_hash, hash, content)."""
    breaks: list[Break] = []
    previous = GENESIS
    for entry_id, link, stored, content in entries:
        if link != previous:
            breaks.append(Break(entry_id, "gap"))
        if stored != entry_hash(link or "", content):
            breaks.append(Break(entry_id, "changed"))
        previous = stored or ""
    return breaks
