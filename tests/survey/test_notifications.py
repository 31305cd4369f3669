"""Mail that follows an assessment: reopened (to the city, with the reason), submitted (to the
regional office), deadline extended (to the city); each can be turned off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from assessment.auth.models import Role
from assessment.mail.models import MailStatus, OutgoingMail
from tests.mailbox import parts, read


def sent_to(session, user) -> list[OutgoingMail]:
    return list(session.scalars(select(OutgoingMail).where(OutgoingMail.user_id == user.id)
                                .order_by(OutgoingMail.id)))


def text_of(row: OutgoingMail) -> str:
    return parts(read(row))[0]


def test_a_reopened_assessment_tells_each_official_why(client, make, login, world, db_session) -> None:
    make.answer(world.assessment, 2.0, submit=True, user=world.official)
    regional = make.user(Role.REGIONAL, region=world.city.country.region, email="office@example.org")
    login(regional)
    response = client.post(f"/assessments/{world.assessment.id}/reopen",
                           data={"reason": "The 2025 budget figures were used"})
    assert response.status_code == 302
    for official in (world.official, world.colleague):
        (row,) = sent_to(db_session, official)
        assert row.kind == "assessment_reopened" and row.status == MailStatus.SENT
        text = text_of(row)
        assert "The 2025 budget figures were used" in text and "Kigali" in text
        assert f"/assessments/{world.assessment.id}" in text
    assert sent_to(db_session, regional) == []


def test_a_submission_tells_the_regional_office_and_only_it(client, make, login, world,
                                                            db_session) -> None:
    office = make.user(Role.REGIONAL, region=world.city.country.region, email="office@example.org")
    elsewhere = make.user(Role.REGIONAL, region=make.region("Elsewhere"), email="far@example.org")
    make.answer(world.assessment, 2.0, user=world.official)
    login(world.official)
    response = client.post(f"/assessments/{world.assessment.id}/submit", data={"confirm": "y"})
    assert response.status_code == 302
    (row,) = sent_to(db_session, office)
    assert row.kind == "city_submitted" and "Kigali" in row.subject
    assert f"/assessments/{world.assessment.id}/report" in text_of(row)
    assert sent_to(db_session, elsewhere) == []


def test_notifications_can_be_turned_off(client, make, login, world, db_session) -> None:
    office = make.user(Role.REGIONAL, region=world.city.country.region, email="office@example.org")
    office.mail_opt_outs = "city_submitted"
    make.answer(world.assessment, 2.0, user=world.official)
    login(world.official)
    client.post(f"/assessments/{world.assessment.id}/submit", data={"confirm": "y"})
    assert sent_to(db_session, office) == []


def test_an_extension_tells_the_city_its_new_deadline(make, world, db_session) -> None:
    from assessment.assessments import deadlines

    world.round.closes_on = (datetime.now(UTC) + timedelta(days=3)).date()
    admin = make.user(Role.ADMIN, email="admin@example.org")
    new = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
    deadlines.set_city_deadline(db_session, admin, world.round, world.city, new, "Elections")
    db_session.commit()
    from assessment import jobs

    jobs.run_ready(db_session)
    (row,) = sent_to(db_session, world.official)
    assert row.kind == "deadline_changed" and row.status == MailStatus.SENT
    assert deadlines.describe_instant(new, world.round.zone) in text_of(row)


def test_closing_the_round_tells_the_cities_still_answering(runner, make, world, db_session) -> None:
    world.round.closes_on = (datetime.now(UTC) + timedelta(days=10)).date()
    done = make.city(name="Musanze", country=world.city.country)
    make.answer(make.assessment(city=done, round=world.round), 2.0, submit=True)
    finished = make.user(Role.OFFICIAL, city=done, email="claude@musanze.example.org")
    db_session.flush()
    result = runner.invoke(args=["rounds", "close", world.round.name])
    assert result.exit_code == 0, result.output
    for official in (world.official, world.colleague):
        (row,) = sent_to(db_session, official)
        assert row.kind == "deadline_changed" and row.status == MailStatus.SENT
    assert sent_to(db_session, finished) == []
