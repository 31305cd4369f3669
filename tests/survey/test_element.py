"""Element pages through the HTTP client: what is shown, saving, validation, navigation, access."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from assessment.assessments import services
from assessment.assessments.models import AssessmentStatus
from assessment.audit.models import AuditEvent
from assessment.auth.models import Role
from assessment.questionnaire import QuestionType
from tests.conftest import first_of
from tests.forms import element_url, form_fields, load_form, set_answer


def stored(db_session, world):
    return services.load_answers(db_session, world.assessment.id)


def test_page_is_built_from_the_assessments_version(client, login, world, questionnaire) -> None:
    login(world.official)
    element = questionnaire.elements[0]
    page = client.get(element_url(world.assessment, element.id)).get_data(as_text=True)
    assert "Element 1 of 6" in page and str(element.title) in page
    for question in element.questions:
        assert f'id="q-{question.id}"' in page
        assert f'name="rev_{question.id}"' in page and f'name="url_{question.id}"' in page
        if question.help:
            assert str(escape(question.help)) in page
    maturity = first_of(questionnaire, QuestionType.MATURITY)
    maturity_page = client.get(element_url(world.assessment, maturity.element_id)).get_data(as_text=True)
    for level in maturity.levels:  # both the level's name and its description are visible
        assert str(level.label) in maturity_page
        assert str(escape(level.description)) in maturity_page
    assert 'aria-live="polite"' in page and "js/survey.js" in page


def test_not_applicable_is_offered_only_where_allowed(client, login, world, questionnaire) -> None:
    login(world.official)
    for element in questionnaire.elements:
        page = client.get(element_url(world.assessment, element.id)).get_data(as_text=True)
        for question in element.questions:
            if question.type in (QuestionType.MATURITY, QuestionType.YES_NO, QuestionType.SINGLE_CHOICE):
                offered = f'name="{question.field_name}" type="radio" value="_na"' in page
            elif question.type is QuestionType.EVIDENCE:
                continue
            else:
                offered = f'name="na_{question.id}"' in page
            assert offered == question.allow_na, question.id


def test_number_questions_show_their_unit(client, login, world, questionnaire) -> None:
    login(world.official)
    question = next(q for q in questionnaire.questions if q.type is QuestionType.NUMBER and q.unit)
    page = client.get(element_url(world.assessment, question.element_id)).get_data(as_text=True)
    section = page[page.index(f'id="q-{question.id}"'):]
    assert f'<span class="unit">{question.unit}</span>' in section[:4000]
    assert 'inputmode="decimal"' in section[:4000]


def test_saving_a_page_stores_answers_and_goes_where_asked(client, login, world, db_session,
                                                          questionnaire) -> None:
    login(world.official)
    element, following = questionnaire.elements[:2]
    data = load_form(client, world.assessment, element.id)
    maturity = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    set_answer(data, maturity, "3")
    data[f"url_{maturity.id}"] = "https://data.kigali.example.org/tools"
    data[f"note_{maturity.id}"] = "From the ICT department"
    data["go"] = following.id
    response = client.post(element_url(world.assessment, element.id), data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(element_url(world.assessment, following.id))
    row = stored(db_session, world)[maturity.id]
    assert (row.value, row.score, row.revision) == ("3", 3.0, 1)
    assert row.evidence_url == "https://data.kigali.example.org/tools"
    assert row.note == "From the ICT department"
    assert world.assessment.updated_by_id == world.official.id and world.assessment.completeness > 0
    # Untouched questions were not written at all.
    assert set(stored(db_session, world)) == {maturity.id}
    [event] = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "save",
                                                          AuditEvent.assessment_id == world.assessment.id))
    assert event.detail["questions"] == [maturity.id] and event.detail["element"] == element.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved at" in page


@pytest.mark.parametrize("go, target", [("overview", ""), ("submit", "/submit")])
def test_save_and_go_to_the_overview_or_the_review(client, login, world, questionnaire, go, target) -> None:
    login(world.official)
    element = questionnaire.elements[-1]
    data = load_form(client, world.assessment, element.id)
    data["go"] = go
    response = client.post(element_url(world.assessment, element.id), data=data)
    assert response.headers["Location"].endswith(f"/assessments/{world.assessment.id}{target}")


def test_dont_know_and_not_applicable_are_saved_as_flags(client, login, world, db_session,
                                                        questionnaire) -> None:
    login(world.official)
    na_question = first_of(questionnaire, QuestionType.YES_NO, allow_na=True)
    element = questionnaire.element_of(na_question.id)
    dk_question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    data = load_form(client, world.assessment, element.id)
    set_answer(data, na_question, "_na")
    set_answer(data, dk_question, "_dk")
    client.post(element_url(world.assessment, element.id), data=data)
    rows = stored(db_session, world)
    assert (rows[na_question.id].not_applicable, rows[na_question.id].value) == (True, None)
    assert (rows[dk_question.id].dont_know, rows[dk_question.id].score) == (True, None)
    shown = load_form(client, world.assessment, element.id)
    assert shown[dk_question.field_name] == "_dk" and shown[na_question.field_name] == "_na"


def test_validation_errors_keep_everything_typed_and_save_the_valid_answers(
        client, login, world, db_session, questionnaire) -> None:
    login(world.official)
    number = next(q for q in questionnaire.questions if q.type is QuestionType.NUMBER
                  and q.min_value is not None)
    element = questionnaire.element_of(number.id)
    good = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    data = load_form(client, world.assessment, element.id)
    set_answer(data, good, "2")
    set_answer(data, number, "-40")
    data[f"note_{number.id}"] = "Figure from the 2025 budget report"
    data[f"url_{good.id}"] = "not a link"
    data[f"note_{good.id}"] = "Checked with planning"
    response = client.post(element_url(world.assessment, element.id), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # The invalid answers are shown with the core's messages and what was typed.
    assert "Enter a number of at least" in page and 'value="-40"' in page
    assert "Figure from the 2025 budget report" in page and 'value="not a link"' in page
    assert "Enter a full web address" in page
    assert f'href="#q-{number.id}"' in page  # the summary links to each question to correct
    # Each message stands at its field and describes it; nothing else is marked.
    section = page[page.index(f'id="q-{good.id}"'):]
    section = section[:section.index("</section>")]
    assert f'id="q-{good.id}-errors"' not in section  # the answer itself is fine
    link_field = section[section.index(f'<label for="url_{good.id}"'):section.index(f'name="url_{good.id}"')]
    assert f'id="q-{good.id}-url-errors"' in link_field and "Enter a full web address" in link_field
    [link] = re.findall(rf'<input[^>]*name="url_{good.id}"[^>]*>', section)
    assert f'aria-describedby="evidence-link-hint q-{good.id}-url-errors"' in link
    assert 'aria-invalid="true"' in link
    [note] = re.findall(rf'<textarea[^>]*name="note_{good.id}"[^>]*>', section)
    assert "aria-invalid" not in note and 'aria-describedby="evidence-note-hint"' in note
    assert 'class="q-done"' not in section  # not "answered" while its page is not saved
    rows = stored(db_session, world)
    assert number.id not in rows and good.id not in rows  # the link made question `good` invalid too
    # Now correct the link only: `good` is saved, the number still waits.
    again = form_fields(page, element_url(world.assessment, element.id))
    again[f"url_{good.id}"] = "https://kigali.example.org/plan"
    page = client.post(element_url(world.assessment, element.id), data=again).get_data(as_text=True)
    assert stored(db_session, world)[good.id].value == "2"
    assert 'value="-40"' in page and number.id not in stored(db_session, world)


def test_a_valid_answer_beside_an_invalid_one_is_saved(client, login, world, db_session,
                                                       questionnaire) -> None:
    login(world.official)
    number = next(q for q in questionnaire.questions if q.type is QuestionType.NUMBER)
    element = questionnaire.element_of(number.id)
    good = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    data = load_form(client, world.assessment, element.id)
    set_answer(data, good, "4")
    set_answer(data, number, "about twelve")
    page = client.post(element_url(world.assessment, element.id), data=data).get_data(as_text=True)
    assert "1 answer was saved." in page and "about twelve" in page
    assert stored(db_session, world)[good.id].revision == 1
    # The page now carries the saved revision, so saving again is no conflict.
    again = form_fields(page, element_url(world.assessment, element.id))
    assert again[f"rev_{good.id}"] == "1"
    set_answer(again, number, "12")
    response = client.post(element_url(world.assessment, element.id), data=again)
    assert response.status_code == 302
    assert stored(db_session, world)[number.id].value in ("12", "12.0")


def test_an_unknown_element_is_404(client, login, world) -> None:
    login(world.official)
    assert client.get(element_url(world.assessment, "no_such_element")).status_code == 404


def test_another_citys_official_gets_404_and_cannot_save(client, make, login, world, db_session,
                                                        questionnaire) -> None:
    login(make.user(Role.OFFICIAL))  # another city
    element = questionnaire.elements[0]
    assert client.get(f"/assessments/{world.assessment.id}").status_code == 404
    assert client.get(element_url(world.assessment, element.id)).status_code == 404
    question = element.questions[0]
    response = client.post(element_url(world.assessment, element.id),
                           data={question.field_name: "4", f"rev_{question.id}": "0"})
    assert response.status_code == 404
    assert client.post(element_url(world.assessment, element.id) + "/autosave",
                       data={question.field_name: "4", f"rev_{question.id}": "0"}).status_code == 404
    assert stored(db_session, world) == {}


def test_regional_user_of_the_region_reads_but_cannot_edit(client, make, login, world, db_session,
                                                          questionnaire) -> None:
    login(make.user(Role.REGIONAL, region=world.city.country.region))
    element = questionnaire.elements[0]
    page = client.get(element_url(world.assessment, element.id))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "data-autosave-url" not in html and "Save draft" not in html and "disabled" in html
    question = element.questions[0]
    response = client.post(element_url(world.assessment, element.id),
                           data={question.field_name: "4", f"rev_{question.id}": "0"})
    assert response.status_code == 403
    assert stored(db_session, world) == {}


def test_regional_user_of_another_region_gets_404(client, make, login, world, questionnaire) -> None:
    login(make.user(Role.REGIONAL))
    assert client.get(f"/assessments/{world.assessment.id}").status_code == 404
    assert client.get(element_url(world.assessment, questionnaire.elements[0].id)).status_code == 404


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST])
def test_admins_and_analysts_cannot_edit_answers(client, make, login, world, questionnaire, role) -> None:
    login(make.user(role))
    question = questionnaire.elements[0].questions[0]
    response = client.post(element_url(world.assessment, question.element_id),
                           data={question.field_name: "4", f"rev_{question.id}": "0"})
    assert response.status_code == 403


def test_a_submitted_assessment_is_read_only(client, login, make, world, questionnaire) -> None:
    make.answer(world.assessment, 2.0, submit=True)
    login(world.official)
    page = client.get(element_url(world.assessment, questionnaire.elements[0].id)).get_data(as_text=True)
    assert "cannot be changed" in page and "Save draft" not in page


def test_overview_lists_elements_with_progress_and_history(client, login, world, db_session,
                                                          questionnaire) -> None:
    login(world.official)
    element = questionnaire.elements[0]
    data = load_form(client, world.assessment, element.id)
    for question in element.questions:
        if question.type is QuestionType.MATURITY:
            set_answer(data, question, "2")
    client.post(element_url(world.assessment, element.id), data=data)
    page = client.get(f"/assessments/{world.assessment.id}").get_data(as_text=True)
    answered = sum(q.type is QuestionType.MATURITY for q in element.questions)
    assert f"{answered} of {len(element.questions)}" in page
    for each in questionnaire.elements:
        assert element_url(world.assessment, each.id) in page
    assert "Recent history" in page and world.official.email in page
    # "Continue answering" leads to the first element with questions left.
    next_open = next(e for e in questionnaire.elements
                     if e.id != element.id or answered < len(element.questions))
    assert f'class="button" href="{element_url(world.assessment, next_open.id)}"' in page
    assert f"saved {answered} answer" in page
    assert world.assessment.status == AssessmentStatus.DRAFT


def test_saving_a_page_takes_a_fixed_handful_of_queries(client, login, world, make, db_session,
                                                         questionnaire) -> None:
    """One query loads every answer; writes are batched, whatever the number of questions."""
    from sqlalchemy import event

    login(world.official)
    make.answer(world.assessment, 2.0, fill=0.5, seed=4)
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    def save(changes: int) -> list[str]:
        element = questionnaire.elements[2]
        data = load_form(client, world.assessment, element.id)
        radios = [q for q in element.questions if q.type is QuestionType.MATURITY][:changes]
        for question in radios:
            set_answer(data, question, "4" if data.get(question.field_name) != "4" else "1")
        for question in element.questions[:changes]:
            data[f"note_{question.id}"] = f"checked {changes}"
        statements.clear()
        event.listen(db_session.get_bind(), "before_cursor_execute", seen)
        try:
            assert client.post(element_url(world.assessment, element.id), data=data).status_code == 302
        finally:
            event.remove(db_session.get_bind(), "before_cursor_execute", seen)
        return [s for s in statements if "SAVEPOINT" not in s]

    one, many = save(1), save(len(questionnaire.elements[2].questions))
    assert len(one) <= 9 and len(many) <= len(one) + 1, (one, many)
    assert sum(s.lstrip().startswith("SELECT") and "FROM answers" in s for s in many) == 1


def test_a_number_typed_with_its_unit_is_saved(client, login, world, db_session, questionnaire) -> None:
    login(world.official)
    question = next(q for q in questionnaire.questions if q.type is QuestionType.NUMBER and q.unit)
    element = questionnaire.element_of(question.id)
    data = load_form(client, world.assessment, element.id)
    set_answer(data, question, f"35{question.unit}")
    response = client.post(element_url(world.assessment, element.id), data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert float(stored(db_session, world)[question.id].value) == 35
