"""Reading posted answers: one field class per question type, the core's messages, DK/N/A."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from assessment.assessments.answers import row_fingerprint
from assessment.assessments.models import Answer
from assessment.questionnaire import QuestionType, encode_value
from assessment.survey import forms, presentation
from tests.conftest import first_of


@pytest.fixture(autouse=True)
def request_context(app):
    """Forms and messages need a request (for the locale and Flask-WTF)."""
    with app.test_request_context():
        yield


def posted(question, **fields):
    data = MultiDict({f"rev_{question.id}": "0"})
    for name, value in fields.items():
        if isinstance(value, list):
            for item in value:
                data.add(name, item)
        else:
            data[name] = value
    return forms.read_posted(question, data)


def test_a_question_not_on_the_form_is_left_alone(questionnaire) -> None:
    question = questionnaire.questions[0]
    assert forms.read_posted(question, MultiDict({question.field_name: "2"})) is None


def test_maturity_level_is_read_and_encoded(questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.MATURITY)
    item = posted(question, **{question.field_name: "3"})
    assert item.value == "3" and not item.errors and not item.dont_know


@pytest.mark.parametrize("raw", ["7", "two", "-1"])
def test_maturity_out_of_range_gets_the_core_message(questionnaire, raw) -> None:
    question = first_of(questionnaire, QuestionType.MATURITY)
    item = posted(question, **{question.field_name: raw})
    assert item.value is None
    assert item.errors[question.field_name] == ("Choose a level from 0 to 4.",)


def test_dont_know_and_not_applicable_are_radios_of_the_answer(questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.YES_NO, allow_na=True)
    dk = posted(question, **{question.field_name: forms.DONT_KNOW})
    na = posted(question, **{question.field_name: forms.NOT_APPLICABLE})
    assert (dk.dont_know, dk.not_applicable, dk.value, dk.errors) == (True, False, None, {})
    assert (na.dont_know, na.not_applicable, na.value, na.errors) == (False, True, None, {})


def test_not_applicable_is_refused_where_the_question_does_not_allow_it(questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.MATURITY, allow_na=False)
    item = posted(question, **{question.field_name: forms.NOT_APPLICABLE})
    assert "not offered" in item.errors[question.field_name][0]
    values = [choice.value for choice in presentation.specs(questionnaire)[question.id].choices]
    assert forms.DONT_KNOW in values and forms.NOT_APPLICABLE not in values


def test_multiple_choice_with_exclusive_option_combined_is_refused(questionnaire) -> None:
    question = next(q for q in questionnaire.questions
                    if q.type is QuestionType.MULTIPLE_CHOICE and any(o.exclusive for o in q.options))
    none = next(o for o in question.options if o.exclusive)
    other = next(o for o in question.options if not o.exclusive)
    item = posted(question, **{question.field_name: [other.key, none.key]})
    assert "cannot be combined" in item.errors[question.field_name][0]
    alone = posted(question, **{question.field_name: [none.key]})
    assert alone.value == none.key and not alone.errors


def test_multiple_choice_is_stored_in_questionnaire_order(questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.MULTIPLE_CHOICE)
    keys = [o.key for o in question.options if not o.exclusive][:3]
    item = posted(question, **{question.field_name: list(reversed(keys))})
    assert item.value == ",".join(keys)


def test_an_answer_and_dont_know_together_are_refused(questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.NUMBER)
    item = posted(question, **{question.field_name: "12", f"dk_{question.id}": "y"})
    assert "not both" in item.errors[question.field_name][0]


@pytest.mark.parametrize(("raw", "message"), [
    ("lots", "Enter a number, such as 42 or 12.5"),
    ("-5", "Enter a number of at least"),
])
def test_number_errors_come_from_the_core(questionnaire, raw, message) -> None:
    question = next(q for q in questionnaire.questions
                    if q.type is QuestionType.NUMBER and q.min_value is not None)
    item = posted(question, **{question.field_name: raw})
    assert item.errors[question.field_name][0].startswith(message)


@pytest.mark.parametrize("url", ["www.city.example.org", "ftp://files.example.org/x", "https://",
                                 "https://a b.org"])
def test_evidence_link_must_be_a_full_web_address(questionnaire, url) -> None:
    question = questionnaire.questions[0]
    item = posted(question, **{f"url_{question.id}": url})
    assert item.errors[f"url_{question.id}"]


def test_note_line_breaks_are_normalised_and_length_is_capped(questionnaire) -> None:
    question = questionnaire.questions[0]
    assert posted(question, **{f"note_{question.id}": "  one\r\ntwo  "}).note == "one\ntwo"
    long = posted(question, **{f"note_{question.id}": "x" * (forms.MAX_NOTE + 1)})
    assert long.errors[f"note_{question.id}"]


def test_evidence_question_takes_only_link_and_note(questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.EVIDENCE)
    spec = presentation.specs(questionnaire)[question.id]
    assert spec.kind == "evidence" and not spec.choices and not spec.flags
    item = posted(question, **{f"url_{question.id}": "https://city.example.org/plan"})
    assert item.evidence_url == "https://city.example.org/plan" and item.value is None


def test_every_question_gets_the_inputs_of_its_type(questionnaire) -> None:
    """Radios for maturity, yes/no and single choice (with don't know / N/A among them),
    boxes for multiple choice, a text box and flag boxes for numbers."""
    specs = presentation.specs(questionnaire)
    for question in questionnaire.questions:
        spec = specs[question.id]
        values = [c.value for c in spec.choices]
        flags = [f.name for f in spec.flags]
        if question.type in forms.RADIO_TYPES:
            assert spec.kind == "radio" and not flags
            assert forms.DONT_KNOW in values
            assert (forms.NOT_APPLICABLE in values) == question.allow_na
            assert len({c.id for c in spec.choices}) == len(values)
        elif question.type is QuestionType.MULTIPLE_CHOICE:
            assert spec.kind == "checkboxes" and values == [o.key for o in question.options]
            assert flags[0] == f"dk_{question.id}" and (f"na_{question.id}" in flags) == question.allow_na
        elif question.type is QuestionType.NUMBER:
            assert spec.kind == "number" and not values and flags[0] == f"dk_{question.id}"
        for choice in spec.choices:
            unchecked, checked = choice.html[(False, False)], choice.html[(True, False)]
            assert f'value="{choice.value}"' in unchecked and " checked" not in unchecked
            assert " checked" in checked and " disabled" in choice.html[(True, True)]


def test_stored_answer_posted_back_unchanged_has_the_same_fingerprint(questionnaire) -> None:
    """What the page shows, sent back untouched, reads as the very same answer."""
    for question in questionnaire.questions:
        if question.type is QuestionType.MATURITY:
            value = encode_value(question, 2)
        elif question.type is QuestionType.MULTIPLE_CHOICE:
            value = encode_value(question, (question.options[0].key,))
        elif question.type is QuestionType.SINGLE_CHOICE:
            value = question.options[-1].key
        elif question.type is QuestionType.YES_NO:
            value = "no"
        elif question.type is QuestionType.NUMBER:
            value = encode_value(question, 50 if question.integer else 50.0)
        else:
            value = None
        row = Answer(question_id=question.id, value=value, dont_know=False, not_applicable=False,
                     evidence_url="https://x.example.org/a", note="two\nlines", revision=3)
        data = MultiDict()
        for name, shown in forms.answer_data(question, row).items():
            if isinstance(shown, list):
                for item in shown:
                    data.add(name, item)
            elif shown is True:
                data[name] = "y"
            elif shown not in (False, None):
                data[name] = shown
        item = forms.read_posted(question, data)
        assert not item.errors, (question.id, item.errors)
        assert item.fingerprint == row_fingerprint(row), question.id
        assert item.base_revision == 3 and item.base_fingerprint == row_fingerprint(row)
