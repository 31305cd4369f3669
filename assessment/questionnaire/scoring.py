"""Scores, completeness, gaps and ranked recommendations: pure functions of a questionnaire
and a set of answers. The method is described in docs/methodology.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
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
# "improve": below the target; "find_owner": answered "don't know"; "find_out": left blank.
RecommendationKind = Literal["improve", "find_owner", "find_out"]
DontKnowRule = Literal["excluded", "zero"]

# The version of the rules below. Stored with every score, so that a report or a dashboard
# can tell scores computed by other rules apart; change it whenever a rule changes.
# 1: yes = 4 points, weakest element = lowest score. 2: levels evidenced, conservative and
# evidenced variants, weakest element = furthest below its target.
RULES_VERSION = 2
# A claim at this level or above counts, in the evidenced score, only with a document.
EVIDENCE_NEEDED_FROM = 3
# ... and without one it counts as this level.
UNEVIDENCED_LEVEL = 2


@dataclass(frozen=True)
class Rules:
    """The choices a score depends on. ``Rules()`` is the method; the sensitivity panel and
    the what-if page score the same answers under other choices."""

    # "excluded": a don't know is left out (the main score); "zero": it counts as level 0.
    dont_know: DontKnowRule = "excluded"
    # Every question weighs 1 instead of its declared weight.
    equal_question_weights: bool = False
    # Element weights instead of the declared ones (missing elements keep theirs).
    element_weights: Mapping[str, float] | None = None
    # Questions left out, as if they were not in the questionnaire.
    left_out: frozenset[str] = frozenset()
    # A reviewer's levels (0-4) in place of the answers' own, by question id: the reviewed
    # score. Only answered questions take an override, and an overridden level counts as
    # evidenced (the reviewer has checked it).
    level_overrides: Mapping[str, float] | None = None

    def element_weight(self, element: Element) -> float:
        if self.element_weights is not None and element.id in self.element_weights:
            return self.element_weights[element.id]
        return element.weight

    def question_weight(self, question: Question) -> float:
        return 1.0 if self.equal_question_weights else question.weight

    def override(self, question: Question) -> float | None:
        """The reviewer's level for ``question``, if one was set (kept within the scale)."""
        if self.level_overrides is None or question.id not in self.level_overrides:
            return None
        return min(max(float(self.level_overrides[question.id]), SCALE_MIN), SCALE_MAX)


METHOD = Rules()


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
    # The same element with every don't know counted as level 0 (never above ``score``).
    conservative: float | None = None
    # The same element with claims at level 3 or more without a document counted as level 2.
    evidenced: float | None = None
    # Share of applicable questions answered "don't know", and whether it is above the
    # questionnaire's flag share.
    dont_know_share: float = 0.0
    dont_know_flagged: bool = False

    @property
    def shortfall(self) -> float | None:
        """How far the score is below the target (negative above it); ``None`` without a score."""
        return None if self.score is None else self.target - self.score

    @property
    def unanswered(self) -> int:
        """Applicable scored questions with neither an answer nor a don't know."""
        return self.applicable - self.answered - self.dont_know


@dataclass(frozen=True)
class Recommendation:
    """A suggested next step. ``gap`` is in levels (0-4) and is ``None`` for a question
    answered "don't know" or left blank, as is ``level`` (the level the answer evidences).
    ``to_level`` is the whole level that reaches the element's target. ``then`` is the
    question's own recommendation, for the step after finding out."""

    question_id: str
    element_id: str
    kind: RecommendationKind
    text: Text
    priority: float
    gap: float | None
    level: float | None = None
    to_level: int = SCALE_MAX
    then: Text | None = None


def level_reached(percent: float) -> int:
    """The level of the 0-4 scale that a 0-100 score has fully reached (54 is level 2)."""
    # A hair of tolerance, so that 75.0 computed as 74.99999 is still level 3.
    return min(max(math.floor(percent / PERCENT_PER_LEVEL + 1e-9), SCALE_MIN), SCALE_MAX)


def target_level(target: float) -> int:
    """The whole level an answer must reach to meet a target of ``target`` levels."""
    return min(max(math.ceil(target - 1e-9), SCALE_MIN), SCALE_MAX)


@dataclass(frozen=True)
class Strength:
    """An answered practice at level 3 or above."""

    question_id: str
    element_id: str
    level: float


def strengths(
    questionnaire: Questionnaire, answers: Mapping[str, Answer], limit: int = 3
) -> tuple[Strength, ...]:
    """The city's strongest practices: answered scored questions at level 3 or above, the
    highest level first (ties: the heavier question, then questionnaire order)."""
    found: list[tuple[float, float, int, Strength]] = []
    for index, question in enumerate(questionnaire.scored_questions):
        level = score_question(question, answers.get(question.id))
        if level is not None and level >= EVIDENCE_NEEDED_FROM:
            found.append((-level, -question.weight, index,
                          Strength(question.id, question.element_id, level)))
    found.sort(key=lambda item: item[:3])
    return tuple(item[3] for item in found[:limit])


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
    overall_conservative: float | None = None
    overall_evidenced: float | None = None
    rules_version: int = RULES_VERSION

    def gap_order(self) -> tuple[str, ...]:
        """The elements with a score, furthest below target first (ties: lower score, then
        questionnaire order)."""
        return _gap_order(self.elements)

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


def score_assessment(
    questionnaire: Questionnaire, answers: Mapping[str, Answer], rules: Rules = METHOD
) -> AssessmentScore:
    """Score every element, the overall results and the ranked recommendations."""
    for key, answer in answers.items():
        if key != answer.question_id:
            raise ValueError(f"The answer stored under '{key}' is for '{answer.question_id}'.")
        questionnaire.question(key)  # KeyError: an answer to a question this version lacks
    elements: list[ElementScore] = []
    recommendations: list[tuple[float, int, Recommendation]] = []
    order = {question.id: index for index, question in enumerate(questionnaire.questions)}
    for element in questionnaire.elements:
        result, advice = _score_element(questionnaire, element, answers, rules)
        elements.append(result)
        recommendations.extend((-r.priority, order[r.question_id], r) for r in advice)
    offset = questionnaire.geometric_offset
    overall, geometric = _aggregate(elements, offset, lambda e: e.raw_mean)
    conservative, _ = _aggregate(elements, offset, lambda e: _level(e.conservative))
    evidenced, _ = _aggregate(elements, offset, lambda e: _level(e.evidenced))
    applicable = sum(e.applicable for e in elements)
    answered = sum(e.answered for e in elements)
    recommendations.sort(key=lambda item: item[:2])
    gaps = _gap_order(elements)
    return AssessmentScore(
        version=questionnaire.version,
        elements=tuple(elements),
        overall=overall,
        geometric=geometric,
        weakest_element_id=gaps[0] if gaps else None,
        completeness=answered / applicable if applicable else 0.0,
        recommendations=tuple(item[2] for item in recommendations),
        overall_conservative=conservative,
        overall_evidenced=evidenced,
    )


def _gap_order(elements: tuple[ElementScore, ...] | list[ElementScore]) -> tuple[str, ...]:
    """Largest shortfall first; ties go to the lower score, then to questionnaire order."""
    scored = [(e.shortfall, e.score, index, e.element_id)
              for index, e in enumerate(elements) if e.shortfall is not None and e.score is not None]
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    return tuple(item[3] for item in scored)


def _level(percent: float | None) -> float | None:
    return None if percent is None else percent / PERCENT_PER_LEVEL


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total_weight = math.fsum(weight for weight, _ in pairs)
    if not pairs or total_weight <= 0:
        return None
    mean = math.fsum(weight * value for weight, value in pairs) / total_weight
    return min(max(mean, SCALE_MIN), SCALE_MAX)


def _score_element(
    questionnaire: Questionnaire, element: Element, answers: Mapping[str, Answer], rules: Rules
) -> tuple[ElementScore, list[Recommendation]]:
    counts = {"answered": 0, "dont_know": 0, "not_applicable": 0, "unanswered": 0}
    # (weight, points) of each answered question as claimed, and as evidenced (a claim at
    # level 3 or more without a document counts as level 2); then the don't knows.
    claimed: list[tuple[float, float]] = []
    backed: list[tuple[float, float]] = []
    unknown: list[tuple[float, float]] = []
    evidenced: list[bool] = []
    advice: list[Recommendation] = []
    element_weight = rules.element_weight(element)
    questions = [q for q in element.scored_questions if q.id not in rules.left_out]
    for question in questions:
        answer = answers.get(question.id)
        status = status_of(question, answer)
        counts[status] += 1
        weight = rules.question_weight(question)
        if status == "dont_know":
            unknown.append((weight, 0.0))
        if status in ("dont_know", "unanswered"):
            # Not knowing is itself a gap in coordination: rank it as if the whole target
            # were missing, since nothing can be built on a practice nobody can confirm.
            # A blank is the same gap, found before anyone asked.
            advice.append(
                Recommendation(
                    question.id,
                    element.id,
                    "find_owner" if status == "dont_know" else "find_out",
                    questionnaire.dont_know_recommendation,
                    element_weight * weight * element.target,
                    None,
                    to_level=target_level(element.target),
                    then=question.recommendation,
                )
            )
        if status != "answered":
            continue
        assert answer is not None
        score = points(question, answer.value)
        assert score is not None
        override = rules.override(question)
        has_evidence = answer.has_evidence
        if override is not None:
            score, has_evidence = override, True
        claimed.append((weight, score))
        if score >= EVIDENCE_NEEDED_FROM:
            evidenced.append(has_evidence)
        backed.append((weight, score if score < EVIDENCE_NEEDED_FROM or has_evidence
                       else UNEVIDENCED_LEVEL))
        if score < element.target and question.recommendation is not None:
            gap = element.target - score
            advice.append(
                Recommendation(
                    question.id,
                    element.id,
                    "improve",
                    question.recommendation,
                    element_weight * weight * gap,
                    gap,
                    level=score,
                    to_level=target_level(element.target),
                )
            )
    applicable = len(questions) - counts["not_applicable"]
    answered = counts["answered"]
    completeness = answered / applicable if applicable else 0.0
    # Whether an element has enough data is decided on real answers under every rule, so
    # the variants of a score always cover the same elements as the score itself.
    insufficient = not claimed or completeness < questionnaire.completeness_threshold

    def percent(pairs: list[tuple[float, float]]) -> float | None:
        mean = None if insufficient else _weighted_mean(pairs)
        return None if mean is None else mean * PERCENT_PER_LEVEL

    counted = unknown if rules.dont_know == "zero" else []
    raw_mean = _weighted_mean(claimed + counted)
    score_percent = percent(claimed + counted)
    conservative_percent = percent(claimed + unknown)
    evidenced_percent = percent(backed + counted)
    target = element.target_percent
    dont_know_share = counts["dont_know"] / applicable if applicable else 0.0
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
        weight=element_weight,
        conservative=conservative_percent,
        evidenced=evidenced_percent,
        dont_know_share=dont_know_share,
        dont_know_flagged=dont_know_share > questionnaire.dont_know_flag_share,
    )
    return result, advice


def _aggregate(
    elements: list[ElementScore], offset: float, level: Callable[[ElementScore], float | None]
) -> tuple[float | None, float | None]:
    """Weighted arithmetic and geometric means (0-100) of ``level`` (0-4) over the elements
    with enough data.

    The geometric mean works on levels shifted by ``offset`` so that a zero does not wipe
    out the whole result, then shifts back: G = exp(sum w ln(x + c) / sum w) - c.
    """
    included = [(e.weight, level(e)) for e in elements if e.score is not None and e.weight > 0]
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
