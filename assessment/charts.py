"""What every chart shares: colours, fonts, the JSON payload for plotly.js, and safe labels.

Charts are built with plotly graph objects and drawn in the browser by plotly.js.

The convention, shared by every page with a chart (see also static/js/charts.js):

- a view builds a ``go.Figure`` and passes ``figure_payload(fig)`` to its template;
- the template writes it as JSON data, never as a script::

      <div class="chart" data-figure="radar-figure" hidden></div>
      <script type="application/json" id="radar-figure">{{ figure|tojson }}</script>

- ``static/js/charts.js`` draws every ``[data-figure]`` with the app's own plotly.js bundle
  (``static/vendor/plotly-custom.min.js``: scatterpolar, bar, heatmap and box only).

Text that comes from people (city names, round names, notes) must go through
``chart_text`` before it enters a figure: plotly.js reads a few HTML-like tags in labels,
so ``<`` and ``&`` are escaped and show as typed.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import plotly.graph_objects as go

# Colours that keep a 3:1 contrast against white (WCAG 1.4.11) and stay apart for the
# common colour-vision deficiencies; the lines also differ by dash, so colour is not needed.
CITY_COLOUR = "#1a5fb4"
TARGET_COLOUR = "#1b1b1b"
REGION_COLOUR = "#b35900"
PREVIOUS_COLOUR = "#6a3d9a"
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
