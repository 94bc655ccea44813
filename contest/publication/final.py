"""The final results: the award lists of the 公示 with the upheld objections applied,
published with the results, each award with its certificate.

Publishing needs every trade signed off and complete (the lifecycle's ``Action.PUBLISH``).
When the schedule reaches the notice or the publication and that does not hold, nothing is
published: the refusal is recorded in the audit log and shown on the organisers' stage page,
and they publish later through the preview and its confirmation."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale

from contest.accounts.models import User
from contest.core import audit
from contest.core.queries import lock_row
from contest.core.refusals import describe
from contest.domain.lifecycle import Action
from contest.domain.stages import StageKind, StageState
from contest.events.models import Event
from contest.publication import certificates, notice, readiness
from contest.publication import services as publications
from contest.publication.models import Publication
from contest.results import services as results
from contest.stages.models import StageWindow


def final_awards(event: Event) -> dict[str, Any]:
    """The final award lists: those of the 公示 with the upheld objections applied (or, if no
    notice is published, the lists as the results stand), and the changes made."""

    notice_published = publications.published(event, publications.NOTICE)
    if notice_published is None:
        return {"awards": publications.nominations_of(event)["awards"], "changes": []}
    changes = notice.changes(event)
    return {"awards": notice.apply(notice_published.payload["awards"], changes), "changes": changes}


def results_payload(event: Event) -> dict[str, Any]:
    """What publishing the results would publish now (before the certificates' numbers)."""
    return {"results": results.results_for(event), **publications.names_of(event),
            **final_awards(event)}  # fmt: skip


def publish_results(event: Event, actor: User | None = None) -> Publication | None:
    """Publish the final results and award lists, issuing a certificate for every award
    that has no valid one yet; None if they are published already. Refused (``NotNow``,
    naming the trade) unless every trade is locked and complete. Each award row carries its
    certificate's code."""
    lock_row(Event, event.id)
    if publications.published(event, publications.RESULTS) is not None:
        return None
    readiness.require(event, Action.PUBLISH, published=False)
    payload = results_payload(event)
    codes = certificates.issue(event, payload["awards"])
    for award in payload["awards"]:
        for row in award["entrants"]:
            row["certificate"] = codes.get((award["code"], row["entrant"]))
    return publications.publish(event, publications.RESULTS, payload, actor)


def on_stage_reached(window: StageWindow, state: StageState) -> None:
    """The nomination list goes up for 公示 when the notice opens; the final results and
    award lists are published when publication is reached — each only if every trade is
    locked and complete, else nothing is published and the audit log says why."""
    event = window.event
    if window.trade_id is not None:
        return
    if window.kind == StageKind.PUBLIC_NOTICE and state == StageState.OPEN:
        kind, action, publish = publications.NOTICE, Action.NOTICE, publications.publish_notice
    elif window.kind == StageKind.PUBLISH and state == StageState.CLOSED:
        kind, action, publish = publications.RESULTS, Action.PUBLISH, publish_results
    else:
        return
    if publications.published(event, kind) is None and not _blocked(event, action, kind):
        publish(event)


def _blocked(event: Event, action: Action, kind: str) -> bool:
    """Whether some trade refuses ``action``; if so, record which and why (audit log and
    application log) instead of publishing."""
    found = readiness.blockers(event, action)
    if not found:
        return False
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # the log's language
        reasons = [describe(t.refusal) for t in found if t.refusal is not None]
    audit.record(
        audit.SYSTEM, "publication.blocked", "event", event.id, event=event,
        new={"kind": kind,
             "trades": [{"trade": t.trade.code, "code": t.refusal.code if t.refusal else None,
                         "incomplete": t.facts.incomplete} for t in found]},
        reason=" ".join(reasons),
    )  # fmt: skip
    current_app.logger.warning("%s of %s not published: %s", kind, event.slug, "; ".join(reasons))
    return True
