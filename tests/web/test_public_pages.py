"""The public pages of an event: results, award lists, 公示 with objections, the entrant
self-lookup and the venue screen — nothing before its publication, cached once published."""

from __future__ import annotations

import html
import json
import re
import time
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.config import cache_settings
from contest.core.extensions import cache, db, limiter
from contest.domain.package import read_package
from contest.domain.stages import StageKind, StageState
from contest.events import services as events
from contest.packages import importing
from contest.publication import final, notice, public
from contest.publication.models import Certificate, Objection, ObjectionAction
from contest.publication.public import distribution, summary, trade_results
from contest.registration.models import Entrant
from contest.stages import services as stages
from tests.conftest import Queries, csrf_token, login, post, race
from tests.factories import make_user, sign_off
from tests.packages import small_package

SLUG = "small-games"
HOME = f"/e/{SLUG}/"
NOTICE = f"/e/{SLUG}/notice"
LOOKUP = f"/e/{SLUG}/lookup"
#: When the test closes the 公示 window: 17:30 in Shanghai.
CLOSED_AT = datetime(2026, 5, 27, 9, 30, tzinfo=UTC)
OBJECTOR = {"name": "钱学真", "phone": "13912345678"}
GOOD_TEXT = "该选手理论考试存在违规行为，现场有多名证人。"

#: Every page that shows published results (the notice page is separate).
RESULT_PAGES = [
    f"/e/{SLUG}/results",
    f"/e/{SLUG}/results/WELD",
    f"/e/{SLUG}/results/ELEC",
    f"/e/{SLUG}/awards",
    f"/e/{SLUG}/screen",
    LOOKUP,
]


# --- setting the stage ----------------------------------------------------------------------


def set_up_games(app) -> SimpleNamespace:
    """The small package with a 公示 window (20–27 May), imported into ``app``'s database,
    every trade signed off by its chief judge."""
    document = small_package()
    document["event"]["schedule"]["public_notice"] = {
        "opens": "2026-05-20T09:00:00+08:00",
        "closes": "2026-05-27T17:00:00+08:00",
    }
    with app.app_context():
        package = read_package(json.loads(json.dumps(document), parse_float=Decimal))
        sign_off(*importing.import_package(package).event.trades)
        db.session.commit()
        ids = dict(db.session.execute(sa.select(Entrant.code, Entrant.id_number)).all())
    return SimpleNamespace(id_numbers=ids)


def _event():
    return events.event_by_slug(SLUG)


def open_notice(app) -> None:
    """Open the 公示 window by hand: the nomination list is published."""
    with app.app_context():
        stages.transition(
            stages.window(_event(), StageKind.PUBLIC_NOTICE), StageState.OPEN, None, "测试"
        )
        db.session.commit()


def close_notice(app) -> None:
    with app.app_context():
        window = stages.window(_event(), StageKind.PUBLIC_NOTICE)
        stages.transition(window, StageState.CLOSED, None, "测试", at=CLOSED_AT)
        db.session.commit()


def uphold(app, award: str, entrant: str, action: ObjectionAction, to: str | None, reason: str):
    """An objection filed and upheld by an organiser (the notice must be open)."""
    with app.app_context():
        objection = notice.file(
            _event(), award, entrant, OBJECTOR["name"], OBJECTOR["phone"], GOOD_TEXT
        )
        organiser = make_user(Role.ORGANISER)
        db.session.flush()
        notice.decide(organiser, objection, True, reason, action, to)
        db.session.commit()


def publish(app) -> None:
    with app.app_context():
        final.publish_results(_event())
        db.session.commit()


@pytest.fixture
def games(app):
    return set_up_games(app)


@pytest.fixture
def noticed(app, games):
    """The 公示 is open, with one upheld objection: 李娜 (E2) is off 技术能手."""
    open_notice(app)
    uphold(app, "expert", "E2", ObjectionAction.REMOVE, None, "经核实，该选手不符合推荐条件")
    return games


@pytest.fixture
def published(app, noticed):
    """…and the results are published."""
    publish(app)
    return noticed


def text(response) -> str:
    return response.get_data(as_text=True)


def main_part(response) -> str:
    """The page's content, without the header (which carries a fresh CSRF token)."""
    page = text(response)
    return page[page.index('<main id="content"') : page.index("</main>")]


def objections() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Objection)).scalar_one()


def objection_form(**fields) -> dict:
    data = {"nomination": "gold:E1", "text": GOOD_TEXT, **OBJECTOR}
    data.update(fields)
    return data


# --- nothing before publication -------------------------------------------------------------


def test_nothing_is_public_before_its_publication(app, client, games):
    for path in [*RESULT_PAGES, NOTICE]:
        assert client.get(path).status_code == 404, path
    assert post(client, LOOKUP, {"name": "张伟", "last4": "1234"}).status_code == 404
    assert post(client, NOTICE, objection_form()).status_code == 404
    page = text(client.get(HOME))
    assert f"/e/{SLUG}/results" not in page and NOTICE not in page

    open_notice(app)  # the nomination list is published, the results are not
    assert client.get(NOTICE).status_code == 200
    for path in RESULT_PAGES:
        assert client.get(path).status_code == 404, path
    with app.app_context():
        assert objections() == 0


def test_unknown_event_or_trade_is_404(client, published):
    assert client.get(f"/e/{SLUG}/results/NOPE").status_code == 404
    for path in [
        "/e/nope/",
        "/e/nope/results",
        "/e/nope/notice",
        "/e/nope/awards",
        "/e/nope/lookup",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "页面不存在" in text(response)


# --- event home -------------------------------------------------------------------------------


def test_event_home_shows_the_schedule_in_the_event_time_zone(client, games):
    page = text(client.get(HOME))
    assert "赛程" in page and "公示" in page
    assert "09:00" in page and "17:00" in page  # 20 May 09:00 – 27 May 17:00, Shanghai
    assert "badge-pending" in page


def test_event_home_links_to_what_is_published(client, published):
    page = text(client.get(HOME))
    for path in [f"/e/{SLUG}/results", f"/e/{SLUG}/awards", LOOKUP, NOTICE]:
        assert f'href="{path}"' in page, path
    assert f'href="/e/{SLUG}/results/WELD"' in page


# --- results ----------------------------------------------------------------------------------


def test_trade_results_show_ranks_names_units_and_components(client, published):
    response = client.get(f"/e/{SLUG}/results/WELD")
    assert response.status_code == 200
    page = text(response)
    assert "焊工成绩" in page
    assert "理论" in page and "实操" in page
    for name, unit, total in [("张伟", "一号区总工会", "87.08"), ("李娜", "二号产业工会", "83.24")]:
        assert name in page and unit in page and total in page
    assert page.index("张伟") < page.index("李娜") < page.index("王强")
    assert "未参赛" in page  # 王强 did not start
    assert "金牌工人" in page and "技师" in page
    assert "90.00" in page and "85.83" in page  # E1's components


def test_trade_results_carry_the_distribution_for_the_chart(client, published):
    page = text(client.get(f"/e/{SLUG}/results/WELD"))
    chart = json.loads(html.unescape(re.search(r"data-chart='([^']*)'", page).group(1)))
    assert sum(chart["counts"]) == 2  # the two ranked welders; the DNS is not in it
    assert chart["labels"][0] == "83–84" and chart["counts"] == [1, 0, 0, 0, 1]
    assert chart["x"] == "总成绩"
    # Chart.js and the drawing script are files: no inline script, no inline style.
    assert '/static/vendor/chart.umd.min.js"' in page and '/static/js/public.js"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "style=" not in page


def test_results_index_lists_trades_and_the_units_table(client, published):
    page = text(client.get(f"/e/{SLUG}/results"))
    assert f'href="/e/{SLUG}/results/WELD"' in page and f'href="/e/{SLUG}/results/ELEC"' in page
    assert "单位总成绩" in page
    assert page.index("一号区总工会") < page.index("二号产业工会")


def test_the_venue_screen_refreshes_itself_and_turns_pages(client, published):
    page = text(client.get(f"/e/{SLUG}/screen"))
    assert f'<meta http-equiv="refresh" content="30; url=/e/{SLUG}/screen?page=1">' in page
    assert "奖牌榜" in page and "一号区总工会" in page
    assert "张伟" in page and "赵敏" in page and "王强" not in page  # first places only
    wrapped = text(client.get(f"/e/{SLUG}/screen?page=7"))
    assert "第 1 / 1 页" in wrapped


# --- award lists ------------------------------------------------------------------------------


def test_award_lists_apply_upheld_objections_and_show_them(client, published):
    page = text(client.get(f"/e/{SLUG}/awards"))
    expert = page[page.index("技术能手") : page.index("晋升")]
    assert "李娜" not in expert  # removed by the upheld objection
    assert "李娜（二号产业工会）取消“技术能手”拟表彰资格。" in page
    assert "经核实，该选手不符合推荐条件" in page
    assert f'href="/e/{SLUG}/awards.pdf"' in page and f'href="/e/{SLUG}/awards.xlsx"' in page


# --- 公示 and objections --------------------------------------------------------------------


def test_notice_lists_nominations_and_decisions(app, client, noticed):
    uphold(app, "gold", "E4", ObjectionAction.CHANGE, "expert", "理论成绩复核后调整")
    page = text(client.get(NOTICE))
    assert "拟表彰人选公示" in page
    assert "张伟" in page and "李娜" in page  # the list as published for 公示
    assert "李娜（二号产业工会）取消“技术能手”拟表彰资格。" in page
    assert "赵敏（一号区总工会）由“金牌工人”调整为“技术能手”。" in page
    assert "理论成绩复核后调整" in page
    assert 'value="gold:E1"' in page  # the form offers each nomination
    assert OBJECTOR["phone"] not in page and OBJECTOR["name"] not in page


def test_an_objection_is_filed(app, client, noticed):
    response = post(client, NOTICE, objection_form(phone="0571-87654321"))
    assert response.status_code == 302 and response.headers["Location"] == NOTICE
    assert "您的异议已提交" in text(client.get(NOTICE))
    with app.app_context():
        filed = db.session.execute(
            sa.select(Objection).where(Objection.phone == "0571-87654321")
        ).scalar_one()
        assert (filed.award_code, filed.entrant_code, filed.name) == ("gold", "E1", "钱学真")


def test_a_late_objection_is_refused_naming_the_window_and_when_it_closed(app, client, noticed):
    close_notice(app)
    with app.app_context():
        before = objections()
    response = post(client, NOTICE, objection_form())
    assert response.status_code == 409
    page = text(response)
    assert "公示阶段已于" in page and "17:30" in page
    assert 'name="text"' not in page  # no form once the notice is closed
    with app.app_context():
        assert objections() == before


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"phone": "12345"}, "请填写 11 位手机号码，或带区号的固定电话。"),
        ({"name": "王"}, "请填写真实姓名（2 至 50 个字）。"),
        ({"text": "不同意"}, "异议内容应为 10 至 2000 个字。"),
        ({"nomination": "gold:E2"}, "公示名单中没有该项提名。"),
        ({"nomination": ""}, "请从列表中选择异议对象。"),
    ],
)
def test_bad_objections_are_refused_and_nothing_is_saved(app, client, noticed, fields, message):
    with app.app_context():
        before = objections()
    response = post(client, NOTICE, objection_form(**fields))
    assert response.status_code == 400
    assert message in text(response)
    with app.app_context():
        assert objections() == before


def test_every_problem_of_an_objection_is_shown_at_once(client, noticed):
    response = post(client, NOTICE, objection_form(name="", phone="1", text=""))
    assert response.status_code == 400
    page = text(response)
    assert "请填写真实姓名" in page and "请填写 11 位手机号码" in page and "异议内容应为" in page


def test_an_objection_needs_the_csrf_token(client, noticed):
    response = client.post(NOTICE, data=objection_form())
    assert response.status_code == 400
    assert "表单已过期" in text(response)


def test_each_visitor_gets_their_own_csrf_token_with_the_cached_list(app, client, noticed):
    other = app.test_client()
    first, second = client.get(NOTICE), other.get(NOTICE)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert csrf_token(client, NOTICE) != csrf_token(other, NOTICE)
    response = post(other, NOTICE, objection_form())  # the other visitor's token works
    assert response.status_code == 302


# --- the entrant's own result ---------------------------------------------------------------


def test_lookup_by_name_and_last_four_digits(client, published):
    last4 = published.id_numbers["E1"][-4:].lower()  # an "x" is as good as an "X"
    response = post(client, LOOKUP, {"name": "张伟", "last4": last4})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    assert "87.08" in page and "金牌工人" in page and "焊工" in page
    assert re.search(r'href="/certificates/[0-9A-F-]+\.pdf"', page)
    assert published.id_numbers["E1"] not in page


def test_lookup_by_certificate_number(app, client, published):
    with app.app_context():
        code = db.session.execute(
            sa.select(Certificate.code).join(Entrant).where(Entrant.code == "E4")
        ).scalar()
    page = text(post(client, LOOKUP, {"certificate": code.lower()}))
    assert "赵敏" in page and "88.25" in page and f"/certificates/{code}.pdf" in page


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "张伟", "last4": "0000"},
        {"name": "张三", "last4": "1234"},
        {"certificate": "2026001-00001-ABCDEF"},  # not genuine
    ],
)
def test_lookup_without_a_match_says_so(client, published, fields):
    if fields.get("last4") == "0000" and published.id_numbers["E1"].endswith("0000"):
        fields["last4"] = "1111"
    response = post(client, LOOKUP, fields)
    assert response.status_code == 200
    page = text(response)
    assert "未找到已公布的成绩" in page and "87.08" not in page


@pytest.mark.parametrize(
    "fields, message",
    [
        ({}, "请输入姓名和身份证号码后四位，或输入证书编号。"),
        ({"name": "张伟"}, "请输入姓名和身份证号码后四位，或输入证书编号。"),
        ({"name": "张伟", "last4": "12a4"}, "请输入身份证号码后四位：数字，末位可为 X。"),
    ],
)
def test_lookup_needs_name_and_digits_or_a_certificate(client, published, fields, message):
    response = post(client, LOOKUP, fields)
    assert response.status_code == 400
    assert message in text(response)


def test_lookup_is_rate_limited(another_app):
    app = another_app(RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="3 per minute")
    limiter.reset()
    set_up_games(app)
    open_notice(app)
    publish(app)
    client = app.test_client()
    statuses = [
        post(client, LOOKUP, {"name": "张伟", "last4": "0000"}).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 200]
    blocked = post(client, LOOKUP, {"name": "张伟", "last4": "0000"})
    assert blocked.status_code == 429
    assert "尝试次数过多" in text(blocked)
    assert client.get(LOOKUP).status_code == 200  # looking at the form is not limited


def test_objections_are_rate_limited(another_app):
    app = another_app(RATELIMIT_ENABLED=True, OBJECTION_RATE_LIMIT="2 per minute")
    limiter.reset()
    set_up_games(app)
    open_notice(app)
    client = app.test_client()
    statuses = [post(client, NOTICE, objection_form()).status_code for _ in range(2)]
    assert statuses == [302, 302]
    blocked = post(client, NOTICE, objection_form())
    assert blocked.status_code == 429
    with app.app_context():
        assert objections() == 2


# --- privacy ----------------------------------------------------------------------------------


def test_no_public_page_shows_an_id_number_or_a_phone(app, client, published):
    with app.app_context():
        people = db.session.execute(sa.select(Entrant.id_number, Entrant.phone)).all()
    secrets = {value for row in people for value in row if value} | {OBJECTOR["phone"]}
    assert secrets
    pages = [HOME, NOTICE, *RESULT_PAGES]
    answers = [text(client.get(path)) for path in pages]
    answers.append(
        text(post(client, LOOKUP, {"name": "张伟", "last4": published.id_numbers["E1"][-4:]}))
    )
    for path, page in zip([*pages, "lookup answer"], answers, strict=True):
        for secret in secrets:
            assert secret not in page, path


# --- caching ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [HOME, *RESULT_PAGES[:-1]])
def test_a_published_page_is_served_from_the_cache(app, client, published, path):
    with Queries(app) as first:
        built = client.get(path)
    with Queries(app) as second:
        served = client.get(path)
    assert (built.headers["X-Cache"], served.headers["X-Cache"]) == ("MISS", "HIT")
    assert second.count == 1 < first.count  # one query: is it still the same publication?
    assert main_part(served) == main_part(built)


def test_the_cache_keeps_each_language_apart(client, published):
    path = f"/e/{SLUG}/results/WELD"
    assert "焊工成绩" in text(client.get(path))
    post(client, "/lang", {"lang": "en"})
    english = client.get(path)
    assert english.headers["X-Cache"] == "MISS"
    assert "焊工 results" in text(english) and "Total score" in text(english)
    assert "焊工成绩" not in text(english)
    post(client, "/lang", {"lang": "zh_Hans_CN"})
    chinese = client.get(path)
    assert chinese.headers["X-Cache"] == "HIT" and "焊工成绩" in text(chinese)


def test_a_new_publication_is_shown_at_once(app, client, noticed):
    client.get(HOME)
    cached = client.get(HOME)
    assert cached.headers["X-Cache"] == "HIT" and f"/e/{SLUG}/awards" not in text(cached)
    publish(app)
    fresh = client.get(HOME)
    assert fresh.headers["X-Cache"] == "MISS" and f'href="/e/{SLUG}/awards"' in text(fresh)


def test_a_moved_window_is_shown_at_once(app, client, noticed):
    assert "badge-open" in text(client.get(HOME))
    close_notice(app)
    page = client.get(HOME)
    assert page.headers["X-Cache"] == "MISS" and "badge-open" not in text(page)


def test_flashed_messages_are_never_cached(client, noticed):
    post(client, NOTICE, objection_form())
    assert "您的异议已提交" in text(client.get(HOME))
    assert "您的异议已提交" not in text(client.get(HOME))


def test_visitors_asking_at_once_for_an_uncached_page_have_it_built_once(
    app, published, monkeypatch
):
    """A large event's page takes tens of MiB to build: one build per page, not per thread."""
    built = []

    def slow(*args, **kwargs):
        built.append(1)
        time.sleep(0.2)  # everyone else asks meanwhile
        return trade_results(*args, **kwargs)

    monkeypatch.setattr(public, "trade_results", slow)
    path = f"/e/{SLUG}/results/WELD"
    pages = race([lambda: app.test_client().get(path) for _ in range(4)])
    assert len(built) == 1
    assert sorted(page.headers["X-Cache"] for page in pages) == ["HIT", "HIT", "HIT", "MISS"]
    assert len({main_part(page) for page in pages}) == 1 and "张伟" in text(pages[0])


def test_a_failing_cache_store_does_not_fail_the_page(client, published, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("the cache store is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    response = client.get(f"/e/{SLUG}/results/WELD")
    assert response.status_code == 200 and response.headers["X-Cache"] == "MISS"
    assert "张伟" in text(response)


def test_the_cache_is_redis_when_a_redis_url_is_set():
    assert cache_settings({"REDIS_URL": "redis://cache:6379/0"}) == {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": "redis://cache:6379/0",
    }
    assert cache_settings({"REDIS_URL": None}) == {"CACHE_TYPE": "SimpleCache"}
    assert cache_settings({"CACHE_TYPE": "NullCache", "REDIS_URL": "redis://x"}) == {}


# --- the distribution (pure) ----------------------------------------------------------------


def test_distribution_bands_follow_the_spread():
    assert distribution([]).counts == ()
    narrow = distribution([Decimal("83.24"), Decimal("87.08")])
    assert narrow.labels == ("83–84", "84–85", "85–86", "86–87", "87–88")
    assert narrow.counts == (1, 0, 0, 0, 1)
    wide = distribution([Decimal(12), Decimal(55), Decimal("99.5"), Decimal(100)])
    assert wide.labels[0] == "10–20" and wide.labels[-1] == "90–100"
    assert wide.counts[-1] == 2  # the last band includes its upper edge
    assert sum(wide.counts) == 4
    assert distribution([Decimal(80), Decimal(80)]).counts == (2,)
    assert distribution([Decimal(60), Decimal(75)]).labels[0] == "60–62"


def test_summary_rounds_the_mean_half_up():
    figures = summary([Decimal("83.24"), Decimal("87.07")], entrants=3, decimals=2)
    assert (figures.entrants, figures.ranked) == (3, 2)
    assert (figures.highest, figures.mean, figures.lowest) == ("87.07", "85.16", "83.24")
    assert summary([], 1, 2).mean is None


def test_visitors_get_the_whole_page_from_the_cache_and_no_cookie(app, published):
    path = RESULT_PAGES[1]
    first, second = app.test_client().get(path), app.test_client().get(path)
    assert second.headers["X-Cache"] == "HIT"
    assert first.get_data() == second.get_data()  # nothing in it is the visitor's own
    assert "Set-Cookie" not in second.headers and "csrf" not in text(second)
    with app.app_context():
        make_user(Role.ORGANISER, username="viewer")
        db.session.commit()
    login(client := app.test_client(), "viewer")
    mine = client.get(path)
    assert mine.headers["X-Cache"] == "HIT"  # the content, in the account's own frame
    assert "csrf_token" in text(mine) and "viewer" not in text(second)


def test_a_worker_reuses_the_events_state_briefly_then_sees_the_change(app, noticed):
    app.config["PUBLIC_STAMP_TTL"] = 60
    client = app.test_client()
    assert client.get(RESULT_PAGES[1]).status_code == 404  # not published yet
    publish(app)
    assert client.get(RESULT_PAGES[1]).status_code == 404  # its state as read a moment ago
    app.config["PUBLIC_STAMP_TTL"] = 0  # as if that moment had passed
    assert client.get(RESULT_PAGES[1]).status_code == 200
