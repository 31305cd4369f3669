"""Accounts as the admin pages list and change them; every change is recorded in the audit log.

Services flush and never commit; the view commits once. Messages raised here are for people.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, String, and_, cast, or_, select, true
from sqlalchemy.orm import Session

from assessment.admin.errors import AdminError
from assessment.admin.pagination import Page, paginate
from assessment.api import tokens
from assessment.audit.models import AuditEvent
from assessment.audit.services import record
from assessment.auth import services as accounts
from assessment.auth.invitations import awaits_invitation, invite
from assessment.auth.labels import ROLE_LABELS, invitation_state, last_sign_in
from assessment.auth.models import Role, User
from assessment.places.models import City, Country, Region


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    name: str
    role: str
    place: str
    city_id: int | None
    active: bool
    invitation: str  # "Invited on …, accepted on …", or "" for an account made with a password
    invitation_pending: bool
    may_invite: bool  # nobody has used the account yet: an invitation can be sent (again)
    last_login: str  # a moment, or "Never signed in"


def user_page(session: Session, *, role: Role | None, region_id: int | None, text: str,
              status: str, page: int, scope: ColumnElement[bool] | None = None) -> Page[UserRow]:
    """One page of accounts, by email; ``text`` is looked for in the name, email and city, and
    ``scope`` (``assessment.auth.access.user_scope``) limits what the reader may see."""
    query = (
        select(User, City.name, Region.name)
        .outerjoin(City, User.city_id == City.id)
        .outerjoin(Region, User.region_id == Region.id)
        .where(scope if scope is not None else true())
        .order_by(User.email)
    )
    if role is not None:
        query = query.where(User.role == role)
    if region_id is not None:
        in_region = City.country_id.in_(select(Country.id).where(Country.region_id == region_id))
        query = query.where(or_(User.region_id == region_id, and_(User.city_id.is_not(None), in_region)))
    if text:
        query = query.where(or_(User.email.icontains(text, autoescape=True),
                                User.name.icontains(text, autoescape=True),
                                City.name.icontains(text, autoescape=True)))
    if status == "active":
        query = query.where(User.active.is_(True))
    elif status == "inactive":
        query = query.where(User.active.is_(False))
    elif status == "pending":
        query = query.where(User.invited_at.is_not(None), User.accepted_at.is_(None))
    found = paginate(session, query, page)
    return found.with_items([
        UserRow(user.id, user.email, user.name, str(ROLE_LABELS[user.role]),
                city_name or region_name or "", user.city_id, user.active, invitation_state(user),
                user.invitation_pending, awaits_invitation(user), last_sign_in(user))
        for user, city_name, region_name in found.items
    ])


def _place_detail(user: User) -> dict[str, Any]:
    if user.city_id is not None:
        return {"city_id": user.city_id}
    if user.region_id is not None:
        return {"region_id": user.region_id}
    return {}


def pseudonym(user_id: int) -> str:
    """The name an anonymised account keeps (stored data, so not translated)."""
    return f"Former user #{user_id}"


def placeholder_email(user_id: int) -> str:
    """A unique address that can never receive mail (``.invalid`` is reserved, RFC 2606)."""
    return f"former-user-{user_id}@invalid"


def is_anonymised(user: User) -> bool:
    return user.email == placeholder_email(user.id)


def _refuse_anonymised(user: User) -> None:
    if is_anonymised(user):
        raise AdminError(_("This account is anonymised: it cannot be changed or used again."))


def create_account(session: Session, actor: User, *, email: str, name: str, role: Role,
                   city: City | None, region: Region | None, password: str | None,
                   language: str | None = None) -> User:
    """A new account; without ``password``, it gets an invitation to choose one instead."""
    email = accounts.normalise_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AdminError(_("An account with the email %(email)s already exists.", email=email),
                         field="email")
    if password is not None:
        accounts.check_new_password(password)
    user = accounts.create_user(
        session, email=email, password=password, role=role, city=city, region=region,
        name=name.strip(),
        password_hash=accounts.unusable_password_hash() if password is None else None)
    user.language = language or None
    record(session, "admin.user.create", actor, user_id=user.id, email=user.email,
           role=user.role.value, **_place_detail(user))
    if password is None:
        invite(session, user, inviter=actor)
    return user


def send_invitation(session: Session, actor: User, user: User) -> User:
    """An invitation (a new one, when one is pending: the old link stops working), for an account
    nobody has used yet."""
    _refuse_anonymised(user)
    if user.active and not awaits_invitation(user):
        raise AdminError(_("%(email)s already uses this account: an invitation would stop their "
                           "password working. Set a new password instead, if they need one.",
                           email=user.email))
    invite(session, user, inviter=actor)  # refuses a deactivated account
    return user


def update_account(session: Session, actor: User, user: User, *, name: str, role: Role,
                   city: City | None, region: Region | None) -> dict[str, list[Any]]:
    _refuse_anonymised(user)
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
    _refuse_anonymised(user)
    if not user.active:
        accounts.reactivate(session, user)
        record(session, "admin.user.reactivate", actor, user_id=user.id, email=user.email,
               **_place_detail(user))
    return user


def set_account_password(session: Session, actor: User, user: User, password: str, *,
                         actor_password: str, sign_out: bool, keep_token: str | None) -> int:
    """Set a new password once ``actor_password`` proves the administrator is at the keyboard;
    with ``sign_out``, end the user's sign-ins (but not the actor's own)."""
    if not accounts.password_matches(actor, actor_password):
        raise AdminError(_("That is not your password. Nothing was changed."), field="current_password")
    _refuse_anonymised(user)
    accounts.set_password(session, user, password)
    if user.invitation_pending:
        # The new password ends the invitation (its link no longer works): not pending any more.
        user.invited_at = None
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


# --- departed users ---------------------------------------------------------------------


@dataclass(frozen=True)
class Anonymised:
    sessions_ended: int
    tokens_revoked: int
    events_scrubbed: int


def anonymise(session: Session, user: User, actor: User) -> Anonymised:
    """Replace ``user``'s personal data by a pseudonym, for good.

    The row stays, so the city's answers and the audit trail still point to it: name and email
    become a pseudonym (in audit details too), no password works, the account is deactivated
    and every sign-in and API token ends. The city or region is kept.
    """
    if user.id == actor.id:
        raise AdminError(_("You cannot anonymise your own account. Ask another administrator to do it."))
    _refuse_anonymised(user)
    new_email = placeholder_email(user.id)
    if session.scalar(select(User.id).where(User.email == new_email)) is not None:
        raise AdminError(_("Another account already uses the address %(email)s, so this one cannot "
                           "be anonymised.", email=new_email))
    old_email, old_name = user.email, user.name
    ended = accounts.deactivate(session, user)
    revoked = tokens.revoke_all_tokens(session, user, actor=actor)
    accounts.disable_password(session, user)
    user.email, user.name, user.language = new_email, pseudonym(user.id), None
    _scrub_token_names(session, user, old_email, old_name)
    session.flush()
    scrubbed = _scrub_audit(session, user, old_email, old_name)
    record(session, "admin.user.anonymise", actor, user_id=user.id)
    return Anonymised(ended, revoked, scrubbed)


def _email_pattern(email: str) -> re.Pattern[str]:
    return re.compile(re.escape(email), re.IGNORECASE)


def _scrub_token_names(session: Session, user: User, old_email: str, old_name: str) -> None:
    """Token names are free text: a person's address or name in one is replaced too."""
    pattern = _email_pattern(old_email)
    for token in tokens.tokens_of(session, user, include_revoked=True):
        name = pattern.sub(user.email, token.name)
        if old_name:
            name = re.sub(re.escape(old_name), user.name, name, flags=re.IGNORECASE)
        token.name = name[:tokens.MAX_NAME_LENGTH]


def _scrub_audit(session: Session, user: User, old_email: str, old_name: str) -> int:
    """Rewrite the audit details that name ``user``; the events themselves are kept.

    Candidates are found in SQL (events about the user, and any event whose detail text holds
    the address, as typed or as JSON escapes it), then rewritten in Python and assigned anew, so
    the change is written on SQLite and PostgreSQL alike (a JSON value changed in place is not).
    """
    detail_text = cast(AuditEvent.detail, String)
    needles = {old_email, json.dumps(old_email)[1:-1]}
    about_user = AuditEvent.detail["user_id"].as_integer() == user.id
    candidates = session.scalars(select(AuditEvent).where(or_(
        about_user, *(detail_text.icontains(needle, autoescape=True) for needle in needles))))
    pattern = _email_pattern(old_email)
    scrubbed = 0
    for event in candidates:
        detail = event.detail or {}
        about = detail.get("user_id") == user.id
        # A name alone is too common a string to replace outside the events about this person.
        names = {old_name: user.name} if old_name and about else {}
        clean = _scrub_value(detail, pattern, user.email, names)
        if about:
            clean = _scrub_own_fields(clean, user)
        if clean != detail:
            event.detail = clean
            scrubbed += 1
    session.flush()
    return scrubbed


def _scrub_own_fields(detail: dict[str, Any], user: User) -> dict[str, Any]:
    """In an event about ``user``, its email and every name it had (renames too) are theirs."""
    clean = dict(detail)
    if "email" in clean:
        clean["email"] = user.email
    if "name" in clean:
        clean["name"] = user.name
    changes = clean.get("changes")
    if isinstance(changes, dict) and "name" in changes:
        change = changes["name"]
        shown = [user.name if value else value for value in change] if isinstance(change, list) else user.name
        clean["changes"] = {**changes, "name": shown}
    return clean


def _scrub_value(value: Any, email: re.Pattern[str], new_email: str, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return names[value] if value in names else email.sub(new_email, value)
    if isinstance(value, dict):
        return {key: _scrub_value(item, email, new_email, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_value(item, email, new_email, names) for item in value]
    return value
