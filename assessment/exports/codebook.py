"""The codebook: every question of every questionnaire version in use, with its answers and points."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from assessment.assessments.models import QuestionnaireVersion
from assessment.exports.answers import wide_questions
from assessment.exports.catalog import Catalog
from assessment.exports.columns import HASH_PREFIX, TYPE_NAMES, Column, Row
from assessment.exports.filters import Filters
from assessment.questionnaire import Questionnaire, kind_of

CODEBOOK_COLUMNS = [
    Column("questionnaire_version", "string", "Label of the questionnaire version.", nullable=False),
    Column("questionnaire_hash", "string", f"First {HASH_PREFIX} characters of its content hash.",
           nullable=False),
    Column("element_id", "string", "Element identifier.", nullable=False),
    Column("element_position", "integer", "Position of the element (1 = first).", nullable=False),
    Column("element_title", "string", "Element title.", nullable=False),
    Column("element_weight", "number", "Weight of the element in the overall index.", nullable=False),
    Column("element_target", "number", "Recommended target level on the 0-4 scale.", nullable=False),
    Column("element_target_percent", "number", "The same target on the 0-100 scale of element scores.",
           nullable=False),
    Column("question_id", "string", "Question identifier (a column of the wide table).", nullable=False),
    Column("question_position", "integer", "Position of the question in the questionnaire (1 = first).",
           nullable=False),
    Column("question_type", "string", TYPE_NAMES, nullable=False),
    Column("text", "string", "Question text.", nullable=False),
    Column("scored", "boolean", "Whether the question counts towards the element score.", nullable=False),
    Column("weight", "number", "Weight of the question within its element.", nullable=False),
    Column("allow_na", "boolean", "Whether \"not applicable\" is allowed.", nullable=False),
    Column("choices", "string",
           "Possible answers and their points on the 0-4 scale, separated by ' | ': "
           "levels (value = name: description), Yes/No, options (key = label (points)) "
           "or number bands ([min, max) = points)."),
    Column("cap", "number", "Multiple choice: points needed for the top score."),
    Column("min_value", "number", "Number questions: smallest value allowed."),
    Column("max_value", "number", "Number questions: largest value allowed."),
    Column("unit", "string", "Number questions: unit of the answer."),
    Column("wide_column", "string", "Name of the question's column in the wide table (none for evidence)."),
    Column("source", "string", "What the question measures and where it comes from (the element of "
           "WCR 2020 ch. 6, a principle or a framework); empty in versions before 2027.1."),
]


def codebook_rows(
    session: Session, filters: Filters, scope: ColumnElement[bool] | None = None, *,
    offset: int | None = None, limit: int | None = None,
) -> Iterator[Row]:
    """Every question of every questionnaire version in use (round and version filters apply)."""
    catalog = Catalog.load(session, filters)
    columns = {q.question_id: q.column for q in wide_questions(catalog)}
    rows = (
        _codebook_row(version, catalog.questionnaires[version.id], columns, catalog.language)
        for version in catalog.versions
    )
    flat = itertools.chain.from_iterable(rows)
    stop = None if limit is None else (offset or 0) + limit
    yield from itertools.islice(flat, offset or 0, stop)


def _codebook_row(
    version: QuestionnaireVersion, questionnaire: Questionnaire, columns: dict[str, str], language: str,
) -> Iterator[Row]:
    position = 0
    for element_position, element in enumerate(questionnaire.elements, start=1):
        for question in element.questions:
            position += 1
            entry = kind_of(question).codebook(question)
            yield (
                version.label, version.content_hash[:HASH_PREFIX], element.id, element_position,
                element.title.get(language), element.weight, element.target, element.target_percent,
                question.id, position, question.type.value, question.text.get(language), question.scored,
                question.weight, question.allow_na, entry.choices, entry.cap,
                question.min_value, question.max_value,
                question.unit.get(language) if question.unit is not None else None,
                columns.get(question.id),
                question.source.get(language) if question.source is not None else None,
            )


def count_codebook(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    catalog = Catalog.load(session, filters)
    return sum(len(q.questions) for q in catalog.questionnaires.values())
