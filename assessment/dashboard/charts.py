"""The dashboard's figures, built with plotly graph objects from an already computed Dashboard.

Each figure is paired in the page with a table holding the same numbers, so the charts only
ever add a picture to what the page already says. Each is drawn as SVG on the server and, on
request, by plotly.js (see ``assessment.charts``).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from assessment.charts import (
    CITY_COLOUR,
    FONT_FAMILY,
    HEATMAP_SCALE,
    PREVIOUS_COLOUR,
    REGION_COLOUR,
    SERIES_COLOURS,
    TARGET_COLOUR,
    Chart,
    chart,
    chart_text,
    readable_text,
    scale_colour,
    translucent,
)
from assessment.dashboard.services import Dashboard
from assessment.dashboard.stats import ElementSummary
from assessment.dashboard.trends import Trend
from assessment.i18n import localized

if TYPE_CHECKING:
    import plotly.graph_objects as go

# The report's colours (see assessment.charts.palette); lines also differ by dash and marker,
# so colour is never the only cue.
BLUE = CITY_COLOUR
ORANGE = REGION_COLOUR
GREY = PREVIOUS_COLOUR
FONT = {"family": FONT_FAMILY, "size": 13, "color": TARGET_COLOUR}
BOX_LINE = "#0d3b73"


def wrap(title: str, width: int = 18) -> str:
    """A long element title on several lines for an axis label, escaped for plotly."""
    return chart_text("\n".join(textwrap.wrap(title, width)) or title)


def _layout(**overrides: Any) -> dict[str, Any]:
    """Layout settings, given when the figure is built: setting them afterwards with
    ``update_layout`` (and plotly's default template) costs several times more per figure."""
    layout: dict[str, Any] = {
        "template": "none",
        "font": FONT,
        "margin": {"l": 60, "r": 30, "t": 30, "b": 60},
        "legend": {"orientation": "h", "y": -0.15},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    layout.update(overrides)
    return layout


def radar(elements: list[ElementSummary]) -> go.Figure:
    """Regional average and median per element against the targets."""
    import plotly.graph_objects as go

    shown = [e for e in elements if e.mean is not None]
    theta = [wrap(localized(e.element.title), 15) for e in shown]
    closed = theta + theta[:1]

    def loop(values: list[float | None]) -> list[float | None]:
        return values + values[:1]

    traces = [
        go.Scatterpolar(r=loop([e.element.target for e in shown]), theta=closed,
                        name=_("Recommended target"), mode="lines+markers",
                        line={"color": TARGET_COLOUR, "dash": "dash", "width": 2},
                        marker={"symbol": "square", "size": 6}),
        go.Scatterpolar(r=loop([e.mean for e in shown]), theta=closed, name=_("Regional average"),
                        mode="lines+markers", fill="toself", fillcolor=translucent(BLUE, 0.15),
                        line={"color": BLUE, "width": 3}, marker={"symbol": "circle", "size": 7}),
        go.Scatterpolar(r=loop([e.median for e in shown]), theta=closed, name=_("Regional median"),
                        mode="lines+markers", line={"color": ORANGE, "width": 2, "dash": "dot"},
                        marker={"symbol": "diamond", "size": 8}),
    ]
    return go.Figure(traces, layout=_layout(
        height=540, margin={"l": 100, "r": 100, "t": 40, "b": 70},
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": 0, "yanchor": "top"},
        # Room under the circle for the bottom label, above the legend.
        polar={"domain": {"y": [0.2, 1]},
               "radialaxis": {"range": [0, 100], "tickvals": [0, 25, 50, 75, 100], "angle": 90,
                              "gridcolor": "#c8c8c8", "tickfont": {"size": 11}},
               "angularaxis": {"direction": "clockwise", "rotation": 90, "gridcolor": "#c8c8c8"}},
    ))


def spread(elements: list[ElementSummary]) -> go.Figure:
    """Every city's score per element, as a box with the cities shown as points; for a region
    too large to show each city, the boxes alone, drawn from the statistics the database
    computed (the whiskers follow plotly's own rule either way).

    Horizontal, so the long element titles read on one or two lines instead of sideways.
    """
    import numpy as np
    import plotly.graph_objects as go

    box_style = {"orientation": "h", "line": {"color": BOX_LINE}, "fillcolor": translucent(BLUE, 0.12),
                 "showlegend": False}
    traces = []
    for e in elements:
        if not e.cities:
            continue
        name = wrap(localized(e.element.title), 26)
        if e.values:
            escaped = {label: chart_text(label) for label in set(e.labels)}
            traces.append(go.Box(
                # Arrays rather than lists: plotly validates a list item by item, and a region
                # of 300 cities has 1,800 points. The scores travel as a typed array.
                x=np.asarray(e.values, dtype="float64"),
                # A fixed-width string array: plotly deep-copies arrays, element by element
                # for Python objects but in one block for these.
                text=np.asarray([escaped[label] for label in e.labels], dtype=str),
                name=name, boxpoints="all", jitter=0.5, pointpos=0,
                marker={"color": BLUE, "size": 5, "opacity": 0.6},
                hovertemplate="%{text}: %{x:.0f}<extra></extra>", **box_style))
        else:
            traces.append(go.Box(
                name=name, y=[name], q1=[e.lower_quartile], median=[e.median], q3=[e.upper_quartile],
                lowerfence=[e.lower_fence], upperfence=[e.upper_fence], boxpoints=False,
                hoverinfo="x", **box_style))
    return go.Figure(traces, layout=_layout(
        height=120 + 62 * len(traces), margin={"l": 10, "r": 20, "t": 20, "b": 50},
        xaxis={"range": [0, 100], "title": {"text": _("Element score (0-100)")},
               "gridcolor": "#e5e9ee", "tickvals": [0, 25, 50, 75, 100]},
        yaxis={"automargin": True, "autorange": "reversed"},
    ))


def change(elements: list[ElementSummary], previous_name: str, current_name: str) -> go.Figure:
    """Regional averages per element, previous round beside this round."""
    import plotly.graph_objects as go

    shown = [e for e in elements if e.mean is not None or e.previous_mean is not None]
    x = [wrap(localized(e.element.title)) for e in shown]
    traces = [
        go.Bar(x=x, y=[e.previous_mean for e in shown], name=chart_text(previous_name),
               marker={"color": GREY, "pattern": {"shape": "/"}}),
        go.Bar(x=x, y=[e.mean for e in shown], name=chart_text(current_name), marker={"color": BLUE}),
    ]
    return go.Figure(traces, layout=_layout(
        height=400, barmode="group",
        yaxis={"range": [0, 100], "title": {"text": _("Average score (0-100)")},
               "gridcolor": "#e5e9ee"},
        xaxis={"automargin": True},
    ))


def heatmap(dashboard: Dashboard) -> go.Figure:
    """Cities (this page, in table order) by elements, with the score in each cell.

    Two heatmap traces share the rows and columns: one holds the cells whose number reads in
    black, the other those whose number reads in white (plotly.js takes one text colour per
    trace), so every number keeps at least 4.5:1 against its cell.
    """
    import numpy as np
    import plotly.graph_objects as go

    rows = dashboard.scored_rows
    elements = [e.element for e in dashboard.elements]
    z = [[row.scores.get(e.id) for e in elements] for row in rows]
    x = [wrap(localized(e.title)) for e in elements]
    y = np.asarray([chart_text(f"{row.name} ({row.country})") for row in rows], dtype=str)
    # Scores repeat: each one's text colour is worked out once per heatmap.
    by_score = {v: text_colour(v) for v in {v for line in z for v in line if v is not None}}
    colours = [[None if v is None else by_score[v] for v in line] for line in z]
    traces = []
    for index, colour in enumerate(("#000000", "#ffffff")):
        cells = [[v if c == colour else None for v, c in zip(line, line_colours, strict=True)]
                 for line, line_colours in zip(z, colours, strict=True)]
        traces.append(go.Heatmap(
            z=cells, x=x, y=y, zmin=0, zmax=100, colorscale=HEATMAP_SCALE, xgap=2, ygap=2,
            text=np.asarray([["" if v is None else f"{v:.0f}" for v in line] for line in cells],
                            dtype=str),
            texttemplate="%{text}", textfont={"color": colour},
            hovertemplate="%{y}<br>%{x}: %{z:.0f}<extra></extra>", hoverongaps=False,
            showscale=index == 0, colorbar={"title": {"text": _("Score")}, "thickness": 14},
        ))
    return go.Figure(traces, layout=_layout(
        height=200 + 28 * len(rows), margin={"l": 10, "r": 10, "t": 10, "b": 20},
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"side": "bottom", "automargin": True},
    ))


def text_colour(score: float) -> str:
    """The colour of a score's number on its heatmap cell."""
    return readable_text(scale_colour(HEATMAP_SCALE, score / 100))


def dashboard_figures(dashboard: Dashboard) -> dict[str, Chart]:
    """The charts keyed by the id of the element that embeds them; only charts with data."""
    figures: dict[str, Chart] = {}
    if not dashboard.has_scores:
        return figures
    figures["chart-radar"] = chart("chart-radar", radar(dashboard.elements), _(
        "Radar chart of the regional average and median score per element, against the "
        "recommended targets"))
    if any(e.values for e in dashboard.elements):
        figures["chart-spread"] = chart("chart-spread", spread(dashboard.elements), _(
            "Box plot of every city's score per element"))
    previous = dashboard.selection.previous
    if previous is not None and dashboard.has_previous:
        figures["chart-change"] = chart(
            "chart-change", change(dashboard.elements, previous.name, dashboard.selection.round.name),
            _("Bar chart of the regional average per element in both rounds"))
    if dashboard.scored_rows:
        figures["chart-heatmap"] = chart("chart-heatmap", heatmap(dashboard), _(
            "Heatmap of the element scores of the submitted cities on this page"))
    return figures


# Dashes and markers of the trend lines, in the order of SERIES_COLOURS: colour is never the
# only cue.
TREND_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid")
TREND_MARKERS = ("circle", "square", "diamond", "triangle-up", "triangle-down", "x", "circle")


def trend_figure(lines: list[tuple[str, list[str], list[float | None]]],
                 changes: list[tuple[int, str]]) -> go.Figure:
    """Lines over the rounds: (name, rounds, values) each; ``changes`` marks the rounds
    (their position, from 0) answered under another questionnaire version than the one before."""
    import plotly.graph_objects as go

    colours = (*SERIES_COLOURS, TARGET_COLOUR)
    traces = [
        go.Scatter(x=[chart_text(r) for r in rounds], y=values, name=chart_text(name),
                   mode="lines+markers",
                   line={"color": colours[i % len(colours)], "width": 2.5 if i == 0 else 2,
                         "dash": TREND_DASHES[i % len(TREND_DASHES)]},
                   marker={"symbol": TREND_MARKERS[i % len(TREND_MARKERS)], "size": 7},
                   hovertemplate="%{x}: %{y:.1f}<extra>%{fullData.name}</extra>")
        for i, (name, rounds, values) in enumerate(lines)
    ]
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": position - 0.5,
               "x1": position - 0.5, "y0": 0, "y1": 1,
               "line": {"color": TARGET_COLOUR, "width": 1.5, "dash": "dot"}}
              for position, _label in changes]
    annotations = [{"x": position - 0.5, "y": 1, "xref": "x", "yref": "paper",
                    "text": chart_text(label), "showarrow": False, "xanchor": "left",
                    "yanchor": "bottom"} for position, label in changes]
    return go.Figure(traces, layout=_layout(
        height=420, shapes=shapes, annotations=annotations,
        yaxis={"range": [0, 100], "title": {"text": _("Average score (0-100)")},
               "gridcolor": "#e5e9ee"},
        xaxis={"type": "category", "automargin": True},
    ))


def trend_figures(lines: list[Trend], elements: list[tuple[str, str]]) -> dict[str, Chart]:
    """The overall index of each trend over the rounds, and the elements of each."""
    figures: dict[str, Chart] = {}
    if not any(line.has_data for line in lines):
        return figures
    first = lines[0]
    rounds = [point.round.name for point in first.points]
    changes = [(i, _("Version %(versions)s", versions=", ".join(point.versions)))
               for i, point in enumerate(first.points) if point.version_changed]
    figures["chart-trend-overall"] = chart("chart-trend-overall", trend_figure(
        [(line.label, rounds, [p.overall for p in line.points]) for line in lines], changes),
        _("Line chart of the average overall index in every round"))
    for line in lines:
        if not line.has_data:
            continue
        own_changes = [(i, _("Version %(versions)s", versions=", ".join(point.versions)))
                       for i, point in enumerate(line.points) if point.version_changed]
        figures[f"chart-trend-{line.key}"] = chart(f"chart-trend-{line.key}", trend_figure(
            [(title, rounds, [p.elements.get(element_id) for p in line.points])
             for element_id, title in elements], own_changes),
            _("Line chart of the average score of each element in every round: %(who)s",
              who=line.label))
    return figures


def compare_radar(names: list[str], elements: list[tuple[str, str, float]],
                  scores: list[list[float | None]]) -> go.Figure:
    """Each compared city's element scores (``scores``: per city, in ``elements``' order)
    against the targets, one colour, dash and marker per city."""
    import plotly.graph_objects as go

    theta = [wrap(title, 15) for _id, title, _target in elements]
    closed = theta + theta[:1]
    traces = [go.Scatterpolar(r=[t for _i, _t, t in elements] + [elements[0][2]], theta=closed,
                              name=_("Recommended target"), mode="lines",
                              line={"color": TARGET_COLOUR, "dash": "dash", "width": 1.5})]
    for i, (name, values) in enumerate(zip(names, scores, strict=True)):
        traces.append(go.Scatterpolar(
            r=values + values[:1], theta=closed, name=chart_text(name), mode="lines+markers",
            line={"color": SERIES_COLOURS[i % len(SERIES_COLOURS)], "width": 2.5,
                  "dash": TREND_DASHES[i % len(TREND_DASHES)]},
            marker={"symbol": TREND_MARKERS[i % len(TREND_MARKERS)], "size": 7}))
    return go.Figure(traces, layout=_layout(
        height=560, margin={"l": 100, "r": 100, "t": 40, "b": 70},
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": 0, "yanchor": "top"},
        polar={"domain": {"y": [0.22, 1]},
               "radialaxis": {"range": [0, 100], "tickvals": [0, 25, 50, 75, 100], "angle": 90,
                              "gridcolor": "#c8c8c8", "tickfont": {"size": 11}},
               "angularaxis": {"direction": "clockwise", "rotation": 90, "gridcolor": "#c8c8c8"}},
    ))
