"""Reading the messages the app sent, as a mail client would: from the outbox file of a row, or
from a real SMTP server on loopback (the ``smtp`` fixture of tests/conftest.py).

Shared by the tests of mail, jobs, invitations, password resets, notifications and the people pages.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask
from flask_mailman import Mail
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment import mail
from assessment.mail.models import MailStatus, OutgoingMail

URL = re.compile(r"https?://[^\s\"'<>]+")


def sent(session: Session, kind: str, to: str | None = None) -> list[OutgoingMail]:
    """The messages of ``kind`` (to ``to``), oldest first."""
    query = select(OutgoingMail).where(OutgoingMail.kind == kind).order_by(OutgoingMail.id)
    if to is not None:
        query = query.where(OutgoingMail.to_address == to)
    return list(session.scalars(query))


def read(row: OutgoingMail) -> EmailMessage:
    """The message as written to the outbox folder (the row must have been sent)."""
    assert row.status == MailStatus.SENT, (row.status, row.last_error)
    path = mail.outbox_file(row)
    assert path.exists(), path
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    """The text and the HTML part; every message has both."""
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None, "every message has a text and an HTML part"
    return text.get_content(), html.get_content()


def check_no_remote_content(app: Flask, html: str) -> None:
    """No image and no address other than the app's own."""
    assert "<img" not in html.lower()
    public = app.config["PUBLIC_URL"]
    for url in URL.findall(html):
        assert url.startswith(public), url


def link(app: Flask, message: EmailMessage, path_start: str) -> str:
    """The app's link in the text part that starts with ``path_start``, as a path for the client."""
    text, html = parts(message)
    public = app.config["PUBLIC_URL"]
    links = [url for url in URL.findall(text) if url.startswith(public + path_start)]
    assert len(links) == 1, links
    assert links[0] in html  # the same link in both parts
    return links[0].removeprefix(public)


@dataclass
class Inbox:
    """What the loopback SMTP server received; ``refuse`` makes it answer 451 that many times."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1 and a free port, stopped afterwards."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@contextmanager
def sending_through(app: Flask, port: int) -> Iterator[None]:
    """``app`` sends through SMTP on 127.0.0.1:``port`` meanwhile, then writes to its outbox again."""
    saved = {key: app.config[key] for key in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT")}
    state = app.extensions["mailman"]
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    app.extensions["mailman"] = Mail.init_mail(app.config, app.testing)
    try:
        yield
    finally:
        app.config.update(saved)
        app.extensions["mailman"] = state
