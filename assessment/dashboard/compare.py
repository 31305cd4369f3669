"""Two to six cities side by side in one round: their element scores and overall index, each
one's gap to the element's target, the distance between the highest and the lowest, and how
far each city's action plan has come.

A fixed handful of queries for the chosen cities (their assessments, stored scores and actions),
read within the reader's scope: a city the reader may not see cannot be chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from assessment.actions.models import Action, ActionStatus
from assessment.assessments.models import SCORED, Assessment, AssessmentStatus, Round
from assessment.dashboard import aggregates
from assessment.places.models import City
from assessment.places.picker import CityOption, NoSuchCity, resolve

MIN_CITIES, MAX_CITIES = 2, 6


@dataclass(frozen=True)
class ComparedCity:
    option: CityOption
    status: AssessmentStatus | None
    assessment_id: int | None
    overall: float | None
    scores: dict[str, float | None]
    # Actions of the city's plans up to this round, by status.
    actions: dict[ActionStatus, int] = field(default_factory=dict)

    @property
    def scored(self) -> bool:
        return self.status in SCORED

    @property
    def actions_total(self) -> int:
        return sum(self.actions.values())

    @property
    def actions_done(self) -> int:
        return self.actions.get(ActionStatus.DONE, 0)


@dataclass(frozen=True)
class ElementRow:
    """One element across the compared cities."""

    id: str
    title: str
    target: float
    scores: list[float | None]  # in the cities' order

    @property
    def gaps(self) -> list[float | None]:
        """Each city's score minus the target (negative: below it)."""
        return [None if s is None else s - self.target for s in self.scores]

    @property
    def distance(self) -> float | None:
        """Between the highest and the lowest of the cities with a score."""
        scored = [s for s in self.scores if s is not None]
        return max(scored) - min(scored) if len(scored) >= 2 else None


@dataclass(frozen=True)
class Comparison:
    cities: list[ComparedCity]
    elements: list[ElementRow]

    @property
    def ready(self) -> bool:
        return len(self.cities) >= MIN_CITIES


def chosen_cities(values: Sequence[str], options: Sequence[CityOption],
                  notices: list[str]) -> list[CityOption]:
    """The cities named in the query string (ids, or "City (Country)" as typed), each once, at
    most six; what cannot be found is said in ``notices``."""
    by_id = {str(option.id): option for option in options}
    found: list[CityOption] = []
    for raw in values:
        text = raw.strip()
        if not text:
            continue
        option = by_id.get(text)
        if option is None:
            try:
                option = resolve(options, text)
            except NoSuchCity as problem:
                notices.append(str(problem))
                continue
        if option not in found:
            found.append(option)
    if len(found) > MAX_CITIES:
        notices.append(_("At most %(count)d cities can be compared: the first %(count)d are shown.",
                         count=MAX_CITIES))
        found = found[:MAX_CITIES]
    return found


def compare(session: Session, cities: Sequence[CityOption], round_id: int,
            elements: Sequence[tuple[str, str, float]], scope: ColumnElement[bool]) -> Comparison:
    """``cities`` in round ``round_id``; ``elements``: (id, title, target) of the round's
    questionnaire; ``scope`` is checked again on the assessments read."""
    ids = [city.id for city in cities]
    assessments = {city_id: (assessment_id, status, overall)
                   for city_id, assessment_id, status, overall in session.execute(
                       select(Assessment.city_id, Assessment.id, Assessment.status,
                              Assessment.overall_index)
                       .join(City, City.id == Assessment.city_id)
                       .where(Assessment.round_id == round_id, Assessment.city_id.in_(ids), scope))}
    scored_ids = [a_id for a_id, status, _overall in assessments.values() if status in SCORED]
    scores = aggregates.scores_of(session, scored_ids)
    actions: dict[int, dict[ActionStatus, int]] = {}
    for city_id, action_status, count in session.execute(
            select(Action.city_id, Action.status, func.count(Action.id))
            .join(Assessment, Assessment.id == Action.assessment_id)
            .where(Action.city_id.in_(ids), Assessment.round_id == round_id)
            .group_by(Action.city_id, Action.status)):
        actions.setdefault(city_id, {})[action_status] = int(count)

    compared = []
    for city in cities:
        assessment_id, status, overall = assessments.get(city.id, (None, None, None))
        scored = status in SCORED
        compared.append(ComparedCity(
            city, status, assessment_id, overall if scored else None,
            scores.get(assessment_id or 0, {}) if scored else {}, actions.get(city.id, {})))
    rows = [ElementRow(element_id, title, target, [c.scores.get(element_id) for c in compared])
            for element_id, title, target in elements]
    return Comparison(compared, rows)


def default_round(session: Session, rounds: Sequence[Round], chosen: Sequence[CityOption]) -> Round | None:
    """The newest of the rounds in which most of the chosen cities have scores (the newest round
    when none has)."""
    if not rounds:
        return None
    if not chosen:
        return rounds[0]
    scored_round = session.scalar(
        select(Assessment.round_id).join(Round, Round.id == Assessment.round_id)
        .where(Assessment.city_id.in_([c.id for c in chosen]), Assessment.status.in_(SCORED))
        .group_by(Assessment.round_id, Round.opens_on)
        .order_by(func.count(Assessment.id).desc(), Round.opens_on.desc(), Assessment.round_id.desc())
        .limit(1))
    return next((r for r in rounds if r.id == scored_round), rounds[0])


def rounds_newest_first(session: Session) -> list[Round]:
    return list(session.scalars(select(Round).order_by(Round.opens_on.desc(), Round.id.desc())))
