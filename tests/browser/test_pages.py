"""Every kind of page, in a real browser: accessible, strictly secured, phone-sized."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    WCAG_TAGS,
    Browsing,
    World,
    axe_run,
    axe_violations,
    describe_violations,
)
from tests.browser.pages import PAGE_TYPES, PageType, visit

pytestmark = pytest.mark.browser

by_name = pytest.mark.parametrize("kind", PAGE_TYPES, ids=lambda kind: kind.name)

# A small phone held upright (an iPhone SE, most Android phones are 360 to 412 wide).
PHONE_WIDTH = 375
SMALL_PHONE = {"width": PHONE_WIDTH, "height": 667}

# What a page looks like at its width: how wide it is, the buttons that stick out of the
# screen, and the boxes that scroll without being reachable with Tab or without a name.
LAYOUT = """(width) => {
  const named = (e) => {
    const ids = (e.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const byIds = ids.map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
    return (byIds || e.getAttribute('aria-label') || '').trim();
  };
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className
       ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const buttons = [];
  for (const e of document.querySelectorAll(
      'main .button, main button, main input[type=submit], main input[type=button]')) {
    const box = e.getBoundingClientRect();
    if (box.width > 1 && box.height > 1 && (box.left < -1 || box.right > width + 1)) {
      buttons.push(`${describe(e)} "${e.textContent.trim().slice(0, 40)}" from ${Math.round(box.left)}`
                   + ` to ${Math.round(box.right)}px`);
    }
  }
  const scrollers = [];
  for (const e of document.querySelectorAll('body *')) {
    if (['TEXTAREA', 'SELECT'].includes(e.tagName)) continue;
    const style = getComputedStyle(e);
    const scrolls = (['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1)
      || (['auto', 'scroll'].includes(style.overflowY) && e.scrollHeight > e.clientHeight + 1);
    if (scrolls && !(e.tabIndex >= 0 && e.getAttribute('role') === 'region' && named(e))) {
      scrollers.push(`${describe(e)} (tabindex ${e.getAttribute('tabindex')}, role ${e.getAttribute('role')},`
                     + ` name "${named(e)}")`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, buttons, scrollers};
}"""


def layout(page: Any, width: int) -> dict[str, Any]:
    return page.evaluate(LAYOUT, width)  # type: ignore[no-any-return]


def settle(page: Any) -> None:
    """Two animation frames: the page has been laid out again at its new size."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


@by_name
def test_page_has_no_accessibility_violations(browsing: Browsing, world: World,
                                              kind: PageType) -> None:
    """axe at WCAG 2.2 AA on a desktop screen, then on the same page at phone width."""
    page, _watch = browsing.open(kind.account)
    visit(page, kind, world)
    found = {}
    for size in (DESKTOP, SMALL_PHONE):
        page.set_viewport_size(size)
        settle(page)
        violations = axe_violations(page)
        if violations:
            found[size["width"]] = describe_violations(violations)
        unreachable = layout(page, size["width"])["scrollers"]
        if unreachable:
            found[size["width"]] = (found.get(size["width"], "") + "\n- boxes that scroll but cannot "
                                    "be reached with Tab or have no name: " + "; ".join(unreachable))
    assert not found, f"accessibility problems on {kind.name} ({page.url}):\n" + "\n".join(
        f"at {width} px:\n{text}" for width, text in found.items())


@by_name
def test_page_fits_a_phone_without_sideways_scrolling(browsing: Browsing, world: World,
                                                      kind: PageType) -> None:
    page, _watch = browsing.open(kind.account, viewport=SMALL_PHONE, is_mobile=True, has_touch=True)
    visit(page, kind, world)
    found = layout(page, PHONE_WIDTH)
    # A phone zooms out to show a page wider than its screen, so innerWidth grows with it:
    # compare with the screen's width.
    assert found["scroll"] <= PHONE_WIDTH and found["inner"] == PHONE_WIDTH, (
        f"{kind.name} is {found['scroll']}px wide on a {PHONE_WIDTH}px phone screen; "
        f"widest elements: {widest_elements(page, PHONE_WIDTH)}")
    assert not found["buttons"], (
        f"on {kind.name}, buttons a phone shows only after scrolling sideways: {found['buttons']}")
    assert not found["scrollers"], (
        f"on {kind.name}, boxes that scroll but cannot be reached with Tab or have no name: "
        f"{found['scrollers']}")


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


def test_axe_checks_the_wcag_2_2_rules(browsing: Browsing) -> None:
    page, _watch = browsing.open(None)
    page.goto("/sign-in")
    result = axe_run(page)
    checked = {rule["id"] for kind in ("passes", "violations", "incomplete", "inapplicable")
               for rule in result[kind]}
    assert "wcag22aa" in WCAG_TAGS
    assert "target-size" in checked, "axe did not check the WCAG 2.2 target size rule"


def test_the_officials_assessments_are_cards_on_a_phone(browsing: Browsing, world: World) -> None:
    page, _watch = browsing.open("official", viewport=SMALL_PHONE, is_mobile=True, has_touch=True)
    page.goto("/assessments")
    rows = page.locator("table.rounds tbody tr")
    assert rows.count() >= 2, "Kigali's official should see the 2025 and the 2026 rounds"
    table_box = page.locator("table.rounds").bounding_box()
    assert table_box is not None and table_box["width"] <= PHONE_WIDTH
    wrap = page.locator("table.rounds").locator("xpath=..")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), "the table still scrolls sideways"
    carry_on = page.get_by_role("link", name=re.compile(r"^Continue"))
    expect(carry_on).to_be_visible()
    box = carry_on.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, box
    # Each cell says what it is, since the column headings are hidden.
    expect(rows.first.locator("td[data-label='Status']")).to_have_count(1)


def test_keyboard_users_reach_a_wide_table_and_scroll_it(browsing: Browsing) -> None:
    page, _watch = browsing.open("admin", viewport=SMALL_PHONE)
    page.goto("/admin/audit")
    region = page.locator("[role=region]").first
    assert region.evaluate("e => e.scrollWidth > e.clientWidth"), (
        "the audit table should be wider than a phone")
    reached = False
    for _ in range(120):
        page.keyboard.press("Tab")
        reached = page.evaluate("() => document.activeElement.getAttribute('role') === 'region'")
        if reached:
            break
    assert reached, "120 presses of Tab never reached the audit table"
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("tabindex", "0")
    expect(focused).to_have_accessible_name(re.compile(r"^Audit events, newest first"))
    outline = focused.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]")
    assert outline[0] != "none" and float(outline[1].removesuffix("px")) >= 2, outline
    page.keyboard.press("ArrowRight")
    expect(focused).not_to_have_js_property("scrollLeft", 0)


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
