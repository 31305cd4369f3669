"""A strip: where one value sits in a spread of others, on the 0-100 scale of scores, as SVG.

The whisker runs from the lowest to the highest of the others, the box over their middle half
(lower to upper quartile), a dark line marks their median and a diamond the value itself. It is
small enough for a table cell; the numbers it draws are in the cells beside it, and its title
says them for screen readers. Drawn from numbers, not from a plotly figure: it has nothing to
offer interactively.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from assessment.charts.svg import GRID, INK, document, fmt, marker, tag

STRIP_WIDTH = 240.0
STRIP_HEIGHT = 30.0
PAD = 8.0  # room at both ends, so a diamond at 0 or 100 is drawn whole


@dataclass(frozen=True)
class Spread:
    """Five numbers of a spread on the 0-100 scale."""

    low: float
    q1: float
    median: float
    q3: float
    high: float


def strip_svg(spread: Spread, value: float | None, *, title: str, ident: str, spread_colour: str,
              value_colour: str, width: float = STRIP_WIDTH, height: float = STRIP_HEIGHT) -> Markup:
    """The strip of ``spread`` with ``value`` marked (no mark when it is None), named ``title``."""
    middle = height / 2

    def x(score: float) -> float:
        return PAD + (width - 2 * PAD) * min(max(score, 0.0), 100.0) / 100

    box = height * 0.5
    parts = [
        # The scale: a hairline from 0 to 100 with a tick at every quarter.
        tag("path", d=f"M{fmt(x(0))} {fmt(middle)}H{fmt(x(100))}"
                      + "".join(f"M{fmt(x(t))} {fmt(middle + 4)}v4" for t in (0, 25, 50, 75, 100)),
            stroke=GRID, stroke_width=1.0),
        tag("path", d=f"M{fmt(x(spread.low))} {fmt(middle)}H{fmt(x(spread.high))}"
                      f"M{fmt(x(spread.low))} {fmt(middle - box / 3)}v{fmt(box * 2 / 3)}"
                      f"M{fmt(x(spread.high))} {fmt(middle - box / 3)}v{fmt(box * 2 / 3)}",
            stroke=spread_colour, stroke_width=2.0),
        tag("rect", x=x(spread.q1), y=middle - box / 2, width=max(x(spread.q3) - x(spread.q1), 1.0),
            height=box, fill="#ffffff", stroke=spread_colour, stroke_width=2.0),
        tag("path", d=f"M{fmt(x(spread.median))} {fmt(middle - box / 2)}v{fmt(box)}", stroke=INK,
            stroke_width=2.5),
    ]
    if value is not None:
        # A white outline keeps the diamond apart from the line it sits on.
        parts.append(marker("diamond", x(value), middle, 13.0, "#ffffff"))
        parts.append(marker("diamond", x(value), middle, 10.0, value_colour))
    return document(width, height, title, parts, ident=ident)
