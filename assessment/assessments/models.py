"""Rounds, questionnaire versions, assessments, answers and stored scores."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.auth.models import User
from assessment.database import Base, utcnow
from assessment.places.models import City, enum_column


class QuestionnaireVersion(Base):
    """One distinct questionnaire content, stored in full the first time it is used."""

    __tablename__ = "questionnaire_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(40))
    source_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Round(Base):
    """An assessment cycle (e.g. "2025"); every assessment in it uses one questionnaire version."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    opens_on: Mapped[date]
    closes_on: Mapped[date | None]
    # The round opens at ``opens_time`` on ``opens_on`` and closes at ``closes_time`` on
    # ``closes_on``, both on the clock of ``time_zone`` (an IANA name such as "Africa/Nairobi").
    opens_time: Mapped[time] = mapped_column(Time, default=time(0, 0))
    closes_time: Mapped[time] = mapped_column(Time, default=time(23, 59))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Days before closing on which officials who have not submitted are reminded ("14,7,1").
    reminder_days: Mapped[str] = mapped_column(String(40), default="14,7,1")
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="RESTRICT"), index=True
    )
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone or "UTC")

    @property
    def opens_at(self) -> datetime:
        """The opening instant (aware, in the round's time zone)."""
        return datetime.combine(self.opens_on, self.opens_time or time(0, 0), self.zone)

    @property
    def closes_at(self) -> datetime | None:
        """The closing instant (aware, in the round's time zone); None for an open-ended round."""
        if self.closes_on is None:
            return None
        return datetime.combine(self.closes_on, self.closes_time or time(23, 59), self.zone)

    @property
    def reminder_offsets(self) -> tuple[int, ...]:
        """The reminder days, largest first ("14,7,1" -> (14, 7, 1))."""
        days = {int(part) for part in self.reminder_days.split(",") if part.strip().isdigit()}
        return tuple(sorted(days, reverse=True))


class DeadlineExtension(Base):
    """A later closing time for one city in one round, granted by its regional office or an admin."""

    __tablename__ = "deadline_extensions"
    __table_args__ = (UniqueConstraint("round_id", "city_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    closes_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(500), default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[Round] = relationship()
    city: Mapped[City] = relationship()


class AssessmentStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REOPENED = "reopened"
    # The review: a reviewer decides answer by answer, may send queries back to the city
    # (returned), which answers them and sends the assessment back (resubmitted), until the
    # reviewer validates it.
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    VALIDATED = "validated"


# The states in which the city's officials may change answers.
EDITABLE = (AssessmentStatus.DRAFT, AssessmentStatus.REOPENED, AssessmentStatus.RETURNED)
# "Has submitted scores": every state after a first submission. A reopened or returned
# assessment keeps its last submitted scores until the city submits again, and they count
# (marked under revision) in the dashboards, the medians, the exports and the report.
SCORED = (AssessmentStatus.SUBMITTED, AssessmentStatus.IN_REVIEW, AssessmentStatus.RETURNED,
          AssessmentStatus.RESUBMITTED, AssessmentStatus.VALIDATED, AssessmentStatus.REOPENED)
# Scored, but the city is changing its answers: the scores shown are the last submitted ones.
UNDER_REVISION = (AssessmentStatus.REOPENED, AssessmentStatus.RETURNED)
# The states in which a reviewer records decisions and may validate.
REVIEWABLE = (AssessmentStatus.SUBMITTED, AssessmentStatus.IN_REVIEW, AssessmentStatus.RESUBMITTED)


class Assessment(Base):
    """One city's self-assessment in one round."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("city_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[AssessmentStatus] = mapped_column(
        enum_column(AssessmentStatus), default=AssessmentStatus.DRAFT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Share of applicable scored questions answered (0..1), kept current on every save.
    completeness: Mapped[float] = mapped_column(Float, default=0.0)
    # Set at submission from the scoring engine (0..100); None while a draft.
    overall_index: Mapped[float | None] = mapped_column(Float)
    overall_geometric: Mapped[float | None] = mapped_column(Float)
    # The same index with "don't know" as level 0, and with unevidenced claims as level 2.
    overall_conservative: Mapped[float | None] = mapped_column(Float)
    overall_evidenced: Mapped[float | None] = mapped_column(Float)
    weakest_element_id: Mapped[str | None] = mapped_column(String(40))
    # The version of the scoring rules the stored scores were computed with
    # (``assessment.questionnaire.scoring.RULES_VERSION``); None while never submitted.
    scoring_version: Mapped[int | None]
    # The review: a reviewer an administrator assigned (besides the regional office), and the
    # overall index with the reviewer's levels, stored when decisions change and at validation
    # (None until a reviewer has decided; the elements are in ``reviewed_scores``).
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_overall: Mapped[float | None] = mapped_column(Float)
    reviewed_at: Mapped[datetime | None]

    city: Mapped[City] = relationship()
    round: Mapped[Round] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )
    element_scores: Mapped[list[ElementScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Base):
    """The current answer to one question; ``revision`` detects concurrent edits."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("assessment_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(Text)
    dont_know: Mapped[bool] = mapped_column(default=False)
    not_applicable: Mapped[bool] = mapped_column(default=False)
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    note: Mapped[str | None] = mapped_column(Text)
    # Question score on the 0..4 scale under the assessment's questionnaire version.
    score: Mapped[float | None] = mapped_column(Float)
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    assessment: Mapped[Assessment] = relationship(back_populates="answers")
    updated_by: Mapped[User | None] = relationship()


class ElementScore(Base):
    """One element's result for a submitted assessment, stored so dashboards need no re-scoring."""

    __tablename__ = "element_scores"
    __table_args__ = (
        UniqueConstraint("assessment_id", "element_id"),
        # Every column the dashboard's and the open data page's figures read, so that a round's
        # scores of thousands of cities come from the index alone.
        Index("ix_element_scores_assessment_id_element_id_score_target",
              "assessment_id", "element_id", "score", "target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    element_id: Mapped[str] = mapped_column(String(40))
    score: Mapped[float | None] = mapped_column(Float)  # 0..100, None when data are insufficient
    target: Mapped[float] = mapped_column(Float)  # 0..100
    gap: Mapped[float | None] = mapped_column(Float)
    completeness: Mapped[float] = mapped_column(Float)
    insufficient: Mapped[bool] = mapped_column(default=False)
    evidence_coverage: Mapped[float | None] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    conservative: Mapped[float | None] = mapped_column(Float)  # don't know as level 0
    evidenced: Mapped[float | None] = mapped_column(Float)  # unevidenced claims as level 2
    dont_know_share: Mapped[float] = mapped_column(Float, default=0.0)
    dont_know_flagged: Mapped[bool] = mapped_column(default=False)

    assessment: Mapped[Assessment] = relationship(back_populates="element_scores")


class ScoreHistory(Base):
    """The scores of one submission, kept when the city submits again: ``element_scores``
    holds the latest, this table every submission, never changed or deleted."""

    __tablename__ = "score_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"),
                                               index=True)
    submitted_at: Mapped[datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    questionnaire_version_id: Mapped[int] = mapped_column(
        # Named by hand: the naming convention's name is longer than PostgreSQL allows.
        ForeignKey("questionnaire_versions.id", ondelete="RESTRICT",
                   name="fk_score_history_questionnaire_version_id"))
    scoring_version: Mapped[int]
    completeness: Mapped[float] = mapped_column(Float)
    overall_index: Mapped[float | None] = mapped_column(Float)
    overall_geometric: Mapped[float | None] = mapped_column(Float)
    overall_conservative: Mapped[float | None] = mapped_column(Float)
    overall_evidenced: Mapped[float | None] = mapped_column(Float)
    weakest_element_id: Mapped[str | None] = mapped_column(String(40))
    # One entry per element: element_id, score, conservative, evidenced, target, gap, completeness.
    elements: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    # The answers as submitted, by question id (value, dont_know, not_applicable, evidence_url,
    # note), kept when the assessment opens for changes again (reopened or returned): before
    # that, the answers in ``answers`` are still those of this submission.
    answers: Mapped[dict[str, dict[str, object]] | None] = mapped_column(JSON)


class ReviewedScore(Base):
    """One element's score with the reviewer's levels, beside its self-assessed ``ElementScore``;
    stored when the reviewer's decisions change and at validation."""

    __tablename__ = "reviewed_scores"
    __table_args__ = (UniqueConstraint("assessment_id", "element_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    element_id: Mapped[str] = mapped_column(String(40))
    score: Mapped[float | None] = mapped_column(Float)  # 0..100, None when data are insufficient


@dataclass(slots=True)
class StoredAnswer:
    """One stored answer as plain data: what pages show and saves compare (no ORM state, which
    would cost more than everything else a save does)."""

    id: int | None
    question_id: str
    value: str | None
    dont_know: bool
    not_applicable: bool
    evidence_url: str | None
    note: str | None
    score: float | None
    revision: int
    updated_at: datetime
    updated_by_id: int | None
