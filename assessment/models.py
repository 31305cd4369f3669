"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from sqlalchemy import Index

from assessment.actions.models import Action, ActionStatus
from assessment.api.models import ApiToken
from assessment.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    DeadlineExtension,
    ElementScore,
    QuestionnaireVersion,
    ReviewedScore,
    Round,
    ScoreHistory,
)
from assessment.audit.models import AuditEvent
from assessment.auth.models import AuthSession, Role, User
from assessment.database import Base
from assessment.exports.models import ExportFile, ExportStatus
from assessment.jobs.models import Job, JobStatus
from assessment.mail.models import MailStatus, OutgoingMail
from assessment.opendata.models import OpenDataConsent
from assessment.places.models import City, Country, Region, SizeClass
from assessment.places.peers import PeerGroup, PeerGroupCity
from assessment.review.models import DocumentBlob, EvidenceDocument, QueryReply, ReviewDecision

# Every column the dashboard's and the open data page's figures read from the element scores,
# so that a round's scores of thousands of cities come from the index alone. Declared with the
# whole schema, beside the reports that read across features, rather than with the table.
ELEMENT_SCORES_INDEX = Index(
    "ix_element_scores_assessment_id_element_id_score_target",
    ElementScore.assessment_id, ElementScore.element_id, ElementScore.score, ElementScore.target)

__all__ = [
    "Action", "ActionStatus", "Answer", "ApiToken", "Assessment", "AssessmentStatus", "AuditEvent",
    "AuthSession", "Base", "City", "Country", "DeadlineExtension", "DocumentBlob", "ElementScore",
    "EvidenceDocument", "ExportFile", "ExportStatus", "Job", "JobStatus", "MailStatus",
    "OpenDataConsent", "OutgoingMail", "PeerGroup", "PeerGroupCity", "QueryReply",
    "QuestionnaireVersion", "Region", "ReviewDecision", "ReviewedScore", "Role", "Round",
    "ScoreHistory", "SizeClass", "User",
]
