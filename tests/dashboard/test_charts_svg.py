"""The dashboard's charts drawn as SVG in the page: valid XML named for screen readers, one mark
per series, the numbers of the figure data and of the tables, city names escaped, a key on phones.

The region and its scores are the hand-made world of conftest.py (civic technology in R2:
A1 40, A2 80, B1 60; in R1: A1 30, A2 70, B2 20).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from assessment.assessments.models import AssessmentStatus
from assessment.auth.models import Role
from assessment.charts import CITY_COLOUR, PREVIOUS_COLOUR, REGION_COLOUR, TARGET_COLOUR, figure_svg
from assessment.charts.cartesian import quartiles

IDS = ("chart-radar", "chart-spread", "chart-change", "chart-heatmap")
HOSTILE = '<img src=x onerror="alert(1)"> & Co'


@pytest.fixture()
def regional(make, login, world):
    return login(make.user(Role.REGIONAL, region=world.region))


def dashboard(client) -> str:
    response = client.get("/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def drawings(html: str, figure_id: str) -> tuple[str, str, dict]:
    """The wide and the phone drawing of a chart, as written in the page, and its figure data."""
    block = html.split(f'<div class="chart" data-figure="{figure_id}">')[1].split("</figure>")[0]
    wide = re.search(r'<div class="chart-svg chart-svg-wide">(<svg.*?</svg>)</div>', block, re.S)
    narrow = re.search(r'<div class="chart-svg chart-svg-narrow" hidden>(<svg.*?</svg>)</div>', block, re.S)
    data = re.search(rf'<script type="application/json" id="{figure_id}">(.*?)</script>', block, re.S)
    assert wide and narrow and data, figure_id
    return wide.group(1), narrow.group(1), json.loads(data.group(1))


def texts(root: ET.Element) -> list[str]:
    """Every text, its lines joined by a space."""
    return [" ".join(t.itertext()) for t in root.iter("text")]


def value_scale(root: ET.Element, axis: str) -> tuple[float, float]:
    """Where 0 and 100 sit on the value axis, from its grid lines: (position of 0, px per point)."""
    grid = []
    for path in root.iter("path"):
        d = path.get("d", "")
        found = re.fullmatch(r"M(-?[\d.]+) (-?[\d.]+)" + ("V" if axis == "x" else "H") + r"-?[\d.]+", d)
        if found:
            grid.append(float(found.group(1) if axis == "x" else found.group(2)))
    zero, hundred = (min(grid), max(grid)) if axis == "x" else (max(grid), min(grid))
    return zero, (hundred - zero) / 100


def test_every_chart_is_valid_svg_named_for_screen_readers(client, world, regional) -> None:
    html = dashboard(client)
    labels = {
        "chart-radar": "Radar chart of the regional average and median score per element, against the "
                       "recommended targets",
        "chart-spread": "Box plot of every city's score per element",
        "chart-change": "Bar chart of the regional average per element in both rounds",
        "chart-heatmap": "Heatmap of the element scores of the submitted cities on this page",
    }
    for figure_id in IDS:
        for svg in drawings(html, figure_id)[:2]:
            root = ET.fromstring(svg)
            assert root.get("role") == "img"
            assert root.find("title").text == labels[figure_id]
            assert root.get("aria-labelledby") == root.find("title").get("id")
            assert not re.search(r"<(style|script|foreignObject)\b", svg)
    # Every id in the page is used once (two drawings of four charts, each with its own ids).
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_the_radar_has_one_line_per_series(client, world, regional) -> None:
    wide, _narrow, figure = drawings(dashboard(client), "chart-radar")
    root = ET.fromstring(wide)
    strokes = [p.get("stroke") for p in root.iter("path") if p.get("class") == "line"]
    assert strokes == [TARGET_COLOUR, CITY_COLOUR, REGION_COLOUR]
    assert len(strokes) == len(figure["data"])
    assert {"Recommended target", "Regional average", "Regional median"} <= set(texts(root))


def test_the_box_plot_holds_the_quartiles_of_the_table(client, world, regional) -> None:
    wide, _narrow, figure = drawings(dashboard(client), "chart-spread")
    root = ET.fromstring(wide)
    zero, per_point = value_scale(root, "x")

    def value(x: str | float) -> float:
        return round((float(x) - zero) / per_point, 1)

    boxes = [r for r in root.iter("rect") if r.get("class") == "box"]
    assert len(boxes) == len(figure["data"])
    civic = boxes[0]  # the first element on top, as in the table
    low, high = value(civic.get("x")), value(float(civic.get("x")) + float(civic.get("width")))
    assert (low, high) == (50.0, 70.0)  # the table's lower and upper quartiles
    median = next(p for p in root.iter("path") if p.get("class") == "median")
    assert value(re.match(r"M([\d.]+)", median.get("d")).group(1)) == 60.0
    points = next(p for p in root.iter("path") if p.get("class") == "points")
    assert sorted(value(x) for x in re.findall(r"M([\d.]+) ", points.get("d"))) == [40.0, 60.0, 80.0]
    assert quartiles([40.0, 60.0, 80.0]) == (50.0, 60.0, 70.0)


def test_the_bars_are_the_two_rounds_averages(client, world, regional) -> None:
    wide, _narrow, figure = drawings(dashboard(client), "chart-change")
    root = ET.fromstring(wide)
    zero, per_point = value_scale(root, "y")
    bars = [r for r in root.iter("rect") if r.get("class") == "bar"]
    assert len(bars) == sum(1 for trace in figure["data"] for v in trace["y"] if v is not None)

    first, second = bars[0], bars[len(bars) // 2]  # civic technology in R1, then in R2
    assert round(float(first.get("height")) / -per_point, 1) == pytest.approx(40.0, abs=0.2)
    assert round(float(second.get("height")) / -per_point, 1) == pytest.approx(60.0, abs=0.2)
    assert float(first.get("y")) + float(first.get("height")) == pytest.approx(zero, abs=0.2)
    # The previous round is hatched (as in plotly's pattern), so colour is not the only cue.
    hatch = first.get("fill")
    assert hatch == "url(#chart-change-svg-hatch0)"
    pattern = root.find(".//pattern[@id='chart-change-svg-hatch0']")
    assert pattern is not None and pattern.find("rect").get("fill") == PREVIOUS_COLOUR
    assert {"R1", "R2"} <= set(texts(root))


def test_the_heatmap_has_a_cell_per_score_with_its_number(client, world, regional) -> None:
    wide, narrow, figure = drawings(dashboard(client), "chart-heatmap")
    layers = figure["data"]
    for svg in (wide, narrow):
        root = ET.fromstring(svg)
        cells = [r for r in root.iter("rect") if r.get("class") == "cell"]
        assert len(cells) == sum(1 for layer in layers for row in layer["z"] for v in row
                                 if v is not None)
        shown = texts(root)
        for layer in layers:
            for row in layer["text"]:
                for number in row:
                    assert not number or number in shown
        # Rows in the table's order, each city with its country.
        assert [t for t in shown if t.endswith(")")][:3] == ["A1 (Aland)", "A2 (Aland)", "B1 (Beland)"]


def test_city_names_in_the_heatmap_are_escaped(client, make, build, world, regional) -> None:
    city = make.city(country=world.cities["A1"].country, name=HOSTILE)
    build.assessment(city, world.r2, AssessmentStatus.SUBMITTED, {"civic_tech": 10, "tech_firms": 20}, 15)

    wide, _narrow, _figure = drawings(dashboard(client), "chart-heatmap")

    assert "<img" not in wide
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in wide and "&amp; Co" in wide
    assert f"{HOSTILE} (Aland)" in texts(ET.fromstring(wide))


def test_on_phones_the_elements_are_numbered_with_a_key(client, world, regional) -> None:
    html = dashboard(client)
    for figure_id in IDS:
        wide, narrow, _figure = drawings(html, figure_id)
        root = ET.fromstring(narrow)
        assert root.get("viewBox", "").startswith("0 0 360 ")
        shown = texts(root)
        assert {"1", "2", "3", "4", "5", "6"} <= set(shown), figure_id
        # The key spells out what each number stands for; the wide drawing names the axes.
        assert "Promote civic technology" in shown, figure_id
        assert "Promote civic technology" in " ".join(texts(ET.fromstring(wide))), figure_id


def test_a_figure_of_another_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="pie"):
        figure_svg({"data": [{"type": "pie", "values": [1, 2]}], "layout": {}}, "?", ident="x")



def test_a_figure_without_traces_is_an_empty_named_frame() -> None:
    root = ET.fromstring(str(figure_svg({"data": [], "layout": {}}, "Nothing yet", ident="e")))
    assert root.find("title").text == "Nothing yet" and root.find("path") is None
