"""Scores, completeness, gaps and ranked recommendations: pure functions of a questionnaire
and a set of answers. The method is described in docs/methodology.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from assessment.questionnaire.model import (
    PERCENT_PER_LEVEL,
    SCALE_MAX,
    SCALE_MIN,
    Element,
    Question,
    Questionnaire,
    Text,
)
from assessment.questionnaire.types import kind_of
from assessment.questionnaire.values import AnswerValue, check_value

Status = Literal["answered", "dont_know", "not_applicable", "unanswered"]
RecommendationKind = Literal["improve", "find_owner"]


@dataclass(frozen=True)
class Answer:
    """What a city said about one question. The two flags win over any value."""

    question_id: str
    value: AnswerValue = None
    dont_know: bool = False
    not_applicable: bool = False
    evidence_url: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.dont_know and self.not_applicable:
            raise ValueError("An answer cannot be both 'don't know' and 'not applicable'.")

    @property
    def has_evidence(self) -> bool:
        """Whether a non-blank evidence link was given."""
        return bool(self.evidence_url and self.evidence_url.strip())


@dataclass(frozen=True)
class ElementScore:
    """One element's result. ``score``, ``target`` and ``gap`` are on the 0-100 scale."""

    element_id: str
    title: Text
    score: float | None
    raw_mean: float | None
    target: float
    gap: float | None
    completeness: float
    insufficient: bool
    answered: int
    applicable: int
    dont_know: int
    not_applicable: int
    evidence_coverage: float | None
    weight: float

    @property
    def unanswered(self) -> int:
        """Applicable scored questions with neither an answer nor a don't know."""
        return self.applicable - self.answered - self.dont_know


@dataclass(frozen=True)
class Recommendation:
    """A suggested next step. ``gap`` is in levels (0-4) and is ``None`` for don't know."""

    question_id: str
    element_id: str
    kind: RecommendationKind
    text: Text
    priority: float
    gap: float | None


@dataclass(frozen=True)
class AssessmentScore:
    """The full result of scoring one assessment against one questionnaire version."""

    version: str
    elements: tuple[ElementScore, ...]
    overall: float | None
    geometric: float | None
    weakest_element_id: str | None
    completeness: float
    recommendations: tuple[Recommendation, ...]

    def element(self, element_id: str) -> ElementScore:
        """The score of one element; ``KeyError`` when there is none."""
        for element in self.elements:
            if element.element_id == element_id:
                return element
        raise KeyError(element_id)

    @property
    def included_element_ids(self) -> tuple[str, ...]:
        """The elements with enough data to count in ``overall`` and ``geometric``."""
        return tuple(e.element_id for e in self.elements if not e.insufficient)


def status_of(question: Question, answer: Answer | None) -> Status:
    """How an answer counts: answered, don't know, not applicable, or not answered at all.

    "Not applicable" on a question that does not allow it counts as not answered.
    """
    if answer is None:
        return "unanswered"
    if answer.dont_know:
        return "dont_know"
    if answer.not_applicable:
        return "not_applicable" if question.allow_na else "unanswered"
    if answer.value is None:
        return "unanswered"
    return "answered"


def points(question: Question, value: AnswerValue) -> float | None:
    """The 0-4 points a value earns on a scored question (``None`` for no value)."""
    check_value(question, value)
    if value is None or not question.scored:
        return None
    result = kind_of(question).points(question, value)
    if result is None:
        return None
    return min(max(result, SCALE_MIN), SCALE_MAX)


def score_question(question: Question, answer: Answer | None) -> float | None:
    """The 0-4 score of one answer; ``None`` when unscored, unanswered, don't know or N/A."""
    if answer is not None and answer.question_id != question.id:
        raise ValueError(f"The answer is for '{answer.question_id}', not '{question.id}'.")
    if not question.scored or status_of(question, answer) != "answered":
        return None
    assert answer is not None
    return points(question, answer.value)


def score_assessment(questionnaire: Questionnaire, answers: Mapping[str, Answer]) -> AssessmentScore:
    """Score every element, the overall results and the ranked recommendations."""
    for key, answer in answers.items():
        if key != answer.question_id:
            raise ValueError(f"The answer stored under '{key}' is for '{answer.question_id}'.")
        questionnaire.question(key)  # KeyError: an answer to a question this version lacks
    elements: list[ElementScore] = []
    recommendations: list[tuple[float, int, Recommendation]] = []
    order = {question.id: index for index, question in enumerate(questionnaire.questions)}
    for element in questionnaire.elements:
        result, advice = _score_element(questionnaire, element, answers)
        elements.append(result)
        recommendations.extend((-r.priority, order[r.question_id], r) for r in advice)
    overall, geometric = _aggregate(elements, questionnaire.geometric_offset)
    included = [e for e in elements if e.score is not None]
    weakest = min(included, key=lambda e: e.score or 0.0).element_id if included else None
    applicable = sum(e.applicable for e in elements)
    answered = sum(e.answered for e in elements)
    recommendations.sort(key=lambda item: item[:2])
    return AssessmentScore(
        version=questionnaire.version,
        elements=tuple(elements),
        overall=overall,
        geometric=geometric,
        weakest_element_id=weakest,
        completeness=answered / applicable if applicable else 0.0,
        recommendations=tuple(item[2] for item in recommendations),
    )


def _score_element(
    questionnaire: Questionnaire, element: Element, answers: Mapping[str, Answer]
) -> tuple[ElementScore, list[Recommendation]]:
    counts = {"answered": 0, "dont_know": 0, "not_applicable": 0, "unanswered": 0}
    weighted: list[tuple[float, float]] = []
    evidenced: list[bool] = []
    advice: list[Recommendation] = []
    for question in element.scored_questions:
        answer = answers.get(question.id)
        status = status_of(question, answer)
        counts[status] += 1
        if status == "dont_know":
            # Not knowing is itself a gap in coordination: rank it as if the whole target
            # were missing, since nothing can be built on a practice nobody can confirm.
            advice.append(
                Recommendation(
                    question.id,
                    element.id,
                    "find_owner",
                    questionnaire.dont_know_recommendation,
                    element.weight * question.weight * element.target,
                    None,
                )
            )
        if status != "answered":
            continue
        assert answer is not None
        score = points(question, answer.value)
        assert score is not None
        weighted.append((question.weight, score))
        if score >= 3:
            evidenced.append(answer.has_evidence)
        if score < element.target and question.recommendation is not None:
            gap = element.target - score
            advice.append(
                Recommendation(
                    question.id,
                    element.id,
                    "improve",
                    question.recommendation,
                    element.weight * question.weight * gap,
                    gap,
                )
            )
    applicable = len(element.scored_questions) - counts["not_applicable"]
    answered = counts["answered"]
    completeness = answered / applicable if applicable else 0.0
    raw_mean = None
    if weighted:
        total_weight = math.fsum(weight for weight, _ in weighted)
        raw_mean = math.fsum(weight * score for weight, score in weighted) / total_weight
        raw_mean = min(max(raw_mean, SCALE_MIN), SCALE_MAX)
    insufficient = raw_mean is None or completeness < questionnaire.completeness_threshold
    score_percent = None if insufficient or raw_mean is None else raw_mean * PERCENT_PER_LEVEL
    target = element.target_percent
    result = ElementScore(
        element_id=element.id,
        title=element.title,
        score=score_percent,
        raw_mean=raw_mean,
        target=target,
        gap=None if score_percent is None else max(0.0, target - score_percent),
        completeness=completeness,
        insufficient=insufficient,
        answered=answered,
        applicable=applicable,
        dont_know=counts["dont_know"],
        not_applicable=counts["not_applicable"],
        evidence_coverage=sum(evidenced) / len(evidenced) if evidenced else None,
        weight=element.weight,
    )
    return result, advice


def _aggregate(elements: list[ElementScore], offset: float) -> tuple[float | None, float | None]:
    """Weighted arithmetic and geometric means (0-100) of the elements with enough data.

    The geometric mean works on levels shifted by ``offset`` so that a zero does not wipe
    out the whole result, then shifts back: G = exp(sum w ln(x + c) / sum w) - c.
    """
    included = [(e.weight, e.raw_mean) for e in elements if e.score is not None]
    if not included:
        return None, None
    total_weight = math.fsum(weight for weight, _ in included)
    means = [(weight, mean) for weight, mean in included if mean is not None]
    arithmetic = math.fsum(weight * mean for weight, mean in means) / total_weight
    log_mean = math.fsum(weight * math.log(mean + offset) for weight, mean in means) / total_weight
    geometric = math.exp(log_mean) - offset
    return (
        _clamp_percent(arithmetic * PERCENT_PER_LEVEL),
        _clamp_percent(geometric * PERCENT_PER_LEVEL),
    )


def _clamp_percent(value: float) -> float:
    # Rounding in exp/log can step a hair outside 0-100; the scale itself cannot.
    return min(max(value, 0.0), 100.0)
