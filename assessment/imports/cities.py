"""Importing cities: ``name, country, region[, population]``, one city per row.

A city is known by its name in its country (case and extra spaces ignored): a row naming one
that exists updates its population, any other row adds a city. A country not yet known is added
to the row's region, which must exist; a known country must be in the region the row names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.audit.services import record
from assessment.auth.models import User
from assessment.formatting import number
from assessment.imports import values
from assessment.imports.files import Column, Row, read_table, shown
from assessment.imports.report import ImportReport, Mode, Outcome, RowPlan, finish, importer_region_id
from assessment.logs import escape
from assessment.places import services as places
from assessment.places.models import City, Country, Region, SizeClass

ACTION = "admin.city.import"
# Regions named in a message about an unknown one, at most.
_REGIONS_LISTED = 12

CITY_COLUMNS = (
    Column("name", True, _l("The city's name.")),
    Column("country", True, _l("Its country. A country that is not known yet is added to the region "
                               "of the row.")),
    Column("region", True, _l("The country's region. It must exist already: add new regions on "
                              "the Regions page first.")),
    Column("population", False, _l("Residents, as a whole number (1745000 or 1 745 000); it sets the "
                                   "size class. Empty: unknown, or, for a city already there, "
                                   "unchanged.")),
)
EXAMPLE_ROWS = (
    ("Kigali", "Rwanda", "Africa", "1745000"),
    ("Nakuru", "Kenya", "Africa", "570674"),
    ("Bandung", "Indonesia", "Asia-Pacific", ""),
)


def overflow_problem() -> str:
    return _("This row has more values than the first line has columns: a value with a comma or "
             "semicolon in it needs quotation marks around it.")


def _size(population: int | None) -> str:
    size = SizeClass.for_population(population)
    return size.value.replace("_", " ") if size is not None else "—"


def _population(population: int | None) -> str:
    return number(population, 0) if population is not None else "—"


@dataclass
class _NewCountry:
    """A country the file names that is not known yet: added by the first row written that needs it."""

    name: str
    region: Region
    line: int
    country: Country | None = None

    def get(self, session: Session, actor: User | None) -> Country:
        if self.country is None:
            self.country = places.create_country(session, name=self.name, iso_code=None,
                                                 region=self.region)
            record(session, "admin.country.create", actor, country_id=self.country.id,
                   name=self.country.name, iso_code=None, region_id=self.region.id,
                   region=self.region.name, via="import")
        return self.country


class _Planner:
    def __init__(self, session: Session, actor: User | None) -> None:
        self.session = session
        self.actor = actor
        self.regions = {values.key(r.name): r for r in session.scalars(select(Region))}
        self.countries = {values.key(c.name): c for c in session.scalars(select(Country))}
        self.cities = {(c.country_id, values.key(c.name)): c for c in session.scalars(select(City))}
        self.new_countries: dict[str, _NewCountry] = {}
        self.seen: dict[tuple[str, str], int] = {}

    def _region(self, text: str, problems: list[str]) -> Region | None:
        if not text:
            return None
        region = self.regions.get(values.key(text))
        if region is None:
            names = sorted(r.name for r in self.regions.values())
            listed = ", ".join(names[:_REGIONS_LISTED]) + (", …" if len(names) > _REGIONS_LISTED else "")
            problems.append(_("There is no region called %(value)s: correct the name, or first add "
                              "the region on the Regions page of the administration. The regions "
                              "are: %(names)s.",
                              value=shown(text), names=listed or "—"))
        return region

    def plan(self, row: Row) -> RowPlan:
        problems: list[str] = []
        name = values.name(row.values["name"], "name", problems)
        country_name = values.name(row.values["country"], "country", problems)
        region_name = values.name(row.values["region"], "region", problems)
        population = values.population(row.values.get("population", ""), problems)
        if row.overflow:
            problems.append(overflow_problem())
        subject = f"{name} ({country_name})" if country_name else name or "—"
        plan = RowPlan(row.line, escape(subject), problems)
        region = self._region(region_name, problems)
        country = self.countries.get(values.key(country_name)) if country_name else None
        new_country = None
        if country is not None:
            if region is not None and country.region_id != region.id:
                problems.append(_("The country %(country)s is in the region %(actual)s, not %(given)s.",
                                  country=country.name, actual=country.region.name, given=region.name))
        elif country_name and region is not None:
            new_country = self.new_countries.setdefault(
                values.key(country_name), _NewCountry(country_name, region, row.line))
            if new_country.region.id != region.id:
                problems.append(_("Line %(line)d puts the new country %(country)s in the region "
                                  "%(region)s; a country belongs to one region.", line=new_country.line,
                                  country=new_country.name, region=new_country.region.name))
        if name and country_name:
            earlier = self.seen.setdefault((values.key(country_name), values.key(name)), row.line)
            if earlier != row.line:
                problems.append(_("Line %(line)d already has this city.", line=earlier))
        if problems:
            return plan
        if country is not None and (city := self.cities.get((country.id, values.key(name)))) is not None:
            if population is None or population == city.population:
                plan.outcome = Outcome.UNCHANGED
            else:
                plan.outcome = Outcome.UPDATED
                plan.details.append(_("population: %(old)s → %(new)s (size: %(size)s)",
                                      old=_population(city.population), new=_population(population),
                                      size=_size(population)))
                plan.write = self._update(city, population)
            return plan
        plan.outcome = Outcome.ADDED
        if population is not None:
            plan.details.append(_("population: %(population)s (size: %(size)s)",
                                  population=_population(population), size=_size(population)))
        if new_country is not None:
            plan.details.append(_("in a new country of %(region)s", region=new_country.region.name))
            plan.write = self._add(name, lambda: new_country.get(self.session, self.actor), population)
        elif country is not None:
            plan.write = self._add(name, lambda: country, population)
        return plan

    def _update(self, city: City, population: int) -> Callable[[], None]:
        def write() -> None:
            changes = places.update_city(self.session, city, name=city.name, country=city.country,
                                         population=population)
            record(self.session, "admin.city.update", self.actor, city_id=city.id, name=city.name,
                   changes=changes, via="import")
        return write

    def _add(self, name: str, country_of: Callable[[], Country],
             population: int | None) -> Callable[[], None]:
        def write() -> None:
            country = country_of()
            city = places.create_city(self.session, name=name, country=country, population=population)
            record(self.session, "admin.city.create", self.actor, city_id=city.id, name=city.name,
                   country_id=country.id, country=country.name, population=population, via="import")
        return write

    def countries_added(self, _plans: list[RowPlan]) -> dict[str, int]:
        return {"countries_added": sum(1 for new in self.new_countries.values() if new.country is not None)}


def import_cities(session: Session, data: bytes | str, *, actor: User | None, mode: Mode,
                  filename: str = "") -> ImportReport:
    """Check or import a cities file (see the module's docstring). Flushes; the caller commits.

    Raises ImportFileError for a file that cannot be read, ImportAccessError when ``actor``
    (None: a command) may not import cities.
    """
    importer_region_id(actor, users=False)
    table = read_table(data, CITY_COLUMNS)
    planner = _Planner(session, actor)
    plans = [planner.plan(row) for row in table.rows]
    return finish(session, "cities", ACTION, plans, mode, actor=actor, filename=filename,
                  ignored=table.ignored, after_write=planner.countries_added)
