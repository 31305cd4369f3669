"""Accounts and sign-in sessions. Services flush; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from assessment.auth.models import AuthSession, Role, User
from assessment.database import utcnow
from assessment.places.models import City, Region
from assessment.storable import storable

MIN_PASSWORD_LENGTH = 10
# Checked when the email is unknown, so a failed sign-in takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password")
# Marks a disabled password: werkzeug never matches it, and password_matches refuses it first.
_DISABLED_PREFIX = "!"


class AccountError(ValueError):
    """A user-facing reason why an account cannot be created or changed."""


def hash_token(token: str) -> str:
    """What is stored of a secret token (sign-in sessions, API tokens): its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (without saying which was wrong)."""
    email = normalise_email(email)
    user = session.scalar(select(User).where(User.email == email)) if storable(email) else None
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def user_by_email(session: Session, email: str) -> User | None:
    """The account with this e-mail address (any state), if there is one."""
    email = normalise_email(email)
    return session.scalar(select(User).where(User.email == email)) if storable(email) else None


def start_session(session: Session, user: User, hours: int) -> str:
    """Record a new sign-in and return its token (the cookie holds it; the database its hash)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AuthSession(
            user_id=user.id, token_hash=hash_token(token), created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    user.last_login_at = now
    session.flush()
    user.attach_session_token(token)
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The signed-in user for a session token that is neither revoked nor expired."""
    user = session.scalar(
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            AuthSession.token_hash == hash_token(token),
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > utcnow(),
            User.active.is_(True),
        )
        .limit(1)
    )
    if user is None:
        return None
    user.attach_session_token(token)
    return user


def end_session(session: Session, token: str) -> None:
    """Revoke a sign-in so that no copy of its cookie works again."""
    auth = session.scalar(select(AuthSession).where(AuthSession.token_hash == hash_token(token)))
    if auth is not None and auth.revoked_at is None:
        auth.revoked_at = utcnow()
        session.flush()


def create_user(
    session: Session,
    *,
    email: str,
    password: str | None = None,
    role: Role,
    city: City | None = None,
    region: Region | None = None,
    name: str = "",
    password_hash: str | None = None,
) -> User:
    """Create an account; officials need a city, regional users a region. Give ``password``,
    or ``password_hash`` (``unusable_password_hash()`` for an account reached by invitation)."""
    email = normalise_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"{email!r} is not an email address.")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"An account with the email {email} already exists.")
    if password_hash is None:
        if password is None or len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
        password_hash = hash_password(password)
    if role == Role.OFFICIAL and city is None:
        raise AccountError("An official account needs a city.")
    if role == Role.REGIONAL and region is None:
        raise AccountError("A regional account needs a region.")
    user = User(
        email=email, name=name, password_hash=password_hash, role=role,
        city_id=city.id if city is not None and role == Role.OFFICIAL else None,
        region_id=region.id if region is not None and role == Role.REGIONAL else None,
    )
    session.add(user)
    session.flush()
    return user


# --- account administration (the admin pages) ------------------------------------------


def check_new_password(password: str) -> None:
    """Raise AccountError when ``password`` is too short to be set."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")


def set_password(session: Session, user: User, password: str) -> None:
    """Replace a user's password (only its hash is stored)."""
    check_new_password(password)
    user.password_hash = hash_password(password)
    session.flush()


def password_matches(user: User, password: str) -> bool:
    """Whether ``password`` is ``user``'s password; never true once the password is disabled."""
    if user.password_hash.startswith(_DISABLED_PREFIX):
        check_password_hash(_DUMMY_HASH, password)  # the same time as a real check
        return False
    return check_password_hash(user.password_hash, password)


def unusable_password_hash() -> str:
    """A password hash that no password matches (no ``method$salt$hash`` shape), different each time."""
    return _DISABLED_PREFIX + secrets.token_hex(16)


def disable_password(session: Session, user: User) -> None:
    """Replace the password hash with a value no password matches."""
    user.password_hash = unusable_password_hash()
    session.flush()


def has_password(user: User) -> bool:
    """Whether some password can sign ``user`` in (it is not disabled)."""
    return not user.password_hash.startswith(_DISABLED_PREFIX)


def revoke_sessions(session: Session, user: User, *, keep_token: str | None = None) -> int:
    """End every live sign-in of ``user`` (except ``keep_token``); return how many ended."""
    query = select(AuthSession).where(
        AuthSession.user_id == user.id,
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > utcnow(),
    )
    if keep_token is not None:
        query = query.where(AuthSession.token_hash != hash_token(keep_token))
    now = utcnow()
    ended = 0
    for auth in session.scalars(query):
        auth.revoked_at = now
        ended += 1
    session.flush()
    return ended


def live_session_count(session: Session, user: User) -> int:
    """How many sign-ins of ``user`` still work (neither revoked nor expired)."""
    live = session.scalars(
        select(AuthSession.id).where(
            AuthSession.user_id == user.id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > utcnow(),
        )
    )
    return len(live.all())


def deactivate(session: Session, user: User) -> int:
    """Stop an account from signing in and end its sign-ins; return how many ended."""
    user.active = False
    return revoke_sessions(session, user)


def reactivate(session: Session, user: User) -> None:
    user.active = True
    session.flush()


def update_account(
    session: Session,
    user: User,
    *,
    name: str,
    role: Role,
    city: City | None = None,
    region: Region | None = None,
) -> None:
    """Change an account's name, role and place, with the same rules as ``create_user``."""
    if role == Role.OFFICIAL and city is None:
        raise AccountError("An official account needs a city.")
    if role == Role.REGIONAL and region is None:
        raise AccountError("A regional account needs a region.")
    user.name = name
    user.role = role
    user.city_id = city.id if city is not None and role == Role.OFFICIAL else None
    user.region_id = region.id if region is not None and role == Role.REGIONAL else None
    session.flush()
