"""Accounts, roles and server-side sign-in sessions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.database import Base, utcnow
from assessment.places.models import City, Region, enum_column


class Role(enum.StrEnum):
    OFFICIAL = "official"  # one city
    REGIONAL = "regional"  # one region
    ANALYST = "analyst"  # every region, read only
    ADMIN = "admin"  # everything


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role <> 'official' OR city_id IS NOT NULL", name="official_has_city"),
        CheckConstraint("role <> 'regional' OR region_id IS NOT NULL", name="regional_has_region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The interface language the person chose (a code of assessment.i18n.LANGUAGES); None
    # follows the browser.
    language: Mapped[str | None] = mapped_column(String(8))
    # Invitations: when the last one was sent and by whom, and when the person first set a
    # password from one (None: still pending, or the account was made with a password).
    invited_at: Mapped[datetime | None]
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None]
    # Kinds of optional mail the person turned off, comma-separated (see assessment.mail).
    mail_opt_outs: Mapped[str] = mapped_column(String(200), default="")

    city: Mapped[City | None] = relationship()
    region: Mapped[Region | None] = relationship()
    invited_by: Mapped[User | None] = relationship(remote_side=[id])

    # Flask-Login protocol. get_id returns the sign-in session token, not the user id,
    # so that signing out (revoking the token) invalidates every copy of the cookie.
    def attach_session_token(self, token: str) -> None:
        self.__dict__["_session_token"] = token

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        token: str | None = self.__dict__.get("_session_token")
        return token

    @property
    def invitation_pending(self) -> bool:
        return self.invited_at is not None and self.accepted_at is None

    def wants_mail(self, kind: str) -> bool:
        return kind not in self.mail_opt_outs.split(",")

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class AuthSession(Base):
    """One sign-in; the browser holds the token, the database holds its hash."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
