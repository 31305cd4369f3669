"""Assessment rounds as the admin pages list and change them; every change is recorded.

A round is tied to one questionnaire version; once a city has started it, that tie is for good.
Services flush and never commit; the view commits once. Messages raised here are for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from assessment.admin.errors import AdminError
from assessment.admin.presentation import HASH_PREFIX
from assessment.assessments.models import (
    Assessment,
    AssessmentStatus,
    QuestionnaireVersion,
    Round,
)
from assessment.assessments.versions import ensure_version
from assessment.audit.services import record
from assessment.auth.models import User
from assessment.questionnaire import Questionnaire


@dataclass(frozen=True)
class RoundRow:
    id: int
    name: str
    opens_on: date
    closes_on: date | None
    status: str
    version_id: int
    version_label: str
    version_hash: str
    started: int
    submitted: int


def round_status(opens_on: date, closes_on: date | None, today: date) -> str:
    if today < opens_on:
        return _("upcoming")
    if closes_on is not None and today > closes_on:
        return _("closed")
    return _("open")


def assessment_counts() -> tuple[Any, Any]:
    """Columns counting assessments, started and submitted, for a query joined to them."""
    started = func.count(Assessment.id)
    submitted = func.coalesce(func.sum(case((Assessment.status == AssessmentStatus.SUBMITTED, 1),
                                            else_=0)), 0)
    return started, submitted


def round_rows(session: Session, today: date) -> list[RoundRow]:
    started, submitted = assessment_counts()
    query = (
        select(Round, QuestionnaireVersion, started, submitted)
        .join(QuestionnaireVersion, Round.questionnaire_version_id == QuestionnaireVersion.id)
        .outerjoin(Assessment, Assessment.round_id == Round.id)
        .group_by(Round.id, QuestionnaireVersion.id)
        .order_by(Round.opens_on.desc(), Round.name)
    )
    return [
        RoundRow(round_.id, round_.name, round_.opens_on, round_.closes_on,
                 round_status(round_.opens_on, round_.closes_on, today), version.id, version.label,
                 version.content_hash[:HASH_PREFIX], n_started, int(n_submitted))
        for round_, version, n_started, n_submitted in session.execute(query)
    ]


def round_assessment_count(session: Session, round_: Round) -> int:
    return session.scalar(select(func.count(Assessment.id)).where(Assessment.round_id == round_.id)) or 0


def _check_round(session: Session, name: str, opens_on: date, closes_on: date | None,
                 exclude_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise AdminError(_("Enter a name."), field="name")
    query = select(Round.id).where(func.lower(Round.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Round.id != exclude_id)
    if session.scalar(query) is not None:
        raise AdminError(_("There is already a round called %(name)s.", name=name), field="name")
    if closes_on is not None and closes_on < opens_on:
        raise AdminError(_("The round cannot close before it opens."), field="closes_on")
    return name


def create_round(session: Session, actor: User, *, name: str, opens_on: date, closes_on: date | None,
                 questionnaire: Questionnaire) -> Round:
    """A new round, tied for good to ``questionnaire`` (stored as a version if it is new)."""
    name = _check_round(session, name, opens_on, closes_on)
    version = ensure_version(session, questionnaire)
    round_ = Round(name=name, opens_on=opens_on, closes_on=closes_on,
                   questionnaire_version_id=version.id)
    session.add(round_)
    session.flush()
    record(session, "admin.round.create", actor, round_id=round_.id, name=name, opens_on=opens_on,
           closes_on=closes_on, version_id=version.id, version=version.label)
    return round_


def update_round(session: Session, actor: User, round_: Round, *, name: str, opens_on: date,
                 closes_on: date | None) -> dict[str, list[Any]]:
    name = _check_round(session, name, opens_on, closes_on, round_.id)
    changes: dict[str, list[Any]] = {}
    for field, new in (("name", name), ("opens_on", opens_on), ("closes_on", closes_on)):
        old = getattr(round_, field)
        if old != new:
            changes[field] = [old, new]
            setattr(round_, field, new)
    session.flush()
    if changes:
        record(session, "admin.round.update", actor, round_id=round_.id, name=round_.name,
               changes=changes)
    return changes


def move_round_to_version(session: Session, actor: User, round_: Round,
                          questionnaire: Questionnaire) -> QuestionnaireVersion:
    """Tie a round nobody has started to ``questionnaire`` instead of its old version."""
    if round_assessment_count(session, round_):
        raise AdminError(_("Cities have already started %(name)s, so its questionnaire version "
                           "can no longer change.", name=round_.name))
    old = round_.questionnaire_version
    version = ensure_version(session, questionnaire)
    if version.id != old.id:
        round_.questionnaire_version_id = version.id
        session.flush()
        session.expire(round_, ["questionnaire_version"])
        record(session, "admin.round.version", actor, round_id=round_.id, name=round_.name,
               changes={"version": [old.label, version.label],
                        "version_id": [old.id, version.id]})
    return version


def delete_round(session: Session, actor: User, round_: Round) -> str:
    if round_assessment_count(session, round_):
        raise AdminError(_("Cities have already started %(name)s, so it cannot be deleted.",
                           name=round_.name))
    name, round_id = round_.name, round_.id
    session.delete(round_)
    session.flush()
    record(session, "admin.round.delete", actor, round_id=round_id, name=name)
    return name
