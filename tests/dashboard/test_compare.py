"""Compare two to six cities side by side: scores, gaps to the targets, the distance between
the highest and the lowest, action-plan progress; only cities the reader may see."""

from __future__ import annotations

import pytest

from assessment.actions.models import Action, ActionStatus
from assessment.assessments.models import AssessmentStatus
from assessment.auth.models import Role
from tests.dashboard.conftest import table


@pytest.fixture()
def regional(make, login, world, db_session):
    world.assessments[("B2", "R2")].status = AssessmentStatus.DRAFT
    db_session.flush()
    return login(make.user(Role.REGIONAL, region=world.region))


def compare_page(client, *cities, **params) -> str:
    response = client.get("/dashboard/compare", query_string={"city": list(cities), **params})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_two_cities_side_by_side(client, world, regional, questionnaire) -> None:
    html = compare_page(client, world.cities["A1"].id, "A2 (Aland)", round=world.r2.id)
    rows = {r["Element"]: r for r in table(html, "Scores of the compared cities, round R2")}
    civic = rows["Promote civic technology"]
    target = next(e.target_percent for e in questionnaire.elements if e.id == "civic_tech")
    assert (civic["A1 (Aland)"], civic["A2 (Aland)"], civic["Highest minus lowest"]) == (
        "40.0", "80.0", "40.0")
    assert rows["Overall index"]["A1 (Aland)"] == "50.0" and rows["Overall index"]["A2 (Aland)"] == "60.0"
    gaps = {r["Element"]: r for r in table(html, "Score minus the recommended target")}
    assert gaps["Promote civic technology"]["A1 (Aland)"] == f"{40 - target:+.1f}"
    # Each city's name links to its report; the radar draws both.
    assert f'/assessments/{world.assessments[("A1", "R2")].id}/report' in html
    assert 'id="chart-compare' in html


def test_the_newest_round_with_scores_is_shown_by_default(client, make, world, regional) -> None:
    make.round(name="R9", opens_on=world.r2.opens_on.replace(year=2030))
    html = compare_page(client, world.cities["A1"].id, world.cities["A2"].id)
    assert "Scores in round R2" in html
    # B2 is a draft in R2: both have scores only in R1.
    html = compare_page(client, world.cities["A1"].id, world.cities["B2"].id)
    assert "Scores in round R1" in html


def test_a_city_without_scores_is_shown_with_its_status(client, world, regional) -> None:
    html = compare_page(client, world.cities["A1"].id, world.cities["B3"].id, world.cities["B2"].id,
                        round=world.r2.id)
    rows = {r["Element"]: r for r in table(html, "Scores of the compared cities, round R2")}
    assert rows["Status"]["B3 (Beland)"].startswith("Not started")
    assert rows["Status"]["B2 (Beland)"] == "Draft"
    assert rows["Promote civic technology"]["B2 (Beland)"] == "–"
    # A distance needs two scores: only A1 has one.
    assert rows["Promote civic technology"]["Highest minus lowest"] == "–"


def test_action_plan_progress(client, db_session, world, regional) -> None:
    a1 = world.assessments[("A1", "R2")]
    for status in (ActionStatus.DONE, ActionStatus.DONE, ActionStatus.IN_PROGRESS):
        db_session.add(Action(city_id=a1.city_id, assessment_id=a1.id,
                              questionnaire_version_id=a1.questionnaire_version_id,
                              element_id="civic_tech", text="Open the data portal", owner="IT",
                              status=status))
    db_session.flush()
    html = compare_page(client, world.cities["A1"].id, world.cities["A2"].id, round=world.r2.id)
    rows = {r["Status"]: r for r in table(html, "Actions planned in round R2")}
    assert rows["Done"]["A1 (Aland)"] == "2" and rows["In progress"]["A1 (Aland)"] == "1"
    assert rows["Done, of all actions"]["A1 (Aland)"] == "2 of 3"
    assert rows["Done, of all actions"]["A2 (Aland)"] == "0 of 0"


def test_one_city_is_not_a_comparison_and_six_is_the_most(client, make, world, regional) -> None:
    html = compare_page(client, world.cities["A1"].id)
    assert "Choose at least 2 cities to compare." in html
    extra = [make.city(country=world.cities["A1"].country, name=f"C{i}").id for i in range(6)]
    html = compare_page(client, world.cities["A1"].id, *extra, round=world.r2.id)
    assert "At most 6 cities can be compared" in html
    header = table(html, "Scores of the compared cities")[0].keys()
    assert "A1 (Aland)" in header and "C4 (Aland)" in header and "C5 (Aland)" not in header


def test_a_city_outside_the_readers_region_cannot_be_chosen(client, world, regional) -> None:
    html = compare_page(client, world.cities["A1"].id, world.cities["X1"].id, "X1 (Faraway)",
                        round=world.r2.id)
    assert "No city is called “X1 (Faraway)”" in html
    assert "Choose at least 2 cities to compare." in html
    assert "100.0" not in html


def test_an_unknown_name_is_said_with_suggestions(client, world, regional) -> None:
    html = compare_page(client, "A2 (Alnd)", world.cities["A1"].id)
    assert "No city is called “A2 (Alnd)”. Did you mean A2 (Aland)" in html


def test_the_dashboard_links_the_comparison(client, world, regional) -> None:
    html = client.get("/dashboard").get_data(as_text=True)
    assert f'href="/dashboard/compare?round={world.r2.id}"' in html
