"""A city's action plan: which actions an assessment's pages show, the rows they show them as,
and adding and changing an action.

The plan belongs to the city. An assessment's plan is what the city made in that round and
the actions of its earlier rounds; the open ones (planned or in progress) are carried into
every later round, where each says how its element's score has moved since. Services flush;
the view commits. Every change goes to the audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, case, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from assessment.actions.models import OPEN, Action, ActionStatus
from assessment.actions.movement import Movement, movements
from assessment.assessments.models import Assessment, Round
from assessment.assessments.scores import score_answers
from assessment.assessments.services import load_answers
from assessment.assessments.versions import questionnaire_for
from assessment.audit.services import record
from assessment.auth.access import can_edit_plan, can_read_plan
from assessment.auth.models import User
from assessment.database import utcnow
from assessment.formatting import day, moment
from assessment.i18n import localized
from assessment.questionnaire import Questionnaire

STATUS_LABELS = {
    ActionStatus.PLANNED: _l("Planned"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.DONE: _l("Done"),
    ActionStatus.DROPPED: _l("Dropped"),
}

# What the plan page lists: the first is the default, and what the report shows.
CURRENT = "current"
FILTERS = {
    CURRENT: _l("This round's actions and the open ones from earlier rounds"),
    "open": _l("Open: planned or in progress"),
    **{status.value: label for status, label in STATUS_LABELS.items()},
    "all": _l("Every action, this round's and earlier ones"),
}

# In progress first, then what is planned, then what is closed.
_STATUS_ORDER = {ActionStatus.IN_PROGRESS: 0, ActionStatus.PLANNED: 1, ActionStatus.DONE: 2,
                 ActionStatus.DROPPED: 3}


def status_label(status: ActionStatus) -> str:
    return str(STATUS_LABELS[status])


def filter_key(value: str | None) -> str:
    """The plan filter asked for, or the default one for anything else."""
    return value if value in FILTERS else CURRENT


# --- which actions ---------------------------------------------------------------------------------


def _not_later_than(round_: Round) -> ColumnElement[bool]:
    """Rounds that opened before ``round_``, and ``round_`` itself (the order of ``Round``s that
    the report's "previous round" follows)."""
    return or_(Round.opens_on < round_.opens_on,
               and_(Round.opens_on == round_.opens_on, Round.id <= round_.id))


def _plan_statement(assessment: Assessment) -> Select[Action]:
    """The city's actions made in the assessment's round or earlier ones."""
    return (
        select(Action)
        .join(Assessment, Assessment.id == Action.assessment_id)
        .join(Round, Round.id == Assessment.round_id)
        .where(Action.city_id == assessment.city_id, _not_later_than(assessment.round))
    )


def plan_actions(session: Session, assessment: Assessment, key: str = CURRENT) -> list[Action]:
    """The actions of ``assessment``'s plan that filter ``key`` selects: ``current`` (this round's
    actions and the open ones carried from earlier rounds), ``open``, a status, or ``all``."""
    stmt = _plan_statement(assessment)
    if key == CURRENT:
        stmt = stmt.where(or_(Action.assessment_id == assessment.id, Action.status.in_(OPEN)))
    elif key == "open":
        stmt = stmt.where(Action.status.in_(OPEN))
    elif key != "all":
        stmt = stmt.where(Action.status == ActionStatus(key))
    order = case(_STATUS_ORDER, value=Action.status)
    return list(session.scalars(
        stmt.order_by(order, Action.due_on.is_(None), Action.due_on, Action.id)
        .options(joinedload(Action.assessment).joinedload(Assessment.round),
                 selectinload(Action.questionnaire_version), joinedload(Action.updated_by))
    ).unique())


def action_in_plan(session: Session, assessment: Assessment, action_id: int, *,
                   lock: bool = False) -> Action | None:
    """One action of ``assessment``'s plan (the city's, made in this round or an earlier one)."""
    stmt = _plan_statement(assessment).where(Action.id == action_id).options(
        joinedload(Action.assessment).joinedload(Assessment.round))
    if lock:
        # Two colleagues saving the same action: one after the other (SQLite: BEGIN IMMEDIATE).
        stmt = stmt.with_for_update(of=Action)
    return session.scalar(stmt)


# --- the rows the pages show -----------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    """One action as the plan page and the report show it (every text ready to print)."""

    id: int
    text: str
    owner: str
    status: str  # an ActionStatus value
    status_label: str
    due_on: date | None
    due_text: str  # the date in the reader's language; empty when there is none
    overdue: bool  # due before today and still open
    note: str
    element_id: str
    element_title: str  # "3. Promote civic technology"
    question_id: str | None
    question_text: str | None  # the recommendation's question; None for a free action
    round_name: str  # the round the action was made in
    carried: bool  # made in an earlier round than the one shown
    # For a carried action: how its element's score moved since the round it was made in.
    movement: Movement | None
    changed_text: str  # "Changed on 2 Mar 2026, 10:15 UTC by Aline Uwase"
    edit_url: str  # its form, for those who may change the plan

    @property
    def is_open(self) -> bool:
        return self.status in {s.value for s in OPEN}


def action_rows(session: Session, assessment: Assessment, actions: Sequence[Action],
                today: date | None = None) -> list[ActionRow]:
    """``actions`` as rows of ``assessment``'s plan, with the score movement of carried ones."""
    today = today or datetime.now(UTC).date()
    carried = [a for a in actions if a.assessment_id != assessment.id]
    moved = movements(session, assessment, [(a.assessment, a.element_id) for a in carried])
    rows = []
    for action in actions:
        questionnaire = questionnaire_for(action.questionnaire_version)
        is_carried = action.assessment_id != assessment.id
        rows.append(ActionRow(
            id=action.id,
            text=action.text,
            owner=action.owner,
            status=action.status.value,
            status_label=status_label(action.status),
            due_on=action.due_on,
            due_text=day(action.due_on),
            overdue=action.is_open and action.due_on is not None and action.due_on < today,
            note=action.note,
            element_id=action.element_id,
            element_title=element_title(questionnaire, action.element_id),
            question_id=action.question_id,
            question_text=question_text(questionnaire, action.question_id),
            round_name=action.assessment.round.name,
            carried=is_carried,
            movement=moved.get((action.assessment_id, action.element_id)) if is_carried else None,
            changed_text=_changed_text(action),
            edit_url=url_for("actions.edit", assessment_id=assessment.id, action_id=action.id),
        ))
    return rows


def _changed_text(action: Action) -> str:
    who = action.updated_by.display_name if action.updated_by is not None else None
    if who is None:
        return _("Changed on %(moment)s", moment=moment(action.updated_at))
    return _("Changed on %(moment)s by %(name)s", moment=moment(action.updated_at), name=who)


def element_title(questionnaire: Questionnaire, element_id: str) -> str:
    """"3. Promote civic technology": the element's number in its version and its title."""
    for number, element in enumerate(questionnaire.elements, start=1):
        if element.id == element_id:
            return f"{number}. {localized(element.title)}"
    return element_id


def question_text(questionnaire: Questionnaire, question_id: str | None) -> str | None:
    """The question's text in the reader's language; None for a free action."""
    if question_id is None:
        return None
    try:
        return localized(questionnaire.question(question_id).text)
    except KeyError:
        return question_id


def actions_for_report(session: Session, assessment: Assessment) -> list[ActionRow]:
    """The plan as the report shows it: the actions made in ``assessment``'s round and the open
    ones carried from the city's earlier rounds (with how their element's score moved since),
    in progress first, then planned, done and dropped, each by due date."""
    return action_rows(session, assessment, plan_actions(session, assessment, CURRENT))


@dataclass(frozen=True)
class ReportPlan:
    """What the report needs of the plan, for a reader who may see it."""

    actions: list[ActionRow]  # actions_for_report(), for templates/actions/_plan_for_report.html
    url: str  # the plan page
    new_url: str  # where "Add to action plan" posts
    editable: bool  # the reader may add to the plan and change it
    # The actions of ``actions`` made from each recommendation's question.
    by_question: dict[str, list[ActionRow]] = field(default_factory=dict)


def report_plan(session: Session, user: User, assessment: Assessment) -> ReportPlan | None:
    """The plan for ``assessment``'s report, or None when ``user`` may not see the plan."""
    if not user.is_authenticated or not can_read_plan(user, assessment.city):
        return None
    rows = actions_for_report(session, assessment)
    by_question: dict[str, list[ActionRow]] = {}
    for row in rows:
        if row.question_id is not None:
            by_question.setdefault(row.question_id, []).append(row)
    return ReportPlan(
        actions=rows,
        url=url_for("actions.index", assessment_id=assessment.id),
        new_url=url_for("actions.new", assessment_id=assessment.id),
        editable=can_edit_plan(user, assessment.city),
        by_question=by_question,
    )


# --- a new action from a recommendation ------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """What a new action starts with: the recommendation's text, its element and question."""

    text: str
    element_id: str
    question_id: str | None


def recommendations(session: Session, assessment: Assessment) -> list[Draft]:
    """The recommendations of ``assessment``'s report, in its order, as new actions start."""
    questionnaire = questionnaire_for(assessment.questionnaire_version)
    result = score_answers(questionnaire, load_answers(session, assessment.id).values())
    return [Draft(localized(r.text), r.element_id, r.question_id) for r in result.recommendations]


def recommendation_draft(session: Session, assessment: Assessment, question_id: str) -> Draft | None:
    """A new action from the recommendation on ``question_id`` in ``assessment``'s report, with
    the text the report shows; None when the assessment's version has no such question."""
    questionnaire = questionnaire_for(assessment.questionnaire_version)
    try:
        question = questionnaire.question(question_id)
    except KeyError:
        return None
    found = next((d for d in recommendations(session, assessment) if d.question_id == question_id), None)
    # An answer changed since the report was read: the question's own recommendation.
    return found or Draft(localized(question.recommendation), question.element_id, question.id)


# --- writing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFields:
    """What an official types into an action's form."""

    text: str
    owner: str
    due_on: date | None
    status: ActionStatus
    note: str


def add_action(session: Session, assessment: Assessment, actor: User, fields: ActionFields, *,
               element_id: str, question_id: str | None = None, at: datetime | None = None) -> Action:
    """Add an action to the city's plan, made in ``assessment``'s round."""
    at = at or utcnow()
    action = Action(
        city_id=assessment.city_id, assessment_id=assessment.id,
        questionnaire_version_id=assessment.questionnaire_version_id,
        element_id=element_id, question_id=question_id,
        text=fields.text, owner=fields.owner, due_on=fields.due_on, status=fields.status,
        note=fields.note, created_at=at, created_by_id=actor.id, updated_at=at,
        updated_by_id=actor.id,
    )
    session.add(action)
    session.flush()
    record(session, "action.create", actor, assessment_id=assessment.id, at=at, action_id=action.id,
           element_id=element_id, question_id=question_id, status=fields.status.value,
           owner=fields.owner, due_date=fields.due_on)
    return action


def update_action(session: Session, action: Action, actor: User, fields: ActionFields, *,
                  element_id: str | None = None, at: datetime | None = None) -> dict[str, list[object]]:
    """Change an action; returns what changed (nothing is recorded when nothing did)."""
    wanted: dict[str, object] = {
        "text": fields.text, "owner": fields.owner, "due_on": fields.due_on,
        "status": fields.status, "note": fields.note,
    }
    if element_id is not None and action.question_id is None:
        wanted["element_id"] = element_id
    # The audit trail names the fields as the exports do.
    names = {"text": "action", "due_on": "due_date"}
    changes: dict[str, list[object]] = {}
    for attribute, value in wanted.items():
        old = getattr(action, attribute)
        if old != value:
            changes[names.get(attribute, attribute)] = [_plain(old), _plain(value)]
            setattr(action, attribute, value)
    if changes:
        action.updated_at = at or utcnow()
        action.updated_by_id = actor.id
        session.flush()
        session.expire(action, ["updated_by"])
        record(session, "action.update", actor, assessment_id=action.assessment_id,
               at=action.updated_at, action_id=action.id, changes=changes)
    return changes


def _plain(value: object) -> object:
    return value.value if isinstance(value, ActionStatus) else value
