"""The review loop in a real browser, with two people at once: the regional office queries an
answer and returns the assessment, the city replies with a document and sends it back, the
office validates; every page of the loop passes axe."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import Browsing, _create_officials, assert_accessible

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _submitted_african_assessment(browsing: Browsing) -> tuple[int, str, date | None]:
    """A submitted 2026 assessment of an African city other than Kigali and Nairobi, with an
    official account made for its city."""
    from assessment.assessments.models import Assessment, AssessmentStatus, Round
    from assessment.places.models import City, Country, Region

    server = browsing.server
    with server.session() as session:
        row = session.execute(
            select(Assessment.id, City.name, Round.closes_on)
            .join(City, City.id == Assessment.city_id).join(Round, Round.id == Assessment.round_id)
            .join(Country, Country.id == City.country_id).join(Region, Region.id == Country.region_id)
            .where(Region.name == "Africa", Round.name == "2026",
                   Assessment.status == AssessmentStatus.SUBMITTED,
                   City.name.not_in(("Kigali", "Nairobi")))
            .order_by(City.name).limit(1)).one()
    if "review_city" not in server.accounts:
        _create_officials(server, {"review_city": row[1]})
    return int(row[0]), str(row[1]), row[2]


def test_the_review_loop_with_two_people(browsing: Browsing) -> None:
    assessment_id, city, closes_on = _submitted_african_assessment(browsing)
    office, _ = browsing.open("regional")
    official, _ = browsing.open("review_city")

    # The regional office finds the assessment in its queue and queries the first answer.
    office.goto("/review")
    expect(office.get_by_role("heading", name="Assessments waiting for review")).to_be_visible()
    assert_accessible(office, "the reviewer's queue")
    link = office.locator(f"a[href='/assessments/{assessment_id}/review']")
    expect(link).to_contain_text(city)
    link.click()
    expect(office).to_have_url(re.compile(rf"/assessments/{assessment_id}/review$"))
    assert_accessible(office, "the review page")
    answer = office.locator("article.review-answer").first
    answer.get_by_label("Query it: ask the city a question").check()
    answer.get_by_label("Comment (the city sees it)").fill("Which council decision adopted this?")
    answer.get_by_role("button", name=re.compile("^Record the decision")).click()
    expect(office.locator(".flash-success")).to_contain_text("Decision recorded")
    expect(office.locator("#review-status")).to_have_text("In review")
    if closes_on is not None and closes_on < date.today():
        office.get_by_label("New deadline for the city").fill((date.today() + timedelta(days=30)).isoformat())
    office.get_by_label("Message to the city (optional)").fill("One question on the first element.")
    office.get_by_role("button", name="Return to the city with the queries").click()
    expect(office.locator("#review-status")).to_have_text("Returned with queries")

    # The city sees the query where it applies, replies with a document, and sends it back.
    official.goto(f"/assessments/{assessment_id}/queries")
    expect(official.locator("main")).to_contain_text("Which council decision adopted this?")
    expect(official.locator("main")).to_contain_text("One question on the first element.")
    assert_accessible(official, "the city's queries page")
    query = official.locator("article.review-answer").first
    query.get_by_label("Your reply").fill("Council decision 14/2025, attached.")
    query.get_by_label("Add a document (optional)").set_input_files(
        {"name": "decision-14-2025.pdf", "mimeType": "application/pdf", "buffer": PDF})
    query.get_by_role("button", name=re.compile("^Send the reply")).click()
    expect(official.locator(".flash-success")).to_contain_text("Your reply is saved")
    official.get_by_role("button", name="Send back for review").click()
    expect(official.locator("#queries-status")).to_have_text("Resubmitted")

    # The office reads the reply and the document, accepts the answer and validates.
    office.reload()
    expect(office.locator("#review-status")).to_have_text("Resubmitted")
    answer = office.locator("article.review-answer").first
    expect(answer).to_contain_text("Council decision 14/2025, attached.")
    with office.expect_download() as download:
        answer.get_by_role("link", name="decision-14-2025.pdf").click()
    assert download.value.suggested_filename == "decision-14-2025.pdf"
    answer.get_by_label("Accept the answer").check()
    answer.get_by_role("button", name=re.compile("^Record the decision")).click()
    expect(office.locator(".flash-success")).to_contain_text("Decision recorded")
    office.get_by_role("button", name="Validate the assessment").click()
    expect(office.locator("#review-status")).to_have_text("Validated")
    assert_accessible(office, "a validated review")

    # The city's report shows both scores.
    official.goto(f"/assessments/{assessment_id}/report")
    expect(official.get_by_role("heading", name="Self-assessed and reviewed scores")).to_be_visible()
    assert_accessible(official, "a report with the reviewed scores")
