"""The audit trail: one ``record()`` for every writer, and the history of an assessment."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from assessment.audit.models import AuditEvent
from assessment.auth.models import User
from assessment.database import utcnow

# The address of the client whose request is being served (set per request by the app; None
# for commands), recorded with every event.
client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_address", default=None)

# Built once: the values are the statement's parameters, so it is also compiled once (building
# ``insert().values(...)`` on every call costs more than the insert itself).
_INSERT_EVENT = insert(cast(Table, AuditEvent.__table__))


def record(session: Session, action: str, actor: User | None, *, assessment_id: int | None = None,
           at: datetime | None = None, **detail: Any) -> None:
    """Add one event to the audit trail, in the caller's transaction.

    ``detail`` holds plain values (dates become ISO text). Never pass a password or an answer.
    """
    session.execute(_INSERT_EVENT, {
        "at": at or utcnow(), "user_id": actor.id if actor is not None else None, "action": action,
        "assessment_id": assessment_id, "detail": _jsonable(detail), "client": client_address.get()})


def record_now(session: Session, action: str, actor: User | None, **kwargs: Any) -> None:
    """Record an event in a transaction of its own and commit it, for requests that only read.

    What was read before is committed first, so on SQLite the event's transaction starts with
    its write and waits for the lock like any writer, instead of failing to upgrade a read.
    """
    session.commit()
    record(session, action, actor, **kwargs)
    session.commit()


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    return value


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    user_name: str | None


def history(session: Session, assessment_id: int, limit: int = 10) -> list[HistoryEntry]:
    """The latest events of one assessment, newest first, with who did them; one query."""
    rows = session.execute(
        select(AuditEvent, User.name, User.email)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.assessment_id == assessment_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [HistoryEntry(event, (name or email) if email else None) for event, name, email in rows]


# Built once: a reopened assessment's pages show the latest reopening on every request.
_LATEST = (
    select(AuditEvent, User.name, User.email)
    .outerjoin(User, User.id == AuditEvent.user_id)
    .where(AuditEvent.assessment_id == bindparam("assessment_id"), AuditEvent.action == bindparam("action"))
    .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    .limit(1)
)


def latest(session: Session, assessment_id: int, action: str) -> HistoryEntry | None:
    """The newest event of one kind for an assessment, with who did it."""
    row = session.execute(_LATEST, {"assessment_id": assessment_id, "action": action}).first()
    if row is None:
        return None
    event, name, email = row
    return HistoryEntry(event, (name or email) if email else None)

