"""Real-browser fixtures: the demo event served by a live server, one headless Chromium per
module, fresh browser contexts at a chosen viewport that record console errors, page errors,
CSP violations and failed requests, and screenshots saved under ``test-artifacts/``.

Chromium is the Debian package (Playwright's own browser download is not used). Without it,
or without the ``playwright`` package, the browser tests are skipped.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from contest import create_app, demo
from contest.core.extensions import db
from contest.events.models import Event, Trade, Unit
from contest.registration.models import Entrant, RegistrationStatus
from tests.conftest import app_config, empty_tables

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

#: The screens people use the platform on: a phone, a tablet both ways up, a desktop.
VIEWPORTS = {
    "phone": dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True),
    "tablet-portrait": dict(viewport={"width": 820, "height": 1180}, has_touch=True),
    "tablet-landscape": dict(viewport={"width": 1024, "height": 768}, has_touch=True),
    "desktop": dict(viewport={"width": 1366, "height": 900}),
    #: The commonest office laptop screen: a desktop layout with little height.
    "laptop": dict(viewport={"width": 1366, "height": 768}),
}

# Report CSP violations from inside the page as well (Chromium also logs them to the console).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}` +
    ` at ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
});
"""


@dataclass(frozen=True)
class DemoFacts:
    """What the tests need to know about the seeded demo event."""

    jc_unit_id: int
    weld_trade_id: int
    #: Every entrant's name in the database (any trade, any unit).
    entrant_names: frozenset[str]
    #: The full ID numbers of 江城区总工会's entrants.
    jc_id_numbers: frozenset[str]
    #: How a judge should see the competing welders: "station · anonymous code".
    weld_judge_labels: tuple[str, ...]


@dataclass(frozen=True)
class LiveSite:
    """The app (the demo, unless a module serves data of its own) served over HTTP."""

    url: str
    #: What the tests need to know about the data served (``DemoFacts`` for the demo).
    facts: Any
    #: The served app, for tests that set the stage in its database (in an app context).
    app: Flask


class _QuietHandler(WSGIRequestHandler):
    """Keep the access log out of the test output (errors are still logged)."""

    def log_request(self, code="-", size="-") -> None:
        pass


def require_browser() -> None:
    """Skip the test unless Debian's Chromium and the playwright package are both there."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian: apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -r requirements-dev.txt)")


@pytest.fixture(scope="module")
def live_server(database_url, _schema) -> Iterator[LiveSite]:
    """The demo event in the test database, served by a threaded Werkzeug server.

    Module-scoped so that the demo is seeded once for all the browser tests of a module (the
    function-scoped ``app`` fixture would empty the database after every test); the tables
    are emptied at the end, as ``app`` does, so later tests start from an empty database.
    """

    def seed() -> DemoFacts:
        demo.seed()
        db.session.commit()
        return _demo_facts()

    with serve(database_url, seed) as site:
        yield site


@contextlib.contextmanager
def serve(database_url: str, seed: Callable[[], Any], **settings) -> Iterator[LiveSite]:
    """Serve an app on ``database_url`` (with ``settings``) with what ``seed`` puts in its
    emptied tables (and commits; it returns the facts the tests need) by a threaded Werkzeug
    server; afterwards the tables are emptied again. A module that needs data of its own
    overrides ``live_server`` with this."""
    require_browser()  # before seeding: nothing to serve without a browser
    app = create_app(app_config(database_url, **settings))
    with app.app_context():
        empty_tables()
        facts = seed()
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveSite(url=f"http://127.0.0.1:{server.server_port}", facts=facts, app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            empty_tables()
            db.engine.dispose()


def _demo_facts() -> DemoFacts:
    event = db.session.execute(sa.select(Event).where(Event.slug == demo.DEMO_SLUG)).scalar_one()
    jc = db.session.execute(
        sa.select(Unit).where(Unit.event_id == event.id, Unit.code == "JC")
    ).scalar_one()
    weld = db.session.execute(
        sa.select(Trade).where(Trade.event_id == event.id, Trade.code == "WELD")
    ).scalar_one()
    entrants = (
        db.session.execute(sa.select(Entrant).where(Entrant.event_id == event.id)).scalars().all()
    )
    welders = sorted(
        (
            e
            for e in entrants
            if e.trade_id == weld.id and e.registration_status == RegistrationStatus.APPROVED
        ),
        key=lambda e: e.station_no,
    )
    return DemoFacts(
        jc_unit_id=jc.id,
        weld_trade_id=weld.id,
        entrant_names=frozenset(e.name for e in entrants),
        jc_id_numbers=frozenset(e.id_number for e in entrants if e.unit_id == jc.id),
        weld_judge_labels=tuple(e.judge_label for e in welders),
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole module."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


DOCUMENT_STATUS_ERROR = re.compile(
    r"^Failed to load resource: the server responded with a status of (\d+)"
)


@dataclass
class Watch:
    """Everything that went wrong in a page that the person using it might not notice."""

    console_errors: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    #: (status, url) of every page loaded, and the error statuses a test expects pages to have.
    documents: list[tuple[int, str]] = field(default_factory=list)
    expected_statuses: set[int] = field(default_factory=set)

    def problems(self) -> list[str]:
        return [
            *(
                f"console error: {text} ({url})"
                for text, url in self.console_errors
                if not self._expected(text, url)
            ),
            *(f"page error: {m}" for m in self.page_errors),
            *(f"CSP violation: {m}" for m in self.csp_violations),
            *(f"failed request: {m}" for m in self.failed_requests),
        ]

    def _expected(self, text: str, url: str) -> bool:
        """Chromium logs an error for a page answered with an error status; that is no
        problem when the test expects exactly that status for that page."""
        match = DOCUMENT_STATUS_ERROR.match(text)
        if not match or int(match.group(1)) not in self.expected_statuses:
            return False
        without_fragment = url.split("#", 1)[0]
        return (int(match.group(1)), without_fragment) in {
            (status, address.split("#", 1)[0]) for status, address in self.documents
        }

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append((message.text, message.location.get("url", "")))

    def on_csp_violation(self, report: str) -> None:
        self.csp_violations.append(report)

    def on_response(self, response: Response) -> None:
        if response.request.resource_type == "document":
            self.documents.append((response.status, response.url))
        elif response.status >= 400:  # the stylesheet, script, icon…
            self.failed_requests.append(f"{response.status} {response.url}")

    def on_request_failed(self, request: Request) -> None:
        # A request cancelled because the page navigated away (the icon of a page left
        # at once) is no failure; a blocked or refused one is.
        if request.failure != "net::ERR_ABORTED":
            self.failed_requests.append(f"{request.failure} {request.url}")


@dataclass
class Screen:
    """A browser tab at one viewport, with what it has recorded so far."""

    name: str
    page: Page
    watch: Watch
    base_url: str

    def goto(self, path: str = "/") -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, f"GET {path}: {response and response.status}"

    def path(self) -> str:
        """The path of the current URL (no origin, no query)."""
        return re.sub(r"^https?://[^/]+", "", self.page.url).split("?")[0]

    def assert_healthy(self) -> None:
        """No console errors, script errors, CSP violations or failed subresources, and the
        stylesheet applied (a blocked or missing stylesheet leaves the header transparent)."""
        assert self.watch.problems() == [], f"{self.name} {self.path()}"
        header_bg = self.page.locator("header.site-header").evaluate(
            "el => getComputedStyle(el).backgroundColor"
        )
        assert header_bg not in ("transparent", "rgba(0, 0, 0, 0)"), "stylesheet not applied"

    def assert_no_horizontal_overflow(self) -> None:
        """The page does not scroll sideways at this viewport (wide tables scroll inside their
        own wrapper instead); on failure, name the elements sticking out."""
        width = self.page.viewport_size["width"]
        layout = self.page.evaluate(OVERFLOW_PROBE, width)
        where = f"{self.name} ({width}px) {self.path()}"
        # A phone browser zooms out a page wider than the screen, so measure that too.
        assert layout["innerWidth"] == width, f"{where}: zoomed out to fit: {layout}"
        assert layout["scrollWidth"] <= layout["innerWidth"], f"{where} scrolls sideways: {layout}"

    def text(self) -> str:
        """The visible text of the page."""
        return self.page.locator("body").inner_text()


OVERFLOW_PROBE = """
(limit) => {
  const doc = document.documentElement;
  const wide = [];
  if (doc.scrollWidth > limit || window.innerWidth > limit) {
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > limit + 0.5) {
        const cls = el.className && typeof el.className === "string" ? "." + el.className : "";
        wide.push(`${el.tagName.toLowerCase()}${cls} right=${Math.round(box.right)}`);
      }
    }
  }
  return {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, wide: wide.slice(0, 12)};
}
"""


CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember whether the test itself failed, for the screenshot taken on failure."""
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture
def open_screen(request, live_server, browser) -> Iterator[Callable[[str], Screen]]:
    """Open a fresh browser context (no cookies) at a named viewport; closed after the test,
    with a screenshot of where it stood if the test failed.

    The browser asks for English: the platform must still answer in Chinese unless the
    visitor chooses otherwise. Requests ``live_server`` before ``browser`` so that the
    browser is closed before the server shuts down."""
    screens: list[Screen] = []

    def open_(name: str) -> Screen:
        context = browser.new_context(
            **VIEWPORTS[name], locale="en-US", timezone_id="Asia/Shanghai"
        )
        watch = Watch()
        context.expose_function("reportCspViolation", watch.on_csp_violation)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.on("console", watch.on_console)
        page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        page.on("response", watch.on_response)
        page.on("requestfailed", watch.on_request_failed)
        screens.append(Screen(name=name, page=page, watch=watch, base_url=live_server.url))
        return screens[-1]

    yield open_
    failed = request.node.stash.get(CALL_FAILED, False)
    for screen in screens:
        if failed:
            save_screenshot(screen, f"{request.node.name}-{screen.name}-FAILED")
        screen.page.context.close()


def log_in(screen: Screen, username: str, password: str) -> None:
    """Go from the front page to the login form through the header link, and submit it."""
    from playwright.sync_api import expect

    screen.goto("/")
    screen.page.get_by_role("link", name="登录").click()
    expect(screen.page.get_by_role("heading", name="登录")).to_be_visible()
    screen.page.get_by_label("用户名").fill(username)
    screen.page.get_by_label("密码").fill(password)
    screen.page.get_by_role("button", name="登录").click()


def save_screenshot(screen: Screen, name: str) -> Path:
    """A full-page screenshot as ``test-artifacts/screenshots/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".png")
    screen.page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot(request) -> Callable[[Screen, str], Path]:
    """Save a screenshot named after the test and ``label`` (the viewport, the role…)."""
    return lambda screen, label: save_screenshot(screen, f"{request.node.originalname}-{label}")
