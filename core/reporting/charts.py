"""Server-rendered charts: grouped bar and line charts as SVG strings (pure; no JS, no CDN).

Every text that comes from data (labels, series names, the title) is XML-escaped here, so a
template may output the result with `| safe`. Each chart is meant to sit next to a table of the
same numbers (the table is the accessible version; the SVG has role="img" and a title).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f6fb2", "#e07b39", "#3a9d5d", "#c0392b", "#8e6bbf", "#7f8c8d", "#d4a017")
FONT = "'Noto Sans CJK SC','Microsoft YaHei',sans-serif"
# The chart is drawn in a box WIDTH user units wide and scaled to its column: about 360 px on a
# phone, at most 520 px on a wide screen (static/css/dashboards.css .chart-box). TEXT user units
# are then 11–16 px on screen, readable on a phone without being loud on a desktop.
WIDTH, HEIGHT = 400, 260
TEXT, TITLE_TEXT = 12, 13
LABEL_CHARS = 8  # a rotated category label is cut to this many characters (the table has all)
SLANT = 0.64  # sin(40°): how far down a label rotated by -40° reaches, per unit of its length


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]


def _esc(text: object) -> str:
    return escape(str(text), quote=True)


def nice_max(value: float) -> float:
    """A round upper bound for the axis (1, 2, 2.5, 5 × 10^n) at or above `value`."""
    if value <= 0:
        return 1
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def text_width(text: str, size: float = TEXT) -> float:
    """The width of ``text`` at font ``size`` (user units), estimated: a Chinese character (or
    any wide one) takes a full em, a Latin letter, digit or space about 0.6 of it."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _frame(title: str, width: int, height: int, body: list[str], series: Sequence[Series]) -> str:
    legend = []
    x, y = 10.0, height - 20.0
    for index, item in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        item_w = 28 + text_width(item.name)
        if x + item_w > width - 10 and x > 10:  # wrap: the chart grows by one legend row
            x, y = 10.0, y + TEXT + 6
        legend.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{TEXT - 2}" height="{TEXT - 2}" '
            f'fill="{colour}"/>'
            f'<text x="{x + TEXT + 2:.0f}" y="{y + TEXT - 3:.0f}" font-size="{TEXT}">'
            f"{_esc(item.name)}</text>"
        )
        x += item_w
    height = int(y + TEXT + 8)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-label="{_esc(title)}" font-family="{FONT}">'
        f"<title>{_esc(title)}</title>"
        f'<text x="{width / 2}" y="16" font-size="{TITLE_TEXT}" text-anchor="middle" '
        f'font-weight="bold">'
        f"{_esc(title)}</text>" + "".join(body) + "".join(legend) + "</svg>"
    )


def axis_top(value: float) -> float:
    """The axis maximum: four round steps covering `value` (0, 1, 2, 3, 4 for a 3)."""
    return nice_max(value / 4) * 4 if value > 0 else 4


WHOLE_STEPS = (1, 2, 5)  # × 10^n: the steps of an axis of counts
MAX_INTERVALS = 4


def whole_step(value: float) -> int:
    """The smallest step of 1, 2, 5 × 10^n (n ≥ 0) that covers ``value`` (a count, ≥ 0) in
    at most four intervals: 1 for 0–4, 2 for 5–8, 5 for 9–20, 10 for 21–40, …"""
    target = max(float(value), 0.0) / MAX_INTERVALS
    magnitude = 1
    while True:
        for mantissa in WHOLE_STEPS:
            if mantissa * magnitude >= target:
                return mantissa * magnitude
        magnitude *= 10


def axis_ticks(value: float, *, whole: bool, top: float | None = None) -> list[float]:
    """The y axis's tick values, from 0 up to the axis top (the last one), evenly spaced.

    ``whole`` (an axis of counts): whole numbers only, the step from ``whole_step`` and as
    many steps as cover ``value`` (0, 1, 2, 3 for a 3; 0, 2, 4, 6 for a 5; at least 0, 1).
    Otherwise (shares, amounts): four equal steps up to ``axis_top(value)``. A fixed ``top``
    (e.g. 100 for a percentage) is split in four, unless that gives fractions on a whole axis,
    where whole steps covering ``top`` are used instead."""
    if top is not None:
        quarters = [top * i / MAX_INTERVALS for i in range(MAX_INTERVALS + 1)]
        if not whole or all(float(t).is_integer() for t in quarters):
            return [int(t) if whole else t for t in quarters]
        value = top
    if not whole:
        limit = axis_top(value)
        return [limit * i / MAX_INTERVALS for i in range(MAX_INTERVALS + 1)]
    step = whole_step(value)
    count = max(1, math.ceil(max(value, 0) / step))
    return [i * step for i in range(count + 1)]


def _is_whole(values: Sequence[float | int | None]) -> bool:
    """Counts: every value present is an int (a share arrives as a float)."""
    return all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values)


def _tick_label(value: float) -> str:
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _axes(width: int, height: int, ticks: Sequence[float], unit: str,
          layout: _XLayout) -> tuple[list[str], float, float, float]:
    """Gridlines and y labels (class "tick"); returns (parts, plot left, plot bottom, plot
    height). ``ticks`` run from 0 to the axis top; ``layout``: how the x labels go under the
    axis. The plot starts right of the widest y label (and of a slanted first x label)."""
    labels = [f"{_tick_label(value)}{unit}" for value in ticks]
    left = max(30.0, max(text_width(t) for t in labels) + 10, layout.left)
    bottom, plot_top = height - layout.below - 28.0, 28.0
    plot_h = bottom - plot_top
    parts = []
    top = ticks[-1] or 1
    for value, text in zip(ticks, labels, strict=True):
        y = bottom - plot_h * value / top
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text class="tick" x="{left - 4}" y="{y + 4:.1f}" font-size="{TEXT}" '
            f'text-anchor="end">{_esc(text)}</text>'
        )
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#888"/>')
    return parts, left, bottom, plot_h


@dataclass(frozen=True)
class _XLayout:
    """How the x labels are written: ``mode`` "flat" (one line), "wrap" (two lines) or
    "slant" (rotated by -40°, cut to LABEL_CHARS); only every ``every``-th label is written;
    ``below``: the room they take under the axis; ``left``: the least plot left a slanted
    first label needs not to leave the chart (user units)."""

    mode: str
    slot: float
    every: int = 1
    below: float = TEXT + 8.0
    left: float = 0.0


def _two_lines(label: str) -> list[str]:
    """A label in two lines, split at the space nearest its middle, else at its middle."""
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    if spaces:
        cut = min(spaces, key=lambda i: abs(i - len(label) / 2))
        return [label[:cut], label[cut + 1:]]
    half = (len(label) + 1) // 2
    return [label[:half], label[half:]]


def _x_layout(labels: Sequence[str], width: int) -> _XLayout:
    """How the x labels fit under a plot about ``width`` - 60 units wide. Labels lie flat,
    in one line or two, while each fits its slot; otherwise they are slanted and cut to
    LABEL_CHARS, and only every n-th is written when even slanted ones would touch (the table
    beside each chart names every one)."""
    slot = (width - 60) / max(len(labels), 1)
    fits = [text_width(label) + 6 <= slot for label in labels]
    if all(fits):
        return _XLayout("flat", slot)
    if all(fit or max(text_width(line) for line in _two_lines(label)) + 6 <= slot
           for label, fit in zip(labels, fits, strict=True)):
        return _XLayout("wrap", slot, below=2 * TEXT + 12.0)
    every = max(1, math.ceil((TEXT + 4) / (slot * SLANT)))
    longest = max((text_width(_short(label)) for label in labels), default=0.0)
    # cos 40° ≈ 0.77: how far left of its foot a slanted label reaches
    return _XLayout("slant", slot, every, TEXT + longest * SLANT + 8.0,
                    longest * 0.77 - slot / 2 + 4)


def _x_label(x: float, y: float, label: str, layout: _XLayout) -> str:
    if layout.mode == "slant":
        return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{TEXT}" text-anchor="end" '
                f'transform="rotate(-40 {x:.1f} {y:.1f})">{_esc(_short(label))}</text>')
    lines = [label]
    if layout.mode == "wrap" and text_width(label) + 6 > layout.slot:
        lines = _two_lines(label)
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else TEXT + 2}">{_esc(line)}</tspan>'
                    for i, line in enumerate(lines))
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{TEXT}" text-anchor="middle">'
            f"{spans}</text>")


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series], *,
              width: int = WIDTH, height: int = HEIGHT, unit: str = "",
              max_value: float | None = None, whole: bool | None = None) -> str:
    """Grouped vertical bars: one group per category, one bar per series.

    ``whole``: the values are counts, so the axis ticks are whole numbers (``axis_ticks``);
    None infers it (every value an int). ``max_value`` fixes the axis top (100 for a %)."""
    values = [v or 0 for s in series for v in s.values]
    if whole is None:
        whole = _is_whole([v for s in series for v in s.values])
    ticks = axis_ticks(max(values, default=0), whole=whole, top=max_value)
    top = ticks[-1]
    count = max(len(categories), 1)
    layout = _x_layout(categories, width)
    parts, left, bottom, plot_h = _axes(width, height, ticks, unit, layout)
    group_w = (width - 10 - left) / count
    bar_w = group_w * 0.8 / max(len(series), 1)
    for ci, category in enumerate(categories):
        gx = left + ci * group_w + group_w * 0.1
        for si, item in enumerate(series):
            value = item.values[ci] if ci < len(item.values) else None
            h = 0 if not value or top == 0 else plot_h * min(value, top) / top
            x = gx + si * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{max(bar_w - 1, 1):.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[si % len(PALETTE)]}">'
                f"<title>{_esc(category)} {_esc(item.name)}：{_fmt(value or 0)}{_esc(unit)}</title>"
                "</rect>"
            )
        if ci % layout.every == 0:
            parts.append(_x_label(left + (ci + 0.5) * group_w, bottom + TEXT + 4, category,
                                  layout))
    return _frame(title, width, height, parts, series)


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series], *,
               width: int = WIDTH, height: int = HEIGHT, unit: str = "",
               max_value: float | None = None, whole: bool | None = None) -> str:
    """One polyline per series over the labels (months, usually); gaps where a value is None.

    ``whole`` and ``max_value`` as for ``bar_chart``."""
    values = [v for s in series for v in s.values if v is not None]
    if whole is None:
        whole = _is_whole(values)
    ticks = axis_ticks(max(values, default=0), whole=whole, top=max_value)
    top = ticks[-1]
    count = max(len(labels), 1)
    layout = _x_layout(labels, width)
    parts, left, bottom, plot_h = _axes(width, height, ticks, unit, layout)
    step = (width - 10 - left) / count
    for si, item in enumerate(series):
        colour = PALETTE[si % len(PALETTE)]
        points: list[str] = []
        segments: list[list[str]] = [points]
        for i, value in enumerate(item.values[: len(labels)]):
            if value is None:
                points = []
                segments.append(points)
                continue
            x = left + (i + 0.5) * step
            y = bottom - (plot_h * min(value, top) / top if top else 0)
            points.append(f"{x:.1f},{y:.1f}")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}">'
                f"<title>{_esc(labels[i])} {_esc(item.name)}：{_fmt(value)}{_esc(unit)}</title>"
                "</circle>"
            )
        for segment in segments:
            if len(segment) > 1:
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                             f'points="{" ".join(segment)}"/>')
    for i, label in enumerate(labels):
        if i % layout.every == 0:
            parts.append(_x_label(left + (i + 0.5) * step, bottom + TEXT + 4, label, layout))
    return _frame(title, width, height, parts, series)
