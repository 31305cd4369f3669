"""Files prepared in the background (Excel, Parquet): one row per file a person asked for."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from assessment.database import Base, utcnow
from assessment.places.models import enum_column


class ExportStatus(enum.StrEnum):
    PREPARING = "preparing"
    READY = "ready"
    FAILED = "failed"  # error says why; the job may still try again (see job_id)
    EXPIRED = "expired"  # the file was deleted; the row stays so the list can say so


class ExportFile(Base):
    __tablename__ = "export_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    table: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(10))
    # The filters that are set, as the download link's query arguments (the language aside).
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[ExportStatus] = mapped_column(enum_column(ExportStatus),
                                                 default=ExportStatus.PREPARING)
    rows: Mapped[int | None]
    size: Mapped[int | None] = mapped_column(BigInteger)
    # What went wrong, as a code the page puts in words (the technical error is on the job).
    error: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # The name in the export folder: random, so it cannot be guessed, and fixed when the row is
    # made, so a job that runs twice writes the same one file.
    file_name: Mapped[str] = mapped_column(String(80), unique=True)
