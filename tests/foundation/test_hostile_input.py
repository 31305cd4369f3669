"""Input a database refuses, oversized and malformed requests, HTTP methods, private caching:
each gets a clear answer, never a server error, and the rest of what was sent is kept."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from assessment.assessments.models import Answer
from assessment.auth.models import Role
from assessment.questionnaire import QuestionType
from assessment.storable import problem
from tests.conftest import TEST_PASSWORD
from tests.forms import element_url, load_form, set_answer

REFUSED = ["nul\x00here", "bell\x07", "escape\x1b[31m", "half \ud800 pair", "bytes \ufffd lost"]


@pytest.mark.parametrize("text", REFUSED)
def test_text_a_database_refuses_is_named(text: str) -> None:
    assert problem(text)


@pytest.mark.parametrize("text", ["", "Kigali", "línea\nnueva\ttab\r\n", "北京 · بيروت · Москва", "😀"])
def test_ordinary_text_in_any_script_is_storable(text: str) -> None:
    assert problem(text) is None


@pytest.mark.parametrize("email", ["aline\x00@kigali.example.org", "aline\x1b@kigali.example.org"])
def test_sign_in_with_refused_characters_is_a_field_error_not_a_server_error(client, make, email) -> None:
    make.user(Role.OFFICIAL, email="aline@kigali.example.org")
    response = client.post("/sign-in", data={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "cannot be stored" in page or "not valid UTF-8" in page


def test_sign_in_with_undecodable_bytes_is_a_field_error(client, make) -> None:
    make.user(Role.OFFICIAL, email="aline@kigali.example.org")
    body = b"email=aline%FF%FE%40kigali.example.org&password=" + TEST_PASSWORD.replace(" ", "+").encode()
    response = client.post("/sign-in", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "not valid UTF-8" in response.get_data(as_text=True)


def _answer_form(client, world, questionnaire):  # type: ignore[no-untyped-def]
    element = questionnaire.elements[0]
    first, second = [q for q in element.questions if q.type is QuestionType.MATURITY][:2]
    data = load_form(client, world.assessment, element.id)
    return element_url(world.assessment, element.id), data, first, second


def test_a_note_with_nul_is_a_field_error_and_the_rest_of_the_page_is_kept_and_saved(
        client, login, world, db_session, questionnaire) -> None:
    login(world.official)
    url, data, first, second = _answer_form(client, world, questionnaire)
    set_answer(data, first, "2")
    data[f"note_{first.id}"] = "Approved\x00 by council"
    set_answer(data, second, "3")
    data[f"note_{second.id}"] = "Published on the city website"
    response = client.post(url, data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "control character" in page
    assert "Published on the city website" in page
    stored = {a.question_id: a for a in db_session.scalars(
        select(Answer).where(Answer.assessment_id == world.assessment.id))}
    assert first.id not in stored or stored[first.id].note is None
    assert stored[second.id].note == "Published on the city website"


def test_an_evidence_link_that_is_not_utf8_is_a_field_error(client, login, world, questionnaire) -> None:
    login(world.official)
    url, data, first, _second = _answer_form(client, world, questionnaire)
    data[f"url_{first.id}"] = "https://example.org/PLACEHOLDER"
    body = urlencode(list(data.items(multi=True))).replace("PLACEHOLDER", "caf%E9")  # Latin-1 bytes
    autosave = client.post(url + "/autosave", data=body, content_type="application/x-www-form-urlencoded")
    assert autosave.status_code != 500
    body = autosave.get_json()
    fields = body["errors"][first.id]["fields"]
    assert any("UTF-8" in message for message in fields[f"url_{first.id}"])


def test_an_answer_sent_twice_in_one_form_is_a_field_error_not_a_silent_pick(
        client, login, world, db_session, questionnaire) -> None:
    login(world.official)
    url, data, first, _second = _answer_form(client, world, questionnaire)
    data.setlist(first.field_name, ["1", "4"])
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "sent more than once" in response.get_data(as_text=True)
    assert db_session.scalar(select(Answer).where(Answer.assessment_id == world.assessment.id,
                                                  Answer.question_id == first.id)) is None


@pytest.mark.parametrize("path", ["/admin/users?q=%00", "/dashboard?round=%00", "/exports?city=%C0%AF",
                                  "/reports?page=1%00"])
def test_query_parameters_a_database_refuses_get_a_400_page(client, login, make, path) -> None:
    login(make.user(Role.ADMIN))
    response = client.get(path)
    assert response.status_code == 400
    assert "cannot be used" in response.get_data(as_text=True)


def test_api_query_parameters_a_database_refuses_get_a_json_400(client, make) -> None:
    response = client.get("/api/v1/cities?region=%00")
    assert response.status_code == 400 and response.is_json
    assert "cannot be used" in response.json["detail"]


# --- request size and body -----------------------------------------------------------------------


def test_an_oversized_form_gets_a_413_page(app, client, login, world, questionnaire) -> None:
    login(world.official)
    url, data, first, _second = _answer_form(client, world, questionnaire)
    data[f"note_{first.id}"] = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(url, data=data)
    assert response.status_code == 413
    assert "text/html" in response.content_type


def test_an_oversized_autosave_gets_a_json_413(app, client, login, world, questionnaire) -> None:
    login(world.official)
    url, data, first, _second = _answer_form(client, world, questionnaire)
    data[f"note_{first.id}"] = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(url + "/autosave", data=data)
    assert response.status_code == 413 and response.is_json


def test_any_content_type_is_bounded(app, client) -> None:
    response = client.post("/sign-in", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                           content_type="text/plain")
    assert response.status_code == 413


def test_malformed_json_gets_a_json_400_never_a_success(client, login, world, questionnaire) -> None:
    login(world.official)
    url = element_url(world.assessment, questionnaire.elements[0].id) + "/autosave"
    response = client.post(url, data=b'{"q_1": ', content_type="application/json")
    assert response.status_code == 400 and response.is_json
    assert "not valid JSON" in response.json["detail"]
    wellformed = client.post(url, json={"q_1": "2"})
    assert wellformed.status_code == 415 and wellformed.is_json


# --- HTTP methods and caching ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("path", ["/sign-in", "/api/v1/cities", "/healthz"])
def test_unused_methods_get_405_with_allow_everywhere(client, method, path) -> None:
    response = client.open(path, method=method)
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert "GET" in allowed and method not in allowed


def test_a_405_from_the_api_is_json_and_keeps_allow(client) -> None:
    response = client.post("/api/v1/cities")
    assert response.status_code == 405 and response.is_json
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("path", ["/", "/sign-in", "/methodology", "/no-such-page", "/healthz",
                                  "/api/v1/cities"])
def test_dynamic_responses_are_never_stored_by_a_cache(client, path) -> None:
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_pages_with_answers_and_scores_are_no_store(client, login, world, questionnaire) -> None:
    login(world.official)
    for path in ("/assessments", element_url(world.assessment, questionnaire.elements[0].id),
                 f"/assessments/{world.assessment.id}/answers", "/account"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_an_admin_form_with_nul_is_a_field_error_and_keeps_what_was_typed(client, login, make) -> None:
    login(make.user(Role.ADMIN))
    response = client.post("/admin/regions/new", data={"name": "Afrique\x00 de l'Ouest"})
    assert response.status_code in (200, 400)
    page = response.get_data(as_text=True)
    assert "control character" in page and "Afrique" in page


def test_a_token_name_that_is_not_utf8_is_a_field_error(client, login, make) -> None:
    login(make.user(Role.ANALYST))
    response = client.post("/account", data=b"name=laptop%FF",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "not valid UTF-8" in response.get_data(as_text=True)
