"""A judge's score sheet for one entrant: load, save a value (draft), submit, amend.

Every read and write checks first that the user sits on the trade's panel (the API's routes
leave that to this module: the query that finds the judge finds the seat), that the entrant
competes and that the judge is not recused; a value's save then that the judge is not
excused and marks the criterion (the same query), and every write that the trade's
lifecycle allows it (``facts``: not published, not signed off, scoring open or a re-score
ordered for this judge and entrant, the entrant checked in) and that the trade is not
scored on paper; last, that the value is in range and on its step and that nobody changed
it since the client read it (``base_version``). A save takes a shared lock on the trade row
and locking takes an exclusive one, so a save can never slip in after the chief judge's
sign-off.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.refusal import N_, Problem, Refused
from contest.domain.scoring import EntryError, check_value, is_recused
from contest.events.models import Component, Criterion, Judge, PanelMember, Trade, component_judges
from contest.judging import facts
from contest.judging.facts import TradeState
from contest.judging.models import RescoreRequest
from contest.judging.services import judge_for_user
from contest.registration.models import Entrant, RegistrationStatus
from contest.results import services as results
from contest.results.models import Excusal, Score, ScoreState


class SheetError(Refused):
    """A refused read or write of a sheet; ``code`` says why, ``params`` give details."""

    NOT_ON_PANEL = "not_on_panel"
    RECUSED = "recused"
    EXCUSED = "excused"
    NOT_COMPETING = "not_competing"
    OUT_OF_RANGE = "out_of_range"
    OFF_STEP = "off_step"
    UNKNOWN_CRITERION = "unknown_criterion"
    CONFLICT = "conflict"
    INCOMPLETE = "incomplete"
    REASON_REQUIRED = "reason_required"
    DOUBLE_ENTRY = "double_entry"
    BAD_REQUEST = "bad_request"
    BAD_KEY = "bad_key"
    VALUES = "values"

    reasons = {
        NOT_ON_PANEL: N_("You are not on the judging panel of this trade."),
        RECUSED: N_("You are from this entrant's unit and must not score them (recusal)."),
        EXCUSED: N_("The chief judge has excused you from this entrant."),
        NOT_COMPETING: N_("This entrant is not competing in this trade."),
        OUT_OF_RANGE: N_("Enter a value from 0 to %(max)s."),
        OFF_STEP: N_("Enter a multiple of %(step)s."),
        UNKNOWN_CRITERION: N_("There is no criterion %(criterion)s on this sheet."),
        CONFLICT: N_("This value was changed on another device. Reload the sheet to see it."),
        INCOMPLETE: N_("Enter every criterion before submitting (missing: %(missing)s)."),
        REASON_REQUIRED: N_("The sheet has been submitted: give the reason for the change."),
        DOUBLE_ENTRY: N_(
            "This trade uses double entry of paper sheets by two clerks: your scores are "
            "entered from your paper sheet, not on this tablet."
        ),
        BAD_REQUEST: N_("The request could not be understood."),
        BAD_KEY: N_("Every save needs an idempotency key."),
        VALUES: N_("Nothing was saved. Please correct the values marked below."),
    }
    statuses = {
        NOT_ON_PANEL: 403,
        RECUSED: 403,
        EXCUSED: 403,
        NOT_COMPETING: 404,
        OUT_OF_RANGE: 422,
        OFF_STEP: 422,
        UNKNOWN_CRITERION: 404,
        CONFLICT: 409,
        INCOMPLETE: 422,
        REASON_REQUIRED: 422,
        DOUBLE_ENTRY: 409,
    }


@dataclass
class Item:
    """One criterion on the sheet with this judge's current value."""

    criterion: Criterion
    component: Component
    score: Score | None = None

    @property
    def value(self) -> Decimal | None:
        return self.score.value if self.score else None


@dataclass
class Sheet:
    """What one judge enters for one entrant."""

    trade: Trade
    entrant: Entrant
    judge: Judge
    items: list[Item] = field(default_factory=list)
    rescore: RescoreRequest | None = None

    @property
    def submitted(self) -> bool:
        """Every value is in and submitted."""
        return bool(self.items) and all(
            i.score is not None and i.score.state == ScoreState.SUBMITTED for i in self.items
        )

    @property
    def complete(self) -> bool:
        return all(i.score is not None for i in self.items)

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.criterion.code == code:
                return item
        raise SheetError(SheetError.UNKNOWN_CRITERION, criterion=code)


def competing(trade: Trade, entrant: Entrant) -> bool:
    """Whether the entrant is in the trade, approved and without DNS/DQ/WD."""
    return (
        entrant.trade_id == trade.id
        and entrant.registration_status == RegistrationStatus.APPROVED
        and entrant.status is None
    )


def address(trade_id: int, entrant_id: int) -> tuple[Trade, Entrant] | None:
    """The trade (with its event) and the entrant of a sheet, in one query; None unless the
    entrant is the trade's."""
    found = db.session.execute(
        _address_query(), {"trade_id": trade_id, "entrant_id": entrant_id}
    ).first()
    return None if found is None else (found[0], found[1])


@cache
def _address_query() -> sa.Select:
    """Built once, as ``_item_query``."""
    return (
        sa.select(Trade, Entrant)
        .join(Entrant, Entrant.trade_id == Trade.id)
        .options(joinedload(Trade.event))
        .where(Trade.id == sa.bindparam("trade_id"), Entrant.id == sa.bindparam("entrant_id"))
    )


def load(user: User, trade: Trade, entrant: Entrant) -> Sheet:
    """The sheet of ``user`` (a panel judge) for ``entrant``; refuses recused judges."""
    return _sheet(trade, entrant, _seated(user, trade, entrant))


def _sheet(trade: Trade, entrant: Entrant, judge: Judge) -> Sheet:
    if _excused(entrant, judge):
        raise SheetError(SheetError.EXCUSED)
    scores = {
        s.criterion_id: s
        for s in db.session.execute(
            sa.select(Score).where(Score.entrant_id == entrant.id, Score.judge_id == judge.id)
        ).scalars()
    }
    sheet = Sheet(trade, entrant, judge)
    for criterion, component in _marked_by(trade, judge):
        sheet.items.append(Item(criterion, component, scores.get(criterion.id)))
    sheet.rescore = facts.open_rescore(entrant, judge)
    return sheet


def _seated(user: User, trade: Trade, entrant: Entrant) -> Judge:
    """The user's judge on the trade's panel, for a competing entrant it is not recused from."""
    judge = judge_for_user(user, trade)
    if judge is None:
        raise SheetError(SheetError.NOT_ON_PANEL)
    _check_entrant(trade, entrant, judge)
    return judge


def _check_entrant(trade: Trade, entrant: Entrant, judge: Judge) -> None:
    if not competing(trade, entrant):
        raise SheetError(SheetError.NOT_COMPETING)
    if is_recused(trade.recusal, judge.unit_id, entrant.unit_id):
        raise SheetError(SheetError.RECUSED)


def _excused(entrant: Entrant, judge: Judge) -> bool:
    found = db.session.execute(
        sa.select(Excusal.id).where(Excusal.entrant_id == entrant.id, Excusal.judge_id == judge.id)
    ).first()
    return found is not None


def _item(user: User, trade: Trade, entrant: Entrant, code: str) -> tuple[Judge, Item, TradeState]:
    """The user's judge on the trade's panel and one criterion of its sheet with its value,
    refused as ``_seated``, ``load`` and ``Sheet.item`` refuse them, and the trade's state
    under the write's lock — in one query (``_item_query``), instead of loading the whole
    sheet."""
    facts.begin_write(trade)
    row = db.session.execute(
        _item_query(),
        {**facts.state_params(trade, entrant), "user_id": user.id, "code": code},
    ).first()
    if row is None:
        raise SheetError(SheetError.NOT_ON_PANEL)
    judge, criterion, component, score, is_excused, has_panel, seated, *state = row
    _check_entrant(trade, entrant, judge)
    if is_excused:
        raise SheetError(SheetError.EXCUSED)
    if criterion is None or (has_panel and not seated):
        raise SheetError(SheetError.UNKNOWN_CRITERION, criterion=code)
    return judge, Item(criterion, component, score), TradeState(*state)


@cache
def _item_query() -> sa.Select:
    """The seat of the user (``user_id``) on the trade's panel, the criterion (``code``)
    with its component and the judge's value for the entrant, whether the judge is excused
    from the entrant and whether the component has a panel of its own and the judge sits
    on it; with the trade's state (``facts.with_state``). Built once, its values bound at each
    run: building it took as long as running it."""
    entrant_id = sa.bindparam("entrant_id")
    excused = sa.exists().where(Excusal.entrant_id == entrant_id, Excusal.judge_id == Judge.id)
    own_panel = sa.exists().where(component_judges.c.component_id == Component.id)
    on_panel = sa.exists().where(
        component_judges.c.component_id == Component.id, component_judges.c.judge_id == Judge.id
    )
    criterion = sa.and_(Criterion.trade_id == Trade.id, Criterion.code == sa.bindparam("code"))
    score = sa.and_(
        Score.criterion_id == Criterion.id,
        Score.entrant_id == entrant_id,
        Score.judge_id == Judge.id,
    )
    query = (
        sa.select(Judge, Criterion, Component, Score, excused, own_panel, on_panel)
        .join(PanelMember, PanelMember.judge_id == Judge.id)
        .join(Trade, Trade.id == PanelMember.trade_id)
        .outerjoin(Criterion, criterion)
        .outerjoin(Component, Component.id == Criterion.component_id)
        .outerjoin(Score, score)
        .where(Trade.id == sa.bindparam("trade_id"), Judge.user_id == sa.bindparam("user_id"))
    )
    return facts.with_state(query, Judge.id)


def _marked_by(trade: Trade, judge: Judge) -> list[tuple[Criterion, Component]]:
    """The criteria the judge marks on the trade's sheets, in sheet order, with their
    components: those of every component whose own panel is empty or includes the judge
    (two queries, whatever the number of components)."""
    rows = db.session.execute(
        sa.select(Criterion, Component)
        .join(Component, Component.id == Criterion.component_id)
        .where(Criterion.trade_id == trade.id)
        .order_by(Component.position, Component.id, Criterion.position, Criterion.id)
    ).all()
    panels: dict[int, set[int]] = defaultdict(set)
    for component_id, judge_id in db.session.execute(
        sa.select(component_judges.c.component_id, component_judges.c.judge_id)
        .join(Component, Component.id == component_judges.c.component_id)
        .where(Component.trade_id == trade.id)
    ):
        panels[component_id].add(judge_id)
    return [
        (criterion, component)
        for criterion, component in rows
        if not panels[component.id] or judge.id in panels[component.id]
    ]


def _check_writable(trade: Trade, state: TradeState) -> None:
    """Refuse a write the trade's lifecycle does not allow now (``facts.check_score``: the
    results published, the trade signed off, scoring closed without a re-score order for
    this judge and entrant, an entrant who has not checked in), or one to a trade scored on
    paper."""
    facts.check_score(trade, state)
    if trade.double_entry:
        raise SheetError(SheetError.DOUBLE_ENTRY)


def closed(sheet: Sheet) -> Refused | None:
    """Why the judge cannot change this sheet now, or None: what a write would be refused
    with, read without its lock (for the sheet's page and the API's sheet)."""
    refused = facts.sheet_refusal(sheet.trade, sheet.entrant, sheet.rescore is not None)
    if refused is None and sheet.trade.double_entry:
        return SheetError(SheetError.DOUBLE_ENTRY)
    return refused


def save(
    user: User,
    trade: Trade,
    entrant: Entrant,
    criterion_code: str,
    value: Decimal,
    base_version: int | None,
    reason: str | None = None,
) -> Score:
    """Save one value (a draft, or an amendment of a submitted sheet with a reason).

    ``base_version`` is the version the judge's screen showed (None: no value yet); if the
    stored value is newer the save is refused with ``CONFLICT`` and the current value, so a
    late retry never overwrites a newer entry.
    """
    judge, item, state = _item(user, trade, entrant, criterion_code)
    _check_writable(trade, state)
    criterion = item.criterion
    problem = check_value(value, criterion.entry_max, criterion.step)
    if problem is not None:
        code = (
            SheetError.OUT_OF_RANGE if problem == EntryError.OUT_OF_RANGE else SheetError.OFF_STEP
        )
        raise SheetError(code, max=str(criterion.entry_max), step=str(criterion.step))
    score = item.score
    current = score.version if score is not None else None
    if current != base_version:
        raise SheetError(
            SheetError.CONFLICT,
            value=str(score.value) if score else None,
            version=current,
        )
    if score is not None and score.value == value:
        return score
    amending = score is not None and score.state == ScoreState.SUBMITTED
    if amending and not reason:
        raise SheetError(SheetError.REASON_REQUIRED)
    old = {"value": str(score.value), "state": score.state.value} if score else None
    if score is None:
        score = Score(
            entrant_id=entrant.id,
            criterion_id=criterion.id,
            judge_id=judge.id,
            value=value,
            state=ScoreState.DRAFT,
            updated_by_id=user.id,
        )
        db.session.add(score)
    else:
        score.value, score.updated_by_id = value, user.id
    db.session.flush()

    def entry() -> None:
        audit.record(
            user,
            "score.amend" if amending else "score.draft",
            "score",
            score.id,
            event=trade.event,
            old=old,
            new={
                "value": str(value),
                "entrant": entrant.code,
                "criterion": criterion.code,
                "judge": judge.code,
            },
            reason=reason,
        )

    if amending:
        recompute(trade, entrant, entry)
    else:
        entry()
    return score


def recompute(trade: Trade, entrant: Entrant, entry: Callable[[], object]) -> None:
    """Recompute the trade after a change to the ``entrant``'s marks and add the audit
    ``entry``, holding the audit chain's lock (which every writer takes in turn) only for
    the storing: the judges' writes recomputing one trade take turns
    (``results.lock_results``), the results are computed — scoring only this entrant again,
    the others' scores as stored — then the entry is sealed; and if someone sealing first
    recomputed the trade meanwhile (an organiser's change to the event, say), it is computed
    again in full, now that their change is in."""
    results.lock_results(trade)
    seen, stored = results.stored(trade)
    db.session.expire(trade.event)  # its settings as they are now, not as first read
    result = results.recomputed(trade, entrant, stored)
    entry()
    db.session.flush()  # seals the entry: the chain's lock is ours until the commit
    if results.computed_at(trade) != seen:
        db.session.expire(trade.event)
        result = results.recomputed(trade, entrant, None)
    results.store(trade, result)


def _mark_submitted(scores: list[Score], user: User, now: datetime) -> None:
    """Submit the scores with one UPDATE (the ORM would send one per score, as it checks each
    version), each only if nobody changed it since it was read: else ``StaleDataError``."""
    if not scores:
        return
    table = Score.__table__
    values = {"state": ScoreState.SUBMITTED, "submitted_at": now, "updated_by_id": user.id}
    done = db.session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("score"), table.c.version == sa.bindparam("seen"))
        .values(**values, updated_at=now, version=table.c.version + 1),
        [{"score": score.id, "seen": score.version} for score in scores],
    ).rowcount
    if done != len(scores):
        raise StaleDataError(f"{len(scores) - done} of the sheet's values changed meanwhile")
    for score in scores:
        for name, value in {**values, "updated_at": now, "version": score.version + 1}.items():
            set_committed_value(score, name, value)


def save_typed(
    user: User,
    trade: Trade,
    entrant: Entrant,
    typed: Mapping[str, str],
    versions: Mapping[str, str],
    reason: str | None = None,
) -> None:
    """The sheet's plain form (a page without JavaScript): save every value typed, by
    criterion code, that differs from the stored one, each as ``save`` does with the version
    the page showed. If any is refused nothing is saved: ``SheetError(VALUES)`` holds each
    refusal under its criterion's code."""
    problems = []
    for item in load(user, trade, entrant).items:
        code = item.criterion.code
        raw = (typed.get(code) or "").strip()
        if raw == "" or (item.value is not None and raw == str(item.value)):
            continue
        try:
            value, base = Decimal(raw), versions.get(code) or None
            seen = int(base) if base else None
        except (InvalidOperation, ValueError):
            problems.append(Problem(code, SheetError.BAD_REQUEST))
            continue
        try:  # a refusal of the whole sheet (the lifecycle's) is not a value's problem
            save(user, trade, entrant, code, value, seen, reason)
        except SheetError as error:
            problems.append(Problem(code, error.code, error.params))
    if problems:
        raise SheetError(SheetError.VALUES, problems=problems)


def submit(user: User, trade: Trade, entrant: Entrant) -> Sheet:
    """Submit the sheet: every value must be in; then they count in the results. Submitting
    fulfils the chief judge's open re-score order for the sheet, which closes it again."""
    judge = _seated(user, trade, entrant)
    _check_writable(trade, facts.trade_state(trade, entrant, judge))
    sheet = _sheet(trade, entrant, judge)
    missing = [i.criterion.code for i in sheet.items if i.score is None]
    if missing:
        raise SheetError(SheetError.INCOMPLETE, missing=", ".join(missing))
    now = utcnow()
    changed = [i.score for i in sheet.items if i.score and i.score.state != ScoreState.SUBMITTED]
    _mark_submitted(changed, user, now)
    order, sheet.rescore = sheet.rescore, None
    if order is not None:
        order.resolved_at = now  # fulfilled: the sheet closes again
    if changed:
        recompute(
            trade,
            entrant,
            lambda: audit.record(
                user,
                "sheet.submit",
                "entrant",
                entrant.id,
                event=trade.event,
                new={
                    "judge": sheet.judge.code,
                    "values": {i.criterion.code: str(i.value) for i in sheet.items},
                    **({"rescore": order.reason} if order is not None else {}),
                },
            ),
        )
    return sheet
