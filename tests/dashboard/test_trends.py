"""Trends over every round: the view's averages and one city's scores round after round, with
the rounds answered under another questionnaire version flagged."""

from __future__ import annotations

from datetime import date

import pytest

from assessment.assessments.models import AssessmentStatus
from assessment.assessments.versions import ensure_version
from assessment.auth.models import Role
from assessment.questionnaire import parse_questionnaire
from tests.dashboard.conftest import table


@pytest.fixture()
def regional(make, login, world, db_session):
    # B2 a draft in R2: counted in no round but R1.
    world.assessments[("B2", "R2")].status = AssessmentStatus.DRAFT
    db_session.flush()
    return login(make.user(Role.REGIONAL, region=world.region))


@pytest.fixture()
def r3(make, build, questionnaire, world):
    """A third round under another questionnaire version, A1 alone submitted in it."""
    other = parse_questionnaire(questionnaire.source_text.replace(
        f'version: "{questionnaire.version}"', 'version: "2099.1"'))
    version = ensure_version(make.session, other)
    round_ = make.round(name="R3", opens_on=date(2027, 3, 1), questionnaire=other)
    build.assessment(world.cities["A1"], round_, AssessmentStatus.SUBMITTED, {"civic_tech": 90}, 70,
                     version_id=version.id)
    return round_


def trends(client, **params) -> str:
    response = client.get("/dashboard/trends", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_round_of_the_region_from_the_oldest(client, world, regional, questionnaire) -> None:
    html = trends(client)
    rows = table(html, "Every round: Region: Testland (0 to 100)")
    assert [r["Round"] for r in rows] == ["R1", "R2"]
    r1, r2 = rows
    # R1: A1 45, A2 50, B2 20 (B1 a draft); R2: A1 50, A2 60, B1 40 (B2 a draft); X1 is of
    # another region.
    assert (r1["Submitted"], r1["Overall index"]) == ("3", "38.3")
    assert (r2["Submitted"], r2["Overall index"]) == ("3", "50.0")
    assert r1["Promote civic technology"] == "40.0" and r2["Promote civic technology"] == "60.0"
    assert r2["Questionnaire version"] == questionnaire.version
    assert "answered under questionnaire version" not in html
    assert 'id="chart-trend-overall' in html and 'id="chart-trend-view' in html


def test_a_version_change_is_flagged_at_its_round(client, world, regional, r3) -> None:
    html = trends(client)
    rows = table(html, "Every round: Region: Testland (0 to 100)")
    assert [r["Round"] for r in rows] == ["R1", "R2", "R3"]
    assert rows[2]["Questionnaire version"] == "2099.1 (changed)"
    assert "(changed)" not in rows[1]["Questionnaire version"]
    assert ("Region: Testland: round R3 was answered under questionnaire version 2099.1, not the "
            "version of the round before.") in html
    # The chart marks it too, between R2 and R3.
    assert "Version 2099.1" in html


def test_one_city_beside_the_view(client, world, regional, r3) -> None:
    html = trends(client, city=world.cities["A1"].id)
    rows = table(html, "Every round: A1 (Aland) (0 to 100)")
    assert [(r["Round"], r["Overall index"], r["Promote civic technology"]) for r in rows] == [
        ("R1", "45.0", "30.0"), ("R2", "50.0", "40.0"), ("R3", "70.0", "90.0")]
    assert rows[2]["Questionnaire version"] == "2099.1 (changed)"


def test_a_filter_narrows_the_view(client, world, regional) -> None:
    beland = world.cities["B1"].country
    html = trends(client, country=beland.id)
    rows = table(html, "Every round: Region: Testland · Country: Beland (0 to 100)")
    # R1: B2 20; R2: B1 40.
    assert [(r["Submitted"], r["Overall index"]) for r in rows] == [("1", "20.0"), ("1", "40.0")]


def test_a_city_of_another_region_is_not_shown(client, world, regional) -> None:
    html = trends(client, city=world.cities["X1"].id)
    assert "The city in the link is not in this region" in html
    assert "X1 (Faraway)" not in html and ">X1<" not in html


def test_the_dashboard_links_its_trends(client, world, regional) -> None:
    beland = world.cities["B1"].country
    html = client.get("/dashboard", query_string={"country": beland.id}).get_data(as_text=True)
    assert f'href="/dashboard/trends?country={beland.id}"' in html
