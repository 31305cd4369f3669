"""The review's states of an assessment: in review, returned, resubmitted, validated.

A reviewer's first decision moves a submitted (or resubmitted) assessment into review;
returning it with queries lets the city change it again (like a reopened one); the city's next
submission makes it resubmitted (``services.store_submission``); validating closes the review.
Each change is one conditional UPDATE (so two tabs change it once), is written to the audit
trail and is told to the other side by mail, in the caller's transaction. The reviewed scores
(with the reviewer's levels) are stored here too, beside the self-assessed ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from assessment import mail
from assessment.assessments import deadlines
from assessment.assessments.models import (
    REVIEWABLE,
    Answer,
    Assessment,
    AssessmentStatus,
    ElementScore,
    ReviewedScore,
    ScoreHistory,
    StoredAnswer,
)
from assessment.assessments.notifications import city_officials
from assessment.audit.services import record
from assessment.auth.models import Role, User
from assessment.database import utcnow
from assessment.formatting import number
from assessment.i18n import current_language, localized
from assessment.places.models import City, Country
from assessment.questionnaire import AssessmentScore, Question, Questionnaire, decode_value, kind_of

# The answer fields a submission's snapshot keeps.
SNAPSHOT_FIELDS = ("value", "dont_know", "not_applicable", "evidence_url", "note")


def _move(session: Session, assessment: Assessment, from_states: tuple[AssessmentStatus, ...],
          to_state: AssessmentStatus) -> bool:
    """Change the status if it is one of ``from_states``, in one conditional UPDATE."""
    changed = session.execute(
        update(Assessment).where(Assessment.id == assessment.id, Assessment.status.in_(from_states))
        .values(status=to_state).execution_options(synchronize_session=False))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(assessment)
        return False
    set_committed_value(assessment, "status", to_state)
    return True


def start_review(session: Session, assessment: Assessment, reviewer: User) -> bool:
    """Submitted or resubmitted → in review; ``False`` if it was not waiting for a reviewer."""
    if not _move(session, assessment, (AssessmentStatus.SUBMITTED, AssessmentStatus.RESUBMITTED),
                 AssessmentStatus.IN_REVIEW):
        return False
    record(session, "review.start", reviewer, assessment_id=assessment.id)
    for official in city_officials(session, assessment.city_id):
        mail.queue(session, "review_started", official, assessment_id=assessment.id,
                   actor_id=reviewer.id)
    return True


def return_to_city(session: Session, assessment: Assessment, reviewer: User, *, queries: int,
                   message: str = "", closes_at: datetime | None = None,
                   now: datetime | None = None) -> bool:
    """In review → returned, with ``queries`` open queries for the city to answer.

    ``closes_at`` gives the city a new deadline at the same time (required once its deadline
    has passed, as when reopening: ``DeadlineError`` otherwise). The answers of the submission
    are kept with its scores first, so the report can show what the city changes.
    """
    now = now or utcnow()
    if queries < 1:
        raise ValueError("Only an assessment with an open query can be returned.")
    deadlines.check_time_to_change(
        deadlines.assessment_deadline(session, assessment), assessment.round, closes_at, now,
        lambda when: _("The round closed for %(city)s on %(when)s: give the city a new deadline "
                       "to answer the queries, or it cannot change anything.",
                       city=assessment.city.name, when=when))
    if not _move(session, assessment, (AssessmentStatus.IN_REVIEW,), AssessmentStatus.RETURNED):
        return False
    keep_submitted_answers(session, assessment)
    detail: dict[str, Any] = {"queries": queries}
    if message:
        detail["message"] = message
    if closes_at is not None:
        deadlines.set_city_deadline(session, reviewer, assessment.round, assessment.city, closes_at,
                                    _("Answering the reviewer's queries"), now=now, notify=False)
        detail["closes_at"] = closes_at
    record(session, "review.return", reviewer, assessment_id=assessment.id, at=now, **detail)
    for official in city_officials(session, assessment.city_id):
        mail.queue(session, "review_returned", official, assessment_id=assessment.id,
                   actor_id=reviewer.id, queries=queries, message=message)
    return True


def validate(session: Session, assessment: Assessment, reviewer: User, reviewed: AssessmentScore,
             *, now: datetime | None = None) -> bool:
    """Submitted, in review or resubmitted → validated, with the reviewed scores stored."""
    now = now or utcnow()
    if not _move(session, assessment, REVIEWABLE, AssessmentStatus.VALIDATED):
        return False
    store_reviewed(session, assessment, reviewed, at=now)
    record(session, "review.validate", reviewer, assessment_id=assessment.id, at=now,
           overall=assessment.overall_index and round(assessment.overall_index, 2),
           reviewed=None if reviewed.overall is None else round(reviewed.overall, 2))
    for official in city_officials(session, assessment.city_id):
        mail.queue(session, "review_validated", official, assessment_id=assessment.id,
                   actor_id=reviewer.id)
    return True


def store_reviewed(session: Session, assessment: Assessment, reviewed: AssessmentScore, *,
                   at: datetime) -> None:
    """The reviewed scores (element and overall) in place of the ones stored before."""
    session.execute(delete(ReviewedScore).where(ReviewedScore.assessment_id == assessment.id))
    session.execute(insert(ReviewedScore), [
        {"assessment_id": assessment.id, "element_id": e.element_id, "score": e.score}
        for e in reviewed.elements])
    session.execute(update(Assessment).where(Assessment.id == assessment.id)
                    .values(reviewed_overall=reviewed.overall, reviewed_at=at)
                    .execution_options(synchronize_session=False))
    set_committed_value(assessment, "reviewed_overall", reviewed.overall)
    set_committed_value(assessment, "reviewed_at", at)


def assign_reviewer(session: Session, assessment: Assessment, admin: User,
                    reviewer: User | None) -> None:
    """Make ``reviewer`` (or nobody) the assessment's assigned reviewer, and tell them."""
    before = assessment.reviewer_id
    assessment.reviewer_id = reviewer.id if reviewer is not None else None
    session.flush()
    record(session, "review.assign", admin, assessment_id=assessment.id,
           reviewer_id=assessment.reviewer_id, previous_reviewer_id=before)
    if reviewer is not None and reviewer.id != before:
        mail.queue(session, "review_assigned", reviewer, assessment_id=assessment.id, actor_id=admin.id)


def reviewers(session: Session, assessment: Assessment) -> list[User]:
    """Who reviews the assessment: its region's regional office and the assigned reviewer."""
    region = (select(Country.region_id).join(City, City.country_id == Country.id)
              .where(City.id == assessment.city_id).scalar_subquery())
    staff = list(session.scalars(select(User).where(
        User.region_id == region, User.role == Role.REGIONAL, User.active.is_(True)).order_by(User.id)))
    if assessment.reviewer_id is not None and all(u.id != assessment.reviewer_id for u in staff):
        assigned = session.get(User, assessment.reviewer_id)
        if assigned is not None and assigned.active:
            staff.append(assigned)
    return staff


def notify_resubmitted(session: Session, assessment: Assessment) -> None:
    """Tell the reviewers that the city answered their queries and sent the assessment back."""
    for person in reviewers(session, assessment):
        mail.queue(session, "review_resubmitted", person, assessment_id=assessment.id)


def keep_submitted_answers(session: Session, assessment: Assessment) -> None:
    """Keep the answers of the latest submission with its scores, before they can change."""
    latest = session.scalar(
        select(ScoreHistory).where(ScoreHistory.assessment_id == assessment.id)
        .order_by(ScoreHistory.submitted_at.desc(), ScoreHistory.id.desc()).limit(1))
    if latest is None or latest.answers is not None:
        return
    columns = [getattr(Answer, name) for name in ("question_id", *SNAPSHOT_FIELDS)]
    latest.answers = snapshot(session.execute(select(*columns).where(Answer.assessment_id == assessment.id)))
    session.flush()


def snapshot(rows: Any) -> dict[str, dict[str, object]]:
    """Answers as plain data, by question id (what ``ScoreHistory.answers`` holds)."""
    return {row.question_id: {name: getattr(row, name) for name in SNAPSHOT_FIELDS}
            for row in rows}


def as_stored(question_id: str, kept: dict[str, object]) -> StoredAnswer:
    """A kept answer as a ``StoredAnswer``, for describing and scoring it like a current one."""
    return StoredAnswer(id=None, question_id=question_id, value=kept.get("value"),  # type: ignore[arg-type]
                        dont_know=bool(kept.get("dont_know")),
                        not_applicable=bool(kept.get("not_applicable")),
                        evidence_url=kept.get("evidence_url"),  # type: ignore[arg-type]
                        note=kept.get("note"), score=None, revision=0,  # type: ignore[arg-type]
                        updated_at=utcnow(), updated_by_id=None)


# --- the messages -------------------------------------------------------------------------------


def _assessment(session: Session, params: dict[str, Any]) -> Assessment:
    assessment = session.get(Assessment, params["assessment_id"])
    if assessment is None:
        raise mail.Cancel
    return assessment


def _actor(session: Session, params: dict[str, Any]) -> str | None:
    actor = session.get(User, params["actor_id"]) if params.get("actor_id") else None
    return actor.display_name if actor else None


def _common(assessment: Assessment) -> dict[str, Any]:
    return {"city": assessment.city.name, "round": assessment.round.name}


@mail.kind("review_started", label=_l("When a reviewer starts on our city's assessment"))
def _started(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    assessment = _assessment(session, params)
    return {
        **_common(assessment), "actor": _actor(session, params),
        "subject": _("%(city)s: the %(round)s assessment is being reviewed",
                     city=assessment.city.name, round=assessment.round.name),
        "url": url_for("results.report", assessment_id=assessment.id, _external=True),
    }


@mail.kind("review_returned", label=_l("When a reviewer sends our assessment back with queries"))
def _returned(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    assessment = _assessment(session, params)
    if assessment.status != AssessmentStatus.RETURNED:
        raise mail.Cancel
    return {
        **_common(assessment), "actor": _actor(session, params), "queries": params.get("queries", 0),
        "message": params.get("message", ""),
        "subject": _("%(city)s: the reviewer has queries on the %(round)s assessment",
                     city=assessment.city.name, round=assessment.round.name),
        "url": url_for("review.queries", assessment_id=assessment.id, _external=True),
    }


@mail.kind("review_resubmitted", label=_l("When a city sends its assessment back for review"))
def _resubmitted(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    assessment = _assessment(session, params)
    if assessment.status != AssessmentStatus.RESUBMITTED:
        raise mail.Cancel
    return {
        **_common(assessment),
        "subject": _("%(city)s answered the queries on its %(round)s assessment",
                     city=assessment.city.name, round=assessment.round.name),
        "url": url_for("review.review", assessment_id=assessment.id, _external=True),
    }


@mail.kind("review_validated", label=_l("When a reviewer validates our assessment"))
def _validated(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    assessment = _assessment(session, params)
    reviewed = assessment.reviewed_overall
    return {
        **_common(assessment), "actor": _actor(session, params),
        "overall": number(assessment.overall_index) if assessment.overall_index is not None else None,
        "reviewed": number(reviewed) if reviewed is not None else None,
        "subject": _("%(city)s: the %(round)s assessment is validated", city=assessment.city.name,
                     round=assessment.round.name),
        "url": url_for("results.report", assessment_id=assessment.id, _external=True),
    }


@mail.kind("review_assigned", label=_l("When I am asked to review an assessment"))
def _assigned(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    assessment = _assessment(session, params)
    return {
        **_common(assessment), "actor": _actor(session, params),
        "subject": _("Please review the %(round)s assessment of %(city)s", city=assessment.city.name,
                     round=assessment.round.name),
        "url": url_for("review.review", assessment_id=assessment.id, _external=True),
    }


# --- the two scores, for the report, the dashboards and the exports -----------------------------


def reviewed_scores(session: Session, assessment_ids: list[int]) -> dict[int, dict[str, float | None]]:
    """Per assessment, its reviewed element scores (with the reviewer's levels), by element id;
    assessments no reviewer has decided on are absent."""
    found: dict[int, dict[str, float | None]] = {}
    if not assessment_ids:
        return found
    for assessment_id, element_id, score in session.execute(
            select(ReviewedScore.assessment_id, ReviewedScore.element_id, ReviewedScore.score)
            .where(ReviewedScore.assessment_id.in_(assessment_ids))):
        found.setdefault(assessment_id, {})[element_id] = score
    return found


@dataclass(frozen=True)
class ScorePair:
    """One element's self-assessed and reviewed score (0-100), and the gap (reviewed - self)."""

    element_id: str
    self_assessed: float | None
    reviewed: float | None

    @property
    def gap(self) -> float | None:
        if self.self_assessed is None or self.reviewed is None:
            return None
        return self.reviewed - self.self_assessed


def score_pairs(session: Session, assessment: Assessment) -> list[ScorePair]:
    """The assessment's stored element scores beside its reviewed ones, in the stored order;
    empty until a reviewer has decided on an answer."""
    reviewed = reviewed_scores(session, [assessment.id]).get(assessment.id)
    if reviewed is None:
        return []
    own = dict(session.execute(select(ElementScore.element_id, ElementScore.score)
                               .where(ElementScore.assessment_id == assessment.id)).all())
    return [ScorePair(element_id, own.get(element_id), reviewed.get(element_id))
            for element_id in (own or reviewed)]


# --- history: what changed since the earlier version --------------------------------------------


@dataclass(frozen=True)
class AnswerChange:
    """One answer that differs between the kept version and the current one, in words."""

    question_id: str
    element_id: str
    question: str
    before: str
    after: str


@dataclass(frozen=True)
class EarlierVersion:
    submitted_at: datetime
    overall: float | None
    changes: tuple[AnswerChange, ...]


def earlier_version(session: Session, assessment: Assessment,
                    questionnaire: Questionnaire) -> EarlierVersion | None:
    """The latest kept version of the answers (kept when the assessment was returned or
    reopened) and every answer that differs from it now; None when no version was kept."""
    kept_row = session.scalar(
        select(ScoreHistory).where(ScoreHistory.assessment_id == assessment.id,
                                   ScoreHistory.answers.is_not(None))
        .order_by(ScoreHistory.submitted_at.desc(), ScoreHistory.id.desc()).limit(1))
    if kept_row is None or kept_row.answers is None:
        return None
    columns = [getattr(Answer, name) for name in ("question_id", *SNAPSHOT_FIELDS)]
    now = snapshot(session.execute(select(*columns).where(Answer.assessment_id == assessment.id)))
    changes = []
    for element in questionnaire.elements:
        for question in element.questions:
            before, after = kept_row.answers.get(question.id), now.get(question.id)
            if _same(before, after):
                continue
            changes.append(AnswerChange(question.id, element.id, localized(question.text),
                                        describe_kept(question, before), describe_kept(question, after)))
    return EarlierVersion(kept_row.submitted_at, kept_row.overall_index, tuple(changes))


def _same(before: dict[str, object] | None, after: dict[str, object] | None) -> bool:
    empty = dict.fromkeys(SNAPSHOT_FIELDS)
    def norm(kept: dict[str, object] | None) -> dict[str, object]:
        return {k: (v or None) for k, v in (kept or empty).items()}
    return norm(before) == norm(after)


def describe_kept(question: Question, kept: dict[str, object] | None) -> str:
    """A kept answer in words: its value, or don't know / not applicable, and its link."""
    if not kept:
        return _("No answer")
    if kept.get("dont_know"):
        text = _("Don't know")
    elif kept.get("not_applicable"):
        text = _("Not applicable")
    elif kept.get("value") in (None, ""):
        text = _("No answer")
    else:
        try:
            value = decode_value(question, str(kept["value"]))
        except ValueError:
            value = None
        text = (kind_of(question).describe(question, value, current_language().code, translate=_)
                if value is not None else str(kept["value"]))
    if kept.get("evidence_url"):
        text = _("%(answer)s; link: %(url)s", answer=text, url=kept["evidence_url"])
    return text
