"""A radar chart (plotly ``scatterpolar`` traces) drawn as SVG: simple geometry round a centre."""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup

from assessment.charts.svg import (
    AXIS,
    GRID,
    MUTED,
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
)

LABEL_GAP = 10.0


def radar_svg(data: list[dict[str, Any]], layout: dict[str, Any], *, width: float, title: str,
              ident: str, numbered: bool = False) -> Markup:
    """Every shown ``scatterpolar`` trace of the figure round one set of category axes.

    The axis labels are the categories (``theta``), or the ``ticktext`` the layout gives
    them (the phone layout numbers them). ``numbered`` numbers the axes and lists the names
    in a key under the chart.
    """
    polar = layout.get("polar") or {}
    angular = polar.get("angularaxis") or {}
    radial = polar.get("radialaxis") or {}
    traces = shown(t for t in data if t.get("type") == "scatterpolar")
    categories = _categories(data)
    count = len(categories)
    size = float((angular.get("tickfont") or {}).get("size") or (layout.get("font") or {}).get("size", 13))

    ticktext = dict(zip(angular.get("tickvals") or [], angular.get("ticktext") or [], strict=False))
    if numbered:
        labels = [[str(n)] for n in range(1, count + 1)]
        size = max(size, 15.0)
    else:
        labels = [label_lines(ticktext.get(c, c)) for c in categories]

    low, high = (radial.get("range") or [0, 100])[:2]
    ticks = radial.get("tickvals") or [low + (high - low) * i / 4 for i in range(5)]
    rotation = float(angular.get("rotation", 90))
    clockwise = angular.get("direction", "counterclockwise") == "clockwise"
    step = 360.0 / max(count, 1)
    angles = [math.radians(rotation + (-1 if clockwise else 1) * i * step) for i in range(count)]

    margin = 8.0
    line_step = size * 1.25
    boxes = [(lines_width(lines, size), len(lines) * line_step) for lines in labels]
    # The largest circle that leaves room for every label beside its axis end.
    radius = min(width / 2 - margin - 20, 210.0)
    for angle, (label_width, _height) in zip(angles, boxes, strict=True):
        c = math.cos(angle)
        if abs(c) > 0.2:
            radius = min(radius, (width / 2 - margin - label_width) / abs(c) - LABEL_GAP)
    radius = max(radius, 60.0)

    def reach(direction: float) -> float:
        # How far the labels stand out above (direction 1) or below (-1) the centre.
        extent = radius + 14
        for angle, (_w, height) in zip(angles, boxes, strict=True):
            s = math.sin(angle) * direction
            along = (radius + LABEL_GAP) * s
            extent = max(extent, along + (height if s > 0.2 else height / 2))
        return extent

    top = reach(1) + margin
    cx, cy = width / 2, top
    parts: list[str] = []

    def point(value: float, angle: float) -> tuple[float, float]:
        rho = radius * (value - low) / ((high - low) or 1)
        return cx + rho * math.cos(angle), cy - rho * math.sin(angle)

    for tick in ticks:
        if tick <= low:
            continue
        rho = radius * (tick - low) / ((high - low) or 1)
        colour = AXIS if tick >= high else str(radial.get("gridcolor", GRID))
        parts.append(tag("circle", cx=cx, cy=cy, r=rho, fill="none", stroke=colour))
    spokes = "".join(f"M{fmt(cx)} {fmt(cy)}L{fmt(x)} {fmt(y)}"
                     for x, y in (point(high, a) for a in angles))
    if spokes:
        parts.append(tag("path", d=spokes, stroke=str(angular.get("gridcolor", GRID)), fill="none"))

    for trace in traces:
        parts.extend(_trace(trace, categories, angles, point))

    # Radial ticks beside the vertical spoke, just inside their circle (clear of the label
    # above it), over the lines so they stay readable.
    tick_size = float((radial.get("tickfont") or {}).get("size", 11))
    for tick in ticks:
        x, y = point(tick, math.radians(90))
        parts.append(text(x + 4, y + (2 if tick > low else -2), fmt(tick), size=tick_size,
                          fill=MUTED, align="top" if tick > low else "bottom"))

    for angle, lines, (_w, _h) in zip(angles, labels, boxes, strict=True):
        c, s = math.cos(angle), math.sin(angle)
        x = cx + (radius + LABEL_GAP) * c
        y = cy - (radius + LABEL_GAP) * s
        anchor = "start" if c > 0.2 else "end" if c < -0.2 else "middle"
        align = "bottom" if s > 0.2 else "top" if s < -0.2 else "middle"
        parts.append(text(x, y, lines, size=size, anchor=anchor, align=align))

    y = cy + reach(-1) + 12
    if numbered:
        names = [joined(label_lines(c)) for c in categories]
        key_parts, key_height = key(names, width, y)
        parts.extend(key_parts)
        y += key_height + 8
    legend_parts, legend_height = legend([legend_item(t) for t in traces], width, y)
    parts.extend(legend_parts)
    return document(width, y + legend_height + margin, title, parts, ident=ident)


def _categories(data: list[dict[str, Any]]) -> list[str]:
    """The axes, in order: the first trace's ``theta`` without the point that closes the loop."""
    for trace in data:
        theta = list(trace.get("theta") or [])
        if len(theta) > 1 and theta[-1] == theta[0]:
            theta = theta[:-1]
        if theta:
            return [str(t) for t in theta]
    return []


def _trace(trace: dict[str, Any], categories: list[str], angles: list[float], point: Any) -> list[str]:
    """A line with its fill and markers; a missing value (``None``) leaves a gap."""
    index = {c: i for i, c in enumerate(categories)}
    line = trace.get("line") or {}
    colour = str(line.get("color", "#000000"))
    width = float(line.get("width", 2))
    segments: list[list[tuple[float, float]]] = [[]]
    dots: list[tuple[float, float]] = []
    for value, category in zip(numbers(trace.get("r")), trace.get("theta") or [], strict=False):
        if value is None or str(category) not in index:
            if segments[-1]:
                segments.append([])
            continue
        xy = point(value, angles[index[str(category)]])
        segments[-1].append(xy)
        dots.append(xy)
    segments = [s for s in segments if s]
    parts: list[str] = []
    if trace.get("fill") == "toself":
        for segment in segments:
            if len(segment) >= 3:
                points = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in segment)
                parts.append(tag("polygon", points=points, fill=str(trace.get("fillcolor", "none"))))
    d = "".join("M" + "L".join(f"{fmt(x)} {fmt(y)}" for x, y in segment) for segment in segments)
    if d:
        parts.append(tag("path", class_="line", d=d, fill="none", stroke=colour, stroke_width=width,
                         stroke_dasharray=dasharray(line.get("dash"), width), stroke_linejoin="round"))
    if "markers" in str(trace.get("mode", "lines")):
        mark = trace.get("marker") or {}
        symbol, size = mark.get("symbol", "circle"), float(mark.get("size", 6))
        seen: set[tuple[float, float]] = set()
        for xy in dots:
            rounded = (round(xy[0], 1), round(xy[1], 1))
            if rounded not in seen:  # the closing point sits on the first one
                seen.add(rounded)
                parts.append(marker(symbol, xy[0], xy[1], size, colour))
    return parts
