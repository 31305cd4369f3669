"""Reminders to the officials of cities that have not submitted, before their deadline.

A round lists the days before closing on which reminders go out (``Round.reminder_days``,
"14,7,1" by default). Every hour (Celery beat, or the in-process runner) :func:`send_due` looks
at each open round and, for each city that has not submitted, at the latest reminder day its
deadline has reached; each official gets that reminder once (the mail key names the round, the
deadline, the day and the person, so a moved deadline arms the reminders again, and a rerun of
the job sends nothing new). The regional office can also remind now, from the dashboard or with
``flask --app assessment reminders send``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment import jobs, mail
from assessment.assessments import deadlines
from assessment.assessments.models import EDITABLE, Assessment, DeadlineExtension, Round
from assessment.audit.services import record
from assessment.auth.models import Role, User
from assessment.database import utcnow
from assessment.mail.models import OutgoingMail
from assessment.places.models import City, Country

__all__ = ["Recipient", "preview", "recipients", "remind_now", "send_due"]

# How often the reminder check runs.
CHECK_EVERY_SECONDS = 3600


@dataclass(frozen=True)
class Recipient:
    user: User
    city: City
    status: str  # "not_started", "draft", "reopened" or "returned"
    completeness: float
    deadline: deadlines.Deadline


STATUS_LABELS = {
    "not_started": _l("Not started"),
    "draft": _l("Draft"),
    "reopened": _l("Reopened"),
    "returned": _l("Returned with queries"),
}


def pending_cities(session: Session, round_: Round, region_id: int | None = None,
                   city_ids: list[int] | None = None) -> list[tuple[City, Assessment | None]]:
    """The cities (of a region, or every one) that have not submitted in ``round_``."""
    query = (select(City, Assessment)
             .join(Country, City.country_id == Country.id)
             .outerjoin(Assessment, (Assessment.city_id == City.id) & (Assessment.round_id == round_.id))
             .where((Assessment.id.is_(None)) | (Assessment.status.in_(EDITABLE)))
             .order_by(City.name, City.id))
    if region_id is not None:
        query = query.where(Country.region_id == region_id)
    if city_ids is not None:
        query = query.where(City.id.in_(city_ids))
    return [(city, assessment) for city, assessment in session.execute(query).all()]


def recipients(session: Session, round_: Round, *, region_id: int | None = None,
               city_ids: list[int] | None = None, now: datetime | None = None) -> list[Recipient]:
    """Who a reminder in ``round_`` goes to: the active officials of every city that has not
    submitted and whose deadline has not passed."""
    now = now or utcnow()
    pending = pending_cities(session, round_, region_id, city_ids)
    # Three queries whatever the number of cities: the pending cities, the round's extensions,
    # and the officials of those cities.
    extensions = {extension.city_id: extension for extension in session.scalars(
        select(DeadlineExtension).where(DeadlineExtension.round_id == round_.id))}
    officials: dict[int, list[User]] = {}
    for official in session.scalars(select(User).where(
            User.city_id.in_([city.id for city, _assessment in pending]), User.role == Role.OFFICIAL,
            User.active.is_(True)).order_by(User.id)):
        officials.setdefault(official.city_id or 0, []).append(official)
    found = []
    for city, assessment in pending:
        deadline = deadlines.deadline_for(round_, extensions.get(city.id))
        if not deadline.is_open(now):
            continue
        status = assessment.status.value if assessment is not None else "not_started"
        completeness = assessment.completeness if assessment is not None else 0.0
        for official in officials.get(city.id, []):
            found.append(Recipient(official, city, status, completeness, deadline))
    return found


def _due_day(deadline: deadlines.Deadline, offsets: tuple[int, ...], now: datetime) -> int | None:
    """The latest reminder day the deadline has reached (7 when 14 and 7 days are past)."""
    if deadline.closes_at is None:
        return None
    reached = [days for days in offsets if now >= deadline.closes_at - timedelta(days=days)]
    return min(reached) if reached else None


def send_due(session: Session, now: datetime | None = None) -> int:
    """Queue the reminders that are due now; returns how many were queued."""
    now = now or utcnow()
    queued = 0
    for round_ in session.scalars(select(Round).where(Round.closes_on.is_not(None))):
        offsets = round_.reminder_offsets
        if not offsets:
            continue
        for person in recipients(session, round_, now=now):
            day = _due_day(person.deadline, offsets, now)
            if day is None:
                continue
            assert person.deadline.closes_at is not None
            key = (f"reminder:{round_.id}:{person.user.id}:"
                   f"{person.deadline.closes_at.astimezone(UTC).strftime('%Y%m%d%H%M')}:{day}")
            if mail.queue(session, "reminder", person.user, key=key, round_id=round_.id,
                          city_id=person.city.id) is not None:
                queued += 1
    return queued


@jobs.task("reminders.due")
def _send_due_job(session: Session) -> None:
    send_due(session)
    session.commit()


jobs.periodic("reminders.due", every_seconds=CHECK_EVERY_SECONDS)


def remind_now(session: Session, actor: User | None, round_: Round, *, region_id: int | None = None,
               city_ids: list[int] | None = None, now: datetime | None = None) -> list[Recipient]:
    """Queue a reminder now to the officials of the cities that have not submitted (of a region,
    or only ``city_ids``); a second click within the same minute sends nothing more."""
    now = now or utcnow()
    chosen = recipients(session, round_, region_id=region_id, city_ids=city_ids, now=now)
    sent = []
    for person in chosen:
        key = f"remind-now:{round_.id}:{person.user.id}:{now:%Y%m%d%H%M}"
        if mail.queue(session, "reminder", person.user, key=key, round_id=round_.id,
                      city_id=person.city.id) is not None:
            sent.append(person)
    record(session, "reminders.sent", actor, round=round_.name, region=region_id,
           cities=len({person.city.id for person in sent}), recipients=len(sent))
    return sent


def preview(session: Session, round_: Round, person: Recipient, language: str) -> mail.Rendered:
    """The reminder ``person`` would get, rendered in ``language`` (nothing is stored)."""
    draft = OutgoingMail(id=0, kind="reminder", user_id=person.user.id, to_address=person.user.email,
                         language=language, params={"round_id": round_.id, "city_id": person.city.id},
                         created_at=utcnow())
    return mail.render(session, draft)


@mail.kind("reminder", label=_l("Reminders before our deadline"))
def _reminder(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    round_ = session.get(Round, params["round_id"])
    city = session.get(City, params["city_id"])
    if round_ is None or city is None:
        raise mail.Cancel
    assessment = session.scalar(select(Assessment).where(Assessment.round_id == round_.id,
                                                         Assessment.city_id == city.id))
    if assessment is not None and assessment.status not in EDITABLE:
        raise mail.Cancel  # submitted meanwhile: no reminder
    deadline = deadlines.city_deadline(session, round_, city.id)
    if deadline.closes_at is None:
        raise mail.Cancel
    left = deadline.closes_at - utcnow()
    if left.total_seconds() <= 0:
        raise mail.Cancel  # closed meanwhile
    days = left.days
    if assessment is None:
        state = _("Your city has not started it yet.")
    else:
        state = _("It is %(percent)d%% complete and not submitted yet.",
                  percent=round(assessment.completeness * 100))
    return {
        "subject": (ngettext("%(city)s: %(num)d day left for the %(round)s assessment",
                             "%(city)s: %(num)d days left for the %(round)s assessment", days,
                             city=city.name, round=round_.name)
                    if days >= 1 else
                    _("%(city)s: the %(round)s assessment closes today", city=city.name,
                      round=round_.name)),
        "city": city.name, "round": round_.name, "state": state,
        "deadline": deadlines.describe_instant(deadline.closes_at, deadline.zone),
        "url": (url_for("survey.overview", assessment_id=assessment.id, _external=True)
                if assessment is not None else url_for("survey.home", _external=True)),
    }
