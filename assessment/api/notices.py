"""The notice before a token expires: once, ``TOKEN_NOTICE_DAYS`` before, by mail to its owner
(the account page says it too, from the token's expiry). Checked every hour."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from assessment import jobs, mail
from assessment.api import tokens
from assessment.api.models import ApiToken
from assessment.database import utcnow
from assessment.formatting import moment

MAIL_KIND = "token_expiring"


def notice_days() -> int:
    return int(current_app.config.get("TOKEN_NOTICE_DAYS", 7))


def send_notices(session: Session) -> int:
    """Queue the notices that are due; returns how many tokens were noticed."""
    now = utcnow()
    due = tokens.due_notices(session, notice_days(), now)
    for token in due:
        mail.queue(session, MAIL_KIND, token.user, key=f"{MAIL_KIND}-{token.id}", token_id=token.id)
        token.expiry_notice_at = now
    session.flush()
    return len(due)


@jobs.task("api.token_notices")
def token_notices_job(session: Session) -> None:
    send_notices(session)
    session.commit()


jobs.periodic("api.token_notices", every_seconds=3600)


@mail.kind(MAIL_KIND, label=_l("Before one of my API access tokens expires"), essential=True)
def _expiring_mail(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    token = session.get(ApiToken, params["token_id"])
    if token is None or token.revoked_at is not None or tokens.expired(token):
        raise mail.Cancel
    return {
        "subject": gettext("Your API token “%(name)s” expires soon", name=token.name),
        "name": token.name, "prefix": token.prefix, "expires": moment(token.expires_at),
        "url": url_for("account.index", _anchor="tokens-heading", _external=True),
    }
