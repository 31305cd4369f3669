"""The response tables: long, wide, scores and codebook.

Each table is a list of typed ``Column``s and a generator of plain tuples, read with one
streaming query (joins, no ORM objects per row), so a download of any size runs in
bounded memory. The web download, the command line and the JSON API all read the
tables here, with the same filters and the same scoping.

Cell types: ``string``, ``integer``, ``number``, ``boolean`` and ``datetime``; datetimes
arrive as ISO 8601 UTC text (``2026-03-01T09:30:00Z``), formatted by the database.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale, gettext
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from assessment.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ElementScore,
    QuestionnaireVersion,
    Round,
)
from assessment.assessments.versions import questionnaire_for
from assessment.auth.access import city_scope
from assessment.auth.models import User
from assessment.i18n import LANGUAGES
from assessment.places.models import City, Country, Region
from assessment.questionnaire import Questionnaire, QuestionType, kind_of
from assessment.questionnaire.types import untranslated

# Rows fetched from the database per round trip (and the size of a server-side cursor batch).
BATCH_SIZE = 2000
# Length of the questionnaire content hash shown in tables: enough to tell versions apart.
HASH_PREFIX = 12
# A filter value longer than this cannot match a stored name.
MAX_FILTER_LENGTH = 200
# Tables are in English unless the analyst chooses another language for the labels.
DEFAULT_EXPORT_LANGUAGE = "en"

Row = tuple[Any, ...]


class FilterError(ValueError):
    """A filter value that cannot be used; the message is shown to the user."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string | integer | number | boolean | datetime
    description: str
    nullable: bool = True


@dataclass(frozen=True)
class Filters:
    """Which assessments a table covers. Names, not ids, so the same link works everywhere."""

    round: str | None = None
    region: str | None = None
    country: str | None = None
    status: str | None = None
    version: str | None = None
    # The language of the label columns (answer labels, element titles, question texts); ids,
    # codes and values are the same in every language.
    lang: str = DEFAULT_EXPORT_LANGUAGE

    FIELDS = ("round", "region", "country", "status", "version")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Filters:
        """Read filters from query arguments or options; blanks mean "any"."""
        cleaned: dict[str, str | None] = {}
        for name in cls.FIELDS:
            raw = values.get(name)
            text = str(raw).strip() if raw is not None else ""
            if len(text) > MAX_FILTER_LENGTH:
                raise FilterError(f"The {name} filter is too long.")
            cleaned[name] = text or None
        status = cleaned["status"]
        if status is not None and status not in {s.value for s in AssessmentStatus}:
            choices = ", ".join(s.value for s in AssessmentStatus)
            raise FilterError(f"Status must be one of {choices}, not {status!r}.")
        lang = str(values.get("lang") or "").strip() or DEFAULT_EXPORT_LANGUAGE
        if lang not in LANGUAGES:
            raise FilterError(f"The label language must be one of {', '.join(LANGUAGES)}, not {lang!r}.")
        return cls(**cleaned, lang=lang)

    def as_query(self) -> dict[str, str]:
        """The filters that are set, as query arguments (the label language when not English)."""
        query = {name: value for name in self.FIELDS if (value := getattr(self, name))}
        if self.lang != DEFAULT_EXPORT_LANGUAGE:
            query["lang"] = self.lang
        return query

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.as_query().items()) or "none"


def scope_for(user: User | None) -> ColumnElement[bool]:
    """The cities a user may export (everything for the command line, which has no user)."""
    return true() if user is None else city_scope(user)


# --- SQL helpers -------------------------------------------------------------------------


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


def _as_text(column: Any) -> Any:
    """Read an enum column as its stored text (skips the per-row enum conversion)."""
    return type_coerce(column, String)


def _joined(stmt: Select[Any]) -> Select[Any]:
    """Join the tables that describe an assessment onto a statement selecting from it."""
    return (
        stmt.join(City, Assessment.city_id == City.id)
        .join(Country, City.country_id == Country.id)
        .join(Region, Country.region_id == Region.id)
        .join(Round, Assessment.round_id == Round.id)
        .join(QuestionnaireVersion, Assessment.questionnaire_version_id == QuestionnaireVersion.id)
    )


def _version_match(value: str) -> ColumnElement[bool]:
    """A version filter matches the label, or the start of the content hash (4+ characters)."""
    clauses: list[ColumnElement[bool]] = [QuestionnaireVersion.label == value]
    prefix = value.lower()
    if len(prefix) >= 4 and all(c in "0123456789abcdef" for c in prefix):
        clauses.append(func.substr(QuestionnaireVersion.content_hash, 1, len(prefix)) == prefix)
    return or_(*clauses)


def _conditions(filters: Filters, scope: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """WHERE clauses for a statement that went through ``_joined``."""
    values = [v for v in filters.as_query().values()]
    if any("\x00" in v for v in values):
        # No stored name holds a NUL character (and PostgreSQL refuses one in a parameter).
        return [false()]
    conditions: list[ColumnElement[bool]] = [scope]
    if filters.round:
        conditions.append(Round.name == filters.round)
    if filters.region:
        conditions.append(Region.name == filters.region)
    if filters.country:
        conditions.append(Country.name == filters.country)
    if filters.status:
        conditions.append(_as_text(Assessment.status) == filters.status)
    if filters.version:
        conditions.append(_version_match(filters.version))
    return conditions


def _stream(session: Session, stmt: Select[Any]) -> Iterator[Row]:
    """Rows of ``stmt`` from a server-side cursor, ``BATCH_SIZE`` at a time (Core rows, no ORM)."""
    result = session.connection().execute(stmt, execution_options={"yield_per": BATCH_SIZE})
    try:
        yield from result
    finally:
        result.close()


def _page(stmt: Select[Any], offset: int | None, limit: int | None) -> Select[Any]:
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


# --- questionnaire versions in use ---------------------------------------------------------


@dataclass(frozen=True)
class QuestionMeta:
    """What the tables need to know about one question of one version."""

    element_id: str
    position: int
    type: str
    labels: dict[str, str] = field(default_factory=dict, compare=False)
    multiple: bool = False

    def label(self, value: str | None) -> str | None:
        """The answer's label: level name, Yes/No or option labels; None for numbers."""
        if value is None:
            return None
        found = self.labels.get(value)
        if found is None and self.multiple:
            found = "; ".join(self.labels.get(key, key) for key in value.split(","))
            self.labels[value] = found  # a handful of combinations per question
        return found


def _translator(language: str) -> Callable[[str], str]:
    """Fixed words (Yes, No) in ``language``, whatever the language of the request."""
    if language == DEFAULT_EXPORT_LANGUAGE:
        return untranslated

    def translate(message: str) -> str:
        with force_locale(language):
            return gettext(message)

    return translate


def _question_meta(questionnaire: Questionnaire, language: str) -> dict[str, QuestionMeta]:
    metas = {}
    translate = _translator(language)
    for position, question in enumerate(questionnaire.questions, start=1):
        kind = kind_of(question)
        labels = {choice.key: choice.label for choice in kind.choices(question, language, translate)}
        metas[question.id] = QuestionMeta(
            question.element_id, position, question.type.value, labels, multiple=kind.multiple,
        )
    return metas


@dataclass
class Catalog:
    """The questionnaire versions a table refers to, parsed once per export."""

    versions: list[QuestionnaireVersion]
    questionnaires: dict[int, Questionnaire]
    language: str = DEFAULT_EXPORT_LANGUAGE

    @classmethod
    def load(cls, session: Session, filters: Filters | None = None) -> Catalog:
        """Versions used by a round or an assessment, narrowed by the round and version filters."""
        filters = filters or Filters()
        used = or_(
            QuestionnaireVersion.id.in_(select(Round.questionnaire_version_id)),
            QuestionnaireVersion.id.in_(select(Assessment.questionnaire_version_id)),
        )
        stmt = select(QuestionnaireVersion).where(used)
        if filters.round:
            stmt = stmt.where(QuestionnaireVersion.id.in_(
                select(Round.questionnaire_version_id).where(Round.name == filters.round)))
        if filters.version:
            stmt = stmt.where(_version_match(filters.version))
        if any("\x00" in v for v in filters.as_query().values()):
            stmt = stmt.where(false())
        versions = list(session.scalars(stmt.order_by(QuestionnaireVersion.created_at,
                                                      QuestionnaireVersion.id)))
        return cls(versions, {v.id: questionnaire_for(v) for v in versions}, filters.lang)

    def question_metas(self) -> dict[tuple[int, str], QuestionMeta]:
        return {
            (version_id, question_id): meta
            for version_id, questionnaire in self.questionnaires.items()
            for question_id, meta in _question_meta(questionnaire, self.language).items()
        }

    def element_order(self) -> list[str]:
        """Element ids in questionnaire order, newest version's elements appended last."""
        return _unique(e.id for q in self.questionnaires.values() for e in q.elements)

    def element_titles(self) -> dict[tuple[int, str], str]:
        return {(vid, e.id): e.title.get(self.language)
                for vid, q in self.questionnaires.items() for e in q.elements}


def _unique(items: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- shared assessment columns ------------------------------------------------------------


ASSESSMENT_COLUMNS = [
    Column("assessment_id", "integer", "Identifier of the assessment (one city in one round).",
           nullable=False),
    Column("round", "string", "Assessment round, e.g. 2026.", nullable=False),
    Column("region", "string", "Region of the city.", nullable=False),
    Column("country", "string", "Country of the city.", nullable=False),
    Column("country_iso", "string", "ISO 3166-1 alpha-3 code of the country, when known."),
    Column("city_id", "integer", "Identifier of the city (stable across rounds).", nullable=False),
    Column("city", "string", "City name.", nullable=False),
    Column("questionnaire_version", "string", "Label of the questionnaire version answered.", nullable=False),
    Column("questionnaire_hash", "string",
           f"First {HASH_PREFIX} characters of the SHA-256 of the questionnaire file: "
           "two versions with the same label but different content differ here.", nullable=False),
    Column("status", "string", "Assessment status: draft, submitted or reopened.", nullable=False),
]


def _assessment_select(*extra: Any) -> Select[Any]:
    return select(
        Assessment.id, Round.name, Region.name, Country.name, Country.iso_code, City.id, City.name,
        QuestionnaireVersion.label, func.substr(QuestionnaireVersion.content_hash, 1, HASH_PREFIX),
        _as_text(Assessment.status), *extra,
    )


N_ASSESSMENT = len(ASSESSMENT_COLUMNS)


# --- long ----------------------------------------------------------------------------------


# "maturity, yes_no, ... or evidence.": every question type, so a new one is listed too.
_TYPES = [t.value for t in QuestionType]
_TYPE_NAMES = f"{', '.join(_TYPES[:-1])} or {_TYPES[-1]}."
LONG_COLUMNS = [
    *ASSESSMENT_COLUMNS,
    Column("element_id", "string", "Element the question belongs to (see the codebook)."),
    Column("question_id", "string", "Question identifier (see the codebook).", nullable=False),
    Column("question_position", "integer", "Position of the question in its questionnaire (1 = first)."),
    Column("question_type", "string", _TYPE_NAMES),
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
        _as_text(User.role), iso_utc(Answer.updated_at),
    ).select_from(Answer).join(Assessment, Answer.assessment_id == Assessment.id)
    stmt = _joined(stmt).outerjoin(User, Answer.updated_by_id == User.id)
    # The unique index on (assessment_id, question_id) gives this order without sorting.
    return stmt.where(*_conditions(filters, scope)).order_by(Answer.assessment_id, Answer.question_id)


def _assessment_heads(
    session: Session, filters: Filters, scope: ColumnElement[bool], ids: list[int] | None = None,
) -> Iterator[Row]:
    """The assessment columns (and version id) of the assessments a table covers, by id."""
    stmt = _joined(_assessment_select(Assessment.questionnaire_version_id).select_from(Assessment))
    stmt = stmt.where(*_conditions(filters, scope))
    if ids is not None:
        stmt = stmt.where(Assessment.id.in_(ids))
    return _stream(session, stmt.order_by(Assessment.id))


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
        answers: Iterator[Row] | list[Row] = list(_stream(session, _page(statement, offset, limit)))
        ids = sorted({row[0] for row in answers})
        heads = _assessment_heads(session, filters, scope, ids)
    else:
        heads = _assessment_heads(session, filters, scope)
        answers = _stream(session, statement)
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


def _count_long(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    stmt = _joined(select(func.count()).select_from(Answer)
                   .join(Assessment, Answer.assessment_id == Assessment.id))
    return session.scalar(stmt.where(*_conditions(filters, scope))) or 0


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
    conditions = _conditions(filters, scope)
    stmt = _assessment_select(
        Assessment.completeness, Assessment.overall_index, Assessment.overall_geometric,
        iso_utc(Assessment.submitted_at), Answer.question_id, Answer.value,
    ).select_from(Assessment)
    stmt = _joined(stmt).outerjoin(Answer, Answer.assessment_id == Assessment.id).where(*conditions)
    if offset or limit is not None:
        page = _page(_joined(select(Assessment.id).select_from(Assessment)).where(*conditions)
                     .order_by(Assessment.id), offset, limit)
        stmt = stmt.where(Assessment.id.in_(page.scalar_subquery()))
    stmt = stmt.order_by(Assessment.id)
    fixed = len(WIDE_FIXED)
    for _, group in itertools.groupby(_stream(session, stmt), key=lambda row: row[0]):
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


def _count_assessments(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    stmt = _joined(select(func.count()).select_from(Assessment))
    return session.scalar(stmt.where(*_conditions(filters, scope))) or 0


# --- scores --------------------------------------------------------------------------------


SCORE_COLUMNS = [
    *ASSESSMENT_COLUMNS,
    Column("submitted_at", "datetime", "When the scores were stored, at submission (UTC)."),
    Column("element_id", "string", "Element identifier (see the codebook).", nullable=False),
    Column("element_position", "integer", "Position of the element in the questionnaire (1-6)."),
    Column("element_title", "string", "Element title."),
    Column("score", "number", "Element score, 0-100; empty when data are insufficient."),
    Column("target", "number", "Recommended target, 0-100.", nullable=False),
    Column("gap", "number", "Target minus score, in points (0-100 scale); empty when no score."),
    Column("completeness", "number", "Share of the element's applicable scored questions answered (0-1).",
           nullable=False),
    Column("insufficient", "boolean", "Too few answers for a score (below the completeness threshold).",
           nullable=False),
    Column("evidence_coverage", "number", "Share of answered questions with an evidence link (0-1)."),
    Column("weight", "number", "Weight of the element in the overall index.", nullable=False),
    Column("overall_index", "number", "Overall index of the assessment, 0-100."),
    Column("overall_geometric", "number", "Geometric overall score of the assessment, 0-100."),
]


def _scores_statement(
    catalog: Catalog, filters: Filters, scope: ColumnElement[bool],
) -> Select[Any]:
    order = {element_id: position for position, element_id in enumerate(catalog.element_order(), 1)}
    position = case(order, value=ElementScore.element_id, else_=literal(len(order) + 1)) if order \
        else literal(1)
    stmt = _assessment_select(
        iso_utc(Assessment.submitted_at), Assessment.questionnaire_version_id,
        ElementScore.element_id, type_coerce(position, Integer), ElementScore.score,
        ElementScore.target, ElementScore.gap, ElementScore.completeness, ElementScore.insufficient,
        ElementScore.evidence_coverage, ElementScore.weight, Assessment.overall_index,
        Assessment.overall_geometric,
    ).select_from(ElementScore).join(Assessment, ElementScore.assessment_id == Assessment.id)
    return _joined(stmt).where(*_conditions(filters, scope)).order_by(
        ElementScore.assessment_id, position, ElementScore.element_id)


def score_rows(
    session: Session, filters: Filters, scope: ColumnElement[bool], *,
    offset: int | None = None, limit: int | None = None,
) -> Iterator[Row]:
    """One row per assessment and element, for assessments with stored scores.

    Scores are stored when an assessment is submitted; a reopened assessment keeps the scores
    of its last submission (its status says it may change). Drafts that were never submitted
    have no scores and no rows.
    """
    catalog = Catalog.load(session, Filters(lang=filters.lang))
    titles = catalog.element_titles()
    stmt = _page(_scores_statement(catalog, filters, scope), offset, limit)
    for row in _stream(session, stmt):
        version_id, element_id = row[N_ASSESSMENT + 1], row[N_ASSESSMENT + 2]
        yield (*row[:N_ASSESSMENT + 1], element_id, row[N_ASSESSMENT + 3],
               titles.get((version_id, element_id)), *row[N_ASSESSMENT + 4:])


def _count_scores(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    stmt = _joined(select(func.count()).select_from(ElementScore)
                   .join(Assessment, ElementScore.assessment_id == Assessment.id))
    return session.scalar(stmt.where(*_conditions(filters, scope))) or 0


# --- codebook ------------------------------------------------------------------------------


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
    Column("question_type", "string", _TYPE_NAMES, nullable=False),
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
            )


def _count_codebook(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    catalog = Catalog.load(session, filters)
    return sum(len(q.questions) for q in catalog.questionnaires.values())


# --- the registry ----------------------------------------------------------------------------


RowsFunction = Callable[..., Iterator[Row]]


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    summary: str
    rows: RowsFunction
    count: Callable[[Session, Filters, ColumnElement[bool]], int]
    fixed_columns: Sequence[Column] | None = None

    def columns(self, session: Session, filters: Filters) -> list[Column]:
        if self.fixed_columns is not None:
            return list(self.fixed_columns)
        return wide_columns(Catalog.load(session, filters))


TABLES: dict[str, TableSpec] = {
    "long": TableSpec(
        "long", "Answers (long)", "One row per assessment and question: the answer, its "
        "score, flags, evidence and when it was given.", long_rows, _count_long, LONG_COLUMNS),
    "wide": TableSpec(
        "wide", "Answers (wide)", "One row per assessment, one column per question, with "
        "status and overall index.", wide_rows, _count_assessments),
    "scores": TableSpec(
        "scores", "Element scores", "One row per submitted assessment and element: score, "
        "target, gap, completeness and evidence coverage.", score_rows, _count_scores,
        SCORE_COLUMNS),
    "codebook": TableSpec(
        "codebook", "Codebook", "Every question of every questionnaire version in use, with "
        "its answers and their points.", codebook_rows, _count_codebook, CODEBOOK_COLUMNS),
}


def table(name: str) -> TableSpec:
    try:
        return TABLES[name]
    except KeyError:
        raise FilterError(f"Unknown table {name!r}; choose one of {', '.join(TABLES)}.") from None


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
        versions=_unique(v.label for v in reversed(versions)),
        statuses=[s.value for s in AssessmentStatus],
    )


def conditions_for(filters: Filters, scope: ColumnElement[bool]) -> ColumnElement[bool]:
    """The WHERE clause of a statement joined like the tables (used by the API's lists)."""
    return and_(*_conditions(filters, scope))
