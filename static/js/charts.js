/*
 * Draws every chart on the page with the app's own plotly.js bundle.
 *
 * Convention (shared by the city report and the regional dashboard):
 *   - Python builds a plotly figure and passes `figure_payload(fig)` (assessment/results/charts.py)
 *     to the template: a JSON-safe dict {data, layout[, config]}.
 *   - The template writes it as JSON data, never as code, next to an empty container:
 *       <div class="chart" data-figure="radar-figure" hidden></div>
 *       <script type="application/json" id="radar-figure">{{ figure|tojson }}</script>
 *     The container's `data-figure` names the id of its data block. Jinja's `tojson` escapes
 *     <, > and &, so text in the figure cannot close the block.
 *   - The page loads static/vendor/plotly-custom.min.js, then this file, both with `defer`.
 *     No inline script is needed, so the Content-Security-Policy stays `script-src 'self'`.
 *   - Containers start `hidden`: without JavaScript (or if the bundle fails to load) the
 *     table that holds the same numbers is the content and no empty box is left behind.
 *   - `config` in the payload is merged over DEFAULT_CONFIG below.
 *   - `narrow` in the payload ({maxWidth, layout}) is merged over the layout when the
 *     container is at most maxWidth pixels wide when first drawn (phones).
 */
(function () {
  "use strict";

  var DEFAULT_CONFIG = {
    responsive: true,
    displaylogo: false,
    // No tool bar: its buttons would be focusable inside a role="img" chart (WCAG 4.1.2).
    displayModeBar: false,
    scrollZoom: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "sendDataToCloud", "editInChartStudio"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };

  function readFigure(container) {
    var source = document.getElementById(container.getAttribute("data-figure"));
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function merged(base, extra) {
    var result = Object.assign({}, base);
    Object.keys(extra).forEach(function (key) {
      result[key] = isObject(base[key]) && isObject(extra[key]) ? merged(base[key], extra[key]) : extra[key];
    });
    return result;
  }

  function draw(container) {
    var figure = readFigure(container);
    if (!figure) {
      return;
    }
    var config = Object.assign({}, DEFAULT_CONFIG, figure.config || {});
    container.hidden = false;
    container.classList.add("chart-drawn");
    var layout = figure.layout || {};
    if (figure.narrow && container.clientWidth <= figure.narrow.maxWidth) {
      layout = merged(layout, figure.narrow.layout || {});
    }
    window.Plotly.newPlot(container, figure.data || [], layout, config);
  }

  function drawAll() {
    if (!window.Plotly) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-figure]"), draw);
  }

  // Printing changes the page width: redraw at the paper's width, then back.
  function resizeAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".chart-drawn"), function (chart) {
      window.Plotly.Plots.resize(chart);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
