"""An expired page or an ended sign-in never loses what the official typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from assessment.assessments import services
from assessment.auth.models import AuthSession
from assessment.database import utcnow
from assessment.questionnaire import QuestionType
from tests.conftest import TEST_PASSWORD
from tests.forms import csrf_token, element_url, form_fields, load_form, set_answer

NOTE = "Numbers from the 2025 budget, checked by Claudine in finance"


@pytest.fixture()
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture()
def typed(client, login, world, questionnaire, csrf_on):
    """The official has filled in part of the first element, not yet saved."""
    login(world.official)
    element = questionnaire.elements[0]
    question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    data = load_form(client, world.assessment, element.id)
    set_answer(data, question, "3")
    data[f"note_{question.id}"] = NOTE
    return element, question, data


def end_sign_ins(db_session, user) -> None:
    db_session.execute(update(AuthSession).where(AuthSession.user_id == user.id)
                       .values(expires_at=utcnow() - timedelta(minutes=1)))


def shows_what_was_typed(page: str, url: str, question) -> bool:
    fields = form_fields(page, url)
    return fields.get(question.field_name) == "3" and fields.get(f"note_{question.id}") == NOTE


def saved(db_session, world, question):
    return services.load_answers(db_session, world.assessment.id).get(question.id)


def test_an_expired_csrf_token_brings_the_form_back_with_everything_posted(
        app, client, typed, world, db_session, monkeypatch) -> None:
    element, question, data = typed
    url = element_url(world.assessment, element.id)
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", -1)  # every token is now too old
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This page had expired" in page and shows_what_was_typed(page, url, question)
    assert saved(db_session, world, question) is None
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 3600)
    again = client.post(url, data=form_fields(page, url))  # "Save draft" once more
    assert again.status_code == 302
    row = saved(db_session, world, question)
    assert (row.value, row.note, row.updated_by_id) == ("3", NOTE, world.official.id)


def test_a_forged_token_saves_nothing(client, typed, world, db_session) -> None:
    element, question, data = typed
    data["csrf_token"] = "forged"
    response = client.post(element_url(world.assessment, element.id), data=data)
    assert response.status_code == 200 and saved(db_session, world, question) is None


def test_an_ended_sign_in_keeps_the_answers_and_signs_in_inline(client, typed, world, db_session) -> None:
    element, question, data = typed
    url = element_url(world.assessment, element.id)
    end_sign_ins(db_session, world.official)
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your sign-in has ended" in page and "Sign in again to save" in page
    assert shows_what_was_typed(page, url, question)
    assert world.city.name not in page  # a signed-out page shows nothing stored about the city
    assert saved(db_session, world, question) is None

    wrong = form_fields(page, url)
    wrong["reauth_email"], wrong["reauth_password"] = world.official.email, "not the password"
    page = client.post(url, data=wrong).get_data(as_text=True)
    assert "The email or password is not right" in page and shows_what_was_typed(page, url, question)
    assert saved(db_session, world, question) is None

    right = form_fields(page, url)
    right["reauth_email"], right["reauth_password"] = world.official.email, TEST_PASSWORD
    response = client.post(url, data=right)
    assert response.status_code == 302
    row = saved(db_session, world, question)
    assert (row.value, row.note, row.updated_by_id) == ("3", NOTE, world.official.id)
    assert client.get(url).status_code == 200  # signed in again for what follows


def test_signing_in_in_another_tab_then_saving_again_works(client, typed, world, db_session) -> None:
    element, question, data = typed
    url = element_url(world.assessment, element.id)
    end_sign_ins(db_session, world.official)
    page = client.post(url, data=data).get_data(as_text=True)
    kept = form_fields(page, url)

    # Another tab: the sign-in page, in the same browser (same cookies).
    sign_in_page = client.get("/sign-in").get_data(as_text=True)
    signed = client.post("/sign-in", data={"email": world.official.email, "password": TEST_PASSWORD,
                                           "csrf_token": csrf_token(sign_in_page)})
    assert signed.status_code == 302

    # Back in the first tab: its token belonged to the old session, so the page comes back
    # once more with a fresh token and everything still in it...
    response = client.post(url, data=kept)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "press “Save draft” again" in page
    assert shows_what_was_typed(page, url, question) and saved(db_session, world, question) is None
    # ...and the next "Save draft" saves it.
    assert client.post(url, data=form_fields(page, url)).status_code == 302
    assert saved(db_session, world, question).note == NOTE


def test_signing_out_in_another_tab_keeps_the_answers_too(client, typed, world, db_session) -> None:
    element, question, data = typed
    url = element_url(world.assessment, element.id)
    page = client.get(f"/assessments/{world.assessment.id}").get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": csrf_token(page)})
    page = client.post(url, data=data).get_data(as_text=True)
    assert "Sign in again to save" in page and shows_what_was_typed(page, url, question)


def test_a_browser_that_lost_its_cookie_still_gets_the_answers_back(client, typed, world, db_session) -> None:
    element, question, data = typed
    url = element_url(world.assessment, element.id)
    client.delete_cookie("session")  # the browser was closed: no sign-in, no CSRF secret
    page = client.post(url, data=data).get_data(as_text=True)
    assert "Sign in again to save" in page and shows_what_was_typed(page, url, question)
    retry = form_fields(page, url)  # carries a token for the new session
    retry["reauth_email"], retry["reauth_password"] = world.official.email, TEST_PASSWORD
    assert client.post(url, data=retry).status_code == 302
    assert saved(db_session, world, question).value == "3"


def test_signing_in_inline_as_another_citys_official_saves_nothing(client, typed, make, world,
                                                                   db_session) -> None:
    from assessment.auth.models import Role

    element, question, data = typed
    url = element_url(world.assessment, element.id)
    stranger = make.user(Role.OFFICIAL, email="someone@elsewhere.example.org")
    end_sign_ins(db_session, world.official)
    page = client.post(url, data=data).get_data(as_text=True)
    retry = form_fields(page, url)
    retry["reauth_email"], retry["reauth_password"] = stranger.email, TEST_PASSWORD
    assert client.post(url, data=retry).status_code == 404
    assert saved(db_session, world, question) is None


def test_pages_without_typed_input_redirect_to_sign_in(client, world, questionnaire) -> None:
    element = questionnaire.elements[0]
    response = client.get(element_url(world.assessment, element.id))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
