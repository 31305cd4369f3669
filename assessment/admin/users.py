"""Accounts as the admin pages list and change them; every change is recorded in the audit log.

Services flush and never commit; the view commits once. Messages raised here are for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from assessment.admin.errors import AdminError
from assessment.admin.pagination import Page, paginate
from assessment.audit.services import record
from assessment.auth import services as accounts
from assessment.auth.labels import ROLE_LABELS
from assessment.auth.models import Role, User
from assessment.formatting import moment as when
from assessment.places.models import City, Country, Region


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    name: str
    role: str
    place: str
    active: bool
    last_login: str


def user_page(session: Session, *, role: Role | None, region_id: int | None, text: str,
              status: str, page: int) -> Page[UserRow]:
    query = (
        select(User, City.name, Region.name)
        .outerjoin(City, User.city_id == City.id)
        .outerjoin(Region, User.region_id == Region.id)
        .order_by(User.email)
    )
    if role is not None:
        query = query.where(User.role == role)
    if region_id is not None:
        in_region = City.country_id.in_(select(Country.id).where(Country.region_id == region_id))
        query = query.where(or_(User.region_id == region_id, and_(User.city_id.is_not(None), in_region)))
    if text:
        query = query.where(or_(User.email.icontains(text, autoescape=True),
                                User.name.icontains(text, autoescape=True)))
    if status == "active":
        query = query.where(User.active.is_(True))
    elif status == "inactive":
        query = query.where(User.active.is_(False))
    found = paginate(session, query, page)
    return found.with_items([
        UserRow(user.id, user.email, user.name, str(ROLE_LABELS[user.role]),
                city_name or region_name or "", user.active, when(user.last_login_at))
        for user, city_name, region_name in found.items
    ])


def _place_detail(user: User) -> dict[str, Any]:
    if user.city_id is not None:
        return {"city_id": user.city_id}
    if user.region_id is not None:
        return {"region_id": user.region_id}
    return {}


def create_account(session: Session, actor: User, *, email: str, name: str, role: Role,
                   city: City | None, region: Region | None, password: str) -> User:
    email = accounts.normalise_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AdminError(_("An account with the email %(email)s already exists.", email=email),
                         field="email")
    accounts.check_new_password(password)
    user = accounts.create_user(session, email=email, password=password, role=role, city=city,
                                region=region, name=name.strip())
    record(session, "admin.user.create", actor, user_id=user.id, email=user.email,
           role=user.role.value, **_place_detail(user))
    return user


def update_account(session: Session, actor: User, user: User, *, name: str, role: Role,
                   city: City | None, region: Region | None) -> dict[str, list[Any]]:
    if user.id == actor.id and role != Role.ADMIN:
        raise AdminError(_("You cannot take away your own administrator role. Ask another "
                           "administrator to do it."), field="role")
    before = {"name": user.name, "role": user.role.value, "city_id": user.city_id,
              "region_id": user.region_id}
    accounts.update_account(session, user, name=name.strip(), role=role, city=city, region=region)
    after = {"name": user.name, "role": user.role.value, "city_id": user.city_id,
             "region_id": user.region_id}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        record(session, "admin.user.update", actor, user_id=user.id, email=user.email,
               changes=changes, **_place_detail(user))
    return changes


def deactivate_account(session: Session, actor: User, user: User) -> int:
    """Stop ``user`` signing in and end every sign-in they have; return how many ended."""
    if user.id == actor.id:
        raise AdminError(_("You cannot deactivate your own account."))
    if not user.active:
        return 0
    ended = accounts.deactivate(session, user)
    record(session, "admin.user.deactivate", actor, user_id=user.id, email=user.email,
           sessions_ended=ended, **_place_detail(user))
    return ended


def reactivate_account(session: Session, actor: User, user: User) -> User:
    if not user.active:
        accounts.reactivate(session, user)
        record(session, "admin.user.reactivate", actor, user_id=user.id, email=user.email,
               **_place_detail(user))
    return user


def set_account_password(session: Session, actor: User, user: User, password: str, *,
                         sign_out: bool, keep_token: str | None) -> int:
    """Set a new password; with ``sign_out``, end the user's sign-ins (but not the actor's own)."""
    accounts.set_password(session, user, password)
    ended = accounts.revoke_sessions(session, user, keep_token=keep_token) if sign_out else 0
    record(session, "admin.user.password", actor, user_id=user.id, email=user.email,
           sessions_ended=ended, **_place_detail(user))
    return ended


def revoke_account_sessions(session: Session, actor: User, user: User, *,
                            keep_token: str | None) -> int:
    ended = accounts.revoke_sessions(session, user, keep_token=keep_token)
    record(session, "admin.user.revoke_sessions", actor, user_id=user.id, email=user.email,
           sessions_ended=ended, **_place_detail(user))
    return ended
