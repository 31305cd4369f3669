"""A round's times, time zone and reminders on the admin pages; its status by the clock."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from assessment.assessments.models import Round
from assessment.database import utcnow
from tests.admin.conftest import page, post, refused
from tests.admin.test_rounds import round_row


def test_a_round_gets_times_a_time_zone_and_reminder_days(client, admin, db_session, events) -> None:
    html = page(client, "/admin/rounds/new")
    assert 'list="time-zones"' in html and '<option value="Africa/Nairobi">' in html
    assert 'value="UTC"' in html and 'value="14,7,1"' in html and 'value="23:59"' in html
    response = post(client, "/admin/rounds/new", {
        "name": "2027", "opens_on": "2027-02-01", "opens_time": "08:00", "closes_on": "2027-06-30",
        "closes_time": "17:00", "time_zone": "Africa/Nairobi", "reminder_days": "1, 14,7,7"})
    assert response.status_code == 302
    round_ = db_session.scalar(select(Round).where(Round.name == "2027"))
    assert (round_.opens_time, round_.closes_time) == (time(8, 0), time(17, 0))
    assert round_.time_zone == "Africa/Nairobi" and round_.reminder_days == "14,7,1"
    assert round_.closes_at.isoformat() == "2027-06-30T17:00:00+03:00"
    created, = events("admin.round.create")
    assert created.detail["time_zone"] == "Africa/Nairobi" and created.detail["closes_time"] == "17:00"


def test_a_time_zone_must_be_a_real_one_and_reminders_whole_days(client, admin) -> None:
    html = refused(client, "/admin/rounds/new", {"name": "Mars", "opens_on": "2027-01-01",
                                                 "time_zone": "Mars/Olympus_Mons"})
    assert "This is not a time zone name." in html and 'value="Mars/Olympus_Mons"' in html
    html = refused(client, "/admin/rounds/new", {"name": "Soon", "opens_on": "2027-01-01",
                                                 "reminder_days": "14, seven"})
    assert "Reminder days are whole numbers" in html and 'value="14, seven"' in html
    html = refused(client, "/admin/rounds/new", {"name": "Same day", "opens_on": "2027-01-01",
                                                 "opens_time": "12:00", "closes_on": "2027-01-01",
                                                 "closes_time": "09:00"})
    assert "The round cannot close before it opens." in html


def test_changing_the_closing_time_is_audited_field_by_field(client, admin, make, events) -> None:
    round_ = make.round(name="2026", opens_on=date(2026, 3, 1))
    round_.closes_on = date(2026, 12, 15)
    response = post(client, f"/admin/rounds/{round_.id}", {
        "name": "2026", "opens_on": "2026-03-01", "closes_on": "2026-12-15", "closes_time": "17:00",
        "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    assert (round_.closes_time, round_.time_zone) == (time(17, 0), "Asia/Tokyo")
    updated, = events("admin.round.update")
    assert updated.detail["changes"] == {"closes_time": ["23:59", "17:00"],
                                         "time_zone": ["UTC", "Asia/Tokyo"]}


def test_the_status_follows_the_instant_in_the_rounds_zone(client, admin, make) -> None:
    now = utcnow()
    closed = make.round(name="Closed an hour ago")
    ago = now - timedelta(hours=1)
    closed.closes_on, closed.closes_time = ago.date(), ago.time().replace(second=0, microsecond=0)
    still = make.round(name="Open until tonight")
    ahead = now + timedelta(hours=2)
    still.closes_on, still.closes_time = ahead.date(), ahead.time().replace(second=0, microsecond=0)
    later = make.round(name="Opens tomorrow", opens_on=(now + timedelta(days=1)).date())
    html = page(client, "/admin/rounds")
    assert "<td>closed</td>" in round_row(html, closed.name)
    assert "<td>open</td>" in round_row(html, still.name)
    assert "<td>upcoming</td>" in round_row(html, later.name)
    assert f"<td>{ago:%Y-%m-%d %H:%M}</td>" in round_row(html, closed.name)
