"""Reopening a submission: who may, with a reason, and what the city can do next."""

from __future__ import annotations

import pytest
from flask import render_template_string
from sqlalchemy import select

from assessment.assessments.forms import reopen_form_for
from assessment.assessments.models import AssessmentStatus
from assessment.audit.models import AuditEvent
from assessment.auth.models import Role
from assessment.questionnaire import QuestionType
from tests.forms import element_url, load_form, set_answer


@pytest.fixture()
def submitted(make, world):
    make.answer(world.assessment, 2.0, submit=True, user=world.official)
    return world.assessment


def reopen_url(assessment) -> str:
    return f"/assessments/{assessment.id}/reopen"


def test_the_regional_office_reopens_with_a_reason(client, make, login, world, submitted, db_session) -> None:
    regional = login(make.user(Role.REGIONAL, region=world.city.country.region))
    page = client.get(reopen_url(submitted)).get_data(as_text=True)
    assert "Why does this assessment need to be reopened?" in page
    response = client.post(reopen_url(submitted), data={"reason": "The 2025 budget figures were used"})
    assert response.status_code == 302
    assert submitted.status == AssessmentStatus.REOPENED
    [event] = db_session.scalars(select(AuditEvent).where(AuditEvent.assessment_id == submitted.id,
                                                          AuditEvent.action == "reopen"))
    assert event.user_id == regional.id and event.detail["reason"] == "The 2025 budget figures were used"
    overview = client.get(f"/assessments/{submitted.id}").get_data(as_text=True)
    assert "The 2025 budget figures were used" in overview and "Reopened" in overview


def test_a_reason_is_required_and_what_was_typed_stays(client, make, login, world, submitted) -> None:
    login(make.user(Role.REGIONAL, region=world.city.country.region))
    response = client.post(reopen_url(submitted), data={"reason": "   "})
    assert response.status_code == 200 and "Give a reason" in response.get_data(as_text=True)
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_an_expired_page_keeps_the_reason(app, client, make, login, world, submitted, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(make.user(Role.REGIONAL, region=world.city.country.region))
    response = client.post(reopen_url(submitted), data={"reason": "Figures from the wrong year",
                                                        "csrf_token": "stale"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Figures from the wrong year" in page and "expired" in page
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_an_admin_can_reopen(client, make, login, submitted) -> None:
    login(make.user(Role.ADMIN))
    assert client.post(reopen_url(submitted), data={"reason": "Data correction"}).status_code == 302
    assert submitted.status == AssessmentStatus.REOPENED


def test_another_regions_office_gets_404(client, make, login, submitted) -> None:
    login(make.user(Role.REGIONAL))
    assert client.get(reopen_url(submitted)).status_code == 404
    assert client.post(reopen_url(submitted), data={"reason": "x"}).status_code == 404
    assert submitted.status == AssessmentStatus.SUBMITTED


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.ANALYST])
def test_officials_and_analysts_cannot_reopen(client, make, login, world, submitted, role) -> None:
    login(make.user(role, city=world.city) if role is Role.OFFICIAL else make.user(role))
    assert client.post(reopen_url(submitted), data={"reason": "Please"}).status_code == 403
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_a_draft_cannot_be_reopened(client, make, login, world) -> None:
    login(make.user(Role.ADMIN))
    response = client.post(reopen_url(world.assessment), data={"reason": "x"}, follow_redirects=True)
    assert "Only a submitted assessment can be reopened" in response.get_data(as_text=True)
    assert world.assessment.status == AssessmentStatus.DRAFT


def test_after_reopening_the_city_edits_and_submits_again(client, second_client, make, login_on, world,
                                                         submitted, db_session, questionnaire) -> None:
    login_on(second_client, make.user(Role.REGIONAL, region=world.city.country.region))
    second_client.post(reopen_url(submitted), data={"reason": "Update after the council vote"})
    login_on(client, world.official)
    element = questionnaire.elements[0]
    question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    data = load_form(client, submitted, element.id)
    set_answer(data, question, "4")
    assert client.post(element_url(submitted, element.id), data=data).status_code == 302
    assert client.post(f"/assessments/{submitted.id}/submit", data={"confirm": "y"}).status_code == 302
    assert submitted.status == AssessmentStatus.SUBMITTED
    actions = [e.action for e in db_session.scalars(
        select(AuditEvent).where(AuditEvent.assessment_id == submitted.id).order_by(AuditEvent.id))]
    assert actions[-3:] == ["reopen", "save", "submit"]


def test_the_partial_renders_for_those_who_may_reopen(app, make, world, submitted) -> None:
    regional = make.user(Role.REGIONAL, region=world.city.country.region)
    official = make.user(Role.OFFICIAL, city=world.city)
    with app.test_request_context():
        form = reopen_form_for(regional, submitted)
        assert form is not None and reopen_form_for(official, submitted) is None
        html = render_template_string('{% include "survey/_reopen_form.html" %}', assessment=submitted,
                                      reopen_form=form)
    assert f'action="{reopen_url(submitted)}"' in html and 'name="reason"' in html
    assert 'name="csrf_token"' in html


def test_the_reason_heads_every_page_of_the_reopened_assessment_until_it_is_resubmitted(
        client, make, login, world, submitted, db_session, questionnaire) -> None:
    login(make.user(Role.REGIONAL, region=world.city.country.region))
    client.post(reopen_url(submitted), data={"reason": "Element 2 used last year's contracts"})
    login(world.official)
    element = questionnaire.elements[1].id
    pages = [f"/assessments/{submitted.id}", f"/assessments/{submitted.id}/elements/{element}",
             f"/assessments/{submitted.id}/answers", f"/assessments/{submitted.id}/submit"]
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        notice = page.split('id="reopen-reason"')
        assert len(notice) == 2, f"no reopen notice on {url}"
        # At the top: before the first question or form of the page.
        assert "Element 2 used last year&#39;s contracts" in notice[1].split("</div>")[0], url
        assert notice[0].count("<form") <= 2, url  # only the language switch and sign-out come first
    client.post(f"/assessments/{submitted.id}/submit", data={"confirm": "y"})
    assert submitted.status == AssessmentStatus.SUBMITTED
    for url in pages[:3]:
        assert 'id="reopen-reason"' not in client.get(url).get_data(as_text=True), url
