"""The outbox and the background jobs, as admins see them."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment import jobs, mail
from assessment.admin.pagination import Page, paginate
from assessment.audit.services import record
from assessment.auth.models import User
from assessment.jobs.models import Job, JobStatus
from assessment.mail.models import MailStatus, OutgoingMail

MAIL_STATUS_LABELS = {
    MailStatus.QUEUED: _l("Waiting to be sent"),
    MailStatus.SENT: _l("Sent"),
    MailStatus.FAILED: _l("Could not be sent"),
    MailStatus.CANCELLED: _l("Not needed any more"),
}
JOB_LABELS = {
    "mail.send": _l("Send a message"),
    "exports.build": _l("Prepare an export file"),
    "exports.expire": _l("Delete expired export files"),
}


def outbox_page(session: Session, page: int, status: str | None = None) -> Page[Any]:
    query = select(OutgoingMail).order_by(OutgoingMail.created_at.desc(), OutgoingMail.id.desc())
    if status in set(MailStatus):
        query = query.where(OutgoingMail.status == status)
    return paginate(session, query, page)


@dataclass(frozen=True)
class MessageView:
    mail: OutgoingMail
    headers: list[tuple[str, str]]
    text: str | None
    html: str | None
    file: Path | None


def message_view(mail_row: OutgoingMail) -> MessageView:
    """The message as written to the outbox, when it was (SMTP mode keeps no copy)."""
    path = mail.outbox_file(mail_row)
    if not path.is_file():
        return MessageView(mail_row, [], None, None, None)
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    text = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    headers = [(name, str(parsed[name])) for name in ("From", "To", "Subject", "Date")
               if parsed[name]]
    return MessageView(mail_row, headers, text.get_content() if text else None,
                       html.get_content() if html else None, path)


def jobs_page(session: Session, page: int, status: str | None = None) -> Page[Any]:
    query = select(Job).order_by(Job.created_at.desc(), Job.id.desc())
    if status in set(JobStatus):
        query = query.where(Job.status == status)
    return paginate(session, query, page)


def retry_job(session: Session, actor: User, job: Job) -> bool:
    """Queue a failed (or waiting) job again at once; False when there is nothing to retry."""
    if job.status not in (JobStatus.FAILED, JobStatus.RETRYING):
        return False
    record(session, "job.retried", actor, job=job.id, name=job.name, attempts=job.attempts)
    if job.name == "mail.send":
        row = session.get(OutgoingMail, job.args.get("mail_id"))
        if row is not None and row.status == MailStatus.FAILED:
            row.status = MailStatus.QUEUED
    jobs.retry(session, job)
    return True
