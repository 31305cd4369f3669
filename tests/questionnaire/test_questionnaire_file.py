"""The real questionnaire.yaml: it loads, and it keeps the promises the method relies on.

The other tests of the questionnaire core use the small test questionnaire (small.yaml);
these are the ones about the file the application serves.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from assessment.questionnaire import (
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Question,
    QuestionType,
    kind_of,
    load_questionnaire,
    score_question,
    translation_gaps,
)

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaire.yaml")

ELEMENT_IDS = [
    "civic_tech",
    "tech_firms",
    "bottom_up",
    "geographies",
    "inclusion_privacy",
    "digital_rights",
]
# The official names of the five principles of the Cities Coalition for Digital Rights.
CC4DR_PRINCIPLES = [
    "Universal and equal access to the internet, and digital literacy",
    "Privacy, data protection and security",
    "Transparency, accountability, and non-discrimination of data, content and algorithms",
    "Participatory democracy, diversity and inclusion",
    "Open and ethical digital service standards",
]


def test_the_six_elements_come_in_the_report_order() -> None:
    assert [element.id for element in QUESTIONNAIRE.elements] == ELEMENT_IDS
    assert QUESTIONNAIRE.element("geographies").title.startswith("Consider the geographies")


def test_summary_counts_and_version() -> None:
    questions = len(QUESTIONNAIRE.questions)
    scored = len(QUESTIONNAIRE.scored_questions)
    assert scored >= 30
    assert QUESTIONNAIRE.summary() == (
        f"6 elements, {questions} questions ({scored} scored), version {QUESTIONNAIRE.version}"
    )


def test_content_hash_is_the_sha256_of_the_file() -> None:
    data = (ROOT / "questionnaire.yaml").read_bytes()
    assert QUESTIONNAIRE.content_hash == hashlib.sha256(data).hexdigest()
    assert QUESTIONNAIRE.source_text.encode("utf-8") == data


def test_every_element_has_five_to_eight_scored_questions_and_a_target() -> None:
    assert 35 <= len(QUESTIONNAIRE.scored_questions) <= 45
    for element in QUESTIONNAIRE.elements:
        assert 5 <= len(element.scored_questions) <= 8, element.id
        assert len(element.questions) <= 10, element.id
        assert element.scored_questions, element.id
        assert 0 <= element.target <= 4
        assert 0 <= element.target_percent <= 100
        assert element.weight > 0
        assert all(question.weight > 0 for question in element.questions), element.id
        assert element.rationale


def test_the_file_is_complete_in_the_six_languages() -> None:
    assert QUESTIONNAIRE.languages == ("en", "ar", "zh", "fr", "ru", "es")
    assert translation_gaps(QUESTIONNAIRE) == {}


def test_question_ids_fit_form_field_names() -> None:
    for question in QUESTIONNAIRE.questions:
        assert len(question.id) <= 40
        assert question.field_name == f"q_{question.id}"
        assert QUESTIONNAIRE.question(question.id) is question


def test_every_scored_question_has_a_recommendation_and_spans_the_scale() -> None:
    for question in QUESTIONNAIRE.scored_questions:
        assert question.recommendation, question.id
        if question.type is QuestionType.MATURITY:
            assert [level.value for level in question.levels] == [0, 1, 2, 3, 4]
            assert all(level.description for level in question.levels)


def test_number_bands_reward_higher_numbers() -> None:
    # The monotonicity properties in the scoring tests assume this of any questionnaire.
    for question in QUESTIONNAIRE.scored_questions:
        if question.type is QuestionType.NUMBER:
            worth = [band.points for band in question.bands]
            assert worth == sorted(worth), question.id


def test_digital_rights_uses_the_coalitions_principle_names() -> None:
    element = QUESTIONNAIRE.element("digital_rights")
    rationale = " ".join(element.rationale.split()).lower()
    sources = " ".join(" ".join(str(q.source).split()).lower() for q in QUESTIONNAIRE.scored_questions)
    for name in CC4DR_PRINCIPLES:
        # Named in the element's introduction, and cited by the questions that measure it.
        assert name.lower() in rationale
        assert name.lower() in sources, name


def test_the_file_uses_every_question_type() -> None:
    used = {question.type for question in QUESTIONNAIRE.questions}
    assert used == set(QuestionType)
    assert any(not q.scored and q.type is QuestionType.NUMBER for q in QUESTIONNAIRE.questions)
    assert any(q.allow_na for q in QUESTIONNAIRE.questions)


def highest_level(question: Question) -> float:
    """The best level an answer to the question can evidence, as the file declares it."""
    if question.type is QuestionType.YES_NO:
        return float(question.yes_level or SCALE_MAX)
    if question.type is QuestionType.SINGLE_CHOICE:
        return max(option.points for option in question.options)
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return float(question.full_level or SCALE_MAX)
    return float(SCALE_MAX)


def test_demo_candidates_span_the_scale() -> None:
    """The demo picks answers by score, so every scored question offers its lowest and its
    highest level (a yes or a choice evidences the level it declares, not always 4)."""
    for question in QUESTIONNAIRE.scored_questions:
        scores = [score_question(question, Answer(question.id, value))
                  for value in kind_of(question).candidates(question)]
        assert min(s for s in scores if s is not None) == SCALE_MIN, question.id
        assert max(s for s in scores if s is not None) == highest_level(question), question.id
