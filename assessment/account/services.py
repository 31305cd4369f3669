"""What people change on their own account: password, mail preferences. Services flush; the
view commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from assessment.audit.services import record
from assessment.auth import services as accounts
from assessment.auth.models import User


class PasswordChangeError(ValueError):
    """A reason, for people, why the password was not changed; ``field`` names the form field."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def change_password(session: Session, user: User, *, current_password: str, new_password: str,
                    end_other_sessions: bool, keep_token: str | None) -> int | None:
    """Replace ``user``'s password after checking the current one.

    With ``end_other_sessions``, every sign-in but ``keep_token`` ends; returns how many ended,
    or None when the others were kept.
    """
    if not accounts.password_matches(user, current_password):
        raise PasswordChangeError(_("That is not your current password. Nothing was changed."),
                                  "current_password")
    if new_password == current_password:
        raise PasswordChangeError(_("Choose a new password that differs from the current one."),
                                  "new_password")
    try:
        accounts.set_password(session, user, new_password)
    except accounts.AccountError:
        raise PasswordChangeError(_("The password must have at least %(num)d characters.",
                                    num=accounts.MIN_PASSWORD_LENGTH), "new_password") from None
    record(session, "account.password", user, user_id=user.id)
    if not end_other_sessions:
        return None
    ended = accounts.revoke_sessions(session, user, keep_token=keep_token)
    record(session, "account.sessions_ended", user, user_id=user.id, count=ended)
    return ended


def set_mail_preferences(session: Session, user: User, receive: dict[str, bool]) -> bool:
    """Record which optional kinds of mail ``user`` receives (``receive``: kind name → wanted);
    the choices about kinds not offered now are kept. Returns whether anything changed."""
    earlier = {kind for kind in user.mail_opt_outs.split(",") if kind}
    off = {kind for kind in earlier if kind not in receive}
    off |= {kind for kind, wanted in receive.items() if not wanted}
    if off == earlier:
        return False
    user.mail_opt_outs = ",".join(sorted(off))
    session.flush()
    record(session, "account.mail_preferences", user, user_id=user.id,
           turned_off=sorted(off - earlier), turned_on=sorted(earlier - off))
    return True


def find_accounts(session: Session, text: str, limit: int = 2) -> list[User]:
    """The account with this exact address, or else up to ``limit`` whose address or name
    contains ``text`` (enough to tell one match from several)."""
    exact = accounts.user_by_email(session, text)
    if exact is not None:
        return [exact]
    text = text.strip()
    if not text:
        return []
    return list(session.scalars(
        select(User).where(or_(User.email.icontains(text, autoescape=True),
                               User.name.icontains(text, autoescape=True)))
        .order_by(User.email).limit(limit)))
