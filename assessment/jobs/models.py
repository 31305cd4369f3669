"""Background jobs as rows: what admins see, and what makes a retried job safe."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assessment.database import Base, utcnow
from assessment.places.models import enum_column


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"  # failed, and will be tried again at next_attempt_at
    DONE = "done"
    FAILED = "failed"  # failed max_attempts times; an admin may retry it


STATUS_LABELS = {
    JobStatus.QUEUED: _l("Waiting"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.RETRYING: _l("Failed, will be tried again"),
    JobStatus.DONE: _l("Done"),
    JobStatus.FAILED: _l("Failed"),
}


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # Arguments as plain JSON: ids and codes, never a secret (tokens are made when the job runs).
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.QUEUED,
                                              index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
