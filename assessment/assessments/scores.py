"""Bridge between stored answers and the pure scoring engine.

Scores are computed by ``assessment.questionnaire`` only; this module converts rows to
its inputs and its results back to rows, so the survey, the report and the seeder agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert
from sqlalchemy.orm import Session

from assessment.assessments.models import Answer, Assessment, ElementScore, ScoreHistory, StoredAnswer
from assessment.questionnaire import Answer as AnswerInput
from assessment.questionnaire import AssessmentScore, Questionnaire, decode_value, score_assessment


def answer_inputs(questionnaire: Questionnaire,
                  answers: Iterable[Answer | StoredAnswer]) -> dict[str, AnswerInput]:
    """Stored answers as scoring inputs; answers to questions the version lacks are ignored."""
    known = {q.id: q for q in questionnaire.questions}
    inputs: dict[str, AnswerInput] = {}
    for row in answers:
        question = known.get(row.question_id)
        if question is None:
            continue
        inputs[row.question_id] = AnswerInput(
            question_id=row.question_id,
            value=decode_value(question, row.value),
            dont_know=row.dont_know,
            not_applicable=row.not_applicable,
            evidence_url=row.evidence_url,
            note=row.note,
        )
    return inputs


def score_answers(questionnaire: Questionnaire, answers: Iterable[Answer | StoredAnswer]) -> AssessmentScore:
    return score_assessment(questionnaire, answer_inputs(questionnaire, answers))


def element_score_rows(assessment_id: int, result: AssessmentScore) -> list[dict[str, Any]]:
    """One ``element_scores`` row per element, as plain dicts (bulk inserts use these too)."""
    return [
        {
            "assessment_id": assessment_id,
            "element_id": e.element_id,
            "score": e.score,
            "target": e.target,
            "gap": e.gap,
            "completeness": e.completeness,
            "insufficient": e.insufficient,
            "evidence_coverage": e.evidence_coverage,
            "weight": e.weight,
            "conservative": e.conservative,
            "evidenced": e.evidenced,
            "dont_know_share": e.dont_know_share,
            "dont_know_flagged": e.dont_know_flagged,
        }
        for e in result.elements
    ]


def history_row(assessment_id: int, questionnaire_version_id: int, result: AssessmentScore, *,
                at: datetime, user_id: int | None) -> dict[str, Any]:
    """One ``score_history`` row: a submission's scores, kept for good."""
    return {
        "assessment_id": assessment_id,
        "submitted_at": at,
        "submitted_by_id": user_id,
        "questionnaire_version_id": questionnaire_version_id,
        "completeness": result.completeness,
        **overall_fields(result),
        "elements": [
            {key: row[key] for key in ("element_id", "score", "conservative", "evidenced", "target",
                                       "gap", "completeness", "insufficient")}
            for row in element_score_rows(assessment_id, result)
        ],
    }


def overall_fields(result: AssessmentScore) -> Mapping[str, Any]:
    """The assessment columns that hold the overall result."""
    return {
        "overall_index": result.overall,
        "overall_geometric": result.geometric,
        "overall_conservative": result.overall_conservative,
        "overall_evidenced": result.overall_evidenced,
        "weakest_element_id": result.weakest_element_id,
        "scoring_version": result.rules_version,
    }


_ELEMENT_SCORES = cast(Table, ElementScore.__table__)
_DELETE_ELEMENT_SCORES = delete(_ELEMENT_SCORES).where(
    _ELEMENT_SCORES.c.assessment_id == bindparam("assessment_id"))
_INSERT_ELEMENT_SCORES = insert(_ELEMENT_SCORES)
_INSERT_HISTORY = insert(cast(Table, ScoreHistory.__table__))


def replace_element_scores(session: Session, assessment: Assessment, result: AssessmentScore, *,
                           at: datetime, user_id: int | None) -> None:
    """The element-score rows of a stored assessment (one DELETE and one INSERT of every
    row), and the submission's scores added to its history, where earlier submissions stay."""
    session.execute(_DELETE_ELEMENT_SCORES, {"assessment_id": assessment.id})
    # Core statements: every row has every key, so the rows go in one executemany whatever
    # their None values (the ORM's bulk insert splits them by pattern unless told not to).
    session.execute(_INSERT_ELEMENT_SCORES, element_score_rows(assessment.id, result))
    session.execute(_INSERT_HISTORY, history_row(
        assessment.id, assessment.questionnaire_version_id, result, at=at, user_id=user_id))
    session.expire(assessment, ["element_scores"])


