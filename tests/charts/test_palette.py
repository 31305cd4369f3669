"""The colours are readable: text on every cell reaches 4.5:1, lines and bars 3:1 on white, and
the compared cities' colours stay apart for the three colour-vision deficiencies."""

from __future__ import annotations

import itertools
import math

import pytest

from assessment.charts import palette
from assessment.dashboard.charts import text_colour

# Machado, Oliveira and Fernandes (2009), severity 1: linear RGB as a dichromat sees it.
DICHROMACY = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def linear(colour: str) -> list[float]:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    return [channel(v) for v in palette.rgb(colour)]


def lab(rgb_linear: list[float]) -> tuple[float, float, float]:
    """CIELAB (D65) of a linear sRGB colour."""
    r, g, b = (min(max(v, 0.0), 1.0) for v in rgb_linear)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def seen(colour: str, matrix) -> tuple[float, float, float]:
    rgb_linear = linear(colour)
    return lab([sum(m * v for m, v in zip(row, rgb_linear, strict=True)) for row in matrix])


def test_the_contrast_ratio_is_wcags() -> None:
    assert palette.contrast(palette.BLACK, palette.WHITE) == pytest.approx(21.0)
    assert palette.contrast("#767676", palette.WHITE) == pytest.approx(4.54, abs=0.01)
    assert palette.contrast(palette.BLUE, palette.BLUE) == pytest.approx(1.0)


@pytest.mark.parametrize("colour", [*palette.SERIES, palette.INK])
def test_every_line_and_bar_colour_reaches_3_to_1_on_white(colour) -> None:
    assert palette.contrast(colour, palette.WHITE) >= 3.0  # WCAG 1.4.11, non-text contrast


def test_every_number_on_the_heatmap_reaches_4_5_to_1_on_its_cell() -> None:
    worst = min(palette.contrast(text_colour(score), palette.score_colour(score))
                for score in (s / 10 for s in range(0, 1001)))
    assert worst >= 4.5, worst  # WCAG 1.4.3, text contrast


def test_the_city_tables_bands_keep_their_text_readable() -> None:
    for background, text in palette.band_colours():
        assert palette.contrast(background, text) >= 4.5
    assert ".heat-0 {" in palette.band_styles() and ".heat-3 a {" in palette.band_styles()


def test_a_higher_score_is_darker_on_the_scale() -> None:
    # Ordered in lightness, the scale reads the same in grey and for every deficiency.
    lightness = [palette.luminance(palette.score_colour(score)) for score in range(0, 101, 5)]
    assert lightness == sorted(lightness, reverse=True)
    for matrix in DICHROMACY.values():
        seen_lightness = [seen(palette.score_colour(score), matrix)[0] for score in range(0, 101, 10)]
        assert seen_lightness == sorted(seen_lightness, reverse=True)


@pytest.mark.parametrize("deficiency", sorted(DICHROMACY))
def test_the_series_colours_stay_apart_for_colour_vision_deficiencies(deficiency) -> None:
    matrix = DICHROMACY[deficiency]
    # CIELAB distance 10 is well above the just-noticeable difference (about 2.3); the lines
    # differ by dash and marker too, so colour is never the only cue.
    for first, second in itertools.combinations(palette.SERIES, 2):
        distance = math.dist(seen(first, matrix), seen(second, matrix))
        assert distance >= 10, (deficiency, first, second, round(distance, 1))


def test_the_dashboards_named_colours_are_the_palettes() -> None:
    from assessment.charts import CITY_COLOUR, PREVIOUS_COLOUR, REGION_COLOUR
    assert {CITY_COLOUR, REGION_COLOUR, PREVIOUS_COLOUR} <= set(palette.SERIES)
