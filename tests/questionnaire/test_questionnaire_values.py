"""Answer values: form input, storage as text and back (against tests/questionnaire/small.yaml)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.questionnaire import (
    AnswerValue,
    Question,
    Questionnaire,
    QuestionType,
    check_value,
    decode_value,
    encode_value,
    parse_form_value,
)
from tests.questionnaire.strategies import values_for

PROPERTY = settings(max_examples=300, deadline=None)


@pytest.fixture(scope="module")
def question_and_value(small: Questionnaire) -> st.SearchStrategy[tuple[Question, AnswerValue]]:
    """A question that takes a value (not evidence), with one of its valid values."""
    answerable = [q for q in small.questions if q.type is not QuestionType.EVIDENCE]
    return st.sampled_from(answerable).flatmap(lambda q: st.tuples(st.just(q), values_for(q)))


@PROPERTY
@given(data=st.data())
def test_stored_text_reads_back_as_the_same_value(
    question_and_value: st.SearchStrategy[tuple[Question, AnswerValue]], data: st.DataObject
) -> None:
    question, value = data.draw(question_and_value)
    text = encode_value(question, value)
    assert text is not None
    decoded = decode_value(question, text)
    assert decoded == value
    assert type(decoded) is type(value) or question.type is QuestionType.NUMBER
    assert encode_value(question, decoded) == text


@PROPERTY
@given(data=st.data())
def test_form_input_reads_as_the_value(
    question_and_value: st.SearchStrategy[tuple[Question, AnswerValue]], data: st.DataObject
) -> None:
    question, value = data.draw(question_and_value)
    if isinstance(value, tuple):
        raw: str | list[str] = list(reversed(value))  # order in the form does not matter
    else:
        raw = f"  {encode_value(question, value)} "
    assert parse_form_value(question, raw) == value


def test_multiple_choice_is_stored_in_questionnaire_order(small: Questionnaire) -> None:
    # The options of services_contracts run data_access, exit_plan, ...
    question = small.question("services_contracts")
    assert encode_value(question, ("exit_plan", "data_access")) == "data_access,exit_plan"
    assert decode_value(question, "data_access,exit_plan") == ("data_access", "exit_plan")


def test_empty_input_means_no_answer(small: Questionnaire) -> None:
    for question in small.questions:
        assert parse_form_value(question, "") is None
        assert parse_form_value(question, []) is None
        assert decode_value(question, None) is None
        assert encode_value(question, None) is None


@pytest.mark.parametrize(
    ("question_id", "raw", "message"),
    [
        ("data_portal", "5", "Choose a level from 0 to 4."),
        ("data_portal", "two", "Choose a level from 0 to 4."),
        ("data_licence", "maybe", "Answer yes or no."),
        ("data_requests", "fax", "'fax' is not one of the choices"),
        ("data_requests", ["email", "form"], "Choose only one answer."),
        ("services_contracts", ["data_access", "teleport"], "'teleport' is not one of"),
        ("services_contracts", ["none", "data_access"], "'None of these' cannot be combined"),
        ("data_share", "120", "Enter a number of at most 100."),
        ("data_share", "-1", "Enter a number of at least 0."),
        ("data_share", "lots", "Enter a number, such as 42 or 12.5; “%” may follow it."),
        ("data_share", "35 km", "Enter a number, such as 42 or 12.5; “%” may follow it."),
        ("data_share", "nan", "Enter a number, such as 42 or 12.5."),
        ("data_count", "12.5", "Enter a whole number."),
        ("data_links", "anything", "This question takes only a link and a note."),
    ],
)
def test_invalid_form_input_gets_a_readable_message(
    small: Questionnaire, question_id: str, raw: str | list[str], message: str
) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse_form_value(small.question(question_id), raw)


@pytest.mark.parametrize("typed", ["35", "35%", "35 %", " 35 % ", "35.0%"])
def test_a_number_may_be_typed_with_the_unit_the_field_shows(small: Questionnaire, typed: str) -> None:
    question = small.question("data_share")
    assert str(question.unit) == "%"
    assert parse_form_value(question, typed) == 35


@pytest.mark.parametrize("typed", ["12", "12 datasets", "12 jeux de données"])
def test_the_unit_may_be_typed_in_any_of_the_questionnaires_languages(
    small: Questionnaire, typed: str
) -> None:
    question = small.question("data_count")
    assert question.unit is not None and question.unit.get("fr") == "jeux de données"
    assert parse_form_value(question, typed) == 12


def test_stored_garbage_is_refused(small: Questionnaire) -> None:
    with pytest.raises(ValueError):
        decode_value(small.question("data_portal"), "9")
    with pytest.raises(ValueError):
        check_value(small.question("data_portal"), True)
    with pytest.raises(ValueError):
        check_value(small.question("services_contracts"), ())


def test_yes_no_accepts_any_case(small: Questionnaire) -> None:
    assert parse_form_value(small.question("data_licence"), "Yes") == "yes"
