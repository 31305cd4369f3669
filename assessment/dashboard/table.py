"""The dashboard's city table: its rows, the columns it sorts by, and sorting and paging."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from assessment.assessments.models import SCORED, UNDER_REVISION, AssessmentStatus
from assessment.places.models import SizeClass

# Cities read A to Z unless the reader sorts by a score: the dashboard is not a league table.
DEFAULT_SORT = "city"
# Columns that can be sorted by, besides one column per element id.
BASE_SORT_KEYS = ("city", "country", "overall", "completeness", "change")
# Text columns read A to Z by default; numbers read highest first.
ASCENDING_BY_DEFAULT = frozenset({"city", "country"})


@dataclass
class CityRow:
    city_id: int
    name: str
    country: str
    size: SizeClass | None
    status: AssessmentStatus | None
    assessment_id: int | None
    completeness: float | None
    overall: float | None
    scores: dict[str, float | None]
    previous_overall: float | None  # submitted in the previous round
    version_id: int | None = None
    previous_version_id: int | None = None
    report_url: str | None = None
    # A city in draft links to its answers; a city that has not started, to its officials.
    overview_url: str | None = None
    contacts: tuple[str, ...] = ()
    # The overall index with claims at level 3 or more without a document counted as level 2.
    evidenced: float | None = None
    # The overall index with the reviewer's levels, once a reviewer has decided on an answer.
    reviewed: float | None = None

    @property
    def submitted(self) -> bool:
        """Has submitted scores: submitted, in review, validated, or changing (under revision)."""
        return self.status in SCORED

    @property
    def under_revision(self) -> bool:
        """Reopened or returned: its last submitted scores count until the city submits again."""
        return self.status in UNDER_REVISION

    @property
    def change(self) -> float | None:
        if self.overall is None or self.previous_overall is None:
            return None
        return self.overall - self.previous_overall

    @property
    def change_across_versions(self) -> bool:
        return self.change is not None and self.version_id != self.previous_version_id


def sort_keys(element_ids: Iterable[str]) -> tuple[str, ...]:
    return (*BASE_SORT_KEYS, *element_ids)


def sort_rows(rows: Sequence[CityRow], key: str, descending: bool) -> list[CityRow]:
    """Rows ordered by ``key``; cities without a value always come last, then by name."""
    getter = _sort_getter(key)
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.country.casefold()))
    present = [row for row in by_name if getter(row) is not None]
    missing = [row for row in by_name if getter(row) is None]
    # Python's sort is stable, also in reverse, so ties stay in name order.
    present.sort(key=getter, reverse=descending)
    return present + missing


def _sort_getter(key: str) -> Callable[[CityRow], Any]:
    if key == "city":
        return lambda row: row.name.casefold()
    if key == "country":
        return lambda row: row.country.casefold()
    if key == "overall":
        return lambda row: row.overall
    if key == "completeness":
        return lambda row: row.completeness if row.status is not None else None
    if key == "change":
        return lambda row: row.change
    return lambda row: row.scores.get(key)


def page_of(rows: list[CityRow], page: int, page_size: int) -> tuple[list[CityRow], int]:
    """The rows on ``page`` (past the last page, the last page's) and the number of pages."""
    pages = max(1, math.ceil(len(rows) / page_size))
    page = min(page, pages)
    return rows[(page - 1) * page_size: page * page_size], pages
