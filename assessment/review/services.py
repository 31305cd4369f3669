"""The review, answer by answer: decisions, queries and replies, documents, the reviewed score,
and the reviewer's queue. Functions flush and never commit; the view commits once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from assessment.assessments import review_states
from assessment.assessments import services as assessment_services
from assessment.assessments.labels import status_label
from assessment.assessments.models import (
    REVIEWABLE,
    Answer,
    Assessment,
    AssessmentStatus,
    ElementScore,
    StoredAnswer,
)
from assessment.assessments.scores import answer_inputs
from assessment.audit.services import record
from assessment.auth.access import can_reopen_city, can_view_city
from assessment.auth.models import Role, User
from assessment.database import utcnow
from assessment.places.models import City, Country
from assessment.questionnaire import AssessmentScore, Questionnaire, score_assessment
from assessment.questionnaire.scoring import Rules, score_question
from assessment.review.models import DecisionKind, EvidenceDocument, QueryReply, ReviewDecision
from assessment.review.storage import DocumentStore, check_file, new_key, store_named

# The states whose assessments wait for a reviewer, in the queue.
WAITING = (AssessmentStatus.SUBMITTED, AssessmentStatus.IN_REVIEW, AssessmentStatus.RESUBMITTED)


class ReviewError(ValueError):
    """A review action that cannot be done now; the message says why."""


# --- who may do what ---------------------------------------------------------------------------


def can_review(user: User, assessment: Assessment) -> bool:
    """The city's regional office, an administrator, or the reviewer an administrator assigned."""
    if not user.is_authenticated:
        return False
    if assessment.reviewer_id is not None and assessment.reviewer_id == user.id:
        return True
    return can_reopen_city(user, assessment.city)


def can_read_documents(user: User, assessment: Assessment) -> bool:
    """Those who may read the assessment may read its documents."""
    return user.is_authenticated and (can_view_city(user, assessment.city) or can_review(user, assessment))


# --- decisions ---------------------------------------------------------------------------------


def latest_decisions(session: Session, assessment_id: int) -> dict[str, ReviewDecision]:
    """The decision in force per question: the latest one."""
    rows = session.scalars(select(ReviewDecision).where(ReviewDecision.assessment_id == assessment_id)
                           .order_by(ReviewDecision.decided_at, ReviewDecision.id))
    return {row.question_id: row for row in rows}


def all_decisions(session: Session, assessment_id: int) -> dict[str, list[ReviewDecision]]:
    """Every decision per question, oldest first (the exchange, for the pages)."""
    found: dict[str, list[ReviewDecision]] = {}
    for row in session.scalars(select(ReviewDecision).where(ReviewDecision.assessment_id == assessment_id)
                               .order_by(ReviewDecision.decided_at, ReviewDecision.id)):
        found.setdefault(row.question_id, []).append(row)
    return found


def replies_to(session: Session, decision_ids: Iterable[int]) -> dict[int, list[QueryReply]]:
    ids = list(decision_ids)
    found: dict[int, list[QueryReply]] = {}
    if not ids:
        return found
    for reply in session.scalars(select(QueryReply).where(QueryReply.decision_id.in_(ids))
                                 .order_by(QueryReply.replied_at, QueryReply.id)):
        found.setdefault(reply.decision_id, []).append(reply)
    return found


@dataclass(frozen=True)
class QueryCounts:
    open: int  # queries in force that the city has not replied to
    answered: int  # queries in force with a reply, waiting for the reviewer's decision


def query_counts(session: Session, assessment_id: int) -> QueryCounts:
    latest = [d for d in latest_decisions(session, assessment_id).values() if d.kind == DecisionKind.QUERY]
    replied = replies_to(session, (d.id for d in latest))
    answered = sum(1 for d in latest if d.id in replied)
    return QueryCounts(len(latest) - answered, answered)


def decide(session: Session, assessment: Assessment, reviewer: User, questionnaire: Questionnaire,
           question_id: str, kind: DecisionKind, *, level: int | None = None, comment: str = "",
           now: datetime | None = None) -> ReviewDecision:
    """Record the reviewer's decision on one answer; the first decision starts the review.

    A query needs a comment, an adjustment a level (0-4) and a reason. The reviewed scores are
    stored again after each decision, so the pages show them as the review goes.
    """
    now = now or utcnow()
    if assessment.status not in REVIEWABLE:
        raise ReviewError(_status_refusal(assessment))
    try:
        questionnaire.question(question_id)
    except KeyError:
        raise ReviewError(_("This question is not in the assessment's questionnaire.")) from None
    comment = comment.strip()
    if kind == DecisionKind.QUERY and not comment:
        raise ReviewError(_("Write the query: the city answers it."))
    if kind == DecisionKind.ADJUST:
        if level is None or not 0 <= level <= 4:
            raise ReviewError(_("Choose the level (0 to 4) the evidence supports."))
        if not comment:
            raise ReviewError(_("Give the reason for the adjustment: the city sees it."))
    else:
        level = None
    if assessment.status in (AssessmentStatus.SUBMITTED, AssessmentStatus.RESUBMITTED):
        review_states.start_review(session, assessment, reviewer)
    revision = session.scalar(select(Answer.revision).where(Answer.assessment_id == assessment.id,
                                                            Answer.question_id == question_id))
    decision = ReviewDecision(assessment_id=assessment.id, question_id=question_id, kind=kind,
                              level=level, comment=comment, answer_revision=revision,
                              decided_at=now, decided_by_id=reviewer.id)
    session.add(decision)
    session.flush()
    record(session, "review.decide", reviewer, assessment_id=assessment.id, at=now,
           question_id=question_id, decision=kind.value,
           **({"level": level} if level is not None else {}),
           **({"comment": comment} if comment else {}))
    store_reviewed_score(session, assessment, questionnaire, at=now)
    return decision


def _status_refusal(assessment: Assessment) -> str:
    return _("A reviewer decides on a submitted assessment; this one is %(status)s.",
             status=status_label(assessment.status).lower())


def reviewed_score(session: Session, assessment: Assessment, questionnaire: Questionnaire,
                   answers: Iterable[Answer | StoredAnswer] | None = None) -> AssessmentScore:
    """The assessment scored with the reviewer's levels: an adjustment's level, and an accepted
    answer's own level (checked, so it counts as evidenced); queried answers as given."""
    rows = list(answers) if answers is not None else list(
        session.scalars(select(Answer).where(Answer.assessment_id == assessment.id)))
    inputs = answer_inputs(questionnaire, rows)
    overrides: dict[str, float] = {}
    for question_id, decision in latest_decisions(session, assessment.id).items():
        if question_id not in inputs:
            continue
        if decision.kind == DecisionKind.ADJUST and decision.level is not None:
            overrides[question_id] = decision.level
        elif decision.kind == DecisionKind.ACCEPT:
            own = score_question(questionnaire.question(question_id), inputs[question_id])
            if own is not None:
                overrides[question_id] = own
    return score_assessment(questionnaire, inputs, Rules(level_overrides=overrides))


def store_reviewed_score(session: Session, assessment: Assessment, questionnaire: Questionnaire, *,
                         at: datetime) -> AssessmentScore:
    score = reviewed_score(session, assessment, questionnaire)
    review_states.store_reviewed(session, assessment, score, at=at)
    return score


def return_assessment(session: Session, assessment: Assessment, reviewer: User, *, message: str = "",
                      closes_at: datetime | None = None) -> bool:
    """Send the assessment back to the city with its open queries."""
    if assessment.status != AssessmentStatus.IN_REVIEW:
        raise ReviewError(_("Only an assessment in review can be returned to the city."))
    counts = query_counts(session, assessment.id)
    if counts.open < 1:
        raise ReviewError(_("Query at least one answer before returning the assessment to the city."))
    return review_states.return_to_city(session, assessment, reviewer, queries=counts.open,
                                        message=message.strip(), closes_at=closes_at)


def validate_assessment(session: Session, assessment: Assessment, reviewer: User,
                        questionnaire: Questionnaire) -> bool:
    """Validate, with the reviewed scores; refused while a query is in force."""
    if assessment.status not in REVIEWABLE:
        raise ReviewError(_status_refusal(assessment))
    counts = query_counts(session, assessment.id)
    if counts.open or counts.answered:
        raise ReviewError(_("Decide on every queried answer (accept or adjust it) before validating."))
    score = reviewed_score(session, assessment, questionnaire)
    return review_states.validate(session, assessment, reviewer, score)


def reply(session: Session, assessment: Assessment, official: User, questionnaire: Questionnaire,
          decision_id: int, text: str, *, document: tuple[str, bytes] | None = None,
          now: datetime | None = None) -> QueryReply:
    """The city's reply to a query in force, while the assessment is returned, with a document
    (file name and content) attached to the queried answer when one is given."""
    now = now or utcnow()
    if assessment.status != AssessmentStatus.RETURNED:
        raise ReviewError(_("Replies are written while the assessment is returned to the city."))
    decision = session.get(ReviewDecision, decision_id)
    if decision is None or decision.assessment_id != assessment.id or decision.kind != DecisionKind.QUERY:
        raise ReviewError(_("This query is not one of the assessment's."))
    text = text.strip()
    if not text:
        raise ReviewError(_("Write a reply to the query."))
    answer = QueryReply(decision_id=decision.id, text=text, replied_at=now, replied_by_id=official.id)
    session.add(answer)
    session.flush()
    record(session, "review.reply", official, assessment_id=assessment.id, at=now,
           question_id=decision.question_id, decision_id=decision.id)
    if document is not None:
        filename, data = document
        attach_document(session, assessment, official, questionnaire, decision.question_id, filename,
                        data, now=now)
    return answer


def resubmit(session: Session, assessment: Assessment, official: User, questionnaire: Questionnaire) -> bool:
    """Send a returned assessment back for review, once every query has a reply."""
    if assessment.status != AssessmentStatus.RETURNED:
        raise ReviewError(_("Only an assessment returned with queries can be sent back for review."))
    if query_counts(session, assessment.id).open:
        raise ReviewError(_("Reply to every query before sending the assessment back."))
    return assessment_services.submit_assessment(session, assessment, questionnaire, official)


# --- documents ---------------------------------------------------------------------------------


def document_store(storage: str | None = None) -> DocumentStore:
    """The store documents are written to (``DOCUMENT_STORAGE``), or the one named ``storage``."""
    config = current_app.config
    return store_named(storage or config["DOCUMENT_STORAGE"], Path(config["DOCUMENT_FOLDER"]))


def attach_document(session: Session, assessment: Assessment, user: User, questionnaire: Questionnaire,
                    question_id: str, filename: str, data: bytes, *,
                    now: datetime | None = None) -> EvidenceDocument:
    """Keep a document as evidence for one answer (``DocumentRefused`` when it cannot be)."""
    now = now or utcnow()
    try:
        questionnaire.question(question_id)
    except KeyError:
        raise ReviewError(_("Choose the question the document is evidence for.")) from None
    config = current_app.config
    checked = check_file(data, filename, allowed=tuple(config["DOCUMENT_TYPES"]),
                         max_bytes=int(config["DOCUMENT_MAX_MB"]) * 1024 * 1024)
    store = document_store()
    key = new_key()
    store.put(session, key, data)
    document = EvidenceDocument(assessment_id=assessment.id, question_id=question_id,
                                filename=checked.filename, content_type=checked.content_type,
                                extension=checked.kind, size=checked.size, sha256=checked.sha256,
                                storage=store.name, storage_key=key, uploaded_at=now,
                                uploaded_by_id=user.id)
    session.add(document)
    session.flush()
    record(session, "document.attach", user, assessment_id=assessment.id, at=now,
           question_id=question_id, document_id=document.id, filename=checked.filename,
           type=checked.kind, size=checked.size)
    return document


def documents_of(session: Session, assessment_id: int) -> dict[str, list[EvidenceDocument]]:
    found: dict[str, list[EvidenceDocument]] = {}
    for doc in session.scalars(select(EvidenceDocument).where(EvidenceDocument.assessment_id == assessment_id)
                               .order_by(EvidenceDocument.uploaded_at, EvidenceDocument.id)):
        found.setdefault(doc.question_id, []).append(doc)
    return found


def document_bytes(session: Session, document: EvidenceDocument) -> bytes | None:
    return document_store(document.storage).get(session, document.storage_key)


# --- the queue ---------------------------------------------------------------------------------


@dataclass
class QueueRow:
    assessment: Assessment
    submitted_at: datetime | None
    open_queries: int
    answered_queries: int
    evidence_coverage: float | None  # 0..1: answered questions with a link or a document
    documents: int = 0
    assigned: bool = False
    extra: dict[str, object] = field(default_factory=dict)


def queue(session: Session, user: User) -> list[QueueRow]:
    """The assessments waiting for ``user``'s review, oldest submission first."""
    query = (select(Assessment).join(City, City.id == Assessment.city_id)
             .join(Country, Country.id == City.country_id)
             .where(Assessment.status.in_(WAITING))
             .order_by(Assessment.submitted_at, Assessment.id))
    if user.role == Role.REGIONAL:
        query = query.where(or_(Country.region_id == user.region_id, Assessment.reviewer_id == user.id))
    elif user.role != Role.ADMIN:
        query = query.where(Assessment.reviewer_id == user.id)
    assessments = list(session.scalars(query))
    ids = [a.id for a in assessments]
    coverage = _evidence_coverage(session, ids)
    documents = dict(session.execute(
        select(EvidenceDocument.assessment_id, func.count(EvidenceDocument.id))
        .where(EvidenceDocument.assessment_id.in_(ids)).group_by(EvidenceDocument.assessment_id)).all()
    ) if ids else {}
    rows = []
    for assessment in assessments:
        counts = query_counts(session, assessment.id)
        rows.append(QueueRow(assessment, assessment.submitted_at, counts.open, counts.answered,
                             coverage.get(assessment.id), documents.get(assessment.id, 0),
                             assessment.reviewer_id == user.id))
    return rows


def _evidence_coverage(session: Session, ids: list[int]) -> dict[int, float | None]:
    """Per assessment, the share of its answered questions that carry a link or a document."""
    if not ids:
        return {}
    documented = set(session.execute(select(EvidenceDocument.assessment_id, EvidenceDocument.question_id)
                                     .where(EvidenceDocument.assessment_id.in_(ids))).all())
    totals: dict[int, list[int]] = {i: [0, 0] for i in ids}
    for assessment_id, question_id, evidence_url, dont_know, not_applicable, value in session.execute(
            select(Answer.assessment_id, Answer.question_id, Answer.evidence_url, Answer.dont_know,
                   Answer.not_applicable, Answer.value).where(Answer.assessment_id.in_(ids))):
        if dont_know or not_applicable or value in (None, ""):
            continue
        totals[assessment_id][0] += 1
        if evidence_url or (assessment_id, question_id) in documented:
            totals[assessment_id][1] += 1
    return {i: (have / answered if answered else None) for i, (answered, have) in totals.items()}


def element_scores(session: Session, assessment_id: int) -> dict[str, ElementScore]:
    return {row.element_id: row for row in session.scalars(
        select(ElementScore).where(ElementScore.assessment_id == assessment_id))}
