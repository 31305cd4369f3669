"""The actions of a city's plan."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.assessments.models import Assessment, QuestionnaireVersion
from assessment.auth.models import User
from assessment.database import Base, utcnow
from assessment.places.models import City, enum_column

MAX_TEXT = 2000
MAX_OWNER = 200
MAX_NOTE = 4000


class ActionStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


# The actions still to be done: these are carried into the city's later rounds.
OPEN = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class Action(Base):
    """One step of a city's plan, made from a recommendation of one assessment's report (or
    added freely for one element of it)."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"), index=True)
    # The assessment (one round) whose report the action was made from.
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"),
                                               index=True)
    # The version the element and question ids belong to.
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="RESTRICT"))
    element_id: Mapped[str] = mapped_column(String(40))
    # The recommendation's question; None for an action added freely for an element.
    question_id: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(MAX_OWNER))
    due_on: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), default=ActionStatus.PLANNED)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    city: Mapped[City] = relationship()
    assessment: Mapped[Assessment] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.status.value}>"
