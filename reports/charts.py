"""Self-contained SVG charts for the HTML reports (no script, no CDN).

Small on purpose: a horizontal bar chart covers posts by year, findings by type,
word-count bands and crawl depth. The SVG is escaped text, safe to inline.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR_HEIGHT = 22
LABEL_WIDTH = 220  # room for the longest check name in 12 px text
CHART_WIDTH = 620
PALETTE = ("#2563eb", "#059669", "#d97706", "#dc2626", "#7c3aed", "#0891b2")


def bar_chart_svg(data: Sequence[tuple[str, float]], title: str, *, color: str = PALETTE[0],
                  unit: str = "") -> str:
    """A horizontal bar chart as an inline <svg>, one bar per (label, value).

    The chart carries role="img", a <title> and one <g class="bar" data-label data-value>
    per bar, so screen readers and browser tests can read it.
    """
    rows = list(data)
    top = max((v for _, v in rows), default=0) or 1
    height = BAR_HEIGHT * max(len(rows), 1) + 34
    bar_space = CHART_WIDTH - LABEL_WIDTH - 60
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{CHART_WIDTH}" '
        f'height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 28 + i * BAR_HEIGHT
        width = max(bar_space * value / top, 1 if value else 0)
        shown = f"{value:g}{unit}"
        parts.append(
            f'<g class="bar" data-label="{escape(str(label))}" data-value="{value:g}">'
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" font-size="12" text-anchor="end">{escape(str(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width:.1f}" height="{BAR_HEIGHT - 6}" fill="{color}"/>'
            f'<text x="{LABEL_WIDTH + width + 5:.1f}" y="{y + 15}" font-size="12">{escape(shown)}</text></g>'
        )
    if not rows:
        parts.append(f'<text x="{LABEL_WIDTH}" y="44" font-size="12">no data</text>')
    parts.append("</svg>")
    return "".join(parts)


LINE_HEIGHT = 160


def line_chart_svg(points: Sequence[tuple[str, float]], title: str, *, top: float = 100,
                   color: str = PALETTE[0]) -> str:
    """A small line chart (the score over the last crawls) as an inline <svg>, one
    <g class="point" data-label data-value> per point, oldest first."""
    rows = list(points)
    top = max([top, *(v for _, v in rows)]) or 1
    left, right, plot_top, plot_height = 40, CHART_WIDTH - 20, 28, LINE_HEIGHT - 60
    step = (right - left) / max(len(rows) - 1, 1)
    xy = [(left + i * step, plot_top + plot_height * (1 - v / top)) for i, (_, v) in enumerate(rows)]
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{CHART_WIDTH}" '
        f'height="{LINE_HEIGHT}" viewBox="0 0 {CHART_WIDTH} {LINE_HEIGHT}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{plot_top + plot_height}" x2="{right}" y2="{plot_top + plot_height}" stroke="#d1d5db"/>',
    ]
    if len(xy) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
    for (label, value), (x, y) in zip(rows, xy):
        parts.append(
            f'<g class="point" data-label="{escape(str(label))}" data-value="{value:g}">'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}"/>'
            f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="11" text-anchor="middle">{value:g}</text>'
            f'<text x="{x:.1f}" y="{plot_top + plot_height + 16}" font-size="11" text-anchor="middle">'
            f"{escape(str(label))}</text></g>")
    if not rows:
        parts.append(f'<text x="{left}" y="60" font-size="12">no data</text>')
    parts.append("</svg>")
    return "".join(parts)
