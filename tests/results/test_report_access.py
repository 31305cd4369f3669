"""Who may read a report: the city's officials, its regional office, analysts and admins."""

from __future__ import annotations

import pytest

from assessment.assessments.models import AssessmentStatus
from assessment.auth.models import Role


@pytest.fixture()
def kigali(make):
    region = make.region(name="Africa")
    city = make.city(region=region, name="Kigali")
    assessment = make.answer(make.assessment(city=city), 2.0, submit=True)
    return region, city, assessment


@pytest.mark.parametrize("who", ["own official", "own regional", "analyst", "admin"])
def test_allowed_viewers_read_the_report(make, login, client, kigali, who):
    region, city, assessment = kigali
    users = {
        "own official": lambda: make.user(Role.OFFICIAL, city=city),
        "own regional": lambda: make.user(Role.REGIONAL, region=region),
        "analyst": lambda: make.user(Role.ANALYST),
        "admin": lambda: make.user(Role.ADMIN),
    }
    login(users[who]())

    assert client.get(f"/assessments/{assessment.id}/report").status_code == 200


@pytest.mark.parametrize("who", ["other city's official", "other region's office"])
def test_others_get_not_found(make, login, client, kigali, who):
    _region, city, assessment = kigali
    if who == "other city's official":
        # Same region, same country even: still not their city.
        login(make.user(Role.OFFICIAL, city=make.city(country=city.country)))
    else:
        login(make.user(Role.REGIONAL, region=make.region()))

    response = client.get(f"/assessments/{assessment.id}/report")

    assert response.status_code == 404
    assert "Kigali" not in response.get_data(as_text=True)


def test_missing_report_is_not_found(make, login, client):
    login(make.user(Role.ADMIN))

    assert client.get("/assessments/999999/report").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, kigali):
    _, _, assessment = kigali

    response = client.get(f"/assessments/{assessment.id}/report")

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(("who", "shown"), [
    ("own regional", True), ("admin", True), ("own official", False), ("analyst", False),
])
def test_reopen_form_for_those_who_may_reopen(make, login, client, kigali, who, shown):
    region, city, assessment = kigali
    users = {
        "own official": lambda: make.user(Role.OFFICIAL, city=city),
        "own regional": lambda: make.user(Role.REGIONAL, region=region),
        "analyst": lambda: make.user(Role.ANALYST),
        "admin": lambda: make.user(Role.ADMIN),
    }
    login(users[who]())

    html = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)

    form = f'action="/assessments/{assessment.id}/reopen"'
    assert (form in html) is shown
    assert ('name="reason"' in html) is shown


def test_no_reopen_form_unless_submitted(make, login, client, kigali):
    _region, _city, assessment = kigali
    assessment.status = AssessmentStatus.REOPENED
    login(make.user(Role.ADMIN))

    html = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)

    assert "/reopen" not in html
    # A reopened assessment shows its last submitted scores, marked as under revision.
    assert "Under revision." in html and "This is a preview." not in html


def test_report_list_shows_an_official_only_their_city(make, login, client, kigali):
    _region, city, assessment = kigali
    elsewhere = make.answer(make.assessment(city=make.city(name="Lima")), 1.0)
    login(make.user(Role.OFFICIAL, city=city))

    html = client.get("/reports").get_data(as_text=True)

    assert f"/assessments/{assessment.id}/report" in html
    assert f"/assessments/{elsewhere.id}/report" not in html
    assert "Lima" not in html


def test_report_list_shows_an_analyst_every_city(make, login, client, kigali):
    _region, _city, assessment = kigali
    elsewhere = make.answer(make.assessment(city=make.city(name="Lima")), 1.0)
    login(make.user(Role.ANALYST))

    html = client.get("/reports").get_data(as_text=True)

    assert f"/assessments/{assessment.id}/report" in html
    assert f"/assessments/{elsewhere.id}/report" in html
