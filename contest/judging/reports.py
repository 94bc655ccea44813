"""Printable documents of the draw and check-in: station list and door list (PDF)."""

from __future__ import annotations

from contest.core.files import render_pdf
from contest.events.models import Trade
from contest.judging import draw


def station_list_pdf(trade: Trade) -> bytes:
    """工位表: every station with its anonymous code, for the venue (no names)."""
    return render_pdf("pdf/stations.html", trade=trade, entrants=draw.station_list(trade))


def door_list_pdf(trade: Trade) -> bytes:
    """检录表: name, unit, masked ID number and station, with a column for the signature."""
    entrants = sorted(draw.drawable(trade), key=lambda e: (e.station_no or 10**6, e.code))
    return render_pdf("pdf/door_list.html", trade=trade, entrants=entrants)
