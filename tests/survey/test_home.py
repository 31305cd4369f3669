"""The official's list of rounds, and starting an assessment."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from assessment.assessments.models import Assessment, AssessmentStatus
from assessment.audit.models import AuditEvent
from assessment.auth.models import Role


def test_signed_out_visitors_are_sent_to_sign_in(client) -> None:
    response = client.get("/assessments")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_only_officials_have_this_page(client, make, login) -> None:
    login(make.user(Role.REGIONAL))
    assert client.get("/assessments").status_code == 403


def test_empty_state_when_no_round_exists(client, make, login) -> None:
    login(make.user(Role.OFFICIAL))
    page = client.get("/assessments").get_data(as_text=True)
    assert "No assessment round has been opened yet" in page
    assert "/methodology" in page


def test_rounds_newest_first_with_status_completeness_and_who_saved(client, make, login, db_session) -> None:
    city = make.city(name="Huye")
    official = login(make.user(Role.OFFICIAL, city=city))
    colleague = make.user(Role.OFFICIAL, city=city, email="planner@huye.example.org")
    colleague.name = "Jean Habimana"
    r2024 = make.round("R-2024", opens_on=date(2024, 3, 1))
    r2025 = make.round("R-2025", opens_on=date(2025, 3, 1))
    r2026 = make.round("R-2026", opens_on=date(2026, 3, 1))
    make.round("R-2027", opens_on=date(2027, 3, 1))
    submitted = make.answer(make.assessment(city=city, round=r2024), 2.0, submit=True)
    draft = make.assessment(city=city, round=r2026, updated_by_id=colleague.id, completeness=0.42)
    make.assessment(city=city, round=r2025, status=AssessmentStatus.REOPENED, completeness=0.9)
    make.assessment(city=make.city(), round=r2025)  # another city's: not listed
    page = client.get("/assessments").get_data(as_text=True)

    order = [page.index(name) for name in ("R-2027", "R-2026", "R-2025", "R-2024")]
    assert order == sorted(order)
    row_2026 = page[page.index("R-2026"):page.index("R-2025")]
    assert "Draft" in row_2026 and "42%" in row_2026 and "Jean Habimana" in row_2026
    assert f"/assessments/{draft.id}" in row_2026 and "Continue" in row_2026
    row_2024 = page[page.index("R-2024"):]
    assert "Submitted" in row_2024 and f"/assessments/{submitted.id}/report" in row_2024
    assert "Reopened" in page[page.index("R-2025"):page.index("R-2024")]
    row_2027 = page[page.index("R-2027"):page.index("R-2026")]
    assert "Not started" in row_2027 and "Opens on" in row_2027 and "Start" not in row_2027
    assert official.city_id == city.id


def test_start_creates_the_assessment_with_the_rounds_version(client, make, login, db_session) -> None:
    official = login(make.user(Role.OFFICIAL))
    round_ = make.round("Open round", opens_on=date(2026, 1, 1))
    page = client.get("/assessments").get_data(as_text=True)
    assert f'name="round_id" value="{round_.id}"' in page
    response = client.post("/assessments/start", data={"round_id": round_.id})
    assessment = db_session.scalar(select(Assessment).where(Assessment.round_id == round_.id))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{assessment.id}")
    assert assessment.city_id == official.city_id
    assert assessment.questionnaire_version_id == round_.questionnaire_version_id
    assert assessment.status == AssessmentStatus.DRAFT
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.assessment_id == assessment.id))
    assert [(e.action, e.user_id) for e in events] == [("start", official.id)]


def test_starting_twice_gives_the_same_assessment(client, make, login, db_session) -> None:
    login(make.user(Role.OFFICIAL))
    round_ = make.round(opens_on=date(2026, 1, 1))
    first = client.post("/assessments/start", data={"round_id": round_.id})
    second = client.post("/assessments/start", data={"round_id": round_.id})
    assert first.headers["Location"] == second.headers["Location"]
    assert db_session.scalar(select(func.count()).select_from(Assessment).where(
        Assessment.round_id == round_.id)) == 1


def test_a_closed_round_cannot_be_started(client, make, login, db_session) -> None:
    login(make.user(Role.OFFICIAL))
    round_ = make.round(opens_on=date(2020, 1, 1))
    round_.closes_on = date(2020, 6, 1)
    page = client.get("/assessments").get_data(as_text=True)
    assert "This round has closed" in page
    response = client.post("/assessments/start", data={"round_id": round_.id}, follow_redirects=True)
    assert "is not open" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Assessment).where(
        Assessment.round_id == round_.id)) == 0


def test_only_officials_can_start(client, make, login) -> None:
    login(make.user(Role.ADMIN))
    round_ = make.round(opens_on=date(2026, 1, 1))
    assert client.post("/assessments/start", data={"round_id": round_.id}).status_code == 403
