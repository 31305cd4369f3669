"""The answer tables: long (one row per answer) and wide (one row per assessment, a column per question)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from assessment.assessments.models import Answer, Assessment
from assessment.auth.models import User
from assessment.exports.catalog import Catalog, QuestionMeta
from assessment.exports.columns import ASSESSMENT_COLUMNS, N_ASSESSMENT, TYPE_NAMES, Column, Row
from assessment.exports.filters import Filters, filter_conditions
from assessment.exports.query import as_text, assessment_select, iso_utc, joined, paged, stream
from assessment.questionnaire import kind_of

# --- long ----------------------------------------------------------------------------------


LONG_COLUMNS = [
    *ASSESSMENT_COLUMNS,
    Column("element_id", "string", "Element the question belongs to (see the codebook)."),
    Column("question_id", "string", "Question identifier (see the codebook).", nullable=False),
    Column("question_position", "integer", "Position of the question in its questionnaire (1 = first)."),
    Column("question_type", "string", TYPE_NAMES),
    Column("value", "string",
           "The answer as stored: a level 0-4, yes/no, an option key, option keys joined "
           "by commas, or a number. Empty for don't know, not applicable and evidence questions."),
    Column("value_label", "string",
           "The answer in words: the level name, Yes/No, or the option labels joined by '; '."),
    Column("score", "number", "Points on the 0-4 scale; empty when not scored or not answered."),
    Column("dont_know", "boolean", "The respondent answered \"don't know\".", nullable=False),
    Column("not_applicable", "boolean", "The respondent answered \"not applicable\".", nullable=False),
    Column("evidence_url", "string", "Link to evidence given with the answer."),
    Column("note", "string", "Note given with the answer."),
    Column("answered_by_id", "integer",
           "Identifier of the account that last changed the answer (no name or email)."),
    Column("answered_by_role", "string", "Role of that account: official, regional, analyst or admin."),
    Column("answered_at", "datetime", "When the answer was last changed (UTC)."),
]


def _long_statement(filters: Filters, scope: ColumnElement[bool]) -> Select[Any]:
    stmt = select(
        Answer.assessment_id, Answer.question_id, Answer.value, Answer.score, Answer.dont_know,
        Answer.not_applicable, Answer.evidence_url, Answer.note, Answer.updated_by_id,
        as_text(User.role), iso_utc(Answer.updated_at),
    ).select_from(Answer).join(Assessment, Answer.assessment_id == Assessment.id)
    stmt = joined(stmt).outerjoin(User, Answer.updated_by_id == User.id)
    # The unique index on (assessment_id, question_id) gives this order without sorting.
    return stmt.where(*filter_conditions(filters, scope)).order_by(Answer.assessment_id, Answer.question_id)


def _assessment_heads(
    session: Session, filters: Filters, scope: ColumnElement[bool], ids: list[int] | None = None,
) -> Iterator[Row]:
    """The assessment columns (and version id) of the assessments a table covers, by id."""
    stmt = joined(assessment_select(Assessment.questionnaire_version_id).select_from(Assessment))
    stmt = stmt.where(*filter_conditions(filters, scope))
    if ids is not None:
        stmt = stmt.where(Assessment.id.in_(ids))
    return stream(session, stmt.order_by(Assessment.id))


def long_rows(
    session: Session, filters: Filters, scope: ColumnElement[bool], *,
    offset: int | None = None, limit: int | None = None,
) -> Iterator[Row]:
    """One row per assessment and answered question (see ``LONG_COLUMNS``).

    Answers and assessments are read by two cursors in assessment order and merged here, so
    the city, round and version columns are fetched once per assessment, not once per answer.
    """
    metas = Catalog.load(session, Filters(lang=filters.lang)).question_metas()
    unknown = QuestionMeta("", 0, "")
    statement = _long_statement(filters, scope)
    if offset or limit is not None:
        answers: Iterator[Row] | list[Row] = list(stream(session, paged(statement, offset, limit)))
        ids = sorted({row[0] for row in answers})
        heads = _assessment_heads(session, filters, scope, ids)
    else:
        heads = _assessment_heads(session, filters, scope)
        answers = stream(session, statement)
    head: Row | None = next(heads, None)
    current = None
    prefix: Row = ()
    version_id = None
    for (assessment_id, question_id, value, score, dont_know, not_applicable, url, note, by_id,
         by_role, at) in answers:
        if assessment_id != current:
            while head is not None and head[0] < assessment_id:
                head = next(heads, None)
            if head is None or head[0] != assessment_id:
                continue  # the assessment was deleted between the two reads
            current = assessment_id
            prefix = tuple(head[:N_ASSESSMENT])
            version_id = head[N_ASSESSMENT]
        meta = metas.get((version_id, question_id), unknown)  # type: ignore[arg-type]
        label = meta.labels.get(value) if value is not None else None
        if label is None and meta.multiple and value:
            label = meta.label(value)
        yield (*prefix, meta.element_id or None, question_id, meta.position or None,
               meta.type or None, value, label, score, dont_know, not_applicable,
               url, note, by_id, by_role, at)


def count_long(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    stmt = joined(select(func.count()).select_from(Answer)
                  .join(Assessment, Answer.assessment_id == Assessment.id))
    return session.scalar(stmt.where(*filter_conditions(filters, scope))) or 0


# --- wide ----------------------------------------------------------------------------------


WIDE_FIXED = [
    *ASSESSMENT_COLUMNS,
    Column("completeness", "number", "Share of applicable scored questions answered (0-1).", nullable=False),
    Column("overall_index", "number",
           "Overall index, 0-100, stored at submission; empty for drafts."),
    Column("overall_geometric", "number", "Geometric overall score, 0-100; empty for drafts."),
    Column("submitted_at", "datetime", "When the assessment was last submitted (UTC)."),
]


@dataclass(frozen=True)
class WideQuestion:
    column: str
    question_id: str
    type: str


def wide_questions(catalog: Catalog) -> list[WideQuestion]:
    """One column per question (evidence questions have no value and no column)."""
    fixed = {c.name for c in WIDE_FIXED}
    types: dict[str, set[str]] = {}
    for questionnaire in catalog.questionnaires.values():
        for question in questionnaire.questions:
            value_type = kind_of(question).codebook(question).value_type
            if value_type is not None:
                types.setdefault(question.id, set()).add(value_type)
    return [
        WideQuestion(f"q_{qid}" if qid in fixed else qid, qid,
                     kinds.pop() if len(kinds) == 1 else "string")
        for qid, kinds in types.items()
    ]


def wide_columns(catalog: Catalog) -> list[Column]:
    return [*WIDE_FIXED, *(
        Column(q.column, q.type, f"Answer to question {q.question_id} (as in the long table's value).")
        for q in wide_questions(catalog)
    )]


def _convert(kind: str) -> Callable[[str], Any]:
    if kind == "integer":
        return lambda text: int(float(text))
    if kind == "number":
        return float
    return str


def wide_rows(
    session: Session, filters: Filters, scope: ColumnElement[bool], *,
    offset: int | None = None, limit: int | None = None,
) -> Iterator[Row]:
    """One row per assessment, one column per question (see ``wide_columns``)."""
    questions = wide_questions(Catalog.load(session, filters))
    slots = {q.question_id: (index, _convert(q.type)) for index, q in enumerate(questions)}
    conditions = filter_conditions(filters, scope)
    stmt = assessment_select(
        Assessment.completeness, Assessment.overall_index, Assessment.overall_geometric,
        iso_utc(Assessment.submitted_at), Answer.question_id, Answer.value,
    ).select_from(Assessment)
    stmt = joined(stmt).outerjoin(Answer, Answer.assessment_id == Assessment.id).where(*conditions)
    if offset or limit is not None:
        page = paged(joined(select(Assessment.id).select_from(Assessment)).where(*conditions)
                     .order_by(Assessment.id), offset, limit)
        stmt = stmt.where(Assessment.id.in_(page.scalar_subquery()))
    stmt = stmt.order_by(Assessment.id)
    fixed = len(WIDE_FIXED)
    for _, group in itertools.groupby(stream(session, stmt), key=lambda row: row[0]):
        values: list[Any] = [None] * len(questions)
        head: Row = ()
        for row in group:
            head = row[:fixed]
            question_id, value = row[fixed:]
            slot = slots.get(question_id)
            if slot is not None and value not in (None, ""):
                index, convert = slot
                try:
                    values[index] = convert(value)
                except ValueError:
                    values[index] = None
        yield (*head, *values)


def count_assessments(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    stmt = joined(select(func.count()).select_from(Assessment))
    return session.scalar(stmt.where(*filter_conditions(filters, scope))) or 0
