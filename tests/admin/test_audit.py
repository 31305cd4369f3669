"""The audit log: every admin change, newest first, filtered by action and city."""

import re
from datetime import timedelta

from assessment.audit.models import AuditEvent
from assessment.database import utcnow
from tests.admin.conftest import page, post


def test_admin_changes_appear_in_the_log_newest_first(client, admin, make) -> None:
    country = make.country(name="Peru")
    post(client, "/admin/cities/new", {"name": "Arequipa", "country_id": country.id, "population": "1000000"})
    post(client, "/admin/regions/new", {"name": "Andes"})
    html = page(client, "/admin/audit")
    table = html.split("<tbody>")[1]
    assert table.index("Region created") < table.index("City created")
    assert "root@example.org" in table
    assert "name: Arequipa" in table and "population: 1000000" in table


def test_filter_by_action(client, admin, make) -> None:
    post(client, "/admin/regions/new", {"name": "Andes"})
    post(client, "/admin/rounds/new", {"name": "2030", "opens_on": "2030-01-01"})
    html = page(client, "/admin/audit", query_string={"action": "admin.round.create"})
    table = html.split("<tbody>")[1]
    assert "Round created" in table and "Region created" not in table
    assert re.search(r'<option[^>]*selected[^>]*value="admin.round.create"', html)


def test_filter_by_city_finds_its_assessments_and_admin_changes(client, admin, make, db_session) -> None:
    kigali, nairobi = make.city(name="Kigali"), make.city(name="Nairobi")
    mine = make.assessment(city=kigali)
    other = make.assessment(city=nairobi)
    db_session.add_all([
        AuditEvent(action="submit", assessment_id=mine.id, detail={}),
        AuditEvent(action="reopen", assessment_id=other.id, detail={}),
    ])
    post(client, f"/admin/cities/{kigali.id}",
         {"name": "Kigali", "country_id": kigali.country_id, "population": "1200000"})
    for query in ({"city": "kiga"}, {"city_id": kigali.id}):
        table = page(client, "/admin/audit", query_string=query).split("<tbody>")[1]
        assert "Assessment submitted" in table and "City changed" in table, query
        assert "Assessment reopened" not in table, query
    assert "Only events about Kigali." in page(client, "/admin/audit", query_string={"city_id": kigali.id})


def test_the_log_is_paginated(client, admin, db_session) -> None:
    start = utcnow()
    db_session.add_all([AuditEvent(action="save", at=start - timedelta(minutes=n), detail={"n": n})
                        for n in range(70)])
    first = page(client, "/admin/audit")
    assert "Showing 1–50 of 70" in first and "n: 0<" in first and "n: 50<" not in first
    second = page(client, "/admin/audit", query_string={"page": 2})
    assert "Showing 51–70 of 70" in second and "n: 50<" in second and "n: 69<" in second
