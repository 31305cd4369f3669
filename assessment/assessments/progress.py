"""What is answered, per element, and whether an assessment is ready to be submitted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assessment.assessments.models import StoredAnswer
from assessment.assessments.scores import answer_inputs
from assessment.questionnaire import (
    AssessmentScore,
    Element,
    Question,
    Questionnaire,
    kind_of,
    score_assessment,
    status_of,
)


def has_answer(question: Question, row: StoredAnswer | None) -> bool:
    """Whether a question shows as answered on the page (don't know and N/A count; so does
    a link or note on an evidence question)."""
    if row is None:
        return False
    if not kind_of(question).has_value:
        return bool(row.evidence_url or row.note)
    return row.value is not None or row.dont_know or (row.not_applicable and question.allow_na)


@dataclass(frozen=True)
class ElementProgress:
    element: Element
    number: int  # 1-based position in the questionnaire
    answered: int  # questions with any answer, don't know and N/A included
    total: int
    completeness: float  # the engine's: real answers / applicable scored questions
    scored_answered: int
    applicable: int
    enough: bool  # enough real answers for the element to get a score
    needed: int  # real answers needed to reach the threshold
    missing: tuple[Question, ...]  # applicable scored questions left blank
    dont_know: tuple[Question, ...]  # scored questions answered "don't know"

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


@dataclass(frozen=True)
class Progress:
    elements: tuple[ElementProgress, ...]
    completeness: float
    score: AssessmentScore

    @property
    def ready(self) -> bool:
        """Every element has enough data to be scored: the assessment may be submitted."""
        return all(e.enough for e in self.elements)

    @property
    def missing_count(self) -> int:
        return sum(len(e.missing) + len(e.dont_know) for e in self.elements)

    @property
    def percent(self) -> int:
        return round(100 * self.completeness)

    def element(self, element_id: str) -> ElementProgress:
        return next(e for e in self.elements if e.element.id == element_id)


def progress(questionnaire: Questionnaire, rows: Mapping[str, StoredAnswer]) -> Progress:
    """What is answered, per element, and whether each element can be scored."""
    inputs = answer_inputs(questionnaire, rows.values())
    score = score_assessment(questionnaire, inputs)
    threshold = questionnaire.completeness_threshold
    elements = []
    for number, (element, result) in enumerate(zip(questionnaire.elements, score.elements, strict=True), 1):
        missing, unknown = [], []
        for question in element.scored_questions:
            status = status_of(question, inputs.get(question.id))
            if status == "unanswered":
                missing.append(question)
            elif status == "dont_know":
                unknown.append(question)
        answered = sum(1 for q in element.questions if has_answer(q, rows.get(q.id)))
        needed = _needed(result.applicable, threshold)
        elements.append(
            ElementProgress(
                element=element, number=number, answered=answered, total=len(element.questions),
                completeness=result.completeness, scored_answered=result.answered,
                applicable=result.applicable, enough=not result.insufficient, needed=needed,
                missing=tuple(missing), dont_know=tuple(unknown),
            )
        )
    return Progress(tuple(elements), score.completeness, score)


def _needed(applicable: int, threshold: float) -> int:
    # The smallest count whose share reaches the threshold (with a little room for rounding).
    if applicable == 0:
        return 0
    for count in range(applicable + 1):
        if count / applicable >= threshold - 1e-9:
            return max(count, 1)
    return max(applicable, 1)


class NotReady(Exception):
    """Some element does not have enough answers to be scored."""

    def __init__(self, progress: Progress) -> None:
        super().__init__("not every element has enough answers to be scored")
        self.progress = progress


