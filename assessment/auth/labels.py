"""The words for a role and for where an account stands, written once for every page."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assessment.auth.models import Role, User
from assessment.formatting import day, moment

ROLE_LABELS = {
    Role.OFFICIAL: _l("City official"),
    Role.REGIONAL: _l("Regional office"),
    Role.ANALYST: _l("Analyst"),
    Role.ADMIN: _l("Administrator"),
}


def invitation_state(user: User) -> str:
    """Where an account stands with its invitation, in words ("" when it was never invited)."""
    if user.invited_at is None:
        return ""
    if user.accepted_at is not None:
        return _("Invited on %(invited)s, accepted on %(accepted)s", invited=day(user.invited_at),
                 accepted=day(user.accepted_at))
    return _("Invited on %(invited)s, not accepted yet", invited=day(user.invited_at))


def last_sign_in(user: User) -> str:
    return moment(user.last_login_at) if user.last_login_at else _("Never signed in")
