"""The dashboard page, through the HTTP client, as regional offices, admins and analysts use it."""

from __future__ import annotations

import base64
import json
import re
from datetime import date

import numpy as np
import pytest
from sqlalchemy import event

from assessment.assessments.models import AssessmentStatus
from assessment.assessments.versions import ensure_version
from assessment.auth.models import Role
from assessment.extensions import db
from assessment.questionnaire import parse_questionnaire
from tests.dashboard.conftest import captions, table


def page(client, **params) -> str:
    response = client.get("/dashboard", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def visible(html: str) -> str:
    """The page without its random CSRF tokens, which may contain any short string ("X1")."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)


def city_names(html: str) -> list[str]:
    return [row["City"] for row in table(html, "Cities in round")]


def figure(html: str, figure_id: str) -> dict:
    match = re.search(rf'<script type="application/json" id="{figure_id}">(.*?)</script>', html, re.S)
    assert match, f"no figure {figure_id}"
    return json.loads(match.group(1))


def numbers(values) -> list[float]:
    """A list from a figure, whether sent as a JSON list or as a plotly typed array."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def heatmap_cells(layers: list[dict]) -> list[list[float | None]]:
    """The heatmap's scores: each cell is filled by one of its layers (one per text colour)."""
    merged = [list(row) for row in layers[0]["z"]]
    for layer in layers[1:]:
        for i, row in enumerate(layer["z"]):
            for j, value in enumerate(row):
                if value is not None:
                    assert merged[i][j] is None, "a cell in two layers"
                    merged[i][j] = value
    return merged


@pytest.fixture()
def regional(make, login, world):
    return login(make.user(Role.REGIONAL, region=world.region))


# --- access and region scoping --------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in(client) -> None:
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_city_officials_may_not_open_the_dashboard(client, make, login, world) -> None:
    login(make.user(Role.OFFICIAL, city=world.cities["A1"]))
    assert client.get("/dashboard").status_code == 403


def test_a_regional_user_sees_only_their_region_whatever_the_url_says(client, world, regional) -> None:
    html = page(client)
    assert "Regional dashboard: Testland" in html
    assert sorted(city_names(html)) == ["A1", "A2", "B1", "B2", "B3"]
    for hostile in (str(world.elsewhere.id), "999999", "'; DROP TABLE regions; --"):
        html = page(client, region=hostile)
        assert "Regional dashboard: Testland" in html
        assert "X1" not in visible(html) and "Faraway" not in html and "Elsewhere" not in html
    # No region selector for a user tied to one region.
    assert 'name="region"' not in html


def test_a_regional_user_cannot_filter_on_another_regions_country(client, world, regional) -> None:
    faraway = world.cities["X1"].country_id
    html = page(client, country=faraway)
    assert "The country in the link is not in this region" in html
    assert "X1" not in visible(html)
    assert sorted(city_names(html)) == ["A1", "A2", "B1", "B2", "B3"]


def test_an_admin_can_switch_regions(client, make, login, world) -> None:
    login(make.user(Role.ADMIN))
    html = page(client, region=world.elsewhere.id)
    assert "Regional dashboard: Elsewhere" in html
    assert city_names(html) == ["X1"]
    assert 'name="region"' in html
    # The default is the first region by name.
    assert "Regional dashboard: Elsewhere" in page(client)
    assert sorted(city_names(page(client, region=world.region.id))) == ["A1", "A2", "B1", "B2", "B3"]


def test_an_analyst_sees_every_region_read_only(client, make, login, world) -> None:
    login(make.user(Role.ANALYST))
    html = page(client, region=world.region.id)
    assert sorted(city_names(html)) == ["A1", "A2", "B1", "B2", "B3"]
    assert city_names(page(client, region=world.elsewhere.id)) == ["X1"]
    assert re.search(r'<a href="/dashboard"[^>]*>Regional dashboard</a>', html)  # in the menu
    assert "<form method=\"post\"" not in html.split("<main")[1]  # nothing to change here


# --- what the page shows ---------------------------------------------------------------------


def test_participation_lists_the_cities_not_started(client, world, regional) -> None:
    html = page(client)
    assert re.search(r"Cities expected</dt><dd>5</dd>", html)
    assert re.search(r"Submitted</dt><dd>3 ", html)
    assert re.search(r"In progress</dt><dd>1 ", html)
    not_started = html.split("have not started round R2")[1].split("</details>")[0]
    assert "B3" in not_started and "A1" not in not_started


def test_element_table_holds_the_numbers_of_the_charts(client, world, regional) -> None:
    html = page(client)
    rows = {row["Element"]: row for row in table(html, "Element scores, round R2")}
    civic = rows["Promote civic technology"]
    assert civic["Cities with a score"] == "3"
    assert (civic["Average"], civic["Median"], civic["Target"]) == ("60.0", "60.0", "75")
    assert (civic["Lower quartile"], civic["Upper quartile"]) == ("50.0", "70.0")
    assert (civic["Lowest"], civic["Highest"]) == ("40", "80")
    assert civic["Average minus target"] == "-15.0"

    radar = figure(html, "chart-radar")
    assert {trace["type"] for trace in radar["data"]} == {"scatterpolar"}
    average = next(t for t in radar["data"] if t["name"] == "Regional average")
    assert average["r"][0] == pytest.approx(60)  # civic technology comes first
    assert average["r"][-1] == average["r"][0]  # the line is closed
    spread = figure(html, "chart-spread")
    assert {trace["type"] for trace in spread["data"]} == {"box"}
    assert sorted(numbers(spread["data"][0]["x"])) == [40, 60, 80]


def test_change_table_compares_rounds(client, world, regional) -> None:
    html = page(client)
    assert "Change since round R1" in html
    rows = {row["Element"]: row for row in table(html, "Change per element between rounds R1 and R2")}
    civic = rows["Promote civic technology"]
    assert civic["Average, round R1"] == "40.0 (3 cities)"
    assert civic["Average, round R2"] == "60.0 (3 cities)"
    assert civic["Change in the average"] == "+20.0"
    assert (civic["Cities in both rounds"], civic["Their average change"]) == ("2", "+10.0")
    bars = figure(html, "chart-change")
    assert [trace["name"] for trace in bars["data"]] == ["R1", "R2"]


def test_city_table_and_heatmap_show_the_same_cities_in_the_same_order(client, world, regional) -> None:
    html = page(client)
    # Not a league table: cities read A to Z until the reader sorts by a score.
    rows = table(html, "Cities in round R2, sorted by city (A to Z)")
    assert [r["City"] for r in rows] == ["A1", "A2", "B1", "B2", "B3"]
    assert [r["City"] for r in table(page(client, sort="overall"), "Cities in round R2, sorted by "
                                     "overall index (highest first)")] == ["A2", "A1", "B1", "B2", "B3"]
    a2 = rows[1]
    assert (a2["Country"], a2["Status"], a2["Overall index"]) == ("Aland", "Submitted", "60")
    assert a2["Promote civic technology"] == "80"
    assert (a2["Questions answered"], a2["Change since R1"]) == ("100%", "+10.0")
    assert rows[2]["Manage technology firms and smart-city approaches"] == "–"  # insufficient
    assert rows[3]["Status"] == "Draft" and rows[3]["Overall index"] == "–"
    assert rows[4]["Status"].startswith("Not started") and "No official account yet" in rows[4]["Status"]

    layers = figure(html, "chart-heatmap")["data"]
    assert {layer["type"] for layer in layers} == {"heatmap"}
    assert [label.split(" (")[0] for label in layers[0]["y"]] == ["A1", "A2", "B1"]
    z = heatmap_cells(layers)
    assert z[1][0] == 80 and z[2][1] is None


def test_cities_link_to_their_reports_when_reports_exist(app, client, world, regional) -> None:
    html = page(client)
    a2 = world.assessments[("A2", "R2")].id
    assert f'href="/assessments/{a2}/report"' in html
    b2 = world.assessments[("B2", "R2")].id  # reopened: no report link from the dashboard
    assert f'href="/assessments/{b2}/report"' not in html


def test_cities_in_draft_link_to_their_answers_and_those_not_started_to_their_officials(
        client, make, world, regional) -> None:
    from assessment.auth.models import Role

    make.user(Role.OFFICIAL, city=world.cities["B3"], email="mayor.office@b3.example.org")
    rows = {r["City"]: r for r in table(page(client), "Cities in round R2")}
    html = page(client)
    b2 = world.assessments[("B2", "R2")].id  # reopened: its answers, read-only for the office
    assert f'<a href="/assessments/{b2}">B2</a>' in html
    assert 'href="mailto:mayor.office@b3.example.org"' in html  # B3 has not started
    assert "mayor.office@b3.example.org" in rows["B3"]["Status"]
    # Without an official account the row says so instead of linking nowhere.
    make.city(country=world.cities["B3"].country, name="B4")
    assert "No official account yet" in page(client)


# --- sorting -----------------------------------------------------------------------------------


def test_sorting_by_any_allowed_column(client, world, regional) -> None:
    assert city_names(page(client, sort="city", dir="asc")) == ["A1", "A2", "B1", "B2", "B3"]
    assert city_names(page(client, sort="city", dir="desc")) == ["B3", "B2", "B1", "A2", "A1"]
    assert city_names(page(client, sort="civic_tech"))[:3] == ["A2", "B1", "A1"]
    assert city_names(page(client, sort="overall", dir="asc"))[:3] == ["B1", "A1", "A2"]
    assert city_names(page(client, sort="change"))[:2] == ["A2", "A1"]
    html = page(client, sort="country", dir="desc")
    assert [r["Country"] for r in table(html, "Cities in round")] == ["Beland"] * 3 + ["Aland"] * 2
    assert 'aria-sort="descending"' in html


def test_a_hostile_sort_key_falls_back_to_the_default_and_never_reaches_sql(client, world,
                                                                           regional) -> None:
    hostile = "overall; DROP TABLE cities; --"
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(f"{statement} {parameters!r}")

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        html = page(client, sort=hostile, dir="sideways")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert city_names(html) == ["A1", "A2", "B1", "B2", "B3"]
    assert "sorted by city (A to Z)" in html
    assert statements and not any("DROP" in s for s in statements)
    assert city_names(page(client, sort="__class__")) == ["A1", "A2", "B1", "B2", "B3"]


def test_sort_links_keep_the_filters(client, world, regional) -> None:
    aland = world.cities["A1"].country_id
    html = page(client, country=aland)
    link = re.search(r'href="([^"]*sort=city[^"]*)"', html)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    assert f"country={aland}" in href and f"round={world.r2.id}" in href


# --- filters ---------------------------------------------------------------------------------


def test_filters_by_country_size_and_round_are_kept_in_the_url(client, world, regional) -> None:
    aland = world.cities["A1"].country_id
    html = page(client, country=aland)
    assert sorted(city_names(html)) == ["A1", "A2"]
    assert f'<option selected value="{aland}">Aland</option>' in html
    assert sorted(city_names(page(client, size="medium"))) == ["B1", "B3"]
    html = page(client, round=world.r1.id)
    assert "Round R1" in html and "Change between rounds" in html
    assert sorted(city_names(html)) == ["A1", "A2", "B1", "B2", "B3"]
    # The shareable link carries every choice.
    share = re.search(r'href="([^"]+)">link to this view', page(client, country=aland, size="large"))
    assert share is not None
    href = share.group(1).replace("&amp;", "&")
    assert f"country={aland}" in href and "size=large" in href and f"round={world.r2.id}" in href


@pytest.mark.parametrize("params, message", [
    ({"size": "enormous"}, "The city size in the link is not known"),
    ({"round": "abc"}, "The round in the link was not found"),
    ({"round": "999999"}, "The round in the link was not found"),
    ({"country": "1e9"}, "The country in the link is not in this region"),
    ({"page": "-3"}, None),
])
def test_invalid_filter_values_are_ignored_with_a_message(client, world, regional, params,
                                                          message) -> None:
    html = page(client, **params)
    if message:
        assert message in html
    assert sorted(city_names(html)) == ["A1", "A2", "B1", "B2", "B3"]
    assert "Round R2" in html


def test_admin_with_an_unknown_region_gets_a_message(client, make, login, world) -> None:
    login(make.user(Role.ADMIN))
    html = page(client, region="nope")
    assert "The region in the link was not found" in html


def test_pages_of_a_long_city_table(client, world, regional, monkeypatch) -> None:
    from assessment.dashboard import services

    monkeypatch.setattr(services, "PAGE_SIZE", 2)
    first = page(client, sort="city", dir="asc")
    assert city_names(first) == ["A1", "A2"]
    assert "Page 1 of 3 (5 cities)" in first
    third = page(client, sort="city", dir="asc", page=3)
    assert city_names(third) == ["B3"]
    assert city_names(page(client, sort="city", dir="asc", page=99)) == ["B3"]  # clamped
    assert [label.split(" (")[0] for label in figure(first, "chart-heatmap")["data"][0]["y"]] == ["A1", "A2"]


# --- empty states and versions -------------------------------------------------------------


def test_no_rounds_at_all(client, make, login) -> None:
    region = make.region("Newland")
    make.city(region=region, name="Solo")
    login(make.user(Role.REGIONAL, region=region))
    html = page(client)
    assert "No assessment rounds yet" in html
    assert "chart-" not in html


def test_a_region_without_cities(client, make, login, world) -> None:
    empty = make.region("Aaland")  # first by name: the default for administrators
    login(make.user(Role.ADMIN))
    html = page(client)
    assert "Regional dashboard: Aaland" in html
    assert "No cities in this region yet" in html
    # The same page, apart from the address the language switch returns to.
    assert page(client, region=empty.id).split("<main")[1] == html.split("<main")[1]


def test_no_submissions_yet_for_the_round(client, make, world, regional) -> None:
    r3 = make.round(name="R3", opens_on=date(2027, 3, 1))
    html = page(client, round=r3.id)
    assert "No submitted assessments yet for round R3" in html
    assert re.search(r"Cities expected</dt><dd>5</dd>", html)
    assert f'round={world.r2.id}' in html.split("No submitted assessments yet")[1]  # see R2
    assert "Cities in round" not in " ".join(captions(html))
    assert "chart-radar" not in html


def test_a_filter_that_matches_nothing_offers_to_clear_it(client, world, regional) -> None:
    aland = world.cities["A1"].country_id
    html = page(client, country=aland, size="very_large")
    assert "No city matches these filters" in html
    clear = re.search(r'href="([^"]+)">Clear filters', html)
    assert clear is not None
    href = clear.group(1).replace("&amp;", "&")
    assert "country=" not in href and "size=" not in href
    assert sorted(city_names(page(client, **dict(p.split("=") for p in href.split("?")[1].split("&")))))\
        == ["A1", "A2", "B1", "B2", "B3"]


def test_a_round_spanning_questionnaire_versions_says_so(client, make, build, questionnaire,
                                                         world, regional) -> None:
    current = questionnaire.version
    other = parse_questionnaire(
        questionnaire.source_text.replace(f'version: "{current}"', 'version: "2099.1"'))
    version = ensure_version(make.session, other)
    build.assessment(world.cities["B3"], world.r2, AssessmentStatus.SUBMITTED,
                     {"civic_tech": 10}, 30, version_id=version.id)
    html = page(client)
    assert f"answered under 2 questionnaire versions ({current}, 2099.1)" in html
    # The previous round was all one version and this one is not: the comparison says so.
    assert "compare scores across versions" in html


def test_changes_across_versions_are_flagged(client, make, build, questionnaire, world,
                                             regional) -> None:
    current = questionnaire.version
    other = parse_questionnaire(
        questionnaire.source_text.replace(f'version: "{current}"', 'version: "2099.1"'))
    version = ensure_version(make.session, other)
    r3 = make.round(name="R3", opens_on=date(2027, 3, 1), questionnaire=other)
    build.assessment(world.cities["A1"], r3, AssessmentStatus.SUBMITTED, {"civic_tech": 90}, 70,
                     version_id=version.id)
    html = page(client, round=r3.id)
    assert "Change since round R2" in html
    assert f"Round R2 was answered under questionnaire version {current} and round R3 under 2099.1" in html
    a1 = next(r for r in table(html, "Cities in round R3") if r["City"] == "A1")
    assert a1["Change since R2"] == "+20.0*"
    # R3 is now the latest round with assessments, so the default; R2 against R1 is one version.
    assert "Round R3" in page(client)
    assert "compare scores across versions" not in page(client, round=world.r2.id)


# --- the page itself -----------------------------------------------------------------------


def test_pages_reference_no_external_host(client, make, login, world) -> None:
    login(make.user(Role.ADMIN))
    aland = world.cities["A1"].country_id
    for params in ({"region": world.region.id}, {"region": world.region.id, "round": world.r1.id},
                   {"region": world.region.id, "size": "very_large", "country": aland}):
        html = page(client, **params)
        urls = re.findall(r'(?:src|href|action)="([^"]*)"', html)
        assert urls
        assert not [u for u in urls if re.match(r"(?i)^(?:[a-z][a-z0-9+.-]*:)?//", u)]
        assert "http://" not in html and "https://" not in html
        assert "<script>" not in html  # every script is a file of our own or JSON data
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'type="application/json"' in tag or 'src="/static/' in tag


def test_every_chart_has_a_table_or_text_alternative(client, world, regional) -> None:
    html = page(client)
    ids = re.findall(r'data-figure="([^"]+)"', html)
    assert set(ids) == {"chart-radar", "chart-spread", "chart-change", "chart-heatmap"}
    for figure_id in ids:
        block = html.split(f'data-figure="{figure_id}"')[1].split("</figure>")[0]
        assert "<figcaption>" in block and "table" in block
    assert "Element scores, round R2" in " ".join(captions(html))
