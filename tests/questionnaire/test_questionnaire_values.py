"""Answer values: form input, storage as text and back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.questionnaire import (
    AnswerValue,
    Question,
    QuestionType,
    check_value,
    decode_value,
    encode_value,
    load_questionnaire,
    parse_form_value,
)
from tests.questionnaire.strategies import values_for

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaire.yaml")
ANSWERABLE = [q for q in QUESTIONNAIRE.questions if q.type is not QuestionType.EVIDENCE]


question_and_value = st.sampled_from(ANSWERABLE).flatmap(lambda q: st.tuples(st.just(q), values_for(q)))


@settings(max_examples=300, deadline=None)
@given(question_and_value)
def test_stored_text_reads_back_as_the_same_value(pair: tuple[Question, AnswerValue]) -> None:
    question, value = pair
    text = encode_value(question, value)
    assert text is not None
    decoded = decode_value(question, text)
    assert decoded == value
    assert type(decoded) is type(value) or question.type is QuestionType.NUMBER
    assert encode_value(question, decoded) == text


@settings(max_examples=300, deadline=None)
@given(question_and_value)
def test_form_input_reads_as_the_value(pair: tuple[Question, AnswerValue]) -> None:
    question, value = pair
    if isinstance(value, tuple):
        raw: str | list[str] = list(reversed(value))  # order in the form does not matter
    else:
        raw = f"  {encode_value(question, value)} "
    assert parse_form_value(question, raw) == value


def test_multiple_choice_is_stored_in_questionnaire_order() -> None:
    question = QUESTIONNAIRE.question("tech_firms_contract_terms")
    assert encode_value(question, ("exit_plan", "data_access")) == "data_access,exit_plan"
    assert decode_value(question, "data_access,exit_plan") == ("data_access", "exit_plan")


def test_empty_input_means_no_answer() -> None:
    for question in QUESTIONNAIRE.questions:
        assert parse_form_value(question, "") is None
        assert parse_form_value(question, []) is None
        assert decode_value(question, None) is None
        assert encode_value(question, None) is None


@pytest.mark.parametrize(
    ("question_id", "raw", "message"),
    [
        ("civic_tech_resident_tools", "5", "Choose a level from 0 to 4."),
        ("civic_tech_resident_tools", "two", "Choose a level from 0 to 4."),
        ("civic_tech_transit_data", "maybe", "Answer yes or no."),
        ("civic_tech_service_requests", "fax", "'fax' is not one of the choices"),
        ("civic_tech_service_requests", ["tracked", "untracked"], "Choose only one answer."),
        ("tech_firms_contract_terms", ["data_access", "teleport"], "'teleport' is not one of"),
        ("tech_firms_contract_terms", ["none", "data_access"], "'None of these' cannot be combined"),
        ("inclusion_assisted_share", "120", "Enter a number of at most 100."),
        ("inclusion_assisted_share", "-1", "Enter a number of at least 0."),
        ("inclusion_assisted_share", "lots", "Enter a number, such as 42 or 12.5; “%” may follow it."),
        ("inclusion_assisted_share", "35 km", "Enter a number, such as 42 or 12.5; “%” may follow it."),
        ("inclusion_assisted_share", "nan", "Enter a number, such as 42 or 12.5."),
        ("bottom_up_dataset_count", "12.5", "Enter a whole number."),
        ("tech_firms_documents", "anything", "This question takes only a link and a note."),
    ],
)
def test_invalid_form_input_gets_a_readable_message(
    question_id: str, raw: str | list[str], message: str
) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse_form_value(QUESTIONNAIRE.question(question_id), raw)


@pytest.mark.parametrize("typed", ["35", "35%", "35 %", " 35 % ", "35.0%"])
def test_a_number_may_be_typed_with_the_unit_the_field_shows(typed: str) -> None:
    question = QUESTIONNAIRE.question("inclusion_assisted_share")
    assert str(question.unit) == "%"
    assert parse_form_value(question, typed) == 35


def test_stored_garbage_is_refused() -> None:
    with pytest.raises(ValueError):
        decode_value(QUESTIONNAIRE.question("civic_tech_resident_tools"), "9")
    with pytest.raises(ValueError):
        check_value(QUESTIONNAIRE.question("civic_tech_resident_tools"), True)
    with pytest.raises(ValueError):
        check_value(QUESTIONNAIRE.question("tech_firms_contract_terms"), ())


def test_yes_no_accepts_any_case() -> None:
    assert parse_form_value(QUESTIONNAIRE.question("civic_tech_transit_data"), "Yes") == "yes"
