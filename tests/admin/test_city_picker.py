"""Choosing a city among hundreds: the city box is a text input with a datalist of
"City (Country)", resolved on the server; the account list is searched by name, email or city."""

from __future__ import annotations

import pytest

from assessment.auth.models import Role
from assessment.places.picker import CityOption, NoSuchCity, resolve, suggestions
from tests.admin.conftest import page, refused

OPTIONS = [CityOption(1, "Kigali", "Kigali (Rwanda)"), CityOption(2, "Santiago", "Santiago (Chile)"),
           CityOption(3, "Santiago", "Santiago (Spain)"), CityOption(4, "San José", "San José (Costa Rica)"),
           CityOption(5, "Nairobi", "Nairobi (Kenya)")]


@pytest.mark.parametrize("typed", ["Kigali (Rwanda)", "  kigali   (RWANDA) ", "kigali", "KIGALI"])
def test_a_city_is_found_by_its_label_or_by_a_name_only_it_has(typed) -> None:
    assert resolve(OPTIONS, typed).id == 1


def test_a_name_several_cities_share_needs_the_country() -> None:
    with pytest.raises(NoSuchCity) as problem:
        resolve(OPTIONS, "santiago")
    assert problem.value.suggestions == ["Santiago (Chile)", "Santiago (Spain)"]
    assert "Several cities are called “santiago”" in str(problem.value)
    assert resolve(OPTIONS, "Santiago (Spain)").id == 3


def test_an_unknown_city_gets_close_matches() -> None:
    with pytest.raises(NoSuchCity) as problem:
        resolve(OPTIONS, "Nairobbi")
    assert problem.value.suggestions == ["Nairobi (Kenya)"]
    assert suggestions(OPTIONS, "san") == ["Santiago (Chile)", "Santiago (Spain)", "San José (Costa Rica)"]
    with pytest.raises(NoSuchCity) as nothing:
        resolve(OPTIONS, "Atlantis")
    assert nothing.value.suggestions == []


def test_no_more_than_five_suggestions() -> None:
    many = [CityOption(n, f"Springfield {n}", f"Springfield {n} (USA)") for n in range(12)]
    assert len(suggestions(many, "springfield")) == 5


def new_official(city: str, **fields: str) -> dict[str, str]:
    data = {"email": "new@example.org", "name": "Ana Pérez", "role": "official", "city": city,
            "region_id": "", "language": "", "first_sign_in": "invite"}
    data.update(fields)
    return data


@pytest.fixture()
def santiagos(make, save):  # type: ignore[no-untyped-def]
    chile = make.city(country=make.country(name="Chile"), name="Santiago")
    spain = make.city(country=make.country(name="Spain"), name="Santiago")
    kigali = make.city(country=make.country(name="Rwanda"), name="Kigali")
    save()
    return chile, spain, kigali


def test_the_account_form_offers_every_city_in_a_datalist(client, admin, santiagos) -> None:
    html = page(client, "/admin/users/new")
    assert 'list="city-options"' in html and '<datalist id="city-options">' in html
    for label in ("Santiago (Chile)", "Santiago (Spain)", "Kigali (Rwanda)"):
        assert f'<option value="{label}">' in html
    assert "<select" in html and 'name="city"' in html and 'id="city"' in html
    # "Add an official" from a city's page arrives with the city typed in.
    _chile, spain, _kigali = santiagos
    assert 'value="Santiago (Spain)"' in page(client, f"/admin/users/new?city={spain.id}")


def test_the_city_box_resolves_city_and_country(client, admin, santiagos, get_user) -> None:
    chile, _spain, kigali = santiagos
    assert client.post("/admin/users/new", data=new_official("Santiago (Chile)")).status_code == 302
    assert get_user("new@example.org").city_id == chile.id
    assert client.post("/admin/users/new", data=new_official(
        "kigali", email="other@example.org")).status_code == 302
    assert get_user("other@example.org").city_id == kigali.id


def test_an_ambiguous_city_is_refused_and_what_was_typed_is_kept(client, admin, santiagos,
                                                                  get_user) -> None:
    html = refused(client, "/admin/users/new", new_official("Santiago", language="fr"))
    assert "Several cities are called “Santiago”: type one of Santiago (Chile); Santiago (Spain)." in html
    assert 'value="Santiago"' in html and 'value="Ana Pérez"' in html and 'value="new@example.org"' in html
    assert '<option selected value="fr">' in html or 'value="fr" selected' in html
    assert get_user("new@example.org") is None
    html = refused(client, "/admin/users/new", new_official("Santigo (Chle)"))
    assert "Did you mean Santiago (Chile)" in html


def test_editing_an_account_shows_its_city_as_typed(client, admin, make, santiagos, db_session) -> None:
    _chile, spain, _kigali = santiagos
    official = make.user(Role.OFFICIAL, city=spain, email="ana@madrid.example.org")
    assert 'value="Santiago (Spain)"' in page(client, f"/admin/users/{official.id}")
    client.post(f"/admin/users/{official.id}", data={"name": "Ana", "role": "official",
                                                      "city": "Kigali (Rwanda)", "region_id": ""})
    db_session.refresh(official)
    assert official.city.name == "Kigali"


def test_accounts_are_searched_by_name_email_or_city(client, admin, make, santiagos) -> None:
    chile, spain, _kigali = santiagos
    make.user(Role.OFFICIAL, city=chile, email="jose@chile.example.org").name = "José"
    make.user(Role.OFFICIAL, city=spain, email="ana@spain.example.org")
    make.user(Role.ANALYST, email="analyst@example.org")
    rows = page(client, "/admin/users", query_string={"q": "santiago"}).split("<tbody>")[1]
    assert "jose@chile" in rows and "ana@spain" in rows and "analyst@" not in rows
    rows = page(client, "/admin/users", query_string={"q": "josé"}).split("<tbody>")[1]
    assert "jose@chile" in rows and "ana@spain" not in rows
    rows = page(client, "/admin/users", query_string={"q": "spain.example"}).split("<tbody>")[1]
    assert "ana@spain" in rows and "jose@" not in rows
    pending = page(client, "/admin/users", query_string={"status": "pending"})
    assert "Nothing found." in pending or "No accounts found" in pending


def test_the_account_list_is_paginated(client, admin, make) -> None:
    for n in range(55):
        make.user(Role.ANALYST, email=f"person{n:02d}@example.org")
    first = page(client, "/admin/users", query_string={"q": "person"})
    assert "Showing 1–50 of 55" in first and 'rel="next"' in first
    second = page(client, "/admin/users", query_string={"q": "person", "page": 2})
    assert "person54@" in second and "person00@" not in second
