"""Mail that follows an assessment's life: reopened, deadline changed, submitted.

Each function is called in the transaction of the change it reports, so a change that is
rolled back sends nothing. The messages are written when they are sent, in each recipient's
language, from the ids stored with them.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from assessment import mail
from assessment.assessments import deadlines
from assessment.assessments.models import EDITABLE, Assessment, Round
from assessment.auth.models import Role, User
from assessment.formatting import number
from assessment.places.models import City, Country

# Built once: a submission and a reopening each ask who to tell.
_CITY_OFFICIALS = select(User).where(User.city_id == bindparam("city_id"), User.role == Role.OFFICIAL,
                                     User.active.is_(True)).order_by(User.id)
_REGIONAL_STAFF = select(User).where(
    User.region_id == select(Country.region_id).join(City, City.country_id == Country.id)
    .where(City.id == bindparam("city_id")).scalar_subquery(),
    User.role == Role.REGIONAL, User.active.is_(True)).order_by(User.id)


def city_officials(session: Session, city_id: int) -> list[User]:
    """The active officials of a city, who receive its reminders and notifications."""
    return list(session.scalars(_CITY_OFFICIALS, {"city_id": city_id}))


def notify_reopened(session: Session, assessment: Assessment, actor: User | None, reason: str) -> None:
    for official in city_officials(session, assessment.city_id):
        mail.queue(session, "assessment_reopened", official, assessment_id=assessment.id,
                   actor_id=actor.id if actor else None, reason=reason)


def notify_deadline_changed(session: Session, round_: Round, city: City | None = None) -> None:
    """Tell the officials of ``city`` (an extension) or of every city of the round that has not
    submitted (the round's own closing moved) about their new deadline."""
    officials = select(User).where(User.role == Role.OFFICIAL, User.active.is_(True))
    if city is not None:
        officials = officials.where(User.city_id == city.id)
    else:
        submitted = select(Assessment.city_id).where(Assessment.round_id == round_.id,
                                                     Assessment.status.not_in(EDITABLE))
        officials = officials.where(User.city_id.not_in(submitted))
    for official in session.scalars(officials.order_by(User.city_id, User.id)):
        mail.queue(session, "deadline_changed", official, round_id=round_.id, city_id=official.city_id)


def notify_submitted(session: Session, assessment: Assessment) -> None:
    """Tell the city's regional office (one query when it has nobody to tell)."""
    for person in session.scalars(_REGIONAL_STAFF, {"city_id": assessment.city_id}):
        mail.queue(session, "city_submitted", person, assessment_id=assessment.id)


# What a message about an assessment needs, in one query each.
_ABOUT = select(Assessment).where(Assessment.id == bindparam("assessment_id")).options(
    joinedload(Assessment.city, innerjoin=True), joinedload(Assessment.round, innerjoin=True))
_ABOUT_SUBMITTED = _ABOUT.options(joinedload(Assessment.submitted_by))


def _assessment(session: Session, params: dict[str, Any], statement: Any = _ABOUT) -> Assessment:
    assessment = session.scalar(statement, {"assessment_id": params["assessment_id"]})
    if assessment is None:
        raise mail.Cancel
    return assessment


def _deadline_text(session: Session, round_: Round, city_id: int) -> str:
    deadline = deadlines.city_deadline(session, round_, city_id)
    if deadline.closes_at is None:
        return _("The round has no closing date.")
    return _("The deadline is %(when)s.", when=deadlines.describe_instant(deadline.closes_at,
                                                                          deadline.zone))


@mail.kind("assessment_reopened", label=_l("When our city's assessment is reopened"))
def _reopened(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    assessment = _assessment(session, params)
    actor = session.get(User, params["actor_id"]) if params.get("actor_id") else None
    return {
        "subject": _("%(city)s: the %(round)s assessment is open for changes again",
                     city=assessment.city.name, round=assessment.round.name),
        "city": assessment.city.name, "round": assessment.round.name,
        "actor": actor.display_name if actor else None, "reason": params.get("reason", ""),
        "deadline": _deadline_text(session, assessment.round, assessment.city_id),
        "url": url_for("survey.overview", assessment_id=assessment.id, _external=True),
    }


@mail.kind("deadline_changed", label=_l("When our deadline changes"))
def _deadline_changed(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    round_ = session.get(Round, params["round_id"])
    city = session.get(City, params["city_id"])
    if round_ is None or city is None:
        raise mail.Cancel
    return {
        "subject": _("%(city)s: new deadline for the %(round)s assessment", city=city.name,
                     round=round_.name),
        "city": city.name, "round": round_.name,
        "deadline": _deadline_text(session, round_, city.id),
        "url": url_for("survey.home", _external=True),
    }


@mail.kind("city_submitted", label=_l("When a city of our region submits its assessment"))
def _submitted(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    assessment = _assessment(session, params, _ABOUT_SUBMITTED)
    if assessment.status != "submitted":
        raise mail.Cancel
    by = assessment.submitted_by.display_name if assessment.submitted_by else None
    overall = assessment.overall_index
    return {
        "subject": _("%(city)s submitted its %(round)s assessment", city=assessment.city.name,
                     round=assessment.round.name),
        "city": assessment.city.name, "round": assessment.round.name, "by": by,
        "overall": number(overall) if overall is not None else None,
        "url": url_for("results.report", assessment_id=assessment.id, _external=True),
    }
