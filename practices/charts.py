"""Server-drawn indicator charts: coordinates computed here, drawn by an SVG template (no script, no styles)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .models import Indicator

WIDTH, HEIGHT = 480, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 16, 16, 32


@dataclass
class ChartPoint:
    kind: str  # "baseline", "achieved", "target"
    year: float
    value: Decimal
    x: float = 0
    y: float = 0
    label: str = ""


@dataclass
class IndicatorChart:
    indicator: Indicator
    points: list[ChartPoint] = field(default_factory=list)
    line: str = ""  # polyline points of baseline → achieved values
    target: ChartPoint | None = None
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = PAD_LEFT
    plot_right: int = WIDTH - PAD_RIGHT
    plot_bottom: int = HEIGHT - PAD_BOTTOM

    @property
    def drawable(self) -> bool:
        return len(self.points) + (1 if self.target else 0) >= 2


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def indicator_chart(indicator: Indicator) -> IndicatorChart:
    """Baseline → achieved values over time, with the target as a marked point. Uses prefetched values."""
    chart = IndicatorChart(indicator=indicator)
    if indicator.baseline_value is not None and indicator.baseline_year:
        chart.points.append(ChartPoint("baseline", float(indicator.baseline_year), indicator.baseline_value))
    for v in indicator.values.all():
        chart.points.append(ChartPoint("achieved", v.date.year + (v.date.timetuple().tm_yday - 1) / 366, v.value))
    if indicator.target_value is not None and indicator.target_year:
        chart.target = ChartPoint("target", float(indicator.target_year), indicator.target_value)
    every = chart.points + ([chart.target] if chart.target else [])
    if len(every) < 2:
        return chart
    xs = [p.year for p in every]
    ys = [float(p.value) for p in every]
    x_min, x_max = min(xs), max(xs)
    y_min, y_max = min(ys + [0.0]), max(ys)
    if x_max == x_min:
        x_max = x_min + 1
    if y_max == y_min:
        y_max = y_min + 1
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    for p in every:
        p.x = round(PAD_LEFT + (p.year - x_min) / (x_max - x_min) * plot_w, 1)
        p.y = round(PAD_TOP + (1 - (float(p.value) - y_min) / (y_max - y_min)) * plot_h, 1)
        p.label = _fmt(p.value)
    chart.points.sort(key=lambda p: p.year)
    chart.line = " ".join(f"{p.x},{p.y}" for p in chart.points)
    for i in range(5):
        value = y_min + (y_max - y_min) * i / 4
        chart.y_ticks.append((round(PAD_TOP + (1 - i / 4) * plot_h, 1), f"{value:.4g}"))
    for year in range(int(x_min), int(x_max) + 1):
        if len(range(int(x_min), int(x_max) + 1)) > 8 and year % 2:
            continue
        chart.x_ticks.append((round(PAD_LEFT + (year - x_min) / (x_max - x_min) * plot_w, 1), str(year)))
    return chart
