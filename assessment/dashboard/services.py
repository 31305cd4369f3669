"""Regional dashboard figures, computed from the scores stored at submission.

Everything here reads ``ElementScore`` rows and ``Assessment.overall_index`` as they were
stored when each city submitted; nothing is re-scored. A dashboard costs a fixed handful of
queries (regions, countries, rounds, cities, element scores, questionnaire versions),
whatever the number of cities, and the statistics are computed with pandas.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, case, false, func, select
from sqlalchemy.orm import Session, aliased

from assessment.assessments.models import (
    Assessment,
    AssessmentStatus,
    ElementScore,
    QuestionnaireVersion,
    Round,
)
from assessment.assessments.versions import questionnaire_for
from assessment.auth.access import city_scope
from assessment.auth.models import Role, User
from assessment.i18n import localized
from assessment.places.models import City, Country, Region, SizeClass
from assessment.questionnaire import Questionnaire

if TYPE_CHECKING:
    import pandas as pd

PAGE_SIZE = 100
DEFAULT_SORT = "overall"
# Columns that can be sorted by, besides one column per element id.
BASE_SORT_KEYS = ("city", "country", "overall", "completeness", "change")
# Text columns read A to Z by default; numbers read highest first.
ASCENDING_BY_DEFAULT = frozenset({"city", "country"})
STARTED = frozenset({AssessmentStatus.DRAFT, AssessmentStatus.REOPENED})


# --- options for the filter form ---------------------------------------------------------


@dataclass(frozen=True)
class RoundOption:
    """A round with how far the region got in it."""

    id: int
    name: str
    opens_on: date
    version_id: int
    assessments: int  # any status, in the region
    submitted: int


def visible_regions(session: Session, user: User) -> list[Region]:
    """The regions ``user`` may look at: their own for regional users, every one otherwise."""
    stmt = select(Region).order_by(Region.name)
    if user.role == Role.REGIONAL:
        stmt = stmt.where(Region.id == user.region_id)
    elif user.role not in (Role.ADMIN, Role.ANALYST):
        return []
    return list(session.scalars(stmt))


def region_countries(session: Session, region_id: int) -> list[Country]:
    return list(session.scalars(
        select(Country).where(Country.region_id == region_id).order_by(Country.name)
    ))


def region_rounds(session: Session, region_id: int) -> list[RoundOption]:
    """Every round, newest first, with the region's assessment counts in it."""
    in_region = select(City.id).join(Country, City.country_id == Country.id).where(
        Country.region_id == region_id
    )
    submitted = case((Assessment.status == AssessmentStatus.SUBMITTED, 1))
    stmt = (
        select(Round.id, Round.name, Round.opens_on, Round.questionnaire_version_id,
               func.count(Assessment.id), func.count(submitted))
        .outerjoin(Assessment, and_(Assessment.round_id == Round.id, Assessment.city_id.in_(in_region)))
        .group_by(Round.id, Round.name, Round.opens_on, Round.questionnaire_version_id)
        .order_by(Round.opens_on.desc(), Round.id.desc())
    )
    return [RoundOption(*row) for row in session.execute(stmt)]


def default_round(rounds: Sequence[RoundOption]) -> RoundOption | None:
    """The latest round with any assessment in the region, else the latest round."""
    for option in rounds:
        if option.assessments:
            return option
    return rounds[0] if rounds else None


def previous_round(rounds: Sequence[RoundOption], current: RoundOption) -> RoundOption | None:
    """The latest earlier round in which the region has submitted assessments to compare with."""
    earlier = [r for r in rounds if (r.opens_on, r.id) < (current.opens_on, current.id)]
    return next((r for r in earlier if r.submitted), None)


def sort_keys(element_ids: Iterable[str]) -> tuple[str, ...]:
    return (*BASE_SORT_KEYS, *element_ids)


# --- what the dashboard shows ----------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What to show, every value already checked against the allowed choices."""

    region: Region
    round: RoundOption
    previous: RoundOption | None
    country_id: int | None = None
    size: SizeClass | None = None
    sort: str = DEFAULT_SORT
    descending: bool = True
    page: int = 1

    @property
    def filtered(self) -> bool:
        """Whether the set of cities is narrowed beyond the whole region."""
        return self.country_id is not None or self.size is not None


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

    @property
    def submitted(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED

    @property
    def change(self) -> float | None:
        if self.overall is None or self.previous_overall is None:
            return None
        return self.overall - self.previous_overall

    @property
    def change_across_versions(self) -> bool:
        return self.change is not None and self.version_id != self.previous_version_id


@dataclass(frozen=True)
class Participation:
    expected: int
    started: int
    submitted: int
    not_started: list[CityRow]

    def share(self, count: int) -> float:
        return count / self.expected if self.expected else 0.0


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


def round_questionnaire(session: Session, option: RoundOption) -> Questionnaire:
    """The questionnaire version the round was opened with: its elements, titles and targets."""
    version = session.get(QuestionnaireVersion, option.version_id)
    assert version is not None  # a foreign key guarantees it
    return questionnaire_for(version)


def build_dashboard(session: Session, user: User, selection: Selection, questionnaire: Questionnaire,
                    report_url: Callable[[int], str | None] | None = None,
                    overview_url: Callable[[int], str | None] | None = None) -> Dashboard:
    """Every figure of the dashboard for ``selection``: three queries, and one for version labels.

    ``questionnaire`` is the round's (``round_questionnaire``); ``report_url`` links a
    submitted assessment to its report.
    """
    import pandas as pd

    city_filter = _city_filter(user, selection)
    rows = _city_rows(session, city_filter, selection)
    frame = _element_score_frame(session, city_filter, selection)
    current = frame[frame["round_id"] == selection.round.id]
    previous = (frame[frame["round_id"] == selection.previous.id]
                if selection.previous else frame.iloc[0:0])

    round_version_ids = {row.version_id for row in rows if row.version_id is not None}
    submitted_version_ids = set(current["version_id"].unique().tolist())
    previous_version_ids = set(previous["version_id"].unique().tolist())
    wanted = round_version_ids | submitted_version_ids | previous_version_ids
    version_labels = _version_labels(session, wanted)

    def labels(ids: set[int]) -> dict[int, str]:
        return {i: version_labels[i] for i in sorted(ids)}

    now, before = _by_city(current), _by_city(previous)
    names = {row.city_id: row.name for row in rows}
    summaries = _element_summaries(_element_infos(questionnaire, frame), now, before, names)
    by_city = {int(city_id): {element_id: _number(score) for element_id, score in scores.items()}
               for city_id, scores in now.to_dict("index").items()}
    for row in rows:
        if row.submitted:
            row.scores = by_city.get(row.city_id, {})
            if report_url is not None and row.assessment_id is not None:
                row.report_url = report_url(row.assessment_id)
        elif overview_url is not None and row.assessment_id is not None:
            row.overview_url = overview_url(row.assessment_id)

    submitted = [row for row in rows if row.submitted]
    participation = Participation(
        expected=len(rows),
        started=sum(1 for row in rows if row.status in STARTED),
        submitted=len(submitted),
        not_started=sorted((row for row in rows if row.status is None),
                           key=lambda r: (r.country.casefold(), r.name.casefold())),
    )
    ordered = sort_rows(rows, selection.sort, selection.descending)
    pages = max(1, math.ceil(len(ordered) / PAGE_SIZE))
    page = min(selection.page, pages)
    overall = pd.Series([row.overall for row in submitted], dtype="float64")
    overall_before = pd.Series(
        [row.previous_overall for row in rows if row.previous_overall is not None], dtype="float64")
    changes = pd.Series([row.change for row in rows if row.change is not None], dtype="float64")
    return Dashboard(
        selection=selection,
        questionnaire=questionnaire,
        elements=summaries,
        participation=participation,
        rows=ordered[(page - 1) * PAGE_SIZE: page * PAGE_SIZE],
        total_rows=len(ordered),
        pages=pages,
        overall_mean=_number(overall.mean()),
        overall_median=_number(overall.median()),
        previous_overall_mean=_number(overall_before.mean()),
        paired_overall_change=_number(changes.mean()),
        paired_cities=len(changes),
        versions=labels(round_version_ids),
        submitted_versions=labels(submitted_version_ids),
        previous_versions=labels(previous_version_ids),
    )


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


# --- queries ------------------------------------------------------------------------------


def _city_filter(user: User, selection: Selection) -> list[ColumnElement[bool]]:
    """WHERE clauses on City/Country: the region, the filters and, always, the user's scope."""
    clauses = [Country.region_id == selection.region.id, city_scope(user)]
    if selection.country_id is not None:
        clauses.append(City.country_id == selection.country_id)
    if selection.size is not None:
        clauses.append(City.size_class == selection.size)
    return clauses


def _city_rows(session: Session, city_filter: list[ColumnElement[bool]],
               selection: Selection) -> list[CityRow]:
    """Every city matching the filters with its assessment this round and the previous one."""
    current = aliased(Assessment)
    previous = aliased(Assessment)
    previous_join = (
        and_(previous.city_id == City.id, previous.round_id == selection.previous.id,
             previous.status == AssessmentStatus.SUBMITTED)
        if selection.previous else false()
    )
    stmt = (
        select(City.id, City.name, Country.name, City.size_class,
               current.id, current.status, current.completeness, current.overall_index,
               current.questionnaire_version_id, previous.overall_index,
               previous.questionnaire_version_id)
        .join(Country, City.country_id == Country.id)
        .outerjoin(current, and_(current.city_id == City.id, current.round_id == selection.round.id))
        .outerjoin(previous, previous_join)
        .where(*city_filter)
    )
    rows = []
    for (city_id, name, country, size, assessment_id, status, completeness, overall, version_id,
         previous_overall, previous_version_id) in session.execute(stmt):
        submitted = status == AssessmentStatus.SUBMITTED
        rows.append(CityRow(
            city_id=city_id, name=name, country=country, size=size, status=status,
            assessment_id=assessment_id, completeness=completeness,
            # Only submitted assessments count in scores (a reopened one keeps old scores).
            overall=overall if submitted else None, scores={},
            previous_overall=previous_overall, version_id=version_id,
            previous_version_id=previous_version_id,
        ))
    return rows


def _element_score_frame(session: Session, city_filter: list[ColumnElement[bool]],
                         selection: Selection) -> pd.DataFrame:
    """Stored element scores of the submitted assessments in this round and the previous one."""
    import pandas as pd

    round_ids = [selection.round.id] + ([selection.previous.id] if selection.previous else [])
    stmt = (
        select(Assessment.round_id, Assessment.city_id, Assessment.questionnaire_version_id,
               ElementScore.element_id, ElementScore.score, ElementScore.target)
        .join(Assessment, ElementScore.assessment_id == Assessment.id)
        .join(City, Assessment.city_id == City.id)
        .join(Country, City.country_id == Country.id)
        .where(Assessment.round_id.in_(round_ids),
               Assessment.status == AssessmentStatus.SUBMITTED,
               *city_filter)
    )
    # Plain tuples: pandas probes each Row object's attributes, which is slow for thousands.
    frame = pd.DataFrame([tuple(row) for row in session.execute(stmt)],
                         columns=["round_id", "city_id", "version_id", "element_id", "score", "target"])
    frame["score"] = frame["score"].astype("float64")
    frame["target"] = frame["target"].astype("float64")
    return frame


def _version_labels(session: Session, ids: set[int]) -> dict[int, str]:
    """Version labels, with a fingerprint added where two different texts share a label."""
    import pandas as pd

    if not ids:
        return {}
    found = session.execute(
        select(QuestionnaireVersion.id, QuestionnaireVersion.label, QuestionnaireVersion.content_hash)
        .where(QuestionnaireVersion.id.in_(ids))
    ).all()
    counts = pd.Series([label for _, label, _ in found]).value_counts()
    return {
        version_id: label if counts[label] == 1 else f"{label} ({content_hash[:8]})"
        for version_id, label, content_hash in found
    }


# --- statistics -------------------------------------------------------------------------------


def _element_infos(questionnaire: Questionnaire, frame: pd.DataFrame) -> list[ElementInfo]:
    """The round's elements in questionnaire order, then any element only found in stored scores."""
    infos = [ElementInfo(e.id, localized(e.title), e.target_percent) for e in questionnaire.elements]
    known = {info.id for info in infos}
    for element_id, stored in frame.groupby("element_id")["target"].max().items():
        if element_id not in known:
            infos.append(ElementInfo(str(element_id), str(element_id), float(stored)))
    return infos


def _by_city(frame: pd.DataFrame) -> pd.DataFrame:
    """One round's scores as a table: a row per city, a column per element, NaN for no score."""
    import pandas as pd

    if frame.empty:
        return pd.DataFrame(dtype="float64")
    # Unique pairs: one assessment per city and round, one stored score per element.
    return frame.pivot(index="city_id", columns="element_id", values="score")


def _element_summaries(elements: list[ElementInfo], now: pd.DataFrame, before: pd.DataFrame,
                       names: dict[int, str]) -> list[ElementSummary]:
    """Count, mean, median, quartiles and extremes per element, and the change since before.

    ``now`` and ``before`` are city-by-element tables (``_by_city``). Missing scores are NaN
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
            summary.mean = _number(stats.at["mean", info.id])
            summary.median = _number(stats.at["median", info.id])
            summary.minimum = _number(stats.at["min", info.id])
            summary.maximum = _number(stats.at["max", info.id])
            summary.lower_quartile = _number(quartiles.at[0.25, info.id])
            summary.upper_quartile = _number(quartiles.at[0.75, info.id])
        if info.id in earlier.columns:
            summary.previous_cities = int(earlier.at["count", info.id])
            summary.previous_mean = _number(earlier.at["mean", info.id])
        if info.id in paired.columns and paired.at["count", info.id]:
            summary.paired_cities = int(paired.at["count", info.id])
            summary.paired_change = _number(paired.at["mean", info.id])
        summaries.append(summary)
    return summaries


def _number(value: Any) -> float | None:
    """A plain float, or None for missing values (NaN from pandas, NULL from the database)."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def add_contacts(session: Session, rows: Sequence[CityRow]) -> None:
    """The active officials' addresses of the cities in ``rows`` that have not started, in one query."""
    waiting = {row.city_id: row for row in rows if row.assessment_id is None}
    if not waiting:
        return
    found: dict[int, list[str]] = {}
    for city_id, email in session.execute(
            select(User.city_id, User.email)
            .where(User.city_id.in_(waiting), User.role == Role.OFFICIAL, User.active.is_(True))
            .order_by(User.email)):
        if city_id is not None:
            found.setdefault(city_id, []).append(email)
    for city_id, row in waiting.items():
        row.contacts = tuple(found.get(city_id, ()))
