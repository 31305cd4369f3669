"""The question types: one registered class each, and values that survive every conversion."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from assessment.questionnaire import (
    KINDS,
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Question,
    QuestionKind,
    QuestionType,
    check_value,
    decode_value,
    encode_value,
    kind_of,
    load_questionnaire,
    parse_form_value,
    parse_questionnaire,
    score_question,
)
from assessment.questionnaire.types.base import register
from tests.questionnaire.test_questionnaire_loader import VALID

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = [
    *load_questionnaire(ROOT / "questionnaire.yaml").questions,
    *parse_questionnaire(VALID).questions,
]
WIDGETS = {"radio", "checkboxes", "number", "evidence"}


def questions_of(qtype: QuestionType) -> list[Question]:
    found = [question for question in QUESTIONS if question.type is qtype]
    assert found, f"no sample question of type {qtype}"
    return found


def concrete_kinds(cls: type[QuestionKind] = QuestionKind) -> list[type[QuestionKind]]:
    found = []
    for sub in cls.__subclasses__():
        if not getattr(sub, "__abstractmethods__", None):
            found.append(sub)
        found.extend(concrete_kinds(sub))
    return found


def test_every_question_type_has_exactly_one_registered_kind() -> None:
    assert list(KINDS) == list(QuestionType)
    assert all(KINDS[qtype].type is qtype for qtype in QuestionType)
    classes = [type(kind) for kind in KINDS.values()]
    assert len(set(classes)) == len(classes)
    assert sorted(c.__name__ for c in concrete_kinds()) == sorted(c.__name__ for c in classes)


def test_a_second_kind_for_a_type_is_refused() -> None:
    with pytest.raises(ValueError, match="already has a kind"):
        register(type(KINDS[QuestionType.MATURITY]))


@pytest.mark.parametrize("qtype", list(QuestionType), ids=str)
def test_the_kind_describes_its_page_and_codebook(qtype: QuestionType) -> None:
    kind = KINDS[qtype]
    assert kind.widget in WIDGETS and kind.summary
    for question in questions_of(qtype):
        assert kind_of(question) is kind
        entry = kind.codebook(question)
        assert (entry.value_type is None) == (not kind.has_value)
        for choice in kind.choices(question):
            # Every choice offered is a valid answer, as stored and as posted.
            value = decode_value(question, choice.key)
            assert value is not None
            assert encode_value(question, value) == choice.key
            assert kind.describe(question, value)


@pytest.mark.parametrize("qtype", list(QuestionType), ids=str)
def test_generated_values_round_trip_through_storage_and_forms(qtype: QuestionType) -> None:
    kind = KINDS[qtype]
    rng = random.Random(qtype.value)
    for question in questions_of(qtype):
        samples = [kind.sample(question, rng) for _ in range(200)]
        for value in [*samples, *kind.candidates(question)]:
            if not kind.has_value:
                assert value is None
                continue
            check_value(question, value)
            text = encode_value(question, value)
            assert text is not None
            assert decode_value(question, text) == value
            assert encode_value(question, decode_value(question, text)) == text
            assert parse_form_value(question, text) == value
            assert parse_form_value(question, kind.form_input(question, value)) == value
            assert kind.describe(question, value)
            score = score_question(question, Answer(question.id, value))
            if question.scored:
                assert score is not None and SCALE_MIN <= score <= SCALE_MAX
            else:
                assert score is None


@pytest.mark.parametrize("qtype", list(QuestionType), ids=str)
def test_no_value_is_empty_input(qtype: QuestionType) -> None:
    kind = KINDS[qtype]
    for question in questions_of(qtype):
        assert parse_form_value(question, kind.form_input(question, None)) is None


def test_scored_candidates_span_the_scale() -> None:
    """The demo picks answers by score, so every scored question offers low and high ones."""
    for question in QUESTIONS:
        if not question.scored:
            continue
        scores = [score_question(question, Answer(question.id, value))
                  for value in kind_of(question).candidates(question)]
        assert min(s for s in scores if s is not None) == SCALE_MIN, question.id
        assert max(s for s in scores if s is not None) == SCALE_MAX, question.id
