"""The final results: the award lists of the 公示 with the upheld objections applied,
published once with the results, each award with its certificate."""

from __future__ import annotations

from typing import Any

from contest.domain.stages import StageKind, StageState
from contest.events.models import Event
from contest.publication import certificates, notice
from contest.publication import services as publications
from contest.publication.models import Publication
from contest.results import services as results
from contest.stages.models import StageWindow


def final_awards(event: Event) -> dict[str, Any]:
    """The final award lists: those of the 公示 with the upheld objections applied (or, if no
    notice was published, the lists as the results stand), and the changes made."""

    notice_published = publications.published(event, publications.NOTICE)
    if notice_published is None:
        return {"awards": publications.nominations_of(event)["awards"], "changes": []}
    changes = notice.changes(event)
    return {"awards": notice.apply(notice_published.payload["awards"], changes), "changes": changes}


def publish_results(event: Event) -> Publication | None:
    """Publish the final results and award lists (once), issuing a certificate for every
    award; None if already published. Each award row carries its certificate's code."""
    if publications.published(event, publications.RESULTS) is not None:
        return None
    final = final_awards(event)
    codes = certificates.issue(event, final["awards"])
    for award in final["awards"]:
        for row in award["entrants"]:
            row["certificate"] = codes.get((award["code"], row["entrant"]))
    payload = {"results": results.results_for(event), **publications.names_of(event), **final}
    return publications.publish(event, publications.RESULTS, payload)


def on_stage_reached(window: StageWindow, state: StageState) -> None:
    """The nomination list goes up for 公示 when the notice opens; the final results and
    award lists are published when publication is reached."""
    if window.kind == StageKind.PUBLIC_NOTICE and state == StageState.OPEN:
        publications.publish_notice(window.event)
    elif window.kind == StageKind.PUBLISH and state == StageState.CLOSED:
        publish_results(window.event)
