"""Personal access tokens for the read-only JSON API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.auth.models import User
from assessment.database import Base, utcnow


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown in lists so people can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # It stops working at this moment (TOKEN_DAYS after it is made, by default).
    expires_at: Mapped[datetime]
    # What it may read, within what its account may see: the tables by name and the regions by
    # id; None: every table, every region the account sees.
    tables: Mapped[list[str] | None] = mapped_column(JSON)
    region_ids: Mapped[list[int] | None] = mapped_column(JSON)
    # When its owner was told it will expire soon (once).
    expiry_notice_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
