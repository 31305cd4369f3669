"""The people pages: a regional office sees, contacts and invites the people of its own region
and nobody else's; administrators see everyone; the dashboard and the admin city list lead there."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from assessment.assessments.models import Answer
from assessment.auth.models import Role, User
from assessment.extensions import limiter
from assessment.places.models import City
from tests.mailbox import read, sent


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    limiter.reset()
    yield
    limiter.reset()


@dataclass
class World:
    kigali: City
    nairobi: City
    bandung: City
    africa_office: User
    asia_office: User
    aline: User  # Kigali, signed in and answered
    jean: User  # Kigali, invited, not accepted
    dewi: User  # Bandung


@pytest.fixture()
def world(make: Any, db_session: Any, app: Flask) -> World:
    from assessment.auth.invitations import invite

    africa, asia = make.region("Africa"), make.region("Asia-Pacific")
    kigali = make.city(country=make.country(region=africa, name="Rwanda"), name="Kigali")
    nairobi = make.city(country=make.country(region=africa, name="Kenya"), name="Nairobi")
    bandung = make.city(country=make.country(region=asia, name="Indonesia"), name="Bandung")
    aline = make.user(Role.OFFICIAL, city=kigali, email="aline@kigali.example.org")
    aline.name = "Aline Uwase"
    aline.last_login_at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    jean = make.user(Role.OFFICIAL, city=kigali, email="jean@kigali.example.org")
    with app.test_request_context():
        invite(db_session, jean, inviter=None)
    assessment = make.answer(make.assessment(city=kigali), 2.0, fill=0.3, user=aline)
    db_session.execute(update(Answer).where(Answer.assessment_id == assessment.id)
                       .values(updated_at=datetime(2026, 3, 4, 15, 0, tzinfo=UTC)))
    world = World(
        kigali=kigali, nairobi=nairobi, bandung=bandung,
        africa_office=make.user(Role.REGIONAL, region=africa, email="office@africa.example.org"),
        asia_office=make.user(Role.REGIONAL, region=asia, email="office@asia.example.org"),
        aline=aline, jean=jean,
        dewi=make.user(Role.OFFICIAL, city=bandung, email="dewi@bandung.example.org"),
    )
    db_session.commit()
    return world


def text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def table(response: Any) -> str:
    """The rows of the page's table (the header names the signed-in person)."""
    return text(response).split("<tbody>")[1]


def test_a_regional_office_sees_the_people_of_its_region_only(client, login, world) -> None:
    login(world.africa_office)
    assert "People of Africa" in text(client.get("/people"))
    page = table(client.get("/people"))
    for email in ("aline@kigali", "jean@kigali", "office@africa"):
        assert email in page
    for email in ("dewi@bandung", "office@asia"):
        assert email not in page
    assert 'href="mailto:aline@kigali.example.org"' in page
    assert "not accepted yet" in page and "Never signed in" in page
    assert f'action="/people/{world.jean.id}/invite"' in page
    # The search looks in names, addresses and cities, within the region only.
    found = table(client.get("/people", query_string={"q": "kigali"}))
    assert "aline@kigali" in found and "office@africa" not in found
    assert "dewi@" not in text(client.get("/people", query_string={"q": "bandung"}))
    # Asking for another region changes nothing for a regional office.
    other = table(client.get("/people", query_string={"region": world.bandung.country.region_id}))
    assert "dewi@" not in other and "aline@kigali" in other
    # The main menu leads there.
    assert 'href="/people"' in text(client.get("/dashboard"))


def test_a_city_page_shows_its_officials_and_how_to_reach_them(client, login, world) -> None:
    login(world.africa_office)
    page = text(client.get(f"/people/cities/{world.kigali.id}"))
    assert "Contacts in Kigali" in page and "Rwanda" in page
    assert 'href="mailto:aline@kigali.example.org"' in page and "Aline Uwase" in page
    assert "Mar 2, 2026, 09:30 UTC" in page  # last sign-in
    assert "Mar 4, 2026, 15:00 UTC" in page  # last answer saved
    assert "not accepted yet" in page and f'action="/people/{world.jean.id}/invite"' in page
    assert 'href="mailto:office@africa.example.org"' in page  # the regional office itself
    assert f'href="/people/invite?city={world.kigali.id}"' in page


def test_nobody_reaches_another_regions_people(client, login, world, db_session) -> None:
    login(world.africa_office)
    assert client.get(f"/people/cities/{world.bandung.id}").status_code == 404
    assert client.get("/people/cities/999999").status_code == 404
    assert client.post(f"/people/{world.dewi.id}/invite").status_code == 404
    assert client.post(f"/people/{world.asia_office.id}/invite").status_code == 404
    assert sent(db_session, "invitation", to="dewi@bandung.example.org") == []


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.ANALYST])
def test_officials_and_analysts_have_no_people_pages(client, login, make, world, role) -> None:
    login(make.user(role, city=world.kigali if role == Role.OFFICIAL else None))
    assert client.get("/people").status_code == 403
    assert client.get(f"/people/cities/{world.kigali.id}").status_code == 403
    assert client.get("/people/invite").status_code == 403


def invite_form(**fields: Any) -> dict[str, Any]:
    data = {"email": "claude@kigali.example.org", "name": "Claude", "role": "official",
            "city": "Kigali", "region_id": "", "language": ""}
    data.update(fields)
    return data


def test_a_regional_office_invites_an_official_of_its_region(app, client, login, world, get_user,
                                                             db_session) -> None:
    login(world.africa_office)
    form = text(client.get(f"/people/invite?city={world.kigali.id}"))
    assert 'value="Kigali (Rwanda)"' in form and "<datalist" in form
    assert '<option value="Nairobi (Kenya)">' in form and "Bandung" not in form
    response = client.post("/people/invite", data=invite_form(city="kigali"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/people/cities/{world.kigali.id}"
    user = get_user("claude@kigali.example.org")
    assert user.city_id == world.kigali.id and user.invitation_pending
    assert user.invited_by_id == world.africa_office.id
    message = read(sent(db_session, "invitation", to=user.email)[0])
    assert "office@africa.example.org" in message.get_body(("plain",)).get_content()


def test_a_regional_office_cannot_invite_into_another_region(client, login, world, get_user) -> None:
    login(world.africa_office)
    # Another region's city is not among the choices, typed in full or not.
    page = client.post("/people/invite", data=invite_form(city="Bandung (Indonesia)"))
    assert page.status_code == 200 and "No city is called “Bandung (Indonesia)”" in page.text
    assert 'value="Claude"' in page.text  # what was typed is kept
    # Nor another region for a regional colleague.
    page = client.post("/people/invite", data=invite_form(
        role="regional", city="", region_id=world.bandung.country.region_id))
    assert page.status_code == 200 and "Choose a region from the list." in page.text
    # Nor another role.
    page = client.post("/people/invite", data=invite_form(role="admin"))
    assert "Choose a role from the list." in page.text
    assert get_user("claude@kigali.example.org") is None


def test_a_regional_office_invites_a_regional_colleague(client, login, world, get_user) -> None:
    login(world.africa_office)
    response = client.post("/people/invite", data=invite_form(
        email="second@africa.example.org", role="regional", city="",
        region_id=world.africa_office.region_id))
    assert response.status_code == 302
    assert get_user("second@africa.example.org").region_id == world.africa_office.region_id


def test_resending_from_a_city_page_comes_back_to_it(client, login, world, db_session) -> None:
    login(world.africa_office)
    path = f"/people/cities/{world.kigali.id}"
    response = client.post(f"/people/{world.jean.id}/invite", data={"next": path})
    assert response.status_code == 302 and response.headers["Location"] == path
    assert len(sent(db_session, "invitation", to=world.jean.email)) == 2
    # Someone already using the account gets no invitation (it would take their password away).
    client.post(f"/people/{world.aline.id}/invite")
    assert sent(db_session, "invitation", to=world.aline.email) == []


def test_an_administrator_sees_every_region_and_reaches_contacts_from_the_city_list(
        client, login, make, world) -> None:
    login(make.user(Role.ADMIN))
    page = table(client.get("/people"))
    assert "dewi@bandung" in page and "aline@kigali" in page
    only = table(client.get("/people", query_string={"region": world.bandung.country.region_id}))
    assert "dewi@bandung" in only and "aline@kigali" not in only
    assert f'href="/people/cities/{world.bandung.id}"' in text(client.get("/admin/cities"))
    assert f'href="/people/cities/{world.kigali.id}"' in text(client.get(f"/admin/cities/{world.kigali.id}"))
    assert "Bandung" in text(client.get(f"/people/cities/{world.bandung.id}"))


def test_the_dashboard_links_cities_not_started_to_their_contacts(client, login, make, world) -> None:
    make.round(name="2026")
    login(world.africa_office)
    page = text(client.get("/dashboard"))
    assert f'href="/people/cities/{world.nairobi.id}"' in page
