"""The reviewed score: the same scoring with the reviewer's levels in place of the answers' own
(``Rules(level_overrides=...)`` in the pure core)."""

from __future__ import annotations

import pytest

from assessment.questionnaire import Answer, Questionnaire, load_questionnaire, score_assessment
from assessment.questionnaire.scoring import Rules
from tests.questionnaire.conftest import SMALL_YAML


@pytest.fixture(scope="module")
def small() -> Questionnaire:
    return load_questionnaire(SMALL_YAML)


def _answers() -> dict[str, Answer]:
    return {
        "services_plan": Answer("services_plan", 4, evidence_url="https://example.org/plan"),
        "services_assisted": Answer("services_assisted", 4),
        "services_paper": Answer("services_paper", "no"),
        "services_channel": Answer("services_channel", None, dont_know=True),
    }


def test_no_override_is_the_self_assessed_score(small: Questionnaire) -> None:
    answers = _answers()
    assert score_assessment(small, answers, Rules(level_overrides={})) == score_assessment(small, answers)


def test_an_adjusted_level_replaces_the_answer_and_lowers_the_element(small: Questionnaire) -> None:
    answers = _answers()
    claimed = score_assessment(small, answers).element("services")
    reviewed = score_assessment(small, answers, Rules(level_overrides={"services_plan": 1})).element(
        "services")
    assert claimed.score is not None and reviewed.score is not None
    # services_plan weighs 2 of the element's answered weight: 4 -> 1 moves the mean by 3 * 2 / total.
    total = sum(q.weight for q in small.element("services").scored_questions
                if q.id in ("services_plan", "services_assisted", "services_paper"))
    assert claimed.score - reviewed.score == pytest.approx(3 * 2 / total * 25)
    # The answers themselves say the same: completeness and counts do not change.
    assert (reviewed.answered, reviewed.completeness) == (claimed.answered, claimed.completeness)


def test_an_adjusted_level_counts_as_evidenced(small: Questionnaire) -> None:
    answers = _answers()
    claimed = score_assessment(small, answers).element("services")
    # services_assisted claims 4 without a document: the evidenced score counts it as 2 ...
    assert claimed.evidenced is not None and claimed.score is not None
    assert claimed.evidenced < claimed.score
    # ... unless the reviewer confirmed a level, which is then the checked level.
    confirmed = score_assessment(small, answers, Rules(level_overrides={"services_assisted": 4}))
    assert confirmed.element("services").score == claimed.score
    assert confirmed.element("services").evidenced > claimed.evidenced
    assert confirmed.element("services").evidence_coverage > claimed.evidence_coverage


def test_overrides_apply_only_to_answered_questions_and_stay_on_the_scale(small: Questionnaire) -> None:
    answers = _answers()
    plain = score_assessment(small, answers)
    # A don't know stays a don't know; an unknown question id changes nothing.
    ignored = score_assessment(small, answers, Rules(level_overrides={"services_channel": 4, "nope": 0}))
    assert ignored.elements == plain.elements
    high = score_assessment(small, answers, Rules(level_overrides={"services_plan": 9}))
    assert high.element("services").score == plain.element("services").score


def test_the_overall_index_follows_the_reviewed_elements(small: Questionnaire) -> None:
    answers = {**_answers(), "partners_strategy": Answer("partners_strategy", 3)}
    plain = score_assessment(small, answers)
    reviewed = score_assessment(small, answers, Rules(level_overrides={"services_plan": 0}))
    assert plain.overall is not None and reviewed.overall is not None
    assert reviewed.overall < plain.overall
