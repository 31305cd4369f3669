"""Personal access tokens: created and revoked by their owner or an admin, stored hashed.

A token is ``cisa_`` followed by 43 random URL-safe characters (256 bits). The database
keeps only its SHA-256 and its first characters (to tell tokens apart in lists); the token
itself is shown once, when it is created. Services flush; the caller commits.

Every token expires (``TOKEN_DAYS`` after it is made unless its owner chooses another validity,
at most ``TOKEN_MAX_DAYS``), and may be limited to some tables and some regions, within what
its account may see. Its owner is told once, ``TOKEN_NOTICE_DAYS`` before it expires.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, select, true
from sqlalchemy.orm import Session

from assessment.api.models import ApiToken
from assessment.audit.services import record
from assessment.auth.models import User
from assessment.auth.services import hash_token
from assessment.database import utcnow
from assessment.places.models import City, Country, Region

TOKEN_PREFIX = "cisa_"  # nosec B105 # the public prefix that marks a token, not a secret
SHOWN_PREFIX_LENGTH = 12
MAX_ACTIVE_TOKENS = 20
MAX_NAME_LENGTH = 80
# last_used_at is written at most this often per token, so reads rarely write.
LAST_USED_PRECISION = timedelta(minutes=1)


DEFAULT_DAYS = 90


class TokenError(ValueError):
    """A user-facing reason why a token cannot be created."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def generate_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def active_tokens(session: Session, user: User, now: datetime | None = None) -> list[ApiToken]:
    """The tokens of ``user`` that work: neither revoked nor expired."""
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                               ApiToken.expires_at > (now or utcnow()))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def expired(token: ApiToken, now: datetime | None = None) -> bool:
    return token.expires_at <= (now or utcnow())


def tokens_of(session: Session, user: User | None = None, *, include_revoked: bool = False) -> list[ApiToken]:
    """Tokens, newest first: one user's, or everyone's (command line)."""
    stmt = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user is not None:
        stmt = stmt.where(ApiToken.user_id == user.id)
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return list(session.scalars(stmt))


def create_token(session: Session, user: User, name: str, *, actor: User | None = None,
                 via: str = "web", days: int = DEFAULT_DAYS, max_days: int | None = None,
                 tables: Sequence[str] | None = None,
                 region_ids: Sequence[int] | None = None) -> NewToken:
    """A new token for ``user``; ``actor`` is who asked (the user, an admin, or None: the CLI).

    It works for ``days`` (at most ``max_days``); ``tables`` and ``region_ids`` limit what it
    reads (None or empty: everything the account may see)."""
    name = " ".join(name.split())
    if not name:
        raise TokenError("Give the token a name, such as the script or computer that will use it.")
    if len(name) > MAX_NAME_LENGTH:
        raise TokenError(f"A token name has at most {MAX_NAME_LENGTH} characters.")
    if not user.active:
        raise TokenError("This account is deactivated; it cannot have tokens.")
    if len(active_tokens(session, user)) >= MAX_ACTIVE_TOKENS:
        raise TokenError(f"An account can have at most {MAX_ACTIVE_TOKENS} active tokens. "
                         "Revoke one you no longer use.")
    if days < 1 or (max_days is not None and days > max_days):
        raise TokenError(f"A token is valid for 1 to {max_days or days} days.")
    secret = generate_secret()
    now = utcnow()
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(secret),
                     prefix=secret[:SHOWN_PREFIX_LENGTH], created_at=now,
                     expires_at=now + timedelta(days=days),
                     tables=sorted(set(tables)) if tables else None,
                     region_ids=sorted(set(region_ids)) if region_ids else None)
    session.add(token)
    session.flush()
    _audit(session, "token_create", token, actor, via, expires_at=token.expires_at.isoformat(),
           tables=token.tables, region_ids=token.region_ids)
    return NewToken(token, secret)


def may_read_table(token: ApiToken, table: str) -> bool:
    return not token.tables or table in token.tables


def region_scope(token: ApiToken) -> ColumnElement[bool]:
    """A WHERE clause on ``City``: the token's regions (every region when it has none)."""
    if not token.region_ids:
        return true()
    return City.country_id.in_(select(Country.id).where(Country.region_id.in_(token.region_ids)))


def region_names(session: Session, token: ApiToken) -> list[str]:
    if not token.region_ids:
        return []
    return list(session.scalars(select(Region.name).where(Region.id.in_(token.region_ids))
                                .order_by(Region.name)))


def due_notices(session: Session, notice_days: int, now: datetime | None = None) -> list[ApiToken]:
    """Working tokens that expire within ``notice_days`` and whose owner was not told yet."""
    now = now or utcnow()
    return list(session.scalars(
        select(ApiToken).join(User, ApiToken.user_id == User.id).where(and_(
            ApiToken.revoked_at.is_(None), ApiToken.expires_at > now,
            ApiToken.expires_at <= now + timedelta(days=notice_days),
            ApiToken.expiry_notice_at.is_(None), User.active.is_(True)))
        .order_by(ApiToken.expires_at, ApiToken.id)))


def revoke_token(session: Session, token: ApiToken, *, actor: User | None = None,
                 via: str = "web") -> bool:
    """Revoke ``token``; False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    session.flush()
    _audit(session, "token_revoke", token, actor, via)
    return True


def revoke_all_tokens(session: Session, user: User, *, actor: User | None = None,
                      via: str = "web") -> int:
    """Revoke every active token of ``user``; return how many were revoked."""
    return sum(revoke_token(session, token, actor=actor, via=via) for token in active_tokens(session, user))


def user_for_secret(session: Session, secret: str) -> tuple[User, ApiToken] | None:
    """The active user and token for a bearer secret, or None; records when it was used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = utcnow()
    row = session.execute(
        select(ApiToken, User).join(User, ApiToken.user_id == User.id).where(
            ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now, User.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    token, user = row
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        session.flush()
    return user, token


def _audit(session: Session, action: str, token: ApiToken, actor: User | None, via: str,
           **detail: Any) -> None:
    record(session, action, actor, token_id=token.id, token_prefix=token.prefix, owner_id=token.user_id,
           via=via, **detail)
