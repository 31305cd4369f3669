"""The open data downloads of a round: the published cities' scores, the figures of their
groups and the codebook, as CSV, JSON or Parquet (the exports' own writers).

Each table is small (one row per published city, or per group and measure), so a download is
built in memory. Names, codes and column names are in English whatever the page's language.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from assessment.exports.codebook import CODEBOOK_COLUMNS, codebook_rows
from assessment.exports.columns import (
    PLACE_COLUMNS,
    QUESTIONNAIRE_VERSION_COLUMN,
    SIZE_CLASS_COLUMN,
    Column,
    Row,
)
from assessment.exports.filters import Filters
from assessment.exports.formats import csv_chunks, json_chunks, write_parquet
from assessment.opendata.published import (
    GROUPINGS,
    OVERALL,
    Element,
    PublishedRound,
    Stats,
    group_figures,
)

FORMATS = ("csv", "json", "parquet")
TABLES = ("scores", "groups", "codebook")
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json",
               "parquet": "application/vnd.apache.parquet"}

SCORE_COLUMNS = [
    *PLACE_COLUMNS,
    SIZE_CLASS_COLUMN,
    QUESTIONNAIRE_VERSION_COLUMN,
    Column(OVERALL, "number", "Overall index, 0-100: the weighted mean of the element scores."),
    Column("balance_index", "number", "Balance index, 0-100: the geometric mean of the element "
           "scores, never above the overall index."),
]

GROUP_COLUMNS = [
    Column("round", "string", "Assessment round.", nullable=False),
    Column("grouping", "string", "How the cities are grouped: region, size_class, peer_group or "
           "country.", nullable=False),
    Column("group", "string", "The group: a region, a size class code, a peer group or a country.",
           nullable=False),
    Column("cities", "integer", "Published cities in the group (groups with fewer than the minimum "
           "are left out).", nullable=False),
    Column("measure", "string", f"{OVERALL}, or the identifier of an element.", nullable=False),
    Column("count", "integer", "Published cities of the group with a score for the measure.",
           nullable=False),
    Column("mean", "number", "Mean score, 0-100.", nullable=False),
    Column("min", "number", "Lowest score.", nullable=False),
    Column("q1", "number", "Lower quartile (linear interpolation).", nullable=False),
    Column("median", "number", "Median score.", nullable=False),
    Column("q3", "number", "Upper quartile (linear interpolation).", nullable=False),
    Column("max", "number", "Highest score.", nullable=False),
]


@dataclass(frozen=True)
class Table:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Row]


def score_columns(elements: Sequence[Element]) -> list[Column]:
    return [*SCORE_COLUMNS, *(
        Column(e.id, "number", f"Score of element {e.number} ({e.id}), 0-100; empty when its data "
               "are insufficient.") for e in elements)]


def score_rows(published: PublishedRound) -> Iterator[Row]:
    name = published.round.name
    for city in published.cities:
        yield (name, city.region, city.country, city.country_iso, city.city_id, city.city,
               city.size_class.value if city.size_class is not None else None, city.version,
               city.overall, city.balance, *(city.scores.get(e.id) for e in published.elements))


def group_rows(session: Session, published: PublishedRound, minimum: int) -> Iterator[Row]:
    figures = group_figures(session, published.round, published.elements, minimum)
    name = published.round.name
    for grouping in GROUPINGS:
        for group in figures[grouping]:
            measures: list[tuple[str, Stats | None]] = [(OVERALL, group.overall), *(
                (e.id, group.elements.get(e.id)) for e in published.elements)]
            for measure, stats in measures:
                if stats is not None:
                    yield (name, grouping, group.key, group.cities, measure, stats.count,
                           stats.mean, stats.low, stats.q1, stats.median, stats.q3, stats.high)


def table(session: Session, published: PublishedRound, name: str, minimum: int) -> Table:
    if name == "scores":
        return Table(name, score_columns(published.elements), score_rows(published))
    if name == "groups":
        return Table(name, GROUP_COLUMNS, group_rows(session, published, minimum))
    if name == "codebook":
        return Table(name, CODEBOOK_COLUMNS,
                     codebook_rows(session, Filters(round=published.round.name)))
    raise KeyError(name)


def file_name(round_name: str, name: str, fmt: str) -> str:
    """``city-innovation-open-data-2026-scores.csv``."""
    slug = re.sub(r"[^a-z0-9]+", "-", round_name.lower()).strip("-") or "round"
    return f"city-innovation-open-data-{slug}-{name}.{fmt}"


def encoded(data: Table, fmt: str) -> bytes:
    """The table as a file of ``fmt``."""
    if fmt == "csv":
        return b"".join(csv_chunks(data.columns, data.rows))
    if fmt == "json":
        return b"".join(json_chunks(data.columns, data.rows))
    if fmt == "parquet":
        with tempfile.TemporaryDirectory(prefix="open-data-") as folder:
            path = os.path.join(folder, f"{data.name}.parquet")
            write_parquet(path, data.columns, data.rows)
            with open(path, "rb") as stream:
                return stream.read()
    raise ValueError(f"unknown format {fmt!r}")
