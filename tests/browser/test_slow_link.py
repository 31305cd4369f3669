"""Charts that are there at once: the report and the dashboard on a slow link, and without scripts.

The link is Chromium's network emulation through the DevTools protocol: 400 ms latency,
400 kbit/s (50,000 bytes/s) each way, the cache disabled, in a fresh context (cold cache).
A script added before the page's own ones notes, at each animation frame, when the heading,
the numbers and the SVG chart are first on screen, and adds up layout shifts. The figures are
printed (``pytest -s`` or ``-rP`` shows them), recorded as the test's properties and written
to tests/artifacts/slow-link.json.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, Browsing, LiveServer, World

pytestmark = pytest.mark.browser

SLOW_LINK = {"offline": False, "latency": 400, "downloadThroughput": 50_000,
             "uploadThroughput": 50_000}
BUDGET_MS = 2500
MOST_LAYOUT_SHIFT = 0.01  # nothing moves: the drawing has its final size from the first paint
PLOTLY = "/static/vendor/plotly-custom.min.js"

# The page's parts that must be on screen, by CSS selector.
REPORT_PARTS = {"text": "#report-title", "numbers": ".summary-value",
                "table": "table.profile-table td.num", "chart": ".chart-svg-wide svg[role=img]"}
DASHBOARD_PARTS = {"text": "main h1", "numbers": ".stat dd",
                   "table": "table.element-table td.num", "chart": ".chart-svg-wide svg[role=img]"}

# Runs in the page before its own scripts (through the DevTools protocol, so the page's CSP
# does not apply): the time, since navigation started, when each part is first on screen.
WATCH_PARTS = """
(() => {
  const parts = %s;
  const seen = {};
  let shift = 0;
  window.__slowLink = {seen, shift: () => shift};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.hadRecentInput) shift += entry.value;
    }
  }).observe({type: "layout-shift", buffered: true});
  function look() {
    for (const [name, selector] of Object.entries(parts)) {
      if (seen[name] !== undefined) continue;
      const element = document.querySelector(selector);
      if (!element) continue;
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (box.width > 0 && box.height > 0 && style.visibility !== "hidden") {
        seen[name] = Math.round(performance.now());
      }
    }
    if (Object.keys(seen).length < Object.keys(parts).length) requestAnimationFrame(look);
  }
  requestAnimationFrame(look);
})();
"""

MEASURED: dict[str, dict[str, Any]] = {}


def fullest_report(server: LiveServer) -> int:
    """The demo's fullest report: a submitted assessment with the most questions answered, the
    most submissions of its city to compare with, and the most answers with a note or a link."""
    from assessment.assessments.models import Answer, Assessment, AssessmentStatus

    with server.session() as session:
        rows = session.execute(select(Assessment.id, Assessment.city_id, Assessment.completeness)
                               .where(Assessment.status == AssessmentStatus.SUBMITTED)).all()
        documented = dict(session.execute(
            select(Answer.assessment_id, func.count())
            .where(Answer.note.is_not(None) | Answer.evidence_url.is_not(None))
            .group_by(Answer.assessment_id)).all())
    submissions: dict[int, int] = {}
    for row in rows:
        submissions[row.city_id] = submissions.get(row.city_id, 0) + 1
    best = max(rows, key=lambda r: (r.completeness, submissions[r.city_id],
                                    documented.get(r.id, 0), r.id))
    return int(best.id)


def server_time(browsing: Browsing, account: str, path: str) -> int:
    """Warm the server's workers up on ``path`` (the first request of a worker loads plotly
    and pandas), then the time to the first byte of the page without the slow link, in ms."""
    page, _watch = browsing.open(account)
    times = []
    for _ in range(4):  # two gunicorn workers: each gets its first request out of the way
        page.goto(path)
        times.append(page.evaluate(
            "() => Math.round(performance.getEntriesByType('navigation')[0].responseStart)"))
    page.context.close()
    return int(min(times[-2:]))


def measure(browsing: Browsing, account: str, path: str, parts: dict[str, str]) -> dict[str, Any]:
    """Open ``path`` on the slow link with a cold cache; when each part showed, in ms."""
    server_ms = server_time(browsing, account, path)
    context = browsing.context(account, viewport=DESKTOP)
    page, _watch = browsing.page(context)
    page.add_init_script(WATCH_PARTS % json.dumps(parts))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)

    response = page.goto(path, wait_until="load", timeout=60_000)
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    page.wait_for_function(
        "(count) => window.__slowLink && Object.keys(window.__slowLink.seen).length === count",
        arg=len(parts), timeout=30_000)
    seen = page.evaluate("() => window.__slowLink.seen")
    timing = page.evaluate("""() => {
        const nav = performance.getEntriesByType("navigation")[0];
        const paint = performance.getEntriesByName("first-contentful-paint")[0];
        return {request_start: Math.round(nav.requestStart),
                response_start: Math.round(nav.responseStart), response_end: Math.round(nav.responseEnd),
                dom_content_loaded: Math.round(nav.domContentLoadedEventEnd),
                load: Math.round(nav.loadEventEnd),
                first_contentful_paint: paint ? Math.round(paint.startTime) : null,
                html_bytes: nav.transferSize};
    }""")
    page.wait_for_timeout(300)  # a shift after the last part showed would count too
    shift = page.evaluate("() => window.__slowLink.shift()")
    return {"path": path, "visible_ms": seen, **timing, "server_ms": server_ms,
            "layout_shift": round(shift, 4),
            "requests": len(requests), "plotly_loaded": any(PLOTLY in url for url in requests)}


def report_figures(name: str, figures: dict[str, Any], record_property: Any) -> None:
    MEASURED[name] = figures
    record_property(f"slow_link_{name}", json.dumps(figures))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "slow-link.json").write_text(json.dumps(MEASURED, indent=2) + "\n")
    shown = ", ".join(f"{part} {ms} ms" for part, ms in figures["visible_ms"].items())
    print(f"\n[slow link 400 ms / 400 kbit/s, cold cache] {name} {figures['path']}: {shown}; "
          f"first contentful paint {figures['first_contentful_paint']} ms, "
          f"DOMContentLoaded {figures['dom_content_loaded']} ms, load {figures['load']} ms, "
          f"HTML {figures['html_bytes']} bytes on the wire (first byte at "
          f"{figures['response_start']} ms; {figures['server_ms']} ms on a fast link), "
          f"{figures['requests']} requests, "
          f"layout shift {figures['layout_shift']}, plotly.js loaded: {figures['plotly_loaded']}")


def assert_fast(name: str, figures: dict[str, Any]) -> None:
    slow = {part: ms for part, ms in figures["visible_ms"].items() if ms > BUDGET_MS}
    assert not slow, f"{name}: on screen after more than {BUDGET_MS} ms: {slow} ({figures})"
    assert not figures["plotly_loaded"], f"{name}: plotly.js was loaded unasked"
    assert figures["layout_shift"] <= MOST_LAYOUT_SHIFT, f"{name}: the page moved ({figures})"


def test_the_fullest_report_shows_text_numbers_and_chart_quickly_on_a_slow_link(
        browsing: Browsing, record_property: Any) -> None:
    path = f"/assessments/{fullest_report(browsing.server)}/report"
    figures = measure(browsing, "admin", path, REPORT_PARTS)
    report_figures("report", figures, record_property)
    assert_fast("the report", figures)


def test_the_dashboard_shows_text_numbers_and_charts_quickly_on_a_slow_link(
        browsing: Browsing, record_property: Any) -> None:
    figures = measure(browsing, "regional", "/dashboard", DASHBOARD_PARTS)
    report_figures("dashboard", figures, record_property)
    assert_fast("the dashboard", figures)


# --- without JavaScript ---------------------------------------------------------------------

def expect_drawn(page: Any, figure_ids: set[str]) -> None:
    """Each chart's drawing for this screen is on screen with a size; the other is not."""
    phone = (page.viewport_size or DESKTOP)["width"] < 576
    shown, other = ("narrow", "wide") if phone else ("wide", "narrow")
    for figure_id in figure_ids:
        chart = page.locator(f'.chart[data-figure="{figure_id}"]')
        drawing = chart.locator(f".chart-svg-{shown} svg[role=img]")
        expect(drawing).to_be_visible()
        box = drawing.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 150, (figure_id, box)
        expect(chart.locator(f".chart-svg-{other} svg")).to_be_hidden()
        # Named for screen readers by its title.
        expect(drawing.locator("title")).to_have_count(1)
    # Nothing to click without scripts, and no interactive chart.
    expect(page.get_by_role("button", name="Interactive chart")).to_have_count(0)
    expect(page.locator(".js-plotly-plot")).to_have_count(0)


@pytest.mark.parametrize("viewport", [DESKTOP, {"width": 375, "height": 812}], ids=["desktop", "phone"])
def test_without_javascript_the_report_and_the_dashboard_show_their_charts(
        browsing: Browsing, world: World, viewport: dict[str, int]) -> None:
    report, _watch = browsing.open("official", java_script_enabled=False, viewport=viewport)
    report.goto(f"/assessments/{world.kigali_submitted}/report")
    expect_drawn(report, {"radar-figure"})
    # The legend's how-to waits for the interactive chart.
    expect(report.get_by_text("Select a line in the legend")).to_be_hidden()

    dashboard, _watch = browsing.open("regional", java_script_enabled=False, viewport=viewport)
    dashboard.goto("/dashboard")
    expect_drawn(dashboard, {"chart-radar", "chart-spread", "chart-change", "chart-heatmap"})
    width = dashboard.evaluate("() => document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the dashboard is {width}px wide on a {viewport['width']}px screen"


# --- the interactive chart, on request -----------------------------------------------------

def test_the_interactive_chart_loads_on_request_in_the_drawings_place(browsing: Browsing,
                                                                      world: World) -> None:
    page, _watch = browsing.open("official")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"/assessments/{world.kigali_submitted}/report", wait_until="networkidle")
    assert not any(PLOTLY in url for url in requests), "plotly.js was loaded unasked"
    chart = page.locator('.chart[data-figure="radar-figure"]')
    table = page.locator("table.profile-table")
    before, table_before = chart.bounding_box(), table.bounding_box()
    hint = page.get_by_text("Select a line in the legend")
    expect(hint).to_be_hidden()

    page.get_by_role("button", name="Interactive chart").click()
    plot = chart.locator(".js-plotly-plot")
    plot.locator("svg.main-svg").first.wait_for()
    expect(plot.locator(".polarlayer")).to_have_count(1)
    assert plot.locator(".scatterlayer .trace").count() >= 2
    assert any(PLOTLY in url for url in requests)

    # In the drawing's place and at its size: the table below has not moved.
    after, table_after = chart.bounding_box(), table.bounding_box()
    assert before and after and table_before and table_after
    assert abs(after["height"] - before["height"]) <= 1, (before, after)
    # (Boxes are measured from the viewport, which the click may have scrolled.)
    assert abs((table_after["y"] - after["y"]) - (table_before["y"] - before["y"])) <= 1, (
        before, table_before, after, table_after)
    expect(chart.locator(".chart-svg-wide")).to_be_hidden()
    expect(plot).to_have_attribute("role", "img")
    expect(plot).to_have_attribute("aria-label", "Radar chart of the element scores against the "
                                   "recommended targets. The table beside it holds the same numbers.")
    expect(page.get_by_role("button", name="Interactive chart")).to_be_hidden()
    expect(hint).to_be_visible()
    expect(plot).to_be_focused()

    # Printing keeps the drawing, which needs no script and no resizing.
    page.emulate_media(media="print")
    expect(chart.locator(".chart-svg-wide svg")).to_be_visible()
    expect(plot).to_be_hidden()


def test_the_phone_drawing_numbers_the_axes(browsing: Browsing, world: World) -> None:
    page, _watch = browsing.open("official", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"/assessments/{world.kigali_submitted}/report")
    drawing = page.locator(".chart-svg-narrow svg")
    expect(drawing).to_be_visible()
    labels = drawing.locator("text").all_text_contents()
    assert {str(n) for n in range(1, len(world.elements) + 1)} <= set(labels), labels
    # The names are in the table beside it; the wide drawing spells them round the circle.
    assert not [label for label in labels if label.startswith("1. ")], labels
    wide = page.locator(".chart-svg-wide svg text").all_text_contents()
    assert [label for label in wide if label.startswith("1. ")], wide
    box = drawing.bounding_box()
    assert box and box["width"] <= PHONE["width"]
