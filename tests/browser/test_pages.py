"""Every kind of page, in a real browser: accessible, strictly secured, phone-sized."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Browsing, World, assert_accessible
from tests.browser.pages import PAGE_TYPES, PageType, visit

pytestmark = pytest.mark.browser

by_name = pytest.mark.parametrize("kind", PAGE_TYPES, ids=lambda kind: kind.name)


@by_name
def test_page_has_no_accessibility_violations(browsing: Browsing, world: World,
                                              kind: PageType) -> None:
    page, _watch = browsing.open(kind.account)
    visit(page, kind, world)
    assert_accessible(page, kind.name)


@by_name
def test_page_fits_a_phone_without_sideways_scrolling(browsing: Browsing, world: World,
                                                      kind: PageType) -> None:
    page, _watch = browsing.open(kind.account, viewport=PHONE, is_mobile=True, has_touch=True)
    visit(page, kind, world)
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], (
        f"{kind.name} is {widths['scroll']}px wide on a {widths['inner']}px phone screen; "
        f"widest elements: {widest_elements(page, widths['inner'])}")


def widest_elements(page: object, limit: int) -> list[str]:
    """The elements sticking out past the right edge, to say what to fix."""
    return page.evaluate(  # type: ignore[attr-defined, no-any-return]
        """(limit) => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > limit + 1)
            .slice(0, 8)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + (typeof e.className === 'string' && e.className
                    ? '.' + e.className.split(' ').join('.') : '')
                 + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')""",
        limit,
    )


def test_keyboard_users_can_skip_straight_to_the_content(browsing: Browsing, world: World) -> None:
    page, _watch = browsing.open("official")
    page.goto(f"/assessments/{world.kigali_draft}/elements/{world.elements[0]}")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to main content")
    assert skip.bounding_box()["x"] >= 0, "the skip link stays off screen when focused"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab lands inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
