"""What the open data page may show: the stored scores of the cities that agreed to publish
them, and the figures of groups of those cities.

Published means: the city's consent for the round stands and its assessment of the round is
submitted. ``PUBLISHED`` is the one definition, and every figure of the page and of the
downloads is computed from the rows it selects, and from nothing else: a city that did not
agree is in no median, no count and no list, so that no difference between two figures can
reveal it. A group's figures are shown only when at least ``MIN_PEER_CITIES`` published
cities are in it, and a measure only when as many have a score for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from assessment.assessments.models import (
    EDITABLE,
    Assessment,
    ElementScore,
    QuestionnaireVersion,
    Round,
)
from assessment.assessments.versions import questionnaire_for
from assessment.dashboard.aggregates import quartile_bounds, quartiles_of
from assessment.i18n import localized
from assessment.opendata.models import OpenDataConsent
from assessment.places.models import City, Country, Region, SizeClass
from assessment.places.peers import PeerGroup, PeerGroupCity

# The assessments whose scores are published: consent given for their round, and submitted
# (not a draft, nor being changed by the city: then its scores may be about to change).
PUBLISHED: ColumnElement[bool] = and_(
    OpenDataConsent.city_id == Assessment.city_id,
    OpenDataConsent.round_id == Assessment.round_id,
    OpenDataConsent.consented.is_(True),
    Assessment.status.notin_(EDITABLE),
)

# The groupings whose figures are published, in the order the page shows them.
REGION, SIZE, GROUP, COUNTRY = "region", "size_class", "peer_group", "country"
GROUPINGS = (REGION, SIZE, GROUP, COUNTRY)
OVERALL = "overall_index"
QUARTILES = [0.25, 0.5, 0.75]


def published_rounds(session: Session) -> list[Round]:
    """The rounds with at least one published assessment, the newest first."""
    any_published = exists().where(Assessment.round_id == Round.id, PUBLISHED)
    return list(session.scalars(
        select(Round).where(any_published).order_by(Round.opens_on.desc(), Round.id.desc())))


@dataclass(frozen=True)
class Element:
    id: str
    number: int
    title: str


@dataclass(frozen=True)
class PublishedCity:
    """One city's published scores in one round."""

    assessment_id: int
    city_id: int
    city: str
    country: str
    country_iso: str | None
    region: str
    size_class: SizeClass | None
    version: str
    overall: float | None
    balance: float | None
    scores: dict[str, float | None]


@dataclass(frozen=True)
class PublishedRound:
    round: Round
    elements: list[Element]
    cities: list[PublishedCity]  # by name, then country


def _elements(session: Session, round_: Round, version_ids: Sequence[int]) -> list[Element]:
    """The round's elements in its questionnaire's order, then those only other versions of the
    published assessments have."""
    versions = [round_.questionnaire_version, *session.scalars(
        select(QuestionnaireVersion).where(QuestionnaireVersion.id.in_(version_ids),
                                           QuestionnaireVersion.id != round_.questionnaire_version_id)
        .order_by(QuestionnaireVersion.id))]
    found: dict[str, str] = {}
    for version in versions:
        for element in questionnaire_for(version).elements:
            found.setdefault(element.id, localized(element.title))
    return [Element(id_, n, title) for n, (id_, title) in enumerate(found.items(), start=1)]


def round_elements(session: Session, round_: Round) -> list[Element]:
    """The elements of the published assessments of ``round_``, numbered as the page shows them."""
    version_ids = list(session.scalars(
        select(Assessment.questionnaire_version_id).distinct()
        .where(Assessment.round_id == round_.id, exists().where(PUBLISHED))))
    return _elements(session, round_, version_ids) if version_ids else []


def published_count(session: Session, round_: Round) -> int:
    return session.scalar(select(func.count()).select_from(Assessment).join(OpenDataConsent, PUBLISHED)
                          .where(Assessment.round_id == round_.id)) or 0


def published_cities(session: Session, round_: Round, elements: Sequence[Element], *,
                     offset: int = 0, limit: int | None = None) -> list[PublishedCity]:
    """The published cities of ``round_`` with their scores, by name then country: all of them,
    or ``limit`` from ``offset``. One query, the element scores pivoted by the database (one row
    per city), and only for the cities asked for."""
    order = (City.name, Country.name, City.id)
    chosen = (select(Assessment.id).join(OpenDataConsent, PUBLISHED)
              .where(Assessment.round_id == round_.id))
    if limit is not None:
        chosen = (chosen.join(City, City.id == Assessment.city_id)
                  .join(Country, Country.id == City.country_id)
                  .order_by(*order).offset(offset).limit(limit))
    pivot = select(
        ElementScore.assessment_id.label("assessment_id"),
        *(func.max(case((ElementScore.element_id == e.id, ElementScore.score), else_=literal(None)))
          .label(f"e{index}") for index, e in enumerate(elements)),
    ).where(ElementScore.assessment_id.in_(chosen)).group_by(ElementScore.assessment_id).subquery()
    rows = session.execute(
        select(Assessment.id, City.id, City.name, Country.name, Country.iso_code, Region.name,
               City.size_class, QuestionnaireVersion.label, Assessment.overall_index,
               Assessment.overall_geometric,
               *(pivot.c[f"e{index}"] for index in range(len(elements))))
        .join(City, City.id == Assessment.city_id)
        .join(Country, Country.id == City.country_id)
        .join(Region, Region.id == Country.region_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Assessment.questionnaire_version_id)
        .outerjoin(pivot, pivot.c.assessment_id == Assessment.id)
        .where(Assessment.id.in_(chosen))
        .order_by(*order)
    ).all()
    ids = [e.id for e in elements]
    # Thousands of rows for a download: each read once as a plain tuple.
    return [PublishedCity(
        assessment_id=values[0], city_id=values[1], city=values[2], country=values[3],
        country_iso=values[4], region=values[5], size_class=values[6], version=values[7],
        overall=values[8], balance=values[9],
        scores=dict(zip(ids, map(_score, values[10:]), strict=True)),
    ) for values in map(tuple, rows)]


def published_round(session: Session, round_: Round) -> PublishedRound:
    """Every published city of ``round_`` with its scores (for the downloads)."""
    elements = round_elements(session, round_)
    return PublishedRound(round_, elements, published_cities(session, round_, elements))


def _score(value: Any) -> float | None:
    return None if value is None else float(value)


# --- the figures of groups -----------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """One measure over the published cities of a group that have a score for it."""

    count: int
    mean: float
    low: float
    q1: float
    median: float
    q3: float
    high: float


@dataclass(frozen=True)
class GroupFigures:
    grouping: str  # one of GROUPINGS
    key: str  # stable across languages: a name, or a size class's code
    cities: int
    overall: Stats | None  # None: fewer scores than the minimum
    elements: dict[str, Stats | None] = field(default_factory=dict)


def _members(grouping: str, pivot: Any) -> Select[Any]:
    """Each published assessment's row of ``pivot`` with its group of ``grouping`` (one row per
    group it is in: a city may be in several peer groups, or in none)."""
    key: ColumnElement[str]
    stmt = select(*pivot.c)
    if grouping == GROUP:
        key = PeerGroup.name.label("key")
        stmt = (stmt.join(PeerGroupCity, PeerGroupCity.city_id == pivot.c.city_id)
                .join(PeerGroup, PeerGroup.id == PeerGroupCity.group_id))
    else:
        stmt = stmt.join(City, City.id == pivot.c.city_id)
        if grouping == SIZE:
            key = type_coerce(City.size_class, String).label("key")
            stmt = stmt.where(City.size_class.is_not(None))
        else:
            stmt = stmt.join(Country, Country.id == City.country_id)
            key = Country.name.label("key")
            if grouping == REGION:
                key = Region.name.label("key")
                stmt = stmt.join(Region, Region.id == Country.region_id)
    return stmt.add_columns(literal(grouping, String).label("grouping"), key)


def group_figures(session: Session, round_: Round, elements: Sequence[Element], minimum: int,
                  groupings: Sequence[str] = GROUPINGS) -> dict[str, list[GroupFigures]]:
    """For each of ``groupings``, its groups of at least ``minimum`` published cities, by key,
    with the count, mean, extremes and quartiles of each measure (the overall index and each
    of ``elements``) over the group's cities with a score for it, when at least ``minimum``
    have one. Computed by the database in one statement from the published rows alone, a row
    per group; quartiles interpolated linearly between the ordered values, as numpy and plotly
    do: by PostgreSQL's ``percentile_cont``, or on SQLite, which has none, from each value's
    rank (several times slower on PostgreSQL for thousands of cities)."""
    measures = [OVERALL, *(e.id for e in elements)]
    published = (select(Assessment.id.label("assessment_id"), Assessment.city_id,
                        Assessment.overall_index)
                 .join(OpenDataConsent, PUBLISHED).where(Assessment.round_id == round_.id)
                 .cte("published"))
    # One row per published assessment: a column per measure.
    pivot = (
        select(published.c.assessment_id, published.c.city_id,
               func.max(published.c.overall_index).label("m0"),
               *(func.max(case((ElementScore.element_id == e.id, ElementScore.score)))
                 .label(f"m{number}") for number, e in enumerate(elements, start=1)))
        .select_from(published)
        .outerjoin(ElementScore, ElementScore.assessment_id == published.c.assessment_id)
        .group_by(published.c.assessment_id, published.c.city_id)
    ).cte("pivot")
    members = union_all(*(_members(g, pivot) for g in groupings)).cte("members")
    group_of = (members.c.grouping, members.c.key)
    ranks = session.get_bind().dialect.name != "postgresql"
    source: Any = members
    if ranks:
        # Each value's rank in its group from 0, the cities without one after them.
        source = select(members, *(column for number in range(len(measures)) for column in (
            (func.row_number().over(partition_by=group_of,
                                    order_by=(members.c[f"m{number}"].is_(None),
                                              members.c[f"m{number}"])) - 1).label(f"r{number}"),
            func.count(members.c[f"m{number}"]).over(partition_by=group_of).label(f"n{number}"),
        ))).cte("ranked")
    columns: list[Any] = [source.c.grouping, source.c.key, func.count().label("cities")]
    for number in range(len(measures)):
        value = source.c[f"m{number}"]
        columns += [func.count(value).label(f"m{number}_count"),
                    func.avg(value).label(f"m{number}_mean"),
                    func.min(value).label(f"m{number}_low"), func.max(value).label(f"m{number}_high")]
        if ranks:
            columns += quartile_bounds(source.c[f"r{number}"], source.c[f"n{number}"], value,
                                       prefix=f"m{number}_")
        else:
            columns.append(func.percentile_cont(postgresql.array(QUARTILES))
                           .within_group(value).label(f"m{number}_quartiles"))
    rows = session.execute(
        select(*columns).group_by(source.c.grouping, source.c.key).having(func.count() >= minimum)
    ).mappings()

    figures: dict[str, list[GroupFigures]] = {grouping: [] for grouping in groupings}
    for row in rows:
        stats: dict[str, Stats | None] = {}
        for number, measure in enumerate(measures):
            count = int(row[f"m{number}_count"])
            if count < minimum:
                stats[measure] = None
                continue
            q1, median, q3 = (quartiles_of(row, count, prefix=f"m{number}_") if ranks
                              else row[f"m{number}_quartiles"])
            stats[measure] = Stats(count, float(row[f"m{number}_mean"]),
                                   float(row[f"m{number}_low"]), float(q1), float(median),
                                   float(q3), float(row[f"m{number}_high"]))
        figures[row["grouping"]].append(GroupFigures(
            row["grouping"], row["key"], int(row["cities"]), stats.pop(OVERALL), stats))
    for grouping, shown in figures.items():
        shown.sort(key=lambda f: _size_order(f.key) if grouping == SIZE else f.key.casefold())
    return figures


def _size_order(key: str) -> Any:
    return list(SizeClass).index(SizeClass(key))
