"""The question bank, the trades' exams with their sealed papers, the entrants' answers and
the judges' marks of ``short`` items (EXAMS.md §1–3, §5)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core import labels
from contest.core.extensions import db
from contest.core.types import ExactDecimal, UTCDateTime, enum_type, utcnow
from contest.domain.exams import ItemType

if TYPE_CHECKING:
    from contest.accounts.models import User
    from contest.events.models import Component, Judge, Trade
    from contest.registration.models import Entrant


class QuestionBank(db.Model):
    """A question bank (题库). It belongs to no single event: several trades' exams may draw
    from it."""

    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[QuestionItem]] = relationship(
        back_populates="bank", cascade="all, delete-orphan", passive_deletes=True
    )


class QuestionItem(db.Model):
    """A version of an item (试题) of a bank; a sat paper keeps the version it was drawn
    with. ``options``, ``key`` and ``tags`` hold the package's JSON (EXAMS.md §5)."""

    __tablename__ = "question_items"
    __table_args__ = (
        sa.UniqueConstraint("bank_id", "code", "version"),
        sa.CheckConstraint("marks > 0", name="marks_positive"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(
            "difficulty IS NULL OR difficulty BETWEEN 1 AND 5", name="difficulty_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("question_banks.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(32))
    version: Mapped[int] = mapped_column(default=1)
    type: Mapped[ItemType] = mapped_column(enum_type(ItemType, "item_type"))
    stem: Mapped[str] = mapped_column(sa.Text)
    options: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)
    key: Mapped[Any] = mapped_column(sa.JSON)
    marks: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(1))
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    level: Mapped[str | None] = mapped_column(sa.String(32))
    difficulty: Mapped[int | None]
    explanation: Mapped[str | None] = mapped_column(sa.Text)
    image: Mapped[str | None] = mapped_column(sa.String(200))  # a stored file shown with the stem
    public: Mapped[bool] = mapped_column(default=False)  # offered for practice (模拟练习)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bank: Mapped[QuestionBank] = relationship(back_populates="items")


class ExamSetting(db.Model):
    """A trade's exam feeding one of its components: the blueprint as the package gives it
    (``sections``), the voided items, and the papers drawn and sealed (``sealed_papers``:
    per paper, per section, the item codes in drawn order)."""

    __tablename__ = "exam_settings"
    __table_args__ = (
        sa.UniqueConstraint("trade_id"),
        sa.CheckConstraint("minutes >= 1", name="minutes_positive"),
        sa.CheckConstraint("papers >= 1", name="papers_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trade_id: Mapped[int] = mapped_column(sa.ForeignKey("trades.id", ondelete="CASCADE"))
    component_id: Mapped[int] = mapped_column(
        sa.ForeignKey("components.id", ondelete="CASCADE"), unique=True
    )
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("question_banks.id", ondelete="RESTRICT"))
    minutes: Mapped[int]
    seed: Mapped[str] = mapped_column(sa.String(100))
    papers: Mapped[int] = mapped_column(default=1)
    sections: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    voided: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    sealed_papers: Mapped[list[list[list[str]]] | None] = mapped_column(sa.JSON)
    #: The version of each sealed item (code → version): later edits make new versions.
    sealed_versions: Mapped[dict[str, int] | None] = mapped_column(sa.JSON)
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # entrants may start
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # no one may start

    trade: Mapped[Trade] = relationship()
    component: Mapped[Component] = relationship()
    bank: Mapped[QuestionBank] = relationship()


class ExamAnswer(db.Model):
    """An entrant's response to an item of their paper, in the bank's labels (null: left
    blank). An entrant with any answer has an attempt."""

    __tablename__ = "exam_answers"
    __table_args__ = (
        sa.UniqueConstraint("exam_id", "entrant_id", "item_code"),
        sa.Index("ix_exam_answers_entrant_id", "entrant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_settings.id", ondelete="CASCADE"))
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="CASCADE"))
    item_code: Mapped[str] = mapped_column(sa.String(32))
    response: Mapped[Any] = mapped_column(sa.JSON(none_as_null=True), nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Bumped on every change; a device's save names the revision it changed, so that a
    #: save queued offline never overwrites a later answer given on another device.
    revision: Mapped[int] = mapped_column(default=1)
    save_key: Mapped[str | None] = mapped_column(sa.String(64))  # the last save's key

    exam: Mapped[ExamSetting] = relationship()
    entrant: Mapped[Entrant] = relationship()


class ItemScore(db.Model):
    """A judge's value for a ``short`` item of an entrant's paper (EXAMS.md §3)."""

    __tablename__ = "item_scores"
    __table_args__ = (
        sa.UniqueConstraint("exam_id", "entrant_id", "item_code", "judge_id"),
        sa.CheckConstraint("value >= 0", name="value_non_negative"),
        sa.Index("ix_item_scores_entrant_id", "entrant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_settings.id", ondelete="CASCADE"))
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="CASCADE"))
    item_code: Mapped[str] = mapped_column(sa.String(32))
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("judges.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    exam: Mapped[ExamSetting] = relationship()
    entrant: Mapped[Entrant] = relationship()
    judge: Mapped[Judge] = relationship()


class SittingEnd(StrEnum):
    """How a sitting ended."""

    SUBMITTED = "submitted"  # by the entrant
    TIME = "time"  # the time ran out
    PROCTOR = "proctor"  # force-submitted by a proctor, with a reason


class ExamSitting(db.Model):
    """An entrant's sitting of a trade's exam (EXAMS.md §4): the server's clock only. The
    time allowed is the exam's minutes plus the proctors' extensions plus the time spent
    paused; ``paused_at`` is set while a pause lasts."""

    __tablename__ = "exam_sittings"
    __table_args__ = (
        sa.UniqueConstraint("exam_id", "entrant_id"),
        sa.CheckConstraint("extra_seconds >= 0", name="extra_non_negative"),
        sa.CheckConstraint("paused_seconds >= 0", name="paused_non_negative"),
        sa.CheckConstraint("(ended_at IS NULL) = (ended_how IS NULL)", name="ended_with_how"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_settings.id", ondelete="CASCADE"))
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    extra_seconds: Mapped[int] = mapped_column(default=0)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[int] = mapped_column(default=0)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_how: Mapped[SittingEnd | None] = mapped_column(enum_type(SittingEnd, "sitting_end"))

    exam: Mapped[ExamSetting] = relationship()
    entrant: Mapped[Entrant] = relationship()


class ExamKeying(db.Model):
    """One keying of an entrant's paper answer sheet by a clerk (round 1 or 2), kept as
    keyed (item code → response) after the answers count."""

    __tablename__ = "exam_keyings"
    __table_args__ = (
        sa.UniqueConstraint("exam_id", "entrant_id", "round"),
        sa.CheckConstraint("round IN (1, 2)", name="round_one_or_two"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_settings.id", ondelete="CASCADE"))
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("entrants.id", ondelete="CASCADE"))
    round: Mapped[int]
    clerk_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    responses: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    clerk: Mapped[User] = relationship()


#: The proctors (监考) of an exam: each sees and acts on that exam's room only.
exam_proctors = sa.Table(
    "exam_proctors",
    db.metadata,
    sa.Column("exam_id", sa.ForeignKey("exam_settings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


labels.register(
    SittingEnd,
    {
        SittingEnd.SUBMITTED: _l("Submitted"),
        SittingEnd.TIME: _l("Time ran out"),
        SittingEnd.PROCTOR: _l("Submitted by the proctor"),
    },
)


labels.register(
    ItemType,
    {
        ItemType.SINGLE: _l("Single choice"),
        ItemType.MULTIPLE: _l("Multiple choice"),
        ItemType.JUDGE: _l("True or false"),
        ItemType.FILL: _l("Fill in the blanks"),
        ItemType.SHORT: _l("Short answer"),
    },
)
