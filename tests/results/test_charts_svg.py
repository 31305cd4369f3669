"""The radar chart drawn as SVG: valid, self-contained XML, one line per series at the figure's
numbers, text from people escaped, phones and right-to-left labels taken care of."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from assessment.auth.models import Role
from assessment.charts import CITY_COLOUR, REGION_COLOUR, TARGET_COLOUR, figure_payload, figure_svg
from assessment.charts.svg import fmt, right_to_left, text
from assessment.results.charts import radar_chart, radar_figure

LABELS = ["1. Promote civic\ntechnology", "2. Manage firms", "3. Bottom-up", "4. Geographies",
          "5. Inclusion", "6. Digital rights"]


@pytest.fixture()
def ctx(app):
    with app.test_request_context():
        yield


def approx(values: list[float]) -> object:
    # Points are written to a tenth of a pixel: a few hundredths on the 0-100 scale.
    return pytest.approx(values, abs=0.15)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def lines(root: ET.Element) -> dict[str, list[list[tuple[float, float]]]]:
    """Each drawn series by its colour: its sub-paths as lists of points."""
    drawn = {}
    for path in root.iter("path"):
        if path.get("class") == "line":
            subpaths = [re.findall(r"(-?[\d.]+) (-?[\d.]+)", part)
                        for part in path.get("d", "").split("M") if part]
            drawn[path.get("stroke", "")] = [[(float(x), float(y)) for x, y in sub] for sub in subpaths]
    return drawn


def outer_circle(root: ET.Element) -> tuple[float, float, float]:
    """The centre and radius of the 100 circle (the axis line colour)."""
    circle = next(c for c in root.iter("circle") if c.get("stroke") == "#767676")
    return float(circle.get("cx", 0)), float(circle.get("cy", 0)), float(circle.get("r", 0))


def radii(points: list[tuple[float, float]], centre: tuple[float, float, float]) -> list[float]:
    """Each point's value on the 0-100 scale: its distance from the centre."""
    cx, cy, r = centre
    return [round(math.hypot(x - cx, y - cy) / r * 100, 1) for x, y in points]


def test_the_radar_is_self_contained_valid_svg_named_for_screen_readers(ctx):
    chart = radar_chart(radar_figure(LABELS, LABELS, [50.0] * 6, [75.0] * 6, city_name="City"), LABELS)

    for svg, width in ((str(chart.svg), "720"), (str(chart.narrow_svg), "360")):
        root = parse(svg)
        assert root.tag == "svg" and root.get("role") == "img"
        assert root.get("viewBox", "").startswith(f"0 0 {width} ")
        title = root.find("title")
        assert title is not None and title.text == chart.label
        assert root.get("aria-labelledby") == title.get("id")
        # Nothing that needs the page, a script or a browser: presentation attributes only.
        assert not re.search(r"<(style|script|foreignObject|image|use)\b|href=|url\(http", svg)
        assert root.get("font-family") == "system-ui, sans-serif"
        assert "xmlns" not in svg  # inline in HTML, where the page names no other host
    assert chart.label.startswith("Radar chart of the element scores")
    assert chart.payload["data"][0]["type"] == "scatterpolar"


def test_one_line_per_series_at_the_figures_numbers_with_gaps_kept(ctx):
    scores = [62.5, None, 25.0, 18.0, 43.6, 22.2]
    median = [40.0, 41.0, 42.0, 43.0, 44.0, 45.0]
    fig = radar_figure(LABELS, LABELS, scores, [75.0, 75.0, 75.0, 50.0, 75.0, 75.0], city_name="City",
                       median=median, median_name="Median", previous=[1.0] * 6, previous_name="2025")
    root = parse(str(figure_svg(figure_payload(fig), "Radar", ident="r")))

    drawn = lines(root)
    # The city, the target and the median; the previous round waits for a click in the legend.
    assert set(drawn) == {CITY_COLOUR, TARGET_COLOUR, REGION_COLOUR}
    centre = outer_circle(root)
    # The missing score splits the city's line in two: 62.5 alone, then 25 ... 22.2 back to 62.5.
    city = [radii(sub, centre) for sub in drawn[CITY_COLOUR]]
    assert city[0] == approx([62.5]) and city[1] == approx([25.0, 18.0, 43.6, 22.2, 62.5])
    assert len(city) == 2
    assert radii(drawn[TARGET_COLOUR][0], centre) == approx([75.0, 75.0, 75.0, 50.0, 75.0, 75.0, 75.0])
    assert radii(drawn[REGION_COLOUR][0], centre) == approx([*median, median[0]])
    # The city's area is filled, and every line is named in the legend.
    assert [p.get("fill") for p in root.iter("polygon")] == ["rgba(26, 95, 180, 0.15)"]
    texts = [t.text for t in root.iter("text")]
    assert {"City", "Recommended target", "Median"} <= set(texts) and "2025" not in texts
    # The first axis label, on two lines as the figure breaks it.
    label = next(t for t in root.iter("text") if [s.text for s in t] == ["1. Promote civic", "technology"])
    assert label.get("text-anchor") is None  # to the right of its axis, which points up right


def test_city_names_are_escaped_and_read_back_as_typed(ctx):
    hostile = '<script>alert("x")</script> & Co'
    fig = radar_figure(LABELS, LABELS, [50.0] * 6, [75.0] * 6, city_name=hostile)
    svg = str(figure_svg(figure_payload(fig), f"Radar of {hostile}", ident="r"))

    assert "<script" not in svg
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in svg
    root = parse(svg)
    assert hostile in [t.text for t in root.iter("text")]
    assert root.find("title").text == f"Radar of {hostile}"


def test_on_phones_the_axes_are_numbered_and_the_drawing_fits_375_px(ctx):
    chart = radar_chart(radar_figure(LABELS, LABELS, [50.0] * 6, [75.0] * 6, city_name="City"), LABELS)
    root = parse(str(chart.narrow_svg))

    # It scales with its viewBox; in the 343 px a 375 px screen leaves it, text stays legible.
    width = float(root.get("width", 0))
    assert root.get("viewBox") == f"0 0 {fmt(width)} {root.get('height')}" and width <= 375
    smallest = min(float(t.get("font-size", root.get("font-size", 13))) for t in root.iter("text"))
    assert smallest * 343 / width >= 10
    texts = [t.text for t in root.iter("text")]
    # The tick texts the phone layout gives plotly.js, in the same order.
    ticktext = chart.payload["narrow"]["layout"]["polar"]["angularaxis"]["ticktext"]
    assert [t for t in texts if t in ticktext] == ticktext == ["1", "2", "3", "4", "5", "6"]
    assert not any(t and t.startswith("1. ") for t in texts)
    # Every text inside the drawing (an estimate, as fonts are the reader's).
    for element in root.iter("text"):
        assert 0 <= float(element.get("x", 0)) <= width


def test_right_to_left_labels_keep_their_direction_and_their_side():
    assert right_to_left("تعزيز التكنولوجيا") and right_to_left("1. تعزيز")
    assert not right_to_left("Promote") and not right_to_left("2026")

    arabic = ET.fromstring(text(100, 50, "تعزيز التكنولوجيا المدنية"))
    # Extends to the right of x as Latin text does, read right to left.
    assert arabic.get("direction") == "rtl" and arabic.get("text-anchor") == "end"
    assert ET.fromstring(text(100, 50, "عربي", anchor="end")).get("text-anchor") is None
    assert ET.fromstring(text(100, 50, "Latin", anchor="end")).get("text-anchor") == "end"


def test_numbers_are_written_short_and_never_as_minus_zero():
    assert [fmt(v) for v in (0.0, -0.04, 12.0, 12.345, -3.25)] == ["0", "0", "12", "12.3", "-3.2"]


def test_the_report_page_inlines_the_drawing_of_its_own_figure(make, login, report_page):
    city = make.city(name="Ville <Nouvelle> & Co")
    assessment = make.answer(make.assessment(city=city), 2.0, submit=True)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    chart = page.html.split('<div class="chart" data-figure="radar-figure">')[1].split("<script")[0]
    wide = re.search(r'<div class="chart-svg chart-svg-wide">(<svg.*?</svg>)</div>', chart, re.S)
    assert wide, chart[:300]
    root = parse(wide.group(1))
    city_line = lines(root)[CITY_COLOUR]
    scores = page.trace("Nouvelle")["r"]
    assert radii([p for sub in city_line for p in sub], outer_circle(root)) == approx(scores)
    assert "Ville &lt;Nouvelle&gt; &amp; Co" in wide.group(1)
