"""Regions, countries and cities: create, change, delete when empty, and clear messages."""

from sqlalchemy import select

from assessment.auth.models import Role
from assessment.places import services as places
from assessment.places.models import City, Country, Region, SizeClass
from tests.admin.conftest import page, post, refused

# --- regions ----------------------------------------------------------------------------


def test_regions_list_counts_countries_and_cities(client, admin, make) -> None:
    region = make.region(name="Oceania")
    fiji = make.country(region=region, name="Fiji")
    make.city(country=fiji)
    make.city(country=fiji)
    make.country(region=region, name="Samoa")
    html = page(client, "/admin/regions")
    row = html[html.index(">Oceania<"):].split("</tr>")[0]
    cells = [cell.split("</a>")[0].split(">")[-1] for cell in row.split('<td class="num">')[1:]]
    assert cells[:2] == ["2", "2"]


def test_create_and_rename_a_region(client, admin, db_session, events) -> None:
    response = post(client, "/admin/regions/new", {"name": "  Europe and   North America "})
    assert response.status_code == 302
    region = db_session.scalar(select(Region).where(Region.name == "Europe and North America"))
    assert region is not None
    response = post(client, f"/admin/regions/{region.id}", {"name": "Europe"})
    assert response.status_code == 302
    assert region.name == "Europe"
    created, = events("admin.region.create")
    renamed, = events("admin.region.rename")
    assert created.user_id == admin.id and created.detail["region_id"] == region.id
    assert renamed.detail["changes"] == {"name": ["Europe and North America", "Europe"]}


def test_duplicate_region_name_keeps_the_input_and_says_why(client, admin, make, save, events) -> None:
    make.region(name="Arab States")
    save()
    response = post(client, "/admin/regions/new", {"name": "arab states"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is already a region called arab states." in html
    assert 'value="arab states"' in html
    assert events("admin.region.create") == []


def test_empty_region_name_is_refused(client, admin) -> None:
    html = refused(client, "/admin/regions/new", {"name": ""})
    assert "Enter a name." in html


def test_a_region_with_countries_cannot_be_deleted(client, admin, make, db_session, save, events) -> None:
    region = make.region(name="Busy")
    make.country(region=region, name="Member")
    save()
    html = page(client, f"/admin/regions/{region.id}")
    assert "Busy still has 1 country." in html
    assert f'action="/admin/regions/{region.id}/delete"' not in html
    response = post(client, f"/admin/regions/{region.id}/delete")
    assert response.headers["Location"].endswith(f"/admin/regions/{region.id}")
    assert "Busy still has 1 country." in page(client, f"/admin/regions/{region.id}")
    assert db_session.get(Region, region.id) is not None
    assert events("admin.region.delete") == []


def test_a_region_with_regional_accounts_cannot_be_deleted(client, admin, make, save) -> None:
    region = make.region(name="Watched")
    make.user(Role.REGIONAL, region=region)
    save()
    post(client, f"/admin/regions/{region.id}/delete")
    assert "1 regional account belongs to Watched." in page(client, f"/admin/regions/{region.id}")


def test_an_empty_region_can_be_deleted(client, admin, make, db_session, events) -> None:
    region = make.region(name="Empty")
    region_id = region.id
    response = post(client, f"/admin/regions/{region_id}/delete")
    assert response.headers["Location"].endswith("/admin/regions")
    assert db_session.get(Region, region_id) is None
    deleted, = events("admin.region.delete")
    assert deleted.detail == {"region_id": region_id, "name": "Empty"}


# --- countries --------------------------------------------------------------------------


def test_create_edit_and_delete_a_country(client, admin, make, db_session, events) -> None:
    africa, asia = make.region(name="Africa"), make.region(name="Asia")
    response = post(client, "/admin/countries/new",
                    {"name": "Rwanda", "iso_code": "rwa", "region_id": africa.id})
    assert response.status_code == 302
    country = db_session.scalar(select(Country).where(Country.name == "Rwanda"))
    assert (country.iso_code, country.region_id) == ("RWA", africa.id)
    html = page(client, "/admin/countries")
    assert "Rwanda" in html and "RWA" in html

    post(client, f"/admin/countries/{country.id}", {"name": "Rwanda", "iso_code": "RW",
                                                     "region_id": asia.id})
    assert (country.iso_code, country.region_id) == ("RW", asia.id)
    updated, = events("admin.country.update")
    assert updated.detail["changes"] == {"iso_code": ["RWA", "RW"], "region_id": [africa.id, asia.id]}

    post(client, f"/admin/countries/{country.id}/delete")
    assert db_session.get(Country, country.id) is None
    assert len(events("admin.country.create")) == len(events("admin.country.delete")) == 1


def test_country_needs_a_known_region_and_a_valid_code(client, admin, make, save) -> None:
    region = make.region()
    make.country(region=region, name="Ghana").iso_code = "GH"
    save()
    html = refused(client, "/admin/countries/new",
                {"name": "Atlantis", "iso_code": "", "region_id": "999999"})
    assert "Choose a region from the list." in html and 'value="Atlantis"' in html
    html = refused(client, "/admin/countries/new",
                {"name": "Atlantis", "iso_code": "", "region_id": ""})
    assert "Choose a region." in html
    html = refused(client, "/admin/countries/new",
                {"name": "Atlantis", "iso_code": "A1", "region_id": region.id})
    assert "An ISO code has two or three letters" in html
    html = refused(client, "/admin/countries/new",
                {"name": "Atlantis", "iso_code": "gh", "region_id": region.id})
    assert "Another country already has the ISO code GH." in html
    html = refused(client, "/admin/countries/new",
                {"name": "GHANA", "iso_code": "", "region_id": region.id})
    assert "There is already a country called GHANA." in html


def test_a_country_with_cities_cannot_be_deleted(client, admin, make, db_session, save) -> None:
    city = make.city(name="Kumasi")
    save()
    post(client, f"/admin/countries/{city.country_id}/delete")
    assert db_session.get(Country, city.country_id) is not None
    assert "still has 1 city" in page(client, f"/admin/countries/{city.country_id}")


# --- cities -----------------------------------------------------------------------------


def test_create_a_city_sets_its_size_class_from_population(client, admin, make, db_session, events) -> None:
    country = make.country(name="Kenya")
    response = post(client, "/admin/cities/new",
                    {"name": "Kisumu", "country_id": country.id, "population": "610000"})
    assert response.status_code == 302
    city = db_session.scalar(select(City).where(City.name == "Kisumu"))
    assert (city.population, city.size_class) == (610_000, SizeClass.MEDIUM)
    created, = events("admin.city.create")
    assert created.detail["city_id"] == city.id and created.detail["country"] == "Kenya"

    post(client, f"/admin/cities/{city.id}",
         {"name": "Kisumu", "country_id": country.id, "population": "6100000"})
    assert city.size_class == SizeClass.VERY_LARGE
    updated, = events("admin.city.update")
    assert updated.detail["changes"]["population"] == [610_000, 6_100_000]
    assert updated.detail["changes"]["size_class"] == ["medium", "very_large"]


def test_city_without_population_has_no_size_class(client, admin, make, db_session) -> None:
    country = make.country()
    post(client, "/admin/cities/new", {"name": "Unknown size", "country_id": country.id, "population": ""})
    city = db_session.scalar(select(City).where(City.name == "Unknown size"))
    assert city.population is None and city.size_class is None


def test_city_form_errors_keep_what_was_typed(client, admin, make, save) -> None:
    country = make.country(name="Chile")
    make.city(country=country, name="Valparaíso")
    save()
    html = refused(client, "/admin/cities/new",
                {"name": "valparaíso", "country_id": country.id, "population": "300000"})
    assert "Chile already has a city called valparaíso." in html
    assert 'value="valparaíso"' in html and 'value="300000"' in html
    html = refused(client, "/admin/cities/new",
                {"name": "Temuco", "country_id": country.id, "population": "-5"})
    assert "Enter a population between 0 and 100,000,000." in html and 'value="Temuco"' in html
    html = refused(client, "/admin/cities/new",
                {"name": "Temuco", "country_id": "", "population": ""})
    assert "Choose a country." in html


def test_same_city_name_is_fine_in_another_country(client, admin, make, db_session) -> None:
    make.city(country=make.country(name="Spain"), name="Córdoba")
    argentina = make.country(name="Argentina")
    response = post(client, "/admin/cities/new", {"name": "Córdoba", "country_id": argentina.id})
    assert response.status_code == 302
    assert len(db_session.scalars(select(City).where(City.name == "Córdoba")).all()) == 2


def test_a_city_with_assessments_cannot_be_deleted(client, admin, make, db_session, save, events) -> None:
    city = make.city(name="Kigali")
    make.assessment(city=city)
    save()
    html = page(client, f"/admin/cities/{city.id}")
    assert "Kigali has 1 assessment, which must be kept" in html
    post(client, f"/admin/cities/{city.id}/delete")
    assert db_session.get(City, city.id) is not None
    assert events("admin.city.delete") == []


def test_a_city_with_officials_cannot_be_deleted(client, admin, make, db_session, save) -> None:
    city = make.city(name="Huye")
    make.user(Role.OFFICIAL, city=city)
    save()
    post(client, f"/admin/cities/{city.id}/delete")
    assert db_session.get(City, city.id) is not None
    assert "belongs to Huye" in page(client, f"/admin/cities/{city.id}")


def test_an_unused_city_can_be_deleted(client, admin, make, db_session, events) -> None:
    city = make.city(name="Ghost town")
    city_id = city.id
    response = post(client, f"/admin/cities/{city_id}/delete")
    assert response.headers["Location"].endswith("/admin/cities")
    assert db_session.get(City, city_id) is None
    assert events("admin.city.delete")[0].detail["name"] == "Ghost town"


def test_cities_are_paginated_and_filtered(client, admin, make) -> None:
    north, south = make.region(name="North"), make.region(name="South")
    nordland = make.country(region=north, name="Nordland")
    sudland = make.country(region=south, name="Sudland")
    for n in range(60):
        make.city(country=nordland, name=f"Nord {n:02d}")
    for n in range(5):
        make.city(country=sudland, name=f"Sud {n:02d}")

    first = page(client, "/admin/cities")
    assert "Showing 1–50 of 65" in first and "Next page" in first
    assert "Nord 49" in first and "Nord 50" not in first
    second = page(client, "/admin/cities", query_string={"page": 2})
    assert "Showing 51–65 of 65" in second and "Nord 50" in second and "Sud 04" in second
    assert "Previous page" in second and "Next page" not in second

    southern = page(client, "/admin/cities", query_string={"region": south.id})
    assert "of 5" in southern and "Nord" not in southern.split("<tbody>")[1]
    by_country = page(client, "/admin/cities", query_string={"country": nordland.id, "page": 2})
    assert "Showing 51–60 of 60" in by_country
    # The next-page link keeps the filters.
    first_nord = page(client, "/admin/cities", query_string={"country": nordland.id})
    assert f"country={nordland.id}" in first_nord.split('rel="next"')[0].rsplit("href=", 1)[1]
    named = page(client, "/admin/cities", query_string={"q": "sud 0"})
    assert "of 5" in named


def test_a_page_past_the_end_shows_the_last_page(client, admin, make) -> None:
    make.city(name="Only one")
    html = page(client, "/admin/cities", query_string={"page": 99})
    assert "Only one" in html and "Page 1 of 1" in html


def test_a_clash_found_only_by_the_database_rolls_everything_back(
        client, admin, make, db_session, save, events, monkeypatch) -> None:
    make.region(name="Twin")
    save()
    # Skip the friendly check so that the unique constraint itself refuses the name.
    monkeypatch.setattr(places, "taken", lambda *args, **kwargs: False)
    response = post(client, "/admin/regions/new", {"name": "Twin"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "clashes with an existing record" in html and 'value="Twin"' in html
    assert len(db_session.scalars(select(Region).where(Region.name == "Twin")).all()) == 1
    assert events("admin.region.create") == []
    # The administrator is still signed in and the next change works.
    assert post(client, "/admin/regions/new", {"name": "Third"}).status_code == 302
