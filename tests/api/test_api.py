"""The JSON API as a script uses it: pages, filters, the same tables and the same scoping."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from assessment.exports import services
from assessment.questionnaire import kind_of
from tests.conftest import read


def test_me_describes_the_caller_and_the_token(api, world, token_for) -> None:
    secret = token_for(world.official, "R script")
    body = api("/me", token=secret).get_json()
    assert body["email"] == world.official.email and body["role"] == "official"
    assert body["city"] == {"id": world.kigali.id, "name": "Kigali"} and body["region"] is None
    assert body["token"]["name"] == "R script" and secret.startswith(body["token"]["prefix"])
    assert body["token"]["last_used_at"] is not None


def test_tables_page_through_every_row(api, world, questionnaire) -> None:
    first = api("/tables/long", world.analyst, per_page=50, round="2025").get_json()
    total = first["total"]
    # One row per assessment and question of the round's version, answered or not.
    assert total == 3 * len(questionnaire.questions)
    assert first["page"] == 1 and first["per_page"] == 50 and len(first["data"]) == 50
    assert first["next"].startswith("http://localhost/api/v1/tables/long?")
    assert "round=2025" in first["next"] and "page=2" in first["next"]
    seen = [(r["assessment_id"], r["question_id"]) for r in first["data"]]
    page, next_url = first, first["next"]
    while next_url:
        page = api(next_url.removeprefix("http://localhost/api/v1"), world.analyst).get_json()
        seen += [(r["assessment_id"], r["question_id"]) for r in page["data"]]
        next_url = page["next"]
    assert len(seen) == len(set(seen)) == total
    # Ordered by assessment, then as the questionnaire asks.
    order = {q.id: position for position, q in enumerate(questionnaire.questions)}
    assert seen == sorted(seen, key=lambda pair: (pair[0], order[pair[1]]))
    assert page["next"] is None


def test_api_rows_equal_the_downloaded_table(api, client, login, world, db_session) -> None:
    for table in ("long", "wide", "scores", "codebook"):
        rows = api(f"/tables/{table}", world.analyst, per_page=1000).get_json()["data"]
        login(world.analyst)
        with client.get(f"/exports/download?table={table}&format=json") as response:
            assert rows == response.get_json(), table
        assert list(rows[0]) == [c.name for c in
                                 services.table(table).columns(db_session, services.Filters())]


def test_page_size_is_capped_and_validated(api, world, app, monkeypatch, questionnaire) -> None:
    monkeypatch.setitem(app.config, "API_MAX_PAGE_SIZE", 5)
    monkeypatch.setitem(app.config, "API_PAGE_SIZE", 3)
    assert api("/tables/codebook", world.analyst).get_json()["per_page"] == 3
    body = api("/tables/codebook", world.analyst, per_page=500).get_json()
    assert body["per_page"] == 5 and len(body["data"]) == 5
    for params in ({"page": 0}, {"per_page": 0}, {"per_page": "ten"}, {"page": 10**7},
                   {"status": "archived"}):
        response = api("/tables/long", world.analyst, **params)
        assert response.status_code == 400, params
        assert set(response.get_json()) == {"error", "detail"}
    beyond = api("/tables/codebook", world.analyst, page=999).get_json()
    # The codebook has a row per question of the questionnaire and one per answer it offers.
    answers = sum(len(kind_of(q).answer_codes(q)) for q in questionnaire.questions)
    assert beyond["data"] == [] and beyond["next"] is None \
        and beyond["total"] == len(questionnaire.questions) + answers


@pytest.mark.parametrize(("who", "cities", "regions"), [
    ("official", {"Kigali"}, {"Africa"}),
    ("regional", {"Kigali", "Nairobi"}, {"Africa"}),
    ("regional_asia", {"Bandung"}, {"Asia-Pacific"}),
    ("analyst", {"Kigali", "Nairobi", "Bandung"}, {"Africa", "Asia-Pacific"}),
    ("admin", {"Kigali", "Nairobi", "Bandung"}, {"Africa", "Asia-Pacific"}),
])
def test_each_role_reads_only_what_it_may_see(api, world, who, cities, regions) -> None:
    user = getattr(world, who)
    for table in ("long", "wide", "scores"):
        data = api(f"/tables/{table}", user, per_page=1000).get_json()["data"]
        assert {row["city"] for row in data} <= cities, table
    assert {c["name"] for c in api("/cities", user).get_json()["data"]} == cities
    assert {r["name"] for r in api("/regions", user).get_json()["data"]} == regions
    # Filters narrow what the account may see; they never widen it.
    elsewhere = api("/tables/wide", user, region="Asia-Pacific").get_json()
    assert {row["city"] for row in elsewhere["data"]} == cities & {"Bandung"}


def test_lists_of_rounds_regions_and_cities(api, world) -> None:
    rounds = api("/rounds", world.regional).get_json()
    assert [r["name"] for r in rounds["data"]] == ["2025", "2026"]
    assert [r["assessments"] for r in rounds["data"]] == [2, 1]  # Kigali and Nairobi; Kigali
    assert rounds["data"][0]["time_zone"] == "UTC" and rounds["data"][0]["closes_at"] is None
    assert rounds["data"][0]["opens_at"] == "2026-03-01T00:00:00+00:00"
    assert rounds["data"][0]["questionnaire_hash"] == \
        world.round_2025.questionnaire_version.content_hash[:12]
    world.round_2026.closes_on, world.round_2026.time_zone = date(2026, 11, 30), "Africa/Kigali"
    closing = api("/rounds", world.regional).get_json()["data"][1]
    assert closing["closes_at"] == "2026-11-30T23:59:00+02:00" and closing["time_zone"] == "Africa/Kigali"
    regions = api("/regions", world.analyst).get_json()["data"]
    assert {r["name"]: (r["countries"], r["cities"]) for r in regions} == {
        "Africa": (2, 2), "Asia-Pacific": (1, 1)}
    kenya = api("/cities", world.analyst, country="Kenya").get_json()
    assert [c["name"] for c in kenya["data"]] == ["Nairobi"] and kenya["total"] == 1
    assert kenya["data"][0]["size_class"] == "large" and kenya["data"][0]["region"] == "Africa"


def test_json_pages_read_into_pandas(api, world) -> None:
    body = api("/tables/scores", world.analyst, per_page=1000).data
    frame = pd.DataFrame(pd.read_json(io.BytesIO(body), typ="series")["data"])
    downloaded = read("json", body)  # the envelope, as pandas sees it
    assert len(frame) == 18 and "data" in downloaded.columns
    assert frame["score"].dtype == "float64"


def test_openapi_document_is_public_and_lists_every_route(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/me", "/rounds", "/regions", "/cities", "/tables/long",
                                      "/tables/wide", "/tables/choices", "/tables/scores", "/tables/codebook",
                                      "/tables/actions"}
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]
    long_row = document["components"]["schemas"]["LongRow"]
    assert list(long_row["properties"]) == [c.name for c in services.LONG_COLUMNS]
