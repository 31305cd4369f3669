"""The plan pages through the HTTP client: adding from a recommendation, changing, who may do what."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from assessment.actions.models import Action, ActionStatus
from assessment.assessments.models import ElementScore
from assessment.auth.models import Role
from tests.actions.conftest import add, events, first_recommendation, form
from tests.results.conftest import text_of


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def actions_of(db_session, assessment) -> list[Action]:  # type: ignore[no-untyped-def]
    return list(db_session.scalars(select(Action).where(Action.assessment_id == assessment.id)
                                   .order_by(Action.id)))


def textarea(body: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', body, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1)).strip()


# --- from the report ---------------------------------------------------------------------------


def test_the_report_offers_each_recommendation_to_the_citys_officials(client, login, plan_world):
    login(plan_world.official)
    body = page(client.get(f"/assessments/{plan_world.kigali_2025.id}/report"))
    advice = first_recommendation(plan_world.kigali_2025)

    buttons = re.findall(r'<form method="post" action="([^"]+)" class="no-print recommendation-add">'
                         r'.*?name="question_id" value="([^"]+)"', body, re.S)
    assert buttons, "no Add to action plan button"
    assert {url for url, _ in buttons} == {f"/assessments/{plan_world.kigali_2025.id}/actions/new"}
    assert advice.question_id in {question for _, question in buttons}
    assert "Add to action plan" in body


@pytest.mark.parametrize("who", ["regional", "admin", "analyst"])
def test_readers_of_the_report_get_no_button(client, login, plan_world, who):
    login(getattr(plan_world, who))
    body = page(client.get(f"/assessments/{plan_world.kigali_2025.id}/report"))
    assert "Add to action plan" not in body and "recommendation-add" not in body


def test_adding_from_a_recommendation_opens_the_form_filled_in_and_saves_nothing_yet(
        client, login, plan_world, db_session):
    login(plan_world.official)
    assessment = plan_world.kigali_2025
    advice = first_recommendation(assessment)

    opened = client.post(f"/assessments/{assessment.id}/actions/new",
                         data={"prefill": "1", "question_id": advice.question_id})

    assert opened.status_code == 200
    body = page(opened)
    assert textarea(body, "text") == str(advice.text)
    assert f'name="question_id" type="hidden" value="{advice.question_id}"' in body
    assert 'name="element_id"' not in body  # the recommendation's element
    assert actions_of(db_session, assessment) == []


def test_saving_the_filled_in_form_adds_the_action_with_where_it_came_from(
        client, login, plan_world, db_session):
    login(plan_world.official)
    assessment = plan_world.kigali_2025
    advice = first_recommendation(assessment)

    saved = client.post(f"/assessments/{assessment.id}/actions/new", data=form(
        question_id=advice.question_id, text="Open the data portal to residents",
        owner="Ms Uwase, ICT", status="in_progress", note="Budget line 4.2"))

    assert saved.status_code == 303
    [action] = actions_of(db_session, assessment)
    assert saved.headers["Location"].endswith(f"/assessments/{assessment.id}/actions#action-{action.id}")
    assert (action.city_id, action.question_id, action.element_id) == (
        plan_world.kigali.id, advice.question_id, advice.element_id)
    assert action.questionnaire_version_id == assessment.questionnaire_version_id
    assert (action.text, action.owner, action.status, action.note) == (
        "Open the data portal to residents", "Ms Uwase, ICT", ActionStatus.IN_PROGRESS, "Budget line 4.2")
    assert action.due_on.isoformat() == "2026-09-30"
    assert action.created_by_id == action.updated_by_id == plan_world.official.id
    [event] = events(db_session, "action.create")
    assert event.assessment_id == assessment.id and event.user_id == plan_world.official.id
    assert event.detail["action_id"] == action.id and event.detail["status"] == "in_progress"
    listed = text_of(page(client.get(saved.headers["Location"])))
    assert "The action is in the plan." in listed and "Open the data portal to residents" in listed


def test_a_question_the_version_does_not_have_is_not_found(client, login, plan_world):
    login(plan_world.official)
    response = client.post(f"/assessments/{plan_world.kigali_2025.id}/actions/new",
                           data={"prefill": "1", "question_id": "no_such_question"})
    assert response.status_code == 404


def test_the_report_shows_the_action_at_its_recommendation(client, login, plan_world, db_session):
    assessment = plan_world.kigali_2025
    advice = first_recommendation(assessment)
    action = add(db_session, assessment, plan_world.official, element_id=advice.element_id,
                 question_id=advice.question_id, owner="Planning unit")
    login(plan_world.official)

    body = page(client.get(f"/assessments/{assessment.id}/report"))

    line = re.search(r'<p class="recommendation-plan">(.*?)</p>', body, re.S)
    assert line, "the recommendation does not say it is in the plan"
    assert "In the action plan: Planned · Planning unit · due" in text_of(line.group(1))
    assert f"/assessments/{assessment.id}/actions/{action.id}" in line.group(1)


# --- a free action, and what a form keeps ------------------------------------------------------


def test_a_free_action_is_added_for_a_chosen_element(client, login, plan_world, db_session):
    login(plan_world.official)
    assessment = plan_world.kigali_2026
    blank = page(client.get(f"/assessments/{assessment.id}/actions/new"))
    assert 'name="element_id"' in blank and textarea(blank, "text") == ""

    saved = client.post(f"/assessments/{assessment.id}/actions/new",
                        data=form(element_id="bottom_up", due_on=""))

    assert saved.status_code == 303
    [action] = actions_of(db_session, assessment)
    assert (action.element_id, action.question_id, action.due_on) == ("bottom_up", None, None)


def test_a_bad_date_keeps_what_was_typed_and_saves_nothing(client, login, plan_world, db_session):
    login(plan_world.official)
    assessment = plan_world.kigali_2026

    response = client.post(f"/assessments/{assessment.id}/actions/new", data=form(
        element_id="inclusion_privacy", due_on="31/09/2026", owner="Mayor's office",
        text="Run a privacy review <of every app>", note="Ask the DPO"))

    assert response.status_code == 200
    body = page(response)
    assert "Enter the date as year-month-day, for example 2026-09-30." in body
    assert 'value="31/09/2026"' in body
    assert textarea(body, "text") == "Run a privacy review <of every app>"
    assert 'value="Mayor&#39;s office"' in body and textarea(body, "note") == "Ask the DPO"
    assert re.search(r'<option selected value="inclusion_privacy">', body)
    assert actions_of(db_session, assessment) == []


def test_an_owner_is_required(client, login, plan_world, db_session):
    login(plan_world.official)
    response = client.post(f"/assessments/{plan_world.kigali_2026.id}/actions/new",
                           data=form(element_id="civic_tech", owner="  "))
    assert response.status_code == 200
    assert "Name the person or the department who owns this action." in page(response)
    assert actions_of(db_session, plan_world.kigali_2026) == []


# --- changing an action ------------------------------------------------------------------------


def test_the_form_opens_with_the_action_and_saves_a_change_of_status(client, login, plan_world,
                                                                     db_session):
    action = add(db_session, plan_world.kigali_2026, plan_world.official, owner="ICT department")
    login(plan_world.colleague)
    url = f"/assessments/{plan_world.kigali_2026.id}/actions/{action.id}"
    opened = page(client.get(url))
    assert textarea(opened, "text") == "Publish the open data portal"
    assert 'value="ICT department"' in opened and '<option selected value="planned">' in opened
    seen = re.search(r'name="seen" type="hidden" value="([^"]+)"', opened).group(1)

    saved = client.post(url, data=form(status="done", owner="ICT and Communications",
                                       element_id="civic_tech", seen=seen))

    assert saved.status_code == 303
    db_session.refresh(action)
    assert (action.status, action.owner, action.updated_by_id) == (
        ActionStatus.DONE, "ICT and Communications", plan_world.colleague.id)
    [event] = events(db_session, "action.update")
    assert event.detail["changes"] == {"owner": ["ICT department", "ICT and Communications"],
                                       "status": ["planned", "done"]}
    done = text_of(page(client.get(f"/assessments/{plan_world.kigali_2026.id}/actions?status=done")))
    planned = text_of(page(client.get(f"/assessments/{plan_world.kigali_2026.id}/actions?status=planned")))
    assert "Publish the open data portal" in done and "Done" in done
    assert "Publish the open data portal" not in planned


def test_saving_without_a_change_records_nothing(client, login, plan_world, db_session):
    action = add(db_session, plan_world.kigali_2026, plan_world.official)
    login(plan_world.official)
    response = client.post(f"/assessments/{plan_world.kigali_2026.id}/actions/{action.id}",
                           data=form(element_id="civic_tech", seen=action.updated_at.isoformat()),
                           follow_redirects=True)
    assert "Nothing was changed." in page(response)
    assert events(db_session, "action.update") == []


def test_a_colleagues_later_change_is_not_overwritten_silently(client, login, plan_world, db_session):
    action = add(db_session, plan_world.kigali_2026, plan_world.official)
    stale = action.updated_at.isoformat()
    from assessment.actions import services
    from tests.actions.conftest import fields
    services.update_action(db_session, action, plan_world.colleague, fields(owner="Jean's team"))
    login(plan_world.official)
    url = f"/assessments/{plan_world.kigali_2026.id}/actions/{action.id}"

    refused = client.post(url, data=form(element_id="civic_tech", owner="Aline's team", seen=stale))

    assert refused.status_code == 200
    body = page(refused)
    assert "A colleague changed this action after you opened it." in body
    assert 'value="Aline&#39;s team"' in body and "Jean&#39;s team" in body
    db_session.refresh(action)
    assert action.owner == "Jean's team"
    fresh = re.search(r'name="seen" type="hidden" value="([^"]+)"', body).group(1)
    assert client.post(url, data=form(element_id="civic_tech", owner="Aline's team",
                                      seen=fresh)).status_code == 303
    db_session.refresh(action)
    assert action.owner == "Aline's team"


def test_nothing_in_the_plan_changes_a_score(client, login, plan_world, db_session):
    assessment = plan_world.kigali_2025
    before = sorted(db_session.execute(select(ElementScore.element_id, ElementScore.score)
                                       .where(ElementScore.assessment_id == assessment.id)).all())
    overall = assessment.overall_index
    login(plan_world.official)
    advice = first_recommendation(assessment)
    client.post(f"/assessments/{assessment.id}/actions/new",
                data=form(question_id=advice.question_id, status="done"))
    db_session.expire_all()
    after = sorted(db_session.execute(select(ElementScore.element_id, ElementScore.score)
                                      .where(ElementScore.assessment_id == assessment.id)).all())
    assert len(actions_of(db_session, assessment)) == 1
    assert after == before and assessment.overall_index == overall


# --- who sees the plan -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["regional", "admin"])
def test_the_regional_office_and_admins_read_the_plan_but_cannot_change_it(client, login, plan_world,
                                                                           db_session, who):
    action = add(db_session, plan_world.kigali_2026, plan_world.official)
    login(getattr(plan_world, who))
    base = f"/assessments/{plan_world.kigali_2026.id}/actions"

    listed = client.get(base)
    assert listed.status_code == 200
    body = page(listed)
    assert "Publish the open data portal" in body
    assert "Add an action" not in body and f"{base}/{action.id}" not in body
    assert "You can read this plan; the city's officials change it." in text_of(body)
    assert client.get(f"{base}/new").status_code == 403
    assert client.post(f"{base}/new", data=form(element_id="civic_tech")).status_code == 403
    assert client.get(f"{base}/{action.id}").status_code == 403
    assert client.post(f"{base}/{action.id}", data=form(status="dropped")).status_code == 403
    db_session.refresh(action)
    assert action.status == ActionStatus.PLANNED and len(actions_of(db_session, plan_world.kigali_2026)) == 1


@pytest.mark.parametrize("who", ["nairobi_official", "regional_asia", "analyst"])
def test_nobody_else_learns_that_the_plan_exists(client, login, plan_world, db_session, who):
    action = add(db_session, plan_world.kigali_2026, plan_world.official)
    login(getattr(plan_world, who))
    base = f"/assessments/{plan_world.kigali_2026.id}/actions"

    for response in (client.get(base), client.get(f"{base}/new"), client.get(f"{base}/{action.id}"),
                     client.post(f"{base}/new", data=form(element_id="civic_tech")),
                     client.post(f"{base}/{action.id}", data=form(status="dropped"))):
        assert response.status_code == 404
        assert "Kigali" not in page(response)
    assert events(db_session, "access.denied")
    db_session.refresh(action)
    assert action.status == ActionStatus.PLANNED


def test_another_citys_action_is_not_found_through_ones_own_assessment(client, login, plan_world,
                                                                      db_session):
    theirs = add(db_session, plan_world.nairobi_2025, plan_world.nairobi_official)
    login(plan_world.official)
    url = f"/assessments/{plan_world.kigali_2026.id}/actions/{theirs.id}"
    assert client.get(url).status_code == 404
    assert client.post(url, data=form(status="dropped")).status_code == 404
    assert "Publish" not in page(client.get(f"/assessments/{plan_world.kigali_2026.id}/actions"))


def test_signed_out_visitors_are_sent_to_sign_in(client, plan_world):
    response = client.get(f"/assessments/{plan_world.kigali_2026.id}/actions")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_later_rounds_action_is_not_in_an_earlier_rounds_plan(client, login, plan_world, db_session):
    later = add(db_session, plan_world.kigali_2026, plan_world.official, text="Hire a data steward")
    login(plan_world.official)
    earlier = f"/assessments/{plan_world.kigali_2025.id}/actions"
    assert "Hire a data steward" not in page(client.get(f"{earlier}?status=all"))
    assert client.get(f"{earlier}/{later.id}").status_code == 404


def test_officials_of_the_city_only_may_change_whatever_their_role_elsewhere(make, plan_world):
    from assessment.auth.access import can_edit_plan, can_read_plan
    city = plan_world.kigali
    assert can_edit_plan(plan_world.official, city) and can_read_plan(plan_world.official, city)
    assert not can_edit_plan(plan_world.regional, city) and can_read_plan(plan_world.regional, city)
    assert not can_edit_plan(plan_world.admin, city) and can_read_plan(plan_world.admin, city)
    assert not can_read_plan(plan_world.analyst, city)
    assert not can_read_plan(make.user(Role.REGIONAL, region=make.region()), city)
