"""What the public sees of an event: its schedule and, only once published, the 公示
nomination list, each trade's results, the award lists, an entrant's own result and the
venue screen.

Everything about results comes from the publications (the snapshots taken when they were
made), so results computed but not yet published never show, and what the public saw does
not change afterwards. The snapshots hold names, units and teams only — never a resident ID
number or a phone number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from contest.core.extensions import db
from contest.domain.numbers import exact, fixed
from contest.domain.stages import StageKind
from contest.events.models import Component, Event, Trade, Unit
from contest.publication import certificates
from contest.publication import services as publications
from contest.publication.models import Publication
from contest.registration import summaries
from contest.registration.models import Entrant
from contest.registration.summaries import TradeSummary
from contest.stages import services as stages
from contest.stages.models import StageWindow

#: Trades per page of the venue screen, and units in its medal table.
SCREEN_TRADES = 6
SCREEN_UNITS = 8
#: Places shown per trade on the venue screen.
PODIUM = 3


# --- the event home -------------------------------------------------------------------------


@dataclass(frozen=True)
class EventHome:
    """The event's schedule, trades and what has been published."""

    windows: list[StageWindow]
    trades: list[TradeSummary]
    notice: bool
    results: bool
    result_trades: frozenset[str]
    #: The withdrawn publication of each kind, when none is current.
    notice_withdrawn: Publication | None = None
    results_withdrawn: Publication | None = None


def event_home(event: Event) -> EventHome:
    """The schedule (event-wide windows), the trades, links to what is published and the
    withdrawals of what was."""
    final = publications.published(event, publications.RESULTS)
    notice = publications.published(event, publications.NOTICE)
    codes = (
        frozenset(t["code"] for t in final.payload["results"]["trades"]) if final else frozenset()
    )
    return EventHome(
        windows=stages.event_windows(event),
        trades=summaries.trade_summaries(event),
        notice=notice is not None,
        results=final is not None,
        result_trades=codes,
        notice_withdrawn=None if notice else publications.withdrawn(event, publications.NOTICE),
        results_withdrawn=None if final else publications.withdrawn(event, publications.RESULTS),
    )


# --- results of a trade ---------------------------------------------------------------------


@dataclass(frozen=True)
class AwardMark:
    """An award an entrant received (with the skill level it promotes to, if any)."""

    title: str
    promoted_to: str | None = None


@dataclass(frozen=True)
class ResultRow:
    """One entrant's published result."""

    entrant: str
    name: str
    unit: str
    team: str | None
    rank: int | None
    status: str
    total: str | None
    components: tuple[str | None, ...]
    awards: tuple[AwardMark, ...]


@dataclass(frozen=True)
class Histogram:
    """How many entrants scored in each band of the total."""

    labels: tuple[str, ...]
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Summary:
    """Key figures of a trade's field."""

    entrants: int
    ranked: int
    highest: str | None
    mean: str | None
    lowest: str | None


@dataclass(frozen=True)
class TradeResults:
    """A trade's published results, with the distribution of the totals."""

    code: str
    name: str
    components: tuple[tuple[str, str], ...]  # (code, name) in the marking scheme's order
    rows: tuple[ResultRow, ...]
    histogram: Histogram
    summary: Summary


def distribution(totals: Sequence[Decimal]) -> Histogram:
    """The totals counted in equal bands (1, 2, 5 or 10 points wide: at most about ten bands
    over the field's spread); the last band includes its upper edge."""
    if not totals:
        return Histogram((), ())
    low, high = min(totals), max(totals)
    width = next((w for w in (1, 2, 5) if high - low <= w * 10), 10)
    start = math.floor(low / width) * width
    bands = max(1, math.ceil((high - start) / width))
    counts = [0] * bands
    for total in totals:
        counts[min(int((total - start) // width), bands - 1)] += 1
    labels = tuple(f"{start + i * width}–{start + (i + 1) * width}" for i in range(bands))
    return Histogram(labels, tuple(counts))


def summary(totals: Sequence[Decimal], entrants: int, decimals: int) -> Summary:
    """Count, highest, mean (rounded half up to the event's decimals) and lowest total."""
    if not totals:
        return Summary(entrants, 0, None, None, None)
    mean = sum((exact(t) for t in totals), start=exact(0)) / len(totals)
    return Summary(
        entrants,
        len(totals),
        fixed(max(totals), decimals),
        fixed(mean, decimals),
        fixed(min(totals), decimals),
    )


def _awards_by_entrant(awards: list[dict[str, Any]]) -> dict[str, tuple[AwardMark, ...]]:
    found: dict[str, list[AwardMark]] = {}
    for award in awards:
        for row in award["entrants"]:
            found.setdefault(row["entrant"], []).append(
                AwardMark(award["title"], row.get("promoted_to"))
            )
    return {code: tuple(marks) for code, marks in found.items()}


def _row(
    entry: dict[str, Any],
    people: dict[str, Any],
    components: Sequence[str],
    awards: dict[str, tuple[AwardMark, ...]],
) -> ResultRow:
    person = people.get(entry["code"], {})
    return ResultRow(
        entrant=entry["code"],
        name=person.get("name") or entry["code"],
        unit=person.get("unit") or "",
        team=person.get("team"),
        rank=entry["rank"],
        status=entry["status"],
        total=entry["total"],
        components=tuple(entry["components"].get(code) for code in components),
        awards=awards.get(entry["code"], ()),
    )


def _trade_document(payload: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((t for t in payload["results"]["trades"] if t["code"] == code), None)


def _component_names(event: Event, code: str) -> dict[str, str]:
    return dict(
        db.session.execute(
            sa.select(Component.code, Component.name)
            .join(Trade, Trade.id == Component.trade_id)
            .where(Trade.event_id == event.id, Trade.code == code)
            .order_by(Component.position, Component.id)
        ).all()
    )


def trade_results(event: Event, publication: Publication, code: str) -> TradeResults | None:
    """The published results of one trade; None if the publication has no such trade."""
    payload = publication.payload
    document = _trade_document(payload, code)
    if document is None:
        return None
    names = _component_names(event, code)
    present = {c for entry in document["entrants"] for c in entry["components"]}
    order = [c for c in names if c in present] + sorted(present - names.keys())
    awards = _awards_by_entrant(payload["awards"])
    rows = tuple(_row(e, payload["entrants"], order, awards) for e in document["entrants"])
    totals = [Decimal(r.total) for r in rows if r.rank is not None and r.total is not None]
    return TradeResults(
        code=code,
        name=payload["trades"].get(code, code),
        components=tuple((c, names.get(c, c)) for c in order),
        rows=rows,
        histogram=distribution(totals),
        summary=summary(totals, len(rows), event.decimals),
    )


# --- all trades and the units ---------------------------------------------------------------


@dataclass(frozen=True)
class TradeLink:
    """A trade with published results."""

    code: str
    name: str
    entrants: int
    ranked: int


@dataclass(frozen=True)
class UnitRow:
    """A unit's place in the overall table (placement points and medals)."""

    rank: int | None
    name: str
    points: int
    gold: int
    silver: int
    bronze: int


@dataclass(frozen=True)
class Overview:
    """Every trade with published results, and the units' table."""

    trades: tuple[TradeLink, ...]
    units: tuple[UnitRow, ...]


def _unit_rows(event: Event, payload: dict[str, Any]) -> tuple[UnitRow, ...]:
    names = dict(
        db.session.execute(sa.select(Unit.code, Unit.name).where(Unit.event_id == event.id)).all()
    )
    return tuple(
        UnitRow(
            rank=u["rank"],
            name=names.get(u["code"], u["code"]),
            points=u["points"],
            gold=u["gold"],
            silver=u["silver"],
            bronze=u["bronze"],
        )
        for u in payload["results"]["units"]
    )


def overview(event: Event, publication: Publication) -> Overview:
    """The trades of the published results and the units' table."""
    payload = publication.payload
    trades = tuple(
        TradeLink(
            t["code"],
            payload["trades"].get(t["code"], t["code"]),
            len(t["entrants"]),
            sum(1 for e in t["entrants"] if e["rank"] is not None),
        )
        for t in payload["results"]["trades"]
    )
    return Overview(trades, _unit_rows(event, payload))


# --- award lists, the 公示 and the changes made by upheld objections --------------------------


@dataclass(frozen=True)
class Change:
    """An upheld objection's decision, as the public reads it."""

    name: str
    unit: str
    award_title: str
    action: str  # "remove" | "change"
    to_title: str | None
    reason: str | None
    at: datetime | None


def describe_changes(changes: list[dict[str, Any]], people: dict[str, Any]) -> list[Change]:
    """The changes with the entrants' names (``people``: code → {name, unit})."""
    return [
        Change(
            name=people.get(c["entrant"], {}).get("name") or c["entrant"],
            unit=people.get(c["entrant"], {}).get("unit") or "",
            award_title=c["award_title"],
            action=c["action"] or "remove",
            to_title=c.get("to_title"),
            reason=c.get("reason"),
            at=datetime.fromisoformat(c["at"]) if c.get("at") else None,
        )
        for c in changes
    ]


def nominees(awards: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Name and unit of everyone on the award lists, by entrant code."""
    return {
        row["entrant"]: {"name": row.get("name"), "unit": row.get("unit")}
        for award in awards
        for row in award["entrants"]
    }


@dataclass(frozen=True)
class Awards:
    """The final award lists and the changes made to the 公示 lists."""

    lists: list[dict[str, Any]]
    changes: list[Change]


def final_awards(publication: Publication) -> Awards:
    """The award lists as published with the results, and the upheld objections."""
    payload = publication.payload
    return Awards(payload["awards"], describe_changes(payload["changes"], payload["entrants"]))


@dataclass(frozen=True)
class Choice:
    """A nomination someone may object to."""

    value: str
    label: str
    award: str
    entrant: str


def nomination_choices(awards: list[dict[str, Any]]) -> list[Choice]:
    """Every nomination of the 公示 lists, for the objection form."""
    return [
        Choice(
            value=f"{award['code']}:{row['entrant']}",
            label=f"{award['title']} — {row.get('name') or row['entrant']}"
            f"（{row.get('unit') or ''} · {row.get('trade_name') or row.get('trade') or ''}）",
            award=award["code"],
            entrant=row["entrant"],
        )
        for award in awards
        for row in award["entrants"]
    ]


# --- an entrant's own result ----------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """An entrant's published result and certificates, for the self-lookup."""

    name: str
    unit: str
    trade: str
    rank: int | None
    status: str
    total: str | None
    awards: tuple[AwardMark, ...]
    certificates: tuple[tuple[str, str, datetime | None], ...]  # (code, title, revoked at)


def _found(entrants: list[Entrant], publication: Publication) -> list[Found]:
    payload = publication.payload
    placed = {
        e["code"]: (t["code"], e) for t in payload["results"]["trades"] for e in t["entrants"]
    }
    awards = _awards_by_entrant(payload["awards"])
    found = []
    for entrant in entrants:
        if entrant.code not in placed:
            continue  # not in the published results (e.g. never approved)
        trade, entry = placed[entrant.code]
        person = payload["entrants"].get(entrant.code, {})
        found.append(
            Found(
                name=person.get("name") or entrant.name,
                unit=person.get("unit") or "",
                trade=payload["trades"].get(trade, trade),
                rank=entry["rank"],
                status=entry["status"],
                total=entry["total"],
                awards=awards.get(entrant.code, ()),
                certificates=tuple(
                    (c.code, c.title, c.revoked_at) for c in certificates.for_entrant(entrant)
                ),
            )
        )
    return found


def lookup_by_name(event: Event, publication: Publication, name: str, last4: str) -> list[Found]:
    """The published results of the event's entrants with this name whose resident ID ends
    with ``last4`` (an ``x`` matches ``X``)."""
    name, last4 = name.strip(), last4.strip().upper()
    candidates = db.session.execute(
        sa.select(Entrant).where(Entrant.event_id == event.id, Entrant.name == name)
    ).scalars()
    matching = [e for e in candidates if e.id_number and e.id_number.upper()[-4:] == last4]
    return _found(matching, publication)


def lookup_by_certificate(event: Event, publication: Publication, code: str) -> list[Found]:
    """The published result of the holder of a genuine certificate of this event."""
    verified = certificates.verify(code)
    if not verified.genuine or verified.certificate.event_id != event.id:
        return []
    return _found([verified.certificate.entrant], publication)


# --- the venue screen -----------------------------------------------------------------------


@dataclass(frozen=True)
class Podium:
    """The first places of one trade."""

    code: str
    name: str
    rows: tuple[ResultRow, ...]


@dataclass(frozen=True)
class ScreenPage:
    """One page of the venue screen: the medal table and a few trades' first places."""

    units: tuple[UnitRow, ...]
    trades: tuple[Podium, ...]
    page: int
    pages: int


def screen(event: Event, publication: Publication, page: int) -> ScreenPage:
    """Page ``page`` (from 1, wrapping round) of the venue screen."""
    payload = publication.payload
    documents = payload["results"]["trades"]
    pages = max(1, math.ceil(len(documents) / SCREEN_TRADES))
    page = (page - 1) % pages + 1
    awards = _awards_by_entrant(payload["awards"])
    shown = documents[(page - 1) * SCREEN_TRADES : page * SCREEN_TRADES]
    return ScreenPage(
        units=_unit_rows(event, payload)[:SCREEN_UNITS],
        trades=tuple(
            Podium(
                t["code"],
                payload["trades"].get(t["code"], t["code"]),
                tuple(
                    _row(e, payload["entrants"], (), awards)
                    for e in t["entrants"]
                    if e["rank"] is not None and e["rank"] <= PODIUM
                ),
            )
            for t in shown
        ),
        page=page,
        pages=pages,
    )


def notice_window(event: Event) -> StageWindow | None:
    """The event's 公示 window, if planned."""
    return stages.window(event, StageKind.PUBLIC_NOTICE)
