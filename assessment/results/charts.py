"""The city report's radar chart (the style every chart shares is in ``assessment.charts``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from assessment.charts import (
    CITY_COLOUR,
    FONT_FAMILY,
    PREVIOUS_COLOUR,
    REGION_COLOUR,
    TARGET_COLOUR,
    Chart,
    chart,
    chart_text,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go


def _closed(values: Sequence[Any]) -> list[Any]:
    # A radar line returns to its first point; a gap (None) stays a gap.
    return [*values, values[0]] if values else []


def radar_figure(
    labels: Sequence[str],
    titles: Sequence[str],
    scores: Sequence[float | None],
    targets: Sequence[float],
    *,
    city_name: str,
    median: Sequence[float | None] | None = None,
    median_name: str | None = None,
    previous: Sequence[float | None] | None = None,
    previous_name: str | None = None,
) -> go.Figure:
    """Element scores (0-100) against their targets, with optional comparison lines.

    ``labels`` are the axis labels (may contain line breaks), ``titles`` the full element
    titles shown on hover. A ``None`` score (insufficient data) leaves a gap in the line
    instead of being drawn as zero.
    """
    import plotly.graph_objects as go

    theta = _closed([chart_text(label) for label in labels])
    hover_titles = _closed([chart_text(title) for title in titles])
    hover = "%{customdata}<br>%{r:.1f}<extra>%{fullData.name}</extra>"

    def line(values: Sequence[float | None], name: str, **style: Any) -> go.Scatterpolar:
        return go.Scatterpolar(
            r=_closed(list(values)), theta=theta, customdata=hover_titles, name=chart_text(name),
            mode="lines+markers", connectgaps=False, hovertemplate=hover, **style,
        )

    traces = [
        line(scores, city_name, line={"color": CITY_COLOUR, "width": 3},
             marker={"size": 8, "symbol": "circle"}, fill="toself",
             fillcolor="rgba(26, 95, 180, 0.15)"),
        line(targets, _("Recommended target"), line={"color": TARGET_COLOUR, "width": 2, "dash": "dash"},
             marker={"size": 6, "symbol": "square"}),
    ]
    if median is not None and median_name:
        traces.append(line(median, median_name,
                           line={"color": REGION_COLOUR, "width": 2, "dash": "dot"},
                           marker={"size": 7, "symbol": "diamond"}))
    if previous is not None and previous_name:
        # Off until the reader clicks it in the legend: the change is also in the table.
        traces.append(line(previous, previous_name, visible="legendonly",
                           line={"color": PREVIOUS_COLOUR, "width": 2, "dash": "dashdot"},
                           marker={"size": 7, "symbol": "triangle-up"}))
    fig = go.Figure(data=traces)
    fig.update_layout(
        template=None,
        font={"family": FONT_FAMILY, "size": 13, "color": "#1b1b1b"},
        paper_bgcolor="#ffffff",
        # Room for the two-to-four-line axis labels all round, and the legend underneath.
        margin={"l": 140, "r": 140, "t": 60, "b": 10},
        height=620,
        showlegend=True,
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": 0, "yanchor": "bottom"},
        polar={
            "bgcolor": "#ffffff",
            "domain": {"y": [0.25, 1]},
            "radialaxis": {
                "range": [0, 100], "tickvals": [0, 25, 50, 75, 100], "angle": 90,
                "tickangle": 90, "gridcolor": "#c8c8c8", "linecolor": "#767676",
                "tickfont": {"size": 11},
            },
            # Six axes with none straight down: the legend sits under the chart, between labels.
            "angularaxis": {"direction": "clockwise", "rotation": 60, "gridcolor": "#c8c8c8",
                            "linecolor": "#767676"},
        },
    )
    return fig


RADAR_ID = "radar-figure"


def radar_chart(fig: go.Figure, labels: Sequence[str]) -> Chart:
    """The report's radar for the page: plotly payload, and SVG for wide screens and phones
    (``labels`` are the axis labels, numbered on phones as the table beside it numbers them)."""
    return chart(RADAR_ID, fig, _("Radar chart of the element scores against the recommended targets. "
                                  "The table beside it holds the same numbers."),
                 narrow_layout=radar_narrow_layout(labels))


def radar_narrow_layout(labels: Sequence[str]) -> dict[str, Any]:
    """On a phone the element names do not fit round the chart: number the axes instead
    (the table under the chart gives each number its name)."""
    axis_labels = [chart_text(label) for label in labels]
    return {
        "height": 440,
        "margin": {"l": 30, "r": 30, "t": 30, "b": 10},
        "polar": {
            "domain": {"y": [0.3, 1]},
            "angularaxis": {
                "tickmode": "array", "tickvals": axis_labels,
                "ticktext": [str(n) for n in range(1, len(labels) + 1)],
                "tickfont": {"size": 15},
            },
        },
    }
