"""The official's journey in Arabic (right to left) and in Chinese, as a browser shows it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from assessment.config import load_settings
from assessment.questionnaire import Questionnaire, load_questionnaire
from tests.browser.conftest import Browsing, assert_accessible, assessment_id_for, screenshot
from tests.browser.test_journeys import answer_element, expect_element_answered

pytestmark = pytest.mark.browser

PHONE_WIDTH = 375


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return load_questionnaire(load_settings({}).questionnaire_path)


def sign_in_anywhere(page: Any, email: str, password: str) -> None:
    """Sign in without reading any label, so it works in every language."""
    page.goto("/sign-in")
    page.locator("input[name='email']").fill(email)
    page.locator("input[name='password']").fill(password)
    page.locator("main form button[type='submit']").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, page.url


def no_sideways_scrolling(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width} px wide at {PHONE_WIDTH} px"


@pytest.mark.parametrize(("account", "locale", "tag", "direction", "sample"), [
    ("arabic", "ar-EG", "ar", "rtl", "ar"),
    ("chinese", "zh-CN", "zh-Hans", "ltr", "zh"),
])
def test_the_official_journey_in_a_language(browsing: Browsing, questionnaire: Questionnaire, account: str,
                                            locale: str, tag: str, direction: str, sample: str) -> None:
    context = browsing.context(locale=locale)
    page, _watch = browsing.page(context)
    credentials = browsing.server.accounts[account]
    sign_in_anywhere(page, credentials.email, credentials.password)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", tag)
    expect(html).to_have_attribute("dir", direction)

    assessment_id = assessment_id_for(browsing.server, account)
    page.goto(f"/assessments/{assessment_id}")
    first = questionnaire.elements[0]
    # The questionnaire speaks the reader's language too.
    expect(page.locator("main")).to_contain_text(first.title.get(sample))
    assert_accessible(page, f"the overview in {locale}")
    screenshot(page, f"{sample}-overview")

    page.goto(f"/assessments/{assessment_id}/elements/{first.id}")
    expect(page.locator("h1")).to_have_text(first.title.get(sample))
    expect(page.locator("main")).to_contain_text(first.questions[0].text.get(sample))
    if direction == "rtl":
        # Mirrored: the site's name starts at the right, and so does the first question.
        brand = page.locator(".brand").bounding_box()
        assert brand is not None and brand["x"] + brand["width"] > 1280 / 2
    answer_element(page, first)
    page.locator(f"button[name='go'][value='{questionnaire.elements[1].id}']").first.click()
    page.wait_for_load_state()
    assert page.locator(".error, .has-conflict").count() == 0, page.locator("main").inner_text()[:600]
    expect(page).to_have_url(re.compile(rf"/elements/{questionnaire.elements[1].id}$"))
    page.goto(f"/assessments/{assessment_id}/elements/{first.id}")
    expect_element_answered(page, first)
    assert_accessible(page, f"an element page in {locale}")
    screenshot(page, f"{sample}-element-page")

    page.goto(f"/assessments/{assessment_id}/report")
    expect(html).to_have_attribute("dir", direction)
    assert_accessible(page, f"the report preview in {locale}")

    phone = browsing.context(locale=locale, viewport={"width": PHONE_WIDTH, "height": 740},
                             storage_state=context.storage_state())
    small, _ = browsing.page(phone)
    pages = ("/assessments", f"/assessments/{assessment_id}",
             f"/assessments/{assessment_id}/elements/{first.id}", f"/assessments/{assessment_id}/report")
    for path in pages:
        small.goto(path)
        no_sideways_scrolling(small)
    small.goto(f"/assessments/{assessment_id}/elements/{first.id}")
    screenshot(small, f"{sample}-phone-element-page")
