"""The public notice (公示): the nomination list published when the notice window opens,
real-name objections filed by anyone before it closes, and the organisers' decisions. An
upheld objection removes a nomination or moves it to another award list; the final award
lists published with the results are the notice's lists with those decisions applied."""

from __future__ import annotations

import copy
import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from contest.accounts.models import User
from contest.core import audit
from contest.core.extensions import db
from contest.core.types import utcnow
from contest.domain.refusal import N_, Refused
from contest.domain.stages import StageKind
from contest.events.models import AwardRule, Event
from contest.publication import services as publications
from contest.publication.models import Decision, Objection, ObjectionAction
from contest.stages import services as stages

NAME_LIMITS = (2, 50)
TEXT_LIMITS = (10, 2000)
#: A mainland mobile number, or a landline with its area code (0571-12345678).
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")


class NoticeError(Refused):
    """A refused objection or decision; ``code`` says why."""

    NOT_PUBLISHED = "not_published"
    UNKNOWN_NOMINATION = "unknown_nomination"
    NAME = "name"
    PHONE = "phone"
    TEXT = "text"
    DECIDED = "decided"
    REASON_REQUIRED = "reason_required"
    ACTION_REQUIRED = "action_required"
    UNKNOWN_AWARD = "unknown_award"
    PUBLISHED = "published"

    reasons = {
        NOT_PUBLISHED: N_("The nomination list has not been published for public notice."),
        UNKNOWN_NOMINATION: N_("There is no such nomination on the list."),
        NAME: N_("Give your real name (%(low)s to %(high)s characters)."),
        PHONE: N_("Give a mobile number (11 digits) or a landline with its area code."),
        TEXT: N_("Write the objection in %(low)s to %(high)s characters."),
        DECIDED: N_("This objection has already been decided."),
        REASON_REQUIRED: N_("Give the reason for the decision."),
        ACTION_REQUIRED: N_(
            "Say what the upheld objection does: remove the nomination or move it."
        ),
        UNKNOWN_AWARD: N_("Choose another award list to move the nomination to."),
        PUBLISHED: N_("The results are published; objections can no longer be decided."),
    }
    statuses = {NOT_PUBLISHED: 404, UNKNOWN_NOMINATION: 404, DECIDED: 409, PUBLISHED: 409}


def nominations(event: Event) -> list[dict[str, Any]]:
    """The award lists as published for 公示 (raises ``NOT_PUBLISHED`` before)."""
    notice = publications.published(event, publications.NOTICE)
    if notice is None:
        raise NoticeError(NoticeError.NOT_PUBLISHED)
    return notice.payload["awards"]


def _nomination(event: Event, award_code: str, entrant_code: str) -> dict[str, Any]:
    for award in nominations(event):
        if award["code"] == award_code:
            for row in award["entrants"]:
                if row["entrant"] == entrant_code:
                    return row
    raise NoticeError(NoticeError.UNKNOWN_NOMINATION)


def file(
    event: Event, award_code: str, entrant_code: str, name: str, phone: str, text: str
) -> Objection:
    """File a real-name objection to one nomination while the notice window is open.

    Raises ``stages.WindowClosed`` when it is not (a late objection), ``NoticeError`` for
    an unknown nomination or a missing or malformed name, phone or text.
    """
    stages.require_open(event, StageKind.PUBLIC_NOTICE)
    _nomination(event, award_code, entrant_code)
    name, phone, text = (name or "").strip(), re.sub(r"\s", "", phone or ""), (text or "").strip()
    if not NAME_LIMITS[0] <= len(name) <= NAME_LIMITS[1]:
        raise NoticeError(NoticeError.NAME, low=NAME_LIMITS[0], high=NAME_LIMITS[1])
    if not PHONE.fullmatch(phone):
        raise NoticeError(NoticeError.PHONE)
    if not TEXT_LIMITS[0] <= len(text) <= TEXT_LIMITS[1]:
        raise NoticeError(NoticeError.TEXT, low=TEXT_LIMITS[0], high=TEXT_LIMITS[1])
    objection = Objection(
        event_id=event.id,
        award_code=award_code,
        entrant_code=entrant_code,
        name=name,
        phone=phone,
        text=text,
    )
    db.session.add(objection)
    db.session.flush()
    audit.record(
        f"public: {name}", "objection.file", "objection", objection.id, event=event,
        new={"award": award_code, "entrant": entrant_code},
    )  # fmt: skip
    return objection


def award_codes(event: Event) -> dict[str, str]:
    """The event's award lists: code → title."""
    rows = db.session.execute(
        sa.select(AwardRule.code, AwardRule.title)
        .where(AwardRule.event_id == event.id)
        .order_by(AwardRule.position)
    )
    return dict(rows.all())


def decide(
    actor: User,
    objection: Objection,
    upheld: bool,
    reason: str,
    action: ObjectionAction | str | None = None,
    new_award_code: str | None = None,
) -> None:
    """Record the organisers' decision. An upheld objection must say what it does to the
    nomination: remove it, or move it to another award list."""
    reason = (reason or "").strip()
    if not reason:
        raise NoticeError(NoticeError.REASON_REQUIRED)
    if objection.status != Decision.PENDING:
        raise NoticeError(NoticeError.DECIDED)
    event = objection.event
    if publications.published(event, publications.RESULTS) is not None:
        raise NoticeError(NoticeError.PUBLISHED)
    if not upheld:
        action, new_award_code = None, None
    elif action not in set(ObjectionAction):
        raise NoticeError(NoticeError.ACTION_REQUIRED)
    elif action == ObjectionAction.CHANGE:
        if new_award_code not in award_codes(event) or new_award_code == objection.award_code:
            raise NoticeError(NoticeError.UNKNOWN_AWARD)
    else:
        new_award_code = None
    action = ObjectionAction(action) if action is not None else None
    updated = db.session.execute(
        sa.update(Objection)
        .where(Objection.id == objection.id, Objection.status == Decision.PENDING)
        .values(
            status=Decision.UPHELD if upheld else Decision.REJECTED,
            action=action,
            new_award_code=new_award_code,
            decided_by_id=actor.id,
            decided_at=utcnow(),
            decision_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        raise NoticeError(NoticeError.DECIDED)
    db.session.refresh(objection)
    audit.record(
        actor, "objection.decide", "objection", objection.id, event=event,
        old={"status": Decision.PENDING.value},
        new={"status": objection.status.value, "action": action.value if action else None,
             "to": new_award_code},
        reason=reason,
    )  # fmt: skip


def objections(event: Event) -> list[Objection]:
    """The event's objections, pending first, then in the order they were filed (with who
    decided them)."""
    return list(
        db.session.execute(
            sa.select(Objection)
            .where(Objection.event_id == event.id)
            .options(selectinload(Objection.decided_by))
            .order_by((Objection.status == Decision.PENDING).desc(), Objection.id)
        ).scalars()
    )


def changes(event: Event) -> list[dict[str, Any]]:
    """The upheld objections, as shown on the notice page and kept in the publication."""
    titles = award_codes(event)
    return [
        {
            "award": o.award_code,
            "award_title": titles.get(o.award_code, o.award_code),
            "entrant": o.entrant_code,
            "action": o.action.value if o.action else None,
            "to": o.new_award_code,
            "to_title": titles.get(o.new_award_code) if o.new_award_code else None,
            "reason": o.decision_reason,
            "at": o.decided_at.isoformat() if o.decided_at else None,
        }
        for o in objections(event)
        if o.status == Decision.UPHELD
    ]


def apply(awards: list[dict[str, Any]], upheld: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The award lists with the upheld objections applied (a pure function of both)."""
    result = copy.deepcopy(awards)
    by_code = {award["code"]: award for award in result}
    for change in upheld:
        source = by_code.get(change["award"])
        if source is None:
            continue
        moved = [row for row in source["entrants"] if row["entrant"] == change["entrant"]]
        source["entrants"] = [r for r in source["entrants"] if r["entrant"] != change["entrant"]]
        target = by_code.get(change["to"]) if change["action"] == "change" else None
        if target is not None:
            known = {row["entrant"] for row in target["entrants"]}
            # A promotion belongs to the list it was computed for; a moved row carries none.
            target["entrants"].extend(
                {**r, "promoted_to": None} for r in moved if r["entrant"] not in known
            )
    return result
