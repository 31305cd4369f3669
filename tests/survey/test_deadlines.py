"""Deadlines that hold: after a city's closing instant nothing is written, and nothing typed is lost."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from assessment.assessments import deadlines, services
from assessment.assessments.deadline_text import deadline_notice
from assessment.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    DeadlineExtension,
    ElementScore,
    Round,
)
from assessment.audit.models import AuditEvent
from assessment.auth.models import Role
from assessment.database import utcnow
from assessment.questionnaire import QuestionType
from tests.forms import element_url, form_fields, load_form, set_answer


def close(round_, *, ago: timedelta = timedelta(hours=1), zone: str = "UTC") -> datetime:
    """Make ``round_`` close ``ago`` before now, on the clock of ``zone``; returns the instant."""
    at = (utcnow() - ago).astimezone(ZoneInfo(zone)).replace(second=0, microsecond=0)
    round_.time_zone = zone
    round_.closes_on, round_.closes_time = at.date(), at.time().replace(tzinfo=None)
    return at


def stored(db_session, assessment) -> dict[str, tuple]:
    rows = db_session.scalars(select(Answer).where(Answer.assessment_id == assessment.id))
    return {row.question_id: (row.value, row.note, row.revision) for row in rows}


def saves(db_session, assessment) -> int:
    return db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.assessment_id == assessment.id, AuditEvent.action == "save"))


@pytest.fixture()
def typed(client, login, world, questionnaire, db_session):
    """The element page as the official filled it in while the round was open; then it closes."""
    login(world.official)
    element = questionnaire.elements[0]
    question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    data = load_form(client, world.assessment, element.id)
    set_answer(data, question, "3")
    data[f"note_{question.id}"] = "Figures from the transport office, March budget"
    close(world.round)
    db_session.commit()  # kept through the request's rollback
    return element, question, data


# --- refused writes ------------------------------------------------------------------------------


def test_a_save_after_closing_is_refused_and_keeps_what_was_typed(client, world, typed, db_session) -> None:
    element, question, data = typed
    before = stored(db_session, world.assessment)
    response = client.post(element_url(world.assessment, element.id), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was saved: the round closed for your city on" in page
    assert "(UTC)" in page and "regional office can extend" in page
    fields = form_fields(page, element_url(world.assessment, element.id))
    assert fields[question.field_name] == "3"
    assert fields[f"note_{question.id}"] == "Figures from the transport office, March budget"
    db_session.expire_all()
    assert stored(db_session, world.assessment) == before
    assert saves(db_session, world.assessment) == 0


def test_the_all_questions_page_is_refused_too(client, login, world, questionnaire, db_session) -> None:
    login(world.official)
    url = f"/assessments/{world.assessment.id}/answers"
    data = form_fields(client.get(url).get_data(as_text=True), url)
    question = next(q for q in questionnaire.questions if q.type is QuestionType.MATURITY)
    set_answer(data, question, "2")
    data[f"note_{question.id}"] = "Typed on the long page"
    data["go"] = "save"
    close(world.round, ago=timedelta(minutes=5))
    db_session.commit()
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Nothing was saved" in page
    assert form_fields(page, url)[f"note_{question.id}"] == "Typed on the long page"
    db_session.expire_all()
    assert stored(db_session, world.assessment) == {}


def test_autosave_after_closing_answers_json(client, world, typed, db_session) -> None:
    element, _question, data = typed
    response = client.post(element_url(world.assessment, element.id) + "/autosave", data=data)
    body = response.get_json()
    assert response.status_code == 409
    assert body["status"] == "closed" and "the round closed for your city on" in body["message"]
    assert body["time_zone"] == "UTC" and body["closes_at"].startswith(world.round.closes_on.isoformat())
    db_session.expire_all()
    assert stored(db_session, world.assessment) == {}


def test_submitting_after_closing_is_refused(client, login, make, world, db_session) -> None:
    make.answer(world.assessment, 2.0)
    login(world.official)
    close(world.round)
    db_session.commit()
    url = f"/assessments/{world.assessment.id}/submit"
    page = client.get(url).get_data(as_text=True)
    assert "This round closed for your city on" in page
    assert f'action="{url}"' not in page  # no confirmation form
    response = client.post(url, data={"confirm": "y"})
    assert response.status_code == 409
    assert "Not submitted: the round closed" in response.get_data(as_text=True)
    db_session.expire_all()
    assessment = db_session.get(Assessment, world.assessment.id)
    assert assessment.status == AssessmentStatus.DRAFT and assessment.submitted_at is None
    assert db_session.scalar(select(func.count()).select_from(ElementScore).where(
        ElementScore.assessment_id == assessment.id)) == 0


def test_save_and_submit_on_one_page_after_closing_writes_nothing(client, login, make, world,
                                                                   db_session) -> None:
    make.answer(world.assessment, 2.0)
    login(world.official)
    url = f"/assessments/{world.assessment.id}/answers"
    data = form_fields(client.get(url).get_data(as_text=True), url)
    data["go"], data["confirm"] = "submit", "y"
    close(world.round)
    db_session.commit()
    response = client.post(url, data=data)
    assert response.status_code == 409
    db_session.expire_all()
    assert db_session.get(Assessment, world.assessment.id).status == AssessmentStatus.DRAFT


def test_after_closing_the_pages_are_read_only_and_say_so(client, login, world, questionnaire,
                                                          db_session) -> None:
    login(world.official)
    closed_at = close(world.round, ago=timedelta(days=2))
    overview = client.get(f"/assessments/{world.assessment.id}").get_data(as_text=True)
    assert "This round closed for your city on" in overview and "Continue answering" not in overview
    assert f'<time datetime="{closed_at.isoformat()}">Closed on' in overview
    element = client.get(element_url(world.assessment, questionnaire.elements[0].id)).get_data(as_text=True)
    assert "answers can no longer be changed" in element and "Save draft" not in element


def test_a_round_that_has_closed_cannot_be_started(client, make, login, db_session) -> None:
    official = login(make.user(Role.OFFICIAL))
    round_ = make.round(name="Closed at noon")
    close(round_, ago=timedelta(minutes=1))
    db_session.commit()
    response = client.post("/assessments/start", data={"round_id": round_.id}, follow_redirects=True)
    assert "is not open" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Assessment).where(
        Assessment.round_id == round_.id, Assessment.city_id == official.city_id)) == 0


# --- extensions -------------------------------------------------------------------------------------


def test_a_city_with_an_extension_can_still_start(client, make, login, db_session) -> None:
    official = login(make.user(Role.OFFICIAL))
    round_ = make.round(name="Late starters")
    closed_at = close(round_, ago=timedelta(days=1))
    deadlines.set_city_deadline(db_session, make.user(Role.ADMIN), round_, official.city,
                                closed_at + timedelta(days=5), "New council")
    db_session.commit()
    page = client.get("/assessments").get_data(as_text=True)
    assert "Extended for your city" in page and f'name="round_id" value="{round_.id}"' in page
    assert client.post("/assessments/start", data={"round_id": round_.id}).status_code == 302
    assert db_session.scalar(select(func.count()).select_from(Assessment).where(
        Assessment.round_id == round_.id, Assessment.city_id == official.city_id)) == 1


def test_an_extension_lets_one_city_save_while_another_is_refused(client, second_client, login_on, make,
                                                                    world, questionnaire, db_session) -> None:
    other_city = make.city(name="Huye", country=world.city.country)
    other = make.assessment(city=other_city, round=world.round)
    other_official = make.user(Role.OFFICIAL, city=other_city)
    regional = make.user(Role.REGIONAL, region=world.city.country.region)
    login_on(client, world.official)
    login_on(second_client, other_official)
    element = questionnaire.elements[0]
    question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    mine = load_form(client, world.assessment, element.id)
    theirs = load_form(second_client, other, element.id)
    closed_at = close(world.round)
    deadlines.set_city_deadline(db_session, regional, world.round, world.city,
                                closed_at + timedelta(days=3), "Council elections delayed the work")
    db_session.commit()
    set_answer(mine, question, "3")
    set_answer(theirs, question, "3")
    assert client.post(element_url(world.assessment, element.id), data=mine).status_code == 302
    assert second_client.post(element_url(other, element.id), data=theirs).status_code == 409
    db_session.expire_all()
    assert stored(db_session, world.assessment)[question.id][0] == "3"
    assert stored(db_session, other) == {}
    page = client.get(element_url(world.assessment, element.id)).get_data(as_text=True)
    assert "Extended for your city; the round itself closed on" in page and "3 days left" in page
    overview = client.get(f"/assessments/{world.assessment.id}").get_data(as_text=True)
    assert "deadline to" in overview and "Council elections delayed the work" in overview  # history


def test_the_regional_office_extends_changes_and_removes_a_deadline(client, login, make, world,
                                                                     db_session) -> None:
    regional = login(make.user(Role.REGIONAL, region=world.city.country.region))
    close(world.round, ago=timedelta(days=1))
    db_session.commit()
    url = f"/rounds/{world.round.id}/cities/{world.city.id}/deadline"
    page = client.get(url).get_data(as_text=True)
    assert "Deadline for Kigali, 2026" in page and "Closed on" in page
    new_day = (utcnow() + timedelta(days=10)).date()
    response = client.post(url, data={"closes_on": new_day.isoformat(), "closes_time": "17:00",
                                      "reason": "Data arrives late"})
    assert response.status_code == 302
    extension = deadlines.extension_for(db_session, world.round.id, world.city.id)
    assert extension.closes_at == datetime.combine(new_day, time(17, 0), UTC)
    assert extension.granted_by_id == regional.id and extension.reason == "Data arrives late"
    later = new_day + timedelta(days=2)
    client.post(url, data={"closes_on": later.isoformat(), "closes_time": "12:00", "reason": "More time"})
    db_session.expire_all()
    assert deadlines.extension_for(db_session, world.round.id, world.city.id).closes_at == datetime.combine(
        later, time(12, 0), UTC)
    assert client.post(url + "/remove").status_code == 302
    assert deadlines.extension_for(db_session, world.round.id, world.city.id) is None
    actions = [e.action for e in db_session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("deadline.%")).order_by(AuditEvent.id))]
    assert actions == ["deadline.extend", "deadline.change", "deadline.remove"]
    [extend] = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "deadline.extend"))
    assert extend.assessment_id == world.assessment.id and extend.detail["city_id"] == world.city.id
    assert extend.user_id == regional.id and extend.detail["reason"] == "Data arrives late"


def test_a_new_deadline_must_be_later_than_the_rounds_and_ahead(client, login, make, world,
                                                                 db_session) -> None:
    login(make.user(Role.REGIONAL, region=world.city.country.region))
    closed_at = close(world.round, ago=timedelta(days=3))
    db_session.commit()
    url = f"/rounds/{world.round.id}/cities/{world.city.id}/deadline"
    earlier = (closed_at - timedelta(days=1)).date().isoformat()
    page = client.post(url, data={"closes_on": earlier, "closes_time": "10:00",
                                  "reason": "Typed reason kept"}).get_data(as_text=True)
    assert "must be later than the round&#39;s own closing" in page and "Typed reason kept" in page
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    page = client.post(url, data={"closes_on": yesterday, "closes_time": "23:00",
                                  "reason": "x"}).get_data(as_text=True)
    assert "must be in the future" in page
    page = client.post(url, data={"closes_on": "", "reason": ""}).get_data(as_text=True)
    assert "Enter the new closing date." in page and "Give a reason" in page
    assert db_session.scalar(select(func.count()).select_from(DeadlineExtension)) == 0


def test_nobody_sees_or_changes_another_regions_deadlines(client, login, make, world, db_session) -> None:
    close(world.round)
    db_session.commit()
    url = f"/rounds/{world.round.id}/cities/{world.city.id}/deadline"
    ahead = (utcnow() + timedelta(days=5)).date().isoformat()
    login(make.user(Role.REGIONAL))  # another region
    assert client.get(url).status_code == 404
    assert client.post(url, data={"closes_on": ahead, "reason": "Mine now"}).status_code == 404
    assert client.post(url + "/remove").status_code == 404
    assert deadlines.extension_for(db_session, world.round.id, world.city.id) is None
    denied = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied"))
    assert len(list(denied)) >= 1


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.ANALYST])
def test_officials_and_analysts_cannot_extend(client, login, make, world, db_session, role) -> None:
    close(world.round)
    db_session.commit()
    login(make.user(role, city=world.city) if role is Role.OFFICIAL else make.user(role))
    url = f"/rounds/{world.round.id}/cities/{world.city.id}/deadline"
    ahead = (utcnow() + timedelta(days=5)).date().isoformat()
    assert client.post(url, data={"closes_on": ahead, "reason": "Please"}).status_code == 403
    assert deadlines.extension_for(db_session, world.round.id, world.city.id) is None


def test_an_admin_extends_any_city_and_sees_it_on_the_round_page(client, login, make, world,
                                                                  db_session) -> None:
    login(make.user(Role.ADMIN))
    close(world.round)
    db_session.commit()
    url = f"/rounds/{world.round.id}/cities/{world.city.id}/deadline"
    ahead = (utcnow() + timedelta(days=5)).date().isoformat()
    assert client.post(url, data={"closes_on": ahead, "closes_time": "09:30",
                                  "reason": "Flooding in March"}).status_code == 302
    page = client.get(f"/admin/rounds/{world.round.id}").get_data(as_text=True)
    assert "Kigali" in page and "Flooding in March" in page and url in page


def test_the_round_page_finds_the_city_to_extend_by_its_typed_name(client, login, make, world,
                                                                   db_session) -> None:
    login(make.user(Role.ADMIN))
    world.round.closes_on = (utcnow() + timedelta(days=5)).date()
    make.city(name="Tripoli", country=make.country(name="Libya"))
    make.city(name="Tripoli", country=make.country(name="Lebanon"))
    page = client.get(f"/admin/rounds/{world.round.id}").get_data(as_text=True)
    assert 'list="extend-city-options"' in page and "Kigali (" in page
    pick = f"/rounds/{world.round.id}/deadline"
    found = client.get(pick, query_string={"city": f"kigali ({world.city.country.name.lower()})"})
    assert found.headers["Location"].endswith(f"/rounds/{world.round.id}/cities/{world.city.id}/deadline")
    ambiguous = client.get(pick, query_string={"city": "Tripoli"}, follow_redirects=True)
    text = ambiguous.get_data(as_text=True)
    assert "Several cities are called" in text and "Tripoli (Lebanon)" in text


def test_the_overview_offers_the_regional_office_the_citys_deadline(client, login, make, world) -> None:
    login(make.user(Role.REGIONAL, region=world.city.country.region))
    page = client.get(f"/assessments/{world.assessment.id}").get_data(as_text=True)
    assert "No closing date." in page
    assert f"/rounds/{world.round.id}/cities/{world.city.id}/deadline" in page


# --- reopening in a closed round ---------------------------------------------------------------------


def test_reopening_in_a_closed_round_asks_for_a_new_deadline(client, login, make, world, questionnaire,
                                                             db_session) -> None:
    make.answer(world.assessment, 2.0, submit=True, user=world.official)
    regional = make.user(Role.REGIONAL, region=world.city.country.region)
    close(world.round, ago=timedelta(days=2))
    login(regional)
    db_session.commit()  # the sign-in too: the refused reopening rolls its request back
    url = f"/assessments/{world.assessment.id}/reopen"
    page = client.get(url).get_data(as_text=True)
    assert "A new deadline is required" in page and 'name="closes_on"' in page
    response = client.post(url, data={"reason": "Wrong year of budget figures"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "give the city a new deadline" in page
    assert "Wrong year of budget figures" in page
    db_session.expire_all()
    assert db_session.get(Assessment, world.assessment.id).status == AssessmentStatus.SUBMITTED
    ahead = (utcnow() + timedelta(days=7)).date()
    response = client.post(url, data={"reason": "Wrong year of budget figures",
                                      "closes_on": ahead.isoformat(), "closes_time": "18:00"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Assessment, world.assessment.id).status == AssessmentStatus.REOPENED
    extension = deadlines.extension_for(db_session, world.round.id, world.city.id)
    assert extension.closes_at == datetime.combine(ahead, time(18, 0), UTC)
    [reopen] = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "reopen"))
    assert reopen.detail["closes_at"].startswith(ahead.isoformat())
    # The city can now save its changes.
    login(world.official)
    element = questionnaire.elements[0]
    data = load_form(client, world.assessment, element.id)
    question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    set_answer(data, question, "4" if data.get(question.field_name) != "4" else "1")
    assert client.post(element_url(world.assessment, element.id), data=data).status_code == 302


def test_reopening_in_an_open_round_needs_no_deadline(client, login, make, world) -> None:
    make.answer(world.assessment, 2.0, submit=True, user=world.official)
    login(make.user(Role.REGIONAL, region=world.city.country.region))
    page = client.get(f"/assessments/{world.assessment.id}/reopen").get_data(as_text=True)
    assert "Optional: give the city more time" in page
    assert client.post(f"/assessments/{world.assessment.id}/reopen",
                       data={"reason": "A typo"}).status_code == 302


# --- closing never changes a submission ---------------------------------------------------------------


def test_closing_a_round_never_changes_a_submitted_score(client, login, make, world, db_session) -> None:
    make.answer(world.assessment, 2.5, submit=True, user=world.official)
    before = (world.assessment.status, world.assessment.overall_index, world.assessment.submitted_at)
    scores = sorted((s.element_id, s.score) for s in world.assessment.element_scores)
    close(world.round, ago=timedelta(days=30))
    db_session.commit()
    login(world.official)
    assert client.get(f"/assessments/{world.assessment.id}/report").status_code == 200
    response = client.post(f"/assessments/{world.assessment.id}/submit", data={"confirm": "y"})
    assert response.status_code == 302  # already submitted: nothing to refuse, nothing changes
    db_session.expire_all()
    assessment = db_session.get(Assessment, world.assessment.id)
    assert (assessment.status, assessment.overall_index, assessment.submitted_at) == before
    assert sorted((s.element_id, s.score) for s in assessment.element_scores) == scores


# --- time zones and the words ---------------------------------------------------------------------------


def test_a_round_closing_at_five_in_tokyo_is_closed_at_one_past_eight_utc(make) -> None:
    round_ = make.round(name="Tokyo round")
    round_.closes_on, round_.closes_time, round_.time_zone = date(2026, 11, 30), time(17, 0), "Asia/Tokyo"
    deadline = deadlines.deadline_for(round_)
    assert deadline.closes_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert deadline.is_open(datetime(2026, 11, 30, 7, 59, tzinfo=UTC))
    assert not deadline.is_open(datetime(2026, 11, 30, 8, 1, tzinfo=UTC))
    assert deadline.state(datetime(2026, 11, 30, 8, 1, tzinfo=UTC)) == deadlines.CLOSED


def test_the_refusal_names_the_time_on_the_rounds_clock(client, login, world, questionnaire,
                                                        db_session) -> None:
    login(world.official)
    element = questionnaire.elements[0]
    data = load_form(client, world.assessment, element.id)
    closed_at = close(world.round, ago=timedelta(minutes=2), zone="Asia/Tokyo")
    db_session.commit()
    page = client.post(element_url(world.assessment, element.id), data=data).get_data(as_text=True)
    assert f"at {closed_at:%H:%M} (Asia/Tokyo)" in page


def test_the_deadline_in_words(app, make) -> None:
    round_ = make.round(name="Words")
    round_.closes_on, round_.closes_time = date(2026, 11, 30), time(23, 59)
    round_.time_zone = "Africa/Nairobi"
    deadline = deadlines.deadline_for(round_)
    with app.test_request_context():
        five_days = deadline_notice(deadline, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
        assert five_days.text == "Closes on November 30, 2026 at 23:59 (Africa/Nairobi) — 5 days left."
        assert five_days.iso == "2026-11-30T23:59:00+03:00"
        today = deadline_notice(deadline, datetime(2026, 11, 30, 17, 30, tzinfo=UTC))
        assert today.text == "Closes today at 23:59 (Africa/Nairobi) — 3 hours left."
        last = deadline_notice(deadline, datetime(2026, 11, 30, 20, 58, tzinfo=UTC))
        assert last.text.endswith("— 1 minute left.")
        assert deadline_notice(deadline, datetime(2026, 12, 1, tzinfo=UTC)).text == (
            "Closed on November 30, 2026 at 23:59 (Africa/Nairobi).")
        round_.closes_on = None
        assert deadline_notice(deadlines.deadline_for(round_), datetime(2026, 12, 1, tzinfo=UTC)).text == (
            "No closing date.")


def test_the_home_page_shows_each_rounds_deadline(client, login, world, db_session) -> None:
    login(world.official)
    world.round.closes_on = (utcnow() + timedelta(days=12)).date()
    world.round.time_zone = "Africa/Kigali"
    page = client.get("/assessments").get_data(as_text=True)
    assert "(Africa/Kigali) — 12 days left." in page and "<time datetime=" in page


def test_services_refuse_writes_after_the_deadline(make, world, db_session, questionnaire) -> None:
    make.answer(world.assessment, 2.0)
    close(world.round)
    with pytest.raises(deadlines.DeadlinePassed):
        services.submit_assessment(db_session, world.assessment, questionnaire, world.official)
    assert world.assessment.status == AssessmentStatus.DRAFT


def test_the_demo_round_closes_a_few_weeks_after_seeding_in_nairobi(db_session, questionnaire) -> None:
    from assessment.demo.seed import seed_demo

    seed_demo(db_session, questionnaire, today=date(2026, 12, 3))
    current = db_session.scalar(select(Round).where(Round.name == "2026"))
    assert current.closes_at == datetime(2026, 12, 31, 17, 0, tzinfo=ZoneInfo("Africa/Nairobi"))
    assert deadlines.round_state(current, datetime(2026, 12, 3, 12, 0, tzinfo=UTC)) == deadlines.OPEN


def test_the_dashboard_shows_the_deadline_and_only_the_regions_extensions(client, login, make, world,
                                                                          db_session) -> None:
    admin = make.user(Role.ADMIN)
    closed_at = close(world.round, zone="Africa/Kigali")
    far = make.city(name="Bandung")
    make.assessment(city=far, round=world.round)
    for city, reason in ((world.city, "Kigali needs a week"), (far, "Bandung needs a week")):
        deadlines.set_city_deadline(db_session, admin, world.round, city, closed_at + timedelta(days=7),
                                    reason)
    login(make.user(Role.REGIONAL, region=world.city.country.region))
    page = client.get(f"/dashboard?round={world.round.id}").get_data(as_text=True)
    assert "Closed on" in page and "(Africa/Kigali)" in page
    assert "Kigali needs a week" in page and "Bandung needs a week" not in page
    assert f"/rounds/{world.round.id}/cities/{world.city.id}/deadline" in page
    assert f'<option value="{far.id}">' not in page


def test_the_regional_office_picks_a_city_among_its_own_regions_only(client, login, make, world) -> None:
    world.round.closes_on = (utcnow() + timedelta(days=5)).date()
    region = world.city.country.region
    make.city(name="Tripoli", country=make.country(region=region, name="Libya"))
    make.city(name="Tripoli", country=make.country(name="Lebanon"))  # another region
    login(make.user(Role.REGIONAL, region=region))
    page = client.get(f"/dashboard?round={world.round.id}").get_data(as_text=True)
    assert "Tripoli (Libya)" in page and "Lebanon" not in page
    found = client.get(f"/rounds/{world.round.id}/deadline", query_string={"city": "Tripoli"})
    assert found.status_code == 302 and "/cities/" in found.headers["Location"]
    unknown = client.get(f"/rounds/{world.round.id}/deadline", query_string={"city": "Atlantis"},
                         follow_redirects=True).get_data(as_text=True)
    assert "No city is called" in unknown and "Lebanon" not in unknown
