"""What every chart shares: colours, fonts, the JSON payload for plotly.js, the SVG drawing.

Charts are built with plotly graph objects. Each is drawn twice from the same figure data:
as SVG on the server (``figure_svg``, in ``svg.py``, ``polar.py`` and ``cartesian.py``),
inlined in the page so that it is there at the first paint, without JavaScript, in print and
in a PDF; and, when the reader asks for it, by plotly.js in the browser, interactive.

The convention, shared by every page with a chart (see also static/js/charts.js):

- a view builds a ``go.Figure`` and passes ``chart(id, fig, label)`` to its template: the
  plotly payload (``figure_payload(fig)``) and its two SVG drawings, for wide screens and
  for phones;
- the template includes ``templates/_chart.html``, which inlines both drawings (CSS shows
  the one that fits) and writes the payload as JSON data, never as a script;
- ``static/js/charts.js`` offers an "Interactive chart" button that loads the app's own
  plotly.js bundle (``static/vendor/plotly-custom.min.js``: scatterpolar, bar, heatmap and
  box only) and draws the payload in the place, and at the size, of the drawing.

Text that comes from people (city names, round names, notes) must go through
``chart_text`` before it enters a figure: plotly.js reads a few HTML-like tags in labels,
so ``<`` and ``&`` are escaped and show as typed. The SVG drawing reads the same labels
back as plain text and escapes them again with markupsafe.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

# The drawings read figures only; they import nothing from this module.
from assessment.charts import palette
from assessment.charts.cartesian import bar_svg, box_svg, heatmap_svg, line_svg
from assessment.charts.palette import contrast, readable_text, scale_colour, translucent
from assessment.charts.polar import radar_svg
from assessment.charts.svg import document

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "CITY_COLOUR", "FONT_FAMILY", "HEATMAP_SCALE", "PREVIOUS_COLOUR", "REGION_COLOUR",
    "SERIES_COLOURS", "TARGET_COLOUR", "Chart", "chart", "chart_text", "contrast", "figure_payload",
    "figure_svg", "palette", "readable_text", "scale_colour", "translucent",
]

# Every colour a chart uses comes from here (the palette and the contrast rules are in
# ``palette.py``, with the tests that measure them).
CITY_COLOUR = palette.BLUE
TARGET_COLOUR = palette.INK
REGION_COLOUR = palette.VERMILLION
PREVIOUS_COLOUR = palette.REDDISH_PURPLE
SERIES_COLOURS = palette.SERIES
HEATMAP_SCALE = palette.SEQUENTIAL
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


NARROW_MAX_WIDTH = 560  # px: a phone held upright


def figure_payload(
    fig: go.Figure,
    config: dict[str, Any] | None = None,
    narrow_layout: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The figure as a JSON-safe dict ``{"data", "layout"[, "config", "narrow"]}``.

    The default plotly template is dropped: it weighs several kB per figure, and the app
    sets the few styles it needs on the figure itself. ``config`` (plotly.js options such as
    ``{"staticPlot": True}``) is merged by charts.js over its defaults. Lists stay lists;
    numpy arrays become plotly's compact typed arrays (``{"dtype", "bdata"}``), which
    plotly.js decodes. ``narrow_layout`` is merged over the layout when the chart is drawn
    in a container narrower than ``NARROW_MAX_WIDTH`` (smaller margins, shorter labels).
    """
    from plotly.io.json import to_json_plotly  # plotly loads only when a chart is drawn

    payload: dict[str, Any] = json.loads(to_json_plotly(fig.to_plotly_json()))
    payload.get("layout", {}).pop("template", None)
    if config:
        payload["config"] = config
    if narrow_layout:
        payload["narrow"] = {"maxWidth": NARROW_MAX_WIDTH, "layout": narrow_layout}
    return payload


def chart_text(text: str) -> str:
    """Escape text for a plotly label; line breaks become plotly's ``<br>``."""
    return "<br>".join(html.escape(line, quote=False) for line in text.split("\n"))


@dataclass(frozen=True)
class Chart:
    """A chart as a page embeds it: its plotly payload and its SVG drawings."""

    id: str
    label: str  # the accessible name: what the chart shows, and where the numbers are in text
    payload: dict[str, Any]
    svg: Markup
    narrow_svg: Markup


def chart(ident: str, fig: go.Figure, label: str, *, config: dict[str, Any] | None = None,
          narrow_layout: dict[str, Any] | None = None, key: bool = True) -> Chart:
    """``fig`` for a page: the payload for plotly.js and, drawn from that same payload, SVG
    for wide screens (and print) and for phones. On phones the category axes are numbered:
    with the names from ``narrow_layout``'s tick texts when it gives them (the page's table
    says which number is which), otherwise in a key under the chart (``key``)."""
    payload = figure_payload(fig, config, narrow_layout)
    return Chart(
        id=ident, label=label, payload=payload,
        svg=figure_svg(payload, label, ident=f"{ident}-svg"),
        narrow_svg=figure_svg(payload, label, ident=f"{ident}-svg-narrow", narrow=True, key=key),
    )


WIDE = 720.0  # the width an SVG is drawn for, in px; it scales with its viewBox
NARROW = 360.0  # for phones: text stays at its size on a 375 px wide screen


def figure_svg(payload: dict[str, Any], title: str, *, ident: str, narrow: bool = False,
               key: bool = True, width: float | None = None) -> Markup:
    """The payload's figure as an SVG element named ``title``, for a wide screen or a phone."""
    data = list(payload.get("data") or [])
    layout = dict(payload.get("layout") or {})
    narrow_spec = payload.get("narrow") or {}
    if narrow and narrow_spec.get("layout"):
        layout = _merged(layout, narrow_spec["layout"])
    drawn_width = width or (NARROW if narrow else WIDE)
    kinds = {trace.get("type", "scatter") for trace in data}
    if not kinds:
        # Nothing to draw: an empty frame, still named, keeps the page's layout.
        return document(drawn_width, 40.0, title, [], ident=ident)
    # The phone layout names the axes by number; without one, the drawing numbers them and
    # lists the names in a key.
    numbered = narrow and key and not narrow_spec
    if kinds == {"scatterpolar"}:
        return radar_svg(data, layout, width=drawn_width, title=title, ident=ident, numbered=numbered)
    if kinds == {"box"}:
        return box_svg(data, layout, width=drawn_width, title=title, ident=ident, numbered=numbered)
    if kinds == {"bar"}:
        return bar_svg(data, layout, width=drawn_width, title=title, ident=ident, numbered=numbered)
    if kinds == {"scatter"}:
        return line_svg(data, layout, width=drawn_width, title=title, ident=ident, numbered=numbered)
    if kinds == {"heatmap"}:
        return heatmap_svg(data, layout, width=drawn_width, title=title, ident=ident,
                           numbered=numbered)
    raise ValueError(f"no SVG drawing for traces of type {sorted(kinds)}")


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``extra`` over ``base``, nested dicts merged key by key (as charts.js merges them)."""
    result = dict(base)
    for name, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(name), dict):
            result[name] = _merged(base[name], value)
        else:
            result[name] = value
    return result
