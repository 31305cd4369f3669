"""survey.js in a real browser: autosave while answering, offline retries, "none of these"."""

from __future__ import annotations

import re

import pytest

from assessment.config import load_settings
from assessment.questionnaire import Questionnaire, QuestionType, load_questionnaire

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

SAVED = re.compile(r"Saved at \d")


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return load_questionnaire(load_settings({}).questionnaire_path)


def open_element(browsing, world, element_id: str):
    page, watch = browsing.open("official")
    page.goto(f"/assessments/{world.kigali_draft}/elements/{element_id}")
    return page, watch


def test_answers_save_themselves_and_survive_a_reload(browsing, world, questionnaire) -> None:
    element = questionnaire.elements[1]
    question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    page, _watch = open_element(browsing, world, element.id)
    status = page.locator("#save-status")
    radios = page.locator(f"input[name='{question.field_name}']")
    current = page.locator(f"input[name='{question.field_name}']:checked")
    value = "1" if current.count() and current.get_attribute("value") == "4" else "4"
    page.locator(f"input[name='{question.field_name}'][value='{value}']").check()
    expect(status).to_have_text(SAVED)
    note = page.locator(f"textarea[name='note_{question.id}']")
    page.locator(f"#q-{question.id} summary").click()
    with page.expect_response(lambda r: r.url.endswith("/autosave")) as saving:
        note.press_sequentially("Asked the ICT office", delay=20)
    assert saving.value.json()["status"] == "saved"
    expect(status).to_have_text(SAVED)
    page.reload()
    expect(page.locator(f"input[name='{question.field_name}'][value='{value}']")).to_be_checked()
    expect(note).to_have_value("Asked the ICT office")
    assert radios.count() >= 5


def test_offline_changes_are_retried_until_the_connection_returns(browsing, world,
                                                                  questionnaire) -> None:
    element = questionnaire.elements[1]
    question = [q for q in element.questions if q.type is QuestionType.MATURITY][-1]
    page, watch = open_element(browsing, world, element.id)
    status = page.locator("#save-status")
    page.context.set_offline(True)
    page.locator(f"input[name='{question.field_name}'][value='2']").check()
    expect(status).to_contain_text("Not saved: no connection")
    expect(status).to_have_class(re.compile("is-error"))
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text(SAVED)
    page.reload()
    expect(page.locator(f"input[name='{question.field_name}'][value='2']")).to_be_checked()
    # Chromium logs the failed attempts; they were expected.
    watch.console_errors[:] = [e for e in watch.console_errors if "ERR_INTERNET_DISCONNECTED" not in e]


def test_none_of_these_unticks_the_other_choices(browsing, world, questionnaire) -> None:
    question = next(q for q in questionnaire.questions
                    if q.type is QuestionType.MULTIPLE_CHOICE and any(o.exclusive for o in q.options))
    none = next(o for o in question.options if o.exclusive)
    others = [o for o in question.options if not o.exclusive][:2]
    page, _watch = open_element(browsing, world, question.element_id)
    box = lambda key: page.locator(f"input[name='{question.field_name}'][value='{key}']")  # noqa: E731
    for option in others:
        box(option.key).check()
    box(none.key).check()
    for option in others:
        expect(box(option.key)).not_to_be_checked()
    box(others[0].key).check()
    expect(box(none.key)).not_to_be_checked()
    expect(page.locator("#save-status")).to_have_text(SAVED)


def test_the_answered_badge_follows_an_autosave_without_a_reload(browsing, world, questionnaire) -> None:
    page, _watch = browsing.open("official")
    for element in questionnaire.elements:  # the demo draft is half filled in: find a blank question
        page.goto(f"/assessments/{world.kigali_draft}/elements/{element.id}")
        blank = [q for q in element.questions if q.type is QuestionType.MATURITY
                 and page.locator(f"#q-{q.id}-title .q-done").count() == 0]
        if blank:
            break
    assert blank, "the demo draft should leave a maturity question blank"
    question = blank[0]
    with page.expect_response(lambda r: r.url.endswith("/autosave")):
        page.locator(f"input[name='{question.field_name}'][value='2']").check()
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect(page.locator(f"#q-{question.id}-title .q-done")).to_have_count(1)


def test_a_refused_value_is_explained_at_its_field_and_cleared_once_corrected(browsing, world,
                                                                             questionnaire) -> None:
    question = next(q for q in questionnaire.questions if q.type is QuestionType.NUMBER)
    page, _watch = open_element(browsing, world, question.element_id)
    field = page.locator(f"input[name='{question.field_name}']")
    with page.expect_response(lambda r: r.url.endswith("/autosave")) as saving:
        field.fill("twelve")
        field.blur()
    assert saving.value.json()["status"] == "invalid"
    message = page.locator(f"#q-{question.id}-errors")
    expect(message).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    assert f"q-{question.id}-errors" in (field.get_attribute("aria-describedby") or "")
    with page.expect_response(lambda r: r.url.endswith("/autosave")) as saving:
        field.fill("12")
        field.blur()
    assert saving.value.json()["status"] == "saved"
    expect(message).to_have_count(0)
    expect(field).not_to_have_attribute("aria-invalid", "true")
