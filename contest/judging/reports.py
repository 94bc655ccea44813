"""Printable documents of the draw and check-in: station list and door list (PDF). Both
name the entrants still awaiting a station and those who left after the draw."""

from __future__ import annotations

from contest.core.files import render_pdf
from contest.core.links import public_url
from contest.events.models import Trade
from contest.judging import draw
from contest.publication.documents import qr_data_uri
from contest.registration import cards


def station_list_pdf(trade: Trade) -> bytes:
    """工位表: every station given with its anonymous code, for the venue (no names); the
    stations of entrants who left stay empty, and every seed is printed."""
    known = draw.field(trade)
    stations = sorted(known.stationed + known.left, key=lambda e: e.station_no or 0)
    standing, _ = draw.rounds(trade)
    return render_pdf(
        "pdf/stations.html",
        trade=trade,
        entrants=stations,
        left={e.id for e in known.left},
        awaiting=len(known.awaiting),
        rounds=standing,
    )


def door_list_pdf(trade: Trade) -> bytes:
    """检录表: name, unit, masked ID number and station of everyone to check in, with a
    column for the signature; who awaits a station or has left is named below the list."""
    known = draw.field(trade)
    return render_pdf("pdf/door_list.html", trade=trade, field=known, entrants=known.stationed)


def cards_pdf(trade: Trade) -> bytes:
    """参赛证: a card per entrant in the field, eight to an A4 page — the event, name, unit,
    trade, station, admission number, masked ID number and the QR of the card (the door staff
    scan it to check the entrant in; the entrant scans it to sit the theory exam)."""
    known = draw.field(trade)
    entrants = [*known.stationed, *known.awaiting]
    qrs = {e.id: qr_data_uri(public_url("cards.scan", token=cards.card_token(e))) for e in entrants}
    return render_pdf("pdf/cards.html", trade=trade, entrants=entrants, qrs=qrs)
