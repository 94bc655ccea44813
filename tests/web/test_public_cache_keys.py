"""The public page cache is keyed on what a page shows, not on the raw query string: junk
parameters (``?junk=1``, ``?junk=2``, …) share one entry instead of growing the store, and
the page served from it carries nothing of them."""

import re

from contest.core.extensions import cache
from tests.web.test_public_pages import SLUG, games, noticed, published  # noqa: F401

HOME = f"/e/{SLUG}/"
WELD = f"/e/{SLUG}/results/WELD"
SCREEN = f"/e/{SLUG}/screen"


def entries() -> int:
    """How many entries the test's cache (Flask-Caching's SimpleCache) holds."""
    return len(cache.cache._cache)


def back_to(page) -> str:
    """Where the page's language switch returns."""
    html = page.get_data(as_text=True)
    return re.search(r'name="next" value="([^"]*)"', html).group(1).replace("&amp;", "&")


def test_junk_parameters_share_one_entry(app, published):  # noqa: F811
    for path in (HOME, WELD):
        first = app.test_client().get(path + "?junk=0")
        assert first.headers["X-Cache"] == "MISS" and back_to(first) == path
        with app.app_context():
            stored = entries()
        for n in range(1, 6):
            page = app.test_client().get(f"{path}?junk={n}&utm_source=x{n}")
            assert page.headers["X-Cache"] == "HIT", (path, n)
            assert back_to(page) == path and f"junk={n}" not in page.get_data(as_text=True)
        assert app.test_client().get(path).headers["X-Cache"] == "HIT"
        with app.app_context():
            assert entries() == stored


def test_the_screen_is_keyed_on_its_page_number_only(app, published):  # noqa: F811
    second = app.test_client().get(SCREEN + "?page=2&junk=1")
    assert second.headers["X-Cache"] == "MISS" and back_to(second) == SCREEN + "?page=2"
    again = app.test_client().get(SCREEN + "?junk=2&page=2")
    assert again.headers["X-Cache"] == "HIT" and again.get_data() == second.get_data()
    first = app.test_client().get(SCREEN)
    assert first.headers["X-Cache"] == "MISS" and back_to(first) == SCREEN + "?page=1"
    for same in ("?page=1", "?page=abc", "?page=1&junk=3"):
        assert app.test_client().get(SCREEN + same).headers["X-Cache"] == "HIT", same
