"""The lists of the people pages, and inviting someone. Services flush; the view commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from assessment.admin import users as admin_users
from assessment.admin.errors import AdminError
from assessment.admin.pagination import Page
from assessment.assessments.models import Answer, Assessment
from assessment.auth import access
from assessment.auth.invitations import awaits_invitation
from assessment.auth.labels import invitation_state, last_sign_in
from assessment.auth.models import Role, User
from assessment.formatting import moment
from assessment.places.models import City, Region

# The people these pages list and invite; analysts and administrators are managed by administrators.
PEOPLE_ROLES = (Role.OFFICIAL, Role.REGIONAL)


def people_page(session: Session, viewer: User, *, role: Role | None, region_id: int | None,
                text: str, status: str, page: int) -> Page[admin_users.UserRow]:
    """The officials and regional accounts ``viewer`` may see (``access.user_scope``), filtered,
    one page at a time."""
    scope = and_(access.user_scope(viewer), User.role.in_(PEOPLE_ROLES))
    return admin_users.user_page(session, role=role, region_id=region_id, text=text,
                                 status=status, page=page, scope=scope)


@dataclass(frozen=True)
class Contact:
    id: int
    name: str
    email: str
    active: bool
    invitation: str
    invitation_pending: bool
    may_invite: bool
    last_sign_in: str
    last_activity: str  # the latest answer or assessment change they saved, or ""


def _latest(*moments: datetime | None) -> datetime | None:
    known = [value for value in moments if value is not None]
    return max(known) if known else None


def city_contacts(session: Session, city: City) -> list[Contact]:
    """The officials of ``city``, active first, with how to reach them and when they last saved
    something of the city's questionnaire (two subqueries per person, on the city's own rows)."""
    assessments = select(Assessment.id).where(Assessment.city_id == city.id)
    last_answer = (select(func.max(Answer.updated_at))
                   .where(Answer.assessment_id.in_(assessments), Answer.updated_by_id == User.id)
                   .scalar_subquery())
    last_assessment = (select(func.max(Assessment.updated_at))
                       .where(Assessment.city_id == city.id, Assessment.updated_by_id == User.id)
                       .scalar_subquery())
    rows = session.execute(
        select(User, last_answer, last_assessment)
        .where(User.city_id == city.id, User.role == Role.OFFICIAL)
        .order_by(User.active.desc(), User.name, User.email))
    return [
        Contact(user.id, user.name, user.email, user.active, invitation_state(user),
                user.invitation_pending, awaits_invitation(user), last_sign_in(user),
                moment(_latest(answered, changed)))
        for user, answered, changed in rows
    ]


def regional_contacts(session: Session, city: City) -> list[tuple[str, str]]:
    """The active regional office accounts of ``city``'s region: (name, email)."""
    rows = session.execute(
        select(User.name, User.email)
        .where(User.region_id == city.country.region_id, User.role == Role.REGIONAL,
               User.active.is_(True))
        .order_by(User.name, User.email))
    return [(name or email, email) for name, email in rows]


def invite_person(session: Session, actor: User, *, email: str, name: str, role: Role,
                  city: City | None, region: Region | None, language: str | None) -> User:
    """A new account with an invitation, within what ``actor`` may invite."""
    if not access.can_invite(actor, role, city, region):
        field = "city" if role == Role.OFFICIAL else "region_id"
        raise AdminError(_("You can invite officials of your region's cities and regional "
                           "colleagues of your region only."), field=field)
    return admin_users.create_account(session, actor, email=email, name=name, role=role,
                                      city=city, region=region, password=None, language=language)


def resend(session: Session, actor: User, person: User) -> User:
    """A new invitation for someone ``actor`` may see (the view checked that)."""
    return admin_users.send_invitation(session, actor, person)
