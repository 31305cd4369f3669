"""History: the answers of a submission are kept when the assessment opens for changes again,
and the report and the review page show the earlier version and what changed."""

from __future__ import annotations

from assessment.questionnaire import Questionnaire, QuestionType
from tests.forms import element_url, load_form, set_answer
from tests.review.conftest import ReviewWorld


def test_the_earlier_version_and_what_changed(client, login, db_session, questionnaire: Questionnaire,
                                              review_world: ReviewWorld) -> None:
    w = review_world
    aid = w.assessment.id
    question = next(q for q in questionnaire.scored_questions if q.type is QuestionType.MATURITY)
    login(w.office)
    client.post(f"/assessments/{aid}/review/answers/{question.id}",
                data={"kind": "query", "comment": "Is this really level 3?"})
    client.post(f"/assessments/{aid}/review/return")
    # Nothing changed yet: the report says the earlier version is kept, with no difference.
    report = client.get(f"/assessments/{aid}/report").text
    assert "What changed since the earlier version" in report and "0 answers differ now" in report

    # The city lowers the queried answer in the questionnaire, replies and sends it back.
    login(w.official)
    data = load_form(client, w.assessment, question.element_id)
    before = data.get(question.field_name)
    after = "1" if before != "1" else "2"
    set_answer(data, question, after)
    assert client.post(element_url(w.assessment, question.element_id), data=data).status_code == 302
    page = client.get(f"/assessments/{aid}/queries").text
    query_id = page.split(f"/assessments/{aid}/queries/")[1].split('"')[0]
    client.post(f"/assessments/{aid}/queries/{query_id}", data={"text": "Corrected to level " + after})
    assert client.post(f"/assessments/{aid}/queries/send").status_code == 302

    login(w.office)
    report = client.get(f"/assessments/{aid}/report").text
    section = report[report.index("What changed since the earlier version"):]
    assert "1 answer differs now" in section and str(question.text) in section
    review = client.get(f"/assessments/{aid}/review").text
    changes = review[review.index('id="changes-heading"'):]
    assert f'href="#q-{question.id}"' in changes[:2000]
    # The earlier submission's scores are kept in the report too.
    assert "Earlier submissions" in report
