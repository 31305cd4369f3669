"""The audit log as the admin pages list it: newest first, filtered, each change spelled out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from assessment.admin.pagination import Page, paginate
from assessment.assessments.models import Assessment, Round
from assessment.audit.models import AuditEvent
from assessment.auth.models import User
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
    "admin.user.create": _l("Account created"),
    "admin.user.update": _l("Account changed"),
    "admin.user.deactivate": _l("Account deactivated"),
    "admin.user.reactivate": _l("Account reactivated"),
    "admin.user.password": _l("Password set by an administrator"),
    "admin.user.revoke_sessions": _l("Sign-ins ended"),
    "admin.round.create": _l("Round created"),
    "admin.round.update": _l("Round changed"),
    "admin.round.version": _l("Round moved to another questionnaire version"),
    "admin.round.delete": _l("Round deleted"),
    "admin.questionnaire.store": _l("Questionnaire version stored"),
    "save": _l("Answers saved"),
    "submit": _l("Assessment submitted"),
    "reopen": _l("Assessment reopened"),
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


def audit_page(session: Session, *, action: str, city_text: str, city_id: int | None,
               page: int) -> Page[AuditRow]:
    """Audit events, newest first; a city filter matches its assessments and admin changes to it."""
    query = (
        select(AuditEvent, User.email, City.name, Round.name)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .outerjoin(Assessment, AuditEvent.assessment_id == Assessment.id)
        .outerjoin(City, Assessment.city_id == City.id)
        .outerjoin(Round, Assessment.round_id == Round.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if action:
        query = query.where(AuditEvent.action == action)
    cities: Select[Any] | None = None
    if city_id is not None:
        cities = select(City.id).where(City.id == city_id)
    elif city_text:
        cities = select(City.id).where(City.name.icontains(city_text, autoescape=True))
    if cities is not None:
        query = query.where(or_(
            Assessment.city_id.in_(cities),
            AuditEvent.detail["city_id"].as_integer().in_(cities),
        ))
    found = paginate(session, query, page)
    return found.with_items([
        AuditRow(event.id, when(event.at), email or "—", event.action,
                 str(ACTION_LABELS.get(event.action, event.action)), city or "", round_name or "",
                 _detail_lines(event.detail or {}))
        for event, email, city, round_name in found.items
    ])
