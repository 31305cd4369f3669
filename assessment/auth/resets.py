"""Password resets: a link, sent to the address on file, to choose a new password.

Asking says nothing about whether an account exists: the page answers the same for any address,
and the work done before the message is queued is the same. The link works once, for
``RESET_HOURS``. Services flush; the caller commits. The audit trail records each step from the
signals sent here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from assessment import mail
from assessment.auth import services as accounts
from assessment.auth import tokens
from assessment.auth.models import User
from assessment.auth.signals import password_reset_completed, password_reset_requested
from assessment.database import utcnow
from assessment.formatting import moment

KIND = "password_reset"


def _app() -> Any:
    return current_app._get_current_object()  # type: ignore[attr-defined]


def request_reset(session: Session, email: str) -> None:
    """Queue a reset link for the active account with this address; for any other address, do
    the same lookups and send nothing."""
    user = accounts.user_by_email(session, email)
    if user is None or not user.active:
        tokens.state_of_nobody()
        return
    tokens.state_of(user)
    mail.queue(session, KIND, user, user_id=user.id)
    password_reset_requested.send(_app(), session=session, user=user)


def complete_reset(session: Session, user: User, password: str) -> int:
    """Set the password chosen from a valid reset link and end every sign-in of the account;
    returns how many ended. A pending invitation counts as accepted: the link proved the address."""
    accounts.set_password(session, user, password)
    if user.invitation_pending:
        user.accepted_at = utcnow()
    ended = accounts.revoke_sessions(session, user)
    password_reset_completed.send(_app(), session=session, user=user, sessions_ended=ended)
    return ended


@mail.kind(KIND, label=_l("Password reset links"), essential=True)
def _message(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    user = session.get(User, params["user_id"])
    if user is None or not user.active:
        raise mail.Cancel
    hours = tokens.valid_hours(tokens.Purpose.RESET)
    return {
        "subject": _("Choose a new password for the City Innovation Self-Assessment"),
        "name": user.name or user.email,
        "email": user.email,
        "url": url_for("auth.reset_password", token=tokens.make(user, tokens.Purpose.RESET),
                       _external=True),
        "hours": hours,
        "valid_until": moment(utcnow() + timedelta(hours=hours)),
        "request_url": url_for("auth.request_reset", _external=True),
    }
