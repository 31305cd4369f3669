"""Whether an element's score moved between the round an action was made in and a later one.

Read from the element scores stored at submission, rounded as the report shows them. When the
two rounds were answered under different questionnaire versions, both are scored again on the
scored questions the versions share, each under its own version, as the report compares a
round with the previous one. Nothing here writes: the plan never changes a score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.assessments.models import Assessment, ElementScore
from assessment.assessments.scores import answer_inputs
from assessment.assessments.services import load_answers
from assessment.assessments.versions import questionnaire_for
from assessment.formatting import number
from assessment.questionnaire import score_assessment
from assessment.questionnaire.sensitivity import restricted, shared_questions

# Scores are compared with one decimal, as the report prints them.
DECIMALS = 1

UP, DOWN, SAME, UNKNOWN = "up", "down", "same", "unknown"


@dataclass(frozen=True)
class Movement:
    """An element's score in the round an action was made in (``before``) and now (``after``)."""

    direction: str  # up, down, same or unknown
    text: str
    before: float | None = None
    after: float | None = None
    change: float | None = None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def movements(session: Session, current: Assessment,
              made: Iterable[tuple[Assessment, str]]) -> dict[tuple[int, str], Movement]:
    """For each (assessment an action was made from, element id): how the element's score moved
    from that assessment to ``current``. Two queries for the stored scores, whatever the count;
    answers are read only for assessments under another questionnaire version."""
    pairs = {(origin.id, element_id): origin for origin, element_id in made}
    if not pairs:
        return {}
    origins = {origin.id: origin for origin in pairs.values()}
    stored = _stored_scores(session, {current.id, *origins})
    now = stored.get(current.id)
    rescored: dict[int, tuple[dict[str, float | None], dict[str, float | None]]] = {}
    found = {}
    for (origin_id, element_id), origin in pairs.items():
        then = stored.get(origin_id)
        shared = origin.questionnaire_version_id != current.questionnaire_version_id
        if now is None:
            found[origin_id, element_id] = Movement(
                UNKNOWN, _("Known once this round's assessment is submitted."))
            continue
        if then is None:
            found[origin_id, element_id] = Movement(
                UNKNOWN, _("%(round)s has no stored score to compare with.", round=origin.round.name))
            continue
        if shared:
            if origin_id not in rescored:
                rescored[origin_id] = _on_shared_questions(session, origin, current)
            before_scores, after_scores = rescored[origin_id]
        else:
            before_scores, after_scores = then, now
        if element_id not in after_scores:
            found[origin_id, element_id] = Movement(
                UNKNOWN, _("This round's questionnaire version has no such element."))
            continue
        found[origin_id, element_id] = _movement(
            _rounded(before_scores.get(element_id)), _rounded(after_scores.get(element_id)),
            origin.round.name, shared)
    return found


def _stored_scores(session: Session, assessment_ids: set[int]) -> dict[int, dict[str, float | None]]:
    rows = session.execute(
        select(ElementScore.assessment_id, ElementScore.element_id, ElementScore.score)
        .where(ElementScore.assessment_id.in_(assessment_ids)))
    scores: dict[int, dict[str, float | None]] = {}
    for assessment_id, element_id, score in rows:
        scores.setdefault(assessment_id, {})[element_id] = score
    return scores


def _on_shared_questions(session: Session, origin: Assessment, current: Assessment
                         ) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Both assessments' element scores on the scored questions their versions share."""
    earlier = questionnaire_for(origin.questionnaire_version)
    later = questionnaire_for(current.questionnaire_version)
    shared = shared_questions(earlier, later)
    scores = []
    for questionnaire, assessment in ((earlier, origin), (later, current)):
        inputs = answer_inputs(questionnaire, load_answers(session, assessment.id).values())
        result = score_assessment(restricted(questionnaire, shared),
                                  {k: v for k, v in inputs.items() if k in shared})
        scores.append({e.element_id: e.score for e in result.elements})
    return scores[0], scores[1]


def _movement(before: float | None, after: float | None, round_name: str, shared: bool) -> Movement:
    if before is None:
        return Movement(UNKNOWN, _("The element had too few answers for a score in %(round)s.",
                                   round=round_name), before, after)
    if after is None:
        return Movement(UNKNOWN, _("The element has too few answers for a score in this round."),
                        before, after)
    change = round(after - before, DECIMALS)
    direction = UP if change > 0 else DOWN if change < 0 else SAME
    scores = {"round": round_name, "before": number(before), "after": number(after),
              "change": number(abs(change))}
    if shared:
        # Scores on the shared questions differ from those the report shows: only the change is said.
        text = {UP: _("Up %(change)s since %(round)s, on the questions both questionnaire versions "
                      "share.", **scores),
                DOWN: _("Down %(change)s since %(round)s, on the questions both questionnaire "
                        "versions share.", **scores),
                SAME: _("No change since %(round)s, on the questions both questionnaire versions "
                        "share.", **scores)}[direction]
    else:
        text = {UP: _("Up %(change)s since %(round)s (%(before)s → %(after)s).", **scores),
                DOWN: _("Down %(change)s since %(round)s (%(before)s → %(after)s).", **scores),
                SAME: _("No change since %(round)s (%(after)s).", **scores)}[direction]
    return Movement(direction, text, before, after, change)
