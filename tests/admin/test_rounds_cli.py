"""flask --app assessment rounds list|create|open|close, as an operator runs them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from assessment.assessments import deadlines
from assessment.assessments.models import Assessment, AssessmentStatus, Round
from assessment.audit.models import AuditEvent
from assessment.database import utcnow


def rounds(runner, *args: str):
    return runner.invoke(args=["rounds", *args])


def events(db_session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def named(db_session, name: str) -> Round:
    round_ = db_session.scalar(select(Round).where(Round.name == name))
    assert round_ is not None
    return round_


@pytest.mark.parametrize("command", [[], ["list"], ["create"], ["open"], ["close"]])
def test_every_command_has_help(runner, command) -> None:
    result = rounds(runner, *command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_create_uses_the_current_version_and_is_audited(runner, db_session, questionnaire) -> None:
    result = rounds(runner, "create", "2027", "--opens", "2027-02-01T08:30", "--closes", "2027-06-30",
                    "--time-zone", "Africa/Nairobi", "--reminder-days", "7,14,1")
    assert result.exit_code == 0, result.output
    assert ("Created round 2027: opens 2027-02-01 08:30, closes 2027-06-30 23:59 (Africa/Nairobi)"
            in result.output)
    round_ = named(db_session, "2027")
    assert round_.questionnaire_version.content_hash == questionnaire.content_hash
    assert (round_.opens_time, round_.closes_time, round_.reminder_days) == (time(8, 30), time(23, 59),
                                                                            "14,7,1")
    [created] = events(db_session, "admin.round.create")
    assert created.user_id is None and created.detail["via"] == "cli"
    assert created.detail["time_zone"] == "Africa/Nairobi"


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--opens", "1 March"], 2, "is not a date (YYYY-MM-DD)"),
    (["--opens", "2027-02-30"], 2, "is not a date"),
    (["--opens", "2027-02-01T25:00"], 2, "is not a date"),
    (["--opens", "2027-02-01", "--time-zone", "Europe/Atlantis"], 2, "is not a time zone name"),
    (["--opens", "2027-02-01", "--reminder-days", "14,a week"], 1, "Reminder days are whole numbers"),
    (["--opens", "2027-06-01", "--closes", "2027-01-01"], 1, "cannot close before it opens"),
    ([], 2, "Missing option '--opens'"),
])
def test_create_refuses_bad_input_with_a_message(runner, db_session, args, code, message) -> None:
    result = rounds(runner, "create", "Broken", *args)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert db_session.scalar(select(Round).where(Round.name == "Broken")) is None


def test_a_name_in_use_is_refused(runner, make) -> None:
    make.round(name="2026")
    result = rounds(runner, "create", "2026", "--opens", "2026-01-01")
    assert result.exit_code == 1 and "There is already a round called 2026." in result.output


def test_list_prints_a_table_with_zone_status_version_and_counts(runner, make, questionnaire) -> None:
    round_ = make.round(name="Busy")
    round_.closes_on, round_.closes_time, round_.time_zone = date(2020, 6, 30), time(17, 0), "Asia/Tokyo"
    make.assessment(round=round_)
    make.assessment(round=round_, status=AssessmentStatus.SUBMITTED)
    make.round(name="Endless")
    result = rounds(runner, "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Round", "Opens", "Closes", "Status", "Version", "Submitted"]
    busy = next(line for line in lines if line.startswith("Busy"))
    assert "2026-03-01 00:00" in busy and "2020-06-30 17:00 Asia/Tokyo" in busy
    assert "closed" in busy and questionnaire.version in busy and busy.endswith("1/2")
    endless = next(line for line in lines if line.startswith("Endless"))
    assert "no closing date (UTC)" in endless and " open " in endless and endless.endswith("0/0")


def test_list_says_when_there_is_nothing(runner) -> None:
    result = rounds(runner, "list")
    assert result.exit_code == 0 and "No rounds yet" in result.output


def test_open_moves_a_future_opening_to_now_and_clears_a_past_closing(runner, make, db_session) -> None:
    later = make.round(name="Later", opens_on=(utcnow() + timedelta(days=30)).date())
    result = rounds(runner, "open", "Later")
    assert result.exit_code == 0, result.output
    assert deadlines.round_state(later, utcnow()) == deadlines.OPEN
    closed = make.round(name="Closed")
    closed.closes_on = date(2026, 6, 30)
    assert rounds(runner, "open", "closed").exit_code == 0  # names are matched case-insensitively
    assert closed.closes_on is None and deadlines.round_state(closed, utcnow()) == deadlines.OPEN
    [update, *_] = events(db_session, "admin.round.update")
    assert update.detail["via"] == "cli" and "opens_on" in update.detail["changes"]
    again = rounds(runner, "open", "Closed")
    assert again.exit_code == 0 and "already open" in again.output


def test_open_until_sets_a_new_closing(runner, make) -> None:
    round_ = make.round(name="Extended")
    round_.closes_on, round_.time_zone = date(2026, 6, 30), "America/Bogota"
    until = (utcnow() + timedelta(days=14)).date()
    result = rounds(runner, "open", "Extended", "--until", f"{until}T18:00")
    assert result.exit_code == 0, result.output
    assert round_.closes_at == datetime.combine(until, time(18, 0), ZoneInfo("America/Bogota"))
    past = rounds(runner, "open", "Extended", "--until", "2020-01-01")
    assert past.exit_code == 1 and "must be in the future" in past.output


def test_close_now_or_at_a_given_time(runner, make, db_session) -> None:
    round_ = make.round(name="Running")
    result = rounds(runner, "close", "Running")
    assert result.exit_code == 0, result.output
    assert deadlines.round_state(round_, utcnow()) == deadlines.CLOSED
    result = rounds(runner, "close", "Running", "--at", "2030-01-31T17:00")
    assert result.exit_code == 0 and "Round Running closes 2030-01-31 17:00 (UTC)." in result.output
    assert round_.closes_at == datetime(2030, 1, 31, 17, 0, tzinfo=UTC)
    early = rounds(runner, "close", "Running", "--at", "2020-01-01")
    assert early.exit_code == 1 and "cannot close before it opens" in early.output
    assert len(events(db_session, "admin.round.update")) == 2


def test_an_unknown_round_is_named_in_the_message(runner) -> None:
    for command in ("open", "close"):
        result = rounds(runner, command, "Nonesuch")
        assert result.exit_code == 1 and "No round named “Nonesuch”" in result.output
        assert "Traceback" not in result.output
    bad = rounds(runner, "close", "Nonesuch", "--at", "soon")
    assert bad.exit_code == 2 and "is not a date" in bad.output


def test_closing_never_changes_a_submitted_score(runner, make, world, db_session) -> None:
    make.answer(world.assessment, 3.0, submit=True, user=world.official)
    before = (world.assessment.status, world.assessment.overall_index, world.assessment.submitted_at,
              sorted((s.element_id, s.score) for s in world.assessment.element_scores))
    assert rounds(runner, "close", world.round.name).exit_code == 0
    db_session.expire_all()
    assessment = db_session.get(Assessment, world.assessment.id)
    after = (assessment.status, assessment.overall_index, assessment.submitted_at,
             sorted((s.element_id, s.score) for s in assessment.element_scores))
    assert after == before
