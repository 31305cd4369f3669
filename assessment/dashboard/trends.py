"""Trends over every round: the overall index and each element, averaged over the submitted
cities of the view (the region, or a country, size class or peer group of it) and for one
city, round after round, flagged where the questionnaire version changed.

Three grouped queries, whatever the number of cities and rounds: element means, overall means
and the versions answered, per round. Scored assessments count (``SCORED``: submitted, in
review or validated, and those being revised, with their last submitted scores). A version
change means the questions may differ, so a step at that round is not all progress: the page
says so at the round itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from assessment.assessments.models import SCORED, Assessment, ElementScore
from assessment.auth.access import city_scope
from assessment.auth.models import User
from assessment.dashboard import aggregates, queries
from assessment.dashboard.choices import RoundOption, Selection
from assessment.places.models import City, Country
from assessment.places.picker import CityOption, city_options


@dataclass(frozen=True)
class TrendPoint:
    """One round of a trend."""

    round: RoundOption
    cities: int  # submitted assessments counted
    overall: float | None
    elements: dict[str, float | None]
    versions: tuple[str, ...]  # the questionnaire versions those assessments were answered under
    # The versions differ from those of the trend's previous round with data.
    version_changed: bool = False

    @property
    def version_note(self) -> str:
        return _("questionnaire version changed: %(versions)s",
                 versions=", ".join(self.versions)) if self.version_changed else ""


@dataclass(frozen=True)
class Trend:
    key: str  # "view" or "city"
    label: str
    points: list[TrendPoint] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return any(point.cities for point in self.points)

    @property
    def changes(self) -> list[TrendPoint]:
        return [point for point in self.points if point.version_changed]


def trend(session: Session, city_filter: Sequence[ColumnElement[bool]], rounds: Sequence[RoundOption],
          *, key: str, label: str) -> Trend:
    """The trend of the cities ``city_filter`` selects over ``rounds`` (oldest first)."""
    ordered = sorted(rounds, key=lambda r: (r.opens_on, r.id))
    round_ids = [r.id for r in ordered]
    base = (
        select()
        .select_from(Assessment)
        .join(City, Assessment.city_id == City.id)
        .join(Country, City.country_id == Country.id)
        .where(Assessment.round_id.in_(round_ids), Assessment.status.in_(SCORED),
               *city_filter)
    )
    overall = {round_id: (int(count), None if mean is None else float(mean))
               for round_id, count, mean in session.execute(
                   base.add_columns(Assessment.round_id, func.count(Assessment.id),
                                    func.avg(Assessment.overall_index))
                   .group_by(Assessment.round_id))}
    elements: dict[int, dict[str, float | None]] = {}
    for round_id, element_id, mean in session.execute(
            base.join(ElementScore, ElementScore.assessment_id == Assessment.id)
            .add_columns(Assessment.round_id, ElementScore.element_id, func.avg(ElementScore.score))
            .group_by(Assessment.round_id, ElementScore.element_id)):
        elements.setdefault(round_id, {})[str(element_id)] = None if mean is None else float(mean)
    versions = aggregates.round_versions(session, city_filter, round_ids)
    labels = queries.version_labels(session, {v for ids in versions.values() for v in ids})

    points = []
    before: set[int] | None = None
    for option in ordered:
        count, mean = overall.get(option.id, (0, None))
        answered = versions.get(option.id, set())
        changed = bool(answered) and before is not None and answered != before
        if answered:
            before = answered
        points.append(TrendPoint(option, count, mean, elements.get(option.id, {}),
                                 tuple(labels[v] for v in sorted(answered)), changed))
    return Trend(key, label, points)


@dataclass(frozen=True)
class TrendsView:
    lines: list[Trend]
    cities: list[CityOption]  # the region's cities the reader may see, to choose one
    city: CityOption | None


def view_trends(session: Session, user: User, selection: Selection, rounds: Sequence[RoundOption],
                label: str, city_arg: str, notices: list[str]) -> TrendsView:
    """The trend of the view's cities and, when ``city_arg`` names one of the region's cities
    the reader may see, that city's beside it."""
    in_region = [Country.region_id == selection.region.id, city_scope(user)]
    cities = city_options(session, and_(*in_region))
    city = next((c for c in cities if str(c.id) == city_arg), None)
    if city_arg and city is None:
        notices.append(_("The city in the link is not in this region, so none is shown."))
    lines = [trend(session, queries.city_clauses(user, selection), rounds, key="view", label=label)]
    if city is not None:
        lines.append(trend(session, [*in_region, City.id == city.id], rounds, key="city",
                           label=city.label))
    return TrendsView(lines, cities, city)
