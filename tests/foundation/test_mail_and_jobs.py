"""Mail and background jobs, end to end: the outbox, a real SMTP server on loopback, retries
that never send twice, the reminder schedule, "remind now" and the admin pages."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment import jobs, mail, reminders
from assessment.assessments.models import AssessmentStatus, Round
from assessment.auth.models import Role, User
from assessment.jobs.models import Job, JobStatus
from assessment.mail.models import MailStatus, OutgoingMail
from tests.mailbox import Inbox, check_no_remote_content, parts, read, smtp_server

# The round closes at 17:00 in Nairobi ten days from now (messages are written at send time,
# and a reminder for a closed round is not sent).
CLOSES_ON = (datetime.now(UTC) + timedelta(days=10)).date()
CLOSES_AT = datetime.combine(CLOSES_ON, time(17, 0), ZoneInfo("Africa/Nairobi"))
NOW = CLOSES_AT - timedelta(days=9)


# --- a round with cities in every state ---------------------------------------------------------


@dataclass
class Programme:
    round: Round
    started: User  # official of a city with a draft
    fresh: User  # official of a city that has not started
    done: User  # official of a city that submitted
    regional: User
    other_region: User  # official of a city of another region


@pytest.fixture()
def programme(make: Any, db_session: Session) -> Programme:
    africa, asia = make.region("Africa"), make.region("Asia-Pacific")
    kenya, rwanda = make.country(region=africa, name="Kenya"), make.country(region=africa, name="Rwanda")
    nairobi, kigali = make.city(country=kenya, name="Nairobi"), make.city(country=rwanda, name="Kigali")
    musanze = make.city(country=rwanda, name="Musanze")
    bandung = make.city(country=make.country(region=asia, name="Indonesia"), name="Bandung")
    round_ = make.round(name="2026", opens_on=CLOSES_ON - timedelta(days=90))
    round_.closes_on, round_.closes_time, round_.time_zone = CLOSES_ON, time(17, 0), "Africa/Nairobi"
    make.assessment(city=nairobi, round=round_)
    make.assessment(city=musanze, round=round_, status=AssessmentStatus.SUBMITTED)
    db_session.flush()
    return Programme(
        round=round_,
        started=make.user(Role.OFFICIAL, city=nairobi, email="amina@nairobi.example.org"),
        fresh=make.user(Role.OFFICIAL, city=kigali, email="jean@kigali.example.org"),
        done=make.user(Role.OFFICIAL, city=musanze, email="claude@musanze.example.org"),
        regional=make.user(Role.REGIONAL, region=africa, email="office@africa.example.org"),
        other_region=make.user(Role.OFFICIAL, city=bandung, email="dewi@bandung.example.org"),
    )


def mails_to(session: Session, user: User) -> list[OutgoingMail]:
    return list(session.scalars(select(OutgoingMail).where(OutgoingMail.user_id == user.id)))


# --- tests --------------------------------------------------------------------------------------


def test_the_reminder_schedule_reaches_only_cities_that_have_not_submitted(
        db_session: Session, programme: Programme) -> None:
    before = CLOSES_AT - timedelta(days=40)  # no reminder day reached yet
    assert reminders.send_due(db_session, before) == 0

    six_days_left = CLOSES_AT - timedelta(days=6)  # 14 and 7 days are past
    queued = reminders.send_due(db_session, six_days_left)
    db_session.commit()
    jobs.run_ready(db_session)
    assert queued == 3  # Nairobi (draft), Kigali (not started), Bandung (not started)
    for person in (programme.started, programme.fresh, programme.other_region):
        (sent,) = mails_to(db_session, person)
        assert sent.kind == "reminder" and sent.status == MailStatus.SENT
        assert sent.key is not None and sent.key.endswith(":7")  # the 7-day reminder, once
    assert mails_to(db_session, programme.done) == []
    assert mails_to(db_session, programme.regional) == []

    # The hourly check running again sends nothing new; the 1-day reminder comes later.
    assert reminders.send_due(db_session, six_days_left + timedelta(hours=1)) == 0
    assert reminders.send_due(db_session, CLOSES_AT - timedelta(hours=20)) == 3
    # After the deadline, nobody is reminded.
    assert reminders.send_due(db_session, CLOSES_AT + timedelta(minutes=1)) == 0


def test_a_person_who_turned_reminders_off_gets_none(db_session: Session,
                                                     programme: Programme) -> None:
    programme.fresh.mail_opt_outs = "reminder"
    reminders.send_due(db_session, CLOSES_AT - timedelta(days=6))
    assert mails_to(db_session, programme.fresh) == []
    assert len(mails_to(db_session, programme.started)) == 1


def test_messages_are_written_to_the_outbox_in_the_recipients_language(
        app: Flask, db_session: Session, programme: Programme) -> None:
    programme.fresh.language = "fr"
    reminders.remind_now(db_session, programme.regional, programme.round,
                         region_id=programme.regional.region_id, now=NOW)
    db_session.commit()
    jobs.run_ready(db_session)
    (row,) = mails_to(db_session, programme.fresh)
    assert row.status == MailStatus.SENT and row.language == "fr"
    message = read(row)
    assert message["To"] == "jean@kigali.example.org"
    text, html = parts(message)
    assert "Kigali" in text and format_date(CLOSES_ON, "long", locale="fr") in text  # French dates
    assert "17:00 (Africa/Nairobi)" in text
    assert 'lang="fr"' in html
    # No tracking, no remote content: no image, and every link goes to the app itself.
    assert re.findall(r'href="([^"]+)"', html)
    check_no_remote_content(app, html)
    # Optional mail says where to turn it off; both parts are in French throughout.
    assert "/account" in text
    assert "Continue the assessment" not in text and "Continue the assessment" not in html


def test_smtp_delivery_retried_after_a_refusal_sends_exactly_once(
        db_session: Session, programme: Programme, smtp: Inbox) -> None:
    smtp.refuse = 1
    reminders.remind_now(db_session, programme.regional, programme.round,
                         region_id=programme.regional.region_id, city_ids=[programme.fresh.city_id],
                         now=NOW)
    db_session.commit()
    jobs.run_ready(db_session)
    (row,) = mails_to(db_session, programme.fresh)
    job = db_session.scalars(select(Job).where(Job.name == "mail.send")).one()
    assert row.status == MailStatus.QUEUED and "451" in (row.last_error or "")
    assert job.status == JobStatus.RETRYING and job.attempts == 1
    assert job.next_attempt_at is not None and job.next_attempt_at > datetime.now(UTC)
    assert smtp.messages == []

    # Not due yet: nothing runs. Once due, it runs and the message arrives.
    assert jobs.run_due(db_session) == []
    assert [j.status for j in jobs.run_due(db_session, job.next_attempt_at)] == [JobStatus.DONE]
    assert len(smtp.messages) == 1
    db_session.refresh(row)
    assert row.status == MailStatus.SENT and row.attempts == 2
    text, html = parts(smtp.messages[0])
    assert "Kigali" in text and "Kigali" in html

    # Running the job again, or a second copy of it, sends nothing more.
    assert jobs.run(db_session, job.id) is not None
    mail.deliver(db_session, row.id)
    job.status = JobStatus.QUEUED
    db_session.commit()
    assert jobs.run(db_session, job.id).status == JobStatus.DONE  # type: ignore[union-attr]
    assert len(smtp.messages) == 1


def test_a_job_that_keeps_failing_is_shown_to_admins_and_can_be_retried(
        client: Any, login: Any, make: Any, db_session: Session, programme: Programme,
        smtp: Inbox) -> None:
    smtp.refuse = 100
    reminders.remind_now(db_session, None, programme.round, city_ids=[programme.fresh.city_id], now=NOW)
    db_session.commit()
    jobs.run_ready(db_session)
    job = db_session.scalars(select(Job).where(Job.name == "mail.send")).one()
    for _attempt in range(job.max_attempts - 1):
        assert job.next_attempt_at is not None
        jobs.run_due(db_session, job.next_attempt_at)
        db_session.refresh(job)
    assert job.status == JobStatus.FAILED and job.attempts == job.max_attempts
    assert jobs.backoff(1) < jobs.backoff(2) < jobs.backoff(3)
    (row,) = mails_to(db_session, programme.fresh)
    assert row.status == MailStatus.FAILED

    login(make.user(Role.ADMIN, email="admin@example.org"))
    page = client.get("/admin/jobs?status=failed").get_data(as_text=True)
    assert "Send a message" in page and "451" in page and "Try again now" in page
    outbox = client.get("/admin/outbox").get_data(as_text=True)
    assert "jean@kigali.example.org" in outbox and "Could not be sent" in outbox

    smtp.refuse = 0
    response = client.post(f"/admin/jobs/{job.id}/retry")
    assert response.status_code == 302
    db_session.refresh(job)
    db_session.refresh(row)
    assert job.status == JobStatus.DONE and row.status == MailStatus.SENT
    assert len(smtp.messages) == 1


def test_the_jobs_command_lists_runs_and_retries(runner: Any, db_session: Session,
                                                programme: Programme, smtp: Inbox) -> None:
    smtp.refuse = 1
    reminders.remind_now(db_session, None, programme.round, city_ids=[programme.fresh.city_id], now=NOW)
    db_session.commit()
    jobs.run_ready(db_session)
    job = db_session.scalars(select(Job).where(Job.name == "mail.send")).one()
    listed = runner.invoke(args=["jobs", "list", "--status", "retrying"])
    assert listed.exit_code == 0 and f"{job.id}\tmail.send\tretrying\t1/5" in listed.output
    assert "451" in listed.output
    assert runner.invoke(args=["jobs", "run"]).output.strip() == "0 jobs run, 0 done."  # not due yet
    retried = runner.invoke(args=["jobs", "retry", str(job.id)])
    assert retried.exit_code == 0 and f"Job {job.id}: Done." in retried.output
    assert len(smtp.messages) == 1
    again = runner.invoke(args=["jobs", "retry", str(job.id)])
    assert again.exit_code == 1 and "there is nothing to retry" in again.output
    assert runner.invoke(args=["jobs", "retry", "999999"]).exit_code == 1


def test_the_outbox_page_shows_each_message(client: Any, login: Any, make: Any,
                                            db_session: Session, programme: Programme) -> None:
    reminders.remind_now(db_session, None, programme.round, city_ids=[programme.fresh.city_id], now=NOW)
    db_session.commit()
    jobs.run_ready(db_session)
    (row,) = mails_to(db_session, programme.fresh)
    login(make.user(Role.ADMIN, email="admin@example.org"))
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert row.subject in listing and "not sent" in listing
    shown = client.get(f"/admin/outbox/{row.id}").get_data(as_text=True)
    assert "Plain-text part" in shown and "Continue the assessment" in shown
    assert client.get("/admin/outbox/999999").status_code == 404
    login(programme.regional)
    assert client.get("/admin/outbox").status_code == 403


def test_remind_now_previews_the_message_and_lists_only_the_regions_pending_cities(
        client: Any, login: Any, db_session: Session, programme: Programme) -> None:
    login(programme.regional)
    url = f"/dashboard/remind?round={programme.round.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Nairobi" in page and "Kigali" in page
    assert "Musanze" not in page  # submitted
    assert "Bandung" not in page and "dewi@bandung" not in page  # another region
    assert "Subject:" in page and "days left" in page  # the preview

    response = client.post(url, data={"city": [str(programme.fresh.city_id)]})
    assert response.status_code == 302
    assert [m.kind for m in mails_to(db_session, programme.fresh)] == ["reminder"]
    assert mails_to(db_session, programme.started) == []
    # A city of another region cannot be slipped into the form.
    client.post(url, data={"city": [str(programme.other_region.city_id)]})
    assert mails_to(db_session, programme.other_region) == []
    login(programme.fresh)
    assert client.get(url).status_code == 403


def test_reminders_command_dry_run_sends_nothing_and_send_queues(runner: Any, db_session: Session,
                                                                  programme: Programme) -> None:
    dry = runner.invoke(args=["reminders", "send", "--round", "2026", "--region", "Africa", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "jean@kigali.example.org" in dry.output and "dewi@bandung" not in dry.output
    assert db_session.scalar(select(func.count(OutgoingMail.id))) == 0

    sent = runner.invoke(args=["reminders", "send", "--round", "2026", "--region", "Africa"])
    assert sent.exit_code == 0, sent.output
    assert "Reminder queued for 2 officials." in sent.output
    assert [m.status for m in mails_to(db_session, programme.fresh)] == [MailStatus.SENT]

    unknown = runner.invoke(args=["reminders", "send", "--round", "1999"])
    assert unknown.exit_code == 1 and "There is no round named 1999" in unknown.output
    assert runner.invoke(args=["jobs", "list"]).output.count("mail.send") == 2


# --- the real queue: Celery on Redis -------------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_a_celery_worker_on_redis_sends_the_mail_once_even_when_the_job_is_delivered_twice(
        tmp_path: Any, shared_database_back: None) -> None:
    import time as clock
    import uuid

    import flask_migrate
    from celery.contrib.testing.worker import start_worker

    from assessment import create_app
    from assessment.extensions import db

    with smtp_server() as (inbox, port):
        app = create_app({
            "APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'queue.db'}", "REDIS_URL": REDIS_URL,
            "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
        })
        celery = app.extensions["celery"]
        assert "reminders.due" in celery.conf.beat_schedule  # the schedule runs on Celery beat
        # A queue of this test's own, so no other worker on this Redis takes its tasks.
        celery.conf.task_default_queue = f"assessment-test-{uuid.uuid4().hex[:8]}"
        try:
            with app.app_context():
                flask_migrate.upgrade()
                session = db.session
                from assessment.auth.services import create_user
                from assessment.places.models import City, Country, Region

                region = Region(name="Africa")
                city = City(name="Kigali", country=Country(name="Rwanda", region=region))
                session.add(city)
                round_ = Round(name="2026", opens_on=CLOSES_ON - timedelta(days=30), closes_on=CLOSES_ON,
                               time_zone="Africa/Kigali",
                               questionnaire_version_id=_version_id(app, session))
                session.add(round_)
                session.flush()
                official = create_user(session, email="jean@kigali.example.org", password="a long passphrase",
                                       role=Role.OFFICIAL, city=city)
                with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=20):
                    reminders.remind_now(session, None, round_, now=NOW)
                    session.commit()  # hands the mail job to the queue
                    job = session.scalars(select(Job)).one()
                    celery.send_task("assessment.run_job", args=(job.id,))  # a duplicate delivery
                    deadline = clock.monotonic() + 30
                    while clock.monotonic() < deadline:
                        session.rollback()  # a new transaction sees what the worker committed
                        if session.get(Job, job.id).status == JobStatus.DONE:  # type: ignore[union-attr]
                            break
                        clock.sleep(0.2)
                    clock.sleep(1)  # time for the duplicate to be taken and found done
                session.rollback()
                row = session.scalars(select(OutgoingMail).where(OutgoingMail.user_id == official.id)).one()
                assert row.status == MailStatus.SENT
                assert session.get(Job, job.id).status == JobStatus.DONE  # type: ignore[union-attr]
                assert len(inbox.messages) == 1
                assert inbox.messages[0]["To"] == "jean@kigali.example.org"
        finally:
            with app.app_context():
                db.session.remove()


def _version_id(app: Flask, session: Session) -> int:
    from assessment.assessments.versions import ensure_version

    return ensure_version(session, app.extensions["questionnaire"]).id


@pytest.mark.slow
@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_the_worker_command_runs_queued_jobs(tmp_path: Any, shared_database_back: None) -> None:
    """What `make worker` starts (`celery -A assessment.worker worker --beat`) takes a job from
    the queue and runs it against the app's database."""
    import os
    import subprocess
    import sys
    import time as clock
    import uuid
    from pathlib import Path

    import flask_migrate

    from assessment import create_app
    from assessment.extensions import db

    queue_name = f"assessment-test-{uuid.uuid4().hex[:8]}"
    settings = {"APP_ENV": "testing", "SECRET_KEY": "test-secret", "REDIS_URL": REDIS_URL,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}"}
    app = create_app({**settings, "TESTING": True})
    app.extensions["celery"].conf.task_default_queue = queue_name
    with app.app_context():
        flask_migrate.upgrade()
        job = jobs.enqueue(db.session, "reminders.due")
        db.session.commit()  # handed to the queue; no worker yet
        job_id = job.id
    celery = Path(sys.executable).with_name("celery")
    worker = subprocess.Popen(
        [str(celery), "-A", "assessment.worker", "worker", "--beat", "--pool", "solo",
         "--queues", queue_name, "--loglevel", "WARNING",
         "--schedule", str(tmp_path / "beat-schedule")],
        env={**os.environ, **settings}, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        deadline = clock.monotonic() + 60
        status = None
        while clock.monotonic() < deadline and worker.poll() is None:
            with app.app_context():
                status = db.session.get(Job, job_id).status  # type: ignore[union-attr]
                db.session.remove()
            if status == JobStatus.DONE:
                break
            clock.sleep(0.3)
        assert status == JobStatus.DONE, worker.stdout.read() if worker.poll() is not None else status
    finally:
        worker.terminate()
        worker.communicate(timeout=30)


def test_without_a_queue_jobs_run_after_the_response_is_sent(app: Flask, client: Any, login: Any,
                                                              db_session: Session, programme: Programme,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """As served (not under test), the reminder's mail is sent once the page has gone out: the
    response is complete before the job runs, and closing it (as the server does) runs it."""
    monkeypatch.setitem(app.config, "JOBS_AFTER_RESPONSE", True)
    login(programme.regional)
    url = f"/dashboard/remind?round={programme.round.id}"
    response = client.post(url, data={"city": [str(programme.fresh.city_id)]})
    assert response.status_code == 302
    (row,) = mails_to(db_session, programme.fresh)
    assert row.status == MailStatus.QUEUED  # the answer did not wait for the mail
    response.close()  # what the server does once it has sent the response
    db_session.refresh(row)
    assert row.status == MailStatus.SENT and mail.outbox_file(row).is_file()
