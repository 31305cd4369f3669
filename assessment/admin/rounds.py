"""Assessment rounds as the admin pages and the ``rounds`` commands list and change them; every
change is recorded.

A round is tied to one questionnaire version; once a city has started it, that tie is for good.
It opens and closes at instants on the clock of its time zone (``deadlines`` says what that
means for each city). Services flush and never commit; the view or command commits once.
Messages raised here are for people.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from assessment.admin.errors import AdminError
from assessment.admin.presentation import HASH_PREFIX
from assessment.assessments import deadlines, notifications
from assessment.assessments.models import (
    SCORED,
    Assessment,
    DeadlineExtension,
    QuestionnaireVersion,
    Round,
)
from assessment.assessments.versions import VersionLabelTaken, ensure_version
from assessment.audit.services import record
from assessment.auth.models import User
from assessment.database import utcnow
from assessment.places.models import City, Country
from assessment.questionnaire import Questionnaire

DEFAULT_OPENS = time(0, 0)
DEFAULT_CLOSES = time(23, 59)
DEFAULT_REMINDERS = "14,7,1"


def stored_version(session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion:
    """``ensure_version``, with its refusal of a label already taken said for people to read."""
    try:
        return ensure_version(session, questionnaire)
    except VersionLabelTaken as taken:
        raise AdminError(_("Questionnaire version %(label)s is already stored with different content. Give "
                           "the changed file a new label: change “version” at the top of "
                           "questionnaire.yaml (for example to %(label)s.1), then try again.",
                           label=taken.label)) from None


@dataclass(frozen=True)
class RoundRow:
    id: int
    name: str
    opens_on: date
    closes_on: date | None
    opens: str  # "2026-03-01 00:00"
    closes: str | None  # "2026-11-30 23:59", None for an open-ended round
    time_zone: str
    state: str  # deadlines.OPEN, CLOSED or UPCOMING
    status: str
    version_id: int
    version_label: str
    version_hash: str
    started: int
    submitted: int
    extensions: int


STATUS_LABELS = {
    deadlines.UPCOMING: _l("upcoming"),
    deadlines.OPEN: _l("open"),
    deadlines.CLOSED: _l("closed"),
}


def round_status(round_: Round, now: datetime) -> str:
    """"upcoming", "open" or "closed", by the round's own instants (no city's extension counts)."""
    return str(STATUS_LABELS[deadlines.round_state(round_, now)])


def on_clock(value: datetime | None) -> str | None:
    """An instant as the round's clock reads it, for tables and the command line."""
    return None if value is None else value.strftime("%Y-%m-%d %H:%M")


def assessment_counts() -> tuple[Any, Any]:
    """Columns counting assessments, started and submitted, for a query joined to them."""
    started = func.count(Assessment.id)
    submitted = func.coalesce(func.sum(case((Assessment.status.in_(SCORED), 1),
                                            else_=0)), 0)
    return started, submitted


def round_rows(session: Session, now: datetime) -> list[RoundRow]:
    started, submitted = assessment_counts()
    extensions = (select(func.count(DeadlineExtension.id))
                  .where(DeadlineExtension.round_id == Round.id).scalar_subquery())
    query = (
        select(Round, QuestionnaireVersion, started, submitted, extensions)
        .join(QuestionnaireVersion, Round.questionnaire_version_id == QuestionnaireVersion.id)
        .outerjoin(Assessment, Assessment.round_id == Round.id)
        .group_by(Round.id, QuestionnaireVersion.id)
        .order_by(Round.opens_on.desc(), Round.name)
    )
    rows = []
    for round_, version, n_started, n_submitted, n_extensions in session.execute(query):
        state = deadlines.round_state(round_, now)
        rows.append(RoundRow(
            round_.id, round_.name, round_.opens_on, round_.closes_on, on_clock(round_.opens_at) or "",
            on_clock(round_.closes_at), round_.time_zone, state, str(STATUS_LABELS[state]), version.id,
            version.label, version.content_hash[:HASH_PREFIX], n_started, int(n_submitted),
            n_extensions or 0))
    return rows


def round_assessment_count(session: Session, round_: Round) -> int:
    return session.scalar(select(func.count(Assessment.id)).where(Assessment.round_id == round_.id)) or 0


@dataclass(frozen=True)
class RoundSettings:
    """Everything about a round that its form and the ``rounds`` commands set.

    Times are on the clock of ``time_zone``; a round without ``closes_on`` is open-ended.
    """

    name: str
    opens_on: date
    closes_on: date | None = None
    opens_time: time = DEFAULT_OPENS
    closes_time: time = DEFAULT_CLOSES
    time_zone: str = "UTC"
    reminder_days: str = DEFAULT_REMINDERS

    @classmethod
    def of(cls, round_: Round) -> RoundSettings:
        return cls(round_.name, round_.opens_on, round_.closes_on, round_.opens_time or DEFAULT_OPENS,
                   round_.closes_time or DEFAULT_CLOSES, round_.time_zone or "UTC",
                   round_.reminder_days or DEFAULT_REMINDERS)

    def opening(self) -> datetime:
        return datetime.combine(self.opens_on, self.opens_time, ZoneInfo(self.time_zone))

    def closing(self) -> datetime | None:
        if self.closes_on is None:
            return None
        return datetime.combine(self.closes_on, self.closes_time, ZoneInfo(self.time_zone))


def _checked(session: Session, settings: RoundSettings, exclude_id: int | None = None) -> RoundSettings:
    name = " ".join(settings.name.split())
    if not name:
        raise AdminError(_("Enter a name."), field="name")
    query = select(Round.id).where(func.lower(Round.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Round.id != exclude_id)
    if session.scalar(query) is not None:
        raise AdminError(_("There is already a round called %(name)s.", name=name), field="name")
    zone = settings.time_zone.strip()
    if not deadlines.valid_time_zone(zone):
        raise AdminError(_("“%(zone)s” is not a time zone name. Use an IANA name such as UTC, "
                           "Africa/Nairobi or America/Bogota.", zone=zone), field="time_zone")
    try:
        reminders = deadlines.parse_reminder_days(settings.reminder_days)
    except ValueError as error:
        raise AdminError(str(error), field="reminder_days") from None
    checked = replace(settings, name=name, time_zone=zone, reminder_days=reminders,
                      opens_time=_minute(settings.opens_time), closes_time=_minute(settings.closes_time))
    closing = checked.closing()
    if closing is not None and closing <= checked.opening():
        raise AdminError(_("The round cannot close before it opens."), field="closes_on")
    return checked


def _minute(value: time) -> time:
    """Rounds open and close on the minute."""
    return value.replace(second=0, microsecond=0, tzinfo=None)


def _audited(settings: RoundSettings) -> dict[str, Any]:
    return {"name": settings.name, "opens_on": settings.opens_on, "opens_time": _hhmm(settings.opens_time),
            "closes_on": settings.closes_on, "closes_time": _hhmm(settings.closes_time),
            "time_zone": settings.time_zone, "reminder_days": settings.reminder_days}


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _via(via: str | None) -> dict[str, Any]:
    """Audit detail naming where a change was made, when not on the admin pages ("cli")."""
    return {"via": via} if via else {}


def create_round(session: Session, actor: User | None, settings: RoundSettings,
                 questionnaire: Questionnaire, *, via: str | None = None) -> Round:
    """A new round, tied for good to ``questionnaire`` (stored as a version if it is new)."""
    settings = _checked(session, settings)
    version = stored_version(session, questionnaire)
    round_ = Round(name=settings.name, opens_on=settings.opens_on, closes_on=settings.closes_on,
                   opens_time=settings.opens_time, closes_time=settings.closes_time,
                   time_zone=settings.time_zone, reminder_days=settings.reminder_days,
                   questionnaire_version_id=version.id)
    session.add(round_)
    session.flush()
    record(session, "admin.round.create", actor, round_id=round_.id, **_audited(settings),
           version_id=version.id, version=version.label, **_via(via))
    return round_


def update_round(session: Session, actor: User | None, round_: Round, settings: RoundSettings, *,
                 via: str | None = None) -> dict[str, list[Any]]:
    """Change a round's name, times, time zone or reminders; the changes, as audited.

    Moving the closing changes no submitted assessment: scores are stored at submission.
    """
    settings = _checked(session, settings, round_.id)
    closing_before = round_.closes_at
    old, new = _audited(RoundSettings.of(round_)), _audited(settings)
    changes = {field: [old[field], new[field]] for field in new if old[field] != new[field]}
    for field in ("name", "opens_on", "opens_time", "closes_on", "closes_time", "time_zone",
                  "reminder_days"):
        if getattr(round_, field) != getattr(settings, field):
            setattr(round_, field, getattr(settings, field))
    session.flush()
    if changes:
        record(session, "admin.round.update", actor, round_id=round_.id, name=round_.name,
               changes=changes, **_via(via))
    if round_.closes_at != closing_before and round_.opens_at <= utcnow():
        # The cities still answering hear of their new deadline (those with a later extension
        # of their own keep it, and the message says so).
        notifications.notify_deadline_changed(session, round_)
    return changes


def open_round(session: Session, actor: User | None, round_: Round, now: datetime,
               until: datetime | None = None, *, via: str | None = None) -> dict[str, list[Any]]:
    """Open ``round_`` now: an opening still ahead moves to now, and a closing already past is
    cleared, or set to ``until`` when given (``until`` also replaces a closing still ahead)."""
    zone = round_.zone
    settings = RoundSettings.of(round_)
    if round_.opens_at > now:
        opening = now.astimezone(zone)
        settings = replace(settings, opens_on=opening.date(), opens_time=_minute(opening.time()))
    if until is not None:
        if until <= now:
            raise AdminError(_("The new closing must be in the future."), field="closes_on")
        closing = until.astimezone(zone)
        settings = replace(settings, closes_on=closing.date(), closes_time=_minute(closing.time()))
    elif round_.closes_at is not None and round_.closes_at <= now:
        settings = replace(settings, closes_on=None)
    return update_round(session, actor, round_, settings, via=via)


def close_round(session: Session, actor: User | None, round_: Round, at: datetime, *,
                via: str | None = None) -> dict[str, list[Any]]:
    """Set the round's closing instant to ``at`` (now, or a time given). Cities with an
    extension keep it; submitted assessments keep their scores."""
    closing = at.astimezone(round_.zone)
    return update_round(session, actor, round_, replace(
        RoundSettings.of(round_), closes_on=closing.date(), closes_time=_minute(closing.time())), via=via)


@dataclass(frozen=True)
class ExtensionLine:
    """One city's extension as the round's page lists it."""

    city: str
    country: str
    closes: str
    iso: str
    reason: str
    granted: str
    url: str


def city_options(session: Session) -> list[tuple[int, str]]:
    """Every city as (id, "City (Country)"), for choosing the one to extend."""
    rows = session.execute(select(City.id, City.name, Country.name)
                           .join(Country, City.country_id == Country.id)
                           .order_by(City.name, Country.name, City.id))
    return [(city_id, f"{city} ({country})") for city_id, city, country in rows]


def round_by_name(session: Session, name: str) -> Round | None:
    return session.scalar(select(Round).where(func.lower(Round.name) == " ".join(name.split()).lower()))


def move_round_to_version(session: Session, actor: User, round_: Round,
                          questionnaire: Questionnaire) -> QuestionnaireVersion:
    """Tie a round nobody has started to ``questionnaire`` instead of its old version."""
    if round_assessment_count(session, round_):
        raise AdminError(_("Cities have already started %(name)s, so its questionnaire version "
                           "can no longer change.", name=round_.name))
    old = round_.questionnaire_version
    version = stored_version(session, questionnaire)
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
