"""Participation you can act on: each city of the table links to its assessment, its report or
its contacts, with its last activity, its own deadline when extended, and the reminders sent."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from assessment.assessments.models import AssessmentStatus, DeadlineExtension
from assessment.auth.models import Role
from assessment.mail.models import OutgoingMail
from tests.dashboard.conftest import table


@pytest.fixture()
def regional(make, login, world, db_session):
    world.assessments[("B2", "R2")].status = AssessmentStatus.DRAFT
    db_session.flush()
    return login(make.user(Role.REGIONAL, region=world.region))


def city_row(html: str, name: str) -> dict[str, str]:
    return next(r for r in table(html, "Cities in round R2") if r["City"] == name)


def test_each_city_links_to_what_can_be_done_next(client, world, regional) -> None:
    html = client.get("/dashboard").get_data(as_text=True)
    a1, b2, b3 = (world.assessments[("A1", "R2")], world.assessments[("B2", "R2")],
                  world.cities["B3"])
    assert re.search(rf'<a href="/assessments/{a1.id}/report">A1</a>', html)
    assert re.search(rf'<a href="/assessments/{b2.id}">B2</a>', html)
    # B3 has not started: its contacts, in the table and in the list of cities not started.
    assert html.count(f'href="/people/cities/{b3.id}"') >= 2
    assert f'/dashboard/remind?round={world.r2.id}' in html


def test_last_activity_deadline_and_reminders(client, make, db_session, world, regional) -> None:
    b2 = world.assessments[("B2", "R2")]
    b2.updated_at = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
    official = make.user(Role.OFFICIAL, city=world.cities["B3"])
    official.last_login_at = datetime(2026, 4, 5, 8, 0, tzinfo=UTC)
    db_session.add(DeadlineExtension(round_id=world.r2.id, city_id=world.cities["B3"].id,
                                     closes_at=datetime(2026, 6, 30, 21, 59, tzinfo=UTC),
                                     reason="Elections"))
    for sent in (datetime(2026, 4, 10, tzinfo=UTC), datetime(2026, 4, 17, tzinfo=UTC)):
        db_session.add(OutgoingMail(kind="reminder", user_id=official.id, to_address=official.email,
                                    language="en", params={"round_id": world.r2.id,
                                                           "city_id": world.cities["B3"].id},
                                    created_at=sent))
    # A reminder of another round is not counted.
    db_session.add(OutgoingMail(kind="reminder", user_id=official.id, to_address=official.email,
                                language="en", params={"round_id": world.r1.id,
                                                       "city_id": world.cities["B3"].id},
                                created_at=datetime(2025, 4, 1, tzinfo=UTC)))
    db_session.flush()

    html = client.get("/dashboard").get_data(as_text=True)
    assert city_row(html, "B2")["Follow-up"].startswith("Last activity Apr 2, 2026")
    b3 = city_row(html, "B3")["Follow-up"]
    assert "Last activity Apr 5, 2026" in b3
    assert "Deadline extended to Jun 30, 2026" in b3
    assert "2 reminders, the last on Apr 17, 2026" in b3
    assert "reminder" not in city_row(html, "A2")["Follow-up"]


def test_a_large_region_types_the_city_to_give_more_time(client, make, world, regional,
                                                         monkeypatch) -> None:
    from assessment.dashboard import deadlines
    world.r2.closes_on = world.r2.opens_on.replace(month=12)
    make.session.flush()
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<option value="A1 (Aland)">' in html
    monkeypatch.setattr(deadlines, "DATALIST_LIMIT", 3)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Give a city more time:" in html and '<option value="A1 (Aland)">' not in html
