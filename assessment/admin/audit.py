"""The audit log as the admin pages list it: newest first, filtered, each change spelled out."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from assessment.admin.pagination import Page, paginate
from assessment.assessments.models import Assessment, Round
from assessment.audit.models import AuditEvent
from assessment.auth.models import User
from assessment.exports.formats import spreadsheet_safe
from assessment.formatting import moment as when
from assessment.places.models import City

ACTION_LABELS = {
    "admin.region.create": _l("Region created"),
    "admin.region.rename": _l("Region renamed"),
    "admin.region.delete": _l("Region deleted"),
    "admin.country.create": _l("Country created"),
    "admin.country.update": _l("Country changed"),
    "admin.country.delete": _l("Country deleted"),
    "admin.city.create": _l("City created"),
    "admin.city.update": _l("City changed"),
    "admin.city.delete": _l("City deleted"),
    "admin.city.import": _l("Cities imported from a file"),
    "admin.peer_group.create": _l("Peer group created"),
    "admin.peer_group.update": _l("Peer group changed"),
    "admin.peer_group.delete": _l("Peer group deleted"),
    "admin.user.create": _l("Account created"),
    "admin.user.update": _l("Account changed"),
    "admin.user.deactivate": _l("Account deactivated"),
    "admin.user.reactivate": _l("Account reactivated"),
    "admin.user.password": _l("Password set by an administrator"),
    "admin.user.revoke_sessions": _l("Sign-ins ended"),
    "admin.user.anonymise": _l("Account anonymised"),
    "admin.user.import": _l("Accounts imported from a file"),
    "account.password": _l("Password changed by its owner"),
    "account.sessions_ended": _l("Other sign-ins ended by their owner"),
    "admin.round.create": _l("Round created"),
    "admin.round.update": _l("Round changed"),
    "admin.round.version": _l("Round moved to another questionnaire version"),
    "admin.round.delete": _l("Round deleted"),
    "admin.questionnaire.store": _l("Questionnaire version stored"),
    "auth.sign_in": _l("Signed in"),
    "auth.sign_in_failed": _l("Sign-in failed"),
    "auth.sign_out": _l("Signed out"),
    "auth.invitation_sent": _l("Invitation sent"),
    "auth.invitation_accepted": _l("Invitation accepted"),
    "auth.password_reset_requested": _l("Password reset link asked for"),
    "auth.password_reset": _l("Password reset with an e-mailed link"),
    "account.mail_preferences": _l("Mail choices changed by their owner"),
    "access.denied": _l("Access refused"),
    "export.download": _l("Table downloaded"),
    "export.prepare": _l("Table file asked for"),
    "api.read": _l("Read through the API"),
    "report.view": _l("Another city's report viewed"),
    "report.pdf": _l("Another city's report downloaded as a PDF"),
    "save": _l("Answers saved"),
    "submit": _l("Assessment submitted"),
    "reopen": _l("Assessment reopened"),
    "deadline.extend": _l("Deadline extended for a city"),
    "deadline.change": _l("City's deadline extension changed"),
    "deadline.remove": _l("City's deadline extension removed"),
    "action.create": _l("Action added to the city's plan"),
    "action.update": _l("Action of the city's plan changed"),
}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str
    who: str
    action: str
    action_label: str
    city: str
    round: str
    lines: list[str]
    client: str


def _detail_lines(detail: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in detail.items():
        if key == "changes" and isinstance(value, dict):
            for field, change in value.items():
                if isinstance(change, list) and len(change) == 2:
                    lines.append(f"{field}: {_shown(change[0])} → {_shown(change[1])}")
                else:
                    lines.append(f"{field}: {_shown(change)}")
        else:
            lines.append(f"{key}: {_shown(value)}")
    return lines


def _shown(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    city_text: str = ""
    city_id: int | None = None
    actor: str = ""  # e-mail or name contains
    since: date | None = None  # first day included (UTC)
    until: date | None = None  # last day included (UTC)

    def as_query(self) -> dict[str, str]:
        values = {"action": self.action, "city": self.city_text, "actor": self.actor,
                  "city_id": str(self.city_id or ""), "since": self.since.isoformat() if self.since else "",
                  "until": self.until.isoformat() if self.until else ""}
        return {key: value for key, value in values.items() if value}


def _query(filters: AuditFilters) -> Select[AuditEvent, str, str, str]:
    query = (
        select(AuditEvent, User.email, City.name, Round.name)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .outerjoin(Assessment, AuditEvent.assessment_id == Assessment.id)
        .outerjoin(City, Assessment.city_id == City.id)
        .outerjoin(Round, Assessment.round_id == Round.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor:
        query = query.where(or_(User.email.icontains(filters.actor, autoescape=True),
                                User.name.icontains(filters.actor, autoescape=True)))
    if filters.since:
        query = query.where(AuditEvent.at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, UTC)
        query = query.where(AuditEvent.at < end)
    cities: Select[Any] | None = None
    if filters.city_id is not None:
        cities = select(City.id).where(City.id == filters.city_id)
    elif filters.city_text:
        cities = select(City.id).where(City.name.icontains(filters.city_text, autoescape=True))
    if cities is not None:
        query = query.where(or_(
            Assessment.city_id.in_(cities),
            AuditEvent.detail["city_id"].as_integer().in_(cities),
        ))
    return query


def audit_page(session: Session, filters: AuditFilters, page: int) -> Page[AuditRow]:
    """Audit events, newest first; a city filter matches its assessments and admin changes to it."""
    found = paginate(session, _query(filters), page)
    return found.with_items([
        AuditRow(event.id, when(event.at), email or "—", event.action,
                 str(ACTION_LABELS.get(event.action, event.action)), city or "", round_name or "",
                 _detail_lines(event.detail or {}), event.client or "")
        for event, email, city, round_name in found.items
    ])


CSV_HEADER = ("id", "at_utc", "actor_email", "action", "city", "round", "assessment_id", "client", "detail")


def audit_csv(session: Session, filters: AuditFilters) -> Iterator[str]:
    """Every matching event as CSV text, newest first, read in batches (cells safe for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    rows = session.execute(_query(filters).execution_options(yield_per=1000))
    for count, (event, email, city, round_name) in enumerate(rows, start=1):
        writer.writerow([spreadsheet_safe(str(value)) for value in (
            event.id, event.at.isoformat(), email or "", event.action, city or "", round_name or "",
            event.assessment_id or "", event.client or "",
            json.dumps(event.detail or {}, ensure_ascii=False, sort_keys=True))])
        if count % 1000 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
