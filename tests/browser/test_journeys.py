"""What each kind of user comes to do, start to finish, in a real browser."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlalchemy import text

from assessment.config import load_settings
from assessment.questionnaire import Element, Question, Questionnaire, QuestionType, load_questionnaire
from tests.browser.conftest import (
    PHONE,
    Browsing,
    World,
    assert_accessible,
    assessment_id_for,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return load_questionnaire(load_settings({}).questionnaire_path)


# --- screenshots for the README -------------------------------------------------------------
# First in this module, before the journeys change any answer, so the pictures only change
# when the pages do.


def test_screenshots_of_the_main_pages(browsing: Browsing, world: World) -> None:
    shots = [
        ("official-home", "official", "/assessments", None),
        ("element-page", "official", f"/assessments/{world.kigali_draft}/elements/{world.elements[0]}",
         None),
        ("report", "official", f"/assessments/{world.kigali_submitted}/report",
         ".chart-svg-wide svg[role=img]"),
        ("dashboard", "regional", "/dashboard", ".chart-svg-wide svg[role=img]"),
        ("dashboard-trends", "regional", f"/dashboard/trends?city={world.kigali}",
         ".chart-svg-wide svg[role=img]"),
        ("dashboard-compare", "regional",
         "/dashboard/compare?city=Kigali%20(Rwanda)&city=Nairobi%20(Kenya)",
         ".chart-svg-wide svg[role=img]"),
        ("open-data", "official", "/open-data", None),
        ("exports", "analyst", "/exports", None),
    ]
    for name, account, url, wait_for in shots:
        page, _watch = browsing.open(account)
        page.goto(url, wait_until="networkidle")
        if wait_for:
            page.locator(wait_for).first.wait_for()
        assert screenshot(page, name).stat().st_size > 10_000

    page, _watch = browsing.open("official", viewport=PHONE, is_mobile=True, has_touch=True,
                                 device_scale_factor=2)
    page.goto(f"/assessments/{world.kigali_draft}/elements/{world.elements[0]}",
              wait_until="networkidle")
    assert screenshot(page, "phone-element-page", max_height=1000).stat().st_size > 10_000


# --- answering the questionnaire ------------------------------------------------------


def planned_answer(question: Question) -> str:
    """The answer the journey gives: a value in the middle of what each question accepts."""
    if question.type is QuestionType.MATURITY:
        return "3"
    if question.type is QuestionType.YES_NO:
        return "yes"
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        options = [o for o in question.options if not o.exclusive]
        return options[len(options) // 2].key
    if question.type is QuestionType.NUMBER:
        low = question.min_value or 0
        high = question.max_value if question.max_value is not None else low + 100
        return str(int((low + high) / 2))
    return f"https://example.org/evidence/{question.id}"


def answer_element(page: Any, element: Element) -> None:
    for question in element.questions:
        value = planned_answer(question)
        # The draft may say "Don't know" or "Not applicable" as a box beside the answer.
        for flag in ("dk", "na"):
            box = page.locator(f"input[name='{flag}_{question.id}']")
            if box.count():
                box.uncheck()
        if question.type is QuestionType.EVIDENCE:
            page.locator(f"input[name='url_{question.id}']").fill(value)
        elif question.type is QuestionType.NUMBER:
            page.locator(f"input[name='{question.field_name}']").fill(value)
        elif question.type is QuestionType.MULTIPLE_CHOICE:
            # Start from a clean slate: the draft may already have other options ticked.
            boxes = page.locator(f"input[name='{question.field_name}']")
            for index in range(boxes.count()):
                boxes.nth(index).uncheck()
            page.locator(f"input[name='{question.field_name}'][value='{value}']").check()
        else:
            page.locator(f"input[name='{question.field_name}'][value='{value}']").check()


def expect_element_answered(page: Any, element: Element) -> None:
    for question in element.questions:
        value = planned_answer(question)
        if question.type is QuestionType.EVIDENCE:
            expect(page.locator(f"input[name='url_{question.id}']")).to_have_value(value)
        elif question.type is QuestionType.NUMBER:
            expect(page.locator(f"input[name='{question.field_name}']")).to_have_value(value)
        else:
            expect(page.locator(f"input[name='{question.field_name}'][value='{value}']")).to_be_checked()


def fill_in_and_submit(page: Any, questionnaire: Questionnaire, account: Any,
                       javascript: bool) -> int:
    """Sign in, answer every element, reload and check, submit; returns the assessment id."""
    sign_in(page, account)
    expect(page).to_have_url(re.compile(r"/assessments$"))
    page.get_by_role("link", name="Continue").first.click()
    match = re.search(r"/assessments/(\d+)$", page.url)
    assert match, f"the official home did not lead to an assessment: {page.url}"
    assessment_id = int(match.group(1))

    elements = questionnaire.elements
    page.goto(f"/assessments/{assessment_id}/elements/{elements[0].id}")
    if javascript:
        # Answers are saved in the background: they survive a reload without pressing Save.
        answer_element(page, elements[0])
        expect(page.locator("#save-status")).to_have_class(re.compile(r"\bis-saved\b"))
        page.reload()
        expect_element_answered(page, elements[0])
    for index, element in enumerate(elements):
        expect(page.locator("h1")).to_have_text(str(element.title))
        answer_element(page, element)
        last = index == len(elements) - 1
        name = "Save and review before submitting" if last else "Save and go to the next element"
        page.get_by_role("button", name=name).click()
        page.wait_for_load_state()
        assert page.locator(".error, .has-conflict").count() == 0, (
            f"saving {element.id} was refused: {page.locator('main').inner_text()[:800]}")
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/submit$"))

    # Everything is still there after leaving and coming back.
    for element in elements:
        page.goto(f"/assessments/{assessment_id}/elements/{element.id}")
        expect_element_answered(page, element)

    page.goto(f"/assessments/{assessment_id}/submit")
    page.get_by_label(re.compile("I confirm")).check()
    page.locator("main form").get_by_role("button", name=re.compile("Submit")).click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/report$"))
    expect(page.locator(".flash-success")).to_contain_text("submitted")
    return assessment_id


def test_official_fills_in_saves_submits_and_sees_the_radar_chart(
        browsing: Browsing, questionnaire: Questionnaire) -> None:
    page, _watch = browsing.open()
    fill_in_and_submit(page, questionnaire, browsing.server.accounts["journey"], javascript=True)
    expect_radar_chart(page)


def test_official_without_javascript_fills_in_submits_and_reads_the_report(
        browsing: Browsing, questionnaire: Questionnaire) -> None:
    page, _watch = browsing.open(java_script_enabled=False)
    fill_in_and_submit(page, questionnaire, browsing.server.accounts["nojs"], javascript=False)
    # The chart is there without scripts, drawn on the server, and every score is in a table.
    expect(page.locator(".chart-svg-wide svg[role=img]")).to_be_visible()
    table = page.locator("main table").filter(has_text=str(questionnaire.elements[0].title)).first
    expect(table).to_be_visible()
    for element in questionnaire.elements:
        expect(table).to_contain_text(str(element.title))


def expect_radar_chart(page: Any) -> None:
    """The radar, drawn on the server, then on request interactive: one closed line per series
    (the city, the targets, ...) on a polar plot."""
    expect(page.locator(".chart-svg-wide svg[role=img]")).to_be_visible()
    page.get_by_role("button", name="Interactive chart").click()
    chart = page.locator(".js-plotly-plot").first
    chart.locator("svg.main-svg").first.wait_for()
    expect(chart.locator(".polarlayer")).to_have_count(1)
    assert chart.locator(".scatterlayer .trace").count() >= 2


# --- every question on one page -----------------------------------------------------------


def test_official_without_javascript_answers_everything_on_one_page_and_submits(
        browsing: Browsing, questionnaire: Questionnaire) -> None:
    page, _watch = browsing.open(java_script_enabled=False)
    sign_in(page, browsing.server.accounts["one_page"])
    expect(page).to_have_url(re.compile(r"/assessments$"))
    page.locator("main").get_by_role("button", name=re.compile(r"^Start")).first.click()
    page.wait_for_load_state()
    match = re.search(r"/assessments/(\d+)$", page.url)
    assert match, f"starting the round did not lead to its overview: {page.url}"
    assessment_id = int(match.group(1))

    page.get_by_role("link", name="All questions on one page").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/answers$"))
    expect(page.locator("h1")).to_have_text("All questions")
    expect(page.locator("h2").filter(has_text=str(questionnaire.elements[-1].title))).to_have_count(1)
    for element in questionnaire.elements:
        answer_element(page, element)
    page.get_by_label(re.compile("I confirm")).check()
    page.get_by_role("button", name="Save and submit").click()
    page.wait_for_load_state()
    assert page.locator(".error, .has-conflict").count() == 0, (
        f"the one-page form was refused: {page.locator('main').inner_text()[:800]}")

    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/report$"))
    expect(page.locator(".flash-success")).to_contain_text("submitted")
    # Without scripts the radar's figure is in the page and its numbers are in the table,
    # every element scored.
    figure = json.loads(page.locator("script#radar-figure").text_content() or "{}")
    assert any(trace.get("type") == "scatterpolar" for trace in figure.get("data", [])), figure.keys()
    table = page.locator("table.profile-table")
    for element in questionnaire.elements:
        expect(table).to_contain_text(str(element.title))
    expect(table).not_to_contain_text("Insufficient data")

    # The same official, the same report with scripts on: the radar chart is drawn.
    with_scripts, _watch = browsing.page(browsing.context(storage_state=page.context.storage_state()))
    with_scripts.goto(f"/assessments/{assessment_id}/report")
    expect_radar_chart(with_scripts)

    # Every answer is kept, and the page is now read-only.
    with_scripts.goto(f"/assessments/{assessment_id}/answers")
    for element in questionnaire.elements:
        expect_element_answered(with_scripts, element)
    expect(with_scripts.get_by_role("button", name="Save and submit")).to_have_count(0)
    expect(with_scripts.locator(f"input[name='{questionnaire.questions[0].field_name}']").first).to_be_disabled()


def test_the_one_page_form_saves_in_the_background_with_javascript(
        browsing: Browsing, questionnaire: Questionnaire) -> None:
    assessment_id = assessment_id_for(browsing.server, "one_page_js")
    page, _watch = browsing.open("one_page_js")
    page.goto(f"/assessments/{assessment_id}/answers")
    status = page.locator("#save-status")
    question = [q for q in questionnaire.elements[-1].questions if q.type is QuestionType.MATURITY][-1]
    radios = f"input[name='{question.field_name}']"
    checked = page.locator(f"{radios}:checked")
    value = "1" if checked.count() and checked.get_attribute("value") == "4" else "4"
    autosave = f"/assessments/{assessment_id}/answers/autosave"
    with page.expect_response(lambda r: r.url.endswith(autosave)) as saving:
        page.locator(f"{radios}[value='{value}']").check()
    assert saving.value.json()["status"] == "saved"
    expect(status).to_have_text(re.compile(r"Saved at \d"))
    expect(status).to_have_class(re.compile(r"\bis-saved\b"))
    page.reload()
    expect(page.locator(f"{radios}[value='{value}']")).to_be_checked()


# --- two officials, one answer ------------------------------------------------------------


def test_two_officials_editing_one_answer_see_a_conflict_not_a_silent_overwrite(
        browsing: Browsing, world: World, questionnaire: Questionnaire) -> None:
    assessment_id = assessment_id_for(browsing.server, "conflict_a")
    element = questionnaire.elements[0]
    question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    url = f"/assessments/{assessment_id}/elements/{element.id}"
    radios = f"input[name='{question.field_name}']"

    first, _ = browsing.open("conflict_a")
    second, _ = browsing.open("conflict_b")
    first.goto(url)
    second.goto(url)  # both pages now show the same revision of the answer
    stored = first.locator(f"{radios}:checked").get_attribute("value") if (
        first.locator(f"{radios}:checked").count()) else None
    theirs, mine = [level for level in ("1", "3", "0", "4", "2") if level != stored][:2]

    def label(page: Any, value: str) -> str:
        radio_id = page.locator(f"{radios}[value='{value}']").get_attribute("id")
        return str(page.locator(f"label[for='{radio_id}'] .choice-label").inner_text()).strip()

    first.locator(f"{radios}[value='{theirs}']").check()
    first.get_by_role("button", name="Save draft").click()
    expect(first.locator(".flash-success")).to_contain_text("Saved")

    second.locator(f"{radios}[value='{mine}']").check()
    second.get_by_role("button", name="Save draft").click()
    second.wait_for_load_state()
    conflict = second.locator(f"#q-{question.id} .conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text(label(second, theirs))
    expect(conflict).to_contain_text(label(second, mine))
    expect(second.locator("#page-notice")).to_contain_text("colleague")
    assert_accessible(second, "an element page showing a conflict")

    # Nothing was overwritten: the first official still finds their answer.
    first.reload()
    expect(first.locator(f"{radios}[value='{theirs}']")).to_be_checked()

    # The second official decides to keep theirs; now it is saved, knowingly.
    second.locator(f"input[name='resolve_{question.id}'][value='mine']").check()
    second.get_by_role("button", name="Save draft").click()
    expect(second.locator(".flash-success")).to_contain_text("Saved")
    first.reload()
    expect(first.locator(f"{radios}[value='{mine}']")).to_be_checked()


def test_a_wrong_answer_is_explained_next_to_its_field_and_nothing_is_lost(
        browsing: Browsing, questionnaire: Questionnaire) -> None:
    assessment_id = assessment_id_for(browsing.server, "conflict_a")
    element = next(e for e in questionnaire.elements
                   if any(q.type is QuestionType.NUMBER for q in e.questions))
    question = next(q for q in element.questions if q.type is QuestionType.NUMBER)
    page, _watch = browsing.open("conflict_a")
    page.goto(f"/assessments/{assessment_id}/elements/{element.id}")
    field = page.locator(f"input[name='{question.field_name}']")
    field.fill("about a dozen")
    # Autosave says so at once, in the status line read out by screen readers ...
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    # ... and pressing Save shows the whole page with the message by the field.
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()

    notice = page.locator("#page-notice")
    expect(notice).to_contain_text("needs correcting")
    # The summary links to the question, the message sits by the field and is announced with it.
    expect(notice.locator(f"a[href='#q-{question.id}']")).to_have_count(1)
    expect(field).to_have_value("about a dozen")
    expect(field).to_have_attribute("aria-invalid", "true")
    described = (field.get_attribute("aria-describedby") or "").split()
    assert f"q-{question.id}-errors" in described, described
    expect(page.locator(f"#q-{question.id}-errors")).to_be_visible()
    assert_accessible(page, "an element page with an answer to correct")


# --- regional office ---------------------------------------------------------------------


def test_regional_office_filters_the_dashboard_and_opens_a_city_report(browsing: Browsing) -> None:
    page, _watch = browsing.open()
    sign_in(page, browsing.server.accounts["regional"])
    expect(page).to_have_url(re.compile(r"/dashboard"))
    expect(page.locator("h1")).to_contain_text("Africa")
    page.locator(".chart-svg-wide svg[role=img]").first.wait_for()

    page.get_by_label("Country").select_option(label="Kenya")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert "country=" in page.url
    expect(page.get_by_label("Country")).to_have_value(re.compile(r"\d+"))
    cities = page.locator("table.city-table tbody th[scope=row]").all_inner_texts()
    assert cities and set(cities) <= {"Nairobi", "Mombasa", "Kisumu"}, cities

    page.get_by_label("City size").select_option(label="Large (1 to 5 million)")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    cities = page.locator("table.city-table tbody th[scope=row]").all_inner_texts()
    assert "Nairobi" in cities and "Kisumu" not in cities, cities

    page.locator("table.city-table tbody th[scope=row]").get_by_role("link", name="Nairobi").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/report$"))
    expect(page.locator("h1")).to_contain_text("Nairobi")
    page.locator(".chart-svg-wide svg[role=img]").first.wait_for()


# --- analyst -------------------------------------------------------------------------------


def test_analyst_downloads_exports_that_parse(browsing: Browsing, tmp_path: Path) -> None:
    page, _watch = browsing.open("analyst")
    page.goto("/exports")
    page.locator("input[name='table'][value='scores']").check()
    page.locator("input[name='format'][value='csv']").check()
    page.get_by_label("Region").select_option(label="Africa")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download", exact=True).click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert rows, "the scores export is empty"
    assert {row["region"] for row in rows} == {"Africa"}
    assert "Nairobi" in {row["city"] for row in rows}

    # The same table as an Excel workbook: prepared in the background, then downloaded from
    # "Your files" (without a worker, it is built right after the page comes back, which reloads
    # itself until the file is ready).
    page.locator("input[name='format'][value='xlsx']").check()
    expect(page.get_by_role("button", name="Download", exact=True)).to_be_hidden()
    page.get_by_role("button", name="Prepare the file").click()
    files = page.get_by_role("region", name="Your files", exact=True)
    expect(files).to_contain_text("Element scores, Excel workbook")
    expect(files).to_contain_text("region Africa")
    link = files.get_by_role("link", name="Download Element scores, Excel workbook").first
    try:
        # The page reloads itself every 5 s until the file is ready. A build that a busy machine
        # makes fail is tried again a minute later: allow for one retry.
        link.wait_for(timeout=150_000)
    except PlaywrightTimeout:
        with browsing.server.session() as session:  # what the database says, beside the page
            stored = session.execute(text(
                "SELECT f.id, f.status, f.error, j.status, j.attempts, j.started_at, j.finished_at, "
                "j.last_error FROM export_files f LEFT JOIN jobs j ON j.id = f.job_id")).all()
        raise AssertionError(f"the file never became ready; the list says: {files.inner_text()!r}\n"
                             f"stored (file, status, error, job status, attempts, started, "
                             f"finished, last error): {stored}\n"
                             f"server log:\n{browsing.server.log_tail()}") from None
    with page.expect_download() as info:
        link.click()
    workbook_path = tmp_path / info.value.suggested_filename
    assert workbook_path.suffix == ".xlsx"
    info.value.save_as(workbook_path)
    workbook = openpyxl.load_workbook(workbook_path, read_only=True)
    try:
        sheet = workbook.worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    assert "city" in values[0] and "region" in values[0], values[0]
    assert len(values) - 1 == len(rows)
