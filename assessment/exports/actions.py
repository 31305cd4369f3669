"""The actions table: one row per action of a city's action plan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, Select, String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from assessment.actions.models import Action
from assessment.assessments.models import Assessment, QuestionnaireVersion, Round
from assessment.exports.columns import ASSESSMENT_COLUMNS, Column, Row
from assessment.exports.filters import Filters, filter_conditions
from assessment.exports.query import as_text, iso_utc, joined, paged, peer_groups, stream
from assessment.places.models import City, Country, Region

ACTION_COLUMNS = [
    Column("action_id", "integer", "Identifier of the action.", nullable=False),
    Column("assessment_id", "integer", "The assessment (one city in one round) the action was made "
           "from.", nullable=False),
    Column("city_id", "integer", "Identifier of the city (stable across rounds).", nullable=False),
    Column("city", "string", "City name.", nullable=False),
    Column("country", "string", "Country of the city.", nullable=False),
    Column("region", "string", "Region of the city.", nullable=False),
    *(c for c in ASSESSMENT_COLUMNS if c.name in ("population", "size_class", "peer_groups")),
    Column("round", "string", "The round the action was made in; open actions are carried into the "
           "city's later rounds.", nullable=False),
    Column("questionnaire_version", "string", "Label of the questionnaire version the element and "
           "question ids belong to.", nullable=False),
    Column("element_id", "string", "Element the action is for (see the codebook).", nullable=False),
    Column("question_id", "string", "Question whose recommendation the action was made from; empty "
           "for an action added for an element."),
    Column("action", "string", "What will be done, as the city wrote it.", nullable=False),
    Column("owner", "string", "Who owns the action: a person or a department.", nullable=False),
    Column("due_date", "string", "Due date, YYYY-MM-DD; empty when none was set."),
    Column("status", "string", "Status of the action: planned, in_progress, done or dropped.",
           nullable=False),
    Column("note", "string", "The city's note on the action; empty when none."),
    Column("created_at", "datetime", "When the action was added to the plan (UTC).", nullable=False),
    Column("updated_at", "datetime", "When the action was last changed (UTC).", nullable=False),
]

# The peer groups are added after the query, after the city's population and size class.
_PEERS_AT = [c.name for c in ACTION_COLUMNS].index("peer_groups")


class iso_date(FunctionElement[str]):
    """A date column as ISO 8601 text (YYYY-MM-DD), whatever the database's date style."""

    type = String()
    inherit_cache = True


@compiles(iso_date, "sqlite")
def _iso_date_sqlite(element: iso_date, compiler: SQLCompiler, **kw: Any) -> str:
    return "strftime('%Y-%m-%d', " + compiler.process(element.clauses, **kw) + ")"


@compiles(iso_date, "postgresql")
def _iso_date_postgresql(element: iso_date, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


def _statement() -> Select[Any]:
    columns: list[Any] = [
        Action.id, Assessment.id, City.id, City.name, Country.name, Region.name, City.population,
        as_text(City.size_class), Round.name,
        QuestionnaireVersion.label, Action.element_id, Action.question_id, Action.text, Action.owner,
        iso_date(Action.due_on), as_text(Action.status), func.nullif(Action.note, ""),
        iso_utc(Action.created_at), iso_utc(Action.updated_at),
    ]
    return joined(select(*columns).select_from(Action)
                  .join(Assessment, Action.assessment_id == Assessment.id))


def action_rows(
    session: Session, filters: Filters, scope: ColumnElement[bool], *,
    offset: int | None = None, limit: int | None = None,
) -> Iterator[Row]:
    """Every action of the plans of the cities in ``scope``; the filters apply to the assessment
    each action was made from (its round, region, country, status and questionnaire version)."""
    stmt = _statement().where(*filter_conditions(filters, scope)).order_by(
        Action.assessment_id, Action.id)
    groups = peer_groups(session)
    for row in stream(session, paged(stmt, offset, limit)):
        yield (*row[:_PEERS_AT], groups.get(row[2]), *row[_PEERS_AT:])


def count_actions(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    stmt = joined(select(func.count()).select_from(Action)
                  .join(Assessment, Action.assessment_id == Assessment.id))
    return session.scalar(stmt.where(*filter_conditions(filters, scope))) or 0
