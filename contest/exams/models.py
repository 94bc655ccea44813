"""The question bank, the trades' exams with their sealed papers, the entrants' answers and
the judges' marks of ``short`` items (EXAMS.md §1–3, §5)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core import labels
from contest.core.extensions import db
from contest.core.types import ExactDecimal, UTCDateTime, enum_type, utcnow
from contest.domain.exams import ItemType

if TYPE_CHECKING:
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
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
