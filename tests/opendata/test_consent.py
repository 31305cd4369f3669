"""A city's officials publish its scores round by round, and withdraw them; every change is in
the audit trail with who made it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assessment.audit.models import AuditEvent
from assessment.auth.models import Role
from assessment.opendata.models import OpenDataConsent
from assessment.opendata.services import GIVEN, WITHDRAWN, ConsentError, set_consent
from tests.forms import csrf_token
from tests.opendata.conftest import store


@pytest.fixture()
def city_round(make, db_session):
    city = make.city(name="Consentia")
    round_ = make.round(name="2027")
    assessment = store(db_session, city, round_, 42.0)
    return city, round_, assessment


def events(db_session, assessment_id):
    return list(db_session.scalars(
        select(AuditEvent).where(AuditEvent.assessment_id == assessment_id,
                                 AuditEvent.action.in_([GIVEN, WITHDRAWN])).order_by(AuditEvent.id)))


def post_choice(client, round_id, choice):
    page = client.get("/open-data/consent")
    assert page.status_code == 200
    return client.post("/open-data/consent", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "round_id": str(round_id),
        "choice": choice})


def test_an_official_publishes_and_withdraws_and_the_trail_says_who(
        app, client, make, login, db_session, city_round) -> None:
    city, round_, assessment = city_round
    official = login(make.user(Role.OFFICIAL, city=city))

    page = client.get("/open-data/consent").get_data(as_text=True)
    assert "Not published" in page and "2027" in page

    response = post_choice(client, round_.id, "give")
    assert response.status_code == 303
    page = client.get("/open-data/consent").get_data(as_text=True)
    assert "Published" in page and "Agreed on" in page
    anonymous = app.test_client()
    assert "Consentia" in anonymous.get("/open-data").get_data(as_text=True)

    post_choice(client, round_.id, "withdraw")
    consent = db_session.scalar(select(OpenDataConsent).where(OpenDataConsent.city_id == city.id))
    assert consent is not None and not consent.consented and consent.changed_by_id == official.id
    assert "Withdrawn on" in client.get("/open-data/consent").get_data(as_text=True)

    trail = events(db_session, assessment.id)
    assert [e.action for e in trail] == [GIVEN, WITHDRAWN]
    assert {e.user_id for e in trail} == {official.id}
    # Nothing is published any more: the page says so and the round is gone.
    assert "Consentia" not in anonymous.get("/open-data").get_data(as_text=True)
    assert anonymous.get(f"/open-data/{round_.id}/scores.csv").status_code == 404


def test_a_second_click_changes_nothing_and_records_nothing(make, db_session, city_round) -> None:
    city, round_, assessment = city_round
    official = make.user(Role.OFFICIAL, city=city)
    assert set_consent(db_session, official, city, round_.id, True) is not None
    assert set_consent(db_session, official, city, round_.id, True) is None
    assert len(events(db_session, assessment.id)) == 1


def test_only_the_citys_own_officials_decide(client, make, login, db_session, city_round) -> None:
    city, round_, _assessment = city_round
    other_official = make.user(Role.OFFICIAL, city=make.city(name="Elsewhere"))
    with pytest.raises(PermissionError):
        set_consent(db_session, other_official, city, round_.id, True)
    regional = make.user(Role.REGIONAL, region=city.country.region)
    with pytest.raises(PermissionError):
        set_consent(db_session, regional, city, round_.id, True)
    login(regional)
    assert client.get("/open-data/consent").status_code == 403


def test_a_round_without_an_assessment_cannot_be_published(make, db_session, city_round) -> None:
    city, _round, _assessment = city_round
    official = make.user(Role.OFFICIAL, city=city)
    with pytest.raises(ConsentError):
        set_consent(db_session, official, city, make.round(name="2030").id, True)


def test_the_consent_page_needs_a_sign_in(client) -> None:
    response = client.get("/open-data/consent")
    assert response.status_code in (302, 303) and "/sign-in" in response.headers["Location"]


def test_the_report_leads_its_officials_to_the_consent_page(client, make, login, city_round) -> None:
    city, _round, assessment = city_round
    login(make.user(Role.OFFICIAL, city=city))
    assert 'href="/open-data/consent"' in client.get(f"/assessments/{assessment.id}/report").get_data(
        as_text=True)
    login(make.user(Role.REGIONAL, region=city.country.region))
    assert 'href="/open-data/consent"' not in client.get(
        f"/assessments/{assessment.id}/report").get_data(as_text=True)
