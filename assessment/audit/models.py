"""The audit trail's one table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.auth.models import User
from assessment.database import Base, utcnow


class AuditEvent(Base):
    """Who did what, when, from where: sign-ins, downloads, every state change of an assessment
    and every admin action. Append-only: the database refuses to change or delete an event
    (only its details may be rewritten, to anonymise a departed user)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_assessment_at", "assessment_id", "at"),
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_user_id_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client: Mapped[str | None] = mapped_column(String(45))  # the client's IP address

    user: Mapped[User | None] = relationship()
