"""Creating, changing and deleting regions, countries and cities. Services flush; the caller commits.

Every change returns what it changed (``{"field": [old, new]}``) so the caller can record it.
Deleting lives with the administration (``assessment.admin.places``): what may block it, accounts
and assessments, belongs to features built on top of places, which this module must not import.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from assessment.places.models import City, Country, Region, SizeClass

Changes = dict[str, list[Any]]


class PlaceError(ValueError):
    """A user-facing reason why a place cannot be created, changed or deleted.

    ``field`` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise PlaceError(_("Enter a name."), field="name")
    return cleaned


def taken(session: Session, column: InstrumentedAttribute[Any], value: str, *,
           exclude_id: int | None, extra: ColumnElement[bool] | None = None) -> bool:
    """Whether another row already uses ``value`` (ignoring case) in ``column``."""
    model = column.class_
    query = select(model.id).where(func.lower(column) == value.lower())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if extra is not None:
        query = query.where(extra)
    return session.scalar(query.limit(1)) is not None


def apply_changes(obj: object, values: dict[str, Any]) -> Changes:
    changes: Changes = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [old.value if hasattr(old, "value") else old,
                              new.value if hasattr(new, "value") else new]
            setattr(obj, field, new)
    return changes


# --- regions ----------------------------------------------------------------------------


def _check_region_name(session: Session, name: str, exclude_id: int | None = None) -> str:
    name = clean_name(name)
    if taken(session, Region.name, name, exclude_id=exclude_id):
        raise PlaceError(_("There is already a region called %(name)s.", name=name), field="name")
    return name


def create_region(session: Session, name: str) -> Region:
    region = Region(name=_check_region_name(session, name))
    session.add(region)
    session.flush()
    return region


def rename_region(session: Session, region: Region, name: str) -> Changes:
    changes = apply_changes(region, {"name": _check_region_name(session, name, region.id)})
    session.flush()
    return changes


# --- countries --------------------------------------------------------------------------


def _check_country(session: Session, name: str, iso_code: str | None,
                   exclude_id: int | None = None) -> tuple[str, str | None]:
    name = clean_name(name)
    if taken(session, Country.name, name, exclude_id=exclude_id):
        raise PlaceError(_("There is already a country called %(name)s.", name=name), field="name")
    code = (iso_code or "").strip().upper() or None
    if code is not None:
        if not (code.isascii() and code.isalpha() and len(code) in (2, 3)):
            raise PlaceError(_("An ISO code has two or three letters, e.g. RW or RWA."), field="iso_code")
        if taken(session, Country.iso_code, code, exclude_id=exclude_id):
            raise PlaceError(_("Another country already has the ISO code %(code)s.", code=code),
                             field="iso_code")
    return name, code


def create_country(session: Session, *, name: str, iso_code: str | None, region: Region) -> Country:
    name, code = _check_country(session, name, iso_code)
    country = Country(name=name, iso_code=code, region_id=region.id)
    session.add(country)
    session.flush()
    return country


def update_country(session: Session, country: Country, *, name: str, iso_code: str | None,
                   region: Region) -> Changes:
    name, code = _check_country(session, name, iso_code, country.id)
    changes = apply_changes(country, {"name": name, "iso_code": code, "region_id": region.id})
    session.flush()
    return changes


# --- cities -----------------------------------------------------------------------------


def _check_city(session: Session, name: str, country: Country, population: int | None,
                exclude_id: int | None = None) -> str:
    name = clean_name(name)
    if taken(session, City.name, name, exclude_id=exclude_id, extra=City.country_id == country.id):
        raise PlaceError(
            _("%(country)s already has a city called %(name)s.", country=country.name, name=name),
            field="name",
        )
    if population is not None and population < 0:
        raise PlaceError(_("The population cannot be negative."), field="population")
    return name


def create_city(session: Session, *, name: str, country: Country, population: int | None) -> City:
    city = City(
        name=_check_city(session, name, country, population),
        country_id=country.id,
        population=population,
        size_class=SizeClass.for_population(population),
    )
    session.add(city)
    session.flush()
    return city


def update_city(session: Session, city: City, *, name: str, country: Country,
                population: int | None) -> Changes:
    name = _check_city(session, name, country, population, city.id)
    changes = apply_changes(city, {
        "name": name, "country_id": country.id, "population": population,
        "size_class": SizeClass.for_population(population),
    })
    session.flush()
    return changes
