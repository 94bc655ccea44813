"""The cache of the public pages.

A page's content is cached for everyone; the whole page too for visitors who are not logged
in and have no message waiting (nothing in it is theirs then), so a results-day burst costs
one small query and one cache read per request. For accounts, the frame around the content
(their name, the CSRF token of the logout form, messages) is rendered for each request.
A key is made of the path, the language and the event's
``Stamp`` values the page depends on, so a new or changed publication, an edited event or
a moved window makes a new key at once; the timeout only bounds how long an unused entry
stays. The query string is not part of it: a page names the parameters it reads, with
their normalised values (the screen's page number), so ``?junk=1``, ``?junk=2``, … share
one entry instead of filling the store. If the cache store fails (Redis down), pages are
built as if nothing were cached.
"""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, make_response, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user

from contest.core.extensions import cache

HIT, MISS = "HIT", "MISS"


def key(*parts: object) -> str:
    """The cache key of the current page: path, language and the given parts."""
    raw = "\x1f".join([request.path, str(get_locale()), *(str(p) for p in parts)])
    return "public:" + hashlib.sha256(raw.encode()).hexdigest()


#: The lock of each page being built in this process (gone once nobody holds it).
_building: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
_building_guard = threading.Lock()


def fetch(parts: tuple[object, ...], build: Callable[[], Any], timeout: int) -> tuple[Any, str]:
    """The cached value for this page and ``parts``, or ``build()`` stored for ``timeout``
    seconds; with ``HIT`` or ``MISS``. An exception in ``build`` (a 404) stores nothing.

    The threads of a worker that miss the same page at once take turns: the first builds
    it, the others then find it in the cache. A large event's page takes tens of MiB to
    build, and on a cold cache every thread built its own copy at once."""
    name = key(*parts)
    found = _cached(name)
    if found is not None:
        return found, HIT
    with _building_guard:
        lock = _building.get(name)
        if lock is None:
            lock = _building[name] = threading.Lock()
    with lock:
        found = _cached(name)  # built meanwhile by another thread
        if found is not None:
            return found, HIT
        value = build()
        try:
            cache.set(name, value, timeout=timeout)
        except Exception:
            current_app.logger.warning("public cache unavailable", exc_info=True)
    return value, MISS


def _cached(name: str) -> Any:
    try:
        return cache.get(name)
    except Exception:  # a failing cache store must not fail the page
        current_app.logger.warning("public cache unavailable", exc_info=True)
        return None


def respond(
    parts: tuple[object, ...],
    build: Callable[[], dict[str, Any]],
    timeout: int,
    frame: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    query: Mapping[str, object] | None = None,
) -> Response:
    """The public page for ``parts``: its content from ``build`` (cached), framed by
    ``public/page.html`` with ``frame(content)`` as extra context; served whole from the
    cache to anonymous visitors with no messages waiting. ``query`` holds the parameters the
    page reads, normalised; the page's own address (``here``, where the language switch
    returns) is made of them and the path, whatever else the request carried. ``X-Cache``
    says HIT or MISS."""
    here = request.path + ("?" + urlencode(sorted(query.items())) if query else "")

    def framed(page: dict[str, Any]) -> str:
        extra = frame(page) if frame else {}
        return render_template("public/page.html", page=page, here=here, **extra)

    def render() -> str:
        page, _ = fetch(parts, build, timeout)
        return framed(page)

    if not current_user.is_authenticated and not session.get("_flashes"):
        html, state = fetch(("whole page", here, *parts), render, timeout)
    else:
        page, state = fetch(parts, build, timeout)
        html = framed(page)
    response = make_response(html)
    response.headers["X-Cache"] = state
    return response


#: Recently read stamps, per app and event: (when read, stamp).
_recent: dict[tuple[int, str], tuple[float, Any]] = {}


def recent_stamp(slug: str, read: Callable[[str], Any]) -> Any:
    """The event's stamp as read at most ``PUBLIC_STAMP_TTL`` seconds ago by this process
    (0: read on every request). A burst of requests then costs no query at all; a change
    shows once that short time has passed. Unknown events are not remembered."""
    ttl = current_app.config["PUBLIC_STAMP_TTL"]
    if ttl <= 0:
        return read(slug)
    where = (id(current_app._get_current_object()), slug)
    now = time.monotonic()
    known = _recent.get(where)
    if known is not None and now - known[0] < ttl:
        return known[1]
    found = read(slug)
    if found is not None:
        _recent[where] = (now, found)
    return found
