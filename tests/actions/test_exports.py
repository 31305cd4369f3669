"""The ``actions`` table: downloads, the API and the command line, scoped like the other tables."""

from __future__ import annotations

import json

import pytest

from assessment.actions.models import ActionStatus
from assessment.api import tokens
from assessment.exports import services
from tests.actions.conftest import add
from tests.conftest import read

COLUMNS = ["action_id", "assessment_id", "city_id", "city", "country", "region", "population",
           "size_class", "peer_groups", "round",
           "questionnaire_version", "element_id", "question_id", "action", "owner", "due_date",
           "status", "note", "created_at", "updated_at"]


@pytest.fixture()
def planned(plan_world, db_session):  # type: ignore[no-untyped-def]
    """Two actions of Kigali (2025 and 2026) and one of Nairobi (2025)."""
    w = plan_world
    first = add(db_session, w.kigali_2025, w.official, element_id="bottom_up", question_id=None,
                text='Co-design "street labs", with, commas', owner="Urban lab", note="Line one\nline two")
    second = add(db_session, w.kigali_2026, w.official, element_id="civic_tech", due_on=None,
                 status=ActionStatus.IN_PROGRESS)
    theirs = add(db_session, w.nairobi_2025, w.nairobi_official, element_id="tech_firms",
                 owner="Innovation office")
    return first, second, theirs


def download(client, login, user, fmt: str = "csv", **filters: str) -> bytes:  # type: ignore[no-untyped-def]
    login(user)
    with client.get("/exports/download", query_string={"table": "actions", "format": fmt,
                                                       **filters}) as response:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return response.get_data()


def test_the_csv_has_one_row_per_action_with_the_documented_columns(client, login, plan_world, planned):
    first, second, theirs = planned
    frame = read("csv", download(client, login, plan_world.analyst))

    assert list(frame.columns) == COLUMNS
    assert list(frame["action_id"]) == [first.id, second.id, theirs.id]  # by assessment, then id
    row = frame[frame["action_id"] == first.id].iloc[0]
    assert (row["city"], row["country"], row["region"], row["round"]) == ("Kigali", "Rwanda", "Africa",
                                                                          "2025")
    assert row["questionnaire_version"] == plan_world.kigali_2025.questionnaire_version.label
    assert (row["element_id"], row["action"], row["owner"]) == (
        "bottom_up", 'Co-design "street labs", with, commas', "Urban lab")
    assert row["due_date"] == "2026-09-30" and row["status"] == "planned"
    assert row["note"] == "Line one\nline two"
    assert row["created_at"] == first.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert frame[frame["action_id"] == first.id]["question_id"].isna().all()
    later = frame[frame["action_id"] == second.id].iloc[0]
    assert later["round"] == "2026" and later["status"] == "in_progress"
    assert frame[frame["action_id"] == second.id]["due_date"].isna().all()


def test_a_regional_office_gets_its_region_and_an_official_their_city(client, login, plan_world, planned):
    first, second, theirs = planned

    def ids(user) -> set[int]:  # type: ignore[no-untyped-def]
        return {row["action_id"] for row in json.loads(download(client, login, user, "json"))}

    assert ids(plan_world.regional) == {first.id, second.id, theirs.id}
    assert ids(plan_world.regional_asia) == set()
    assert ids(plan_world.official) == {first.id, second.id}


def test_the_filters_apply_to_the_assessment_an_action_was_made_from(client, login, plan_world, planned):
    first, _second, theirs = planned
    rows = json.loads(download(client, login, plan_world.analyst, "json", round="2025"))
    assert [row["action_id"] for row in rows] == [first.id, theirs.id]
    rows = json.loads(download(client, login, plan_world.analyst, "json", country="Kenya"))
    assert [row["action_id"] for row in rows] == [theirs.id]


def test_the_download_page_lists_the_table_with_its_row_count(client, login, plan_world, planned):
    login(plan_world.regional)
    body = client.get("/exports").get_data(as_text=True)
    assert "Action plans: 3 rows" in body


def test_xlsx_and_parquet_hold_the_same_rows(client, login, plan_world, planned):
    csv = read("csv", download(client, login, plan_world.analyst))
    for fmt in ("xlsx", "parquet"):
        frame = read(fmt, download(client, login, plan_world.analyst, fmt))
        assert list(frame.columns) == COLUMNS, fmt
        assert list(frame["action_id"]) == list(csv["action_id"]), fmt
        assert list(frame["owner"]) == list(csv["owner"]), fmt


def test_the_api_serves_the_same_rows_as_the_download(client, login, plan_world, planned, db_session):
    secret = tokens.create_token(db_session, plan_world.regional, "test").secret
    response = client.get("/api/v1/tables/actions", headers={"Authorization": f"Bearer {secret}"},
                          query_string={"per_page": 2})
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 3 and len(body["data"]) == 2 and body["next"]
    rest = client.get(body["next"].removeprefix("http://localhost"),
                      headers={"Authorization": f"Bearer {secret}"}).get_json()
    downloaded = json.loads(download(client, login, plan_world.regional, "json"))
    assert body["data"] + rest["data"] == downloaded
    assert list(body["data"][0]) == COLUMNS
    asia = tokens.create_token(db_session, plan_world.regional_asia, "test").secret
    assert client.get("/api/v1/tables/actions",
                      headers={"Authorization": f"Bearer {asia}"}).get_json()["total"] == 0


def test_the_openapi_document_describes_the_table(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/tables/actions" in document["paths"]
    schema = document["components"]["schemas"]["ActionsRow"]
    assert list(schema["properties"]) == COLUMNS
    assert schema["properties"]["question_id"]["type"] == ["string", "null"]
    assert schema["properties"]["action_id"]["type"] == "integer"


def test_the_command_line_exports_every_citys_actions(runner, plan_world, planned, tmp_path):
    out = tmp_path / "actions.csv"
    result = runner.invoke(args=["export", "--table", "actions", "-o", str(out)])
    assert result.exit_code == 0, result.output
    frame = read("csv", out.read_bytes())
    assert len(frame) == 3 and set(frame["city"]) == {"Kigali", "Nairobi"}


def test_the_table_is_registered_with_fixed_columns(db_session):
    spec = services.table("actions")
    assert [c.name for c in spec.columns(db_session, services.Filters())] == COLUMNS
    assert spec.count(db_session, services.Filters(), services.scope_for(None)) == 0
