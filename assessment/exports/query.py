"""SQL the tables share: the joins, the assessment columns, database-formatted cells, paging, streaming."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Select, String, func, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from assessment.assessments.models import Assessment, QuestionnaireVersion, Round
from assessment.exports.columns import CITY_AT, HASH_PREFIX, PEERS_AT, Row
from assessment.places.models import City, Country, Region
from assessment.places.peers import PeerGroup, PeerGroupCity

# Rows fetched from the database per round trip (and the size of a server-side cursor batch).
BATCH_SIZE = 2000


class iso_utc(FunctionElement[str]):
    """A UTC timestamp column as ISO 8601 text, formatted by the database itself."""

    type = String()
    inherit_cache = True


@compiles(iso_utc, "sqlite")
def _iso_utc_sqlite(element: iso_utc, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite stores UTC datetimes as naive text.
    column = compiler.process(element.clauses, **kw)
    return "strftime('%Y-%m-%dT%H:%M:%SZ', " + column + ")"


@compiles(iso_utc, "postgresql")
def _iso_utc_postgresql(element: iso_utc, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"


def as_text(column: Any) -> Any:
    """Read an enum column as its stored text (skips the per-row enum conversion)."""
    return type_coerce(column, String)


def joined(stmt: Select[Any]) -> Select[Any]:
    """Join the tables that describe an assessment onto a statement selecting from it."""
    return (
        stmt.join(City, Assessment.city_id == City.id)
        .join(Country, City.country_id == Country.id)
        .join(Region, Country.region_id == Region.id)
        .join(Round, Assessment.round_id == Round.id)
        .join(QuestionnaireVersion, Assessment.questionnaire_version_id == QuestionnaireVersion.id)
    )


def assessment_select(*extra: Any) -> Select[Any]:
    """The ``ASSESSMENT_COLUMNS`` but the peer groups, in their order, then ``extra``; for a
    statement through ``joined``. ``with_peer_groups`` puts the groups in."""
    return select(
        Assessment.id, Round.name, Region.name, Country.name, Country.iso_code, City.id, City.name,
        City.population, as_text(City.size_class),
        QuestionnaireVersion.label, func.substr(QuestionnaireVersion.content_hash, 1, HASH_PREFIX),
        as_text(Assessment.status), *extra,
    )


def peer_groups(session: Session) -> dict[int, str]:
    """Each city's peer groups, by name, joined by "; " (a handful of groups: read once)."""
    names: dict[int, list[str]] = {}
    rows = session.execute(select(PeerGroupCity.city_id, PeerGroup.name)
                           .join(PeerGroup, PeerGroupCity.group_id == PeerGroup.id)
                           .order_by(PeerGroup.name))
    for city_id, name in rows:
        names.setdefault(city_id, []).append(name)
    return {city_id: "; ".join(groups) for city_id, groups in names.items()}


def with_peer_groups(rows: Iterable[Row], groups: dict[int, str]) -> Iterator[Row]:
    """Rows of ``assessment_select`` with the city's peer groups in their place."""
    for row in rows:
        yield (*row[:PEERS_AT], groups.get(row[CITY_AT]), *row[PEERS_AT:])


def stream(session: Session, stmt: Select[Any]) -> Iterator[Row]:
    """Rows of ``stmt`` from a server-side cursor, ``BATCH_SIZE`` at a time (Core rows, no ORM)."""
    result = session.connection().execute(stmt, execution_options={"yield_per": BATCH_SIZE})
    try:
        yield from result
    finally:
        result.close()


def paged(stmt: Select[Any], offset: int | None, limit: int | None) -> Select[Any]:
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt
