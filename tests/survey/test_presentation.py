"""Prepared questions: the markup a page assembles from a question's skeleton is exactly what
survey/_question.html renders for it, whatever the answers, the page or the read-only state."""

from __future__ import annotations

import re

import pytest

from assessment.questionnaire import QuestionType
from assessment.survey import presentation
from assessment.survey.models import AssessmentStatus
from tests.survey.conftest import element_url, form_fields, set_answer

TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')


def pages(client, url, monkeypatch, **post):
    """The page as served, and the same page with every question rendered by the template."""
    def fetch():
        response = client.post(url, data=post["data"]) if post else client.get(url)
        return TOKEN.sub("", response.get_data(as_text=True))

    prepared = fetch()
    monkeypatch.setattr(presentation.QuestionView, "prerendered", property(lambda self: None))
    full = fetch()
    monkeypatch.undo()
    return prepared, full


@pytest.mark.parametrize("where", ["all", "element"])
def test_prepared_questions_match_the_template(client, login, make, world, questionnaire, monkeypatch,
                                                where) -> None:
    make.answer(world.assessment, 2.0, fill=0.7)  # answered, blank, don't know, notes and links
    login(world.official)
    url = (f"/assessments/{world.assessment.id}/answers" if where == "all"
           else element_url(world.assessment, questionnaire.elements[2].id))
    prepared, full = pages(client, url, monkeypatch)
    assert prepared == full
    assert prepared.count('<section class="question') == (
        len(questionnaire.questions) if where == "all" else len(questionnaire.elements[2].questions))


def test_read_only_questions_match_the_template(client, login, make, world, monkeypatch) -> None:
    make.answer(world.assessment, 3.0)
    world.assessment.status = AssessmentStatus.SUBMITTED
    login(world.official)
    prepared, full = pages(client, f"/assessments/{world.assessment.id}/answers", monkeypatch)
    assert prepared == full and " disabled" in prepared


def test_values_are_escaped_in_prepared_questions(client, login, world, questionnaire) -> None:
    login(world.official)
    question = questionnaire.questions[0]
    url = element_url(world.assessment, question.element_id)
    data = form_fields(client.get(url).get_data(as_text=True), url)
    data[f"note_{question.id}"] = '<script>alert("x")</script> & "quotes"'
    data["go"] = question.element_id
    client.post(url, data=data)
    page = client.get(url).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;" in page


def test_a_question_with_a_message_is_rendered_in_full_beside_prepared_ones(
        client, login, world, questionnaire, monkeypatch) -> None:
    login(world.official)
    element = questionnaire.elements[0]
    url = element_url(world.assessment, element.id)
    data = form_fields(client.get(url).get_data(as_text=True), url)
    wrong = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    set_answer(data, wrong, "9")
    data["go"] = element.id
    prepared, full = pages(client, url, monkeypatch, data=data)
    assert prepared == full
    assert f'id="q-{wrong.id}-errors"' in prepared
