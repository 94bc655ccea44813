"""What the lifecycle (``contest.domain.lifecycle``) needs to know before a registration is
corrected, taken back, reviewed, moved or withdrawn: the windows, and of each entrant
whether it has a station, whether it was ever approved and whether anything of a later
stage (a score, a certificate, an appeal, …) refers to it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.lifecycle import Facts
from contest.domain.stages import StageKind
from contest.events.models import Event
from contest.registration.models import Entrant, RegistrationStatus
from contest.stages import services as stages


@dataclass(frozen=True)
class Windows:
    """Whether the event's registration and review windows are open now."""

    registration_open: bool
    review_open: bool


def windows(event: Event) -> Windows:
    """The event's registration and review windows, now."""
    return Windows(
        stages.is_open(event, StageKind.REGISTRATION), stages.is_open(event, StageKind.REVIEW)
    )


def stationed(entrant: Entrant) -> bool:
    """Whether the draw has given the entrant a station (or an anonymous code)."""
    return entrant.station_no is not None or entrant.anon_code is not None


def entrant_facts(entrant: Entrant, open_: Windows) -> Facts:
    """The facts of a correction, a move or a return of ``entrant``'s registration."""
    return Facts(
        registration_open=open_.registration_open,
        review_open=open_.review_open,
        returned=entrant.registration_status == RegistrationStatus.RETURNED,
        stationed=stationed(entrant),
    )


def _referring_columns() -> list[sa.Column]:
    """Every column of another table that refers to an entrant: the rows of the later
    stages (scores, certificates, appeals, …), whichever feature keeps them."""
    entrants = Entrant.__table__
    return [
        fk.parent
        for table in db.metadata.sorted_tables
        if table is not entrants
        for fk in table.foreign_keys
        if fk.column.table is entrants
    ]


def with_records(ids: Iterable[int]) -> set[int]:
    """The entrants among ``ids`` that something of a later stage refers to, in one query."""
    ids = list(ids)
    columns = _referring_columns()
    if not ids or not columns:
        return set()
    query = sa.union(*(sa.select(column.label("id")).where(column.in_(ids)) for column in columns))
    return set(db.session.execute(query).scalars())


def ever_approved(entrants: Iterable[Entrant]) -> set[int]:
    """The entrants approved now or at any time before (the audit log keeps every review)."""
    entrants = list(entrants)
    approved = {e.id for e in entrants if e.registration_status == RegistrationStatus.APPROVED}
    others = [str(e.id) for e in entrants if e.id not in approved]
    if others:
        approved.update(
            int(entity_id)
            for entity_id in db.session.execute(
                sa.select(AuditEntry.entity_id)
                .where(
                    AuditEntry.entity == "entrant",
                    AuditEntry.entity_id.in_(others),
                    AuditEntry.action == "entrant.approve",
                )
                .distinct()
            ).scalars()
        )
    return approved


def kept(entrants: Iterable[Entrant]) -> set[int]:
    """The entrants whose registration can no longer be taken back (deleted), only withdrawn:
    approved at some time, given a station, or referred to by a later stage."""
    entrants = list(entrants)
    found = ever_approved(entrants) | {e.id for e in entrants if stationed(e)}
    return found | with_records(e.id for e in entrants if e.id not in found)
