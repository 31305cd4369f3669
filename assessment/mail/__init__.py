"""Outgoing mail: SMTP when ``MAIL_SERVER`` is set, the outbox folder otherwise.

Features declare the kinds of message they send with :func:`kind` (a name, whether people may
turn it off, and a function that turns the stored parameters into the template's context), and
ask for one with :func:`queue`, in their own transaction. Each message is a row
(:class:`~assessment.mail.models.OutgoingMail`) and a ``mail.send`` job: the job renders the
templates ``templates/mail/<kind>.txt`` and ``.html`` in the recipient's language when it runs
(so a link carries a fresh token and no secret is ever stored) and sends them through
Flask-Mailman. A message already sent is never sent again, however often its job is retried;
a message with a ``key`` is queued at most once.

Mail carries no tracking and no remote content: no images, no pixels, no redirecting links.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment import jobs
from assessment.database import utcnow
from assessment.mail.models import MailStatus, OutgoingMail

__all__ = ["Cancel", "MailStatus", "OutgoingMail", "kind", "optional_kinds", "outbox_file",
           "queue", "render"]

log = logging.getLogger(__name__)

# How often sending one message is tried before it is marked failed (with growing delays).
MAX_ATTEMPTS = 5


class Cancel(Exception):
    """Raised by a context function: the message is no longer needed (for example the
    invitation was accepted meanwhile); it is marked cancelled, not sent."""


Context = Callable[[Session, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    name: str
    label: Any  # a lazy string: shown on the account page next to the switch
    essential: bool  # people cannot turn essential mail off (invitations, password resets)
    context: Context


KINDS: dict[str, Kind] = {}


def kind(name: str, *, label: Any, essential: bool = False) -> Callable[[Context], Context]:
    """Declare a kind of message; the decorated function returns the template context, which
    must hold ``subject``."""
    def register(context: Context) -> Context:
        KINDS[name] = Kind(name, label, essential, context)
        return context
    return register


def optional_kinds() -> list[Kind]:
    """The kinds a person may turn off, in the order they were declared."""
    return [item for item in KINDS.values() if not item.essential]


class Recipient(Protocol):
    id: int
    email: str
    language: str | None

    def wants_mail(self, kind: str) -> bool: ...


def queue(session: Session, kind_name: str, recipient: Recipient, *, key: str | None = None,
          **params: Any) -> OutgoingMail | None:
    """Queue one message of ``kind_name`` to ``recipient``; ``params`` are plain ids and codes.

    Returns None, queuing nothing, when the person turned this kind off or a message with the
    same ``key`` was queued before.
    """
    item = KINDS[kind_name]
    if not item.essential and not recipient.wants_mail(kind_name):
        return None
    if key is not None and session.scalar(select(OutgoingMail.id).where(OutgoingMail.key == key)):
        return None
    # No language chosen: the default language, when the message is written.
    mail = OutgoingMail(key=key, kind=kind_name, user_id=recipient.id, to_address=recipient.email,
                        language=recipient.language or "", params=params, status=MailStatus.QUEUED)
    session.add(mail)
    session.flush()
    jobs.enqueue(session, "mail.send", max_attempts=MAX_ATTEMPTS, mail_id=mail.id)
    return mail


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(session: Session, mail: OutgoingMail) -> Rendered:
    """The message in the recipient's language, with links to ``PUBLIC_URL``."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    language = mail.language or str(app.config["BABEL_DEFAULT_LOCALE"])
    with app.test_request_context(base_url=app.config["PUBLIC_URL"]), force_locale(language):
        item = KINDS[mail.kind]
        context = item.context(session, dict(mail.params))
        context.setdefault("public_url", app.config["PUBLIC_URL"])
        # Optional mail says where to turn it off.
        context.setdefault("preferences_url",
                           None if item.essential else url_for("account.index", _external=True))
        text = render_template(f"mail/{mail.kind}.txt", **context)
        html = render_template(f"mail/{mail.kind}.html", **context)
        return Rendered(str(context["subject"]), text, html)


def outbox_file(mail: OutgoingMail) -> Path:
    """Where the embedded backend writes ``mail`` (unique per row, even across rollbacks)."""
    folder = Path(current_app.config["MAIL_FILE_PATH"])
    return folder / f"{mail.id:06d}-{mail.created_at:%Y%m%dT%H%M%S%f}.eml"


@jobs.task("mail.send")
def deliver(session: Session, mail_id: int) -> None:
    """Send one queued message, unless it was sent (or cancelled) already."""
    mail = session.get(OutgoingMail, mail_id)
    if mail is None or mail.status in (MailStatus.SENT, MailStatus.CANCELLED):
        return
    mail.attempts += 1
    try:
        # What the message needs is read without writing the attempt first: it is written with
        # the outcome, in one statement.
        with session.no_autoflush:
            rendered = render(session, mail)
    except Cancel:
        mail.status = MailStatus.CANCELLED
        session.commit()
        return
    message = EmailMultiAlternatives(subject=rendered.subject, body=rendered.text,
                                     to=[mail.to_address],
                                     headers={"Auto-Submitted": "auto-generated",
                                              "Content-Language": mail.language or str(
                                                  current_app.config["BABEL_DEFAULT_LOCALE"])})
    message.attach_alternative(rendered.html, "text/html")
    message.outbox_name = outbox_file(mail).name
    mail.subject = rendered.subject[:300]
    try:
        # As a context manager, the connection is closed even when the server refuses.
        with current_app.extensions["mailman"].get_connection() as connection:
            connection.send_messages([message])
    except Exception as error:
        mail.last_error = f"{type(error).__name__}: {error}"[:2000]
        if mail.attempts >= MAX_ATTEMPTS:
            mail.status = MailStatus.FAILED
        session.commit()
        raise
    # Recorded at once: a retry of this job finds the message sent and sends nothing.
    mail.status = MailStatus.SENT
    mail.sent_at = utcnow()
    mail.last_error = None
    session.commit()
