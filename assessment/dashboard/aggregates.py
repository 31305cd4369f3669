"""Element statistics computed by the database: a few rows per element, whatever the region's size.

A region of 5,000 cities has 30,000 stored element scores in a round. Reading them all to
compute averages in Python costs more than the rest of the page, so the database aggregates:
count, mean, extremes and quartiles per element (quartiles from each score's rank, with the
linear interpolation of pandas and plotly), the previous round's count and mean, and the
change of the cities with a score in both rounds. The same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, func, literal, null, select
from sqlalchemy.orm import Session, aliased

from assessment.assessments.models import SCORED, Assessment, ElementScore, ReviewedScore
from assessment.places.models import City, Country

# Quartiles as quarters of the rank range: position (n - 1) * k / 4 of the sorted scores.
QUARTERS = (1, 2, 3)


@dataclass(frozen=True)
class ElementStats:
    """One element over the submitted assessments of one round."""

    count: int
    mean: float
    minimum: float
    maximum: float
    target: float  # as stored (the element's target when the city submitted)
    lower_quartile: float
    median: float
    upper_quartile: float
    # The whiskers of a box plot: the lowest and highest scores within 1.5 times the box's
    # width of the box (plotly's rule when it computes a box itself).
    lower_fence: float
    upper_fence: float


@dataclass(frozen=True)
class PreviousStats:
    count: int
    mean: float | None


@dataclass(frozen=True)
class PairedChange:
    """The mean of each city's own change, over the cities with a score in both rounds."""

    count: int
    mean: float | None


def quartile_bounds(rank: ColumnElement[int], n: ColumnElement[int], value: ColumnElement[float],
                    prefix: str = "") -> list[ColumnElement[float]]:
    """For a GROUP BY over ranked rows (``rank`` from 0 in ascending order of ``value``, ``n``
    values in the group): the values at and after each quartile's position, (n - 1) * k / 4,
    labelled ``<prefix>q<k>_low`` and ``<prefix>q<k>_high``."""
    def at(position: ColumnElement[int]) -> ColumnElement[float]:
        return func.max(case((rank == position, value)))

    columns: list[ColumnElement[float]] = []
    for k in QUARTERS:
        position = (n - 1) * k // 4
        columns += [at(position).label(f"{prefix}q{k}_low"),
                    at(position + 1).label(f"{prefix}q{k}_high")]
    return columns


def quartiles_of(row: Mapping[Any, Any], n: int, prefix: str = "") -> list[float]:
    """The quartiles of ``n`` values, linearly interpolated between the bounds that
    ``quartile_bounds`` found (as pandas, numpy and plotly interpolate)."""
    quartiles = []
    for k in QUARTERS:
        low, high = float(row[f"{prefix}q{k}_low"]), row[f"{prefix}q{k}_high"]
        fraction = ((n - 1) * k % 4) / 4
        quartiles.append(low + ((float(high) if high is not None else low) - low) * fraction)
    return quartiles


def score_rows(reviewed: bool = False) -> type[ElementScore]:
    """The element scores a view reads: the self-assessed ones, or (``reviewed``) the same rows
    with the reviewed score in place of the self-assessed one wherever a reviewer decided."""
    if not reviewed:
        return ElementScore
    table = ElementScore.__table__
    rows = (
        select(*(c for c in table.c if c.name != "score"),
               func.coalesce(ReviewedScore.score, table.c.score).label("score"))
        .select_from(table)
        .outerjoin(ReviewedScore, and_(ReviewedScore.assessment_id == table.c.assessment_id,
                                       ReviewedScore.element_id == table.c.element_id))
        .subquery()
    )
    return aliased(ElementScore, rows, adapt_on_names=True)

@dataclass(frozen=True)
class RoundFigures:
    """Each element's figures in a round, in the round before, and the cities' own changes."""

    now: dict[str, ElementStats]
    before: dict[str, PreviousStats]
    paired: dict[str, PairedChange]


def element_figures(session: Session, city_filter: Sequence[ColumnElement[bool]], round_id: int,
                    previous_round_id: int | None = None, reviewed: bool = False) -> RoundFigures:
    """Count, mean, extremes, quartiles and box-plot fences of each element in the round; with
    ``previous_round_id``, the count and mean of the round before and, over the cities with a
    score in both, the mean of each city's own change (like compared with like).

    One statement, one pass over the scores of both rounds: a row per city and element with
    its score in each round, ranked within the element by this round's score.
    """
    scores = score_rows(reviewed)
    this_round = Assessment.round_id == round_id

    def in_round(condition: ColumnElement[bool], value: Any) -> ColumnElement[float]:
        return func.max(case((condition, value)))

    rounds = [round_id] if previous_round_id is None else [round_id, previous_round_id]
    pairs = (
        select(scores.element_id.label("element_id"),
               in_round(this_round, scores.score).label("score"),
               in_round(this_round, scores.target).label("target"),
               (in_round(Assessment.round_id == previous_round_id, scores.score)
                if previous_round_id is not None else cast(null(), Float)).label("before"))
        .join(Assessment, scores.assessment_id == Assessment.id)
        .join(City, Assessment.city_id == City.id)
        .join(Country, City.country_id == Country.id)
        .where(Assessment.round_id.in_(rounds), Assessment.status.in_(SCORED), *city_filter)
        .group_by(Assessment.city_id, scores.element_id)
    ).cte("pairs")
    # Scores from rank 0 in ascending order, the cities without one after them (SQLite would
    # put NULL first).
    ranked = select(
        pairs,
        (func.row_number().over(partition_by=pairs.c.element_id,
                                order_by=(pairs.c.score.is_(None), pairs.c.score)) - 1).label("rank"),
        func.count(pairs.c.score).over(partition_by=pairs.c.element_id).label("n"),
    ).cte("ranked")
    score = ranked.c.score
    change = score - ranked.c.before
    stats = select(
        ranked.c.element_id, ranked.c.n,
        func.avg(score).label("mean"), func.min(score).label("minimum"),
        func.max(score).label("maximum"),
        func.max(case((score.is_not(None), ranked.c.target))).label("target"),
        func.count(ranked.c.before).label("before_count"),
        func.avg(ranked.c.before).label("before_mean"),
        func.count(change).label("paired_count"), func.avg(change).label("paired_mean"),
        *quartile_bounds(ranked.c.rank, ranked.c.n, score),
    ).group_by(ranked.c.element_id, ranked.c.n).cte("stats")

    # The quartiles in SQL too, so that the fences are found in the same statement.
    def quartile(k: int) -> ColumnElement[float]:
        low, high = stats.c[f"q{k}_low"], stats.c[f"q{k}_high"]
        fraction = cast(((stats.c.n - 1) * k) % 4, Float) / literal(4.0)
        return low + (func.coalesce(high, low) - low) * fraction

    q1, q3 = quartile(1), quartile(3)
    reach = (q3 - q1) * literal(1.5)
    fences = (
        select(ranked.c.element_id.label("element_id"),
               func.min(case((score >= q1 - reach, score))).label("low"),
               func.max(case((score <= q3 + reach, score))).label("high"))
        .join(stats, stats.c.element_id == ranked.c.element_id)
        .group_by(ranked.c.element_id)
    ).cte("fences")
    rows = session.execute(
        select(stats, fences.c.low, fences.c.high)
        .join(fences, fences.c.element_id == stats.c.element_id)
    ).mappings().all()

    figures = RoundFigures({}, {}, {})
    for row in rows:
        element_id, n = str(row["element_id"]), int(row["n"])
        if n:
            quartiles = quartiles_of(row, n)
            figures.now[element_id] = ElementStats(
                count=n, mean=float(row["mean"]), minimum=float(row["minimum"]),
                maximum=float(row["maximum"]), target=float(row["target"]),
                lower_quartile=quartiles[0], median=quartiles[1], upper_quartile=quartiles[2],
                lower_fence=float(row["low"]), upper_fence=float(row["high"]))
        if previous_round_id is not None:
            figures.before[element_id] = PreviousStats(int(row["before_count"]),
                                                       _number(row["before_mean"]))
            figures.paired[element_id] = PairedChange(int(row["paired_count"]),
                                                      _number(row["paired_mean"]))
    return figures


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def scores_of(session: Session, assessment_ids: Iterable[int],
              reviewed: bool = False) -> dict[int, dict[str, float | None]]:
    """The stored element scores of some assessments (a page of the city table)."""
    ids = list(assessment_ids)
    found: dict[int, dict[str, float | None]] = defaultdict(dict)
    if not ids:
        return found
    scores = score_rows(reviewed)
    for assessment_id, element_id, score in session.execute(
            select(scores.assessment_id, scores.element_id, scores.score)
            .where(scores.assessment_id.in_(ids))):
        found[assessment_id][element_id] = None if score is None else float(score)
    return found


def element_scores(session: Session, city_filter: Sequence[ColumnElement[bool]], round_id: int,
                   element_ids: Sequence[str] | None = None,
                   reviewed: bool = False) -> list[tuple[int, str, float]]:
    """(city, element, score) of the round's submitted assessments: every element, or some."""
    scores = score_rows(reviewed)
    stmt = (
        select(Assessment.city_id, scores.element_id, scores.score)
        .join(Assessment, scores.assessment_id == Assessment.id)
        .join(City, Assessment.city_id == City.id)
        .join(Country, City.country_id == Country.id)
        .where(Assessment.round_id == round_id, Assessment.status.in_(SCORED),
               scores.score.is_not(None), *city_filter)
    )
    if element_ids is not None:
        stmt = stmt.where(scores.element_id.in_(element_ids))
    # Scores are never NULL here (the WHERE clause above).
    return [(int(city_id), str(element_id), float(score or 0.0))
            for city_id, element_id, score in session.execute(stmt)]


def round_versions(session: Session, city_filter: Sequence[ColumnElement[bool]],
                   round_ids: Sequence[int]) -> dict[int, set[int]]:
    """The questionnaire versions of the submitted assessments of each round."""
    found: dict[int, set[int]] = defaultdict(set)
    if not round_ids:
        return found
    for round_id, version_id in session.execute(
            select(Assessment.round_id, Assessment.questionnaire_version_id).distinct()
            .join(City, Assessment.city_id == City.id)
            .join(Country, City.country_id == Country.id)
            .where(Assessment.round_id.in_(round_ids), Assessment.status.in_(SCORED),
                   *city_filter)):
        found[round_id].add(version_id)
    return found
