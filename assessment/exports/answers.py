"""The answer tables: long (one row per assessment and question), wide (one row per assessment,
a column per question or option) and choices (one row per chosen option).

Every assessment has a place for every question of the versions in the export (see
``layout``), so the four reasons for a missing answer stay apart: "don't know", "not applicable",
"not answered" and "not asked in this version". The long table says which with a ``missing``
code and one flag each; the wide table with a code in the cell, below every real value.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from assessment.assessments.models import Answer, Assessment
from assessment.auth.models import User
from assessment.exports.columns import (
    ASSESSMENT_COLUMNS,
    N_ASSESSMENT,
    TYPE_NAMES,
    WIDE_FIXED,
    Column,
    Row,
)
from assessment.exports.filters import Filters, filter_conditions
from assessment.exports.layout import Layout, QuestionLayout
from assessment.exports.query import (
    as_text,
    assessment_select,
    iso_utc,
    joined,
    paged,
    peer_groups,
    stream,
    with_peer_groups,
)
from assessment.questionnaire import Question, kind_of
from assessment.questionnaire.types import (
    DONT_KNOW,
    MISSING_REASONS,
    NOT_ANSWERED,
    NOT_APPLICABLE,
    NOT_ASKED,
    AnswerCode,
)

__all__ = ["CHOICE_COLUMNS", "LONG_COLUMNS", "WIDE_FIXED"]

REASONS = ", ".join(MISSING_REASONS)


def missing_reason(question: Question | None, value: str | None, dont_know: bool,
                   not_applicable: bool, url: str | None) -> str | None:
    """Why an assessment has no answer to a question (``question``: as its version asks it, or
    None when it does not); None when it has one."""
    if question is None:
        return NOT_ASKED
    if dont_know:
        return DONT_KNOW
    if not_applicable:
        return NOT_APPLICABLE
    if kind_of(question).has_value:
        return None if value not in (None, "") else NOT_ANSWERED
    return None if url else NOT_ANSWERED  # evidence: the link is the answer


def _asked(layout: Layout, version_id: int, item: QuestionLayout) -> Question | None:
    """The question as the version asks it; None when it does not (or asks another type)."""
    question = layout.asked.get(version_id, {}).get(item.question_id)
    return question if question is not None and question.type.value == item.type else None


def _heads(session: Session, filters: Filters, scope: ColumnElement[bool],
           ids: list[int] | None = None) -> Iterator[Row]:
    """The assessment columns (and version id) of the assessments a table covers, by id."""
    stmt = joined(assessment_select(Assessment.questionnaire_version_id).select_from(Assessment))
    stmt = stmt.where(*filter_conditions(filters, scope))
    if ids is not None:
        stmt = stmt.where(Assessment.id.in_(ids))
    return with_peer_groups(stream(session, stmt.order_by(Assessment.id)), peer_groups(session))


def _page_ids(session: Session, filters: Filters, scope: ColumnElement[bool], offset: int,
              limit: int | None) -> list[int]:
    stmt = joined(select(Assessment.id).select_from(Assessment)).where(
        *filter_conditions(filters, scope)).order_by(Assessment.id)
    return list(session.scalars(paged(stmt, offset, limit)))


def _merged(heads: Iterator[Row], answers: Iterator[Row]) -> Iterator[tuple[Row, dict[str, Row]]]:
    """Each head with its answers by question id; both streams are in assessment order, so the
    city, round and version columns are read once per assessment, not once per answer."""
    pending: Row | None = next(answers, None)
    for head in heads:
        assessment_id = head[0]
        found: dict[str, Row] = {}
        while pending is not None and pending[0] <= assessment_id:
            if pending[0] == assessment_id:
                found[pending[1]] = pending
            pending = next(answers, None)
        yield head, found


def _paged_rows(session: Session, filters: Filters, scope: ColumnElement[bool], width: int,
                offset: int | None, limit: int | None,
                answers_for: Any) -> tuple[Iterator[Row], Iterator[Row], int, int | None]:
    """Heads and answers for a page of ``width`` rows per assessment: the rows to skip and keep."""
    if not offset and limit is None:
        return _heads(session, filters, scope), answers_for(None), 0, None
    start = offset or 0
    first, skip = divmod(start, width)
    count = None if limit is None else -(-(skip + limit) // width)
    ids = _page_ids(session, filters, scope, first, count)
    return _heads(session, filters, scope, ids), answers_for(ids), skip, limit


# --- long ----------------------------------------------------------------------------------


LONG_COLUMNS = [
    *ASSESSMENT_COLUMNS,
    Column("element_id", "string", "Element the question belongs to (see the codebook).",
           nullable=False),
    Column("question_id", "string", "Question identifier (see the codebook).", nullable=False),
    Column("question_position", "integer", "Position of the question in the assessment's "
           "questionnaire version (1 = first); empty when that version does not ask it."),
    Column("question_type", "string", TYPE_NAMES, nullable=False),
    Column("value", "string",
           "The answer as stored: a level 0-4, yes/no, an option key, option keys joined "
           "by commas, or a number. Empty when there is no answer (see missing) and for "
           "evidence questions."),
    Column("value_label", "string",
           "The answer in words: the level name, Yes/No, or the option labels joined by '; '."),
    Column("value_code", "number",
           "The answer as the wide table codes it: the level, 1 for yes and 0 for no, the "
           "option's code (see the codebook), or the number; empty for multiple choice (see the "
           "choices table) and when there is no answer."),
    Column("score", "number", "Points on the 0-4 scale; empty when not scored or not answered."),
    Column("missing", "string", f"Why there is no answer: {REASONS} (the assessment's "
           "questionnaire version does not ask the question); empty when it is answered."),
    Column("dont_know", "boolean", "The respondent answered \"don't know\".", nullable=False),
    Column("not_applicable", "boolean", "The respondent answered \"not applicable\".", nullable=False),
    Column("not_answered", "boolean", "The question is asked but has no answer (never answered, "
           "or cleared; an evidence question without a link).", nullable=False),
    Column("not_asked", "boolean", "The assessment's questionnaire version does not ask the "
           "question.", nullable=False),
    Column("evidence_url", "string", "Link to evidence given with the answer."),
    Column("note", "string", "Note given with the answer."),
    Column("answered_by_id", "integer",
           "Identifier of the account that last changed the answer (no name or email)."),
    Column("answered_by_role", "string", "Role of that account: official, regional, analyst or admin."),
    Column("answered_at", "datetime", "When the answer was last changed (UTC), also when it "
           "was cleared; empty when it was never given."),
]


def _long_answers(session: Session, filters: Filters, scope: ColumnElement[bool],
                  ids: list[int] | None) -> Iterator[Row]:
    stmt = select(
        Answer.assessment_id, Answer.question_id, Answer.value, Answer.score, Answer.dont_know,
        Answer.not_applicable, Answer.evidence_url, Answer.note, Answer.updated_by_id,
        as_text(User.role), iso_utc(Answer.updated_at),
    ).select_from(Answer).join(Assessment, Answer.assessment_id == Assessment.id)
    stmt = joined(stmt).outerjoin(User, Answer.updated_by_id == User.id)
    stmt = stmt.where(*filter_conditions(filters, scope))
    if ids is not None:
        stmt = stmt.where(Answer.assessment_id.in_(ids))
    # The unique index on (assessment_id, question_id) gives this order without sorting.
    return stream(session, stmt.order_by(Answer.assessment_id, Answer.question_id))


def value_code(item: QuestionLayout, question: Question, text: str | None) -> int | float | None:
    """The number that stands for a stored answer in the wide table (not multiple choice)."""
    if text in (None, ""):
        return None
    assert text is not None
    kind = kind_of(question)
    if kind.coded:
        return item.codes.get(text)
    return kind.wide_number(question, text)


def long_rows(
    session: Session, filters: Filters, scope: ColumnElement[bool], *,
    offset: int | None = None, limit: int | None = None,
) -> Iterator[Row]:
    """One row per assessment and question of the versions in the export (see ``LONG_COLUMNS``)."""
    layout = Layout.load(session, filters)
    items = layout.questions
    if not items:
        return
    heads, answers, skip, keep = _paged_rows(
        session, filters, scope, len(items), offset, limit,
        lambda ids: _long_answers(session, filters, scope, ids))
    rows = _long(layout, _merged(heads, answers))
    yield from itertools.islice(rows, skip, None if keep is None else skip + keep)


def _long(layout: Layout, merged: Iterator[tuple[Row, dict[str, Row]]]) -> Iterator[Row]:
    metas = layout.metas
    for head, found in merged:
        prefix = head[:N_ASSESSMENT]
        version_id = head[N_ASSESSMENT]
        for item in layout.questions:
            question = _asked(layout, version_id, item)
            answer = found.get(item.question_id)
            if answer is None:
                value = score = url = note = by_id = by_role = at = None
                dont_know = not_applicable = False
            else:
                (_, _, value, score, dont_know, not_applicable, url, note, by_id, by_role,
                 at) = answer
            reason = missing_reason(question, value, dont_know, not_applicable, url)
            label = code = position = None
            if question is not None:
                meta = metas.get((version_id, item.question_id))
                position = meta.position if meta else None
                if value not in (None, "") and reason is None:
                    label = meta.label(value) if meta else None
                    code = None if item.per_option else value_code(item, question, value)
            yield (*prefix, item.element_id, item.question_id, position, item.type, value, label,
                   code, score, reason, reason == DONT_KNOW, reason == NOT_APPLICABLE,
                   reason == NOT_ANSWERED, reason == NOT_ASKED, url, note, by_id, by_role, at)


def count_long(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    return count_assessments(session, filters, scope) * len(Layout.load(session, filters).questions)


# --- wide ----------------------------------------------------------------------------------


def wide_columns(layout: Layout) -> list[Column]:
    return [*WIDE_FIXED, *layout.wide_columns()]


def _wide_answers(session: Session, filters: Filters, scope: ColumnElement[bool],
                  ids: list[int] | None) -> Iterator[Row]:
    read: list[Any] = [Answer.assessment_id, Answer.question_id, Answer.value, Answer.dont_know,
                       Answer.not_applicable]
    stmt = select(*read).select_from(Answer).join(
        Assessment, Answer.assessment_id == Assessment.id)
    stmt = joined(stmt).where(*filter_conditions(filters, scope))
    if ids is not None:
        stmt = stmt.where(Answer.assessment_id.in_(ids))
    return stream(session, stmt.order_by(Answer.assessment_id, Answer.question_id))


def _wide_heads(session: Session, filters: Filters, scope: ColumnElement[bool],
                ids: list[int] | None) -> Iterator[Row]:
    stmt = joined(assessment_select(
        Assessment.questionnaire_version_id, Assessment.completeness, Assessment.overall_index,
        Assessment.overall_geometric, iso_utc(Assessment.submitted_at)).select_from(Assessment))
    stmt = stmt.where(*filter_conditions(filters, scope))
    if ids is not None:
        stmt = stmt.where(Assessment.id.in_(ids))
    return with_peer_groups(stream(session, stmt.order_by(Assessment.id)), peer_groups(session))


def wide_rows(
    session: Session, filters: Filters, scope: ColumnElement[bool], *,
    offset: int | None = None, limit: int | None = None,
) -> Iterator[Row]:
    """One row per assessment, one column per question or option (see ``wide_columns``)."""
    layout = Layout.load(session, filters)
    ids = None if not offset and limit is None else _page_ids(session, filters, scope,
                                                              offset or 0, limit)
    heads = _wide_heads(session, filters, scope, ids)
    merged = _merged(heads, _wide_answers(session, filters, scope, ids))
    items = [item for item in layout.questions if item.cell_type is not None]
    for head, found in merged:
        version_id = head[N_ASSESSMENT]
        cells: list[Any] = []
        for item in items:
            question = _asked(layout, version_id, item)
            answer = found.get(item.question_id)
            value, dont_know, not_applicable = answer[2:5] if answer else (None, False, False)
            reason = missing_reason(question, value, dont_know, not_applicable, None)
            if reason is not None:
                cells.extend([item.missing[reason]] * len(item.columns))
            elif item.per_option:
                assert question is not None and value is not None
                chosen = set(kind_of(question).chosen_keys(question, value))
                offered = {o.key for o in question.options}
                cells.extend(item.missing[NOT_ASKED] if key not in offered else int(key in chosen)
                             for key in item.option_keys)
            else:
                assert question is not None
                # Empty: a stored value this version cannot read (never one saved by the pages).
                cells.append(value_code(item, question, value))
        yield (*head[:N_ASSESSMENT], *head[N_ASSESSMENT + 1:], *cells)


def count_assessments(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    stmt = joined(select(func.count()).select_from(Assessment))
    return session.scalar(stmt.where(*filter_conditions(filters, scope))) or 0


# --- choices -------------------------------------------------------------------------------


CHOICE_COLUMNS = [
    *ASSESSMENT_COLUMNS,
    Column("element_id", "string", "Element the question belongs to.", nullable=False),
    Column("question_id", "string", "Question identifier (see the codebook).", nullable=False),
    Column("question_type", "string", "single_choice or multiple_choice.", nullable=False),
    Column("option_key", "string", "The chosen option's key, as stored.", nullable=False),
    Column("option_code", "integer", "The option's code, as in the wide table and the codebook.",
           nullable=False),
    Column("option_label", "string", "The option's label in the label language.", nullable=False),
    Column("points", "number", "The option's points on the 0-4 scale (before a multiple-choice "
           "question's cap); empty when the question is not scored."),
    Column("exclusive", "boolean", "The option cannot be ticked with others (\"none of these\").",
           nullable=False),
]


def _option_questions(layout: Layout) -> list[str]:
    return [item.question_id for item in layout.questions if item.kind.positional_codes]


def _choice_answers(session: Session, filters: Filters, scope: ColumnElement[bool],
                    question_ids: list[str]) -> Select[Any]:
    read: list[Any] = [Answer.assessment_id, Answer.question_id, Answer.value]
    stmt = select(*read).select_from(Answer).join(Assessment, Answer.assessment_id == Assessment.id)
    return joined(stmt).where(*filter_conditions(filters, scope), Answer.question_id.in_(question_ids),
                              Answer.value.is_not(None), Answer.value != "")


def choice_rows(
    session: Session, filters: Filters, scope: ColumnElement[bool], *,
    offset: int | None = None, limit: int | None = None,
) -> Iterator[Row]:
    """One row per chosen option of a single- or multiple-choice answer (see ``CHOICE_COLUMNS``)."""
    layout = Layout.load(session, filters)
    by_id = {item.question_id: item for item in layout.questions}
    stmt = _choice_answers(session, filters, scope, _option_questions(layout))
    answers = stream(session, stmt.order_by(Answer.assessment_id, Answer.question_id))
    options: dict[tuple[int, str], dict[str, AnswerCode]] = {}
    language, translate = layout.catalog.language, layout.translate

    def rows() -> Iterator[Row]:
        for head, found in _merged(_heads(session, filters, scope), answers):
            version_id = head[N_ASSESSMENT]
            for item in layout.questions:
                answer = found.get(item.question_id)
                question = _asked(layout, version_id, item) if answer else None
                if answer is None or question is None:
                    continue
                kind = kind_of(question)
                offered = options.get((version_id, item.question_id))
                if offered is None:
                    offered = {code.key: code for code in kind.answer_codes(question, language,
                                                                            translate)}
                    options[(version_id, item.question_id)] = offered
                for key in kind.chosen_keys(question, answer[2]):
                    option = offered.get(key)
                    if option is None:
                        continue  # stored under rules this version no longer has
                    yield (*head[:N_ASSESSMENT], item.element_id, item.question_id, item.type, key,
                           by_id[item.question_id].codes[key], option.label, option.points,
                           option.exclusive)

    stop = None if limit is None else (offset or 0) + limit
    yield from itertools.islice(rows(), offset or 0, stop)


def count_choices(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    layout = Layout.load(session, filters)
    stmt = _choice_answers(session, filters, scope, _option_questions(layout)).subquery()
    # One option per key: multiple choices are stored joined by commas.
    keys = func.length(stmt.c.value) - func.length(func.replace(stmt.c.value, ",", "")) + 1
    return session.scalar(select(func.coalesce(func.sum(keys), 0))) or 0
