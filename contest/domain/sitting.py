"""Sitting an exam (EXAMS.md §4): the server's clock, what a device's save of an answer does,
and which responses an item takes.

The clock: the time allowed is the exam's minutes, plus every extension a proctor grants,
plus the time spent paused; while a pause lasts the deadline moves with it. A save names the
revision of the answer the device changed and carries an idempotency key: the same key again
is a replay (answered, changed nothing), a save made on a revision another device has since
replaced is stale (refused, the newer answer kept) — so an answer queued offline is counted
once and never overwrites a later one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from contest.domain.exams import Item, ItemType
from contest.domain.refusal import N_, Refused

#: The longest text a ``short`` or ``fill`` response may hold, in characters.
LONGEST = 5000


@dataclass(frozen=True)
class Clock:
    """A sitting's time: started, the exam's minutes, the extensions, the time already spent
    paused and, while paused, since when."""

    started: datetime
    minutes: int
    extra_seconds: int = 0
    paused_seconds: int = 0
    paused_at: datetime | None = None

    def held(self, now: datetime) -> float:
        """Seconds the sitting has been paused in all, up to ``now``."""
        current = (now - self.paused_at).total_seconds() if self.paused_at else 0.0
        return self.paused_seconds + max(current, 0.0)

    def deadline(self, now: datetime) -> datetime:
        """When the time runs out, as things stand at ``now``."""
        allowed = self.minutes * 60 + self.extra_seconds + self.held(now)
        return self.started + timedelta(seconds=allowed)

    def left(self, now: datetime) -> int:
        """Whole seconds left (rounded up, so a device never shows 0 before the end)."""
        return max(math.ceil((self.deadline(now) - now).total_seconds()), 0)

    def over(self, now: datetime) -> bool:
        """Whether the time has run out (never while paused)."""
        return self.paused_at is None and now >= self.deadline(now)


class Save(StrEnum):
    """What a device's save of an answer does."""

    APPLY = "apply"  # stored as the answer's next revision
    REPLAY = "replay"  # the same save again: answered as before, nothing changes
    STALE = "stale"  # made on a revision since replaced: refused, the newer answer kept


def judge_save(revision: int, last_key: str | None, base: int, key: str) -> Save:
    """A save with idempotency ``key`` made on revision ``base`` of an answer now at
    ``revision`` (0: no answer yet) whose last save had ``last_key``."""
    if last_key is not None and key == last_key:
        return Save.REPLAY
    if base != revision:
        return Save.STALE
    return Save.APPLY


class BadResponse(Refused):
    """A response an item cannot take."""

    NOT_OPTION = "not_option"
    NOT_OPTIONS = "not_options"
    NOT_BOOLEAN = "not_boolean"
    BLANKS = "blanks"
    TEXT = "text"
    reasons = {
        NOT_OPTION: N_("Choose one of the options of question %(item)s."),
        NOT_OPTIONS: N_("Choose options of question %(item)s, each once."),
        NOT_BOOLEAN: N_("Answer question %(item)s with true or false."),
        BLANKS: N_("Question %(item)s has %(count)s blanks."),
        TEXT: N_("The answer to question %(item)s is too long (at most %(limit)s characters)."),
    }


def _text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= LONGEST


def checked_response(item: Item, response: Any) -> Any:
    """The response as stored (options of a ``multiple`` item sorted; an empty choice, an
    empty text or a list of empty blanks as None) or ``BadResponse``. Labels are the bank's,
    never the positions the entrant saw."""
    if response is None or response == [] or response == "":
        return None
    kind = item.type
    if kind == ItemType.SINGLE:
        if not isinstance(response, str) or response not in item.options:
            raise BadResponse(BadResponse.NOT_OPTION, item=item.code)
        return response
    if kind == ItemType.MULTIPLE:
        if (
            not isinstance(response, list)
            or not all(isinstance(r, str) and r in item.options for r in response)
            or len(set(response)) != len(response)
        ):
            raise BadResponse(BadResponse.NOT_OPTIONS, item=item.code)
        return sorted(response)
    if kind == ItemType.JUDGE:
        if not isinstance(response, bool):
            raise BadResponse(BadResponse.NOT_BOOLEAN, item=item.code)
        return response
    if kind == ItemType.FILL:
        if not isinstance(response, list) or len(response) != item.blanks:
            raise BadResponse(BadResponse.BLANKS, item=item.code, count=item.blanks)
        if not all(r is None or _text(r) for r in response):
            raise BadResponse(BadResponse.TEXT, item=item.code, limit=LONGEST)
        blanks = [r if r and r.strip() else None for r in response]
        return None if all(b is None for b in blanks) else blanks
    if not _text(response):
        raise BadResponse(BadResponse.TEXT, item=item.code, limit=LONGEST)
    return response if response.strip() else None
