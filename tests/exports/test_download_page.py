"""The download page: a GET form that works without JavaScript, scoped to the user."""

from __future__ import annotations

import re

import pytest

from tests.conftest import read


def test_page_needs_a_sign_in(client, world) -> None:
    assert client.get("/exports").status_code == 302
    with client.get("/exports/download?table=long&format=csv") as response:
        assert response.status_code == 302


def test_page_offers_tables_formats_filters_and_row_counts(client, login, world, questionnaire) -> None:
    login(world.analyst)
    response = client.get("/exports")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<form method="get" action="/exports/download"' in page
    for fmt in ("csv", "xlsx", "parquet", "json", "dta", "sav"):
        assert f'value="{fmt}"' in page
    for name in ("round", "region", "country", "status", "version"):
        assert f'<select id="{name}" name="{name}"' in page
    # The long table has one row per assessment and question, answered or not.
    long_count = 4 * len(questionnaire.questions)
    assert f"Answers (long): {long_count:,} rows" in page
    assert "Answers (wide): 4 rows" in page
    assert "Element scores: 18 rows" in page  # 3 submitted x 6 elements
    assert 'formaction="/exports"' in page  # "Update row counts" without JavaScript
    assert "<script" not in page.split("</main>")[0].split("<main")[1]


def test_row_counts_follow_the_filters(client, login, world) -> None:
    login(world.analyst)
    page = client.get("/exports?round=2025&region=Africa").get_data(as_text=True)
    assert "Answers (wide): 2 rows" in page
    assert re.search(r'<option selected value="2025">|<option value="2025" selected>', page)


@pytest.mark.parametrize(("who", "cities"), [
    ("official", {"Kigali"}),
    ("regional", {"Kigali", "Nairobi"}),
    ("regional_asia", {"Bandung"}),
    ("analyst", {"Kigali", "Nairobi", "Bandung"}),
    ("admin", {"Kigali", "Nairobi", "Bandung"}),
])
def test_each_role_downloads_only_what_it_may_see(client, login, world, download, who, cities) -> None:
    login(getattr(world, who))
    for table in ("long", "wide", "scores"):
        for fmt in ("csv", "parquet"):
            frame = read(fmt, download(table=table, format=fmt)[1])
            assert set(frame["city"]) <= cities, (table, fmt)
            if table == "wide":
                assert set(frame["city"]) == cities
    page = client.get("/exports").get_data(as_text=True)
    region_options = set(re.findall(r'<option value="([^"]+)">', page.split('name="region"')[1]
                                    .split("</select>")[0]))
    expected_regions = {"Africa"} if who in ("official", "regional") else (
        {"Asia-Pacific"} if who == "regional_asia" else {"Africa", "Asia-Pacific"})
    assert region_options == expected_regions


def test_a_filter_cannot_widen_the_scope(client, login, world, download) -> None:
    login(world.official)
    frame = read("csv", download(table="wide", format="csv", region="Asia-Pacific")[1])
    assert frame.empty
    frame = read("csv", download(table="long", format="csv", country="Kenya")[1])
    assert frame.empty


def test_bad_parameters_get_a_clear_400(client, login, world) -> None:
    login(world.analyst)
    for query, message in (("table=nope&format=csv", "Unknown table"),
                           ("table=long&format=docx", "Choose a format"),
                           ("table=long&format=csv&status=archived", "Status must be one of")):
        with client.get(f"/exports/download?{query}") as response:
            assert response.status_code == 400
            assert message in response.get_data(as_text=True)


def test_downloads_are_attachments_never_cached(client, login, world) -> None:
    login(world.analyst)
    with client.get("/exports/download?table=scores&format=csv&round=2025") as response:
        assert response.headers["Content-Disposition"].startswith(
            'attachment; filename="city-innovation-scores-round-2025-')
        assert response.headers["Cache-Control"] == "no-store"
        assert response.is_streamed
    with client.get("/exports/download?table=scores&format=xlsx") as response:
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Disposition"].endswith(".xlsx")


def test_the_menu_links_here(client, login, world) -> None:
    login(world.official)
    page = client.get("/exports").get_data(as_text=True)
    assert 'href="/exports" aria-current="page"' in page
    assert 'href="/account"' in page


@pytest.mark.parametrize(("fmt", "media_type"), [
    ("csv", "text/csv; charset=utf-8"),
    ("json", "application/json"),
])
def test_downloads_say_their_media_type_once(fmt, media_type, client, login, world) -> None:
    login(world.analyst)
    response = client.get("/exports/download", query_string={"table": "scores", "format": fmt})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == media_type
