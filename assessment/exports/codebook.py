"""The codebook, in long form: for every questionnaire version in use, one row per question and
one row per answer it offers (a level, yes or no, an option, a number band), with the code the
wide table and the statistical files use for it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from assessment.assessments.models import QuestionnaireVersion
from assessment.exports.columns import HASH_PREFIX, TYPE_NAMES, WIDE_FIXED, Column, Row
from assessment.exports.filters import Filters
from assessment.exports.layout import Layout
from assessment.exports.names import short_names
from assessment.questionnaire import Questionnaire, kind_of
from assessment.questionnaire.types import MISSING_REASONS

QUESTION_ONLY = "On question rows only."

CODEBOOK_COLUMNS = [
    Column("questionnaire_version", "string", "Label of the questionnaire version.", nullable=False),
    Column("questionnaire_hash", "string", f"First {HASH_PREFIX} characters of its content hash.",
           nullable=False),
    Column("row_type", "string", "question (one row per question), then one row per answer it "
           "offers: level (maturity), answer (yes or no), option (single and multiple choice) or "
           "band (a range of a scored number).", nullable=False),
    Column("element_id", "string", "Element identifier.", nullable=False),
    Column("element_position", "integer", f"Position of the element (1 = first). {QUESTION_ONLY}"),
    Column("element_title", "string", f"Element title. {QUESTION_ONLY}"),
    Column("element_weight", "number", f"Weight of the element in the overall index. {QUESTION_ONLY}"),
    Column("element_target", "number", f"Recommended target level on the 0-4 scale. {QUESTION_ONLY}"),
    Column("element_target_percent", "number",
           f"The same target on the 0-100 scale of element scores. {QUESTION_ONLY}"),
    Column("question_id", "string", "Question identifier.", nullable=False),
    Column("question_position", "integer", "Position of the question in the questionnaire "
           "(1 = first).", nullable=False),
    Column("question_type", "string", TYPE_NAMES, nullable=False),
    Column("text", "string", f"Question text. {QUESTION_ONLY}"),
    Column("scored", "boolean", f"Whether the question counts towards the element score. {QUESTION_ONLY}"),
    Column("weight", "number", f"Weight of the question within its element. {QUESTION_ONLY}"),
    Column("allow_na", "boolean", f"Whether \"not applicable\" is allowed. {QUESTION_ONLY}"),
    Column("cap", "number", "Multiple choice: points needed for the top score."),
    Column("full_level", "integer", "Multiple choice: the level an answer that reaches the cap "
           "evidences (empty in versions that do not declare it: level 4)."),
    Column("min_value", "number", "Number questions: smallest value allowed."),
    Column("max_value", "number", "Number questions: largest value allowed."),
    Column("integer", "boolean", "Number questions: only whole numbers."),
    Column("unit", "string", "Number questions: unit of the answer."),
    Column("source", "string", "What the question measures and where it comes from (the element "
           "of WCR 2020 ch. 6, a principle or a framework); empty in versions before 2027.1. "
           f"{QUESTION_ONLY}"),
    Column("wide_column", "string", "The wide table's column: on a question row, the question's "
           "column (none for evidence and for multiple choice, which has one column per option); "
           "on a multiple-choice option row, the option's column."),
    Column("short_name", "string", "The same column's name in the Stata and SPSS files (at most "
           "27 characters; longer names are cut and end with four characters of a hash)."),
    Column("value_type", "string", "integer or number: the type of the wide column's values. "
           f"{QUESTION_ONLY}"),
    Column("code", "integer", "The answer's code in the wide table: the level, 1 (yes) or 0 "
           "(no), the option's code (kept across versions); empty for bands."),
    Column("key", "string", "The answer as stored (the long table's value): the level, yes or "
           "no, the option key; a band's range, [min, max)."),
    Column("label", "string", "The answer's label in the label language."),
    Column("description", "string", "What a maturity level means for this question."),
    Column("points", "number", "Points on the 0-4 scale the answer earns (a multiple-choice "
           "option's points add up to the cap); empty when the question is not scored."),
    Column("level", "integer", "The level of the 0-4 scale the answer evidences, when the "
           "questionnaire declares it."),
    Column("exclusive", "boolean", "Options: cannot be ticked together with others (\"none of "
           "these\")."),
    Column("band_min", "number", "Bands: the smallest number in the band (empty: no lower end)."),
    Column("band_max", "number", "Bands: the band holds numbers below this (empty: no upper end)."),
    *(Column(f"{reason}_code", "integer", f"The wide table's code for \"{reason}\" in this "
             f"question's columns. {QUESTION_ONLY}") for reason in MISSING_REASONS),
]

_WIDTH = len(CODEBOOK_COLUMNS)


def codebook_rows(
    session: Session, filters: Filters, scope: ColumnElement[bool] | None = None, *,
    offset: int | None = None, limit: int | None = None,
) -> Iterator[Row]:
    """Every question of every questionnaire version in use (round and version filters apply),
    each followed by its answers."""
    layout = Layout.load(session, filters)
    wide = [c.name for c in WIDE_FIXED] + [c.name for c in layout.wide_columns()]
    short = short_names(wide)
    rows = (
        _rows(version, layout.catalog.questionnaires[version.id], layout, short)
        for version in layout.catalog.versions
    )
    flat = itertools.chain.from_iterable(rows)
    stop = None if limit is None else (offset or 0) + limit
    yield from itertools.islice(flat, offset or 0, stop)


def _rows(version: QuestionnaireVersion, questionnaire: Questionnaire, layout: Layout,
          short: dict[str, str]) -> Iterator[Row]:
    language, translate = layout.catalog.language, layout.translate
    items = {item.question_id: item for item in layout.questions}
    head = (version.label, version.content_hash[:HASH_PREFIX])
    position = 0
    for element_position, element in enumerate(questionnaire.elements, start=1):
        for question in element.questions:
            position += 1
            kind = kind_of(question)
            item = items[question.id]
            column = item.columns[0] if item.columns and not item.per_option else None
            missing = kind.missing_codes(question)
            row: list[object] = [None] * _WIDTH
            row[:35] = [
                *head, "question", element.id, element_position, element.title.get(language),
                element.weight, element.target, element.target_percent, question.id, position,
                question.type.value, question.text.get(language), question.scored,
                question.weight, question.allow_na,
                question.effective_cap if kind.multiple else None,
                question.full_level, question.min_value, question.max_value,
                question.integer if kind.widget == "number" else None,
                question.unit.get(language) if question.unit is not None else None,
                question.source.get(language) if question.source is not None else None,
                column, short.get(column) if column else None, kind.wide_type(question),
                None, None, None, None, None, None, None, None, None,
            ]
            row[35:] = [missing[reason] for reason in MISSING_REASONS]
            yield tuple(row)
            for answer in kind.answer_codes(question, language, translate):
                code = item.codes.get(answer.key, answer.code) if answer.code is not None else None
                option_column = (item.columns[item.option_keys.index(answer.key)]
                                 if item.per_option and answer.key in item.option_keys else None)
                yield (
                    *head, answer.kind, element.id, None, None, None, None, None, question.id,
                    position, question.type.value, None, None, None, None, None, None, None,
                    None, None, None, None, option_column,
                    short.get(option_column) if option_column else None, None, code, answer.key,
                    answer.label, answer.description or None, answer.points, answer.level,
                    answer.exclusive if answer.kind == "option" else None, answer.low,
                    answer.high, None, None, None, None,
                )


def count_codebook(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    layout = Layout.load(session, filters)
    return sum(1 + len(kind_of(q).answer_codes(q))
               for questionnaire in layout.catalog.questionnaires.values()
               for q in questionnaire.questions)
