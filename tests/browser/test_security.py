"""Every kind of page keeps its strict Content-Security-Policy and loads nothing from elsewhere."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Browsing, World
from tests.browser.pages import PAGE_TYPES, PageType, visit

pytestmark = pytest.mark.browser


def script_sources(policy: str) -> list[str]:
    """The sources a Content-Security-Policy allows for scripts (default-src if unset)."""
    directives = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        directives[name.lower()] = values
    return directives.get("script-src", directives.get("default-src", []))


def test_script_sources_are_read_from_the_policy() -> None:
    assert script_sources("default-src 'self'; script-src 'self' 'unsafe-inline'") == [
        "'self'", "'unsafe-inline'"]
    assert script_sources("default-src 'self'; img-src data:") == ["'self'"]


@pytest.mark.parametrize("kind", PAGE_TYPES, ids=lambda kind: kind.name)
def test_page_is_strictly_policed_error_free_and_self_contained(
        browsing: Browsing, world: World, kind: PageType) -> None:
    page, watch = browsing.open(kind.account)
    visit(page, kind, world)
    page.wait_for_timeout(300)  # a late script error or policy report still counts

    # The strict policy, on the page and on every page it led to.
    assert watch.documents
    for document in watch.documents:
        policy = document.headers.get("content-security-policy", "")
        assert policy, f"{document.url} has no Content-Security-Policy"
        sources = script_sources(policy)
        assert sources == ["'self'"], f"{document.url}: script-src is {sources}"
        assert "frame-ancestors 'none'" in policy
        assert "object-src 'none'" in policy

    # Nothing in the console: no policy violation, no script error, no failed request.
    expected = []
    if kind.status >= 400:
        # Chromium logs the error status of the page itself; nothing else may be logged.
        expected = [e for e in watch.console_errors if f"status of {kind.status}" in e]
    unexpected = [e for e in watch.console_errors if e not in expected]
    assert not unexpected, f"{kind.name}: console errors:\n" + "\n".join(unexpected)
    assert not watch.page_errors, f"{kind.name}: script errors:\n" + "\n".join(watch.page_errors)

    # Every request went to the app itself.
    origin = browsing.server.url + "/"
    elsewhere = [url for url in watch.requests if not url.startswith((origin, "data:", "blob:"))]
    assert not elsewhere, f"{kind.name} asked other hosts for: {elsewhere}"
    # ... and every static file by its fingerprinted address, so browsers may keep it.
    unversioned = [url for url in watch.requests if "/static/" in url and "?v=" not in url]
    assert not unversioned, f"{kind.name} loads static files without a fingerprint: {unversioned}"
