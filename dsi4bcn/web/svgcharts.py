"""Charts as inline SVG, drawn on the server without a library: horizontal bars and a column chart.

Every chart scales to its container (a ``viewBox``, ``width:100%``, no fixed pixel size), is an image
with a ``<title>`` and a ``<desc>`` for assistive technology, and escapes every text it draws. Labels too
long for the chart are cut with an ellipsis; the page shows each chart's full numbers in a table.
Colours: bars ``#0b5687`` (7.2:1 on white, 6.6:1 on the site's paper), text ``#1c2430`` (14.6:1).
"""

from collections.abc import Sequence
from html import escape

__all__ = ["BAR", "INK", "WIDTH", "bar_chart", "column_chart", "truncate"]

WIDTH = 320  # the viewBox's width; the chart is drawn to it and scaled to the container
BAR = "#0b5687"
INK = "#1c2430"
_ROW = 38  # a label line and its bar
_BAR_HEIGHT = 14
_COUNT_ROOM = 56  # kept right of the longest bar for its count
_FONT = 14
_MAX_COLUMN = 48  # a column's widest step, so that a few months do not fill the chart
_MAX_LABEL = 40  # characters of a label drawn (about the chart's width at _FONT)


def truncate(label: str, limit: int = _MAX_LABEL) -> str:
    """``label`` as drawn: cut to ``limit`` characters with an ellipsis when longer."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{_FONT}" fill="{INK}" text-anchor="{anchor}">'
        f"{escape(text, quote=False)}</text>"
    )


def _open(height: int, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" class="chart"'
        f' style="width:100%;height:auto" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title, quote=False)}</title><desc>{escape(desc, quote=False)}</desc>"
    )


def bar_chart(items: Sequence[tuple[str, int]], title: str, desc: str) -> str:
    """Horizontal bars, one per ``(label, count)`` in the order given: each label on a line, its bar
    below, as long as its count relative to the largest, and the count after the bar."""
    top = max((count for _, count in items), default=0)
    room = WIDTH - _COUNT_ROOM
    parts = [_open(max(_ROW * len(items), _ROW // 2), title, desc)]
    for number, (label, count) in enumerate(items):
        y = number * _ROW
        width = room * count / top if top > 0 else 0.0
        parts.append(_text(0, y + _FONT, truncate(label)))
        parts.append(f'<rect x="0" y="{y + _FONT + 5}" width="{width:.2f}" height="{_BAR_HEIGHT}" fill="{BAR}"></rect>')
        parts.append(_text(width + 6, y + _FONT + 5 + _BAR_HEIGHT - 2, str(count)))
    parts.append("</svg>")
    return "".join(parts)


def column_chart(items: Sequence[tuple[str, int]], title: str, desc: str) -> str:
    """Columns, one per ``(label, value)`` in order (months, say), as tall as the value relative to the
    largest; the largest value is written at the top and the first and last labels under the axis."""
    height, base, top_room = 200, 170, 24
    top = max((value for _, value in items), default=0)
    parts = [_open(height, title, desc)]
    parts.append(f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="{INK}" stroke-width="1"></line>')
    if items:
        step = min(WIDTH / len(items), _MAX_COLUMN)
        gap = min(step * 0.2, 8)
        for number, (_, value) in enumerate(items):
            tall = (base - top_room) * value / top if top > 0 else 0.0
            parts.append(
                f'<rect x="{number * step + gap / 2:.2f}" y="{base - tall:.2f}" width="{step - gap:.2f}"'
                f' height="{tall:.2f}" fill="{BAR}"></rect>'
            )
        parts.append(_text(0, _FONT, str(top)))
        parts.append(_text(0, base + _FONT + 8, items[0][0]))
        if len(items) > 1:
            parts.append(_text(min(WIDTH, step * len(items)), base + _FONT + 8, items[-1][0], anchor="end"))
    parts.append("</svg>")
    return "".join(parts)
