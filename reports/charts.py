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
