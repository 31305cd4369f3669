"""Who may see what. Every view that touches a city's data asks here, on the server.

An official's city and a regional user's region always come from the account,
never from the request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import abort, current_app
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, false, or_, select, true

from assessment.auth.models import Role, User
from assessment.auth.signals import access_denied
from assessment.extensions import db
from assessment.places.models import City, Country, Region

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Signed in, and holding one of ``roles``; otherwise 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def deny_hidden(user: User) -> NoReturn:
    """Refuse a city's data that ``user`` may not see with 404, as if it did not exist; the
    refusal itself goes to the audit trail."""
    access_denied.send(current_app._get_current_object(), user=user, status=404)  # type: ignore[attr-defined]
    db.session.commit()
    abort(404)


def city_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ``City`` limiting a query to the cities ``user`` may see.

    The query must join ``City`` (and the clause uses a subquery for the region, so no
    join on ``Country`` is required).
    """
    if user.role in (Role.ADMIN, Role.ANALYST):
        return true()
    if user.role == Role.REGIONAL and user.region_id is not None:
        return City.country_id.in_(select(Country.id).where(Country.region_id == user.region_id))
    if user.role == Role.OFFICIAL and user.city_id is not None:
        return City.id == user.city_id
    return false()


def can_view_city(user: User, city: City) -> bool:
    if user.role in (Role.ADMIN, Role.ANALYST):
        return True
    if user.role == Role.REGIONAL:
        return city.country.region_id == user.region_id
    return user.role == Role.OFFICIAL and city.id == user.city_id


def can_edit_city(user: User, city: City) -> bool:
    """Only the city's own officials fill in its questionnaire."""
    return user.role == Role.OFFICIAL and city.id == user.city_id


def can_edit_plan(user: User, city: City) -> bool:
    """A city's action plan is changed by those who fill in its questionnaire."""
    return can_edit_city(user, city)


def can_publish_scores(user: User, city: City) -> bool:
    """Giving or withdrawing a city's consent to publish its scores as open data: only its
    own officials, who answer for it."""
    return can_edit_city(user, city)


def can_read_plan(user: User, city: City) -> bool:
    """A city's action plan is read by its officials, its regional office and administrators."""
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.REGIONAL:
        return city.country.region_id == user.region_id
    return can_edit_plan(user, city)


def can_reopen_city(user: User, city: City) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.REGIONAL and city.country.region_id == user.region_id


def can_set_deadline(user: User, city: City) -> bool:
    """Extending a city's deadline in a round: its regional office, or an administrator."""
    return can_reopen_city(user, city)


def can_view_region(user: User, region_id: int) -> bool:
    if user.role in (Role.ADMIN, Role.ANALYST):
        return True
    return user.role == Role.REGIONAL and user.region_id == region_id


# --- people: who may list, contact and invite whom ----------------------------------------------


def can_manage_people(user: User) -> bool:
    """Administrators and regional offices list, contact and invite people (regional offices in
    their own region only)."""
    return user.role in (Role.ADMIN, Role.REGIONAL)


def user_scope(viewer: User) -> ColumnElement[bool]:
    """A WHERE clause on ``User`` limiting a query to the accounts ``viewer`` may list: all for an
    administrator; for a regional office, its region's regional accounts and the officials of its
    cities; none for anyone else."""
    if viewer.role == Role.ADMIN:
        return true()
    if viewer.role == Role.REGIONAL and viewer.region_id is not None:
        cities = select(City.id).join(Country, City.country_id == Country.id).where(
            Country.region_id == viewer.region_id)
        return or_(User.region_id == viewer.region_id, User.city_id.in_(cities))
    return false()


def can_see_person(viewer: User, person: User) -> bool:
    """The rule of ``user_scope`` for one account."""
    if viewer.role == Role.ADMIN:
        return True
    if viewer.role != Role.REGIONAL or viewer.region_id is None:
        return False
    if person.role == Role.REGIONAL:
        return person.region_id == viewer.region_id
    return person.city is not None and person.city.country.region_id == viewer.region_id


def can_invite(viewer: User, role: Role, city: City | None, region: Region | None) -> bool:
    """Making and inviting an account: administrators any; a regional office, officials of its
    region's cities and regional accounts of its region."""
    if viewer.role == Role.ADMIN:
        return True
    if viewer.role != Role.REGIONAL or viewer.region_id is None:
        return False
    if role == Role.OFFICIAL:
        return city is not None and city.country.region_id == viewer.region_id
    if role == Role.REGIONAL:
        return region is not None and region.id == viewer.region_id
    return False


def can_view_contacts(viewer: User, city: City) -> bool:
    """A city's officials, with their addresses and activity: its regional office, administrators."""
    if viewer.role == Role.ADMIN:
        return True
    return viewer.role == Role.REGIONAL and city.country.region_id == viewer.region_id
