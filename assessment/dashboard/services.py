"""Regional dashboard figures, computed from the scores stored at submission.

Everything here reads ``ElementScore`` rows and ``Assessment.overall_index`` as they were
stored when each city submitted; nothing is re-scored. A dashboard costs a fixed handful of
queries (regions, countries, rounds, cities, element statistics, the page's scores,
questionnaire versions), whatever the number of cities; the element statistics are
aggregated by the database (``aggregates``).

This module puts a dashboard together; the choices live in ``choices``, the SQL in
``queries`` and ``aggregates``, the statistics in ``stats`` and the city table's sorting and
paging in ``table``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from assessment.auth.models import User
from assessment.dashboard import aggregates, queries, stats
from assessment.dashboard.choices import (
    RoundOption,
    Selection,
    default_round,
    previous_round,
    region_countries,
    region_rounds,
    round_questionnaire,
    visible_regions,
)
from assessment.dashboard.queries import add_contacts
from assessment.dashboard.stats import STARTED, ElementInfo, ElementSummary, Participation
from assessment.dashboard.table import (
    ASCENDING_BY_DEFAULT,
    BASE_SORT_KEYS,
    DEFAULT_SORT,
    CityRow,
    page_of,
    sort_keys,
    sort_rows,
)
from assessment.questionnaire import Questionnaire

# The names this module defined before it was split, so ``services.<name>`` keeps working.
__all__ = [
    "ASCENDING_BY_DEFAULT",
    "BASE_SORT_KEYS",
    "DEFAULT_SORT",
    "PAGE_SIZE",
    "STARTED",
    "CityRow",
    "Dashboard",
    "ElementInfo",
    "ElementSummary",
    "Participation",
    "RoundOption",
    "Selection",
    "add_contacts",
    "build_dashboard",
    "default_round",
    "previous_round",
    "region_countries",
    "region_rounds",
    "round_questionnaire",
    "sort_keys",
    "sort_rows",
    "visible_regions",
]

PAGE_SIZE = 100
# Up to this many submitted cities, the box plot shows each city as a point; beyond, the
# boxes alone (a point per city would weigh more than the rest of the page).
POINTS_LIMIT = 300


@dataclass
class Dashboard:
    selection: Selection
    questionnaire: Questionnaire
    elements: list[ElementSummary]
    participation: Participation
    rows: list[CityRow]  # this page, in table order
    total_rows: int
    pages: int
    overall_mean: float | None
    overall_median: float | None
    previous_overall_mean: float | None
    paired_overall_change: float | None  # mean change of the cities submitted in both rounds
    paired_cities: int
    # Questionnaire versions (id -> label) of every assessment in the round, of the submitted
    # ones, and of the previous round's submitted ones, which the changes compare with.
    versions: dict[int, str]
    submitted_versions: dict[int, str]
    previous_versions: dict[int, str]
    # Every row in table order (the downloads hold them all); only ``rows`` have element scores.
    all_rows: list[CityRow] = field(default_factory=list)

    @property
    def has_scores(self) -> bool:
        return self.participation.submitted > 0

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_versions)

    @property
    def mixed_versions(self) -> bool:
        return len(self.versions) > 1

    @property
    def comparison_across_versions(self) -> bool:
        return self.has_previous and set(self.previous_versions) != set(self.submitted_versions)

    @property
    def overall_change(self) -> float | None:
        if self.overall_mean is None or self.previous_overall_mean is None:
            return None
        return self.overall_mean - self.previous_overall_mean

    @property
    def scored_rows(self) -> list[CityRow]:
        return [row for row in self.rows if row.submitted]


def build_dashboard(session: Session, user: User, selection: Selection, questionnaire: Questionnaire,
                    report_url: Callable[[int], str | None] | None = None,
                    overview_url: Callable[[int], str | None] | None = None) -> Dashboard:
    """Every figure of the dashboard for ``selection``, in a fixed number of queries.

    ``questionnaire`` is the round's (``round_questionnaire``); ``report_url`` links a
    submitted assessment to its report, ``overview_url`` an assessment in progress to its
    answers. The statistics are aggregated by the database; only the cities of the table's
    page have their element scores read (and, when sorting by an element, that element's).
    """
    city_filter = queries.city_clauses(user, selection)
    rows = queries.city_rows(session, city_filter, selection)
    reviewed = selection.reviewed
    figures = aggregates.element_figures(
        session, city_filter, selection.round.id,
        selection.previous.id if selection.previous is not None else None, reviewed)
    now = figures.now

    submitted = [row for row in rows if row.submitted]
    round_version_ids = {row.version_id for row in rows if row.version_id is not None}
    submitted_version_ids = {row.version_id for row in submitted if row.version_id is not None}
    previous_version_ids = {row.previous_version_id for row in rows
                            if row.previous_version_id is not None}
    version_labels = queries.version_labels(
        session, round_version_ids | submitted_version_ids | previous_version_ids)

    def labels(ids: set[int]) -> dict[int, str]:
        return {i: version_labels[i] for i in sorted(ids)}

    names = {row.city_id: row.name for row in rows}
    points: dict[str, list[tuple[float, str]]] | None = None
    if len(submitted) <= POINTS_LIMIT:
        points = {}
        for city_id, element_id, score in aggregates.element_scores(
                session, city_filter, selection.round.id, reviewed=reviewed):
            points.setdefault(element_id, []).append((score, names.get(city_id, "")))
    infos = stats.element_infos(questionnaire, {key: value.target for key, value in now.items()})
    summaries = stats.element_summaries(infos, now, figures.before, figures.paired, points)

    if selection.sort in {info.id for info in infos}:
        # Sorting by an element needs that element's score for every city, and only that.
        by_city = {city_id: score for city_id, _element, score in aggregates.element_scores(
            session, city_filter, selection.round.id, [selection.sort], reviewed=reviewed)}
        for row in submitted:
            row.scores[selection.sort] = by_city.get(row.city_id)
    ordered = sort_rows(rows, selection.sort, selection.descending)
    # The page size is this module's, not the table's: callers and tests set it here.
    page_rows, pages = page_of(ordered, selection.page, PAGE_SIZE)
    page_scores = aggregates.scores_of(
        session, [row.assessment_id for row in page_rows if row.submitted and row.assessment_id],
        reviewed)
    for row in page_rows:
        if row.submitted and row.assessment_id is not None:
            row.scores = page_scores.get(row.assessment_id, {})
            if report_url is not None:
                row.report_url = report_url(row.assessment_id)
        elif overview_url is not None and row.assessment_id is not None:
            row.overview_url = overview_url(row.assessment_id)

    overall = stats.overall_figures(rows)
    return Dashboard(
        selection=selection,
        questionnaire=questionnaire,
        elements=summaries,
        participation=stats.count_participation(rows),
        rows=page_rows,
        total_rows=len(ordered),
        pages=pages,
        overall_mean=overall.mean,
        overall_median=overall.median,
        previous_overall_mean=overall.previous_mean,
        paired_overall_change=overall.paired_change,
        paired_cities=overall.paired_cities,
        versions=labels(round_version_ids),
        submitted_versions=labels(submitted_version_ids),
        previous_versions=labels(previous_version_ids),
        all_rows=ordered,
    )
