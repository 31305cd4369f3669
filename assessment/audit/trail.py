"""The events of the audit trail that no feature writes itself: sign-in, failed sign-in,
sign-out and access denied (announced by the sign-in pages, the access checks and Flask-Login),
invitations and password resets (announced by ``assessment.auth``, which sits below the trail).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask_login import current_user, user_logged_in, user_logged_out
from sqlalchemy.orm import Session

from assessment.audit.services import record
from assessment.auth.models import User
from assessment.auth.services import hash_token, normalise_email
from assessment.auth.signals import (
    access_denied,
    invitation_accepted,
    invitation_sent,
    password_reset_completed,
    password_reset_requested,
    sign_in_failed,
)
from assessment.extensions import db


def _signed_in(app: Flask, user: User, **_extra: Any) -> None:
    record(db.session, "auth.sign_in", user)


def _signed_out(app: Flask, user: User, **_extra: Any) -> None:
    if getattr(user, "id", None) is not None:
        record(db.session, "auth.sign_out", user)


def _failed(app: Flask, email: str, user: User | None, **_extra: Any) -> None:
    if user is not None:
        record(db.session, "auth.sign_in_failed", user, user_id=user.id)
    else:
        # No such account: a fingerprint of what was typed, so repeated attempts on one name can
        # be told apart without keeping the address (or a mistyped password) in the trail.
        fingerprint = hash_token(normalise_email(email))[:16]
        record(db.session, "auth.sign_in_failed", None, unknown_account=fingerprint)


def _denied(app: Flask, user: User, status: int, **_extra: Any) -> None:
    record(db.session, "access.denied", user, status=status, method=request.method, path=request.path[:500])


def _about(user: User) -> dict[str, Any]:
    """Who an event is about: the account, and its city or region (for the log's city filter)."""
    detail: dict[str, Any] = {"user_id": user.id, "email": user.email}
    if user.city_id is not None:
        detail["city_id"] = user.city_id
    elif user.region_id is not None:
        detail["region_id"] = user.region_id
    return detail


def _invited(app: Flask, session: Session, user: User, inviter: User | None, renewed: bool,
             **_extra: Any) -> None:
    record(session, "auth.invitation_sent", inviter, **_about(user), renewed=renewed)


def _accepted(app: Flask, session: Session, user: User, **_extra: Any) -> None:
    record(session, "auth.invitation_accepted", user, **_about(user))


def _reset_requested(app: Flask, session: Session, user: User, **_extra: Any) -> None:
    record(session, "auth.password_reset_requested", None, **_about(user))


def _reset_completed(app: Flask, session: Session, user: User, sessions_ended: int,
                     **_extra: Any) -> None:
    record(session, "auth.password_reset", user, **_about(user), sessions_ended=sessions_ended)


def init_app(app: Flask) -> None:
    user_logged_in.connect(_signed_in, app)
    user_logged_out.connect(_signed_out, app)
    sign_in_failed.connect(_failed, app)
    access_denied.connect(_denied, app)
    invitation_sent.connect(_invited, app)
    invitation_accepted.connect(_accepted, app)
    password_reset_requested.connect(_reset_requested, app)
    password_reset_completed.connect(_reset_completed, app)

    @app.after_request
    def _record_forbidden(response: Response) -> Response:
        # Any 403 to a signed-in person is a denied access (the views write nothing then).
        if response.status_code == 403 and current_user.is_authenticated:
            db.session.commit()
            _denied(app, current_user, 403)
            db.session.commit()
        return response
