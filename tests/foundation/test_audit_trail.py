"""The audit trail records sign-ins, refusals, downloads and report views with the client
address, never a password or an answer; it is append-only; admins filter it and download it."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from assessment.api import tokens
from assessment.audit.models import AuditEvent
from assessment.auth.models import Role
from assessment.database import utcnow
from tests.conftest import TEST_PASSWORD


def events(db_session, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def everything(db_session) -> str:  # type: ignore[no-untyped-def]
    return json.dumps([[e.action, e.detail, e.client] for e in db_session.scalars(select(AuditEvent))])


def test_sign_in_failed_sign_in_and_sign_out_are_recorded_with_the_client_address(
        client, make, db_session) -> None:
    user = make.user(Role.ANALYST, email="ana@example.org")
    client.post("/sign-in", data={"email": "ana@example.org", "password": "not her password"},
                environ_base={"REMOTE_ADDR": "203.0.113.7"})
    client.post("/sign-in", data={"email": "nobody@example.org", "password": "guess"})
    assert client.post("/sign-in", data={"email": "ana@example.org", "password": TEST_PASSWORD},
                       environ_base={"REMOTE_ADDR": "203.0.113.8"}).status_code == 302
    client.post("/sign-out")
    known, unknown = events(db_session, "auth.sign_in_failed")
    assert known.user_id == user.id and known.client == "203.0.113.7" and known.detail == {"user_id": user.id}
    assert unknown.user_id is None and len(unknown.detail["unknown_account"]) == 16
    signed_in, = events(db_session, "auth.sign_in")
    assert signed_in.user_id == user.id and signed_in.client == "203.0.113.8"
    assert [e.user_id for e in events(db_session, "auth.sign_out")] == [user.id]
    stored = everything(db_session)
    for secret in ("not her password", "guess", TEST_PASSWORD, "nobody@example.org"):
        assert secret not in stored


def test_refused_access_is_recorded(client, login, make, world, db_session) -> None:
    login(world.official)
    assert client.get("/admin").status_code == 403
    other_city = make.assessment()
    assert client.get(f"/assessments/{other_city.id}/answers").status_code == 404
    refused = events(db_session, "access.denied")
    assert [(e.user_id, e.detail["status"], e.detail["path"]) for e in refused] == [
        (world.official.id, 403, "/admin"), (world.official.id, 404, f"/assessments/{other_city.id}/answers")]


def test_a_table_download_records_who_what_and_which_filters(client, login, make, db_session) -> None:
    analyst = login(make.user(Role.ANALYST))
    response = client.get("/exports/download", query_string={"table": "long", "format": "csv",
                                                             "status": "submitted"})
    assert response.status_code == 200
    event, = events(db_session, "export.download")
    assert event.user_id == analyst.id
    assert event.detail == {"table": "long", "format": "csv", "filters": {"status": "submitted"}}


def test_an_api_read_records_the_path_and_parameters(client, make, db_session) -> None:
    analyst = make.user(Role.ANALYST)
    secret = tokens.create_token(db_session, analyst, "notebook").secret
    client.get("/api/v1/cities", query_string={"per_page": "5"},
               headers={"Authorization": f"Bearer {secret}"})
    event, = events(db_session, "api.read")
    assert event.user_id == analyst.id and event.detail["path"] == "/api/v1/cities"
    assert event.detail["query"] == {"per_page": "5"}


def test_a_regional_office_reading_a_city_report_is_recorded_an_official_reading_their_own_is_not(
        client, login, make, world, db_session) -> None:
    make.answer(world.assessment, 2.0, submit=True)
    login(world.official)
    assert client.get(f"/assessments/{world.assessment.id}/report").status_code == 200
    assert events(db_session, "report.view") == []
    regional = login(make.user(Role.REGIONAL, region=world.city.country.region))
    assert client.get(f"/assessments/{world.assessment.id}/report").status_code == 200
    viewed, = events(db_session, "report.view")
    assert viewed.user_id == regional.id and viewed.assessment_id == world.assessment.id


# --- append-only -----------------------------------------------------------------------------------


@pytest.fixture()
def stored_event(db_session, make):  # type: ignore[no-untyped-def]
    user = make.user(Role.ADMIN)
    db_session.add(AuditEvent(action="admin.region.create", user_id=user.id, detail={"name": "Andes"}))
    db_session.flush()
    return db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


@pytest.mark.parametrize("change", [{"action": "admin.region.delete"}, {"at": utcnow() - timedelta(days=1)},
                                    {"user_id": None}, {"client": "192.0.2.1"}])
def test_the_database_refuses_to_change_who_what_when_or_where(db_session, stored_event, change) -> None:
    with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
        db_session.execute(update(AuditEvent).where(AuditEvent.id == stored_event.id).values(**change))


def test_the_database_refuses_to_delete_an_event(db_session, stored_event) -> None:
    with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
        db_session.execute(delete(AuditEvent).where(AuditEvent.id == stored_event.id))


def test_details_can_be_rewritten_to_anonymise_a_person(db_session, stored_event) -> None:
    db_session.execute(update(AuditEvent).where(AuditEvent.id == stored_event.id)
                       .values(detail={"name": "Former user #1"}))
    db_session.expire_all()
    assert db_session.get(AuditEvent, stored_event.id).detail == {"name": "Former user #1"}


# --- the admin page --------------------------------------------------------------------------------


@pytest.fixture()
def logged(db_session, make):  # type: ignore[no-untyped-def]
    ana = make.user(Role.ANALYST, email="ana@example.org")
    ben = make.user(Role.ANALYST, email="ben@example.org")
    now = utcnow()
    db_session.add_all([
        AuditEvent(action="export.download", user_id=ana.id, at=now - timedelta(days=10),
                   detail={"table": "long"}, client="203.0.113.1"),
        AuditEvent(action="export.download", user_id=ben.id, at=now - timedelta(days=1),
                   detail={"table": "=HYPERLINK(\"http://evil\")"}, client="203.0.113.2"),
    ])
    db_session.flush()
    return now


def test_admins_filter_the_log_by_who_and_dates(client, login, make, logged) -> None:
    login(make.user(Role.ADMIN))
    by_ana = client.get("/admin/audit", query_string={"actor": "ana@"}).get_data(as_text=True)
    table = by_ana.split("<tbody>")[1]
    assert "ana@example.org" in table and "ben@example.org" not in table and "203.0.113.1" in table
    recent = client.get("/admin/audit", query_string={
        "since": (logged - timedelta(days=2)).date().isoformat(),
        "until": logged.date().isoformat()}).get_data(as_text=True).split("<tbody>")[1]
    assert "ben@example.org" in recent and "ana@example.org" not in recent


def test_admins_download_the_filtered_log_as_csv(client, login, make, logged) -> None:
    login(make.user(Role.ADMIN))
    response = client.get("/admin/audit.csv", query_string={"action": "export.download", "actor": "example"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "action-export.download" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["actor_email"] for r in rows] == ["ben@example.org", "ana@example.org"]  # newest first
    assert rows[0]["client"] == "203.0.113.2"
    assert not rows[0]["detail"].startswith("=") and "HYPERLINK" in rows[0]["detail"]


def test_only_admins_read_the_log(client, login, make) -> None:
    login(make.user(Role.REGIONAL))
    assert client.get("/admin/audit.csv").status_code == 403
