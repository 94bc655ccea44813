"""The organisers publish through a preview and its confirmation, never a bare button; the
stage page says plainly when the time came and nothing was published, and why; a withdrawn
publication is explained on the public pages; a revoked certificate's verify page says so."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.core.extensions import db
from contest.domain.stages import StageKind, StageState
from contest.events.models import Event, Trade
from contest.publication import services as publications
from contest.publication.models import Certificate, Publication
from contest.registration.models import Entrant
from contest.stages import services as stages
from contest.stages.models import StageWindow
from tests.conftest import login, post
from tests.factories import make_user, score_fully, sign_off
from tests.services import test_publication
from tests.services.test_appeals import at

SLUG = "test-games"


@pytest.fixture
def w(app):
    """The publication world of the service tests (ELEC not locked, E4 unscored), as ids,
    with a chief judge's and a unit contact's accounts."""
    with app.app_context():
        built = test_publication.build()
        make_user(Role.CHIEF_JUDGE, username="chief")
        make_user(Role.UNIT_CONTACT, username="contact")
        db.session.commit()
        windows = {
            kind: stages.window(built.event, kind).id
            for kind in (StageKind.PUBLIC_NOTICE, StageKind.PUBLISH)
        }
        return SimpleNamespace(
            event=built.event.id, elec=built.elec.id, weld=built.weld.id, windows=windows
        )


def clock(app, hours: float) -> None:
    with app.app_context():
        stages.apply_due(at(hours))
        db.session.commit()


def ready(app, w) -> None:
    """E4 scored and ELEC signed off: every trade may be published."""
    with app.app_context():
        elec = db.session.get(Trade, w.elec)
        score_fully(elec)
        sign_off(elec)
        db.session.commit()


def as_user(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def current(app, w, kind: str) -> Publication | None:
    with app.app_context():
        found = publications.published(db.session.get(Event, w.event), kind)
        if found is not None:
            db.session.expunge(found)
        return found


def state(app, window_id: int) -> StageState:
    with app.app_context():
        return db.session.get(StageWindow, window_id).state


def preview_path(w, kind: str = "results") -> str:
    return f"/publication/events/{w.event}/{kind}/preview"


def digest(page: str) -> str:
    return re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', page).group(1)


def confirm(client, w, kind: str = "results"):
    """Look at the preview, then confirm it."""
    page = text(client.get(preview_path(w, kind)))
    return post(client, f"/publication/events/{w.event}/{kind}/publish", {"digest": digest(page)})


# --- the stage page ----------------------------------------------------------------------------


def test_the_publish_window_has_no_bare_close_button(app, w):
    organiser = as_user(app, "organiser")
    page = text(organiser.get(f"/organise/events/{w.event}/timeline"))
    assert f"/windows/{w.windows[StageKind.PUBLISH]}/state" not in page
    assert f"/windows/{w.windows[StageKind.PUBLIC_NOTICE]}/state" in page  # others keep theirs
    assert preview_path(w) in page and "预览并发布…" in page
    # Closing the publish window by hand goes to the preview instead, and changes nothing.
    response = post(
        organiser,
        f"/organise/events/{w.event}/windows/{w.windows[StageKind.PUBLISH]}/state",
        {"state": "closed", "reason": "立即发布"},
    )
    assert response.status_code == 302 and response.headers["Location"] == preview_path(w)
    assert state(app, w.windows[StageKind.PUBLISH]) == StageState.PENDING
    # So does opening the notice by hand while its list is not published.
    response = post(
        organiser,
        f"/organise/events/{w.event}/windows/{w.windows[StageKind.PUBLIC_NOTICE]}/state",
        {"state": "open", "reason": "提前公示"},
    )
    assert response.headers["Location"] == preview_path(w, "public_notice")
    assert state(app, w.windows[StageKind.PUBLIC_NOTICE]) == StageState.PENDING
    assert current(app, w, "results") is None and current(app, w, "public_notice") is None


def test_the_time_reached_with_an_unlocked_trade_publishes_nothing_and_says_so(app, client, w):
    clock(app, 80)
    clock(app, 100)
    assert state(app, w.windows[StageKind.PUBLISH]) == StageState.CLOSED
    assert current(app, w, "results") is None and current(app, w, "public_notice") is None
    assert client.get(f"/e/{SLUG}/results").status_code == 404
    assert client.get(f"/e/{SLUG}/notice").status_code == 404
    page = text(as_user(app, "organiser").get(f"/organise/events/{w.event}/timeline"))
    assert "已到发布时间，但 电工 工种未锁定，成绩未发布。" in page
    assert "已到公示时间，但 电工 工种未锁定，拟表彰名单未发布。" in page
    assert "裁判长尚未锁定 电工 工种。" in page

    # Once ELEC is ready, the organiser publishes through the confirmed action.
    ready(app, w)
    organiser = as_user(app, "organiser")
    assert confirm(organiser, w, "public_notice").status_code == 302
    assert confirm(organiser, w).status_code == 302
    assert client.get(f"/e/{SLUG}/results").status_code == 200
    page = text(organiser.get(f"/organise/events/{w.event}/timeline"))
    assert "已到发布时间" not in page and "成绩已于" in page


# --- the preview and its confirmation ------------------------------------------------------------


def test_the_preview_lists_what_stops_publication_and_offers_no_confirmation(app, w):
    organiser = as_user(app, "organiser")
    response = organiser.get(preview_path(w))
    page = text(response)
    assert response.status_code == 200
    assert "1 个工种未就绪" in page and "裁判长尚未锁定 电工 工种。" in page
    assert "WELD 焊工" in page and "ELEC 电工" in page
    assert "金牌工人" in page and "选手E1" in page  # who would be on the lists
    assert 'name="digest"' not in page
    # Confirming anyway is refused, naming the trade; nothing is published.
    response = post(organiser, f"/publication/events/{w.event}/results/publish", {"digest": "0"})
    assert response.status_code == 409
    assert "裁判长尚未锁定 电工 工种。" in text(response)
    assert current(app, w, "results") is None


def test_a_confirmed_preview_publishes_the_results(app, client, w):
    ready(app, w)
    organiser = as_user(app, "organiser")
    page = text(organiser.get(preview_path(w)))
    assert "确认后发布的内容即如下所示" in page and "确认发布" in page
    assert "证书：将新颁发" in page
    response = confirm(organiser, w)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/publication/events/{w.event}/"
    hub = text(organiser.get(response.headers["Location"]))
    assert "成绩和获奖名单已发布，证书已颁发。" in hub
    published = current(app, w, "results")
    assert published is not None and published.payload["awards"]
    assert state(app, w.windows[StageKind.PUBLISH]) == StageState.CLOSED
    assert client.get(f"/e/{SLUG}/awards").status_code == 200
    # The preview now says it is published and offers no second confirmation.
    page = text(organiser.get(preview_path(w)))
    assert "成绩已于" in page and 'name="digest"' not in page


def test_a_stale_preview_is_not_published(app, w):
    ready(app, w)
    organiser = as_user(app, "organiser")
    response = post(
        organiser, f"/publication/events/{w.event}/results/publish", {"digest": "f" * 32}
    )
    assert response.status_code == 409
    assert "预览之后，待发布的内容已发生变化" in text(response)
    assert current(app, w, "results") is None


def test_a_confirmation_needs_the_forms_token(app, w):
    ready(app, w)
    organiser = as_user(app, "organiser")
    page = text(organiser.get(preview_path(w)))
    response = organiser.post(
        f"/publication/events/{w.event}/results/publish", data={"digest": digest(page)}
    )
    assert response.status_code == 400
    assert current(app, w, "results") is None


@pytest.mark.parametrize("username", ["chief", "contact"])
def test_only_organisers_publish(app, w, username):
    ready(app, w)
    client = as_user(app, username)
    assert client.get(preview_path(w)).status_code == 403
    response = post(client, f"/publication/events/{w.event}/results/publish", {"digest": "0"})
    assert response.status_code == 403
    assert client.get(f"/publication/events/{w.event}/").status_code == 403
    assert current(app, w, "results") is None


# --- withdrawal --------------------------------------------------------------------------------


@pytest.fixture
def published(app, w):
    ready(app, w)
    clock(app, 80)
    clock(app, 100)
    assert current(app, w, "results") is not None
    return w


def certificate_codes(app) -> set[str]:
    with app.app_context():
        return set(
            db.session.execute(
                sa.select(Certificate.code).where(Certificate.revoked_at.is_(None))
            ).scalars()
        )


def test_results_are_withdrawn_with_a_reason_and_published_again(app, client, published):
    w = published
    organiser = as_user(app, "organiser")
    path = f"/publication/events/{w.event}/results/withdraw"
    page = text(organiser.get(path))
    assert "已发布的成绩将被撤回：公开页面将予以说明，在重新发布之前可以更正成绩。" in page
    response = post(organiser, path, {"reason": "  "})
    assert response.status_code == 400 and "请填写撤回原因。" in text(response)
    assert current(app, w, "results") is not None
    codes = certificate_codes(app)

    assert post(organiser, path, {"reason": "电工成绩录入有误，更正后重新发布"}).status_code == 302
    assert current(app, w, "results") is None
    for page_path in (f"/e/{SLUG}/results", f"/e/{SLUG}/results/WELD", f"/e/{SLUG}/awards",
                      f"/e/{SLUG}/awards.pdf"):  # fmt: skip
        response = client.get(page_path)
        assert response.status_code == 410, page_path
        page = text(response)
        assert "成绩已撤回" in page and "电工成绩录入有误，更正后重新发布" in page
        assert re.search(r"发布的成绩已于 \d{4}年\d{1,2}月\d{1,2}日 撤回", page)
    home = text(client.get(f"/e/{SLUG}/"))
    assert "发布的成绩已于" in home and "电工成绩录入有误" in home
    assert client.get(f"/e/{SLUG}/notice").status_code == 200  # the notice stands
    hub = text(organiser.get(f"/publication/events/{w.event}/"))
    assert "电工成绩录入有误，更正后重新发布" in hub and "已到发布时间，但成绩未发布。" in hub
    # Withdrawing again: nothing to withdraw.
    response = post(organiser, path, {"reason": "再次撤回"})
    assert response.status_code == 409

    assert confirm(organiser, w).status_code == 302
    assert client.get(f"/e/{SLUG}/results").status_code == 200
    assert certificate_codes(app) == codes  # no duplicates for unchanged awards
    with app.app_context():
        kinds = db.session.execute(
            sa.select(Publication.kind, Publication.withdrawn_at.is_not(None)).order_by(
                Publication.id
            )
        ).all()
    assert [tuple(k) for k in kinds] == [
        ("public_notice", False),
        ("results", True),
        ("results", False),
    ]


def test_the_notice_is_withdrawn_only_after_the_results(app, client, published):
    w = published
    organiser = as_user(app, "organiser")
    path = f"/publication/events/{w.event}/public_notice/withdraw"
    response = post(organiser, path, {"reason": "公示名单有误"})
    assert response.status_code == 409
    assert "成绩是依据本次公示发布的，请先撤回成绩。" in text(response)
    post(organiser, f"/publication/events/{w.event}/results/withdraw", {"reason": "更正"})
    assert post(organiser, path, {"reason": "公示名单有误"}).status_code == 302
    response = client.get(f"/e/{SLUG}/notice")
    assert response.status_code == 410
    assert "公示已撤回" in text(response) and "公示名单有误" in text(response)


@pytest.mark.parametrize("username", ["chief", "contact"])
def test_only_organisers_withdraw(app, published, username):
    client = as_user(app, username)
    path = f"/publication/events/{published.event}/results/withdraw"
    assert client.get(path).status_code == 403
    assert post(client, path, {"reason": "撤回"}).status_code == 403
    assert current(app, published, "results") is not None


# --- certificates ------------------------------------------------------------------------------


def a_certificate(app) -> tuple[int, str]:
    with app.app_context():
        found = db.session.execute(
            sa.select(Certificate).where(Certificate.award_code == "gold").order_by(Certificate.id)
        ).scalars()
        first = next(iter(found))
        return first.id, first.code


def test_a_revoked_certificate_is_still_verified_and_says_so(app, client, published):
    w = published
    certificate_id, code = a_certificate(app)
    before = client.get(f"/verify/{code}")
    assert before.status_code == 200 and "证书真实有效" in text(before)
    assert client.get(f"/certificates/{code}.pdf").status_code == 200

    organiser = as_user(app, "organiser")
    path = f"/publication/events/{w.event}/certificates/{certificate_id}/revoke"
    page = text(organiser.get(path))
    assert code in page and "金牌工人" in page and "撤销后不能恢复" in page
    response = post(organiser, path, {"reason": ""})
    assert response.status_code == 400 and "请填写撤销证书的原因。" in text(response)
    assert post(organiser, path, {"reason": "经复核不符合获奖条件"}).status_code == 302

    after = client.get(f"/verify/{code}")
    page = text(after)
    assert after.status_code == 200
    assert "已被撤销，不再有效" in page and "已撤销" in page
    assert re.search(r"已于 \d{4}年\d{1,2}月\d{1,2}日 撤销", page)
    assert "经复核不符合获奖条件" in page
    assert "金牌工人" in page and "选手E1" in page  # what it certified
    assert "证书真实有效" not in page
    assert client.get(f"/certificates/{code}.pdf").status_code == 410
    hub = text(organiser.get(f"/publication/events/{w.event}/"))
    assert "经复核不符合获奖条件" in hub

    response = post(organiser, path, {"reason": "再次撤销"})
    assert response.status_code == 409 and "该证书已被撤销。" in text(response)


@pytest.mark.parametrize("username", ["chief", "contact"])
def test_only_organisers_revoke(app, published, username):
    certificate_id, _ = a_certificate(app)
    client = as_user(app, username)
    path = f"/publication/events/{published.event}/certificates/{certificate_id}/revoke"
    assert client.get(path).status_code == 403
    assert post(client, path, {"reason": "撤销"}).status_code == 403
    with app.app_context():
        assert db.session.get(Certificate, certificate_id).revoked_at is None


def test_a_certificate_of_another_event_is_not_found(app, published):
    certificate_id, _ = a_certificate(app)
    with app.app_context():
        other = Event(slug="other-games", name="其他赛事", starts_on=db.session.get(
            Event, published.event).starts_on)  # fmt: skip
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    organiser = as_user(app, "organiser")
    path = f"/publication/events/{other_id}/certificates/{certificate_id}/revoke"
    assert organiser.get(path).status_code == 404


def test_no_route_deletes_a_certificate(app, client, published):
    certificate_id, code = a_certificate(app)
    assert not [rule.rule for rule in app.url_map.iter_rules() if "DELETE" in (rule.methods or ())]
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        entrant_id, unit_id = certificate.entrant_id, certificate.entrant.unit_id
    # Removing the entrant of a published event (an organiser, giving a reason) leaves the
    # certificate as it is.
    organiser = as_user(app, "organiser")
    post(organiser, f"/unit/{unit_id}/entrants/{entrant_id}/remove", {"reason": "误报"})
    with app.app_context():
        assert db.session.get(Certificate, certificate_id) is not None
        assert db.session.get(Entrant, entrant_id) is not None
    response = client.get(f"/verify/{code}")
    assert response.status_code == 200 and "证书真实有效" in text(response)


def test_the_verify_page_answers_404_only_for_a_number_never_issued(app, client, published):
    _, code = a_certificate(app)
    altered = code[:-1] + ("1" if code[-1] != "1" else "2")
    assert client.get(f"/verify/{altered}").status_code == 404
    assert client.get(f"/verify/{code}").status_code == 200
