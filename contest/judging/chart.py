"""The geometry of the judging analysis chart on the chief judge's desk: one horizontal bar
a judge, around zero, drawn by the template as SVG (no script, no image)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from contest.judging.desk import JudgeTendency

CHART_WIDTH, LABEL_WIDTH, VALUE_WIDTH, ROW, BAR, TOP = 560, 120, 80, 30, 18, 24
LENIENT, STRICT = "#b91c1c", "#1d4ed8"


@dataclass(frozen=True)
class Bar:
    """One judge's bar in the analysis chart (SVG user units)."""

    label: str
    value: Decimal | None
    count: int
    y: float
    x: float
    width: float
    fill: str


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart of deviations around zero, drawn by the template as SVG."""

    bars: list[Bar]
    width: int
    height: int
    axis: float
    top: int
    bottom: float
    label_x: int
    value_x: int
    bar_height: int
    peak: Decimal
    left: int = LABEL_WIDTH
    right: int = CHART_WIDTH - VALUE_WIDTH


def chart(tendencies: list[JudgeTendency]) -> Chart:
    """Geometry of the analysis chart: bars right of the axis for judges above the panel
    mean (lenient), left for those below (strict), scaled to the largest deviation."""
    peak = max(
        (abs(t.mean_deviation) for t in tendencies if t.mean_deviation is not None),
        default=Decimal(0),
    )
    half = (CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH) / 2
    axis = LABEL_WIDTH + half
    bars = []
    for i, t in enumerate(tendencies):
        y = TOP + i * ROW + (ROW - BAR) / 2
        value = t.mean_deviation
        length = float(abs(value) / peak) * half if value is not None and peak else 0.0
        x = axis if value is None or value >= 0 else axis - length
        fill = STRICT if value is not None and value < 0 else LENIENT
        bars.append(Bar(t.judge.code, value, t.values, y, round(x, 1), round(length, 1), fill))
    height = TOP + len(tendencies) * ROW + 8
    return Chart(
        bars,
        CHART_WIDTH,
        height,
        axis,
        TOP - 6,
        height - 4,
        LABEL_WIDTH - 10,
        CHART_WIDTH - 6,
        BAR,
        peak,
    )
