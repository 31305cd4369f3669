"""Every message the app sends, one row each: the outbox, and the guard against sending twice."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assessment.database import Base, utcnow
from assessment.places.models import enum_column


class MailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"  # no longer needed when its turn came (nothing was sent)


class OutgoingMail(Base):
    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One message per key (for example "reminder:3:7:42"): queuing the same key again is a no-op.
    key: Mapped[str | None] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8))
    # Subject as sent (filled in when rendered); what the message is about, as ids and codes.
    subject: Mapped[str] = mapped_column(String(300), default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus), default=MailStatus.QUEUED,
                                               index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
