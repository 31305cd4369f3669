"""Filling in an assessment: start, save answers, submit, reopen, and what is still missing.

Services receive a session and flush; the view commits once. Every state change writes an
``AuditEvent``. Concurrency rules:

- Saves and submission lock the assessment row first (``SELECT ... FOR UPDATE`` /
  a conditional ``UPDATE``), so the saves of one assessment run one after the other and a
  save can never land after its submission.
- Each answer carries a ``revision``. A save says which revision each field was loaded at
  (and a fingerprint of what it showed); a field that someone else changed in the meantime
  is never overwritten: it is reported as a conflict, or, when this person did not touch it,
  left as the colleague saved it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from assessment.auth.models import User
from assessment.database import utcnow
from assessment.places.models import City
from assessment.questionnaire import Answer as AnswerInput
from assessment.questionnaire import (
    AssessmentScore,
    Element,
    Question,
    Questionnaire,
    QuestionType,
    decode_value,
    score_assessment,
    score_question,
    status_of,
)
from assessment.survey.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AuditEvent,
    QuestionnaireVersion,
    Round,
    StoredAnswer,
)
from assessment.survey.scores import answer_inputs, overall_fields, replace_element_scores, score_answers
from assessment.survey.versions import questionnaire_for

EDITABLE = (AssessmentStatus.DRAFT, AssessmentStatus.REOPENED)
# The answer columns a save writes.
ANSWER_VALUES = ("value", "dont_know", "not_applicable", "evidence_url", "note", "score", "revision",
                 "updated_at", "updated_by_id")
KEEP_MINE = "mine"
KEEP_THEIRS = "theirs"


# --- loading ---------------------------------------------------------------------------


# Built once: most survey requests start with it.
_GET_ASSESSMENT = (
    select(Assessment)
    .where(Assessment.id == bindparam("assessment_id"))
    .options(
        joinedload(Assessment.city, innerjoin=True).joinedload(City.country, innerjoin=True),
        joinedload(Assessment.round, innerjoin=True),
        joinedload(Assessment.questionnaire_version, innerjoin=True).defer(QuestionnaireVersion.source_text),
    )
)


_STORED_COLUMNS = tuple(Answer.__table__.c[name] for name in StoredAnswer.__slots__)  # type: ignore[attr-defined]
_ANSWERS_OF = select(*_STORED_COLUMNS).where(Answer.assessment_id == bindparam("assessment_id"))
_LOCK = (
    select(Assessment.status, Assessment.submitted_at, Assessment.submitted_by_id)
    .where(Assessment.id == bindparam("assessment_id"))
    .with_for_update()
)


def get_assessment(session: Session, assessment_id: int) -> Assessment | None:
    """The assessment with its city, country, round and version row (without the YAML text)."""
    return session.scalar(_GET_ASSESSMENT, {"assessment_id": assessment_id})


def lock_assessment(session: Session, assessment: Assessment) -> None:
    """Take the assessment's row lock and refresh its status (waits for a running save/submit)."""
    row = session.execute(_LOCK, {"assessment_id": assessment.id}).one()
    for name in ("status", "submitted_at", "submitted_by_id"):
        set_committed_value(assessment, name, getattr(row, name))


def questionnaire_of(assessment: Assessment) -> Questionnaire:
    """The questionnaire version the assessment is answered under (never the current file)."""
    return questionnaire_for(assessment.questionnaire_version)


def load_answers(session: Session, assessment_id: int) -> dict[str, StoredAnswer]:
    """Every answer of one assessment, in one query, keyed by question id."""
    rows = session.execute(_ANSWERS_OF, {"assessment_id": assessment_id})
    return {row[1]: StoredAnswer(*row) for row in rows}


def user_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Display names for a set of user ids, in one query."""
    wanted = {uid for uid in user_ids if uid is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
    return {row.id: row.name or row.email for row in rows}


# --- the official's list of rounds --------------------------------------------------------


@dataclass(frozen=True)
class RoundEntry:
    """One round as the city sees it: its assessment (if started) and who saved it last."""

    round: Round
    assessment: Assessment | None
    updated_by_name: str | None
    is_open: bool
    opens_later: bool


def rounds_for_city(session: Session, city_id: int, today: date) -> list[RoundEntry]:
    """Every round, newest first, with the city's assessment in it; one query."""
    rows = session.execute(
        select(Round, Assessment, User.name, User.email)
        .outerjoin(Assessment, and_(Assessment.round_id == Round.id, Assessment.city_id == city_id))
        .outerjoin(User, User.id == Assessment.updated_by_id)
        .order_by(Round.opens_on.desc(), Round.id.desc())
    ).all()
    entries = []
    for round_, assessment, name, email in rows:
        entries.append(
            RoundEntry(
                round=round_,
                assessment=assessment,
                updated_by_name=(name or email) if assessment is not None and email else None,
                is_open=round_is_open(round_, today),
                opens_later=round_.opens_on > today,
            )
        )
    return entries


def round_is_open(round_: Round, today: date) -> bool:
    return round_.opens_on <= today and (round_.closes_on is None or today <= round_.closes_on)


class RoundClosed(Exception):
    """A city cannot start an assessment in a round that is not open."""


def start_assessment(session: Session, *, city_id: int, round_: Round, user: User,
                     today: date) -> tuple[Assessment, bool]:
    """The city's assessment in ``round_``, created with the round's version if there is none.

    Returns ``(assessment, created)``. Safe against a double click or two tabs: the unique
    constraint on (city, round) decides, inside a savepoint, and the loser gets the winner's row.
    """
    existing = _assessment_in(session, city_id, round_.id)
    if existing is not None:
        return existing, False
    if not round_is_open(round_, today):
        raise RoundClosed(round_.name)
    now = utcnow()
    assessment = Assessment(
        city_id=city_id, round_id=round_.id,
        questionnaire_version_id=round_.questionnaire_version_id,
        status=AssessmentStatus.DRAFT, created_at=now, updated_at=now, updated_by_id=user.id,
        completeness=0.0,
    )
    try:
        with session.begin_nested():
            session.add(assessment)
            session.flush()
    except IntegrityError:
        winner = _assessment_in(session, city_id, round_.id)
        if winner is None:
            raise
        return winner, False
    record(session, "start", user, assessment.id, {"round": round_.name}, at=now)
    session.flush()
    return assessment, True


def _assessment_in(session: Session, city_id: int, round_id: int) -> Assessment | None:
    return session.scalar(
        select(Assessment).where(Assessment.city_id == city_id, Assessment.round_id == round_id)
    )


# --- saving answers -------------------------------------------------------------------------


def fingerprint(value: str | None, dont_know: bool, not_applicable: bool,
                evidence_url: str | None, note: str | None) -> str:
    """A short digest of what an answer says, to tell "changed by me" from "changed by someone".

    Every text is prefixed with its length, so no text can pass for another field's."""
    parts = ["-" if value is None else f"{len(value)}:{value}", "1" if dont_know else "0",
             "1" if not_applicable else "0", f"{len(evidence_url or '')}:{evidence_url or ''}",
             f"{len(note or '')}:{note or ''}"]
    return hashlib.blake2b("|".join(parts).encode(), digest_size=8).hexdigest()


def row_fingerprint(row: StoredAnswer | None) -> str:
    if row is None:
        return fingerprint(None, False, False, None, None)
    return fingerprint(row.value, row.dont_know, row.not_applicable, row.evidence_url, row.note)


@dataclass(frozen=True)
class PostedAnswer:
    """One question as the form sent it, already read and checked by ``forms.read_posted``."""

    question_id: str
    value: str | None  # encoded with the core's codec; None when there is no (valid) value
    dont_know: bool = False
    not_applicable: bool = False
    evidence_url: str | None = None
    note: str | None = None
    base_revision: int = 0  # the revision the page was loaded at (0: no answer existed)
    base_fingerprint: str | None = None  # what the page showed when it was loaded
    theirs_revision: int | None = None  # the colleague's revision shown in a conflict
    resolve: str | None = None  # KEEP_MINE / KEEP_THEIRS, chosen in a conflict
    errors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # field name -> messages

    @cached_property
    def fingerprint(self) -> str:
        return fingerprint(self.value, self.dont_know, self.not_applicable, self.evidence_url, self.note)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Kept:
    """The revision and fingerprint the page should carry from now on for one question."""

    revision: int
    fingerprint: str


@dataclass(frozen=True)
class Conflict:
    """A colleague changed an answer this person also changed: both versions, for choosing."""

    question_id: str
    theirs: StoredAnswer | None
    yours: PostedAnswer


@dataclass
class SaveResult:
    locked: bool = False  # the assessment is submitted: nothing was saved
    # When locked: the posted answers that differ from the stored ones (lost unless copied).
    refused: list[str] = field(default_factory=list)
    saved: dict[str, Kept] = field(default_factory=dict)
    unchanged: dict[str, Kept] = field(default_factory=dict)
    # Someone else changed these and this person did not: their answer stays.
    refreshed: dict[str, StoredAnswer] = field(default_factory=dict)
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    errors: dict[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    overwritten: list[str] = field(default_factory=list)  # conflicts resolved as "keep mine"
    answers: dict[str, StoredAnswer] = field(default_factory=dict)  # every answer after the save
    saved_at: datetime | None = None

    @property
    def clean(self) -> bool:
        """Everything posted is now stored: no error, no conflict, not locked."""
        return not (self.locked or self.conflicts or self.errors)

    @property
    def current(self) -> dict[str, Kept]:
        """Revision/fingerprint per question that the page may now carry safely."""
        return {**self.unchanged, **self.saved}


_ANSWERS = Answer.__table__
_ASSESSMENTS = Assessment.__table__
_AUDIT = AuditEvent.__table__
_UPDATE_ANSWER = (update(_ANSWERS).where(_ANSWERS.c.id == bindparam("answer_id"))
                  .values({key: bindparam(key) for key in ANSWER_VALUES}))
_INSERT_ANSWER = insert(_ANSWERS)


def save_answers(session: Session, assessment: Assessment, questionnaire: Questionnaire,
                 posted: Sequence[PostedAnswer], user: User, *, element_id: str | None = None,
                 autosave: bool = False) -> SaveResult:
    """Store the valid, non-conflicting answers in ``posted``; report the rest.

    The caller must have locked the assessment (``lock_assessment``). Completeness, the
    answers' scores and revisions, ``updated_at``/``updated_by`` and the audit log are updated
    when anything changed.
    """
    result = SaveResult()
    rows = load_answers(session, assessment.id)
    result.answers = rows
    if assessment.status not in EDITABLE:
        result.locked = True
        result.refused = [item.question_id for item in posted if not item.is_valid
                          or item.fingerprint != row_fingerprint(rows.get(item.question_id))]
        return result
    now = utcnow()
    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    for item in posted:
        question = questionnaire.question(item.question_id)
        row = rows.get(item.question_id)
        current_revision = row.revision if row is not None else 0
        current_fingerprint = row_fingerprint(row)
        if item.errors:
            result.errors[item.question_id] = item.errors
            continue
        mine = item.fingerprint
        if mine == current_fingerprint:
            result.unchanged[item.question_id] = Kept(current_revision, current_fingerprint)
            continue
        chose_mine = item.resolve == KEEP_MINE and item.theirs_revision == current_revision
        if item.base_revision != current_revision and not chose_mine:
            if item.resolve == KEEP_THEIRS or item.base_fingerprint == mine:
                # Either the official chose the colleague's answer, or never touched this
                # field: the page only showed an older answer. Keep the newer one.
                if row is not None:
                    result.refreshed[item.question_id] = row
                continue
            result.conflicts[item.question_id] = Conflict(item.question_id, row, item)
            continue
        values = {
            "value": item.value,
            "dont_know": item.dont_know,
            "not_applicable": item.not_applicable,
            "evidence_url": item.evidence_url,
            "note": item.note,
            "score": _score(question, item),
            "revision": current_revision + 1,
            "updated_at": now,
            "updated_by_id": user.id,
        }
        if row is None:
            inserts.append({"assessment_id": assessment.id, "question_id": item.question_id, **values})
            rows[item.question_id] = StoredAnswer(id=None, question_id=item.question_id, **values)
        else:
            updates.append({"answer_id": row.id, **values})
            for key, value in values.items():
                setattr(row, key, value)
        result.saved[item.question_id] = Kept(current_revision + 1, mine)
        if chose_mine:
            result.overwritten.append(item.question_id)
    # One statement each for all the updates and all the inserts, whatever their number.
    if updates:
        session.execute(_UPDATE_ANSWER, updates)
    if inserts:
        session.execute(_INSERT_ANSWER, inserts)
    if result.saved:
        scored = score_answers(questionnaire, rows.values())
        write_assessment(session, assessment, completeness=scored.completeness, updated_at=now,
                         updated_by_id=user.id)
        detail: dict[str, Any] = {"questions": sorted(result.saved), "autosave": autosave}
        if element_id is not None:
            detail["element"] = element_id
        if result.overwritten:
            detail["kept_over_colleague"] = sorted(result.overwritten)
        record(session, "save", user, assessment.id, detail, at=now)
        result.saved_at = now
    return result


def write_assessment(session: Session, assessment: Assessment, **values: Any) -> None:
    """Write some columns of the assessment now, in one UPDATE, and keep the object in step."""
    session.execute(update(_ASSESSMENTS).where(_ASSESSMENTS.c.id == assessment.id).values(**values))
    for name, value in values.items():
        set_committed_value(assessment, name, value)


def _score(question: Question, item: PostedAnswer) -> float | None:
    value = decode_value(question, item.value)
    return score_question(
        question,
        AnswerInput(item.question_id, value, item.dont_know, item.not_applicable,
                    item.evidence_url, item.note),
    )


# --- progress and completeness --------------------------------------------------------------


def has_answer(question: Question, row: StoredAnswer | None) -> bool:
    """Whether a question shows as answered on the page (don't know and N/A count; so does
    a link or note on an evidence question)."""
    if row is None:
        return False
    if question.type is QuestionType.EVIDENCE:
        return bool(row.evidence_url or row.note)
    return row.value is not None or row.dont_know or (row.not_applicable and question.allow_na)


@dataclass(frozen=True)
class ElementProgress:
    element: Element
    number: int  # 1-based position in the questionnaire
    answered: int  # questions with any answer, don't know and N/A included
    total: int
    completeness: float  # the engine's: real answers / applicable scored questions
    scored_answered: int
    applicable: int
    enough: bool  # enough real answers for the element to get a score
    needed: int  # real answers needed to reach the threshold
    missing: tuple[Question, ...]  # applicable scored questions left blank
    dont_know: tuple[Question, ...]  # scored questions answered "don't know"

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


@dataclass(frozen=True)
class Progress:
    elements: tuple[ElementProgress, ...]
    completeness: float
    score: AssessmentScore

    @property
    def ready(self) -> bool:
        """Every element has enough data to be scored: the assessment may be submitted."""
        return all(e.enough for e in self.elements)

    @property
    def missing_count(self) -> int:
        return sum(len(e.missing) + len(e.dont_know) for e in self.elements)

    @property
    def percent(self) -> int:
        return round(100 * self.completeness)

    def element(self, element_id: str) -> ElementProgress:
        return next(e for e in self.elements if e.element.id == element_id)


def progress(questionnaire: Questionnaire, rows: Mapping[str, StoredAnswer]) -> Progress:
    """What is answered, per element, and whether each element can be scored."""
    inputs = answer_inputs(questionnaire, rows.values())
    score = score_assessment(questionnaire, inputs)
    threshold = questionnaire.completeness_threshold
    elements = []
    for number, (element, result) in enumerate(zip(questionnaire.elements, score.elements, strict=True), 1):
        missing, unknown = [], []
        for question in element.scored_questions:
            status = status_of(question, inputs.get(question.id))
            if status == "unanswered":
                missing.append(question)
            elif status == "dont_know":
                unknown.append(question)
        answered = sum(1 for q in element.questions if has_answer(q, rows.get(q.id)))
        needed = _needed(result.applicable, threshold)
        elements.append(
            ElementProgress(
                element=element, number=number, answered=answered, total=len(element.questions),
                completeness=result.completeness, scored_answered=result.answered,
                applicable=result.applicable, enough=not result.insufficient, needed=needed,
                missing=tuple(missing), dont_know=tuple(unknown),
            )
        )
    return Progress(tuple(elements), score.completeness, score)


def _needed(applicable: int, threshold: float) -> int:
    # The smallest count whose share reaches the threshold (with a little room for rounding).
    if applicable == 0:
        return 0
    for count in range(applicable + 1):
        if count / applicable >= threshold - 1e-9:
            return max(count, 1)
    return max(applicable, 1)


# --- submitting and reopening ----------------------------------------------------------------


class NotReady(Exception):
    """Some element does not have enough answers to be scored."""

    def __init__(self, progress: Progress) -> None:
        super().__init__("not every element has enough answers to be scored")
        self.progress = progress


def submit_assessment(session: Session, assessment: Assessment, questionnaire: Questionnaire,
                      user: User, rows: Mapping[str, StoredAnswer] | None = None) -> bool:
    """Lock the assessment as submitted and store its scores. ``False`` if it already was.

    The status changes with one conditional UPDATE, so a double click, two tabs or a retried
    POST submit exactly once. Raises ``NotReady`` when an element lacks the answers it needs
    for a score. ``rows`` are the assessment's answers when the caller already holds them
    under the assessment's lock (as a save just before does): readiness is then checked
    before anything is written. Otherwise the UPDATE comes first (it waits for a running
    save) and the answers are read after it; the caller rolls back on ``NotReady``.
    """
    now = utcnow()
    if rows is not None:
        state = progress(questionnaire, rows)
        if not state.ready:
            raise NotReady(state)
        results = {"completeness": state.completeness, **overall_fields(state.score)}
        if not _claim(session, assessment, user, now, results):
            return False
    else:
        if not _claim(session, assessment, user, now, {}):
            return False
        state = progress(questionnaire, load_answers(session, assessment.id))
        if not state.ready:
            raise NotReady(state)
        results = {"completeness": state.completeness, **overall_fields(state.score)}
        session.execute(update(_ASSESSMENTS).where(_ASSESSMENTS.c.id == assessment.id).values(**results))
    for name, value in results.items():
        set_committed_value(assessment, name, value)
    replace_element_scores(session, assessment, state.score)
    record(session, "submit", user, assessment.id,
           {"completeness": round(state.completeness, 4),
            "overall": None if state.score.overall is None else round(state.score.overall, 2)},
           at=now)
    return True


def _claim(session: Session, assessment: Assessment, user: User, now: datetime,
           results: Mapping[str, Any]) -> bool:
    """Mark the assessment submitted if it is still editable (with ``results`` written too)."""
    claimed = session.execute(
        update(_ASSESSMENTS)
        .where(_ASSESSMENTS.c.id == assessment.id, _ASSESSMENTS.c.status.in_([s.value for s in EDITABLE]))
        .values(status=AssessmentStatus.SUBMITTED.value, submitted_at=now, submitted_by_id=user.id, **results)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(assessment)
        return False
    set_committed_value(assessment, "status", AssessmentStatus.SUBMITTED)
    set_committed_value(assessment, "submitted_at", now)
    set_committed_value(assessment, "submitted_by_id", user.id)
    return True


def reopen_assessment(session: Session, assessment: Assessment, user: User, reason: str) -> bool:
    """Let the city edit a submitted assessment again. ``False`` if it was not submitted.

    The scores stored at submission stay until the city submits again.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("A reason is required.")
    changed = session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.status == AssessmentStatus.SUBMITTED)
        .values(status=AssessmentStatus.REOPENED)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(assessment)
        return False
    set_committed_value(assessment, "status", AssessmentStatus.REOPENED)
    record(session, "reopen", user, assessment.id, {"reason": reason})
    session.flush()
    return True


# --- audit log -------------------------------------------------------------------------------


def record(session: Session, action: str, user: User | None, assessment_id: int | None,
           detail: dict[str, Any], at: datetime | None = None) -> None:
    """Add an event to the audit log (written at once, in the caller's transaction)."""
    session.execute(insert(_AUDIT).values(at=at or utcnow(), user_id=user.id if user else None,
                                          action=action, assessment_id=assessment_id, detail=detail))


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    user_name: str | None


def history(session: Session, assessment_id: int, limit: int = 10) -> list[HistoryEntry]:
    """The latest events of one assessment, newest first, with who did them; one query."""
    rows = session.execute(
        select(AuditEvent, User.name, User.email)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.assessment_id == assessment_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [HistoryEntry(event, (name or email) if email else None) for event, name, email in rows]
