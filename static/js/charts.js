/*
 * Makes a chart interactive when the reader asks for it.
 *
 * Every chart is already in the page, drawn on the server as SVG (assessment/charts, through
 * templates/_chart.html): it shows at the first paint, without JavaScript, in print and in a
 * PDF. Beside it, the same figure as plotly data, and a hidden button:
 *
 *   <div class="chart" data-figure="radar-figure">
 *     <div class="chart-svg chart-svg-wide"><svg role="img">…</svg></div>
 *     <div class="chart-svg chart-svg-narrow" hidden><svg role="img">…</svg></div>   (phones)
 *   </div>
 *   <script type="application/json" id="radar-figure">{"data": …, "layout": …}</script>
 *   <button data-interactive-chart="radar-figure" hidden>Interactive chart</button>
 *
 * This file shows the buttons. A click loads the plotly.js bundle named by this script's
 * data-plotly attribute (static/vendor/plotly-custom.min.js, about 430 KB compressed: some
 * nine seconds on a 400 kbit/s link, which is why it is never loaded unasked), then draws the
 * figure in the place and at the size of the drawing, so nothing below it moves. The figure's
 * `config` is merged over DEFAULT_CONFIG; its `narrow` layout ({maxWidth, layout}) is merged
 * over the layout when the phone drawing is the one on screen. Printing keeps the drawing.
 * The data is JSON, never code (Jinja's `tojson` escapes <, > and &), and no inline script is
 * needed, so the Content-Security-Policy stays `script-src 'self'`.
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

  var bundle = document.currentScript && document.currentScript.getAttribute("data-plotly");
  var waiting = null;  // callbacks while the bundle loads

  function withPlotly(done, failed) {
    if (window.Plotly) {
      done();
      return;
    }
    if (waiting) {
      waiting.push([done, failed]);
      return;
    }
    waiting = [[done, failed]];
    var script = document.createElement("script");
    script.src = bundle;
    function settle() {
      var callbacks = waiting;
      waiting = null;
      callbacks.forEach(function (pair) { (window.Plotly ? pair[0] : pair[1])(); });
    }
    script.addEventListener("load", settle);
    script.addEventListener("error", function () {
      script.remove();
      settle();
    });
    document.head.appendChild(script);
  }

  function readFigure(id) {
    var source = document.getElementById(id);
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

  // The drawing on screen: the wide one, or the phone one on a narrow screen.
  function shownDrawing(container) {
    var drawings = container.querySelectorAll(".chart-svg");
    for (var i = 0; i < drawings.length; i += 1) {
      if (drawings[i].getBoundingClientRect().width > 0) {
        return drawings[i];
      }
    }
    return null;
  }

  function draw(container, figure) {
    var drawing = shownDrawing(container);
    var svg = drawing && drawing.querySelector("svg");
    var box = (svg || container).getBoundingClientRect();
    var layout = figure.layout || {};
    if (figure.narrow && drawing && drawing.classList.contains("chart-svg-narrow")) {
      layout = merged(layout, figure.narrow.layout || {});
    }
    // The drawing's height, so the interactive chart takes exactly its room.
    layout = merged(layout, { height: Math.round(box.height) });
    var plot = document.createElement("div");
    plot.className = "chart-plotly";
    plot.style.height = Math.round(box.height) + "px";
    plot.setAttribute("role", "img");
    var title = svg && svg.querySelector("title");
    if (title) {
      plot.setAttribute("aria-label", title.textContent);
    }
    plot.setAttribute("tabindex", "-1");
    container.appendChild(plot);
    container.classList.add("chart-interactive");
    var config = Object.assign({}, DEFAULT_CONFIG, figure.config || {});
    window.Plotly.newPlot(plot, figure.data || [], layout, config);
    return plot;
  }

  function offer(button) {
    var id = button.getAttribute("data-interactive-chart");
    var container = document.querySelector('.chart[data-figure="' + id + '"]');
    var figure = readFigure(id);
    var actions = button.parentNode;
    var status = actions.querySelector(".chart-status");
    if (!container || !figure || !bundle) {
      return;
    }
    var busy = false;
    button.hidden = false;
    button.addEventListener("click", function () {
      if (busy) {
        return;
      }
      busy = true;
      button.setAttribute("aria-disabled", "true");
      status.textContent = status.getAttribute("data-loading");
      withPlotly(function () {
        var plot = draw(container, figure);
        status.textContent = "";
        // The button has done its work: the hint on using the chart takes its place.
        Array.prototype.forEach.call(actions.querySelectorAll("[data-interactive-hint]"), function (hint) {
          hint.hidden = false;
        });
        // The button goes; the reader stays at the chart that took its place.
        plot.focus({ preventScroll: true });
        button.hidden = true;
      }, function () {
        busy = false;
        button.removeAttribute("aria-disabled");
        status.textContent = status.getAttribute("data-failed");
      });
    });
  }

  function offerAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-interactive-chart]"), offer);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", offerAll);
  } else {
    offerAll();
  }
})();
