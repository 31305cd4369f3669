"""What a city's report compares it with: the medians of its peers in the same round, its
previous submitted round (on the questions two versions share when they differ), and the
earlier submissions of the same assessment. The city is never part of its own comparison."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Float, String, and_, cast, literal, or_, select, union_all
from sqlalchemy.orm import Session, joinedload, selectinload

from assessment.assessments.models import SCORED, Assessment, ElementScore, Round, ScoreHistory
from assessment.assessments.scores import answer_inputs
from assessment.assessments.versions import questionnaire_for
from assessment.places.models import City, Country
from assessment.questionnaire import Answer as AnswerInput
from assessment.questionnaire import Questionnaire, score_assessment
from assessment.questionnaire.sensitivity import restricted, shared_questions

# Scores are shown with one decimal: enough to see a change of one answer, no more.
DECIMALS = 1
OVERALL_KEY = "__overall__"


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def difference(current: float | None, previous: float | None) -> float | None:
    """Change between two shown (rounded) values, so the page adds up as printed."""
    if current is None or previous is None:
        return None
    return round(current - previous, DECIMALS)


def previous_assessment(session: Session, assessment: Assessment) -> Assessment | None:
    """The city's submitted assessment in the latest round that opened before this one."""
    current = assessment.round
    return session.scalar(
        select(Assessment)
        .join(Round, Round.id == Assessment.round_id)
        .where(
            Assessment.city_id == assessment.city_id,
            Assessment.status.in_(SCORED),
            or_(
                Round.opens_on < current.opens_on,
                and_(Round.opens_on == current.opens_on, Round.id < current.id),
            ),
        )
        .order_by(Round.opens_on.desc(), Round.id.desc())
        .limit(1)
        .options(joinedload(Assessment.round), selectinload(Assessment.element_scores))
    )


@dataclass(frozen=True)
class RegionalMedians:
    """Medians of the stored scores of the other cities of a region in one round.

    ``shown`` is false while fewer than ``minimum`` other cities have submitted: the medians
    are then empty, so that no one city can be read out of them.
    """

    elements: dict[str, float]
    overall: float | None
    cities: int  # other cities' submitted assessments counted
    minimum: int = 1

    @property
    def shown(self) -> bool:
        return self.cities >= self.minimum


def regional_medians(session: Session, region_id: int, round_id: int, *,
                     excluding_city_id: int | None = None, minimum: int = 1) -> RegionalMedians:
    """The medians of a region's cities in one round (see ``peer_medians``)."""
    return peer_medians(session, Country.region_id == region_id, round_id,
                        excluding_city_id=excluding_city_id, minimum=minimum)


@dataclass(frozen=True)
class PeerScores:
    """The stored scores of the other cities a city is compared with, in one round: for each
    element id (and ``OVERALL_KEY``) the scores there are, elements with insufficient data
    left out. ``cities`` counts the submitted assessments read."""

    values: dict[str, list[float]]
    cities: int

    def of(self, key: str) -> list[float]:
        return self.values.get(key, [])


def peer_scores(session: Session, peers: ColumnElement[bool], round_id: int, *,
                excluding_city_id: int | None = None) -> PeerScores:
    """One query for the cities ``peers`` selects (a WHERE clause on City and Country) that
    submitted in one round. The city being compared is never among them (``excluding_city_id``)."""
    submitted = (
        select(Assessment.id)
        .join(City, City.id == Assessment.city_id)
        .join(Country, Country.id == City.country_id)
        .where(
            peers,
            Assessment.round_id == round_id,
            Assessment.status.in_(SCORED),
            *([Assessment.city_id != excluding_city_id] if excluding_city_id is not None else []),
        )
    ).subquery()
    elements = select(
        ElementScore.element_id.label("key"), ElementScore.score.label("score")
    ).where(ElementScore.assessment_id.in_(select(submitted.c.id)))
    overall = select(
        cast(literal(OVERALL_KEY), String(40)).label("key"),
        cast(Assessment.overall_index, Float).label("score"),
    ).where(Assessment.id.in_(select(submitted.c.id)))
    values: dict[str, list[float]] = {}
    cities = 0
    for key, score in session.execute(union_all(elements, overall)):
        if key == OVERALL_KEY:
            cities += 1
        if score is not None:
            values.setdefault(str(key), []).append(float(score))
    return PeerScores(values, cities)


def medians_of(scores: PeerScores, minimum: int = 1) -> RegionalMedians:
    """The medians of ``scores``; empty while fewer than ``minimum`` cities submitted.

    Elements with insufficient data have no score and are left out of their element's
    median, as they are left out of the city's own overall index.
    """
    if scores.cities < minimum:
        return RegionalMedians(elements={}, overall=None, cities=scores.cities, minimum=minimum)
    medians = {key: float(statistics.median(values)) for key, values in scores.values.items() if values}
    return RegionalMedians(
        elements={k: v for k, v in medians.items() if k != OVERALL_KEY},
        overall=medians.get(OVERALL_KEY),
        cities=scores.cities,
        minimum=minimum,
    )


def peer_medians(session: Session, peers: ColumnElement[bool], round_id: int, *,
                 excluding_city_id: int | None = None, minimum: int = 1) -> RegionalMedians:
    """The medians of the cities ``peers`` selects in one round, in one query (see
    ``peer_scores`` and ``medians_of``)."""
    return medians_of(peer_scores(session, peers, round_id, excluding_city_id=excluding_city_id),
                      minimum)


@dataclass(frozen=True)
class VersionComparison:
    """The previous round answered under another questionnaire version: the change is
    computed on the scored questions the two versions share, each under its own version."""

    previous_version: str
    current_version: str
    shared: int  # scored questions both versions have
    current_total: int  # scored questions of the current version


@dataclass(frozen=True)
class Changes:
    previous: dict[str, float | None]
    change: dict[str, float | None]
    previous_overall: float | None = None
    overall_change: float | None = None


def comparison_with(assessment: Assessment, questionnaire: Questionnaire, inputs: dict[str, AnswerInput],
                previous: Assessment | None) -> tuple[VersionComparison | None, Changes]:
    """The change since the previous round when its questionnaire version differs: both
    rounds scored again on the questions they share, each under its own version."""
    empty = Changes({}, {})
    if previous is None or previous.questionnaire_version_id == assessment.questionnaire_version_id:
        return None, empty
    earlier = questionnaire_for(previous.questionnaire_version)
    shared = shared_questions(questionnaire, earlier)
    now = score_assessment(restricted(questionnaire, shared),
                           {k: v for k, v in inputs.items() if k in shared})
    then_inputs = answer_inputs(earlier, previous.answers)
    then = score_assessment(restricted(earlier, shared),
                            {k: v for k, v in then_inputs.items() if k in shared})
    then_by_id = {e.element_id: e.score for e in then.elements}
    previous_scores = {e.element_id: then_by_id.get(e.element_id) for e in now.elements}
    change = {e.element_id: difference(rounded(e.score), rounded(then_by_id.get(e.element_id)))
              for e in now.elements}
    same_elements = set(now.included_element_ids) == set(then.included_element_ids)
    comparison = VersionComparison(earlier.version, questionnaire.version, len(shared),
                                   len(questionnaire.scored_questions))
    return comparison, Changes(
        previous_scores, change, then.overall,
        difference(rounded(now.overall), rounded(then.overall)) if same_elements else None)


def earlier_submissions(session: Session, assessment: Assessment) -> tuple[ScoreHistory, ...]:
    """Every submission of this assessment before the latest, newest first."""
    rows = session.scalars(
        select(ScoreHistory).where(ScoreHistory.assessment_id == assessment.id)
        .order_by(ScoreHistory.submitted_at.desc(), ScoreHistory.id.desc())
    ).all()
    return tuple(rows[1:])
