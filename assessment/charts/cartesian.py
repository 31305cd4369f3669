"""Box, bar, heatmap and line charts (plotly ``box``, ``bar``, ``heatmap`` and ``scatter``
traces) drawn as SVG.

Only what the app's figures use: horizontal boxes, with every point shown or computed
beforehand; grouped vertical bars (with plotly's "/" pattern); a heatmap with a number in each
cell and a colour bar; lines with markers over categories, with vertical marker lines.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup, escape

from assessment.charts.palette import readable_text, scale_colour
from assessment.charts.svg import (
    AXIS,
    INK,
    MUTED,
    LegendItem,
    attrs,
    dasharray,
    document,
    fmt,
    joined,
    key,
    label_lines,
    legend,
    legend_item,
    lines_width,
    marker,
    numbers,
    shown,
    tag,
    text,
    wrap_to,
)

MARGIN = 10.0
TICK_SIZE = 12.0
CATEGORY_SIZE = 12.0


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round tick values from ``low`` to ``high``: steps of 1, 2 or 5 times a power of ten."""
    span = (high - low) or 1.0
    for factor in (1, 2, 5, 10):
        step = factor * 10 ** math.floor(math.log10(span / most))
        if span / step <= most:
            break
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def _axis_range(axis: dict[str, Any], values: Sequence[float]) -> tuple[float, float]:
    given = axis.get("range")
    if given and len(given) == 2:
        return float(given[0]), float(given[1])
    return min([0.0, *values]), max([1.0, *values])


def _title(axis: dict[str, Any]) -> str:
    title = axis.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return joined(label_lines(title)) if title else ""


def _category_labels(labels: Sequence[Any], numbered: bool, width: float,
                     size: float = CATEGORY_SIZE) -> list[list[str]]:
    """Each category's label fitted to ``width`` px, or its number."""
    if numbered:
        return [[str(n)] for n in range(1, len(labels) + 1)]
    return [wrap_to(joined(label_lines(label)), width, size) for label in labels]


def _key(labels: Sequence[Any], width: float, y: float) -> tuple[list[str], float]:
    return key([joined(label_lines(label)) for label in labels], width, y)


def _value_axis_x(parts: list[str], ticks: Sequence[float], scale: Any, top: float, bottom: float,
                  gridcolor: str) -> None:
    """Vertical grid lines and their values under the plot, for a horizontal value axis."""
    for tick in ticks:
        x = scale(tick)
        parts.append(tag("path", d=f"M{fmt(x)} {fmt(top)}V{fmt(bottom)}", stroke=gridcolor))
        parts.append(text(x, bottom + 4, fmt(tick), size=TICK_SIZE, anchor="middle", align="top",
                          fill=MUTED))


def box_svg(data: list[dict[str, Any]], layout: dict[str, Any], *, width: float, title: str,
            ident: str, numbered: bool = False) -> Markup:
    """One horizontal box per trace, first trace on top, every value drawn as a point."""
    traces = shown(t for t in data if t.get("type") == "box")
    xaxis = layout.get("xaxis") or {}
    values = [[v for v in numbers(t.get("x")) if v is not None] for t in traces]
    low, high = _axis_range(xaxis, [v for row in values for v in row])
    ticks = [float(v) for v in xaxis.get("tickvals") or nice_ticks(low, high)]
    names = [t.get("name", "") for t in traces]

    column = 28.0 if numbered else min(width * 0.4, 190.0)
    labels = _category_labels(names, numbered, column - 8)
    step = CATEGORY_SIZE * 1.25
    heights = [max(44.0, len(lines) * step + 16) for lines in labels]
    left = MARGIN + column
    right = width - 20
    top = MARGIN
    bottom = top + sum(heights)

    def sx(value: float) -> float:
        return left + (right - left) * (value - low) / ((high - low) or 1)

    parts: list[str] = []
    _value_axis_x(parts, ticks, sx, top, bottom, str(xaxis.get("gridcolor", "#e5e9ee")))
    y = top
    # plotly puts the first trace at the bottom unless the axis is reversed, as the app's is.
    order = range(len(traces)) if (layout.get("yaxis") or {}).get("autorange") == "reversed" \
        else range(len(traces) - 1, -1, -1)
    rows = [(traces[i], values[i], labels[i], heights[i]) for i in order]
    for trace, row, lines, height in rows:
        middle = y + height / 2
        parts.append(text(left - 8, middle, lines, size=CATEGORY_SIZE, anchor="end"))
        if row or _given_stats(trace):
            parts.extend(_box(trace, row, sx, middle, min(height * 0.55, 30.0)))
        y += height
    parts.append(tag("path", d=f"M{fmt(left)} {fmt(bottom)}H{fmt(right)}", stroke=AXIS))
    y = bottom + TICK_SIZE * 1.25 + 8
    axis_title = _title(xaxis)
    if axis_title:
        parts.append(text((left + right) / 2, y, axis_title, anchor="middle", align="top"))
        y += 13 * 1.25 + 6
    if numbered:
        key_parts, key_height = _key(names, width, y + 4)
        parts.extend(key_parts)
        y += key_height + 4
    return document(width, y + MARGIN, title, parts, ident=ident)


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """Lower quartile, median, upper quartile, interpolated linearly (as pandas and plotly do)."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def _given_stats(trace: dict[str, Any]) -> tuple[float, float, float, float, float] | None:
    """A box computed beforehand (plotly's ``q1``, ``median``, ``q3``, ``lowerfence`` and
    ``upperfence``, one box per trace), or None for a box plotly computes from its values."""
    names = ("lowerfence", "q1", "median", "q3", "upperfence")
    found = [numbers(trace.get(name))[:1] for name in names]
    if not all(found) or any(value[0] is None for value in found):
        return None
    low, q1, median, q3, high = (float(value[0] or 0) for value in found)
    return low, q1, median, q3, high


def _box(trace: dict[str, Any], values: list[float], sx: Any, middle: float,
         height: float) -> list[str]:
    line = trace.get("line") or {}
    stroke = str(line.get("color", INK))
    given = _given_stats(trace)
    if given is not None:
        low, q1, median, q3, high = given
    else:
        q1, median, q3 = quartiles(values)
        reach = 1.5 * (q3 - q1)
        low = min(v for v in values if v >= q1 - reach)
        high = max(v for v in values if v <= q3 + reach)
    top, half = middle - height / 2, height / 4
    parts = [
        # The whiskers, each with its cap.
        tag("path", d=f"M{fmt(sx(low))} {fmt(middle)}H{fmt(sx(q1))}"
                      f"M{fmt(sx(q3))} {fmt(middle)}H{fmt(sx(high))}"
                      f"M{fmt(sx(low))} {fmt(middle - half)}V{fmt(middle + half)}"
                      f"M{fmt(sx(high))} {fmt(middle - half)}V{fmt(middle + half)}",
            stroke=stroke, stroke_width=2.0),
        tag("rect", class_="box", x=sx(q1), y=top, width=max(sx(q3) - sx(q1), 1.0), height=height,
            fill=str(trace.get("fillcolor", "none")), stroke=stroke, stroke_width=2.0),
        tag("path", class_="median", d=f"M{fmt(sx(median))} {fmt(top)}v{fmt(height)}",
            stroke=stroke, stroke_width=2.0),
    ]
    if trace.get("boxpoints") == "all" and values:
        mark = trace.get("marker") or {}
        jitter = float(trace.get("jitter", 0))
        # Spread the points over the box's height, the same way at every drawing.
        d = "".join(
            f"M{fmt(sx(v))} {fmt(middle + ((i * 0.618034) % 1 - 0.5) * jitter * height)}h0"
            for i, v in enumerate(values))
        # Each point a dot: a line of no length with round ends, a dozen bytes per city.
        parts.append(tag("path", class_="points", d=d, stroke=str(mark.get("color", stroke)),
                         stroke_width=float(mark.get("size", 6)), stroke_linecap="round",
                         stroke_opacity=mark.get("opacity"), fill="none"))
    return parts


def bar_svg(data: list[dict[str, Any]], layout: dict[str, Any], *, width: float, title: str,
            ident: str, numbered: bool = False) -> Markup:
    """Grouped vertical bars: one group per category, one bar per trace."""
    traces = shown(t for t in data if t.get("type") == "bar")
    yaxis = layout.get("yaxis") or {}
    categories = [str(c) for c in (traces[0].get("x") or [])] if traces else []
    series = [dict(zip([str(c) for c in t.get("x") or []], numbers(t.get("y")), strict=False))
              for t in traces]
    low, high = _axis_range(yaxis, [v for s in series for v in s.values() if v is not None])
    ticks = nice_ticks(low, high)
    axis_title = _title(yaxis)

    left = MARGIN + (18 if axis_title else 0) + max(
        (lines_width([fmt(t)], TICK_SIZE) for t in ticks), default=0) + 8
    right = width - 16
    top = MARGIN + 6
    plot = 220.0 if numbered else 260.0
    bottom = top + plot
    band = (right - left) / max(len(categories), 1)
    labels = _category_labels(categories, numbered, band - 6)

    def sy(value: float) -> float:
        return bottom - plot * (value - low) / ((high - low) or 1)

    defs: list[str] = []
    fills = []
    for i, trace in enumerate(traces):
        mark = trace.get("marker") or {}
        colour = str(mark.get("color", INK))
        if (mark.get("pattern") or {}).get("shape") == "/":
            pattern_id = f"{ident}-hatch{i}"
            pattern = attrs(id=pattern_id, width=8, height=8, patternUnits="userSpaceOnUse",
                            patternTransform="rotate(45)")
            defs.append(f"<pattern {pattern}>" + tag("rect", width=8, height=8, fill=colour)
                        + tag("path", d="M2 0V8", stroke="#ffffff", stroke_width=2.0) + "</pattern>")
            fills.append(f"url(#{pattern_id})")
        else:
            fills.append(colour)

    parts = _value_axis(ticks, sy, left, right, top, bottom, yaxis, axis_title)
    group = band * 0.8
    bar = group / max(len(traces), 1)
    for i, (values, fill) in enumerate(zip(series, fills, strict=True)):
        bars = []
        for j, category in enumerate(categories):
            value = values.get(category)
            if value is None:
                continue
            x = left + band * j + (band - group) / 2 + bar * i
            y = sy(max(min(value, high), low))
            bars.append(tag("rect", class_="bar", x=x, y=y, width=bar, height=max(bottom - y, 0.0),
                            fill=fill))
        parts.append("<g>" + "".join(bars) + "</g>")
    parts.append(tag("path", d=f"M{fmt(left)} {fmt(bottom)}H{fmt(right)}", stroke=AXIS))
    label_height = 0.0
    for j, lines in enumerate(labels):
        parts.append(text(left + band * (j + 0.5), bottom + 6, lines, size=CATEGORY_SIZE,
                          anchor="middle", align="top"))
        label_height = max(label_height, len(lines) * CATEGORY_SIZE * 1.25)
    y = bottom + 6 + label_height + 12
    items = [LegendItem(name=joined(label_lines(t.get("name", ""))), colour=fill, box_fill=fill)
             for t, fill in zip(traces, fills, strict=True)]
    legend_parts, legend_height = legend(items, width, y)
    parts.extend(legend_parts)
    y += legend_height
    if numbered:
        key_parts, key_height = _key(categories, width, y + 6)
        parts.extend(key_parts)
        y += key_height + 6
    return document(width, y + MARGIN, title, parts, ident=ident, defs=defs)


def heatmap_svg(data: list[dict[str, Any]], layout: dict[str, Any], *, width: float, title: str,
                ident: str, numbered: bool = False) -> Markup:
    """A row per ``y``, a column per ``x``, each cell in the colour of its value with its text.

    Several heatmap traces on the same rows and columns are drawn over each other, each
    filling its own cells: the app splits a heatmap in two so that each trace's text has one
    colour (``textfont.color``, which plotly.js takes per trace), black on light cells and
    white on dark ones. A trace without a text colour gets the more readable of the two.
    """
    layers = [t for t in data if t.get("type") == "heatmap"]
    trace = layers[0]
    columns = [str(c) for c in trace.get("x") or []]
    rows = [joined(label_lines(r)) for r in trace.get("y") or []]
    scale = trace.get("colorscale") or [[0, "#f7fbff"], [1, "#08306b"]]
    zmin, zmax = float(trace.get("zmin", 0)), float(trace.get("zmax", 100))
    xgap, ygap = float(trace.get("xgap", 0)), float(trace.get("ygap", 0))

    bar_width = float((trace.get("colorbar") or {}).get("thickness", 14))
    colourbar = bar_width + 8 + lines_width([fmt(zmax)], TICK_SIZE) + 6
    column = min(width * 0.36, max((lines_width([r], CATEGORY_SIZE) for r in rows), default=0) + 8)
    row_labels = [wrap_to(r, column - 8, CATEGORY_SIZE)[:2] for r in rows]
    step = CATEGORY_SIZE * 1.25
    heights = [max(28.0, len(lines) * step + 8) for lines in row_labels]
    left = MARGIN + column
    right = width - MARGIN - colourbar - 8
    top = MARGIN + 18  # room for the colour bar's title
    cell = (right - left) / max(len(columns), 1)
    labels = _category_labels(columns, numbered, cell - 4, 11.0 if not numbered else CATEGORY_SIZE)

    parts: list[str] = []
    order = range(len(rows)) if (layout.get("yaxis") or {}).get("autorange") == "reversed" \
        else range(len(rows) - 1, -1, -1)
    tops: dict[int, float] = {}
    y = top
    for i in order:
        tops[i] = y
        parts.append(text(left - 8, y + heights[i] / 2, row_labels[i], size=CATEGORY_SIZE,
                          anchor="end"))
        y += heights[i]
    fills: dict[float, str] = {}  # scores repeat: each colour is mixed once
    # A page's heatmap has hundreds of cells, drawn for wide screens and for phones: each
    # cell's rectangle and number are written here as tag() and text() would write them.
    rect_x = [fmt(left + cell * j + xgap / 2) for j in range(len(columns))]
    text_x = [fmt(left + cell * j + cell / 2) for j in range(len(columns))]
    rect_width, font_size = fmt(cell - xgap), fmt(CATEGORY_SIZE)
    for layer in layers:
        z = [numbers(row) for row in layer.get("z") or []]
        cell_text = layer.get("text") or [[("" if v is None else fmt(v)) for v in row] for row in z]
        text_colour = (layer.get("textfont") or {}).get("color")
        for i, row in enumerate(z):
            if i not in tops:
                continue
            height = heights[i]
            head = f'y="{fmt(tops[i] + ygap / 2)}" width="{rect_width}" height="{fmt(height - ygap)}"'
            text_y = fmt(tops[i] + height / 2 + CATEGORY_SIZE * 0.35)
            for j, value in enumerate(row):
                if value is None:
                    continue
                fill = fills.get(value)
                if fill is None:
                    fill = fills[value] = scale_colour(scale, (value - zmin) / ((zmax - zmin) or 1))
                parts.append(f'<rect class="cell" x="{rect_x[j]}" {head} fill="{escape(fill)}"/>')
                label = str(cell_text[i][j]) if i < len(cell_text) and j < len(cell_text[i]) else ""
                if not label:
                    continue
                colour = escape(str(text_colour or readable_text(fill)))
                if label.isascii():  # a number: no right-to-left text to mirror
                    parts.append(f'<text x="{text_x[j]}" y="{text_y}" font-size="{font_size}" '
                                 f'text-anchor="middle" fill="{colour}">{escape(label)}</text>')
                else:
                    parts.append(text(left + cell * j + cell / 2, tops[i] + height / 2, label,
                                      size=CATEGORY_SIZE, anchor="middle", fill=str(colour)))
    bottom = y
    label_height = 0.0
    for j, lines in enumerate(labels):
        size = CATEGORY_SIZE if numbered else 11.0
        parts.append(text(left + cell * (j + 0.5), bottom + 6, lines, size=size, anchor="middle",
                          align="top"))
        label_height = max(label_height, len(lines) * size * 1.25)

    # The colour bar: the scale from zmin (bottom) to zmax (top), with its title above.
    gradient_id = f"{ident}-scale"
    stops = "".join(tag("stop", offset=str(at), stop_color=str(colour)) for at, colour in scale)
    defs = [f"<linearGradient {attrs(id=gradient_id, x1=0, y1=1, x2=0, y2=0)}>{stops}</linearGradient>"]
    bar_left = width - MARGIN - colourbar
    bar_bottom = max(bottom, top + 120)
    parts.append(tag("rect", x=bar_left, y=float(top), width=bar_width, height=bar_bottom - top,
                     fill=f"url(#{gradient_id})", stroke=AXIS))
    colorbar_title = _title(trace.get("colorbar") or {})
    if colorbar_title:
        parts.append(text(bar_left, top - 6, colorbar_title, size=TICK_SIZE, align="bottom"))
    for tick in nice_ticks(zmin, zmax, 5):
        ty = bar_bottom - (bar_bottom - top) * (tick - zmin) / ((zmax - zmin) or 1)
        parts.append(text(bar_left + bar_width + 6, ty, fmt(tick), size=TICK_SIZE, fill=MUTED))

    y = max(bottom + 6 + label_height, bar_bottom) + 8
    if numbered:
        key_parts, key_height = _key(columns, width, y + 4)
        parts.extend(key_parts)
        y += key_height + 4
    return document(width, y + MARGIN, title, parts, ident=ident, defs=defs)


def line_svg(data: list[dict[str, Any]], layout: dict[str, Any], *, width: float, title: str,
             ident: str, numbered: bool = False) -> Markup:
    """Lines over categories (plotly ``scatter`` traces on a category x axis), with markers.

    A missing value (``None``) leaves a gap. Vertical lines the layout draws across the plot
    (``shapes`` of type ``line`` from ``y0`` 0 to ``y1`` 1 on the paper, at a category's
    position: plotly numbers categories from 0) mark an event between two categories, with
    the layout's ``annotations`` at their top.
    """
    traces = shown(t for t in data if t.get("type", "scatter") == "scatter")
    yaxis = layout.get("yaxis") or {}
    categories: list[str] = []
    for trace in traces:
        for category in trace.get("x") or []:
            if str(category) not in categories:
                categories.append(str(category))
    values = [v for t in traces for v in numbers(t.get("y")) if v is not None]
    low, high = _axis_range(yaxis, values)
    ticks = [float(v) for v in yaxis.get("tickvals") or nice_ticks(low, high)]
    axis_title = _title(yaxis)
    annotations = [a for a in layout.get("annotations") or [] if a.get("text")]

    left = MARGIN + (18 if axis_title else 0) + max(
        (lines_width([fmt(t)], TICK_SIZE) for t in ticks), default=0) + 8
    right = width - 16
    top = MARGIN + 6 + (TICK_SIZE * 1.25 * 2 + 4 if annotations else 0)
    plot = 200.0 if numbered else 240.0
    bottom = top + plot
    band = (right - left) / max(len(categories), 1)
    labels = _category_labels(categories, numbered, band - 4)

    def sx(position: float) -> float:
        return left + band * (position + 0.5)

    def sy(value: float) -> float:
        return bottom - plot * (min(max(value, low), high) - low) / ((high - low) or 1)

    parts = _value_axis(ticks, sy, left, right, top, bottom, yaxis, axis_title)
    for shape in layout.get("shapes") or []:
        if shape.get("type") != "line" or shape.get("x0") is None:
            continue
        line = shape.get("line") or {}
        x = sx(float(shape["x0"]))
        parts.append(tag("path", class_="marker-line", d=f"M{fmt(x)} {fmt(top)}V{fmt(bottom)}",
                         stroke=str(line.get("color", AXIS)), stroke_width=float(line.get("width", 1)),
                         stroke_dasharray=dasharray(line.get("dash"), float(line.get("width", 1)))))
    for note in annotations:
        if note.get("x") is None:
            continue
        x = sx(float(note["x"]))
        lines = wrap_to(joined(label_lines(note["text"])), max(band * 1.8, 60.0), TICK_SIZE)[:2]
        parts.append(text(x + 3, top - 2, lines, size=TICK_SIZE, align="bottom", fill=MUTED))

    index = {c: i for i, c in enumerate(categories)}
    for trace in traces:
        line = trace.get("line") or {}
        colour = str(line.get("color", INK))
        stroke = float(line.get("width", 2))
        segments: list[list[tuple[float, float]]] = [[]]
        for category, value in zip(trace.get("x") or [], numbers(trace.get("y")), strict=False):
            if value is None or str(category) not in index:
                if segments[-1]:
                    segments.append([])
                continue
            segments[-1].append((sx(index[str(category)]), sy(value)))
        segments = [s for s in segments if s]
        d = "".join("M" + "L".join(f"{fmt(x)} {fmt(y)}" for x, y in segment) for segment in segments)
        if d and "lines" in str(trace.get("mode", "lines")):
            parts.append(tag("path", class_="line", d=d, fill="none", stroke=colour, stroke_width=stroke,
                             stroke_dasharray=dasharray(line.get("dash"), stroke),
                             stroke_linejoin="round"))
        if "markers" in str(trace.get("mode", "lines")):
            mark = trace.get("marker") or {}
            symbol, size = mark.get("symbol", "circle"), float(mark.get("size", 6))
            parts.extend(marker(symbol, x, y, size, colour) for segment in segments for x, y in segment)
    parts.append(tag("path", d=f"M{fmt(left)} {fmt(bottom)}H{fmt(right)}", stroke=AXIS))
    label_height = 0.0
    for j, lines in enumerate(labels):
        parts.append(text(sx(j), bottom + 6, lines, size=CATEGORY_SIZE, anchor="middle", align="top"))
        label_height = max(label_height, len(lines) * CATEGORY_SIZE * 1.25)
    y = bottom + 6 + label_height + 12
    legend_parts, legend_height = legend([legend_item(t) for t in traces], width, y)
    parts.extend(legend_parts)
    y += legend_height
    if numbered:
        key_parts, key_height = _key(categories, width, y + 6)
        parts.extend(key_parts)
        y += key_height + 6
    return document(width, y + MARGIN, title, parts, ident=ident)


def _value_axis(ticks: Sequence[float], sy: Callable[[float], float], left: float, right: float,
                top: float, bottom: float, yaxis: dict[str, Any], axis_title: str) -> list[str]:
    """The gridlines and tick labels of a vertical value axis, and its title turned upright."""
    parts: list[str] = []
    for tick in ticks:
        y = sy(tick)
        parts.append(tag("path", d=f"M{fmt(left)} {fmt(y)}H{fmt(right)}",
                         stroke=str(yaxis.get("gridcolor", "#e5e9ee"))))
        parts.append(text(left - 6, y, fmt(tick), size=TICK_SIZE, anchor="end", fill=MUTED))
    if axis_title:
        middle = (top + bottom) / 2
        parts.append(f'<g transform="translate({fmt(MARGIN + 10)} {fmt(middle)}) rotate(-90)">'
                     + text(0, 0, axis_title, anchor="middle") + "</g>")
    return parts
