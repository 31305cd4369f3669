"""Saving answers, safe against colleagues editing the same assessment.

Each answer carries a ``revision``. A save says which revision each field was loaded at (and
a fingerprint of what it showed); a field that someone else changed in the meantime is never
overwritten: it is reported as a conflict or, when this person did not touch it, left as the
colleague saved it. The caller locks the assessment first (``services.lock_assessment``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session

from assessment.assessments.deadlines import ensure_writable
from assessment.assessments.models import EDITABLE, Answer, Assessment, StoredAnswer
from assessment.assessments.progress import Progress, progress
from assessment.assessments.services import load_answers, write_assessment
from assessment.audit.services import record
from assessment.auth.models import User
from assessment.database import utcnow
from assessment.questionnaire import Answer as AnswerInput
from assessment.questionnaire import Question, Questionnaire, decode_value, score_question

# The answer columns a save writes.
ANSWER_VALUES = ("value", "dont_know", "not_applicable", "evidence_url", "note", "score", "revision",
                 "updated_at", "updated_by_id")
# Core statements on the table, built once: one executemany each, not the ORM's per-row bulk modes.
_ANSWERS = cast(Table, Answer.__table__)
_UPDATE_ANSWERS = (update(_ANSWERS).where(_ANSWERS.c.id == bindparam("answer_id"))
                   .values({key: bindparam(key) for key in ANSWER_VALUES}))
_INSERT_ANSWERS = insert(_ANSWERS)
KEEP_MINE = "mine"
KEEP_THEIRS = "theirs"


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
    # What is answered after the save, scored once (None when the assessment is locked).
    progress: Progress | None = None
    saved_at: datetime | None = None

    @property
    def clean(self) -> bool:
        """Everything posted is now stored: no error, no conflict, not locked."""
        return not (self.locked or self.conflicts or self.errors)

    @property
    def current(self) -> dict[str, Kept]:
        """Revision/fingerprint per question that the page may now carry safely."""
        return {**self.unchanged, **self.saved}


def save_answers(session: Session, assessment: Assessment, questionnaire: Questionnaire,
                 posted: Sequence[PostedAnswer], user: User, *, element_id: str | None = None,
                 autosave: bool = False) -> SaveResult:
    """Store the valid, non-conflicting answers in ``posted``; report the rest.

    The caller must have locked the assessment (``lock_assessment``). Completeness, the
    answers' scores and revisions, ``updated_at``/``updated_by`` and the audit log are updated
    when anything changed. Once the city's deadline in the round has passed, nothing is written
    and ``deadlines.DeadlinePassed`` is raised (a submitted assessment reports ``locked`` first).
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
    ensure_writable(session, assessment, now)
    user_id = user.id  # once: ``user`` is often the request's current_user proxy
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
        values: dict[str, Any] = {
            "value": item.value,
            "dont_know": item.dont_know,
            "not_applicable": item.not_applicable,
            "evidence_url": item.evidence_url,
            "note": item.note,
            "score": _score(question, item),
            "revision": current_revision + 1,
            "updated_at": now,
            "updated_by_id": user_id,
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
        session.execute(_UPDATE_ANSWERS, updates)
    if inserts:
        session.execute(_INSERT_ANSWERS, inserts)
    result.progress = progress(questionnaire, rows)
    if result.saved:
        write_assessment(session, assessment, completeness=result.progress.completeness, updated_at=now,
                         updated_by_id=user_id)
        detail: dict[str, Any] = {"questions": sorted(result.saved), "autosave": autosave}
        if element_id is not None:
            detail["element"] = element_id
        if result.overwritten:
            detail["kept_over_colleague"] = sorted(result.overwritten)
        record(session, "save", user, assessment_id=assessment.id, at=now, **detail)
        result.saved_at = now
    return result


def _score(question: Question, item: PostedAnswer) -> float | None:
    value = decode_value(question, item.value)
    return score_question(
        question,
        AnswerInput(item.question_id, value, item.dont_know, item.not_applicable,
                    item.evidence_url, item.note),
    )


