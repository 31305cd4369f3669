"""The pieces every SVG chart is made of: text, markers, dashes, a legend, a key, the document.

A drawing is plain SVG with presentation attributes (no classes to style, no external CSS, no
``<foreignObject>``, no script), so it renders the same on screen, in print and in a PDF made
from the HTML. Every text is escaped with markupsafe; labels arrive as plotly spells them
(escaped by ``chart_text``, ``<br>`` for line breaks) and are turned back into plain lines.
"""

from __future__ import annotations

import base64
import html
import math
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

# Generic families only: whatever the reader's system (or the PDF renderer) has.
SVG_FONT_FAMILY = "system-ui, sans-serif"
INK = "#1b1b1b"
MUTED = "#595959"  # 7:1 against white
GRID = "#c8c8c8"
AXIS = "#767676"  # 4.5:1 against white
LINE_HEIGHT = 1.25


def fmt(value: float) -> str:
    """A coordinate or a score with at most one decimal, and no "-0"."""
    text = f"{round(value, 1) + 0.0:.1f}"
    return text[:-2] if text.endswith(".0") else text


_NAMES: dict[str, str] = {}


def attrs(**values: Any) -> str:
    """``key="value"`` pairs, escaped; ``None`` leaves the attribute out, ``_`` becomes ``-``.

    A chart has thousands of attributes: numbers, which need no escaping, are written as they
    are, and each attribute name is worked out once."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        name = _NAMES.get(key)
        if name is None:
            name = _NAMES[key] = key.rstrip("_").replace("_", "-")
        if isinstance(value, float):
            text = fmt(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        else:
            text = str(escape(str(value)))
        parts.append(f'{name}="{text}"')
    return " ".join(parts)


def tag(name: str, **values: Any) -> str:
    """An empty element: ``tag("rect", x=1.0, fill="#fff")`` gives ``<rect x="1" fill="#fff"/>``."""
    return f"<{name} {attrs(**values)}/>"


def numbers(values: Any) -> list[float | None]:
    """A list of numbers from a figure, whether a JSON list or a plotly typed array."""
    if values is None:
        return []
    if isinstance(values, dict) and "bdata" in values:
        import numpy as np

        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        values = array.tolist()
    result: list[float | None] = []
    for value in values:
        number = None if value is None else float(value)
        result.append(None if number is None or math.isnan(number) else number)
    return result


def label_lines(label: Any) -> list[str]:
    """A plotly label (escaped text, ``<br>`` between lines) as lines of plain text."""
    return [html.unescape(part) for part in str(label).split("<br>")]


def joined(lines: Sequence[str]) -> str:
    """Wrapped lines back into one line ("bottom-" + "up" gives "bottom-up")."""
    text = ""
    for line in lines:
        text += line if not text or text.endswith("-") else " " + line
    return text


def text_width(text: str, size: float) -> float:
    """An estimate of the width of ``text``: generic fonts give no metrics to measure."""
    width = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in "WF":
            width += 1.0
        elif char == " ":
            width += 0.3
        elif char in "iIjl.,:;'|!()[]/-":
            width += 0.33
        elif char in "mwMW":
            width += 0.85
        elif char.isupper() or char.isdigit():
            width += 0.64
        else:
            width += 0.56
    return width * size


def lines_width(lines: Iterable[str], size: float) -> float:
    return max((text_width(line, size) for line in lines), default=0.0)


def wrap_to(text: str, width: float, size: float) -> list[str]:
    """``text`` on as many lines as it needs to fit ``width`` pixels."""
    if text_width(text, size) <= width:
        return [text]
    average = max(text_width(text, size) / max(len(text), 1), 1.0)
    return textwrap.wrap(text, max(int(width / average), 4)) or [text]


def right_to_left(text: str) -> bool:
    """Whether the first letter with a direction is Arabic, Hebrew or another RTL script."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


_MIRRORED = {"start": "end", "end": "start", "middle": "middle"}


def text(x: float, y: float, lines: str | Sequence[str], *, size: float = 13,
         anchor: str = "start", align: str = "middle", fill: str | None = None,
         weight: str | None = None) -> str:
    """A (multi-line) text anchored at ``x``; ``align`` places the block's top, middle or
    bottom at ``y``. Right-to-left text gets its own direction, with the anchor mirrored so
    it stays on the same side of ``x`` (the drawing itself is left to right)."""
    if isinstance(lines, str):
        lines = [lines]
    step = size * LINE_HEIGHT
    block = step * (len(lines) - 1)
    if align == "top":
        first = y + size * 0.8
    elif align == "bottom":
        first = y - block - size * 0.25
    else:
        first = y - block / 2 + size * 0.35
    rtl = any(right_to_left(line) for line in lines)
    effective = _MIRRORED[anchor] if rtl else anchor
    head = attrs(x=float(x), y=float(first), font_size=size if size != 13 else None,
                 text_anchor=None if effective == "start" else effective,
                 direction="rtl" if rtl else None, fill=fill, font_weight=weight)
    if len(lines) == 1:
        return f"<text {head}>{escape(lines[0])}</text>"
    spans = "".join(
        f'<tspan {attrs(x=float(x), dy=None if i == 0 else float(step))}>{escape(line)}</tspan>'
        for i, line in enumerate(lines))
    return f"<text {head}>{spans}</text>"


def dasharray(dash: str | None, width: float) -> str | None:
    """plotly.js's dash patterns, in the same proportions to the line width."""
    unit = max(width, 3.0)
    patterns = {
        "dot": (1, 1), "dash": (3, 3), "longdash": (5, 5),
        "dashdot": (3, 1, 1, 1), "longdashdot": (5, 2, 1, 2),
    }
    if not dash or dash == "solid":
        return None
    if dash in patterns:
        return ",".join(fmt(unit * part) for part in patterns[dash])
    return dash  # already a list of lengths, as plotly also accepts


def marker(symbol: str | None, x: float, y: float, size: float, colour: str) -> str:
    """One marker, as plotly draws it: ``size`` is its diameter."""
    r = size / 2
    if symbol == "square":
        return tag("rect", x=x - r, y=y - r, width=float(size), height=float(size), fill=colour)
    if symbol == "diamond":
        d = r * 1.3
        points = f"M{fmt(x)} {fmt(y - d)}L{fmt(x + d)} {fmt(y)}L{fmt(x)} {fmt(y + d)}L{fmt(x - d)} {fmt(y)}Z"
        return tag("path", d=points, fill=colour)
    if symbol == "triangle-up":
        d = r * 1.2
        points = (f"M{fmt(x)} {fmt(y - d)}L{fmt(x + d * 0.87)} {fmt(y + d / 2)}"
                  f"L{fmt(x - d * 0.87)} {fmt(y + d / 2)}Z")
        return tag("path", d=points, fill=colour)
    if symbol == "triangle-down":
        d = r * 1.2
        points = (f"M{fmt(x)} {fmt(y + d)}L{fmt(x + d * 0.87)} {fmt(y - d / 2)}"
                  f"L{fmt(x - d * 0.87)} {fmt(y - d / 2)}Z")
        return tag("path", d=points, fill=colour)
    if symbol == "x":
        d = r * 0.9
        cross = (f"M{fmt(x - d)} {fmt(y - d)}L{fmt(x + d)} {fmt(y + d)}"
                 f"M{fmt(x - d)} {fmt(y + d)}L{fmt(x + d)} {fmt(y - d)}")
        return tag("path", d=cross, stroke=colour, stroke_width=max(size / 3, 2.0), fill="none")
    return tag("circle", cx=float(x), cy=float(y), r=float(r), fill=colour)


@dataclass(frozen=True)
class LegendItem:
    """What the legend shows for one trace: a line (with its marker) or a filled box."""

    name: str
    colour: str
    dash: str | None = None
    width: float = 2.0
    symbol: str | None = None
    marker_size: float = 0.0
    box_fill: str | None = None  # a bar's fill (a colour or a pattern's url)


SWATCH = 36


def legend(items: Sequence[LegendItem], width: float, top: float,
           size: float = 13) -> tuple[list[str], float]:
    """Legend items in centred rows under the chart: the parts and the height they take."""
    if not items:
        return [], 0.0
    room = width - 20
    placed: list[tuple[LegendItem, list[str], float]] = []
    for item in items:
        lines = wrap_to(item.name, room - SWATCH - 8, size)
        placed.append((item, lines, SWATCH + 8 + lines_width(lines, size)))
    rows: list[list[tuple[LegendItem, list[str], float]]] = [[]]
    used = 0.0
    for entry in placed:
        gap = 20 if rows[-1] else 0
        if rows[-1] and used + gap + entry[2] > room:
            rows.append([])
            used, gap = 0.0, 0
        rows[-1].append(entry)
        used += gap + entry[2]
    parts: list[str] = []
    y = top
    step = size * LINE_HEIGHT
    for row in rows:
        row_height = max(len(lines) for _item, lines, _w in row) * step + 8
        total = sum(w for _item, _lines, w in row) + 20 * (len(row) - 1)
        x = (width - total) / 2
        middle = y + row_height / 2
        for item, lines, item_width in row:
            parts.append(_swatch(item, x, middle))
            parts.append(text(x + SWATCH + 8, middle, lines, size=size))
            x += item_width + 20
        y += row_height
    return parts, y - top


def _swatch(item: LegendItem, x: float, y: float) -> str:
    if item.box_fill is not None:
        return tag("rect", x=x + 6, y=y - 8, width=24.0, height=16.0, fill=item.box_fill)
    line = tag("path", d=f"M{fmt(x)} {fmt(y)}h{SWATCH}", stroke=item.colour, fill="none",
               stroke_width=item.width, stroke_dasharray=dasharray(item.dash, item.width))
    if item.symbol and item.marker_size:
        line += marker(item.symbol, x + SWATCH / 2, y, item.marker_size, item.colour)
    return line


def legend_item(trace: dict[str, Any]) -> LegendItem:
    """A line trace's legend entry, from its plotly ``name``, ``line`` and ``marker``."""
    line = trace.get("line") or {}
    shown_marker = "markers" in str(trace.get("mode", "lines"))
    mark = trace.get("marker") or {}
    return LegendItem(
        name=joined(label_lines(trace.get("name", ""))), colour=line.get("color", INK),
        dash=line.get("dash"), width=float(line.get("width", 2)),
        symbol=mark.get("symbol", "circle") if shown_marker else None,
        marker_size=float(mark.get("size", 6)) if shown_marker else 0.0,
    )


def shown(traces: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The traces drawn at first: one that waits for a click in the legend is not."""
    return [t for t in traces if t.get("visible", True) is True]


def key(categories: Sequence[str], width: float, top: float,
        size: float = 12) -> tuple[list[str], float]:
    """The names of numbered categories, one per line: "1  Promote civic technology"."""
    parts: list[str] = []
    y = top
    step = size * LINE_HEIGHT
    for number, name in enumerate(categories, start=1):
        lines = wrap_to(name, width - 44, size)
        parts.append(text(24, y, str(number), size=size, anchor="end", align="top", weight="700"))
        parts.append(text(32, y, lines, size=size, align="top"))
        y += len(lines) * step + 3
    return parts, y - top


def document(width: float, height: float, title: str, parts: Iterable[str], *, ident: str,
             defs: Sequence[str] = ()) -> Markup:
    """The ``<svg>`` element: scales with its viewBox, named by its ``<title>`` for screen readers.

    No ``xmlns``: inline in HTML the parser puts it in the SVG namespace, and the page keeps
    no address to another site.
    """
    head = attrs(viewBox=f"0 0 {fmt(width)} {fmt(height)}", width=float(width), height=float(height),
                 role="img", aria_labelledby=f"{ident}-title", font_family=SVG_FONT_FAMILY,
                 font_size=13, fill=INK, direction="ltr")
    inner = "".join(parts)
    definitions = f"<defs>{''.join(defs)}</defs>" if defs else ""
    background = tag("rect", width=float(width), height=float(height), fill="#ffffff")
    # Every text and attribute value inside went through escape() in tag(), attrs() and text().
    return Markup(  # nosec B704 # parts are built by this module's escaping writers only
        f'<svg {head}><title id="{escape(ident)}-title">{escape(title)}</title>'
        f"{definitions}{background}{inner}</svg>"
    )
