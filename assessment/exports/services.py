"""The response tables: long, wide, choices, scores, codebook and actions; their registry, row
counts and filter choices.

Each table is a list of typed ``Column``s and a generator of plain tuples, read with one
streaming query (joins, no ORM objects per row), so a download of any size runs in
bounded memory. The web download, the command line and the JSON API all read the
tables here, with the same filters and the same scoping.

Cell types: ``string``, ``integer``, ``number``, ``boolean`` and ``datetime``; datetimes
arrive as ISO 8601 UTC text (``2026-03-01T09:30:00Z``), formatted by the database.

The tables themselves live in ``answers``, ``scores``, ``codebook`` and ``actions``; the names the views,
the command line and the API use are importable from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from assessment.assessments.models import AssessmentStatus, Round
from assessment.exports.actions import ACTION_COLUMNS, action_rows, count_actions
from assessment.exports.answers import (
    CHOICE_COLUMNS,
    LONG_COLUMNS,
    choice_rows,
    count_assessments,
    count_choices,
    count_long,
    long_rows,
    wide_columns,
    wide_rows,
)
from assessment.exports.catalog import Catalog, unique
from assessment.exports.codebook import CODEBOOK_COLUMNS, codebook_rows, count_codebook
from assessment.exports.columns import Column, Row
from assessment.exports.filters import MAX_FILTER_LENGTH, FilterError, Filters, scope_for
from assessment.exports.layout import Layout
from assessment.exports.scores import SCORE_COLUMNS, count_scores, score_rows
from assessment.places.models import City, Country, Region

# The names the views, the command line, the API and the tests use, wherever they are defined.
__all__ = [
    "LONG_COLUMNS",
    "MAX_FILTER_LENGTH",
    "TABLES",
    "FilterChoices",
    "FilterError",
    "Filters",
    "Row",
    "TableSpec",
    "filter_choices",
    "row_counts",
    "scope_for",
    "table",
]


RowsFunction = Callable[..., Iterator[Row]]


def N_(text: str) -> str:  # the name the message extractor looks for
    """Mark a text for the catalogue without translating it here."""
    return text


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str  # in English, marked for translation: pages show _(title)
    summary: str
    rows: RowsFunction
    count: Callable[[Session, Filters, ColumnElement[bool]], int]
    fixed_columns: Sequence[Column] | None = None

    def columns(self, session: Session, filters: Filters) -> list[Column]:
        if self.fixed_columns is not None:
            return list(self.fixed_columns)
        return wide_columns(Layout.load(session, filters))


TABLES: dict[str, TableSpec] = {
    "long": TableSpec(
        "long", N_("Answers (long)"), N_("One row per assessment and question of the versions in the "
        "table: the answer, its code and score, why it is missing (don't know, not applicable, "
        "not answered, not asked in this version), evidence and when it was given."), long_rows,
        count_long, LONG_COLUMNS),
    "wide": TableSpec(
        "wide", N_("Answers (wide)"), N_("One row per assessment, one coded column per question (one "
        "0/1 column per option of a multiple choice), with status and overall index; codes -1 "
        "to -4 say why an answer is missing."), wide_rows, count_assessments),
    "choices": TableSpec(
        "choices", N_("Chosen options"), N_("One row per option chosen in a single- or multiple-choice "
        "answer: its key, code, label and points."), choice_rows, count_choices, CHOICE_COLUMNS),
    "scores": TableSpec(
        "scores", N_("Element scores"), N_("One row per submitted assessment and element: score, "
        "target, gap, completeness and evidence coverage."), score_rows, count_scores,
        SCORE_COLUMNS),
    "codebook": TableSpec(
        "codebook", N_("Codebook"), N_("One row per question of every questionnaire version in "
        "use, then one row per answer it offers: code, label, points, level evidenced, exclusive."),
        codebook_rows, count_codebook, CODEBOOK_COLUMNS),
    "actions": TableSpec(
        "actions", N_("Action plans"), N_("One row per action of a city's action plan: what will be done, "
        "who owns it, by when, its status, and the round and element it was made for."), action_rows,
        count_actions, ACTION_COLUMNS),
}


def table(name: str) -> TableSpec:
    try:
        return TABLES[name]
    except KeyError:
        raise FilterError(_("Unknown table %(value)s; choose one of %(choices)s.", value=repr(name),
                            choices=", ".join(TABLES))) from None


def row_counts(session: Session, filters: Filters, scope: ColumnElement[bool]) -> dict[str, int]:
    return {name: spec.count(session, filters, scope) for name, spec in TABLES.items()}


# --- filter choices (download page) -------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    rounds: list[str]
    regions: list[str]
    countries: list[str]
    versions: list[str]
    statuses: list[str]


def filter_choices(session: Session, scope: ColumnElement[bool]) -> FilterChoices:
    """The values offered in the download form: only what the user may see."""
    places = (select(Region.name, Country.name).select_from(City)
              .join(Country, City.country_id == Country.id)
              .join(Region, Country.region_id == Region.id).where(scope).distinct())
    pairs = session.execute(places).all()
    rounds = session.scalars(select(Round.name).order_by(Round.opens_on.desc(), Round.name))
    versions = Catalog.load(session).versions
    return FilterChoices(
        rounds=list(rounds),
        regions=sorted({region for region, _ in pairs}),
        countries=sorted({country for _, country in pairs}),
        versions=unique(v.label for v in reversed(versions)),
        statuses=[s.value for s in AssessmentStatus],
    )
