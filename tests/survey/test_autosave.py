"""The JSON endpoint that survey.js posts the form to while the official types."""

from __future__ import annotations

from assessment.assessments import answers, services
from assessment.questionnaire import QuestionType
from tests.forms import element_url, load_form, set_answer


def autosave_url(world, element) -> str:
    return element_url(world.assessment, element.id) + "/autosave"


def test_autosave_saves_and_returns_the_new_revisions(client, login, world, db_session,
                                                      questionnaire) -> None:
    login(world.official)
    element = questionnaire.elements[0]
    question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    data = load_form(client, world.assessment, element.id)
    set_answer(data, question, "2")
    response = client.post(autosave_url(world, element), data=data)
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "saved"
    assert body["saved_at"] and body["completeness"] > 0
    assert body["answers"][question.id]["rev"] == 1
    assert body["answers"][question.id]["answered"] is True  # the page's badge follows this
    assert body["saved_label"].startswith("Saved at ") and body["saved_label"].endswith(" UTC.")
    row = services.load_answers(db_session, world.assessment.id)[question.id]
    assert body["answers"][question.id]["was"] == answers.row_fingerprint(row)
    # The script copies rev/was into the page: the next autosave of a new value is no conflict.
    data[f"rev_{question.id}"] = str(body["answers"][question.id]["rev"])
    data[f"was_{question.id}"] = body["answers"][question.id]["was"]
    set_answer(data, question, "3")
    again = client.post(autosave_url(world, element), data=data).get_json()
    assert again["status"] == "saved" and again["answers"][question.id]["rev"] == 2
    unchanged = client.post(autosave_url(world, element), data=data).get_json()
    assert unchanged["status"] == "unchanged" and unchanged["saved_at"] is None


def test_autosave_is_audited_as_such(client, login, world, db_session, questionnaire) -> None:
    from sqlalchemy import select

    from assessment.audit.models import AuditEvent

    login(world.official)
    element = questionnaire.elements[0]
    question = element.questions[0]
    data = load_form(client, world.assessment, element.id)
    data[f"note_{question.id}"] = "Ask the transport office"
    client.post(autosave_url(world, element), data=data)
    [event] = db_session.scalars(select(AuditEvent).where(AuditEvent.assessment_id == world.assessment.id))
    assert event.action == "save" and event.detail["autosave"] is True
    assert event.detail["questions"] == [question.id]


def test_autosave_reports_invalid_answers_with_the_core_message(client, login, world, db_session,
                                                               questionnaire) -> None:
    login(world.official)
    question = next(q for q in questionnaire.questions if q.type is QuestionType.NUMBER)
    element = questionnaire.element_of(question.id)
    data = load_form(client, world.assessment, element.id)
    set_answer(data, question, "12,5 percent")
    body = client.post(autosave_url(world, element), data=data).get_json()
    assert body["status"] == "invalid"
    [message] = body["errors"][question.id]["messages"]
    assert message.startswith("Enter a number, such as 42 or 12.5")
    assert body["message"].startswith("Not saved:")
    assert question.id not in services.load_answers(db_session, world.assessment.id)


def test_autosave_of_a_submitted_assessment_is_refused(client, login, make, world, questionnaire) -> None:
    login(world.official)
    element = questionnaire.elements[0]
    data = load_form(client, world.assessment, element.id)
    make.answer(world.assessment, 2.0, submit=True)
    response = client.post(autosave_url(world, element), data=data)
    assert response.status_code == 409 and response.get_json()["status"] == "locked"


def test_autosave_when_signed_out_says_so_in_json(client, world, questionnaire) -> None:
    element = questionnaire.elements[0]
    question = element.questions[0]
    response = client.post(autosave_url(world, element), data={f"rev_{question.id}": "0"})
    assert response.status_code == 401
    assert response.get_json()["status"] == "signed_out"


def test_autosave_with_an_expired_token_returns_a_fresh_one(app, client, login, world, db_session,
                                                           questionnaire, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(world.official)
    element = questionnaire.elements[0]
    question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    data = load_form(client, world.assessment, element.id)
    set_answer(data, question, "1")
    data["csrf_token"] = "expired-or-forged"
    response = client.post(autosave_url(world, element), data=data)
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == "csrf" and body["csrf_token"]
    assert question.id not in services.load_answers(db_session, world.assessment.id)
    data["csrf_token"] = body["csrf_token"]  # what survey.js does, then retries
    retried = client.post(autosave_url(world, element), data=data)
    assert retried.status_code == 200 and retried.get_json()["status"] == "saved"
    assert services.load_answers(db_session, world.assessment.id)[question.id].value == "1"


def test_the_page_carries_the_autosave_hooks_and_script(client, login, world, questionnaire) -> None:
    login(world.official)
    element = questionnaire.elements[0]
    page = client.get(element_url(world.assessment, element.id)).get_data(as_text=True)
    assert f'data-autosave-url="{autosave_url(world, element)}"' in page
    assert 'id="save-status" role="status" aria-live="polite"' in page
    assert 'data-msg-saved="Saved at %s"' in page
    with client.get("/static/js/survey.js") as script:
        assert script.status_code == 200 and b"data-autosave-url" in script.data
