"""The judge's score sheet on a tablet, in a real browser (touch, portrait and landscape):
every value is saved as it is entered; while the network is down entries wait on the
tablet and are sent once when it returns; a retry never applies twice and a late entry
never overwrites a newer value from another device; refusals say why in Chinese and
change nothing.

The demo has every welding sheet submitted already. Each test starts from a blank sheet:
the demo judge ``judge-weld``'s scores for one welder are removed, scoring is open and the
trade unlocked; afterwards the demo's scores, windows and lock are put back, so the tests
do not depend on one another or on their order.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contest.accounts.models import User
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.demo import DEMO_PASSWORD
from contest.domain.stages import StageKind, StageState
from contest.events.models import Criterion, Trade
from contest.judging import sheets
from contest.judging.services import judge_for_user
from contest.results import services as results
from contest.results.models import Score, ScoreState
from contest.stages.models import StageWindow
from tests.browser.conftest import DOCUMENT_STATUS_ERROR, LiveSite, Screen, log_in

playwright_api = pytest.importorskip("playwright.sync_api", exc_type=ImportError)
expect = playwright_api.expect

pytestmark = pytest.mark.browser

TABLETS = ["tablet-portrait", "tablet-landscape"]
JUDGE = "judge-weld"
#: How a judge sees an entrant: station number · anonymous code (W for the welding trade).
JUDGE_LABEL = re.compile(r"^[0-9]{2} · W[0-9]{3}$")
#: What the sheet's script accepts as an idempotency key (as the API does).
KEY = re.compile(r"^[A-Za-z0-9_-]{8,48}$")

SAVED = "已全部保存"
SUBMITTED = "已提交 · 已全部保存"
FIELD_SAVED = "已保存"
FIELD_WAITING = "等待发送"
LOCKED = "裁判长已锁定本工种，成绩不能再修改。"
#: How Chromium reports a request made while offline (or aborted as if it were).
OFFLINE_FAILURES = {"net::ERR_INTERNET_DISCONNECTED"}


def offline_message(n: int) -> str:
    return f"网络已断开：{n} 项修改暂存在本机，恢复后自动发送"


def unsaved_message(n: int) -> str:
    return f"{n} 项未能保存"


def conflict_message(value: str) -> str:
    return f"已在其他设备上修改为 {value}，请刷新查看。"


# --- the stage -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """How one criterion is entered: ``choice`` buttons 0…scale, or a ``number`` stepper."""

    code: str
    entry: str  # "choice" or "number"
    entry_max: str
    step: str


@dataclass(frozen=True)
class Bench:
    """A blank score sheet of ``judge-weld`` for one welder, and what the database holds."""

    site: LiveSite
    trade_id: int
    entrant_id: int
    entrant_code: str
    label: str
    judge_id: int
    judge_code: str
    user_id: int
    rules: tuple[Rule, ...]
    #: Audit entries with a larger id were written during the test.
    audit_start: int

    @property
    def sheet_path(self) -> str:
        return f"/judging/trades/{self.trade_id}/sheets/{self.entrant_id}"

    @property
    def api_path(self) -> str:
        return f"/api/sheets/{self.trade_id}/{self.entrant_id}"

    @property
    def queue_key(self) -> str:
        """The localStorage key of the sheet's queue (``data-queue-key`` of the form)."""
        return f"sheet:{self.user_id}:{self.trade_id}:{self.entrant_id}"

    def rule(self, code: str) -> Rule:
        return next(r for r in self.rules if r.code == code)

    def scores(self) -> dict[str, tuple[str, ScoreState, int]]:
        """This judge's scores for the welder: criterion → (value, state, version). Fails if
        a criterion has more than one row."""
        with self.site.app.app_context():
            rows = db.session.execute(
                sa.select(Criterion.code, Score.value, Score.state, Score.version)
                .join(Criterion, Criterion.id == Score.criterion_id)
                .where(Score.entrant_id == self.entrant_id, Score.judge_id == self.judge_id)
            ).all()
            db.session.remove()
        found = {code: (str(value), state, version) for code, value, state, version in rows}
        assert len(found) == len(rows), f"more than one score per criterion: {rows}"
        return found

    def audit(self) -> list[tuple[str, str | None]]:
        """(action, criterion) of every audit entry about this judge's sheet for the welder
        written since the test began, oldest first."""
        with self.site.app.app_context():
            entries = (
                db.session.execute(
                    sa.select(AuditEntry)
                    .where(AuditEntry.id > self.audit_start)
                    .order_by(AuditEntry.id)
                )
                .scalars()
                .all()
            )
            found = [
                (e.action, e.new.get("criterion"))
                for e in entries
                if isinstance(e.new, dict)
                and e.new.get("judge") == self.judge_code
                and (
                    e.new.get("entrant") == self.entrant_code
                    or (e.entity == "entrant" and e.entity_id == str(self.entrant_id))
                )
            ]
            db.session.remove()
        return found

    def drafts(self) -> Counter[str]:
        """How many times each criterion was written as a draft since the test began."""
        return Counter(criterion for action, criterion in self.audit() if action == "score.draft")

    def lock_trade(self) -> None:
        """The chief judge's sign-off, made directly in the database."""
        with self.site.app.app_context():
            trade = db.session.get(Trade, self.trade_id)
            trade.locked_at = utcnow()
            db.session.commit()
            db.session.remove()


@pytest.fixture
def bench(live_server) -> Iterator[Bench]:
    """A blank sheet for judge-weld: their scores for one welder removed, scoring open, the
    trade unlocked. Afterwards the demo's scores, windows and lock are put back."""
    with live_server.app.app_context():
        trade = db.session.get(Trade, live_server.facts.weld_trade_id)
        user = db.session.execute(sa.select(User).where(User.username == JUDGE)).scalar_one()
        judge = judge_for_user(user, trade)
        assert judge is not None
        entrant = next(
            e
            for e in sorted(trade.entrants, key=lambda e: e.station_no or 0)
            if e.unit_id != judge.unit_id and sheets.competing(trade, e)
        )
        sheet = sheets.load(user, trade, entrant)  # not recused, not excused
        assert [i.criterion.code for i in sheet.items] == ["P1", "P2", "P3", "P4"]
        rules = tuple(
            Rule(
                code=i.criterion.code,
                entry="choice"
                if i.criterion.scale is not None and i.criterion.step == 1
                else "number",
                entry_max=str(i.criterion.entry_max),
                step=str(i.criterion.step),
            )
            for i in sheet.items
        )
        mine = sa.and_(Score.entrant_id == entrant.id, Score.judge_id == judge.id)
        kept = [
            dict(
                criterion_id=s.criterion_id,
                value=s.value,
                state=s.state,
                submitted_at=s.submitted_at,
                updated_by_id=s.updated_by_id,
            )
            for s in db.session.execute(sa.select(Score).where(mine)).scalars()
        ]
        windows = db.session.execute(
            sa.select(StageWindow).where(
                StageWindow.event_id == trade.event_id, StageWindow.kind == StageKind.SCORING
            )
        ).scalars()
        window_states = {}
        for window in windows:
            if window.trade_id in (None, trade.id):
                window_states[window.id] = window.state
                window.state = StageState.OPEN
        lock = (trade.locked_at, trade.locked_by_id, trade.double_entry)
        trade.locked_at, trade.locked_by_id, trade.double_entry = None, None, False
        db.session.execute(sa.delete(Score).where(mine))
        audit_start = db.session.execute(sa.select(sa.func.max(AuditEntry.id))).scalar() or 0
        found = Bench(
            site=live_server,
            trade_id=trade.id,
            entrant_id=entrant.id,
            entrant_code=entrant.code,
            label=entrant.judge_label,
            judge_id=judge.id,
            judge_code=judge.code,
            user_id=user.id,
            rules=rules,
            audit_start=audit_start,
        )
        db.session.commit()
        db.session.remove()

    yield found

    with live_server.app.app_context():
        mine = sa.and_(Score.entrant_id == found.entrant_id, Score.judge_id == found.judge_id)
        db.session.execute(sa.delete(Score).where(mine))
        db.session.add_all(
            Score(entrant_id=found.entrant_id, judge_id=found.judge_id, **score) for score in kept
        )
        for window_id, state in window_states.items():
            db.session.get(StageWindow, window_id).state = state
        trade = db.session.get(Trade, found.trade_id)
        trade.locked_at, trade.locked_by_id, trade.double_entry = lock
        db.session.flush()
        results.recompute_trade(trade)
        db.session.commit()
        db.session.remove()


# --- helpers -------------------------------------------------------------------------------


def forgive(
    screen: Screen, path: str, statuses: Collection[int], failures: Collection[str] = ()
) -> list[str]:
    """Take out of the screen's record what the test caused on purpose — answers with
    ``statuses`` and network ``failures`` (``net::ERR_…``) of requests to ``path`` — and
    only that, so that ``assert_healthy`` still catches anything else. Returns what was
    taken out."""
    watch = screen.watch

    def planned(what: str, url: str) -> bool:
        match = DOCUMENT_STATUS_ERROR.match(what)  # the console's words for an error status
        status = int(match.group(1)) if match else int(what) if what.isdigit() else None
        if path not in url:
            return False
        if status is not None:
            return status in statuses
        return any(what.endswith(failure) for failure in failures)

    forgiven = [text for text, url in watch.console_errors if planned(text, url)]
    watch.console_errors[:] = [(t, u) for t, u in watch.console_errors if not planned(t, u)]
    requests = [entry.partition(" ") for entry in watch.failed_requests]  # "409 http://…"
    forgiven += [what + " " + url for what, _, url in requests if planned(what, url)]
    watch.failed_requests[:] = [w + " " + u for w, _, u in requests if not planned(w, u)]
    return forgiven


def check_page(screen: Screen, screenshot, label: str) -> None:
    """Save a screenshot of the step, then the page health checks."""
    screenshot(screen, f"{label}-{screen.name}")
    screen.assert_no_horizontal_overflow()
    screen.assert_healthy()


def assert_no_names(screen: Screen, site: LiveSite) -> None:
    """No entrant's name anywhere in the page (text or markup)."""
    text, html = screen.text(), screen.page.content()
    shown = sorted(name for name in site.facts.entrant_names if name in text or name in html)
    assert shown == [], f"entrant names visible to a judge on {screen.path()}"


def open_sheet(screen: Screen, bench: Bench, username: str = JUDGE) -> None:
    """Log in as the judge and tap through to the welder's sheet: 焊工, then the sheet tile,
    which (like the sheet) shows only the station and the anonymous code."""
    page, site = screen.page, bench.site
    log_in(screen, username, DEMO_PASSWORD)
    expect(page).to_have_url(site.url + "/judging/")
    page.locator("a.tile", has_text="焊工").tap()
    expect(page).to_have_url(f"{site.url}/judging/trades/{bench.trade_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("焊工")
    labels = page.locator("a.sheet .station").all_inner_texts()
    assert bench.label in labels
    assert all(JUDGE_LABEL.match(label) for label in labels), labels
    assert_no_names(screen, site)

    page.locator("a.sheet", has=page.locator(".station", has_text=bench.label)).tap()
    expect(page).to_have_url(site.url + bench.sheet_path)
    status_code, _ = screen.watch.documents[-1]
    assert status_code == 200, f"GET {bench.sheet_path}: {status_code}"
    expect(page.locator("h1 .station")).to_have_text(bench.label)
    assert JUDGE_LABEL.match(bench.label)
    assert_no_names(screen, site)
    expect(page.locator("#score-sheet.js")).to_have_count(1)  # the script took over the form


def field(screen: Screen, code: str):
    return screen.page.locator(f'fieldset[data-criterion="{code}"]')


def choice(screen: Screen, code: str, value: int):
    return field(screen, code).locator(f'label.choice:has(input[value="{value}"])')


def number(screen: Screen, code: str):
    return field(screen, code).locator("input[type=number]")


def status(screen: Screen):
    return screen.page.locator("#sync-status")


def field_note(screen: Screen, code: str):
    return field(screen, code).locator(".field-state")


def stored_queue(screen: Screen, bench: Bench) -> list[dict] | None:
    raw = screen.page.evaluate("key => localStorage.getItem(key)", bench.queue_key)
    return None if raw is None else json.loads(raw)


def is_value_post(bench: Bench):
    return lambda r: r.url.endswith(bench.api_path + "/values") and r.request.method == "POST"


def tap_and_save(screen: Screen, bench: Bench, code: str, value: int) -> None:
    """Tap a choice while online and wait for the server's answer and the saved status."""
    with screen.page.expect_response(is_value_post(bench)) as answer:
        choice(screen, code, value).tap()
    assert answer.value.status == 200, answer.value.text()
    expect(field_note(screen, code)).to_have_text(FIELD_SAVED)
    expect(status(screen)).to_have_text(SAVED)
    expect(status(screen)).to_have_attribute("data-state", "saved")


# --- the page itself --------------------------------------------------------------------


def test_the_score_sheet_page_renders(open_screen, screenshot, bench):
    """The sheet renders for the judge, with the script in charge of the form."""
    screen = open_screen("tablet-portrait")
    log_in(screen, JUDGE, DEMO_PASSWORD)
    expect(screen.page).to_have_url(bench.site.url + "/judging/")
    screen.goto(bench.sheet_path)
    expect(screen.page.locator("h1 .station")).to_have_text(bench.label)
    check_page(screen, screenshot, "blank")


# --- A. entering a whole sheet through a network outage ------------------------------------


@pytest.mark.parametrize("viewport", TABLETS)
def test_entries_made_offline_wait_on_the_tablet_and_are_saved_once(
    open_screen, screenshot, bench, viewport
):
    screen = open_screen(viewport)
    page, context = screen.page, screen.page.context
    assert [(r.code, r.entry) for r in bench.rules] == [
        ("P1", "choice"),
        ("P2", "number"),
        ("P3", "number"),
        ("P4", "choice"),
    ]
    open_sheet(screen, bench)
    for rule in bench.rules:
        if rule.entry == "choice":
            expect(field(screen, rule.code).locator("input:checked")).to_have_count(0)
        else:
            expect(number(screen, rule.code)).to_have_value("")
    expect(status(screen)).to_have_text(SAVED)

    # Online: the first value is saved as soon as it is tapped.
    tap_and_save(screen, bench, "P1", 2)
    expect(choice(screen, "P1", 2).locator("input")).to_be_checked()
    assert bench.scores() == {"P1": ("2", ScoreState.DRAFT, 1)}
    check_page(screen, screenshot, "1-online")

    # The network goes: the other values wait on the tablet. (P4 first: only the head of
    # the queue is retried while offline, so the later taps on P2 and P3 each replace their
    # waiting entry — one entry per criterion.)
    context.set_offline(True)
    choice(screen, "P4", 3).tap()
    expect(status(screen)).to_have_text(offline_message(1))
    expect(status(screen)).to_have_attribute("data-state", "offline")
    plus = field(screen, "P2").locator(".step-up")
    for _ in range(3):
        plus.tap()  # 0.5, 1.0, 1.5
    expect(number(screen, "P2")).to_have_value("1.5")
    number(screen, "P3").tap()
    page.keyboard.type("20")
    field(screen, "P3").locator(".step-down").tap()  # 19.5
    expect(number(screen, "P3")).to_have_value("19.5")

    expect(status(screen)).to_have_text(offline_message(3))
    expect(page.locator("#queue")).to_have_text(offline_message(3))
    for code in ("P2", "P3", "P4"):
        expect(field(screen, code)).to_have_class(re.compile(r"\bpending\b"))
        expect(field_note(screen, code)).to_have_text(FIELD_WAITING)
    expect(field(screen, "P1")).not_to_have_class(re.compile(r"\bpending\b"))
    # The queue is kept on the tablet, one entry per value, each with its own key and based
    # on the version the judge saw (none yet): it survives the tab being closed.
    queue = stored_queue(screen, bench)
    assert queue is not None
    assert [(e["type"], e["criterion"], e["value"], e["base"]) for e in queue] == [
        ("value", "P4", "3", None),
        ("value", "P2", "1.5", None),
        ("value", "P3", "19.5", None),
    ]
    keys = [e["key"] for e in queue]
    assert len(set(keys)) == 3 and all(KEY.match(k) for k in keys), keys
    assert bench.scores() == {"P1": ("2", ScoreState.DRAFT, 1)}  # nothing got through
    forgive(screen, bench.api_path, (), OFFLINE_FAILURES)
    check_page(screen, screenshot, "2-offline-queued")

    # The network returns: the queue drains by itself.
    with page.expect_response(
        lambda r: is_value_post(bench)(r) and '"P3"' in (r.request.post_data or "")
    ):
        context.set_offline(False)
    expect(status(screen)).to_have_text(SAVED)
    expect(page.locator("#queue")).to_be_hidden()
    for code in ("P2", "P3", "P4"):
        expect(field_note(screen, code)).to_have_text(FIELD_SAVED)
        expect(field(screen, code)).not_to_have_class(re.compile(r"\bpending\b"))
    assert stored_queue(screen, bench) is None
    assert bench.scores() == {
        "P1": ("2", ScoreState.DRAFT, 1),
        "P2": ("1.5", ScoreState.DRAFT, 1),
        "P3": ("19.5", ScoreState.DRAFT, 1),
        "P4": ("3", ScoreState.DRAFT, 1),
    }
    check_page(screen, screenshot, "3-back-online")

    # Submitting.
    with page.expect_response(lambda r: r.url.endswith(bench.api_path + "/submit")) as answer:
        page.get_by_role("button", name="提交评分表").tap()
    assert answer.value.status == 200, answer.value.text()
    expect(status(screen)).to_have_text(SUBMITTED)
    for rule in bench.rules:
        expect(field_note(screen, rule.code)).to_have_text("已提交")
    expect(page.locator("#reason")).to_be_visible()  # a change now needs a reason
    check_page(screen, screenshot, "4-submitted")

    scores = bench.scores()
    assert {code: (value, state) for code, (value, state, _) in scores.items()} == {
        "P1": ("2", ScoreState.SUBMITTED),
        "P2": ("1.5", ScoreState.SUBMITTED),
        "P3": ("19.5", ScoreState.SUBMITTED),
        "P4": ("3", ScoreState.SUBMITTED),
    }
    # Each value written once as a draft (no retry applied twice), then the sheet submitted.
    assert bench.drafts() == {"P1": 1, "P2": 1, "P3": 1, "P4": 1}
    assert [a for a, _ in bench.audit()] == ["score.draft"] * 4 + ["sheet.submit"]


# --- B. two tablets, late retries, lost answers ------------------------------------------


def test_a_late_entry_never_overwrites_a_newer_value_from_another_tablet(
    open_screen, screenshot, bench
):
    first = open_screen("tablet-landscape")
    open_sheet(first, bench)
    tap_and_save(first, bench, "P1", 1)
    assert bench.scores() == {"P1": ("1", ScoreState.DRAFT, 1)}

    # The first tablet loses the network; the judge changes P1, which waits on the tablet,
    # still based on the version the judge saw.
    first.page.context.set_offline(True)
    choice(first, "P1", 2).tap()
    expect(status(first)).to_have_text(offline_message(1))
    queue = stored_queue(first, bench)
    assert queue is not None
    assert [(e["criterion"], e["value"], e["base"]) for e in queue] == [("P1", "2", 1)]

    # Meanwhile the same judge changes P1 on a second tablet, which is online.
    second = open_screen("tablet-portrait")
    open_sheet(second, bench)
    expect(choice(second, "P1", 1).locator("input")).to_be_checked()
    tap_and_save(second, bench, "P1", 3)
    assert bench.scores() == {"P1": ("3", ScoreState.DRAFT, 2)}
    check_page(second, screenshot, "second-tablet")

    # The first tablet comes back: its late entry is refused, and it shows the newer value.
    with first.page.expect_response(is_value_post(bench)) as answer:
        first.page.context.set_offline(False)
    assert answer.value.status == 409, answer.value.text()
    refusal = answer.value.json()
    assert (refusal["error"], refusal["value"], refusal["version"]) == ("conflict", "3", 2)
    expect(field_note(first, "P1")).to_have_text(conflict_message("3"))
    expect(field(first, "P1")).to_have_class(re.compile(r"\bhas-error\b"))
    expect(choice(first, "P1", 3).locator("input")).to_be_checked()
    expect(choice(first, "P1", 2).locator("input")).not_to_be_checked()
    expect(first.page.locator("#queue")).to_be_hidden()
    assert stored_queue(first, bench) is None  # not retried for ever either
    assert bench.scores() == {"P1": ("3", ScoreState.DRAFT, 2)}
    assert bench.drafts() == {"P1": 2}  # the first save and the second tablet's, no more
    forgive(first, bench.api_path, {409}, OFFLINE_FAILURES)
    check_page(first, screenshot, "first-tablet-conflict")

    # Having seen the newer value, the judge may deliberately change it again.
    tap_and_save(first, bench, "P1", 2)
    assert bench.scores() == {"P1": ("2", ScoreState.DRAFT, 3)}
    check_page(first, screenshot, "first-tablet-changed-again")


def test_a_save_whose_answer_is_lost_is_sent_again_and_applied_once(open_screen, screenshot, bench):
    screen = open_screen("tablet-portrait")
    page = screen.page
    open_sheet(screen, bench)

    # The save reaches the server and is applied, but the answer never reaches the tablet:
    # the tablet sends it again with the same key and gets the stored answer back.
    def lose_the_answer(route) -> None:
        route.fetch()
        route.abort("internetdisconnected")

    page.route(f"**{bench.api_path}/values", lose_the_answer, times=1)
    with page.expect_response(is_value_post(bench), timeout=10_000) as answer:
        choice(screen, "P4", 2).tap()
    assert answer.value.status == 200, answer.value.text()
    assert answer.value.headers.get("idempotent-replay") == "true"
    assert answer.value.json()["score"] == {"value": "2", "version": 1, "state": "draft"}
    expect(status(screen)).to_have_text(SAVED)
    expect(field_note(screen, "P4")).to_have_text(FIELD_SAVED)
    assert bench.scores() == {"P4": ("2", ScoreState.DRAFT, 1)}
    assert bench.drafts() == {"P4": 1}
    forgive(screen, bench.api_path, (), OFFLINE_FAILURES)
    check_page(screen, screenshot, "replayed")

    # The same request sent twice by hand with one key: the second gets the stored answer.
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    key = uuid.uuid4().hex

    def send():
        return page.request.post(
            bench.site.url + bench.api_path + "/values",
            headers={"X-CSRFToken": token, "Idempotency-Key": key, "Accept": "application/json"},
            data={"criterion": "P2", "value": "10", "base_version": None},
        )

    applied, replayed = send(), send()
    assert (applied.status, replayed.status) == (200, 200), applied.text()
    assert "idempotent-replay" not in applied.headers
    assert replayed.headers.get("idempotent-replay") == "true"
    assert replayed.json() == applied.json()
    assert applied.json()["score"] == {"value": "10", "version": 1, "state": "draft"}
    assert bench.scores() == {
        "P2": ("10", ScoreState.DRAFT, 1),
        "P4": ("2", ScoreState.DRAFT, 1),
    }
    assert bench.drafts() == {"P2": 1, "P4": 1}


# --- C. refusals ---------------------------------------------------------------------------


def test_refused_values_are_explained_in_chinese_and_change_nothing(open_screen, screenshot, bench):
    screen = open_screen("tablet-portrait")
    page = screen.page
    open_sheet(screen, bench)
    tap_and_save(screen, bench, "P1", 1)
    saved = bench.scores()
    assert saved == {"P1": ("1", ScoreState.DRAFT, 1)}
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/values") else None)

    # Checked on the tablet: above the maximum, or not on the step. Nothing is sent.
    p2, p3 = bench.rule("P2"), bench.rule("P3")
    above = str(Decimal(p2.entry_max) + 5)
    number(screen, "P2").tap()
    page.keyboard.type(above)
    expect(number(screen, "P2")).to_have_value(above)
    expect(field_note(screen, "P2")).to_have_text(f"请输入 0 至 {p2.entry_max} 之间的数值。")
    expect(field(screen, "P2")).to_have_class(re.compile(r"\bhas-error\b"))
    number(screen, "P3").tap()  # leaving P2 checks it again
    page.keyboard.type("20.3")
    expect(field_note(screen, "P3")).to_have_text(f"请输入 {p3.step} 的整数倍。")
    expect(field_note(screen, "P2")).to_have_text(f"请输入 0 至 {p2.entry_max} 之间的数值。")
    # The refused values stay in their fields, marked invalid; the header never says saved.
    expect(number(screen, "P2")).to_have_value(above)
    for code in ("P2", "P3"):
        expect(number(screen, code)).to_have_attribute("aria-invalid", "true")
    expect(status(screen)).to_have_text(unsaved_message(2))
    expect(status(screen)).to_have_attribute("data-state", "error")
    assert stored_queue(screen, bench) is None
    assert sent == []
    assert bench.scores() == saved
    check_page(screen, screenshot, "out-of-range")

    # Refused by the server: the chief judge has locked the trade since the page was loaded.
    bench.lock_trade()
    with page.expect_response(is_value_post(bench)) as answer:
        choice(screen, "P1", 3).tap()
    assert answer.value.status == 423, answer.value.text()
    assert answer.value.json()["message"] == LOCKED
    expect(field_note(screen, "P1")).to_have_text(LOCKED)
    expect(field(screen, "P1")).to_have_class(re.compile(r"\bhas-error\b"))
    expect(choice(screen, "P1", 1).locator("input")).to_be_checked()  # the saved value again
    expect(choice(screen, "P1", 3).locator("input")).not_to_be_checked()
    assert stored_queue(screen, bench) is None
    assert bench.scores() == saved
    assert bench.drafts() == {"P1": 1}
    forgive(screen, bench.api_path, {423})
    check_page(screen, screenshot, "locked")


# --- D. a reload with entries still waiting ----------------------------------------------


def queue_then_reload(screen: Screen, bench: Bench) -> dict:
    """P2 saved as 10, then changed to 12 while offline; the network returns but the server
    is not reachable yet when the page is reloaded. Returns the entry waiting on the tablet."""
    page = screen.page
    open_sheet(screen, bench)
    number(screen, "P2").tap()
    page.keyboard.type("10")
    with page.expect_response(is_value_post(bench)) as answer:
        number(screen, "P3").tap()  # leaving P2 saves it
    assert answer.value.status == 200, answer.value.text()
    expect(status(screen)).to_have_text(SAVED)
    assert bench.scores() == {"P2": ("10", ScoreState.DRAFT, 1)}

    page.context.set_offline(True)
    number(screen, "P2").tap()
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    expect(status(screen)).to_have_text(offline_message(1))
    [entry] = stored_queue(screen, bench)
    assert (entry["criterion"], entry["value"], entry["base"]) == ("P2", "12", 1)

    page.route(f"**{bench.api_path}/values", lambda route: route.abort("internetdisconnected"))
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#score-sheet.js")).to_have_count(1)
    return entry


def test_entries_waiting_on_the_tablet_survive_a_reload_and_are_sent_once(
    open_screen, screenshot, bench
):
    screen = open_screen("tablet-landscape")
    page = screen.page
    entry = queue_then_reload(screen, bench)

    # The reloaded page takes the queue back from the tablet and keeps trying.
    expect(status(screen)).to_have_text(offline_message(1))
    expect(field(screen, "P2")).to_have_class(re.compile(r"\bpending\b"))
    assert [e["key"] for e in stored_queue(screen, bench)] == [entry["key"]]
    assert bench.scores() == {"P2": ("10", ScoreState.DRAFT, 1)}
    forgive(screen, bench.api_path, (), OFFLINE_FAILURES)
    check_page(screen, screenshot, "reloaded")

    # The server is reachable again: the entry goes with the key it was given offline, at
    # the next retry (there is no "online" event: the browser never saw the network go).
    with page.expect_response(is_value_post(bench), timeout=20_000) as answer:
        page.unroute(f"**{bench.api_path}/values")
    assert answer.value.status == 200, answer.value.text()
    assert answer.value.request.headers["idempotency-key"] == entry["key"]
    expect(status(screen)).to_have_text(SAVED)
    assert stored_queue(screen, bench) is None
    assert bench.scores() == {"P2": ("12", ScoreState.DRAFT, 2)}
    assert bench.drafts() == {"P2": 2}  # 10, then 12


def test_a_reloaded_sheet_shows_and_submits_the_values_waiting_on_the_tablet(
    open_screen, screenshot, bench
):
    screen = open_screen("tablet-portrait")
    page = screen.page
    queue_then_reload(screen, bench)
    screenshot(screen, "reloaded")
    expect(number(screen, "P2")).to_have_value("12")  # the waiting value, not the server's

    page.unroute(f"**{bench.api_path}/values")
    expect(status(screen)).to_have_text(SAVED, timeout=20_000)
    choice(screen, "P1", 1).tap()
    number(screen, "P3").tap()
    page.keyboard.type("5")
    choice(screen, "P4", 1).tap()
    expect(status(screen)).to_have_text(SAVED)
    with page.expect_response(lambda r: r.url.endswith(bench.api_path + "/submit")):
        page.get_by_role("button", name="提交评分表").tap()
    expect(status(screen)).to_have_text(SUBMITTED)
    assert bench.scores()["P2"] == ("12", ScoreState.SUBMITTED, 3)


def test_a_refused_first_choice_is_not_left_selected(open_screen, screenshot, bench):
    screen = open_screen("tablet-landscape")
    page = screen.page
    open_sheet(screen, bench)
    subtotal = page.locator("output[data-total-for]").first.inner_text()
    bench.lock_trade()
    with page.expect_response(is_value_post(bench)) as answer:
        choice(screen, "P4", 2).tap()
    assert answer.value.status == 423, answer.value.text()
    expect(field_note(screen, "P4")).to_have_text(LOCKED)
    assert bench.scores() == {}
    screenshot(screen, "refused")
    expect(field(screen, "P4").locator("input:checked")).to_have_count(0)  # fails: 2 stays
    expect(page.locator("output[data-total-for]").first).to_have_text(subtotal)


# --- E. changes waiting on the tablet, seen from every page ------------------------------


def banner(screen: Screen):
    return screen.page.locator("#unsent")


def tile(screen: Screen, bench: Bench):
    page = screen.page
    return page.locator("a.sheet", has=page.locator(".station", has_text=bench.label))


@pytest.mark.parametrize("viewport", TABLETS)
def test_a_change_waiting_on_the_tablet_shows_on_every_page_until_it_is_saved(
    open_screen, screenshot, bench, viewport
):
    screen = open_screen(viewport)
    page = screen.page
    open_sheet(screen, bench)
    # A whole sheet, submitted: its tile on the sheet list is green.
    tap_and_save(screen, bench, "P1", 1)
    tap_and_save(screen, bench, "P4", 1)
    for code in ("P2", "P3"):
        number(screen, code).fill("10")
        with page.expect_response(is_value_post(bench)):
            number(screen, code).dispatch_event("change")
    expect(status(screen)).to_have_text(SAVED)
    with page.expect_response(lambda r: r.url.endswith(bench.api_path + "/submit")):
        page.get_by_role("button", name="提交评分表").tap()
    expect(status(screen)).to_have_text(SUBMITTED)
    expect(banner(screen)).to_be_hidden()

    # The server cannot be reached: an amendment waits on the tablet…
    page.route(f"**{bench.api_path}/values", lambda route: route.abort("internetdisconnected"))
    page.locator("#reason").fill("看错刻度")
    choice(screen, "P1", 2).tap()
    expect(status(screen)).to_have_text(offline_message(1))
    [waiting] = stored_queue(screen, bench)
    assert (waiting["criterion"], waiting["value"], waiting["label"]) == ("P1", "2", bench.label)

    # …and the judge goes back to the sheet list: the banner says what waits, where, and the
    # sheet is not shown as done.
    page.locator(".sheet-head a.button").tap()
    expect(page).to_have_url(f"{bench.site.url}/judging/trades/{bench.trade_id}")
    expect(banner(screen)).to_be_visible()
    expect(banner(screen).locator(".unsent-title")).to_have_text(
        "尚未保存：1 项修改暂存在本机，将自动重新发送。保存完成前请不要关闭本平板。"
    )
    expect(banner(screen).locator("li")).to_have_text(f"{bench.label}：P1 → 2")
    expect(banner(screen).locator("li a")).to_have_attribute("href", bench.sheet_path)
    expect(tile(screen, bench)).to_have_class(re.compile(r"\bunsent\b"))
    expect(tile(screen, bench)).not_to_have_class(re.compile(r"\bdone\b"))
    expect(tile(screen, bench).locator(".unsent-badge")).to_have_text("未发送")
    background = tile(screen, bench).evaluate("el => getComputedStyle(el).backgroundColor")
    assert background != "rgb(240, 253, 244)"  # not the green of a done sheet
    forgive(screen, bench.api_path, (), OFFLINE_FAILURES)
    check_page(screen, screenshot, "1-list-waiting")

    # Any other page says so too, and keeps trying.
    screen.goto("/judging/")
    expect(banner(screen).locator("li")).to_have_text(f"{bench.label}：P1 → 2")
    assert bench.scores()["P1"] == ("1", ScoreState.SUBMITTED, 2)

    # The server is reachable again: the change is sent from this page, once, and the
    # banner goes.
    with page.expect_response(
        lambda r: is_value_post(bench)(r) and r.status == 200, timeout=20_000
    ) as answer:
        page.unroute(f"**{bench.api_path}/values")
    assert answer.value.request.headers["idempotency-key"] == waiting["key"]
    expect(banner(screen)).to_be_hidden()
    assert stored_queue(screen, bench) is None
    assert bench.scores()["P1"] == ("2", ScoreState.SUBMITTED, 3)
    assert [a for a, c in bench.audit() if c == "P1"] == ["score.draft", "score.amend"]
    forgive(screen, bench.api_path, (), OFFLINE_FAILURES)
    check_page(screen, screenshot, "2-sent")
    screen.goto(f"/judging/trades/{bench.trade_id}")
    expect(tile(screen, bench)).to_have_class(re.compile(r"\bdone\b"))
    expect(tile(screen, bench)).not_to_have_class(re.compile(r"\bunsent\b"))


def test_a_change_refused_while_the_sheet_was_not_open_is_shown_in_its_field(
    open_screen, screenshot, bench
):
    screen = open_screen("tablet-landscape")
    page = screen.page
    open_sheet(screen, bench)
    page.route(f"**{bench.api_path}/values", lambda route: route.abort("internetdisconnected"))
    choice(screen, "P4", 2).tap()
    expect(status(screen)).to_have_text(offline_message(1))
    page.locator(".sheet-head a.button").tap()
    expect(banner(screen).locator("li")).to_have_text(f"{bench.label}：P4 → 2")

    # Meanwhile the chief judge signs the trade off; the retry from the list is refused.
    bench.lock_trade()
    with page.expect_response(lambda r: is_value_post(bench)(r), timeout=20_000) as answer:
        page.unroute(f"**{bench.api_path}/values")
    assert answer.value.status == 423
    expect(banner(screen).locator("li")).to_have_text(
        f"{bench.label}：P4 → 2（被拒绝：{LOCKED} 请打开评分表。）"
    )
    forgive(screen, bench.api_path, {423}, OFFLINE_FAILURES)
    check_page(screen, screenshot, "refused-in-list")

    # Opening the sheet shows the refused value in its field, marked invalid, with why.
    banner(screen).locator("li a").tap()
    expect(page).to_have_url(bench.site.url + bench.sheet_path)
    expect(choice(screen, "P4", 2).locator("input")).to_be_checked()
    expect(field(screen, "P4")).to_have_class(re.compile(r"\bhas-error\b"))
    expect(field(screen, "P4").locator("input").first).to_have_attribute("aria-invalid", "true")
    expect(field_note(screen, "P4")).to_have_text(LOCKED)
    expect(status(screen)).to_have_text(unsaved_message(1))
    assert stored_queue(screen, bench) is None
    expect(banner(screen)).to_be_hidden()
    assert bench.scores() == {}
    check_page(screen, screenshot, "refused-in-field")


def test_a_value_the_server_refuses_stays_marked_invalid_and_nothing_says_saved(
    open_screen, screenshot, bench
):
    screen = open_screen("tablet-portrait")
    page = screen.page
    open_sheet(screen, bench)
    tap_and_save(screen, bench, "P1", 1)
    # The criterion's maximum was lowered after the page was loaded: the tablet still
    # accepts 10, the server refuses it.
    with lowered_maximum(bench, "P2", Decimal(5)):
        number(screen, "P2").fill("10")
        with page.expect_response(is_value_post(bench)) as answer:
            number(screen, "P2").dispatch_event("change")
        assert answer.value.status == 422, answer.value.text()
        expect(number(screen, "P2")).to_have_value("10")  # the refused value stays…
        expect(number(screen, "P2")).to_have_attribute("aria-invalid", "true")  # …invalid
        expect(field_note(screen, "P2")).to_have_text("请输入 0 至 5 之间的数值。")
        expect(status(screen)).to_have_text(unsaved_message(1))
        # Another value saved meanwhile does not make the header say everything is saved.
        tap_and_save_quietly(screen, bench, "P4", 2)
        expect(status(screen)).to_have_text(unsaved_message(1))
        expect(status(screen)).to_have_attribute("data-state", "error")
        forgive(screen, bench.api_path, {422})
        check_page(screen, screenshot, "server-refused")
        # Corrected, it is saved and the mark goes.
        number(screen, "P2").fill("4")
        with page.expect_response(is_value_post(bench)) as answer:
            number(screen, "P2").dispatch_event("change")
        assert answer.value.status == 200
    expect(number(screen, "P2")).not_to_have_attribute("aria-invalid", "true")
    expect(status(screen)).to_have_text(SAVED)
    assert bench.scores()["P2"] == ("4", ScoreState.DRAFT, 1)


def tap_and_save_quietly(screen: Screen, bench: Bench, code: str, value: int) -> None:
    """Tap a choice and wait for the server's answer (the header is the caller's to check)."""
    with screen.page.expect_response(is_value_post(bench)) as answer:
        choice(screen, code, value).tap()
    assert answer.value.status == 200, answer.value.text()
    expect(field_note(screen, code)).to_have_text(FIELD_SAVED)


@contextmanager
def lowered_maximum(bench: Bench, code: str, maximum: Decimal) -> Iterator[None]:
    """The criterion's maximum lowered on the server for the block, then put back."""
    with bench.site.app.app_context():
        criterion = db.session.execute(
            sa.select(Criterion).where(Criterion.trade_id == bench.trade_id, Criterion.code == code)
        ).scalar_one()
        kept, criterion.max = criterion.max, maximum
        criterion_id = criterion.id
        db.session.commit()
        db.session.remove()
    try:
        yield
    finally:
        with bench.site.app.app_context():
            db.session.get(Criterion, criterion_id).max = kept
            db.session.commit()
            db.session.remove()
