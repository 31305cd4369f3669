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

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, select
from sqlalchemy.orm import Session

from assessment.assessments.models import (
    EDITABLE,
    Assessment,
    ElementScore,
    QuestionnaireVersion,
    Round,
)
from assessment.assessments.versions import questionnaire_for
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
    groups: tuple[str, ...] = ()


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


def published_round(session: Session, round_: Round) -> PublishedRound:
    """Every published city of ``round_`` with its scores: three queries, whatever the number
    of cities (the element scores are pivoted by the database, one row per city)."""
    version_ids = list(session.scalars(
        select(Assessment.questionnaire_version_id).distinct()
        .where(Assessment.round_id == round_.id, exists().where(PUBLISHED))))
    elements = _elements(session, round_, version_ids) if version_ids else []
    scores = select(
        ElementScore.assessment_id.label("assessment_id"),
        *(func.max(case((ElementScore.element_id == e.id, ElementScore.score), else_=literal(None)))
          .label(f"e{index}") for index, e in enumerate(elements)),
    ).group_by(ElementScore.assessment_id)
    published_ids = (select(Assessment.id).join(OpenDataConsent, PUBLISHED)
                     .where(Assessment.round_id == round_.id))
    pivot = scores.where(ElementScore.assessment_id.in_(published_ids)).subquery()
    rows = session.execute(
        select(Assessment.id, City.id, City.name, Country.name, Country.iso_code, Region.name,
               City.size_class, QuestionnaireVersion.label, Assessment.overall_index,
               Assessment.overall_geometric,
               *(pivot.c[f"e{index}"] for index in range(len(elements))))
        .join(OpenDataConsent, PUBLISHED)
        .join(City, City.id == Assessment.city_id)
        .join(Country, Country.id == City.country_id)
        .join(Region, Region.id == Country.region_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Assessment.questionnaire_version_id)
        .outerjoin(pivot, pivot.c.assessment_id == Assessment.id)
        .where(Assessment.round_id == round_.id)
        .order_by(City.name, Country.name, City.id)
    ).all()
    groups: dict[int, list[str]] = {}
    for city_id, name in session.execute(
        select(PeerGroupCity.city_id, PeerGroup.name)
        .join(PeerGroup, PeerGroup.id == PeerGroupCity.group_id)
        .where(PeerGroupCity.city_id.in_(
            select(Assessment.city_id).join(OpenDataConsent, PUBLISHED)
            .where(Assessment.round_id == round_.id)))
        .order_by(PeerGroup.name)
    ):
        groups.setdefault(city_id, []).append(name)
    ids = [e.id for e in elements]
    cities = []
    # Thousands of rows: each read once as a plain tuple.
    for row in rows:
        values = tuple(row)
        cities.append(PublishedCity(
            assessment_id=values[0], city_id=values[1], city=values[2], country=values[3],
            country_iso=values[4], region=values[5], size_class=values[6], version=values[7],
            overall=values[8], balance=values[9],
            scores=dict(zip(ids, map(_score, values[10:]), strict=True)),
            groups=tuple(groups.get(values[1], ())),
        ))
    return PublishedRound(round_, elements, cities)


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


def stats_of(values: Sequence[float]) -> Stats:
    """Quartiles interpolated linearly between the ordered values (as pandas and plotly do)."""
    import numpy as np

    array = np.asarray(values, dtype="float64")
    low, q1, median, q3, high = (float(v) for v in np.quantile(array, [0, 0.25, 0.5, 0.75, 1]))
    return Stats(len(values), float(array.mean()), low, q1, median, q3, high)


@dataclass(frozen=True)
class GroupFigures:
    grouping: str  # one of GROUPINGS
    key: str  # stable across languages: a name, or a size class's code
    cities: int
    overall: Stats | None  # None: fewer scores than the minimum
    elements: dict[str, Stats | None] = field(default_factory=dict)


def _members(city: PublishedCity, grouping: str) -> tuple[str, ...]:
    if grouping == REGION:
        return (city.region,)
    if grouping == COUNTRY:
        return (city.country,)
    if grouping == SIZE:
        return (city.size_class.value,) if city.size_class is not None else ()
    return city.groups


def group_figures(published: PublishedRound, minimum: int,
                  groupings: Sequence[str] = GROUPINGS) -> dict[str, list[GroupFigures]]:
    """For each of ``groupings``, its groups of at least ``minimum`` published cities, by key."""
    figures: dict[str, list[GroupFigures]] = {}
    for grouping in groupings:
        members: dict[str, list[PublishedCity]] = {}
        for city in published.cities:
            for key in _members(city, grouping):
                members.setdefault(key, []).append(city)
        shown = []
        for key in sorted(members, key=_size_order if grouping == SIZE else str.casefold):
            cities = members[key]
            if len(cities) < minimum:
                continue
            shown.append(GroupFigures(
                grouping, key, len(cities),
                _measure([c.overall for c in cities], minimum),
                {e.id: _measure([c.scores.get(e.id) for c in cities], minimum)
                 for e in published.elements},
            ))
        figures[grouping] = shown
    return figures


def _size_order(key: str) -> Any:
    return list(SizeClass).index(SizeClass(key))


def _measure(values: Sequence[float | None], minimum: int) -> Stats | None:
    scored = [v for v in values if v is not None]
    return stats_of(scored) if len(scored) >= minimum else None
