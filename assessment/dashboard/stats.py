"""The dashboard's statistics: participation, element summaries, overall figures and their changes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assessment.assessments.models import AssessmentStatus
from assessment.dashboard.table import CityRow
from assessment.i18n import localized
from assessment.questionnaire import Questionnaire

if TYPE_CHECKING:
    import pandas as pd

STARTED = frozenset({AssessmentStatus.DRAFT, AssessmentStatus.REOPENED})


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


def element_infos(questionnaire: Questionnaire, frame: pd.DataFrame) -> list[ElementInfo]:
    """The round's elements in questionnaire order, then any element only found in stored scores."""
    infos = [ElementInfo(e.id, localized(e.title), e.target_percent) for e in questionnaire.elements]
    known = {info.id for info in infos}
    for element_id, stored in frame.groupby("element_id")["target"].max().items():
        if element_id not in known:
            infos.append(ElementInfo(str(element_id), str(element_id), float(stored)))
    return infos


def by_city(frame: pd.DataFrame) -> pd.DataFrame:
    """One round's scores as a table: a row per city, a column per element, NaN for no score."""
    import pandas as pd

    if frame.empty:
        return pd.DataFrame(dtype="float64")
    # Unique pairs: one assessment per city and round, one stored score per element.
    return frame.pivot(index="city_id", columns="element_id", values="score")


def element_summaries(elements: list[ElementInfo], now: pd.DataFrame, before: pd.DataFrame,
                      names: dict[int, str]) -> list[ElementSummary]:
    """Count, mean, median, quartiles and extremes per element, and the change since before.

    ``now`` and ``before`` are city-by-element tables (``by_city``). Missing scores are NaN
    and left out. Quartiles interpolate linearly between cities, as plotly's box plot does.
    """
    import pandas as pd

    stats = now.agg(["count", "mean", "median", "min", "max"]) if not now.empty else pd.DataFrame()
    quartiles = now.quantile([0.25, 0.75]) if not now.empty else pd.DataFrame()
    earlier = before.agg(["count", "mean"]) if not before.empty else pd.DataFrame()
    # Like for like: each city's own change, for the cities with a score in both rounds.
    changes = now - before.reindex(index=now.index, columns=now.columns)
    paired = changes.agg(["count", "mean"]) if not changes.empty else pd.DataFrame()

    summaries = []
    for info in elements:
        summary = ElementSummary(info)
        if info.id in stats.columns and stats.at["count", info.id]:
            column = now[info.id].dropna()
            summary.values = column.tolist()
            summary.labels = [names.get(int(city_id), "") for city_id in column.index]
            summary.cities = int(stats.at["count", info.id])
            summary.mean = plain_number(stats.at["mean", info.id])
            summary.median = plain_number(stats.at["median", info.id])
            summary.minimum = plain_number(stats.at["min", info.id])
            summary.maximum = plain_number(stats.at["max", info.id])
            summary.lower_quartile = plain_number(quartiles.at[0.25, info.id])
            summary.upper_quartile = plain_number(quartiles.at[0.75, info.id])
        if info.id in earlier.columns:
            summary.previous_cities = int(earlier.at["count", info.id])
            summary.previous_mean = plain_number(earlier.at["mean", info.id])
        if info.id in paired.columns and paired.at["count", info.id]:
            summary.paired_cities = int(paired.at["count", info.id])
            summary.paired_change = plain_number(paired.at["mean", info.id])
        summaries.append(summary)
    return summaries


def plain_number(value: Any) -> float | None:
    """A plain float, or None for missing values (NaN from pandas, NULL from the database)."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number
