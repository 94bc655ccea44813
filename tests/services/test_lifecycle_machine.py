"""Random sequences of what organisers, a unit, judges and the chief judge do to a trade —
register, review, correct, take back, withdraw, move windows, draw, top up, check in,
score, declare, lock, unlock, publish, withdraw the publication, revoke — each done as a
request is (committed when it succeeds, rolled back when refused), with the invariants
checked after every step:

- every approved entrant in the field who checked in has a station;
- no acknowledged score is lost, or changed without an audit entry;
- published results equal the stored results;
- a certificate's verify page, once genuine, never turns into a 404.

``LIFECYCLE_EXAMPLES`` (default 5) and ``LIFECYCLE_STEPS`` (default 30) make the walk
longer, e.g. ``LIFECYCLE_EXAMPLES=300 LIFECYCLE_STEPS=80`` before the test command.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain import idcard
from contest.domain.refusal import Refused
from contest.domain.registration import Applicant
from contest.domain.scoring import DeclaredStatus
from contest.domain.stages import StageKind, StageState
from contest.events.models import Component, Criterion, Event, Trade
from contest.judging import chief, draw, sheets
from contest.judging.checkin import check_in
from contest.publication import publishing
from contest.publication import services as publications
from contest.publication.certificates import revoke
from contest.publication.models import Certificate
from contest.registration import services as registration
from contest.registration import withdrawal
from contest.registration.models import CheckIn, Entrant, RegistrationStatus
from contest.results import services as results
from contest.results.models import Score
from contest.stages import services as stages
from contest.stages.models import StageWindow
from tests.conftest import empty_tables
from tests.factories import make_event, make_judge, make_unit, make_user

EXAMPLES = int(os.environ.get("LIFECYCLE_EXAMPLES", "5"))
STEPS = int(os.environ.get("LIFECYCLE_STEPS", "30"))

PEOPLE = 5
#: The windows are moved by hand in the walk; their planned times do not matter.
OPENS = datetime(2026, 5, 1, tzinfo=UTC)
KINDS = [StageKind.REGISTRATION, StageKind.REVIEW, StageKind.SCORING, StageKind.APPEAL]
person = st.integers(0, PEOPLE - 1)
judge = st.integers(0, 1)


def id_number(i: int) -> str:
    return idcard.build("330102", date(1990, 3, 1 + i), 10 + i, "M")


class Walk(RuleBasedStateMachine):
    """One trade's life, walked at random."""

    app = None  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.context = self.app.test_request_context()
        self.context.push()
        db.session.remove()
        empty_tables()
        self.organiser = make_user(Role.ORGANISER, username="organiser")
        self.contact = make_user(Role.UNIT_CONTACT, username="contact")
        self.judges = [make_user(Role.JUDGE, username=f"judge{i}") for i in range(2)]
        event = make_event(multiple_trades_allowed=False)
        self.unit = make_unit(event, "A")
        trade = Trade(event=event, code="WELD", name="焊工", position=0)
        practical = Component(position=0, code="practical", name="实操", weight=Decimal(1))
        practical.criteria.append(
            Criterion(trade=trade, position=0, code="P1", name="评分项", max=Decimal(50))
        )
        trade.components.append(practical)
        db.session.add(trade)
        for i, user in enumerate(self.judges):
            make_judge(trade, f"J{i + 1}", user=user)
        db.session.flush()
        for kind in [*KINDS, StageKind.PUBLIC_NOTICE, StageKind.PUBLISH]:
            state = StageState.OPEN if kind == StageKind.REGISTRATION else StageState.PENDING
            db.session.add(StageWindow(event=event, kind=kind, opens_at=OPENS, state=state))
        db.session.commit()
        self.event_id, self.trade_id = event.id, trade.id
        self.acknowledged: dict[int, tuple[Decimal, int]] = {}  # score id → value, audit id
        self.genuine: set[str] = set()
        self.seeds = 0

    def teardown(self) -> None:
        db.session.remove()
        self.context.pop()

    # --- helpers ------------------------------------------------------------------------

    @property
    def event(self) -> Event:
        return db.session.get(Event, self.event_id)

    @property
    def trade(self) -> Trade:
        return db.session.get(Trade, self.trade_id)

    def entrant(self, i: int) -> Entrant | None:
        return db.session.execute(
            sa.select(Entrant).where(Entrant.id_number == id_number(i))
        ).scalar_one_or_none()

    def act(self, action: Callable[[], object]) -> bool:
        """Do ``action`` as a request does: commit if it succeeds, roll back if refused
        (which ``--hypothesis-show-statistics`` counts, by code)."""
        try:
            action()
        except Refused as refused:
            db.session.rollback()
            event(f"refused: {type(refused).__name__}.{refused.code}")
            return False
        db.session.commit()
        event(f"done: {inspect.currentframe().f_back.f_code.co_name}")
        return True

    def applicant(self, i: int, employer: str = "一厂") -> Applicant:
        return Applicant(
            name=f"选手{i}", id_number=id_number(i), trade="WELD", phone="13812345678",
            employer=employer,
        )  # fmt: skip

    # --- who does what, at random ------------------------------------------------------

    @rule(what=st.sampled_from(["register", "correct", "take_back"]), i=person)
    def unit(self, what, i):
        getattr(self, what)(i)

    @rule(
        what=st.sampled_from(
            ["review", "withdraw", "move_window", "draw", "top_up", "check_in", "publish",
             "withdraw_publication", "revoke_one"]
        ),
        i=person, yes=st.booleans(), kind=st.sampled_from(KINDS),
    )  # fmt: skip
    def organiser(self, what, i, yes, kind):
        getattr(self, what)(i=i, yes=yes, kind=kind)

    @rule(i=person, j=judge, value=st.integers(0, 60))
    def judge(self, i, j, value):
        self.score(i, j, Decimal(value))

    @rule(what=st.sampled_from(["declare_absent", "sign_off"]), i=person, yes=st.booleans())
    def chief(self, what, i, yes):
        getattr(self, what)(i=i, yes=yes)

    @rule()
    def advance(self):
        """What a diligent organiser, judges and chief judge do next, so that walks reach
        the draw, the scores and publication as often as they wander."""
        facts = draw.facts(self.trade)
        people = [(i, self.entrant(i)) for i in range(PEOPLE)]
        if facts.registration_open and facts.approved + facts.awaiting_review < 3:
            for i, entrant in people[:3]:
                if entrant is None:
                    self.register(i)
        elif facts.awaiting_review:
            for i, entrant in people:
                if entrant and entrant.registration_status == RegistrationStatus.SUBMITTED:
                    self.review(i, yes=True)
        elif facts.registration_open:
            self.move_window(kind=StageKind.REGISTRATION, yes=False)
        elif not facts.drawn:
            self.draw(yes=False)
        elif facts.unstationed:
            self.top_up()
        elif waiting := [i for i, e in people if e and e.station_no and e.check_in is None]:
            for i in waiting:
                self.check_in(i, yes=True)
        elif not facts.scoring_open and not facts.locked:
            self.move_window(kind=StageKind.SCORING, yes=True)
        elif not facts.locked:
            for i, entrant in people:
                if entrant and entrant.check_in == CheckIn.PRESENT:
                    for j in range(len(self.judges)):
                        self.score(i, j, Decimal(40 + i))
                elif entrant and entrant.station_no:
                    self.declare_absent(i)
            self.sign_off(yes=True)
        else:
            self.publish()

    # --- the actions ----------------------------------------------------------------------

    def register(self, i, **_):
        if self.entrant(i) is None:
            self.act(lambda: registration.register(self.contact, self.unit, [self.applicant(i)]))

    def correct(self, i, **_):
        if (entrant := self.entrant(i)) is not None:
            applicant = self.applicant(i, employer="二厂")
            self.act(lambda: registration.update_entrant(self.contact, entrant, applicant))

    def take_back(self, i, **_):
        if (entrant := self.entrant(i)) is not None:
            self.act(lambda: withdrawal.take_back(self.contact, entrant))

    def review(self, i, yes, **_):
        if (entrant := self.entrant(i)) is not None:
            reason = None if yes else "材料不全"
            ids = [entrant.id]
            self.act(
                lambda: registration.review(
                    self.organiser, self.event, ids, approve=yes, reason=reason
                )
            )

    def withdraw(self, i, **_):
        if (entrant := self.entrant(i)) is not None:
            self.act(lambda: withdrawal.withdraw(self.organiser, entrant, reason="因伤退赛"))

    def move_window(self, kind, yes, **_):
        """Open (``yes``) or close the window of ``kind``."""
        to = StageState.OPEN if yes else StageState.CLOSED
        window = stages.window(self.event, kind)
        if window is not None and window.state != to:
            self.act(lambda: stages.transition(window, to, self.organiser, reason="手动调整"))

    def draw(self, yes, **_):
        """Draw, or (``yes``) draw again."""
        self.seeds += 1
        seed, reason = f"seed-{self.seeds}", "重新抽签" if yes else None
        self.act(
            lambda: draw.make_draw(self.organiser, self.trade, seed, redraw=yes, reason=reason)
        )

    def top_up(self, **_):
        self.seeds += 1
        self.act(lambda: draw.top_up(self.organiser, self.trade, f"seed-{self.seeds}"))

    def check_in(self, i, yes, **_):
        if (entrant := self.entrant(i)) is not None:
            self.act(lambda: check_in(self.organiser, entrant, yes))

    def publish(self, **_):
        for kind in (publications.NOTICE, publications.RESULTS):
            seen = publishing.preview(self.event, kind)
            self.act(
                lambda kind=kind, seen=seen: publishing.confirm(
                    self.organiser, self.event, kind, seen.digest, "确认发布"
                )
            )
        for certificate in db.session.execute(sa.select(Certificate)).scalars():
            self.genuine.add(certificate.code)

    def withdraw_publication(self, **_):
        self.act(
            lambda: publications.withdraw(
                self.organiser, self.event, publications.RESULTS, "更正成绩"
            )
        )

    def revoke_one(self, **_):
        certificate = db.session.execute(
            sa.select(Certificate).where(Certificate.revoked_at.is_(None)).limit(1)
        ).scalar_one_or_none()
        if certificate is not None:
            self.act(lambda: revoke(self.organiser, certificate, "资格复核"))

    def score(self, i, j, value):
        """Judge ``j`` enters ``value`` for entrant ``i`` (amending, with a reason, a
        submitted sheet) and submits the sheet."""
        entrant = self.entrant(i)
        if entrant is None:
            return
        user = self.judges[j]
        try:
            sheet = sheets.load(user, self.trade, entrant)
        except Refused:
            db.session.rollback()
            return
        item = sheet.items[0]
        version = item.score.version if item.score is not None else None
        saved: list[Score] = []

        def save_and_submit() -> None:
            saved.append(sheets.save(user, self.trade, entrant, "P1", value, version, "复核更正"))
            sheets.submit(user, self.trade, entrant)

        if self.act(save_and_submit):
            last = db.session.execute(sa.select(sa.func.max(AuditEntry.id))).scalar_one()
            self.acknowledged[saved[0].id] = (value, last)

    def declare_absent(self, i, **_):
        if (entrant := self.entrant(i)) is not None:
            self.act(
                lambda: chief.set_status(
                    self.organiser, self.trade, entrant, DeclaredStatus.DNS, "缺考"
                )
            )

    def sign_off(self, yes, **_):
        """Lock the trade, or (not ``yes``) unlock it."""
        if yes:
            self.act(lambda: chief.lock(self.organiser, self.trade))
        else:
            self.act(lambda: chief.unlock(self.organiser, self.trade, "复核成绩"))

    # --- what must always hold ----------------------------------------------------------

    @invariant()
    def everyone_checked_in_has_a_station(self):
        stranded = db.session.execute(
            sa.select(Entrant.code).where(
                Entrant.registration_status == RegistrationStatus.APPROVED,
                sa.or_(Entrant.status.is_(None), Entrant.status != DeclaredStatus.WD),
                Entrant.check_in == CheckIn.PRESENT,
                Entrant.station_no.is_(None),
            )
        ).all()
        assert not stranded

    @invariant()
    def no_acknowledged_score_is_lost_or_changed_unseen(self):
        for score_id, (value, audited) in self.acknowledged.items():
            score = db.session.get(Score, score_id)
            assert score is not None, f"acknowledged score {score_id} was deleted"
            if score.value != value:
                later = db.session.execute(
                    sa.select(AuditEntry.id).where(
                        AuditEntry.entity == "score",
                        AuditEntry.entity_id == str(score_id),
                        AuditEntry.id > audited,
                    )
                ).first()
                assert later is not None, f"score {score_id} changed without an audit entry"

    @invariant()
    def published_results_are_the_stored_results(self):
        current = publications.published(self.event, publications.RESULTS)
        if current is not None:
            assert current.payload["results"] == results.results_for(self.event)

    @invariant()
    def a_genuine_certificate_always_verifies(self):
        client = self.app.test_client()
        for code in self.genuine:
            assert client.get(f"/verify/{code}").status_code == 200


pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _walk_on(app):
    Walk.app = app


TestTheLifecycleHoldsTogetherWhateverIsDoneInWhateverOrder = Walk.TestCase
TestTheLifecycleHoldsTogetherWhateverIsDoneInWhateverOrder.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
