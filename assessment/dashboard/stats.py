"""The dashboard's statistics: participation, element summaries, overall figures and their changes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assessment.assessments.models import AssessmentStatus
from assessment.dashboard.aggregates import ElementStats, PairedChange, PreviousStats
from assessment.dashboard.table import CityRow
from assessment.i18n import localized
from assessment.questionnaire import Questionnaire

# A reopened or returned assessment counts as submitted, with its last submitted scores.
STARTED = frozenset({AssessmentStatus.DRAFT})


@dataclass(frozen=True)
class ElementInfo:
    id: str
    title: str
    target: float  # 0..100


@dataclass
class ElementSummary:
    """One element across the region's submitted assessments in the round."""

    element: ElementInfo
    cities: int = 0  # cities with a score (not "insufficient data")
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    lower_quartile: float | None = None
    upper_quartile: float | None = None
    maximum: float | None = None
    # The box plot's whiskers: the extreme scores within 1.5 box widths of the box.
    lower_fence: float | None = None
    upper_fence: float | None = None
    # Every city's score, for a region small enough to show each in the box plot.
    values: list[float] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # the city of each value
    previous_cities: int = 0
    previous_mean: float | None = None
    paired_cities: int = 0  # cities with a score in both rounds
    paired_change: float | None = None  # mean of their own changes

    @property
    def gap(self) -> float | None:
        """Average minus target: negative means the region is short of the target."""
        return None if self.mean is None else self.mean - self.element.target

    @property
    def change(self) -> float | None:
        if self.mean is None or self.previous_mean is None:
            return None
        return self.mean - self.previous_mean


@dataclass(frozen=True)
class Participation:
    expected: int
    started: int
    submitted: int
    not_started: list[CityRow]

    def share(self, count: int) -> float:
        return count / self.expected if self.expected else 0.0


@dataclass(frozen=True)
class OverallFigures:
    """The overall index across the submitted cities, before, and the cities' own changes."""

    mean: float | None
    median: float | None
    previous_mean: float | None
    paired_change: float | None  # mean change of the cities submitted in both rounds
    paired_cities: int


def count_participation(rows: Sequence[CityRow]) -> Participation:
    """How many of the cities in ``rows`` started and submitted, and which have not started."""
    return Participation(
        expected=len(rows),
        started=sum(1 for row in rows if row.status in STARTED),
        submitted=sum(1 for row in rows if row.submitted),
        not_started=sorted((row for row in rows if row.status is None),
                           key=lambda r: (r.country.casefold(), r.name.casefold())),
    )


def overall_figures(rows: Sequence[CityRow]) -> OverallFigures:
    """Mean and median overall index of the submitted rows, the previous mean, the paired change."""
    import pandas as pd

    overall = pd.Series([row.overall for row in rows if row.submitted], dtype="float64")
    overall_before = pd.Series(
        [row.previous_overall for row in rows if row.previous_overall is not None], dtype="float64")
    changes = pd.Series([row.change for row in rows if row.change is not None], dtype="float64")
    return OverallFigures(
        mean=plain_number(overall.mean()),
        median=plain_number(overall.median()),
        previous_mean=plain_number(overall_before.mean()),
        paired_change=plain_number(changes.mean()),
        paired_cities=len(changes),
    )


def element_infos(questionnaire: Questionnaire, stored: Mapping[str, float]) -> list[ElementInfo]:
    """The round's elements in questionnaire order, then any element only found in stored
    scores (``stored``: element id to its stored target)."""
    infos = [ElementInfo(e.id, localized(e.title), e.target_percent) for e in questionnaire.elements]
    known = {info.id for info in infos}
    infos.extend(ElementInfo(element_id, element_id, target)
                 for element_id, target in sorted(stored.items()) if element_id not in known)
    return infos


def element_summaries(elements: list[ElementInfo], now: Mapping[str, ElementStats],
                      before: Mapping[str, PreviousStats], paired: Mapping[str, PairedChange],
                      points: Mapping[str, list[tuple[float, str]]] | None = None) -> list[ElementSummary]:
    """Each element's figures (computed by the database, see ``aggregates``) and, for a
    region small enough to show every city in the box plot, ``points``: (score, city) pairs."""
    summaries = []
    for info in elements:
        summary = ElementSummary(info)
        found = now.get(info.id)
        if found is not None:
            summary.cities = found.count
            summary.mean = found.mean
            summary.median = found.median
            summary.minimum = found.minimum
            summary.maximum = found.maximum
            summary.lower_quartile = found.lower_quartile
            summary.upper_quartile = found.upper_quartile
            summary.lower_fence = found.lower_fence
            summary.upper_fence = found.upper_fence
        if points is not None:
            pairs = points.get(info.id, [])
            summary.values = [score for score, _name in pairs]
            summary.labels = [name for _score, name in pairs]
        earlier = before.get(info.id)
        if earlier is not None:
            summary.previous_cities = earlier.count
            summary.previous_mean = earlier.mean
        change = paired.get(info.id)
        if change is not None and change.count:
            summary.paired_cities = change.count
            summary.paired_change = change.mean
        summaries.append(summary)
    return summaries


def plain_number(value: Any) -> float | None:
    """A plain float, or None for missing values (NaN from pandas, NULL from the database)."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number
