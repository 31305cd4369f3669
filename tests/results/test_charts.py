"""figure_payload and the radar chart: plain JSON data, escaped labels, gaps kept as gaps."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from assessment.charts import chart_text, figure_payload
from assessment.results.charts import radar_figure, radar_narrow_layout


@pytest.fixture()
def ctx(app):
    with app.test_request_context():
        yield


def test_figure_payload_is_plain_json_without_the_template():
    fig = go.Figure(go.Bar(x=np.array(["a", "b"]), y=np.array([1.5, 2.0])))

    payload = figure_payload(fig, config={"staticPlot": True})

    assert json.loads(json.dumps(payload)) == payload
    assert payload["data"][0]["type"] == "bar"
    # numpy arrays travel as plotly's typed arrays, which plotly.js decodes.
    y = payload["data"][0]["y"]
    assert np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist() == [1.5, 2.0]
    assert "template" not in payload["layout"]
    assert payload["config"] == {"staticPlot": True}
    assert "config" not in figure_payload(fig)


def test_chart_text_escapes_markup_and_keeps_line_breaks():
    assert chart_text("<b>bold</b> & co\nline two") == "&lt;b&gt;bold&lt;/b&gt; &amp; co<br>line two"


def test_radar_leaves_a_gap_for_missing_scores_and_hides_the_previous_round(ctx):
    fig = radar_figure(
        labels=["A", "B", "C"], titles=["Alpha", "Beta", "Gamma"], scores=[10.0, None, 30.0],
        targets=[75.0, 75.0, 50.0], city_name="<City> 2026",
        median=[20.0, 40.0, None], median_name="Median",
        previous=[5.0, 6.0, 7.0], previous_name="City 2025",
    )

    city, target, median, previous = figure_payload(fig)["data"]
    assert city["r"] == [10.0, None, 30.0, 10.0]
    assert city["theta"] == ["A", "B", "C", "A"]
    assert city["connectgaps"] is False
    assert city["name"] == "&lt;City&gt; 2026"
    assert target["r"] == [75.0, 75.0, 50.0, 75.0]
    assert median["r"] == [20.0, 40.0, None, 20.0]
    assert previous["visible"] == "legendonly"
    assert "visible" not in city and "visible" not in median


def test_radar_without_comparisons_has_two_lines(ctx):
    fig = radar_figure(["A"], ["Alpha"], [50.0], [75.0], city_name="City")

    assert [t["name"] for t in figure_payload(fig)["data"]] == ["City", "Recommended target"]


def test_narrow_layout_numbers_the_axes_for_phones(ctx):
    labels = ["1. Alpha\nlong", "2. Beta", "3. <Gamma>"]
    fig = radar_figure(labels, ["Alpha", "Beta", "Gamma"], [1.0, 2.0, 3.0], [75.0] * 3,
                       city_name="City")

    payload = figure_payload(fig, narrow_layout=radar_narrow_layout(labels))

    axis = payload["narrow"]["layout"]["polar"]["angularaxis"]
    # The tick values are the axis categories exactly as the traces spell them.
    assert axis["tickvals"] == payload["data"][0]["theta"][:3]
    assert axis["ticktext"] == ["1", "2", "3"]
    assert payload["narrow"]["maxWidth"] > 0
