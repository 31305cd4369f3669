"""Invitations: an account that nobody knows the password of gets a link to choose one.

``invite`` is the one way an invitation is sent (the admin and regional pages, the import). The
link goes to the address on file, is made when the message is sent and stops working once used,
once a newer invitation is sent, or after ``INVITATION_HOURS``. Services flush; the caller
commits. The audit trail records each step from the signals sent here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from assessment import mail
from assessment.auth import services as accounts
from assessment.auth import tokens
from assessment.auth.labels import ROLE_LABELS
from assessment.auth.models import User
from assessment.auth.signals import invitation_accepted, invitation_sent
from assessment.database import utcnow
from assessment.formatting import moment

KIND = "invitation"


def _app() -> Any:
    return current_app._get_current_object()  # type: ignore[attr-defined]


def invite(session: Session, user: User, *, inviter: User | None) -> None:
    """Send ``user`` an invitation to choose a password; any password they had stops working.

    ``inviter`` is who asked (None from a command). An earlier invitation's link stops working.
    """
    _send(session, user, inviter=inviter, renewed=False)


def awaits_invitation(user: User) -> bool:
    """Whether an invitation may be sent (again): an active account nobody has used yet, so no
    password that someone relies on stops working."""
    return user.active and user.accepted_at is None and (user.invitation_pending
                                                         or user.last_login_at is None)


def renew(session: Session, user: User) -> None:
    """The invitee's own "send me a new invitation", from an expired or outdated link: the same
    account, the address on file, the original inviter named."""
    _send(session, user, inviter=None, renewed=True)


def _send(session: Session, user: User, *, inviter: User | None, renewed: bool) -> None:
    if not user.active:
        raise accounts.AccountError(_("%(email)s is deactivated: reactivate the account before "
                                      "inviting them.", email=user.email))
    now = utcnow()
    user.invited_at = now
    user.accepted_at = None
    if inviter is not None:
        user.invited_by_id = inviter.id
    accounts.disable_password(session, user)
    accounts.revoke_sessions(session, user)
    mail.queue(session, KIND, user, user_id=user.id, invited_at=now.isoformat())
    invitation_sent.send(_app(), session=session, user=user, inviter=inviter, renewed=renewed)


def accept(session: Session, user: User, password: str, *, language: str | None) -> None:
    """Set the password chosen from a valid invitation link (the caller checked the link)."""
    accounts.set_password(session, user, password)
    user.accepted_at = utcnow()
    if user.language is None:
        # The language the person read the invitation page in: their later messages use it.
        user.language = language
    session.flush()
    invitation_accepted.send(_app(), session=session, user=user)


@mail.kind(KIND, label=_l("Invitations to set up your account"), essential=True)
def _message(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    user = session.get(User, params["user_id"])
    if (user is None or not user.active or not user.invitation_pending or user.invited_at is None
            or user.invited_at != datetime.fromisoformat(params["invited_at"])):
        raise mail.Cancel  # accepted, deactivated or invited again since
    hours = tokens.valid_hours(tokens.Purpose.INVITATION)
    inviter = user.invited_by
    place = user.city.name if user.city else (user.region.name if user.region else "")
    return {
        "subject": _("Your account for the City Innovation Self-Assessment"),
        "name": user.name or user.email,
        "email": user.email,
        "inviter": inviter.display_name if inviter is not None else None,
        "role": str(ROLE_LABELS[user.role]),
        "place": place,
        "url": url_for("auth.accept_invitation", token=tokens.make(user, tokens.Purpose.INVITATION),
                       _external=True),
        "valid_until": moment(utcnow() + timedelta(hours=hours)),
    }
