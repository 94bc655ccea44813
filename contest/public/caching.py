"""The cache of the public pages' content.

Only the content of a page is cached, never a whole response: the page around it (the
header with the session's CSRF token in the language switch, flashed messages, forms) is
rendered for each request. A key is made of the path, the language and the event's
``Stamp`` values the page depends on, so a new or changed publication, an edited event or
a moved window makes a new key at once; the timeout only bounds how long an unused entry
stays. If the cache store fails (Redis down), pages are built as if nothing were cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_babel import get_locale

from contest.extensions import cache

HIT, MISS = "HIT", "MISS"


def key(*parts: object) -> str:
    """The cache key of the current page: path, language and the given parts."""
    raw = "\x1f".join([request.path, str(get_locale()), *(str(p) for p in parts)])
    return "public:" + hashlib.sha256(raw.encode()).hexdigest()


def fetch(parts: tuple[object, ...], build: Callable[[], Any], timeout: int) -> tuple[Any, str]:
    """The cached value for this page and ``parts``, or ``build()`` stored for ``timeout``
    seconds; with ``HIT`` or ``MISS``. An exception in ``build`` (a 404) stores nothing."""
    name = key(*parts)
    try:
        found = cache.get(name)
    except Exception:  # a failing cache store must not fail the page
        current_app.logger.warning("public cache unavailable", exc_info=True)
        found = None
    if found is not None:
        return found, HIT
    value = build()
    try:
        cache.set(name, value, timeout=timeout)
    except Exception:
        current_app.logger.warning("public cache unavailable", exc_info=True)
    return value, MISS
