"""Every table, imported in one place so Alembic and the tests see the whole schema."""

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

__all__ = [
    "Action", "ActionStatus", "Answer", "ApiToken", "Assessment", "AssessmentStatus", "AuditEvent",
    "AuthSession", "Base", "City", "Country", "DeadlineExtension", "DocumentBlob", "ElementScore",
    "EvidenceDocument", "ExportFile", "ExportStatus", "Job", "JobStatus", "MailStatus",
    "OpenDataConsent", "OutgoingMail", "PeerGroup", "PeerGroupCity", "QueryReply",
    "QuestionnaireVersion", "Region", "ReviewDecision", "ReviewedScore", "Role", "Round",
    "ScoreHistory", "SizeClass", "User",
]
