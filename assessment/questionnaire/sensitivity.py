"""How much a city's conclusions depend on the method's choices (step 8 of the OECD/JRC
Handbook on Constructing Composite Indicators): the same answers scored under other rules.

The alternatives are fixed and few, so a reader can follow each one: equal question weights,
equal element weights, the geometric instead of the arithmetic mean, "don't know" counted as
level 0, and each scored question left out in turn. A conclusion is *robust* when every
alternative agrees with the method, *fragile* otherwise. The method is docs/methodology.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from assessment.questionnaire.model import Questionnaire
from assessment.questionnaire.scoring import METHOD, Answer, AssessmentScore, Rules, score_assessment

# The overall index is robust when no alternative moves it by more than this many points.
OVERALL_TOLERANCE = 5.0
# The conclusion about the order of gaps looks at this many elements, largest gap first.
TOP_GAPS = 3

VariantKey = Literal["method", "equal_question_weights", "equal_element_weights", "geometric",
                     "dont_know_zero", "leave_one_out"]


@dataclass(frozen=True)
class Variant:
    """The overall index and the order of element gaps under one rule."""

    key: VariantKey
    overall: float | None
    gap_order: tuple[str, ...]
    # For "leave_one_out": the question left out.
    question_id: str | None = None

    @property
    def weakest(self) -> str | None:
        return self.gap_order[0] if self.gap_order else None


@dataclass(frozen=True)
class Sensitivity:
    """Every variant, and the three conclusions drawn from them."""

    method: Variant
    alternatives: tuple[Variant, ...]  # the named rules, one each
    left_out: tuple[Variant, ...]  # one per scored question

    @property
    def every_variant(self) -> tuple[Variant, ...]:
        return (self.method, *self.alternatives, *self.left_out)

    def _overalls(self) -> list[float]:
        return [v.overall for v in self.every_variant if v.overall is not None]

    @property
    def overall_low(self) -> float | None:
        values = self._overalls()
        return min(values) if values else None

    @property
    def overall_high(self) -> float | None:
        values = self._overalls()
        return max(values) if values else None

    @property
    def overall_robust(self) -> bool:
        """No alternative moves the overall index by more than ``OVERALL_TOLERANCE`` points."""
        if self.method.overall is None:
            return False
        return all(v.overall is not None and abs(v.overall - self.method.overall) <= OVERALL_TOLERANCE
                   for v in self.every_variant)

    @property
    def weakest_robust(self) -> bool:
        """The element furthest below its target is the same under every alternative."""
        return self.method.weakest is not None and all(
            v.weakest == self.method.weakest for v in self.every_variant)

    @property
    def top_gaps_robust(self) -> bool:
        """The elements with the largest gaps, in order, are the same under every alternative."""
        top = self.method.gap_order[:TOP_GAPS]
        return bool(top) and all(v.gap_order[:TOP_GAPS] == top for v in self.every_variant)

    def left_out_changing_weakest(self) -> tuple[str, ...]:
        """The questions whose removal alone changes the weakest element."""
        return tuple(v.question_id for v in self.left_out
                     if v.question_id is not None and v.weakest != self.method.weakest)


def _variant(key: VariantKey, result: AssessmentScore, *, geometric: bool = False,
             question_id: str | None = None) -> Variant:
    return Variant(key, result.geometric if geometric else result.overall, result.gap_order(),
                   question_id)


def sensitivity(questionnaire: Questionnaire, answers: Mapping[str, Answer],
                rules: Rules = METHOD) -> Sensitivity:
    """Score ``answers`` under ``rules`` and under each alternative."""
    main = score_assessment(questionnaire, answers, rules)
    equal_elements = {element.id: 1.0 for element in questionnaire.elements}
    alternatives = (
        _variant("equal_question_weights",
                 score_assessment(questionnaire, answers, replace(rules, equal_question_weights=True))),
        _variant("equal_element_weights",
                 score_assessment(questionnaire, answers, replace(rules, element_weights=equal_elements))),
        _variant("geometric", main, geometric=True),
        _variant("dont_know_zero",
                 score_assessment(questionnaire, answers, replace(rules, dont_know="zero"))),
    )
    left_out = tuple(
        _variant("leave_one_out",
                 score_assessment(questionnaire, answers,
                                  replace(rules, left_out=rules.left_out | {question.id})),
                 question_id=question.id)
        for question in questionnaire.scored_questions
        if question.id not in rules.left_out
    )
    return Sensitivity(_variant("method", main), alternatives, left_out)


def restricted(questionnaire: Questionnaire, question_ids: set[str] | frozenset[str]) -> Questionnaire:
    """The questionnaire with only the questions in ``question_ids`` (the others removed, as
    if never asked): how two versions are compared on the questions they share."""
    elements = tuple(
        replace(element, questions=tuple(q for q in element.questions if q.id in question_ids))
        for element in questionnaire.elements
    )
    return replace(questionnaire, elements=elements)


def shared_questions(first: Questionnaire, second: Questionnaire) -> frozenset[str]:
    """The scored questions two versions share: ids are never reused for another meaning."""
    return frozenset(q.id for q in first.scored_questions) & frozenset(
        q.id for q in second.scored_questions)
