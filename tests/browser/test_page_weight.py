"""Light on slow connections: bytes and requests per page, cached and compressed static files.

Sizes are what crosses the network (compressed bodies plus headers), as Chromium's
DevTools count them. The figures go to tests/artifacts/page-weight.json and to the
end of the pytest output.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Browsing, World, measure_visits
from tests.browser.pages import PAGE_TYPES, PageType

pytestmark = pytest.mark.browser

KB = 1024
QUESTIONNAIRE_BUDGET = 60 * KB
REPORT_BUDGET = 600 * KB
REPORT_REPEAT_BUDGET = 60 * KB
LONG_CACHE = 30 * 24 * 3600  # fingerprinted files should be kept far longer than a month

MEASURED = [kind for kind in PAGE_TYPES if kind.weigh]


def chart_drawn(page: Any) -> None:
    """The server-drawn chart is there; plotly.js loads only when the reader asks for it."""
    page.locator(".chart svg[role=img] >> visible=true").first.wait_for()


def interactive_chart(page: Any) -> None:
    page.get_by_role("button", name="Interactive chart").first.click()
    page.locator(".js-plotly-plot svg.main-svg").first.wait_for()


def heaviest(visit: dict[str, Any]) -> str:
    files = sorted(visit["files"].items(), key=lambda item: -item[1]["bytes"])
    return ", ".join(f"{path} {size['bytes'] / KB:.1f} KB" for path, size in files[:5])


@pytest.mark.parametrize("kind", MEASURED, ids=lambda kind: kind.name)
def test_page_weight(browsing: Browsing, world: World, kind: PageType) -> None:
    ready = chart_drawn if kind.chart else None
    visits = measure_visits(browsing, kind.name, kind.account, kind.path(world), ready)
    first, repeat = visits["first"], visits["repeat"]

    # A repeat visit takes every fingerprinted static file from the browser's cache.
    refetched = [path for path, size in repeat["files"].items()
                 if path.startswith("/static/") and not size["cached"]]
    assert not refetched, f"{kind.name}: fetched again on a repeat visit: {refetched}"
    assert repeat["bytes"] < first["bytes"] or first["requests"] == 1

    if kind.name in {"questionnaire overview", "element page", "all questions"}:
        assert first["bytes"] <= QUESTIONNAIRE_BUDGET, (
            f"{kind.name} weighs {first['bytes'] / KB:.1f} KB on a first visit "
            f"(budget {QUESTIONNAIRE_BUDGET // KB} KB): {heaviest(first)}")
    if kind.name == "report":
        assert first["bytes"] <= REPORT_BUDGET, (
            f"the report weighs {first['bytes'] / KB:.1f} KB on a first visit "
            f"(budget {REPORT_BUDGET // KB} KB): {heaviest(first)}")
        assert repeat["bytes"] <= REPORT_REPEAT_BUDGET, (
            f"the report weighs {repeat['bytes'] / KB:.1f} KB on a repeat visit "
            f"(budget {REPORT_REPEAT_BUDGET // KB} KB): {heaviest(repeat)}")


def test_static_files_are_fingerprinted_cached_and_compressed(browsing: Browsing,
                                                               world: World) -> None:
    page, _watch = browsing.open("official")
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"/assessments/{world.kigali_submitted}/report", wait_until="networkidle")
    interactive_chart(page)  # the plotly.js bundle, the largest static file, comes on request
    page.wait_for_load_state("networkidle")

    static = [r for r in responses if "/static/" in r.url]
    assert static, "the report loads no static file"
    scripts = [r for r in static if r.request.resource_type == "script"]
    assert any("plotly" in r.url for r in scripts), [r.url for r in scripts]
    for response in static:
        headers = response.all_headers()
        assert "?v=" in response.url, f"{response.url} has no fingerprint"
        cache = headers.get("cache-control", "")
        max_age = next((int(part.split("=")[1]) for part in cache.replace(" ", "").split(",")
                        if part.startswith("max-age=")), 0)
        assert max_age >= LONG_CACHE, f"{response.url}: Cache-Control {cache!r}"
        assert "immutable" in cache, f"{response.url}: Cache-Control {cache!r}"
    big = max(scripts, key=lambda r: len(r.body()))
    encoding = big.all_headers().get("content-encoding")
    assert encoding in {"gzip", "br"}, f"{big.url} is sent without compression"
    # The compressed bundle really is smaller than the script the browser runs.
    assert int(big.all_headers()["content-length"]) < len(big.body()) / 2
