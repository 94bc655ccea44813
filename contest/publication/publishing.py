"""Publishing as the organisers do it: a preview of exactly what would go public — the
trades, the award lists and who is on them — with the trades that stop it, then a
confirmation that publishes that and nothing else (the preview's fingerprint must still
match); withdrawing a publication with a reason; and where publication stands, for the
stage page (the time reached but nothing published, and why)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from contest.accounts.models import User
from contest.core.queries import lock_row
from contest.domain.lifecycle import Action
from contest.domain.stages import StageKind, StageState
from contest.events.models import Event
from contest.publication import certificates, final, readiness
from contest.publication import services as publications
from contest.publication.models import Publication
from contest.publication.readiness import TradeReadiness
from contest.publication.services import PublicationError
from contest.stages import services as stages
from contest.stages.models import StageWindow

#: Each kind's lifecycle action and the window whose time publishes it (and the state the
#: window reaches then).
ACTIONS = {publications.NOTICE: Action.NOTICE, publications.RESULTS: Action.PUBLISH}
WINDOWS = {
    publications.NOTICE: (StageKind.PUBLIC_NOTICE, StageState.OPEN),
    publications.RESULTS: (StageKind.PUBLISH, StageState.CLOSED),
}


def fingerprint(payload: dict[str, Any]) -> str:
    """A short digest of what would be published, carried from the preview to the
    confirmation."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _payload(event: Event, kind: str) -> dict[str, Any]:
    if kind == publications.NOTICE:
        return publications.nominations_of(event)
    return final.results_payload(event)


@dataclass(frozen=True)
class Preview:
    """What publishing ``kind`` now would make public, and whether it may."""

    event: Event
    kind: str
    trades: list[TradeReadiness]
    awards: list[dict[str, Any]]
    changes: list[dict[str, Any]]  # the upheld objections applied (results only)
    current: Publication | None  # already published (then nothing more to publish)
    withdrawn: Publication | None  # the last one, withdrawn
    certificates_new: int  # certificates publishing would issue
    certificates_kept: int  # valid certificates of unchanged awards, issued before
    digest: str

    @property
    def blockers(self) -> list[TradeReadiness]:
        return [t for t in self.trades if not t.ready]

    @property
    def ready(self) -> bool:
        return self.current is None and not self.blockers


def preview(event: Event, kind: str) -> Preview:
    """What publishing ``kind`` (``NOTICE`` or ``RESULTS``) now would publish, the trades
    with what stops them, and the fingerprint its confirmation must carry."""
    current = publications.published(event, kind)
    payload = _payload(event, kind)
    awards = payload["awards"]
    kept = new = 0
    if kind == publications.RESULTS:
        valid = certificates.valid_keys(event)
        for award in awards:
            for row in award["entrants"]:
                if (award["code"], row["entrant"]) in valid:
                    kept += 1
                else:
                    new += 1
    trades = readiness.trades(event, ACTIONS[kind], published=False)
    return Preview(
        event=event,
        kind=kind,
        trades=trades,
        awards=awards,
        changes=payload.get("changes", []),
        current=current,
        withdrawn=publications.withdrawn(event, kind),
        certificates_new=new,
        certificates_kept=kept,
        digest=fingerprint(payload),
    )


def confirm(actor: User, event: Event, kind: str, digest: str, reason: str) -> Publication:
    """Publish ``kind`` as the preview with fingerprint ``digest`` showed it, and move its
    window (the notice opens, publication is reached) if the schedule has not yet; ``reason``
    is recorded with that move. Refused if something is published already, a trade is not
    locked or not complete (``NotNow``, naming it), or what would be published changed."""
    lock_row(Event, event.id)
    published = publications.published(event, kind) is not None
    if published and kind == publications.NOTICE:
        raise PublicationError(PublicationError.NOTICE_PUBLISHED)
    readiness.require(event, ACTIONS[kind], published=published)
    if fingerprint(_payload(event, kind)) != digest:
        raise PublicationError(PublicationError.CHANGED)
    if kind == publications.NOTICE:
        publication = publications.publish_notice(event, actor)
    else:
        publication = final.publish_results(event, actor)
    assert publication is not None  # nothing was current: checked under the event's lock
    stage, target = WINDOWS[kind]
    window = stages.window(event, stage)
    if window is not None and _before(window.state, target):
        stages.transition(window, target, actor, reason)
    return publication


def needs_preview(window: StageWindow, target: StageState) -> str | None:
    """The kind of publication that moving ``window`` to ``target`` by hand would publish
    without its preview (then the organiser is sent to the preview instead), or None:
    reaching publication, or opening the notice while its list is not published."""
    if window.trade_id is not None:
        return None
    if window.kind == StageKind.PUBLISH:
        return publications.RESULTS
    opens_notice = window.kind == StageKind.PUBLIC_NOTICE and target == StageState.OPEN
    if opens_notice and publications.published(window.event, publications.NOTICE) is None:
        return publications.NOTICE
    return None


def _before(state: StageState, target: StageState) -> bool:
    """Whether a window in ``state`` has yet to reach ``target`` (a notice window already
    closed stays closed)."""
    return state == StageState.PENDING or (state == StageState.OPEN and target == StageState.CLOSED)


# --- the stage page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where one kind of publication stands, for the organisers' stage page."""

    kind: str
    window: StageWindow | None
    current: Publication | None
    withdrawn: Publication | None
    reached: bool  # its window reached the state that publishes it
    blockers: list[TradeReadiness]  # gathered only when reached and nothing is current

    @property
    def overdue(self) -> bool:
        """The time has come and nothing is published."""
        return self.reached and self.current is None


def standing(event: Event) -> dict[str, Standing]:
    """The notice and the results: window, publication, withdrawal and, when their time
    has come without a publication, the trades that stop it."""
    found = {}
    for kind, (stage, target) in WINDOWS.items():
        window = stages.window(event, stage)
        current = publications.published(event, kind)
        reached = window is not None and (
            window.state == target or window.state == StageState.CLOSED
        )
        blockers = readiness.blockers(event, ACTIONS[kind]) if reached and current is None else []
        found[kind] = Standing(
            kind=kind,
            window=window,
            current=current,
            withdrawn=None if current else publications.withdrawn(event, kind),
            reached=reached,
            blockers=blockers,
        )
    return found


def overdue_text(found: Standing) -> str:
    """The stage page's sentence for a publication whose time has come but which was not
    published: which trades are not locked, which have incomplete results."""
    unlocked = [t.trade.name for t in found.blockers if t.refusal and t.refusal.code == "unlocked"]
    parts = []
    if unlocked:
        parts.append(gettext("%(trades)s not locked", trades=gettext(", ").join(unlocked)))
    parts += [
        gettext(
            "%(trade)s with %(count)s entrants whose results are incomplete",
            trade=t.trade.name,
            count=t.facts.incomplete,
        )
        for t in found.blockers
        if t.refusal and t.refusal.code == "incomplete"
    ]
    why = gettext("; ").join(parts)
    if found.kind == publications.NOTICE:
        if not why:
            return gettext("The public notice is open, but the nomination list is not published.")
        return gettext(
            "The public notice is open, but %(why)s: the nomination list is not published.",
            why=why,
        )
    if not why:
        return gettext("The publication time has come, but the results are not published.")
    return gettext(
        "The publication time has come, but %(why)s: the results are not published.",
        why=why,
    )
