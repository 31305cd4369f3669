"""The life of an assessment: load it, start it, submit it, reopen it.

Services receive a session and flush; the view commits once. Every state change is written to
the audit trail. Saves and submission lock the assessment row first (``SELECT ... FOR UPDATE``
or a conditional ``UPDATE``), so the saves of one assessment run one after the other and a save
can never land after its submission. Saving answers is in ``answers.py``, progress in
``progress.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import Table, and_, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from assessment.assessments import deadlines, notifications, review_states
from assessment.assessments.deadlines import Deadline
from assessment.assessments.models import (
    EDITABLE,
    Answer,
    Assessment,
    AssessmentStatus,
    QuestionnaireVersion,
    Round,
    StoredAnswer,
)
from assessment.assessments.progress import NotReady, Progress, progress
from assessment.assessments.scores import overall_fields, replace_element_scores
from assessment.assessments.versions import questionnaire_for
from assessment.audit.services import record
from assessment.auth.models import User
from assessment.database import utcnow
from assessment.places.models import City
from assessment.questionnaire import AssessmentScore, Questionnaire

# The statements every request of an assessment's pages runs, built once: constructing one,
# loader options above all, costs a good part of what running it does.
_GET_ASSESSMENT = (
    select(Assessment)
    .where(Assessment.id == bindparam("assessment_id"))
    .options(
        joinedload(Assessment.city, innerjoin=True).joinedload(City.country, innerjoin=True),
        joinedload(Assessment.round, innerjoin=True),
        joinedload(Assessment.questionnaire_version, innerjoin=True)
        .defer(QuestionnaireVersion.source_text),
    )
)
_LOCK_ASSESSMENT = (
    select(Assessment.status, Assessment.submitted_at, Assessment.submitted_by_id)
    .where(Assessment.id == bindparam("assessment_id"))
    .with_for_update()
)
_ANSWER_COLUMNS = [Answer.__table__.c[name] for name in StoredAnswer.__slots__]
_LOAD_ANSWERS = select(*_ANSWER_COLUMNS).where(Answer.assessment_id == bindparam("assessment_id"))
# The assessment's writes, as Core statements: the columns written are the parameters' names.
_ASSESSMENTS = cast(Table, Assessment.__table__)
_UPDATE = update(_ASSESSMENTS).where(_ASSESSMENTS.c.id == bindparam("assessment_id_"))
_UPDATE_IF_EDITABLE = _UPDATE.where(_ASSESSMENTS.c.status.in_(EDITABLE))
_UPDATE_IF_SUBMITTED = _UPDATE.where(_ASSESSMENTS.c.status == AssessmentStatus.SUBMITTED)


def get_assessment(session: Session, assessment_id: int) -> Assessment | None:
    """The assessment with its city, country, round and version row (without the YAML text)."""
    return session.scalar(_GET_ASSESSMENT, {"assessment_id": assessment_id})


def lock_assessment(session: Session, assessment: Assessment) -> None:
    """Take the assessment's row lock and refresh its status (waits for a running save/submit)."""
    row = session.execute(_LOCK_ASSESSMENT, {"assessment_id": assessment.id}).one()
    for name in ("status", "submitted_at", "submitted_by_id"):
        set_committed_value(assessment, name, getattr(row, name))


def questionnaire_of(assessment: Assessment) -> Questionnaire:
    """The questionnaire version the assessment is answered under (never the current file)."""
    return questionnaire_for(assessment.questionnaire_version)


def load_answers(session: Session, assessment_id: int) -> dict[str, StoredAnswer]:
    """Every answer of one assessment, in one query, keyed by question id."""
    rows = session.execute(_LOAD_ANSWERS, {"assessment_id": assessment_id})
    return {row[1]: StoredAnswer(*row) for row in rows}


def user_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Display names for a set of user ids, in one query."""
    wanted = {uid for uid in user_ids if uid is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
    return {row.id: row.name or row.email for row in rows}


@dataclass(frozen=True)
class RoundEntry:
    """One round as the city sees it: its assessment (if started), who saved it last, and the
    city's deadline in it."""

    round: Round
    assessment: Assessment | None
    updated_by_name: str | None
    deadline: Deadline
    is_open: bool
    opens_later: bool


def rounds_for_city(session: Session, city_id: int, now: datetime) -> list[RoundEntry]:
    """Every round, newest first, with the city's assessment and deadline in it; two queries."""
    rows = session.execute(
        select(Round, Assessment, User.name, User.email)
        .outerjoin(Assessment, and_(Assessment.round_id == Round.id, Assessment.city_id == city_id))
        .outerjoin(User, User.id == Assessment.updated_by_id)
        .order_by(Round.opens_on.desc(), Round.id.desc())
    ).all()
    extensions = deadlines.city_extensions(session, city_id) if rows else {}
    entries = []
    for round_, assessment, name, email in rows:
        deadline = deadlines.deadline_for(round_, extensions.get(round_.id))
        state = deadline.state(now)
        entries.append(
            RoundEntry(
                round=round_,
                assessment=assessment,
                updated_by_name=(name or email) if assessment is not None and email else None,
                deadline=deadline,
                is_open=state == deadlines.OPEN,
                opens_later=state == deadlines.UPCOMING,
            )
        )
    return entries


class RoundClosed(Exception):
    """A city cannot start an assessment in a round that is not open."""


def start_assessment(session: Session, *, city_id: int, round_: Round, user: User,
                     now: datetime | None = None) -> tuple[Assessment, bool]:
    """The city's assessment in ``round_``, created with the round's version if there is none.

    Returns ``(assessment, created)``; ``RoundClosed`` unless the round is open for the city at
    ``now`` (its deadline, extension included). Safe against a double click or two tabs: the
    unique constraint on (city, round) decides, inside a savepoint, and the loser gets the
    winner's row.
    """
    existing = _assessment_in(session, city_id, round_.id)
    if existing is not None:
        return existing, False
    now = now or utcnow()
    if not deadlines.city_deadline(session, round_, city_id).is_open(now):
        raise RoundClosed(round_.name)
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
    record(session, "start", user, assessment_id=assessment.id, at=now, round=round_.name)
    session.flush()
    return assessment, True


def _assessment_in(session: Session, city_id: int, round_id: int) -> Assessment | None:
    return session.scalar(
        select(Assessment).where(Assessment.city_id == city_id, Assessment.round_id == round_id)
    )


def write_assessment(session: Session, assessment: Assessment, **values: Any) -> None:
    """Write some columns of the assessment now, in one UPDATE, and keep the object in step."""
    session.execute(_UPDATE, {"assessment_id_": assessment.id, **values})
    for name, value in values.items():
        set_committed_value(assessment, name, value)


def submit_assessment(session: Session, assessment: Assessment, questionnaire: Questionnaire,
                      user: User, state: Progress | None = None) -> bool:
    """Submit the assessment if every element can be scored. ``False`` if it already was.

    Raises ``NotReady`` when an element lacks the answers it needs for a score, and
    ``DeadlinePassed`` once the city's deadline in the round has passed. ``state`` is the
    assessment's progress when the caller already holds it under the assessment's lock (as a
    save just before does); otherwise the assessment is locked and its answers read here.
    """
    if state is None:
        lock_assessment(session, assessment)
        if assessment.status not in EDITABLE:
            return False
        deadlines.ensure_writable(session, assessment)
        state = progress(questionnaire, load_answers(session, assessment.id))
    else:
        deadlines.ensure_writable(session, assessment)
    if not state.ready:
        raise NotReady(state)
    submitted = store_submission(session, assessment, state.score, user=user, at=utcnow())
    if submitted and assessment.status == AssessmentStatus.RESUBMITTED:
        review_states.notify_resubmitted(session, assessment)
    elif submitted:
        notifications.notify_submitted(session, assessment)
    return submitted


def store_submission(session: Session, assessment: Assessment, score: AssessmentScore, *,
                     user: User | None, at: datetime) -> bool:
    """Mark the assessment submitted with ``score`` stored: the one way a submission is
    written, by the pages, the demo data and the tests. ``False`` if it was not editable.

    The status changes with one conditional UPDATE, so a double click, two tabs or a retried
    POST submit exactly once.
    """
    user_id = user.id if user is not None else None
    # A returned assessment sent back by the city is resubmitted: its review goes on.
    status = (AssessmentStatus.RESUBMITTED if assessment.status == AssessmentStatus.RETURNED
              else AssessmentStatus.SUBMITTED)
    values = {"status": status, "submitted_at": at, "submitted_by_id": user_id,
              "completeness": score.completeness, **overall_fields(score)}
    claimed = session.execute(_UPDATE_IF_EDITABLE, {"assessment_id_": assessment.id, **values})
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(assessment)
        return False
    for name, value in values.items():
        set_committed_value(assessment, name, value)
    replace_element_scores(session, assessment, score, at=at, user_id=user_id)
    record(session, "resubmit" if status == AssessmentStatus.RESUBMITTED else "submit", user,
           assessment_id=assessment.id, at=at,
           completeness=round(score.completeness, 4),
           overall=None if score.overall is None else round(score.overall, 2))
    return True


def reopen_assessment(session: Session, assessment: Assessment, user: User, reason: str, *,
                      closes_at: datetime | None = None, now: datetime | None = None,
                      deadline: Deadline | None = None) -> bool:
    """Let the city edit a submitted assessment again. ``False`` if it was not submitted.

    ``closes_at`` gives the city a new deadline in the round at the same time (an extension,
    ``deadlines.set_city_deadline``); it is required once the city's deadline has passed, since
    the city could not save otherwise (``DeadlineError``). ``deadline`` is the city's deadline
    in the round when the caller has just read it. The scores stored at submission stay
    until the city submits again. Anything that must follow a reopening (a mail to the city,
    say) belongs here.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("A reason is required.")
    now = now or utcnow()
    if deadline is None:
        deadline = deadlines.assessment_deadline(session, assessment)
    if assessment.status == AssessmentStatus.SUBMITTED:
        deadlines.check_time_to_change(
            deadline, assessment.round, closes_at, now,
            lambda when: _("The round closed for %(city)s on %(when)s: give the city a new "
                           "deadline, or it cannot save any change.", city=assessment.city.name,
                           when=when))
    elif closes_at is not None:
        deadlines.check_new_deadline(assessment.round, closes_at, now)
    changed = session.execute(_UPDATE_IF_SUBMITTED,
                              {"assessment_id_": assessment.id, "status": AssessmentStatus.REOPENED})
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(assessment)
        return False
    set_committed_value(assessment, "status", AssessmentStatus.REOPENED)
    # The answers of the submission are kept with its scores before the city changes them.
    review_states.keep_submitted_answers(session, assessment)
    detail: dict[str, Any] = {"reason": reason}
    if closes_at is not None:
        deadlines.set_city_deadline(session, user, assessment.round, assessment.city, closes_at,
                                    reason[:deadlines.MAX_REASON], now=now, notify=False)
        detail["closes_at"] = closes_at
    record(session, "reopen", user, assessment_id=assessment.id, at=now, **detail)
    session.flush()
    # One message to the city's officials, with the reason and the deadline that now holds.
    notifications.notify_reopened(session, assessment, user, reason)
    return True
