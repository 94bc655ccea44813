"""Teams and entrants: who competes, for which unit, in which trade."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core import labels
from contest.core.extensions import db
from contest.core.types import ExactDecimal, UTCDateTime, enum_type, utcnow
from contest.domain.privacy import mask_id_number, mask_phone
from contest.domain.scoring import DeclaredStatus

if TYPE_CHECKING:
    from contest.accounts.models import User
    from contest.events.models import (
        Event,
        Trade,
        Unit,
    )
    from contest.registration.models import Entrant, Team


class Gender(StrEnum):
    """As recorded on the resident ID."""

    MALE = "M"
    FEMALE = "F"


class RegistrationStatus(StrEnum):
    """Review state of a registration (PRODUCT.md §2)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class CheckIn(StrEnum):
    """Result of check-in (检录) on the competition day; absent entrants become DNS."""

    PRESENT = "present"
    ABSENT = "absent"


class Team(db.Model):
    """A unit's team (代表队) in an event."""

    __tablename__ = "teams"
    __table_args__ = (sa.UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    leader_name: Mapped[str | None] = mapped_column(sa.String(100))  # 领队
    coach_name: Mapped[str | None] = mapped_column(sa.String(100))  # 教练
    contact_phone: Mapped[str | None] = mapped_column(sa.String(20))

    event: Mapped[Event] = relationship(back_populates="teams")
    unit: Mapped[Unit] = relationship(back_populates="teams")
    members: Mapped[list[Entrant]] = relationship(back_populates="team", order_by="Entrant.id")

    @property
    def masked_phone(self) -> str:
        """The contact phone as shown outside organiser views."""
        return mask_phone(self.contact_phone)


class Entrant(db.Model):
    """A person entered in one trade for one unit (选手).

    The resident ID number is stored here and nowhere else; every view outside the
    organiser's shows ``masked_id_number`` instead.
    """

    __tablename__ = "entrants"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "code"),
        sa.UniqueConstraint("trade_id", "id_number"),
        sa.UniqueConstraint("trade_id", "station_no"),
        sa.UniqueConstraint("trade_id", "anon_code"),
        sa.CheckConstraint("station_no IS NULL OR station_no > 0", name="station_positive"),
        sa.CheckConstraint("time_seconds IS NULL OR time_seconds >= 0", name="time_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    trade_id: Mapped[int] = mapped_column(sa.ForeignKey("trades.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(100))
    gender: Mapped[Gender | None] = mapped_column(enum_type(Gender, "entrant_gender"))
    birth_date: Mapped[date | None]
    id_number: Mapped[str | None] = mapped_column(sa.String(18))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    employer: Mapped[str | None] = mapped_column(sa.String(200))  # 工作单位
    skill_level: Mapped[str | None] = mapped_column(sa.String(20))

    registration_status: Mapped[RegistrationStatus] = mapped_column(
        enum_type(RegistrationStatus, "registration_status"),
        default=RegistrationStatus.SUBMITTED,
    )
    review_note: Mapped[str | None] = mapped_column(sa.Text)  # reason when returned

    station_no: Mapped[int | None]  # 工位号, from the draw
    anon_code: Mapped[str | None] = mapped_column(sa.String(16))  # what judges see
    check_in: Mapped[CheckIn | None] = mapped_column(enum_type(CheckIn, "entrant_check_in"))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    status: Mapped[DeclaredStatus | None] = mapped_column(
        enum_type(DeclaredStatus, "entrant_status")
    )
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    time_seconds: Mapped[Decimal | None] = mapped_column(ExactDecimal)  # completion time

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="entrants")
    trade: Mapped[Trade] = relationship(back_populates="entrants")
    unit: Mapped[Unit] = relationship(back_populates="entrants")
    team: Mapped[Team | None] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()

    @property
    def masked_id_number(self) -> str:
        """The resident ID as shown outside organiser views."""
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        """The phone number as shown outside organiser views."""
        return mask_phone(self.phone)

    @property
    def judge_label(self) -> str:
        """How judges see the entrant: station number and anonymous code, never the name."""
        if self.station_no is not None and self.anon_code:
            return f"{self.station_no:02d} · {self.anon_code}"
        return self.anon_code or (f"{self.station_no:02d}" if self.station_no else "—")

    def __repr__(self) -> str:
        return f"<Entrant {self.code}>"


labels.register(Gender, {Gender.MALE: _l("Male"), Gender.FEMALE: _l("Female")})


labels.register(
    RegistrationStatus,
    {
        RegistrationStatus.DRAFT: _l("Draft"),
        RegistrationStatus.SUBMITTED: _l("Awaiting review"),
        RegistrationStatus.APPROVED: _l("Approved"),
        RegistrationStatus.RETURNED: _l("Returned"),
    },
)


labels.register(CheckIn, {CheckIn.PRESENT: _l("Present"), CheckIn.ABSENT: _l("Absent")})
