"""Regions, countries and cities as the admin pages list and change them.

Every change is recorded in the audit log. Deleting happens here rather than in
``assessment.places`` because what blocks it (accounts, assessments) lives in the features above
places. Services flush and never commit; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.admin.pagination import Page, paginate
from assessment.assessments.models import Assessment
from assessment.audit.services import record
from assessment.auth.models import Role, User
from assessment.places import services as places
from assessment.places.models import City, Country, Region
from assessment.places.services import PlaceError

# --- lists and choices ------------------------------------------------------------------


@dataclass(frozen=True)
class RegionRow:
    id: int
    name: str
    countries: int
    cities: int
    accounts: int


def region_rows(session: Session) -> list[RegionRow]:
    countries = select(func.count(Country.id)).where(Country.region_id == Region.id).scalar_subquery()
    cities = (
        select(func.count(City.id)).join(Country, City.country_id == Country.id)
        .where(Country.region_id == Region.id).scalar_subquery()
    )
    accounts = select(func.count(User.id)).where(User.region_id == Region.id).scalar_subquery()
    rows = session.execute(select(Region.id, Region.name, countries, cities, accounts).order_by(Region.name))
    return [RegionRow(*row) for row in rows]


def regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.name)))


def countries_by_region(session: Session) -> list[tuple[str, list[Country]]]:
    """Countries grouped under their region's name, both in alphabetical order."""
    groups: dict[str, list[Country]] = {}
    query = select(Country, Region.name).join(Region).order_by(Region.name, Country.name)
    for country, region_name in session.execute(query):
        groups.setdefault(region_name, []).append(country)
    return list(groups.items())


@dataclass(frozen=True)
class CountryRow:
    id: int
    name: str
    iso_code: str | None
    region: str
    cities: int


def country_rows(session: Session, region_id: int | None = None) -> list[CountryRow]:
    cities = select(func.count(City.id)).where(City.country_id == Country.id).scalar_subquery()
    query = (
        select(Country.id, Country.name, Country.iso_code, Region.name, cities)
        .join(Region).order_by(Country.name)
    )
    if region_id is not None:
        query = query.where(Country.region_id == region_id)
    return [CountryRow(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class CityRow:
    id: int
    name: str
    country: str
    region: str
    population: int | None
    size_class: str | None
    assessments: int
    officials: int  # active official accounts


def city_page(session: Session, *, region_id: int | None, country_id: int | None, text: str,
              page: int) -> Page[CityRow]:
    assessments = select(func.count(Assessment.id)).where(Assessment.city_id == City.id).scalar_subquery()
    officials = (select(func.count(User.id))
                 .where(User.city_id == City.id, User.role == Role.OFFICIAL, User.active.is_(True))
                 .scalar_subquery())
    query = (
        select(City.id, City.name, Country.name, Region.name, City.population, City.size_class,
               assessments, officials)
        .join(Country, City.country_id == Country.id)
        .join(Region, Country.region_id == Region.id)
        .order_by(City.name, Country.name, City.id)
    )
    if region_id is not None:
        query = query.where(Country.region_id == region_id)
    if country_id is not None:
        query = query.where(City.country_id == country_id)
    if text:
        query = query.where(City.name.icontains(text, autoescape=True))
    found = paginate(session, query, page)
    return found.with_items([
        CityRow(id, name, country, region, population,
                size.value.replace("_", " ") if size is not None else None, count, people)
        for id, name, country, region, population, size, count, people in found.items
    ])


# --- what stops a delete ----------------------------------------------------------------


def region_delete_blocker(session: Session, region: Region) -> str | None:
    """Why ``region`` cannot be deleted, or None when it is empty."""
    countries = session.scalar(select(func.count(Country.id)).where(Country.region_id == region.id)) or 0
    if countries:
        return ngettext(
            "%(name)s still has %(num)d country. Move it to another region or delete it first.",
            "%(name)s still has %(num)d countries. Move them to other regions or delete them first.",
            countries, name=region.name,
        )
    users = session.scalar(select(func.count(User.id)).where(User.region_id == region.id)) or 0
    if users:
        return ngettext(
            "%(num)d regional account belongs to %(name)s. Give it another region first.",
            "%(num)d regional accounts belong to %(name)s. Give them another region first.",
            users, name=region.name,
        )
    return None


def country_delete_blocker(session: Session, country: Country) -> str | None:
    cities = session.scalar(select(func.count(City.id)).where(City.country_id == country.id)) or 0
    if cities:
        return ngettext(
            "%(name)s still has %(num)d city. Delete it or move it to another country first.",
            "%(name)s still has %(num)d cities. Delete them or move them to other countries first.",
            cities, name=country.name,
        )
    return None


def city_delete_blocker(session: Session, city: City) -> str | None:
    """Why ``city`` cannot be deleted: it has assessments (which are kept) or accounts."""
    assessments = session.scalar(
        select(func.count(Assessment.id)).where(Assessment.city_id == city.id)
    ) or 0
    if assessments:
        return ngettext(
            "%(name)s has %(num)d assessment, which must be kept, so the city cannot be deleted.",
            "%(name)s has %(num)d assessments, which must be kept, so the city cannot be deleted.",
            assessments, name=city.name,
        )
    users = session.scalar(select(func.count(User.id)).where(User.city_id == city.id)) or 0
    if users:
        return ngettext(
            "%(num)d official's account belongs to %(name)s. Give it another city first.",
            "%(num)d officials' accounts belong to %(name)s. Give them another city first.",
            users, name=city.name,
        )
    return None


def _delete_unless_blocked(session: Session, place: Region | Country | City, blocker: str | None) -> None:
    """Delete ``place``, or raise ``PlaceError`` with the reason it must stay."""
    if blocker:
        raise PlaceError(blocker)
    session.delete(place)
    session.flush()


# --- changes ----------------------------------------------------------------------------


def create_region(session: Session, actor: User, name: str) -> Region:
    region = places.create_region(session, name)
    record(session, "admin.region.create", actor, region_id=region.id, name=region.name)
    return region


def rename_region(session: Session, actor: User, region: Region, name: str) -> places.Changes:
    changes = places.rename_region(session, region, name)
    if changes:
        record(session, "admin.region.rename", actor, region_id=region.id, changes=changes)
    return changes


def delete_region(session: Session, actor: User, region: Region) -> str:
    name, region_id = region.name, region.id
    _delete_unless_blocked(session, region, region_delete_blocker(session, region))
    record(session, "admin.region.delete", actor, region_id=region_id, name=name)
    return name


def create_country(session: Session, actor: User, *, name: str, iso_code: str | None,
                   region: Region) -> Country:
    country = places.create_country(session, name=name, iso_code=iso_code, region=region)
    record(session, "admin.country.create", actor, country_id=country.id, name=country.name,
           iso_code=country.iso_code, region_id=region.id, region=region.name)
    return country


def update_country(session: Session, actor: User, country: Country, *, name: str,
                   iso_code: str | None, region: Region) -> places.Changes:
    changes = places.update_country(session, country, name=name, iso_code=iso_code, region=region)
    if changes:
        record(session, "admin.country.update", actor, country_id=country.id, name=country.name,
               changes=changes)
    return changes


def delete_country(session: Session, actor: User, country: Country) -> str:
    name, country_id = country.name, country.id
    _delete_unless_blocked(session, country, country_delete_blocker(session, country))
    record(session, "admin.country.delete", actor, country_id=country_id, name=name)
    return name


def create_city(session: Session, actor: User, *, name: str, country: Country,
                population: int | None) -> City:
    city = places.create_city(session, name=name, country=country, population=population)
    record(session, "admin.city.create", actor, city_id=city.id, name=city.name,
           country_id=country.id, country=country.name, population=population)
    return city


def update_city(session: Session, actor: User, city: City, *, name: str, country: Country,
                population: int | None) -> places.Changes:
    changes = places.update_city(session, city, name=name, country=country, population=population)
    if changes:
        record(session, "admin.city.update", actor, city_id=city.id, name=city.name, changes=changes)
    return changes


def delete_city(session: Session, actor: User, city: City) -> str:
    name, city_id, country = city.name, city.id, city.country.name
    _delete_unless_blocked(session, city, city_delete_blocker(session, city))
    record(session, "admin.city.delete", actor, city_id=city_id, name=name, country=country)
    return name
