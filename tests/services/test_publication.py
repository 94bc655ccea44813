"""Publication holds together with the lifecycle: the 公示 and the results go public only
when every trade is signed off and complete — by the scheduler, or through the preview and
its confirmation — and otherwise nothing is published and the audit log says why; a
publication is withdrawn with a reason and kept; certificates are revoked, never deleted."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from contest.accounts.models import User
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.lifecycle import Action, NotNow
from contest.domain.package import read_package
from contest.domain.stages import StageKind, StageState
from contest.events.models import Event, Trade
from contest.packages import importing
from contest.publication import certificates, final, publishing, readiness
from contest.publication import services as publications
from contest.publication.certificates import CertificateError
from contest.publication.models import Certificate, CertificatesAreNeverDeleted, Publication
from contest.publication.services import PublicationError
from contest.registration.models import Entrant
from contest.results import services as results
from contest.results.models import ComponentScore
from contest.stages import services as stages
from tests.conftest import race
from tests.factories import make_entrant, make_trade, make_unit, score_fully, sign_off
from tests.packages import small_package
from tests.services import test_notice
from tests.services.test_appeals import at


def build():
    """The notice world (WELD signed off, E1–E3 complete; notice 72–96 h, publication at
    100 h) with a second trade, ELEC, whose only entrant E4 has no score yet and which its
    chief judge has not locked. Call inside an app context; committed."""
    built = test_notice.build()
    built.elec = make_trade(built.event, "ELEC", "电工", criteria=0)
    built.e4 = make_entrant(built.elec, make_unit(built.event, "U4"), "E4", station=1)
    db.session.commit()
    return built


@pytest.fixture
def w(ctx):
    return build()


def clock(hours: float) -> None:
    stages.apply_due(at(hours))
    db.session.commit()


def complete_elec(w) -> None:
    score_fully(w.elec)
    sign_off(w.elec)
    db.session.commit()


def current(w, kind: str) -> Publication | None:
    db.session.expire_all()
    return publications.published(w.event, kind)


def rows(kind: str | None = None) -> list[Publication]:
    query = sa.select(Publication).order_by(Publication.id)
    if kind is not None:
        query = query.where(Publication.kind == kind)
    return list(db.session.execute(query).scalars())


def audit(action: str) -> list[AuditEntry]:
    return list(
        db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).scalars()
    )


def window(w, kind: StageKind):
    db.session.expire_all()
    return stages.window(w.event, kind)


def codes() -> dict[tuple[str, str], str]:
    """Every valid certificate's code by (award, entrant code)."""
    return {
        (award, entrant): code
        for award, entrant, code in db.session.execute(
            sa.select(Certificate.award_code, Entrant.code, Certificate.code)
            .join(Entrant, Entrant.id == Certificate.entrant_id)
            .where(Certificate.revoked_at.is_(None))
        )
    }


# --- the scheduler: nothing published while a trade is not ready ------------------------------


def test_the_notice_time_publishes_nothing_while_a_trade_is_not_locked(w):
    clock(80)  # the notice opens
    assert window(w, StageKind.PUBLIC_NOTICE).state == StageState.OPEN
    assert rows() == []
    [note] = audit("publication.blocked")
    assert note.new["kind"] == "public_notice"
    assert note.new["trades"] == [{"trade": "ELEC", "code": "unlocked", "incomplete": 1}]
    assert "电工" in note.reason and "裁判长尚未锁定" in note.reason

    # Later, once ELEC is complete and signed off, the organiser publishes it confirmed.
    complete_elec(w)
    shown = publishing.preview(w.event, publications.NOTICE)
    assert shown.ready and shown.blockers == []
    publishing.confirm(w.organiser, w.event, publications.NOTICE, shown.digest, "确认")
    db.session.commit()
    notice = current(w, publications.NOTICE)
    assert notice is not None and notice.published_by_id == w.organiser.id
    assert [a["code"] for a in notice.payload["awards"]] == ["gold", "expert", "prize"]


def test_the_publication_time_publishes_nothing_while_a_trade_is_incomplete(w):
    sign_off(w.elec)  # signed off, but E4 has no score
    db.session.commit()
    clock(100)
    assert window(w, StageKind.PUBLISH).state == StageState.CLOSED
    assert current(w, publications.RESULTS) is None
    assert db.session.execute(sa.select(sa.func.count()).select_from(Certificate)).scalar() == 0
    [note] = audit("publication.blocked")
    assert note.new == {
        "kind": "results",
        "trades": [{"trade": "ELEC", "code": "incomplete", "incomplete": 1}],
    }
    assert "电工 工种有 1 名选手成绩不完整" in note.reason
    overdue = publishing.standing(w.event)[publications.RESULTS]
    assert overdue.overdue and [t.trade.code for t in overdue.blockers] == ["ELEC"]
    assert stages.apply_due(at(200)) == []  # reached once: nothing retried behind their back
    assert current(w, publications.RESULTS) is None


def test_the_scheduler_publishes_when_every_trade_is_ready(w):
    complete_elec(w)
    clock(80)
    clock(100)
    assert current(w, publications.NOTICE) is not None
    results = current(w, publications.RESULTS)
    assert results is not None and results.published_by_id is None
    assert audit("publication.blocked") == []
    assert [e.new["kind"] for e in audit("publication.publish")] == ["public_notice", "results"]


# --- the services refuse, naming the trade ------------------------------------------------------


def test_publishing_an_unlocked_trade_is_refused_naming_it(w):
    for publish in (publications.publish_notice, final.publish_results):
        with pytest.raises(NotNow) as refused:
            publish(w.event)
        db.session.rollback()
        assert refused.value.code == "unlocked" and refused.value.status == 409
        assert refused.value.params["trade"] == "电工"
    assert rows() == []


def test_publishing_an_incomplete_trade_is_refused_with_the_count(w):
    sign_off(w.elec)
    db.session.commit()
    with pytest.raises(NotNow) as refused:
        final.publish_results(w.event)
    db.session.rollback()
    assert refused.value.code == "incomplete"
    assert refused.value.params == {"trade": "电工", "count": 1}
    assert rows() == []


def test_the_facts_are_the_lifecycles(w):
    found = {t.trade.code: t for t in readiness.trades(w.event, Action.PUBLISH)}
    assert found["WELD"].ready and found["WELD"].facts.incomplete == 0
    assert (found["ELEC"].facts.locked, found["ELEC"].facts.incomplete) == (False, 1)
    assert found["ELEC"].refusal.code == "unlocked"


# --- the confirmation --------------------------------------------------------------------------


def awarded(awards) -> int:
    return sum(len(award["entrants"]) for award in awards)


def e4_total(payload) -> str:
    [elec] = [t for t in payload["results"]["trades"] if t["code"] == "ELEC"]
    return elec["entrants"][0]["total"]


def test_a_confirmation_publishes_what_the_preview_showed_and_nothing_else(w):
    complete_elec(w)
    shown = publishing.preview(w.event, publications.RESULTS)
    assert shown.ready and shown.certificates_kept == 0
    assert shown.certificates_new == awarded(shown.awards) > 0
    assert "E1" in test_notice.lists(shown.awards)["gold"]
    # A mark changes after the preview (the trade reopened and signed off again): the
    # confirmation of the old preview is refused.
    [theory] = db.session.execute(
        sa.select(ComponentScore).join(Entrant).where(Entrant.code == "E4").limit(1)
    ).scalars()
    theory.value = Decimal(95)
    db.session.flush()
    results.recompute_trade(w.elec)
    db.session.commit()
    with pytest.raises(PublicationError) as refused:
        publishing.confirm(w.organiser, w.event, publications.RESULTS, shown.digest, "确认")
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == ("changed", 409)
    assert rows() == []

    again = publishing.preview(w.event, publications.RESULTS)
    assert again.digest != shown.digest
    publishing.confirm(w.organiser, w.event, publications.RESULTS, again.digest, "确认发布")
    db.session.commit()
    published_now = current(w, publications.RESULTS).payload
    assert e4_total(published_now) != "40.00" and published_now["awards"] == [
        {**award, "entrants": [{**row, "certificate": codes()[(award["code"], row["entrant"])]}
                               for row in award["entrants"]]}
        for award in again.awards
    ]  # fmt: skip
    publish_window = window(w, StageKind.PUBLISH)
    assert publish_window.state == StageState.CLOSED  # reached by the confirmation
    assert publish_window.transitions[-1].reason == "确认发布"
    assert publish_window.transitions[-1].by_user_id == w.organiser.id


def test_publishing_twice_is_refused(w):
    complete_elec(w)
    for kind in publications.KINDS:
        shown = publishing.preview(w.event, kind)
        publishing.confirm(w.organiser, w.event, kind, shown.digest, "确认")
        db.session.commit()
    with pytest.raises(PublicationError) as notice_twice:
        publishing.confirm(w.organiser, w.event, publications.NOTICE, "x", "确认")
    db.session.rollback()
    assert (notice_twice.value.code, notice_twice.value.status) == ("notice_published", 409)
    with pytest.raises(NotNow) as results_twice:
        publishing.confirm(w.organiser, w.event, publications.RESULTS, "x", "确认")
    db.session.rollback()
    assert (results_twice.value.code, results_twice.value.status) == ("published", 423)
    assert len(rows()) == 2


def test_two_confirmations_at_once_publish_once(app, w):
    complete_elec(w)
    shown = publishing.preview(w.event, publications.RESULTS)
    event_id, organiser_id = w.event.id, w.organiser.id
    db.session.commit()  # this session holds nothing while the two confirm

    def confirm():
        with app.app_context():
            try:
                publishing.confirm(
                    db.session.get(User, organiser_id),
                    db.session.get(Event, event_id),
                    publications.RESULTS,
                    shown.digest,
                    "确认",
                )
                db.session.commit()
                return True
            except Exception:  # refused, or a busy database: this one published nothing
                db.session.rollback()
                return False

    assert race([confirm, confirm]).count(True) == 1
    db.session.expire_all()
    assert len(rows(publications.RESULTS)) == 1
    assert len(codes()) == awarded(shown.awards)


# --- withdrawal --------------------------------------------------------------------------------


@pytest.fixture
def published(w):
    complete_elec(w)
    clock(80)
    clock(100)
    return w


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_withdrawal_needs_a_reason(published, reason):
    with pytest.raises(PublicationError) as refused:
        publications.withdraw(published.organiser, published.event, publications.RESULTS, reason)
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == ("reason_required", 400)
    assert current(published, publications.RESULTS) is not None


def test_a_withdrawn_publication_is_kept_and_publishing_again_makes_a_new_one(published):
    w = published
    before = codes()
    first = current(w, publications.RESULTS)
    publications.withdraw(w.organiser, w.event, publications.RESULTS, "电工成绩录入有误")
    db.session.commit()
    assert current(w, publications.RESULTS) is None  # what score writes ask
    kept = db.session.get(Publication, first.id)
    assert kept.withdrawn_at is not None and kept.withdrawn_by_id == w.organiser.id
    assert kept.withdrawal_reason == "电工成绩录入有误" and kept.payload["awards"]
    assert publications.withdrawn(w.event, publications.RESULTS).id == first.id
    [entry] = audit("publication.withdraw")
    assert entry.reason == "电工成绩录入有误" and entry.entity_id == str(first.id)
    assert codes() == before  # certificates stay as they are

    # The notice cannot be withdrawn while the results published from it are current.
    final.publish_results(w.event, w.organiser)
    db.session.commit()
    with pytest.raises(PublicationError) as refused:
        publications.withdraw(w.organiser, w.event, publications.NOTICE, "重新公示")
    db.session.rollback()
    assert refused.value.code == "results_published"

    again = current(w, publications.RESULTS)
    assert again.id != first.id and len(rows(publications.RESULTS)) == 2
    assert codes() == before  # unchanged awards: no duplicate certificates
    published_codes = {
        row["certificate"] for award in again.payload["awards"] for row in award["entrants"]
    }
    assert published_codes == set(before.values())


def test_withdrawing_what_is_not_published_is_refused(w):
    with pytest.raises(PublicationError) as refused:
        publications.withdraw(w.organiser, w.event, publications.RESULTS, "原因")
    db.session.rollback()
    assert (refused.value.code, refused.value.status) == ("not_published", 409)


def test_a_revoked_certificate_is_issued_anew_on_republication(published):
    w = published
    gold = db.session.execute(
        sa.select(Certificate).where(Certificate.code == codes()[("gold", "E1")])
    ).scalar_one()
    publications.withdraw(w.organiser, w.event, publications.RESULTS, "更正")
    certificates.revoke(w.organiser, gold, "证书信息有误")
    final.publish_results(w.event, w.organiser)
    db.session.commit()
    valid = codes()
    assert valid[("gold", "E1")] != gold.code
    numbers = [c.code.split("-")[1] for c in certificates.of_event(w.event)]
    assert len(numbers) == len(set(numbers)) == len(valid) + 1  # never a number given before


# --- certificates ------------------------------------------------------------------------------


def test_a_certificate_is_revoked_once_with_a_reason(published):
    w = published
    certificate = certificates.of_event(w.event)[0]
    with pytest.raises(CertificateError) as no_reason:
        certificates.revoke(w.organiser, certificate, " ")
    db.session.rollback()
    assert (no_reason.value.code, no_reason.value.status) == ("reason_required", 400)
    certificates.revoke(w.organiser, certificate, "获奖资格经复核取消")
    db.session.commit()
    assert certificate.revoked_at is not None and certificate.revoked_by_id == w.organiser.id
    [entry] = audit("certificate.revoke")
    assert entry.reason == "获奖资格经复核取消" and entry.old["code"] == certificate.code
    with pytest.raises(CertificateError) as twice:
        certificates.revoke(w.organiser, certificate, "再次撤销")
    db.session.rollback()
    assert (twice.value.code, twice.value.status) == ("revoked", 409)
    verified = certificates.verify(certificate.code)
    assert verified.genuine and verified.certificate.is_revoked


def test_a_certificate_cannot_be_deleted(published):
    w = published
    certificate = certificates.of_event(w.event)[0]
    db.session.delete(certificate)
    with pytest.raises(CertificatesAreNeverDeleted):
        db.session.flush()
    db.session.rollback()
    # Nor by removing its entrant, or its event: the database refuses.
    entrant_id = certificate.entrant_id
    with pytest.raises(IntegrityError):
        db.session.execute(sa.delete(Entrant).where(Entrant.id == entrant_id))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.delete(Event).where(Event.id == w.event.id))
        db.session.flush()
    db.session.rollback()
    assert len(certificates.of_event(w.event)) == len(codes()) > 0


def test_importing_a_package_over_a_published_event_keeps_its_certificates(ctx):
    package = read_package(json.loads(json.dumps(small_package()), parse_float=Decimal))
    event = importing.import_package(package).event
    sign_off(*event.trades)
    final.publish_results(event)
    db.session.commit()
    issued = {c.code for c in db.session.execute(sa.select(Certificate)).scalars()}
    assert issued
    with pytest.raises(IntegrityError):
        importing.import_package(package)
        db.session.flush()
    db.session.rollback()
    assert {c.code for c in db.session.execute(sa.select(Certificate)).scalars()} == issued
    assert all(certificates.verify(code).genuine for code in issued)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Trade)).scalar() == 2
