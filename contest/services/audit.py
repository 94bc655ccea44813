"""Writing to the append-only audit log."""

from __future__ import annotations

from typing import Any

from contest.extensions import db
from contest.models import AuditEntry, Event, User

SYSTEM = "system"
SCHEDULER = "scheduler"


def record(
    actor: User | str | None,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str | None = None,
    event: Event | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction: who, what, old → new, why.

    ``actor`` is the acting account, or a label such as ``"scheduler"`` for automatic changes.
    """
    user = actor if isinstance(actor, User) else None
    label = user.name if user else (actor or SYSTEM)
    entry = AuditEntry(
        user_id=user.id if user else None,
        actor=label,
        event_id=event.id if event else None,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        old=old,
        new=new,
        reason=reason,
    )
    db.session.add(entry)
    return entry
