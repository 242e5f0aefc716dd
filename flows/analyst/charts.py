"""Charts drawn as inline SVG text from Python: horizontal bars for rankings, columns for series.

Every label and value is escaped here, once, because it comes from the data (article titles,
names and quotes are input, and input may be hostile).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from flows.analyst.words import (
    AXIS_LABELS,
    AXIS_MARGIN,
    BAR_GAP,
    BAR_HEIGHT,
    CHART_WIDTH,
    COLUMN_CHART_HEIGHT,
    COLUMN_FILL,
    COLUMN_MAX_WIDTH,
    LABEL_MAX_CHARS,
    LABEL_WIDTH,
    VALUE_WIDTH,
)

Point = tuple[str, float]


def bar_chart(title: str, points: Sequence[Point]) -> str:
    """A ranking: one horizontal bar per (label, value), longest first as given."""
    if not points:
        return _empty(title)
    top = max(value for _, value in points) or 1
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = len(points) * (BAR_HEIGHT + BAR_GAP)
    marks = []
    for index, (label, value) in enumerate(points):
        y = index * (BAR_HEIGHT + BAR_GAP)
        length = max(1.0, span * value / top)
        middle = y + BAR_HEIGHT / 2
        marks.append(
            f'<text class="label" x="{LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end" '
            f'dominant-baseline="central">{_e(_short(label))}</text>'
            f'<rect class="mark" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" rx="3"><title>{_e(label)}: {_number(value)}</title></rect>'
            f'<text class="value" x="{LABEL_WIDTH + length + 6:.1f}" y="{middle:.1f}" '
            f'dominant-baseline="central">{_number(value)}</text>'
        )
    return _svg(title, CHART_WIDTH, height, "".join(marks))


def column_chart(title: str, points: Sequence[Point]) -> str:
    """A series in order (days, runs): one column per (label, value) with a baseline."""
    if not points:
        return _empty(title)
    top = max(value for _, value in points) or 1
    plot = COLUMN_CHART_HEIGHT - 2 * AXIS_MARGIN
    slot = (CHART_WIDTH - 2 * AXIS_MARGIN) / len(points)
    width = min(COLUMN_MAX_WIDTH, max(2.0, slot * COLUMN_FILL))
    every = max(1, len(points) // AXIS_LABELS)  # a readable axis, whatever the series length
    marks = [
        f'<line class="axis" x1="{AXIS_MARGIN}" x2="{CHART_WIDTH - AXIS_MARGIN}" '
        f'y1="{AXIS_MARGIN + plot}" y2="{AXIS_MARGIN + plot}"/>'
    ]
    for index, (label, value) in enumerate(points):
        height = max(1.0, plot * value / top)
        x = AXIS_MARGIN + index * slot + (slot - width) / 2
        y = AXIS_MARGIN + plot - height
        centre = x + width / 2
        marks.append(
            f'<rect class="mark" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
            f'height="{height:.1f}" rx="2"><title>{_e(label)}: {_number(value)}</title></rect>'
            f'<text class="value" x="{centre:.1f}" y="{y - 6:.1f}" '
            f'text-anchor="middle">{_number(value)}</text>'
        )
        if index % every == 0:
            marks.append(
                f'<text class="label" x="{centre:.1f}" y="{AXIS_MARGIN + plot + 18}" '
                f'text-anchor="middle">{_e(_short(label))}</text>'
            )
    return _svg(title, CHART_WIDTH, COLUMN_CHART_HEIGHT, "".join(marks))


def _svg(title: str, width: int, height: int, body: str) -> str:
    return (
        f'<svg class="chart" role="img" aria-label="{_e(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{_e(title)}</title>{body}</svg>"
    )


def _empty(title: str) -> str:
    return f'<p class="empty">No rows yet for {_e(title.lower())}.</p>'


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + "…"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _e(text: str) -> str:
    return escape(str(text), quote=True)
