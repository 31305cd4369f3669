"""What the review's pages show, prepared for the templates: one row per answer with its
documents, the exchange between the reviewer and the city, and the decision in force."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.assessments import services as assessment_services
from assessment.assessments.models import Assessment, ReviewedScore
from assessment.formatting import moment, number
from assessment.i18n import localized
from assessment.questionnaire import Questionnaire
from assessment.review import services
from assessment.review.models import DecisionKind, EvidenceDocument, ReviewDecision
from assessment.survey.presentation import describe

KIND_LABELS = {
    DecisionKind.ACCEPT: _l("Accepted"),
    DecisionKind.QUERY: _l("Queried"),
    DecisionKind.ADJUST: _l("Level adjusted"),
}


@dataclass
class ExchangeLine:
    who: str
    when: str
    text: str
    is_reply: bool = False


@dataclass
class AnswerRow:
    question_id: str
    element: str
    question: str
    answer: str
    evidence_url: str | None
    documents: list[EvidenceDocument]
    decision: str | None  # the decision in force, in words
    decision_kind: str | None
    open_query: ReviewDecision | None  # a query in force without a reply
    query: ReviewDecision | None  # a query in force, replied or not
    exchange: list[ExchangeLine] = field(default_factory=list)
    changed_since: bool = False  # the city changed the answer after the decision


def _who(user: object) -> str:
    return getattr(user, "display_name", None) or _("a former user")


def answer_rows(session: Session, assessment: Assessment, questionnaire: Questionnaire,
                *, only_queried: bool = False) -> list[AnswerRow]:
    stored = assessment_services.load_answers(session, assessment.id)
    history = services.all_decisions(session, assessment.id)
    latest = {qid: rows[-1] for qid, rows in history.items()}
    replies = services.replies_to(session, (d.id for rows in history.values() for d in rows))
    documents = services.documents_of(session, assessment.id)
    rows = []
    for element in questionnaire.elements:
        for question in element.questions:
            decision = latest.get(question.id)
            is_query = decision is not None and decision.kind == DecisionKind.QUERY
            if only_queried and not is_query:
                continue
            answer = stored.get(question.id)
            if answer is None:
                text = _("No answer")
            else:
                text = describe(question, answer.value, answer.dont_know, answer.not_applicable,
                                None, answer.note)
            exchange = []
            for item in history.get(question.id, []):
                said = str(KIND_LABELS[item.kind])
                if item.kind == DecisionKind.ADJUST and item.level is not None:
                    said = _("Level adjusted to %(level)s", level=item.level)
                exchange.append(ExchangeLine(_who(item.decided_by), moment(item.decided_at),
                                             f"{said}{': ' + item.comment if item.comment else ''}"))
                for answer_to in replies.get(item.id, []):
                    exchange.append(ExchangeLine(_who(answer_to.replied_by), moment(answer_to.replied_at),
                                                 answer_to.text, is_reply=True))
            replied = decision is not None and decision.id in replies
            rows.append(AnswerRow(
                question.id, localized(element.title), localized(question.text), text,
                answer.evidence_url if answer else None, documents.get(question.id, []),
                exchange[-1].text if decision is not None and not replied else
                (_("Queried, replied") if replied else None),
                decision.kind.value if decision is not None else None,
                decision if is_query and not replied else None,
                decision if is_query else None,
                exchange,
                bool(decision and answer and decision.answer_revision is not None
                     and answer.revision != decision.answer_revision),
            ))
    return rows


@dataclass
class ScoreLine:
    element: str
    self_assessed: str
    reviewed: str
    gap: str


def score_lines(session: Session, assessment: Assessment, questionnaire: Questionnaire) -> list[ScoreLine]:
    """Per element, the self-assessed and the reviewed score and the gap between them."""
    claimed = services.element_scores(session, assessment.id)
    reviewed = {row.element_id: row.score for row in session.scalars(
        select(ReviewedScore).where(ReviewedScore.assessment_id == assessment.id))}
    lines = []
    for element in questionnaire.elements:
        own = claimed.get(element.id)
        mine = own.score if own is not None else None
        theirs = reviewed.get(element.id)
        lines.append(ScoreLine(
            localized(element.title), "–" if mine is None else number(mine, 1),
            "–" if theirs is None else number(theirs, 1),
            "–" if mine is None or theirs is None else number(theirs - mine, 1)))
    return lines
