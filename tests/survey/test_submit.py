"""Submitting: what is missing, the confirmation step, exactly one submission, then locked."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from assessment.assessments import progress, services
from assessment.assessments.models import Answer, AssessmentStatus, ElementScore
from assessment.audit.models import AuditEvent
from assessment.auth.models import Role
from assessment.questionnaire import QuestionType
from tests.forms import csrf_token, element_url, form_fields, load_form, set_answer


def submit_url(world) -> str:
    return f"/assessments/{world.assessment.id}/submit"


def submissions(db_session, world) -> int:
    return db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.assessment_id == world.assessment.id, AuditEvent.action == "submit"))


@pytest.fixture()
def nearly_done(make, db_session, world, questionnaire):
    """Every element has enough answers, but a few questions are blank or "don't know"."""
    make.answer(world.assessment, 2.0, fill=1.0)
    rows = {row.question_id: row for row in db_session.scalars(
        select(Answer).where(Answer.assessment_id == world.assessment.id))}
    element = questionnaire.elements[0]
    blank, unknown = element.scored_questions[-2:]
    db_session.delete(rows[blank.id])
    rows[unknown.id].value, rows[unknown.id].dont_know, rows[unknown.id].score = None, True, None
    db_session.flush()
    assert progress.progress(questionnaire, services.load_answers(db_session, world.assessment.id)).ready
    return blank, unknown


def test_the_review_page_names_what_is_missing_with_links(client, login, world, nearly_done) -> None:
    login(world.official)
    blank, unknown = nearly_done
    page = client.get(submit_url(world)).get_data(as_text=True)
    assert "Still open" in page
    assert f'{element_url(world.assessment, blank.element_id)}#q-{blank.id}"' in page
    assert f'{element_url(world.assessment, unknown.element_id)}#q-{unknown.id}"' in page
    assert "(blank)" in page and "(don't know)" in page
    assert "I confirm" in page and "enough answers to be scored" in page


def test_an_element_without_enough_answers_blocks_submission(client, login, world, db_session,
                                                            questionnaire) -> None:
    login(world.official)
    element = questionnaire.elements[0]
    data = load_form(client, world.assessment, element.id)
    set_answer(data, next(q for q in element.questions if q.type is QuestionType.MATURITY), "2")
    client.post(element_url(world.assessment, element.id), data=data)
    page = client.get(submit_url(world)).get_data(as_text=True)
    assert "Not ready to submit yet" in page and "Submit the assessment" not in page
    response = client.post(submit_url(world), data={"confirm": "y"})
    assert response.status_code == 200 and "no longer has enough answers" in response.get_data(as_text=True)
    assert world.assessment.status == AssessmentStatus.DRAFT and submissions(db_session, world) == 0


def test_submitting_needs_the_confirmation(client, login, world, nearly_done, db_session) -> None:
    login(world.official)
    response = client.post(submit_url(world), data={})
    assert response.status_code == 200 and "Tick the box to confirm" in response.get_data(as_text=True)
    assert world.assessment.status == AssessmentStatus.DRAFT


def test_submitting_locks_stores_scores_and_goes_to_the_report(client, login, world, nearly_done,
                                                              db_session, questionnaire) -> None:
    login(world.official)
    response = client.post(submit_url(world), data={"confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{world.assessment.id}/report")
    assessment = world.assessment
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert assessment.submitted_by_id == world.official.id and assessment.submitted_at is not None
    rows = services.load_answers(db_session, assessment.id)
    expected = progress.progress(questionnaire, rows).score
    assert assessment.overall_index == pytest.approx(expected.overall)
    stored = {e.element_id: e.score for e in db_session.scalars(
        select(ElementScore).where(ElementScore.assessment_id == assessment.id))}
    assert stored == pytest.approx({e.element_id: e.score for e in expected.elements})
    assert submissions(db_session, world) == 1
    # Locked: the element page is read-only and a save is refused, keeping what was typed.
    element = questionnaire.elements[0]
    question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    before = rows[question.id].value
    page = client.post(element_url(assessment, element.id),
                       data={question.field_name: "0" if before != "0" else "1",
                             f"rev_{question.id}": str(rows[question.id].revision)}).get_data(as_text=True)
    assert "can no longer be changed" in page
    assert services.load_answers(db_session, assessment.id)[question.id].value == before


def test_a_double_click_submits_once(client, login, world, nearly_done, db_session) -> None:
    login(world.official)
    first = client.post(submit_url(world), data={"confirm": "y"})
    second = client.post(submit_url(world), data={"confirm": "y"}, follow_redirects=False)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].endswith("/report")
    flashed = client.get(f"/assessments/{world.assessment.id}").get_data(as_text=True)
    assert "already submitted" in flashed
    assert submissions(db_session, world) == 1


def test_two_tabs_submit_once(client, second_client, login_on, world, nearly_done, db_session) -> None:
    login_on(client, world.official)
    login_on(second_client, world.colleague)
    # Both open the review page while it is still a draft...
    client.get(submit_url(world))
    second_client.get(submit_url(world))
    # ...and both confirm.
    client.post(submit_url(world), data={"confirm": "y"})
    response = second_client.post(submit_url(world), data={"confirm": "y"})
    assert response.headers["Location"].endswith("/report")
    assert submissions(db_session, world) == 1
    assert world.assessment.submitted_by_id == world.official.id


def test_a_lost_race_is_told_it_was_already_submitted(client, login, world, nearly_done, db_session,
                                                     monkeypatch) -> None:
    """The other tab's UPDATE won between our status check and ours."""
    login(world.official)
    real = services.submit_assessment

    def other_tab_first(session, assessment, questionnaire, user):
        assert real(session, assessment, questionnaire, world.colleague)
        return real(session, assessment, questionnaire, user)

    monkeypatch.setattr(services, "submit_assessment", other_tab_first)
    response = client.post(submit_url(world), data={"confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/report")
    assert "already submitted" in client.get(f"/assessments/{world.assessment.id}").get_data(as_text=True)
    assert submissions(db_session, world) == 1 and world.assessment.submitted_by_id == world.colleague.id


def test_an_expired_token_on_submit_asks_again_without_submitting(app, client, login, world, nearly_done,
                                                                 monkeypatch) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(world.official)
    response = client.post(submit_url(world), data={"confirm": "y", "csrf_token": "stale"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "nothing was submitted" in page
    assert world.assessment.status == AssessmentStatus.DRAFT
    fields = form_fields(page, submit_url(world))
    fields["confirm"] = "y"
    assert fields["csrf_token"] == csrf_token(page)
    assert client.post(submit_url(world), data=fields).status_code == 302
    assert world.assessment.status == AssessmentStatus.SUBMITTED


@pytest.mark.parametrize("role", [Role.REGIONAL, Role.ADMIN, Role.ANALYST])
def test_only_the_citys_officials_submit(client, make, login, world, nearly_done, role) -> None:
    kwargs = {"region": world.city.country.region} if role is Role.REGIONAL else {}
    login(make.user(role, **kwargs))
    assert client.post(submit_url(world), data={"confirm": "y"}).status_code == 403
    assert world.assessment.status == AssessmentStatus.DRAFT


def test_another_citys_official_gets_404(client, make, login, world, nearly_done) -> None:
    login(make.user(Role.OFFICIAL))
    assert client.get(submit_url(world)).status_code == 404
    assert client.post(submit_url(world), data={"confirm": "y"}).status_code == 404


def test_submitting_takes_a_fixed_handful_of_queries(client, login, world, nearly_done, db_session) -> None:
    """One read of the answers, one DELETE and one multi-row INSERT of element scores, one
    INSERT into the score history."""
    from sqlalchemy import event

    login(world.official)
    client.get(submit_url(world))
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        if "SAVEPOINT" not in statement:
            statements.append(statement.lstrip())

    event.listen(db_session.get_bind(), "before_cursor_execute", seen)
    try:
        assert client.post(submit_url(world), data={"confirm": "y"}).status_code == 302
    finally:
        event.remove(db_session.get_bind(), "before_cursor_execute", seen)
    assert len(statements) <= 10, "\n".join(s[:100] for s in statements)
    assert sum(s.startswith("INSERT INTO element_scores") for s in statements) == 1
    assert sum(s.startswith("INSERT INTO score_history") for s in statements) == 1
    assert sum(s.startswith("SELECT") and "FROM answers" in s for s in statements) == 1
