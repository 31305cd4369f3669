"""The question types: one registered class each, and values that survive every conversion."""

from __future__ import annotations

import random

import pytest

from assessment.questionnaire import (
    KINDS,
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionType,
    check_value,
    decode_value,
    encode_value,
    kind_of,
    parse_form_value,
    parse_questionnaire,
    score_question,
)
from assessment.questionnaire.types import LOW_MISSING_CODES, MISSING_CODES, MISSING_REASONS
from assessment.questionnaire.types.base import register
from tests.questionnaire.test_questionnaire_loader import VALID

WIDGETS = {"radio", "checkboxes", "number", "evidence"}


@pytest.fixture(scope="module")
def questions(small: Questionnaire) -> list[Question]:
    """Every question of the two test questionnaires: small.yaml and the loader's sample."""
    return [*small.questions, *parse_questionnaire(VALID).questions]


def questions_of(questions: list[Question], qtype: QuestionType) -> list[Question]:
    found = [question for question in questions if question.type is qtype]
    assert found, f"no sample question of type {qtype}"
    return found


def concrete_kinds(cls: type[QuestionKind] = QuestionKind) -> list[type[QuestionKind]]:
    found = []
    for sub in cls.__subclasses__():
        if not getattr(sub, "__abstractmethods__", None):
            found.append(sub)
        found.extend(concrete_kinds(sub))
    return found


def test_the_small_questionnaire_has_every_kind_of_question(small: Questionnaire) -> None:
    # What the tests of the core rely on finding in small.yaml.
    assert small.summary() == "3 elements, 17 questions (14 scored), version test.1"
    assert {question.type for question in small.questions} == set(QuestionType)
    assert any(not q.scored and q.type is QuestionType.NUMBER for q in small.questions)
    assert any(q.scored and q.allow_na for q in small.questions)
    multiple = [q for q in small.questions if q.type is QuestionType.MULTIPLE_CHOICE]
    assert {q.cap is None for q in multiple} == {True, False}
    assert any(q.type is QuestionType.YES_NO and q.yes_points < q.no_points for q in small.questions)


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
def test_the_kind_describes_its_page_and_codebook(questions: list[Question], qtype: QuestionType) -> None:
    kind = KINDS[qtype]
    assert kind.widget in WIDGETS and kind.summary
    for question in questions_of(questions, qtype):
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
def test_generated_values_round_trip_through_storage_and_forms(
    questions: list[Question], qtype: QuestionType
) -> None:
    kind = KINDS[qtype]
    rng = random.Random(qtype.value)
    for question in questions_of(questions, qtype):
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
def test_no_value_is_empty_input(questions: list[Question], qtype: QuestionType) -> None:
    kind = KINDS[qtype]
    for question in questions_of(questions, qtype):
        assert parse_form_value(question, kind.form_input(question, None)) is None


def test_scored_candidates_span_the_scale(questions: list[Question]) -> None:
    """The demo picks answers by score, so every scored question offers low and high ones."""
    for question in questions:
        if not question.scored:
            continue
        scores = [score_question(question, Answer(question.id, value))
                  for value in kind_of(question).candidates(question)]
        assert min(s for s in scores if s is not None) == SCALE_MIN, question.id
        assert max(s for s in scores if s is not None) == SCALE_MAX, question.id


# --- what the analysts' tables ask of each type ------------------------------------------------


def test_each_type_says_how_its_answers_are_coded(questions) -> None:
    """Levels are their own codes, yes/no is 1/0, options are 1, 2, ... in order, numbers have
    bands but no codes, evidence offers nothing; every coded answer has a label."""
    for question in questions:
        kind = kind_of(question)
        codes = kind.answer_codes(question)
        if question.type is QuestionType.MATURITY:
            assert [(c.kind, c.key, c.code) for c in codes] == [
                ("level", str(level.value), level.value) for level in question.levels]
            assert [c.description for c in codes] == [str(lv.description) for lv in question.levels]
        elif question.type is QuestionType.YES_NO:
            assert [(c.key, c.code, c.label) for c in codes] == [("yes", 1, "Yes"), ("no", 0, "No")]
            if question.scored:
                assert (codes[0].points, codes[1].points) == (question.yes_points,
                                                              question.no_points)
        elif question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            assert [(c.key, c.code) for c in codes] == [
                (o.key, index) for index, o in enumerate(question.options, start=1)]
            assert [c.exclusive for c in codes] == [o.exclusive for o in question.options]
            assert kind.positional_codes and not (kind.multiple and kind.coded)
        elif question.type is QuestionType.NUMBER:
            assert len(codes) == len(question.bands)
            assert all(c.kind == "band" and c.code is None for c in codes)
            assert [(c.low, c.high, c.points) for c in codes] == [
                (b.min, b.max, b.points) for b in question.bands]
        else:
            assert codes == () and kind.wide_type(question) is None
        assert all(c.label for c in codes)
        if not question.scored:
            assert all(c.points is None for c in codes)


def test_missing_codes_never_collide_with_an_answer(questions) -> None:
    for question in questions:
        kind = kind_of(question)
        missing = kind.missing_codes(question)
        assert list(missing) == list(MISSING_REASONS)
        assert len(set(missing.values())) == 4
        codes = {c.code for c in kind.answer_codes(question) if c.code is not None} | {0, 1}
        assert not codes & set(missing.values())
        if question.type is QuestionType.NUMBER:
            if question.min_value is not None and question.min_value >= 0:
                assert dict(missing) == dict(MISSING_CODES)
            else:
                assert dict(missing) == dict(LOW_MISSING_CODES)
                assert max(missing.values()) < -1e8


def test_a_number_that_may_be_negative_gets_codes_far_below_its_answers(small) -> None:
    text = small.source_text.replace("min: 0\n        unit: {en: datasets", "min: -50\n        "
                                     "unit: {en: datasets", 1)
    question = parse_questionnaire(text).question("data_count")
    assert question.min_value == -50
    assert dict(kind_of(question).missing_codes(question)) == dict(LOW_MISSING_CODES)


def test_numbers_read_back_as_numbers_for_the_tables(questions) -> None:
    for question in questions_of(questions, QuestionType.NUMBER):
        kind = kind_of(question)
        assert kind.wide_type(question) == ("integer" if question.integer else "number")
        stored = encode_value(question, 12 if question.integer else 12.5)
        value = kind.wide_number(question, stored)
        assert value == (12 if question.integer else 12.5)
        assert isinstance(value, int) == bool(question.integer)
        assert kind.wide_number(question, "not a number") is None
        assert kind.wide_number(question, "nan") is None
    for question in questions_of(questions, QuestionType.MULTIPLE_CHOICE):
        keys = tuple(o.key for o in question.options[:2])
        assert kind_of(question).chosen_keys(question, encode_value(question, keys)) == keys


def test_every_question_without_candidates_still_gets_a_demo_value(questions) -> None:
    """Numbers given for context only have no score to aim at; the demo data still answers them."""
    rng = random.Random(7)
    for question in questions:
        kind = kind_of(question)
        if kind.has_value and not kind.candidates(question):
            value = kind.sample(question, rng)
            assert value is not None and check_value(question, value) is None, question.id
