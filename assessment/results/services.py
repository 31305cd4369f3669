"""The city report: one assessment's scores set against targets, its region and its past.

Everything the report shows is computed here, once, and handed to the template and the
chart as the same rounded numbers, so the radar chart and the table beside it never differ.
The assessment itself is always scored by the engine (``score_answers``) under the version
it was answered with; other assessments (the region, the previous round) are read from
their stored element scores.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import url_for
from sqlalchemy import Float, String, and_, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, joinedload, selectinload

from assessment.assessments.models import Assessment, AssessmentStatus, ElementScore, Round
from assessment.assessments.scores import score_answers
from assessment.assessments.versions import questionnaire_for
from assessment.auth.access import city_scope
from assessment.auth.models import User
from assessment.i18n import localized
from assessment.places.models import City, Country
from assessment.questionnaire import AssessmentScore, Questionnaire

if TYPE_CHECKING:
    pass

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


# --- loading -------------------------------------------------------------------------


def assessment_for_viewer(session: Session, assessment_id: int, user: User) -> Assessment | None:
    """The assessment if ``user`` may see its city, else ``None`` (the view answers 404)."""
    return session.scalar(
        select(Assessment)
        .join(City, City.id == Assessment.city_id)
        .where(Assessment.id == assessment_id, city_scope(user))
        .options(
            joinedload(Assessment.city).joinedload(City.country).joinedload(Country.region),
            joinedload(Assessment.round),
            joinedload(Assessment.questionnaire_version),
            selectinload(Assessment.answers),
        )
    )


def previous_assessment(session: Session, assessment: Assessment) -> Assessment | None:
    """The city's submitted assessment in the latest round that opened before this one."""
    current = assessment.round
    return session.scalar(
        select(Assessment)
        .join(Round, Round.id == Assessment.round_id)
        .where(
            Assessment.city_id == assessment.city_id,
            Assessment.status == AssessmentStatus.SUBMITTED,
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
    """Medians of the stored scores of a region's submitted assessments in one round."""

    elements: dict[str, float]
    overall: float | None
    cities: int  # submitted assessments counted


def regional_medians(session: Session, region_id: int, round_id: int) -> RegionalMedians:
    """One query for the whole region and round; pandas takes the medians.

    Elements with insufficient data have no score and are left out of their element's
    median, as they are left out of the city's own overall index.
    """
    import pandas as pd

    submitted = (
        select(Assessment.id)
        .join(City, City.id == Assessment.city_id)
        .join(Country, Country.id == City.country_id)
        .where(
            Country.region_id == region_id,
            Assessment.round_id == round_id,
            Assessment.status == AssessmentStatus.SUBMITTED,
        )
    ).subquery()
    elements = select(
        ElementScore.element_id.label("key"), ElementScore.score.label("score")
    ).where(ElementScore.assessment_id.in_(select(submitted.c.id)))
    overall = select(
        cast(literal(OVERALL_KEY), String(40)).label("key"),
        cast(Assessment.overall_index, Float).label("score"),
    ).where(Assessment.id.in_(select(submitted.c.id)))
    rows = session.execute(union_all(elements, overall)).all()
    frame = pd.DataFrame(rows, columns=["key", "score"])
    cities = int((frame["key"] == OVERALL_KEY).sum())
    scored = frame.dropna(subset=["score"])
    medians = scored.groupby("key")["score"].median()
    values = {str(key): float(value) for key, value in medians.items()}
    return RegionalMedians(
        elements={k: v for k, v in values.items() if k != OVERALL_KEY},
        overall=values.get(OVERALL_KEY),
        cities=cities,
    )


# --- the report ----------------------------------------------------------------------


def element_url(assessment_id: int, element_id: str, question_id: str | None = None) -> str:
    """The survey page of one element, at one question's field (``q_<id>``) when given."""
    anchor = f"q_{question_id}" if question_id else None
    return url_for("survey.element", assessment_id=assessment_id, element_id=element_id,
                   _anchor=anchor)


@dataclass(frozen=True)
class ElementRow:
    number: int
    element_id: str
    title: str
    short_title: str
    score: float | None
    target: float
    gap: float | None
    completeness: float  # 0..1
    evidence_coverage: float | None  # 0..1
    insufficient: bool
    answered: int
    applicable: int
    dont_know: int
    regional_median: float | None
    previous: float | None
    change: float | None
    url: str

    @property
    def completeness_percent(self) -> int:
        return round(self.completeness * 100)

    @property
    def evidence_percent(self) -> int | None:
        return None if self.evidence_coverage is None else round(self.evidence_coverage * 100)

    @property
    def meets_target(self) -> bool:
        return self.gap is not None and self.gap == 0


@dataclass(frozen=True)
class RecommendationRow:
    rank: int
    kind: str  # "improve" or "find_owner"
    text: str
    question_id: str
    question_text: str
    element_number: int
    element_title: str
    priority: float
    gap_levels: float | None
    note: str | None
    url: str

    @property
    def gap_count(self) -> int:
        """The whole number that picks the plural form of "levels" (a fraction counts up)."""
        return math.ceil(self.gap_levels) if self.gap_levels is not None else 0


@dataclass(frozen=True)
class Report:
    assessment: Assessment
    preview: bool
    questionnaire_version: str
    elements: list[ElementRow]
    overall: float | None
    geometric: float | None
    weakest: ElementRow | None
    completeness_percent: int
    completeness_threshold_percent: int
    recommendations: list[RecommendationRow]
    region_name: str
    regional: RegionalMedians
    regional_overall: float | None
    previous: Assessment | None
    previous_overall: float | None
    overall_change: float | None

    @property
    def city_label(self) -> str:
        return f"{self.assessment.city.name} {self.assessment.round.name}"

    @property
    def previous_label(self) -> str | None:
        if self.previous is None:
            return None
        return f"{self.assessment.city.name} {self.previous.round.name}"

    @property
    def insufficient_count(self) -> int:
        return sum(1 for e in self.elements if e.insufficient)


def short_title(number: int, title: str, width: int = 18) -> str:
    """Axis label for the radar: the element's number and its title wrapped on short lines."""
    return "\n".join(textwrap.wrap(f"{number}. {title}", width=width, break_on_hyphens=False))


def build_report(session: Session, assessment: Assessment) -> Report:
    """Score ``assessment`` and gather everything its report shows."""
    questionnaire = questionnaire_for(assessment.questionnaire_version)
    result = score_answers(questionnaire, assessment.answers)
    region = assessment.city.country.region
    regional = regional_medians(session, region.id, assessment.round_id)
    previous = previous_assessment(session, assessment)
    previous_scores = (
        {row.element_id: rounded(row.score) for row in previous.element_scores} if previous else {}
    )
    elements = _element_rows(assessment.id, result, regional, previous_scores)
    by_id = {row.element_id: row for row in elements}
    overall = rounded(result.overall)
    previous_overall = rounded(previous.overall_index) if previous else None
    # The overall index is a mean over the elements that have a score: comparing two means
    # over different elements would show a change that is only a change in coverage.
    comparable = previous is not None and set(result.included_element_ids) == {
        row.element_id for row in previous.element_scores if row.score is not None
    }
    return Report(
        assessment=assessment,
        preview=assessment.status != AssessmentStatus.SUBMITTED,
        questionnaire_version=questionnaire.version,
        elements=elements,
        overall=overall,
        geometric=rounded(result.geometric),
        weakest=by_id.get(result.weakest_element_id or ""),
        completeness_percent=round(result.completeness * 100),
        completeness_threshold_percent=round(questionnaire.completeness_threshold * 100),
        recommendations=_recommendation_rows(assessment, questionnaire, result, by_id),
        region_name=region.name,
        regional=regional,
        regional_overall=rounded(regional.overall),
        previous=previous,
        previous_overall=previous_overall,
        overall_change=difference(overall, previous_overall) if comparable else None,
    )


def _element_rows(
    assessment_id: int,
    result: AssessmentScore,
    regional: RegionalMedians,
    previous_scores: dict[str, float | None],
) -> list[ElementRow]:
    rows = []
    for number, element in enumerate(result.elements, start=1):
        title = localized(element.title)
        score = rounded(element.score)
        previous = previous_scores.get(element.element_id)
        rows.append(
            ElementRow(
                number=number,
                element_id=element.element_id,
                title=title,
                short_title=short_title(number, title),
                score=score,
                target=round(element.target, DECIMALS),
                gap=rounded(element.gap),
                completeness=element.completeness,
                evidence_coverage=element.evidence_coverage,
                insufficient=element.insufficient,
                answered=element.answered,
                applicable=element.applicable,
                dont_know=element.dont_know,
                regional_median=rounded(regional.elements.get(element.element_id)),
                previous=previous,
                change=difference(score, previous),
                url=element_url(assessment_id, element.element_id),
            )
        )
    return rows


def _recommendation_rows(
    assessment: Assessment,
    questionnaire: Questionnaire,
    result: AssessmentScore,
    elements: dict[str, ElementRow],
) -> list[RecommendationRow]:
    notes = {a.question_id: a.note for a in assessment.answers if a.note and a.note.strip()}
    rows = []
    for rank, advice in enumerate(result.recommendations, start=1):
        element = elements[advice.element_id]
        rows.append(
            RecommendationRow(
                rank=rank,
                kind=advice.kind,
                text=localized(advice.text),
                question_id=advice.question_id,
                question_text=localized(questionnaire.question(advice.question_id).text),
                element_number=element.number,
                element_title=element.title,
                priority=round(advice.priority, 2),
                gap_levels=advice.gap,
                note=notes.get(advice.question_id),
                url=element_url(assessment.id, advice.element_id, advice.question_id),
            )
        )
    return rows


# --- the list of reports -------------------------------------------------------------


@dataclass(frozen=True)
class ReportListing:
    rows: Sequence[Assessment]
    page: int
    pages: int
    total: int


def reports_for_viewer(session: Session, user: User, page: int, per_page: int = 50) -> ReportListing:
    """Every assessment the user may see, newest round first, one page at a time."""
    scoped = (
        select(Assessment.id)
        .join(City, City.id == Assessment.city_id)
        .where(city_scope(user))
    )
    total = session.scalar(select(func.count()).select_from(scoped.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = session.scalars(
        select(Assessment)
        .join(City, City.id == Assessment.city_id)
        .join(Round, Round.id == Assessment.round_id)
        .where(city_scope(user))
        .order_by(Round.opens_on.desc(), Round.id.desc(), City.name, Assessment.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(
            joinedload(Assessment.city).joinedload(City.country),
            joinedload(Assessment.round),
        )
    ).all()
    return ReportListing(rows=rows, page=page, pages=pages, total=total)

