"""Reference lists for the API (rounds, regions, cities, the caller), scoped like the web pages.

The response tables themselves come from ``assessment.exports.services``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from assessment.api.models import ApiToken
from assessment.assessments.models import Assessment, QuestionnaireVersion, Round
from assessment.auth.models import User
from assessment.places.models import City, Country, Region

HASH_PREFIX = 12


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def _visible_cities(scope: ColumnElement[bool]) -> Any:
    return select(City.id).where(scope)


def count_rounds(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Round)) or 0


def list_rounds(session: Session, scope: ColumnElement[bool], offset: int,
                limit: int) -> list[dict[str, Any]]:
    """Rounds are shared by every city; the counts cover the cities the caller may see."""
    assessments = (
        select(func.count()).select_from(Assessment)
        .where(Assessment.round_id == Round.id, Assessment.city_id.in_(_visible_cities(scope)))
        .scalar_subquery()
    )
    rows = session.execute(
        select(Round, QuestionnaireVersion.label, QuestionnaireVersion.content_hash, assessments)
        .join(QuestionnaireVersion, Round.questionnaire_version_id == QuestionnaireVersion.id)
        .order_by(Round.opens_on, Round.id).offset(offset).limit(limit)
    )
    return [
        {"id": round_.id, "name": round_.name, "opens_on": iso(round_.opens_on),
         "closes_on": iso(round_.closes_on),
         # The round's own instants with the offset of its time zone (no city's extension).
         "opens_at": round_.opens_at.isoformat(),
         "closes_at": round_.closes_at.isoformat() if round_.closes_at else None,
         "time_zone": round_.time_zone,
         "questionnaire_version": label, "questionnaire_hash": content_hash[:HASH_PREFIX],
         "assessments": count}
        for round_, label, content_hash, count in rows
    ]


def _region_statement(scope: ColumnElement[bool], global_view: bool) -> Any:
    cities = (select(Country.region_id, func.count(City.id).label("cities"),
                     func.count(func.distinct(Country.id)).label("countries"))
              .select_from(City).join(Country, City.country_id == Country.id).where(scope)
              .group_by(Country.region_id).subquery())
    stmt = select(Region.id, Region.name, func.coalesce(cities.c.countries, 0),
                  func.coalesce(cities.c.cities, 0))
    if global_view:
        return stmt.outerjoin(cities, cities.c.region_id == Region.id)
    return stmt.join(cities, cities.c.region_id == Region.id)


def count_regions(session: Session, scope: ColumnElement[bool], global_view: bool) -> int:
    stmt = _region_statement(scope, global_view).subquery()
    return session.scalar(select(func.count()).select_from(stmt)) or 0


def list_regions(session: Session, scope: ColumnElement[bool], global_view: bool, offset: int,
                 limit: int) -> list[dict[str, Any]]:
    """Regions with the countries and cities the caller may see (analysts: every region)."""
    rows = session.execute(_region_statement(scope, global_view)
                           .order_by(Region.name, Region.id).offset(offset).limit(limit))
    return [{"id": id_, "name": name, "countries": countries, "cities": cities}
            for id_, name, countries, cities in rows]


def _city_statement(scope: ColumnElement[bool], region: str | None, country: str | None) -> Any:
    stmt = (select(City.id, City.name, Country.name, Country.iso_code, Region.name, City.population,
                   City.size_class)
            .join(Country, City.country_id == Country.id)
            .join(Region, Country.region_id == Region.id).where(scope))
    if region:
        stmt = stmt.where(Region.name == region)
    if country:
        stmt = stmt.where(Country.name == country)
    return stmt


def count_cities(session: Session, scope: ColumnElement[bool], region: str | None,
                 country: str | None) -> int:
    stmt = _city_statement(scope, region, country).subquery()
    return session.scalar(select(func.count()).select_from(stmt)) or 0


def list_cities(session: Session, scope: ColumnElement[bool], region: str | None,
                country: str | None, offset: int, limit: int) -> list[dict[str, Any]]:
    rows = session.execute(_city_statement(scope, region, country)
                           .order_by(City.name, City.id).offset(offset).limit(limit))
    return [
        {"id": id_, "name": name, "country": country_name, "country_iso": iso_code,
         "region": region_name, "population": population,
         "size_class": size.value if size is not None else None}
        for id_, name, country_name, iso_code, region_name, population, size in rows
    ]


def describe_me(user: User, token: ApiToken,
                regions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The caller and its token; ``regions``: the token's regions (None: no limit)."""
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "city": {"id": user.city.id, "name": user.city.name} if user.city is not None else None,
        "region": ({"id": user.region.id, "name": user.region.name}
                   if user.region is not None else None),
        "token": {"id": token.id, "name": token.name, "prefix": token.prefix,
                  "created_at": iso(token.created_at), "last_used_at": iso(token.last_used_at),
                  "expires_at": iso(token.expires_at), "tables": token.tables,
                  "regions": regions},
    }
