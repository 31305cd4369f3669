"""Two officials of one city on the same page: nothing is silently overwritten."""

from __future__ import annotations

import pytest

from assessment.assessments import services
from assessment.questionnaire import QuestionType
from tests.forms import element_url, form_fields, load_form, set_answer


@pytest.fixture()
def two(client, second_client, login_on, world, questionnaire):
    """Aline and Jean, both with the first element open at the same revision."""
    login_on(client, world.official)
    login_on(second_client, world.colleague)
    element = questionnaire.elements[0]
    maturity = [q for q in element.questions if q.type is QuestionType.MATURITY]
    return element, maturity


def colliding_saves(client, second_client, world, element, question):
    """Aline saves 1, then Jean, who loaded the page before, saves 4: his page shows the conflict."""
    url = element_url(world.assessment, element.id)
    aline, jean = load_form(client, world.assessment, element.id), load_form(second_client, world.assessment,
                                                                              element.id)
    set_answer(aline, question, "1")
    client.post(url, data=aline)
    set_answer(jean, question, "4")
    return url, second_client.post(url, data=jean).get_data(as_text=True)


def stored(db_session, world, question):
    return services.load_answers(db_session, world.assessment.id).get(question.id)


def test_same_answer_changed_by_both_shows_a_conflict_with_both_values(
        client, second_client, two, world, db_session) -> None:
    element, (question, *_rest) = two
    url = element_url(world.assessment, element.id)
    aline, jean = load_form(client, world.assessment, element.id), load_form(second_client, world.assessment,
                                                                              element.id)
    set_answer(aline, question, "1")
    assert client.post(url, data=aline).status_code == 302
    set_answer(jean, question, "4")
    response = second_client.post(url, data=jean)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    conflict = page[page.index('class="conflict"'):]
    conflict = conflict[:conflict.index("</fieldset>")]
    assert f"1 · {question.level(1).label}" in conflict and f"4 · {question.level(4).label}" in conflict
    assert world.official.email in conflict  # who changed it (the account has no display name)
    assert "UTC" in conflict  # and when
    assert stored(db_session, world, question).value == "1"  # not overwritten
    # Jean's choice is still what the page shows.
    assert form_fields(page, url)[question.field_name] == "4"


def test_keeping_mine_saves_knowingly_and_keeping_theirs_drops_mine(
        client, second_client, two, world, db_session) -> None:
    element, (first, second, *_rest) = two
    url = element_url(world.assessment, element.id)
    aline, jean = load_form(client, world.assessment, element.id), load_form(second_client, world.assessment,
                                                                              element.id)
    set_answer(aline, first, "1")
    set_answer(aline, second, "1")
    client.post(url, data=aline)
    set_answer(jean, first, "3")
    set_answer(jean, second, "3")
    page = second_client.post(url, data=jean).get_data(as_text=True)
    resolved = form_fields(page, url)
    resolved[f"resolve_{first.id}"] = "mine"
    resolved[f"resolve_{second.id}"] = "theirs"
    response = second_client.post(url, data=resolved)
    assert response.status_code == 302
    assert stored(db_session, world, first).value == "3"
    assert stored(db_session, world, first).updated_by_id == world.colleague.id
    assert stored(db_session, world, second).value == "1"
    assert stored(db_session, world, second).updated_by_id == world.official.id


def test_saving_again_without_choosing_still_asks(client, second_client, two, world, db_session) -> None:
    element, (question, *_rest) = two
    url, page = colliding_saves(client, second_client, world, element, question)
    page = second_client.post(url, data=form_fields(page, url)).get_data(as_text=True)
    assert 'class="conflict"' in page
    assert stored(db_session, world, question).value == "1"


def test_different_answers_on_one_page_never_conflict(client, second_client, two, world, db_session) -> None:
    element, (first, second, *_rest) = two
    url = element_url(world.assessment, element.id)
    aline, jean = load_form(client, world.assessment, element.id), load_form(second_client, world.assessment,
                                                                              element.id)
    set_answer(aline, first, "2")
    assert client.post(url, data=aline).status_code == 302
    set_answer(jean, second, "3")
    response = second_client.post(url, data=jean)
    # Jean's page still showed the old (blank) first answer, which he did not touch: it is
    # neither a conflict nor written back over Aline's answer.
    assert response.status_code == 302
    assert stored(db_session, world, first).value == "2"
    assert stored(db_session, world, second).value == "3"
    follow = second_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "meanwhile" in follow
    assert form_fields(follow, url)[first.field_name] == "2"


def test_conflicts_are_reported_by_autosave_too(client, second_client, two, world, db_session) -> None:
    element, (question, *_rest) = two
    url = element_url(world.assessment, element.id)
    aline, jean = load_form(client, world.assessment, element.id), load_form(second_client, world.assessment,
                                                                              element.id)
    set_answer(aline, question, "2")
    client.post(url + "/autosave", data=aline)
    set_answer(jean, question, "0")
    body = second_client.post(url + "/autosave", data=jean).get_json()
    assert body["status"] == "conflict"
    assert body["conflicts"][0]["question_id"] == question.id
    assert body["conflicts"][0]["by"] == world.official.email
    assert question.id not in body["answers"]  # the page keeps its old revision: no overwrite later
    assert "Not saved" in body["message"]
    assert stored(db_session, world, question).value == "2"


def test_choosing_theirs_without_javascript_says_what_was_kept(
        client, second_client, two, world, db_session) -> None:
    element, (question, *_rest) = two
    url, page = colliding_saves(client, second_client, world, element, question)
    resolved = form_fields(page, url)
    resolved[f"resolve_{question.id}"] = "theirs"
    after = second_client.post(url, data=resolved, follow_redirects=True).get_data(as_text=True)
    assert "As you chose, your colleague&#39;s answer is kept for 1 question." in after
    assert "Nothing had changed since the last save." not in after
    assert "changed 1 answer on this page meanwhile" not in after
    assert stored(db_session, world, question).value == "1"
