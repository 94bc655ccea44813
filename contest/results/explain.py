"""Deductions and disqualifications in words (SCORING.md §7), worded once for every page and
file that explains a result: the chief judge's desk, the internal results and their PDF and
workbook.

A penalty reads "安全文明生产 −5（未戴护目镜）", an overtime "超时 95 秒，按 2 分钟计，扣 4.00 分"
(or, past the rule's ``zero_after``, "超时 700 秒，超过 10 分钟，该部分记 0 分"), the mark it
changed "18.00 → 13.00", and a disqualification by penalties "设备损坏 2 次（达到取消资格次数
2 次），取消比赛资格".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext

from contest.domain.numbers import round_half_up, to_decimal
from contest.domain.scoring import Deduction, Penalty


@dataclass(frozen=True)
class Explained:
    """What deductions did to a criterion's mark or a component's score: the figure before
    and after them, rounded for display, and each deduction in words."""

    before: Decimal
    after: Decimal
    lines: tuple[str, ...]

    @property
    def change(self) -> str:
        """Before → after, as "18.00 → 13.00"."""
        return f"{self.before} → {self.after}"


def plain(value: Fraction | Decimal) -> str:
    """Points as entered, without trailing zeros: 5, 2.5."""
    number = to_decimal(value) if isinstance(value, Fraction) else value
    return f"{number.normalize():f}"


def _duration(seconds: Decimal) -> str:
    """A length of time in whole minutes when it is one, else in seconds."""
    if seconds % 60 == 0:
        return gettext("%(n)s minutes", n=plain(seconds / 60))
    return gettext("%(n)s seconds", n=plain(seconds))


def deduction_text(deduction: Deduction, places: int) -> str:
    """One deduction in words: a penalty with its kind, points and reason, or an overtime
    with the seconds over, the minutes counted and the points (or after how long over the
    part counts 0)."""
    if deduction.over is not None:
        seconds = plain(deduction.over)
        if deduction.zeroed and deduction.zero_after is not None:
            return gettext(
                "Overtime %(seconds)s s, more than %(limit)s: this part counts 0",
                seconds=seconds,
                limit=_duration(deduction.zero_after),
            )
        return gettext(
            "Overtime %(seconds)s s, counted as %(minutes)s minute(s): %(points)s off",
            seconds=seconds,
            minutes=deduction.minutes,
            points=round_half_up(deduction.points, places),
        )
    if deduction.points == 0:
        if deduction.reason:
            return gettext(
                "%(kind)s (no points off; %(reason)s)",
                kind=deduction.kind,
                reason=deduction.reason,
            )
        return gettext("%(kind)s (no points off)", kind=deduction.kind)
    if deduction.reason:
        return gettext(
            "%(kind)s −%(points)s (%(reason)s)",
            kind=deduction.kind,
            points=plain(deduction.points),
            reason=deduction.reason,
        )
    return gettext("%(kind)s −%(points)s", kind=deduction.kind, points=plain(deduction.points))


def explained(
    before: Fraction | None,
    after: Fraction | None,
    deductions: tuple[Deduction, ...],
    decimals: int,
    places: int | None = None,
) -> Explained | None:
    """What the deductions did to a mark or score, or None when none were taken: the words
    with the event's ``decimals``, the figures before and after with ``places`` (a page that
    shows marks with more places than the event's), by default the same."""
    if not deductions or before is None or after is None:
        return None
    shown = decimals if places is None else places
    return Explained(
        round_half_up(before, shown),
        round_half_up(after, shown),
        tuple(deduction_text(d, decimals) for d in deductions),
    )


def disqualification_text(kind: str, count: int, limit: int | None) -> str:
    """Why penalties disqualified an entrant: how many of which kind, and the trade's limit."""
    if limit is None:
        return gettext("%(kind)s %(count)s time(s): disqualified", kind=kind, count=count)
    return gettext(
        "%(kind)s %(count)s time(s) (the limit for disqualification is %(limit)s): disqualified",
        kind=kind,
        count=count,
        limit=limit,
    )


def disqualification(
    kind: str | None, penalties: Iterable[Penalty], disqualify_on: dict[str, int]
) -> str | None:
    """The words for an entrant the penalties disqualified (``kind``, the result's
    ``disqualified_by``), counting the penalties of that kind that stand; None otherwise."""
    if kind is None:
        return None
    count = sum(1 for p in penalties if p.kind == kind)
    return disqualification_text(kind, count, disqualify_on.get(kind))
