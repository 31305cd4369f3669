"""Who may see what. Every view that touches a city's data asks here, on the server.

An official's city and a regional user's region always come from the account,
never from the request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, false, select, true

from assessment.auth.models import Role, User
from assessment.places.models import City, Country

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


def can_reopen_city(user: User, city: City) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.REGIONAL and city.country.region_id == user.region_id


def can_view_region(user: User, region_id: int) -> bool:
    if user.role in (Role.ADMIN, Role.ANALYST):
        return True
    return user.role == Role.REGIONAL and user.region_id == region_id
