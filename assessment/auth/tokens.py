"""Signed links for invitations and password resets.

A link's token is signed with ``SECRET_KEY`` (salted per purpose, so an invitation token is
never taken for a reset token) and carries the account id, the purpose and a short fingerprint
of the account's state: its password hash and when it was last invited and accepted. Setting a
password or sending a newer invitation changes that state, so a link works once and only the
latest one works. Nothing is stored: the token is made when the message is sent.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from assessment.auth.models import User


class Purpose(enum.StrEnum):
    INVITATION = "invitation"
    RESET = "reset"


# The setting that says how long each kind of link stays valid, in hours.
_HOURS_SETTING = {Purpose.INVITATION: "INVITATION_HOURS", Purpose.RESET: "RESET_HOURS"}


class Status(enum.StrEnum):
    VALID = "valid"
    USED = "used"  # the password was set since (the link did its work, or another did)
    SUPERSEDED = "superseded"  # an invitation still pending, but a newer one was sent since
    EXPIRED = "expired"  # genuine and unused, but too old
    INVALID = "invalid"  # not one of ours, tampered with, or its account is gone or deactivated


@dataclass(frozen=True)
class Checked:
    status: Status
    user: User | None = None  # the account, for a valid, used or expired link


def valid_hours(purpose: Purpose) -> int:
    return int(current_app.config[_HOURS_SETTING[purpose]])


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"account-link:{purpose}")


def _fingerprint(*parts: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, "|".join(parts).encode(), hashlib.sha256).hexdigest()[:20]


def state_of(user: User) -> str:
    """A fingerprint of what a link must still find unchanged (keyed, so it reveals nothing)."""
    return _fingerprint(user.password_hash,
                        user.invited_at.isoformat() if user.invited_at else "",
                        user.accepted_at.isoformat() if user.accepted_at else "")


def state_of_nobody() -> str:
    """The same work as ``state_of``, for an address that has no account."""
    return _fingerprint("!", "", "")


def make(user: User, purpose: Purpose) -> str:
    return _serializer(purpose).dumps({"u": user.id, "p": str(purpose), "s": state_of(user)})


def _payload(token: str, purpose: Purpose) -> tuple[dict[str, Any] | None, bool]:
    """The payload of a genuine token and whether it has expired; (None, False) otherwise."""
    serializer = _serializer(purpose)
    try:
        return serializer.loads(token, max_age=valid_hours(purpose) * 3600), False
    except SignatureExpired as expired:
        # The signature was good: the payload is ours, only too old.
        if not isinstance(expired.payload, bytes):
            return None, False
        try:
            return serializer.load_payload(expired.payload), True
        except BadSignature:
            return None, False
    except BadSignature:
        return None, False


def check(session: Session, token: str, purpose: Purpose) -> Checked:
    """What ``token`` is worth for ``purpose`` now."""
    payload, expired = _payload(token, purpose)
    if (not isinstance(payload, dict) or payload.get("p") != str(purpose)
            or not isinstance(payload.get("u"), int) or not isinstance(payload.get("s"), str)):
        return Checked(Status.INVALID)
    user = session.get(User, payload["u"])
    if user is None or not user.active:
        return Checked(Status.INVALID)
    if purpose == Purpose.INVITATION and not user.invitation_pending:
        return Checked(Status.USED, user)
    if not hmac.compare_digest(payload["s"], state_of(user)):
        pending = purpose == Purpose.INVITATION
        return Checked(Status.SUPERSEDED if pending else Status.USED, user)
    return Checked(Status.EXPIRED if expired else Status.VALID, user)
