"""The colours of every chart, and the contrast rules they keep.

Categories (a city, the region, a previous round, up to six compared cities) take the colours
of Okabe and Ito's palette for colour-vision deficiencies ("Color Universal Design", 2008),
keeping only those with a 3:1 contrast against white (WCAG 2.2, 1.4.11, non-text contrast);
the sixth is their yellow at two thirds of its brightness, for the same reason. Lines also
differ by dash and marker, so colour is never the only cue.

Scores on a scale (the heatmap, the city table's bands) take viridis, reversed so that a
higher score reads darker; viridis was designed to stay ordered and evenly spaced in
lightness for the common colour-vision deficiencies and in grey. Text on a coloured cell is
black or white, whichever contrasts more with the cell: for any background one of them
reaches at least 4.58:1 (WCAG 1.4.3 asks 4.5:1).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

INK = "#1b1b1b"
BLACK = "#000000"
WHITE = "#ffffff"

# Okabe and Ito's colours, by their names.
BLUE = "#0072b2"
VERMILLION = "#d55e00"
BLUISH_GREEN = "#009e73"
REDDISH_PURPLE = "#cc79a7"
DARK_YELLOW = "#9e962c"  # their yellow, #f0e442, at 66 % brightness: 3:1 on white

# The colours of up to six series side by side (the compared cities), in order.
SERIES: tuple[str, ...] = (BLUE, VERMILLION, BLUISH_GREEN, REDDISH_PURPLE, BLACK, DARK_YELLOW)

# Viridis (as plotly ships it), from the highest score down to the lowest.
_VIRIDIS = ("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779",
            "#6ece58", "#b5de2b", "#fde725")
SEQUENTIAL: list[list[float | str]] = [
    [round(i / (len(_VIRIDIS) - 1), 4), colour] for i, colour in enumerate(reversed(_VIRIDIS))]

TEXT_CONTRAST = 4.5  # WCAG 1.4.3 for text
GRAPHIC_CONTRAST = 3.0  # WCAG 1.4.11 for lines, bars and markers


def rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as three 0-255 integers."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def luminance(colour: str) -> float:
    """Relative luminance as WCAG defines it (sRGB, 0 for black to 1 for white)."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_text(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    return BLACK if contrast(BLACK, background) >= contrast(WHITE, background) else WHITE


def scale_colour(scale: Sequence[Sequence[object]], fraction: float) -> str:
    """The colour at ``fraction`` (0 to 1) of a plotly colour scale, interpolated in RGB as
    plotly.js does."""
    fraction = min(max(fraction, 0.0), 1.0)
    positions = [float(str(at)) for at, _colour in scale]
    # Only the two colours around ``fraction`` are read: a heatmap mixes hundreds.
    for index, (a, b) in enumerate(itertools.pairwise(positions)):
        if fraction <= b:
            low, high = rgb(str(scale[index][1])), rgb(str(scale[index + 1][1]))
            t = (fraction - a) / ((b - a) or 1)
            mixed = [round(lo + (hi - lo) * t) for lo, hi in zip(low, high, strict=True)]
            return "#{:02x}{:02x}{:02x}".format(*mixed)
    return "#{:02x}{:02x}{:02x}".format(*rgb(str(scale[-1][1])))


def score_colour(score: float, low: float = 0.0, high: float = 100.0) -> str:
    """The sequential scale's colour for ``score``."""
    return scale_colour(SEQUENTIAL, (score - low) / ((high - low) or 1))


def translucent(colour: str, opacity: float) -> str:
    """``colour`` as ``rgba()`` with ``opacity``, for fills under a line."""
    r, g, b = rgb(colour)
    return f"rgba({r},{g},{b},{opacity:g})"


# The city table's four bands of the 0-100 scale: the colour at the middle of each band.
BANDS = 4


def band_colours() -> list[tuple[str, str]]:
    """(background, text) of each band, lowest first."""
    colours = []
    for band in range(BANDS):
        background = score_colour((band + 0.5) * 100 / BANDS)
        colours.append((background, readable_text(background)))
    return colours


def band_styles() -> str:
    """CSS for the city table's bands (``heat-0`` to ``heat-3``), from the same scale as the
    heatmap, so the table and the chart never disagree."""
    rules = [f".heat-{band} {{ background: {background}; color: {text}; }} "
             f".heat-{band} a {{ color: {text}; }}"
             for band, (background, text) in enumerate(band_colours())]
    return "\n".join(rules)
