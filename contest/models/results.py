"""Computed results, stored per trade so that pages never recompute them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from contest.extensions import db
from contest.models.types import UTCDateTime, utcnow


class TradeResultRecord(db.Model):
    """The latest computed results of one trade (``domain.snapshot`` format)."""

    __tablename__ = "trade_results"

    trade_id: Mapped[int] = mapped_column(
        sa.ForeignKey("trades.id", ondelete="CASCADE"), primary_key=True
    )
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
