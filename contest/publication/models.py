"""What an event makes public and what follows from it: the publications (公示 list, final
results), real-name objections (异议) to the 公示 list and the certificates issued on
publication."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core.extensions import db
from contest.core.types import UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from contest.accounts.models import User
    from contest.events.models import (
        Event,
    )
    from contest.publication.models import Certificate, Objection, Publication
    from contest.registration.models import Entrant


class Decision(StrEnum):
    """Where an appeal or an objection stands."""

    PENDING = "pending"
    UPHELD = "upheld"
    REJECTED = "rejected"


class ObjectionAction(StrEnum):
    """What an upheld objection does to the nomination it concerns."""

    REMOVE = "remove"  # the entrant is taken off that award list
    CHANGE = "change"  # the entrant moves to another award list


class Publication(db.Model):
    """What an event made public when a stage was reached: the nomination list for 公示
    (``public_notice``) or the final results (``results``), as they stood at that moment.

    A publication is never deleted: it is withdrawn, with who withdrew it, when and why, and
    the public pages say so. At most one publication of each kind is current (not
    withdrawn); publishing again after a withdrawal makes a new one."""

    __tablename__ = "publications"
    __table_args__ = (
        sa.Index(
            "uq_publications_current",
            "event_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        ),
        sa.CheckConstraint(
            "(withdrawn_at IS NULL) = (withdrawal_reason IS NULL)", name="withdrawn_with_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )  # None: the scheduler
    payload: Mapped[dict] = mapped_column(sa.JSON)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)

    event: Mapped[Event] = relationship()
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Objection(db.Model):
    """A real-name objection to a nomination on the 公示 list, filed by anyone before the
    notice closes and decided by the organisers."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    award_code: Mapped[str] = mapped_column(sa.String(64))
    entrant_code: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(50))
    phone: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[Decision] = mapped_column(
        enum_type(Decision, "objection_status"), default=Decision.PENDING
    )
    action: Mapped[ObjectionAction | None] = mapped_column(
        enum_type(ObjectionAction, "objection_action")
    )
    new_award_code: Mapped[str | None] = mapped_column(sa.String(64))
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    event: Mapped[Event] = relationship()
    decided_by: Mapped[User | None] = relationship()


class Certificate(db.Model):
    """A certificate issued on publication for one entrant's award; its code (with a check
    part only the server can make) is printed with a QR code to ``/verify/<code>``.

    A certificate is never deleted (the database refuses to remove its event or entrant
    while it exists): it is revoked, with who revoked it, when and why, and its verify page
    says so. At most one unrevoked certificate exists per entrant and award."""

    __tablename__ = "certificates"
    __table_args__ = (
        sa.Index(
            "uq_certificates_valid",
            "entrant_id",
            "award_code",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
        sa.CheckConstraint(
            "(revoked_at IS NULL) = (revocation_reason IS NULL)", name="revoked_with_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="RESTRICT"))
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="RESTRICT"))
    award_code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text)

    event: Mapped[Event] = relationship()
    entrant: Mapped[Entrant] = relationship()
    revoked_by: Mapped[User | None] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CertificatesAreNeverDeleted(RuntimeError):
    """Raised when code tries to delete an issued certificate: revoke it instead."""


@sa_event.listens_for(Certificate, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise CertificatesAreNeverDeleted(
        f"certificate {target.code} cannot be deleted; revoke it with a reason"
    )
