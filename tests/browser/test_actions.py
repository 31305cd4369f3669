"""The action plan in a real browser: from a recommendation of the report into the plan, changed,
seen in the report, and carried into the next round."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import PASSWORD, Account, Browsing, LiveServer, assert_accessible

pytestmark = pytest.mark.browser

EMAIL = "plan@browser.example.org"


@dataclass(frozen=True)
class PlanCity:
    name: str
    submitted_2025: int
    submitted_2026: int


@pytest.fixture(scope="module")
def plan_city(live_server: LiveServer) -> PlanCity:
    """An official of the first city (by name) that submitted both demo rounds, other than the
    demo's own planners, Kigali and Nairobi; no other journey writes to it."""
    from werkzeug.security import generate_password_hash

    from assessment.assessments.models import Assessment, AssessmentStatus, Round
    from assessment.auth.models import Role
    from assessment.auth.services import create_user
    from assessment.places.models import City

    def submitted(round_name: str):  # type: ignore[no-untyped-def]
        return (select(Assessment.id, Assessment.city_id).join(Round, Round.id == Assessment.round_id)
                .where(Round.name == round_name, Assessment.status == AssessmentStatus.SUBMITTED)
                .subquery())

    first, second = submitted("2025"), submitted("2026")
    with live_server.session() as session:
        row = session.execute(
            select(City, first.c.id, second.c.id)
            .join(first, first.c.city_id == City.id).join(second, second.c.city_id == City.id)
            .where(City.name.not_in(["Kigali", "Nairobi"])).order_by(City.name).limit(1)
        ).first()
        assert row is not None, "the demo seed should leave a city that submitted both rounds"
        city, id_2025, id_2026 = row
        if "plan" not in live_server.accounts:
            create_user(session, email=EMAIL, password=PASSWORD, role=Role.OFFICIAL, city=city,
                        name="Browser planner",
                        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
            session.commit()
            live_server.accounts["plan"] = Account(EMAIL, PASSWORD)
        return PlanCity(city.name, int(id_2025), int(id_2026))


def test_an_official_plans_a_recommendation_changes_it_and_sees_it_in_the_report(
        browsing: Browsing, plan_city: PlanCity) -> None:
    page, _watch = browsing.open("plan")
    report = f"/assessments/{plan_city.submitted_2025}/report"
    page.goto(report)
    first = page.locator(".recommendation-improve").first
    advice = first.locator(".recommendation-text").inner_text().strip()

    first.get_by_role("button", name=re.compile(r"^Add to action plan")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action to the plan")
    expect(page.get_by_label("Action", exact=True)).to_have_value(advice)
    page.get_by_label("Owner").fill("Innovation unit")
    page.get_by_label("Due date (optional)").fill("2026-09-30")
    assert_accessible(page, "the new action's form")
    page.get_by_role("button", name="Add to the plan").click()

    expect(page).to_have_url(re.compile(rf"/assessments/{plan_city.submitted_2025}/actions#action-\d+$"))
    row = page.locator("tbody tr", has_text="Innovation unit")
    expect(row).to_contain_text(advice)
    expect(row).to_contain_text("Planned")
    assert_accessible(page, "the action plan")

    row.get_by_role("link", name=re.compile(r"^Change")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change an action")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Note (optional)").fill("Budget agreed with finance.")
    assert_accessible(page, "the action's form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_have_text("The action is saved.")
    expect(row).to_contain_text("In progress")
    expect(row).to_contain_text("Budget agreed with finance.")

    page.goto(report)
    expect(first.locator(".recommendation-plan")).to_contain_text(
        "In the action plan: In progress · Innovation unit")
    assert_accessible(page, "the report with a recommendation in the plan")

    page.goto(f"/assessments/{plan_city.submitted_2026}/actions")
    carried = page.locator("tbody tr", has_text="Innovation unit")
    expect(carried).to_contain_text("Made in 2025.")
    expect(carried).to_contain_text(re.compile(r"(Up [\d.]+|Down [\d.]+|No change) since 2025"))


def test_the_report_button_opens_the_filled_in_form_without_javascript(
        browsing: Browsing, plan_city: PlanCity) -> None:
    page, _watch = browsing.page(browsing.context("plan", java_script_enabled=False))
    page.goto(f"/assessments/{plan_city.submitted_2026}/report")
    first = page.locator(".recommendation-improve").first
    advice = first.locator(".recommendation-text").inner_text().strip()

    first.get_by_role("button", name=re.compile(r"^Add to action plan")).click()

    expect(page.get_by_label("Action", exact=True)).to_have_value(advice)
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{plan_city.submitted_2026}/actions$"))
