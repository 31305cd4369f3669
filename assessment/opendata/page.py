"""The public open data page of one round, computed before the template runs: the tables of
groups with their drawings, one page of the published cities, the licence."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import Session

from assessment.assessments.models import Round
from assessment.charts import REGION_COLOUR
from assessment.charts.strip import Spread, strip_svg
from assessment.formatting import number
from assessment.opendata.published import (
    GROUP,
    REGION,
    SIZE,
    Element,
    GroupFigures,
    PublishedCity,
    Stats,
    group_figures,
    published_cities,
    published_count,
    round_elements,
)
from assessment.places.labels import SIZE_LABELS
from assessment.places.models import SizeClass

CITIES_PER_PAGE = 100

# What the page calls each grouping, in its own section; countries are in the downloads only.
SHOWN_GROUPINGS = {
    REGION: (_l("By region"), _l("Region")),
    SIZE: (_l("By size class"), _l("Size class")),
    GROUP: (_l("By peer group"), _l("Peer group")),
}


@dataclass(frozen=True)
class Licence:
    code: str
    name: str
    url: str | None


# Licences an operator is likely to choose, by their SPDX identifier; any other text is shown as given.
KNOWN_LICENCES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0 International (CC BY 4.0)",
                  "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)",
                     "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0 Universal (CC0 1.0)",
                "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License (ODbL) 1.0",
                 "https://opendatacommons.org/licenses/odbl/1-0/"),
    "PDDL-1.0": ("Open Data Commons Public Domain Dedication and License (PDDL) 1.0",
                 "https://opendatacommons.org/licenses/pddl/1-0/"),
}


def licence_of(setting: str) -> Licence:
    """The licence named by the ``OPEN_DATA_LICENCE`` setting."""
    known = {code.casefold(): code for code in KNOWN_LICENCES}
    code = known.get(setting.strip().casefold())
    if code is None:
        return Licence(setting.strip(), setting.strip(), None)
    name, url = KNOWN_LICENCES[code]
    return Licence(code, name, url)


@dataclass(frozen=True)
class GroupRow:
    label: str
    cities: int
    overall: Stats | None
    drawing: Markup | None
    medians: list[float | None]  # per element, in the page's order


@dataclass(frozen=True)
class GroupTable:
    grouping: str
    heading: str
    column: str  # the heading of the first column
    rows: list[GroupRow]


@dataclass(frozen=True)
class CityPage:
    rows: list[PublishedCity]
    page: int
    pages: int
    total: int

    @property
    def first(self) -> int:
        return (self.page - 1) * CITIES_PER_PAGE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


@dataclass(frozen=True)
class OpenDataPage:
    round: Round
    elements: list[Element]
    tables: list[GroupTable]
    cities: CityPage
    minimum: int


@dataclass(frozen=True)
class ScoreFormat:
    """Scores (0 to 100, one decimal) with the locale's decimal sign: the page holds hundreds
    of them, and Babel's full number patterns would cost more than the rest of the page."""

    decimal: str

    def __call__(self, value: float | None) -> str:
        return "" if value is None else f"{value:.1f}".replace(".", self.decimal)


def score_format() -> ScoreFormat:
    from babel.numbers import get_decimal_symbol
    from flask_babel import get_locale

    return ScoreFormat(get_decimal_symbol(get_locale()))


def group_label(grouping: str, key: str) -> str:
    if grouping == SIZE:
        return str(SIZE_LABELS[SizeClass(key)])
    return key


def _row(figures: GroupFigures, elements: list[Element], ident: str) -> GroupRow:
    label = group_label(figures.grouping, figures.key)
    overall = figures.overall
    drawing = None
    if overall is not None:
        spread = Spread(*(round(v, 1) for v in (overall.low, overall.q1, overall.median, overall.q3,
                                                overall.high)))
        drawing = strip_svg(spread, None, ident=ident, spread_colour=REGION_COLOUR,
                            value_colour=REGION_COLOUR, title=_(
                                "%(group)s: overall index of %(num)s published cities from %(low)s "
                                "to %(high)s, median %(median)s", group=label, num=figures.cities,
                                low=number(spread.low), high=number(spread.high),
                                median=number(spread.median)))
    medians = [None if (s := figures.elements.get(e.id)) is None else s.median for e in elements]
    return GroupRow(label, figures.cities, overall, drawing, medians)


def open_data_page(session: Session, round_: Round, *, minimum: int, page: int = 1) -> OpenDataPage:
    """The groups' figures, computed by the database, and the page's published cities: only
    those are read, whatever the number of published cities."""
    elements = round_elements(session, round_)
    # Countries are in the downloads only: the page computes the groupings it shows.
    figures = group_figures(session, round_, elements, minimum, tuple(SHOWN_GROUPINGS))
    tables = []
    for grouping, (heading, column) in SHOWN_GROUPINGS.items():
        rows = [_row(f, elements, f"spread-{grouping}-{n}")
                for n, f in enumerate(figures.get(grouping, []), start=1)]
        tables.append(GroupTable(grouping, str(heading), str(column), rows))
    total = published_count(session, round_)
    pages = max(1, -(-total // CITIES_PER_PAGE))
    page = min(max(page, 1), pages)
    cities = published_cities(session, round_, elements, offset=(page - 1) * CITIES_PER_PAGE,
                              limit=CITIES_PER_PAGE)
    return OpenDataPage(round_, elements, tables, CityPage(cities, page, pages, total), minimum)
