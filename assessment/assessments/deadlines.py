"""When a city may write in a round: the round's opening and closing instants, and the later
closing its regional office or an administrator may grant one city (a deadline extension).

Every page and command asks here; nothing else compares dates. Instants are aware datetimes:
a round's own times are on the clock of its time zone, extensions are stored in UTC. A round is
open for a city from its opening until the city's closing instant (the moment itself is closed).
An extension only ever gives more time: when the round's own closing is later, that holds.

Writers flush and record the change in the audit trail; the caller commits. Anything that must
follow a changed deadline (a mail to the city, say) belongs in ``set_city_deadline`` and
``remove_city_deadline``, and for a reopened assessment in ``services.reopen_assessment``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.orm import Session, aliased

from assessment.assessments import notifications
from assessment.assessments.models import Assessment, DeadlineExtension, Round
from assessment.audit.services import record
from assessment.auth.models import User
from assessment.database import utcnow
from assessment.formatting import clock_in, long_day_in
from assessment.places.models import City, Country

OPEN = "open"
CLOSED = "closed"
UPCOMING = "upcoming"

MAX_REASON = 500


@dataclass(frozen=True)
class Deadline:
    """One city's window in one round. ``closes_at`` is the instant that holds for the city
    (None: the round has no closing); ``round_closes_at`` is the round's own."""

    opens_at: datetime
    closes_at: datetime | None
    round_closes_at: datetime | None
    time_zone: str
    extension: DeadlineExtension | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def extended(self) -> bool:
        """Whether the city's own extension is what holds (it is later than the round's closing)."""
        return self.extension is not None and self.closes_at != self.round_closes_at

    def state(self, now: datetime) -> str:
        if now < self.opens_at:
            return UPCOMING
        if self.has_passed(now):
            return CLOSED
        return OPEN

    def is_open(self, now: datetime) -> bool:
        return self.state(now) == OPEN

    def has_passed(self, now: datetime) -> bool:
        return self.closes_at is not None and now >= self.closes_at

    def round_has_closed(self, now: datetime) -> bool:
        return self.round_closes_at is not None and now >= self.round_closes_at


def deadline_for(round_: Round, extension: DeadlineExtension | None = None) -> Deadline:
    """The window of ``round_`` for a city with ``extension`` (or none)."""
    zone = round_.zone
    round_closes = round_.closes_at
    closes = round_closes
    if extension is not None and round_closes is not None:
        granted = extension.closes_at.astimezone(zone)
        if granted > round_closes:
            closes = granted
    return Deadline(round_.opens_at, closes, round_closes, zone.key, extension)


# Built once: every page of an assessment asks for its city's deadline.
_EXTENSION = select(DeadlineExtension).where(DeadlineExtension.round_id == bindparam("round_id"),
                                             DeadlineExtension.city_id == bindparam("city_id"))


def extension_for(session: Session, round_id: int, city_id: int) -> DeadlineExtension | None:
    return session.scalar(_EXTENSION, {"round_id": round_id, "city_id": city_id})



def city_deadline(session: Session, round_: Round, city_id: int) -> Deadline:
    """The deadline for this city in this round: its extension if one holds, else the round's."""
    return deadline_for(round_, extension_for(session, round_.id, city_id))


def assessment_deadline(session: Session, assessment: Assessment) -> Deadline:
    return city_deadline(session, assessment.round, assessment.city_id)


def city_extensions(session: Session, city_id: int) -> dict[int, DeadlineExtension]:
    """The city's extensions by round id, in one query (for the list of its rounds)."""
    found = session.scalars(select(DeadlineExtension).where(DeadlineExtension.city_id == city_id))
    return {extension.round_id: extension for extension in found}


def round_state(round_: Round, now: datetime) -> str:
    """``open``, ``closed`` or ``upcoming`` for the round itself (no city's extension counts)."""
    return deadline_for(round_).state(now)


class DeadlinePassed(Exception):
    """The city's deadline in the round has passed: nothing may be written."""

    def __init__(self, deadline: Deadline) -> None:
        super().__init__("deadline passed")
        self.deadline = deadline


def ensure_writable(session: Session, assessment: Assessment, now: datetime | None = None) -> None:
    """``DeadlinePassed`` when the city may no longer write in the assessment's round.

    While the round itself is open no extension can matter (none shortens it), so the common
    case asks the database nothing.
    """
    now = now or utcnow()
    if not deadline_for(assessment.round).has_passed(now):
        return
    deadline = assessment_deadline(session, assessment)
    if deadline.has_passed(now):
        raise DeadlinePassed(deadline)


# --- input: a date and time on the round's clock, a time zone, reminder days -----------------------


def valid_time_zone(name: str) -> bool:
    return name in available_timezones()


def time_zone_names() -> list[str]:
    """Every IANA time zone name this machine knows, sorted (for a choice in a form)."""
    return sorted(available_timezones())


def on_round_clock(round_: Round, day: date, at: time) -> datetime:
    """``day`` at ``at`` on the clock of the round's time zone, as an aware instant."""
    return datetime.combine(day, at, round_.zone)


def parse_reminder_days(text: str) -> str:
    """Reminder days as stored ("14,7,1"): whole numbers, largest first, each once.

    Raises ``ValueError`` with a message for people when a part is not a whole number of days.
    """
    days: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not part.isascii() or int(part) > 365:
            raise ValueError(_("Reminder days are whole numbers of days before the closing, from 0 "
                               "to 365, separated by commas (for example 14,7,1)."))
        days.add(int(part))
    return ",".join(str(day) for day in sorted(days, reverse=True))


# --- extensions: granted, changed and removed ---------------------------------------------------


class DeadlineError(ValueError):
    """Why a deadline cannot be set, for people to read; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def describe_instant(value: datetime, zone: ZoneInfo) -> str:
    """"30 November 2026 at 23:59 (Africa/Nairobi)": a deadline as every sentence writes it."""
    return _("%(date)s at %(time)s (%(zone)s)", date=long_day_in(value, zone), time=clock_in(value, zone),
             zone=zone.key)


def _assessment_id(session: Session, round_id: int, city_id: int) -> int | None:
    return session.scalar(select(Assessment.id).where(Assessment.round_id == round_id,
                                                      Assessment.city_id == city_id))


def check_new_deadline(round_: Round, closes_at: datetime, now: datetime) -> None:
    """``DeadlineError`` unless ``closes_at`` can be a city's deadline in ``round_``: later than
    the round's own closing, and still ahead."""
    if closes_at.tzinfo is None:
        raise ValueError("naive datetime given; use the round's time zone")
    round_closes = round_.closes_at
    if round_closes is None:
        raise DeadlineError(_("The %(round)s round has no closing date, so there is no deadline to "
                              "extend.", round=round_.name), field="closes_on")
    if closes_at <= round_closes:
        raise DeadlineError(_("The new deadline must be later than the round's own closing, %(when)s.",
                              when=describe_instant(round_closes, round_.zone)), field="closes_on")
    if closes_at <= now:
        raise DeadlineError(_("The new deadline must be in the future."), field="closes_on")


def check_time_to_change(deadline: Deadline, round_: Round, closes_at: datetime | None,
                         now: datetime, refused: Callable[[str], str]) -> None:
    """Before a submitted assessment opens for changes again (reopened, or returned with
    queries): ``DeadlineError`` when the city's deadline has passed and no new one is given (the
    sentence ``refused`` writes from the deadline as a sentence says it), or when the new one
    cannot be set."""
    if closes_at is None and deadline.has_passed(now):
        raise DeadlineError(refused(describe_instant(deadline.closes_at or now, deadline.zone)),
                            field="closes_on")
    if closes_at is not None:
        # Checked before anything is written: a refused deadline leaves the assessment as it was.
        check_new_deadline(round_, closes_at, now)


def set_city_deadline(session: Session, actor: User, round_: Round, city: City, closes_at: datetime,
                      reason: str, *, now: datetime | None = None, notify: bool = True) -> DeadlineExtension:
    """Give ``city`` until ``closes_at`` in ``round_``: a new extension, or a change to its own.

    The new closing must be later than the round's and still ahead. Recorded in the audit trail
    (``deadline.extend`` or ``deadline.change``), with the city's assessment when it has one, and
    (unless ``notify`` is false) told to the city's officials by mail.
    """
    now = now or utcnow()
    reason = " ".join(reason.split())
    if not reason:
        raise DeadlineError(_("Give a reason: it is kept in the audit trail."), field="reason")
    if len(reason) > MAX_REASON:
        raise DeadlineError(_("Keep the reason under %(num)d characters.", num=MAX_REASON), field="reason")
    check_new_deadline(round_, closes_at, now)
    extension = extension_for(session, round_.id, city.id)
    detail = {"round_id": round_.id, "round": round_.name, "city_id": city.id, "city": city.name,
              "reason": reason}
    if extension is None:
        extension = DeadlineExtension(round_id=round_.id, city_id=city.id, closes_at=closes_at,
                                      reason=reason, granted_by_id=actor.id, granted_at=now)
        session.add(extension)
        session.flush()
        record(session, "deadline.extend", actor, assessment_id=_assessment_id(session, round_.id, city.id),
               at=now, closes_at=closes_at, **detail)
        if notify:
            notifications.notify_deadline_changed(session, round_, city)
        return extension
    old = extension.closes_at
    extension.closes_at = closes_at
    extension.reason = reason
    extension.granted_by_id = actor.id
    extension.granted_at = now
    session.flush()
    record(session, "deadline.change", actor, assessment_id=_assessment_id(session, round_.id, city.id),
           at=now, closes_at=closes_at, changes={"closes_at": [old, closes_at]}, **detail)
    if notify:
        notifications.notify_deadline_changed(session, round_, city)
    return extension


def remove_city_deadline(session: Session, actor: User, round_: Round, city: City) -> bool:
    """Take back the city's extension: the round's own closing holds again. ``False`` if it had none."""
    extension = extension_for(session, round_.id, city.id)
    if extension is None:
        return False
    old = extension.closes_at
    session.delete(extension)
    session.flush()
    record(session, "deadline.remove", actor, assessment_id=_assessment_id(session, round_.id, city.id),
           round_id=round_.id, round=round_.name, city_id=city.id, city=city.name, closes_at=old)
    notifications.notify_deadline_changed(session, round_, city)
    return True


@dataclass(frozen=True)
class ExtensionRow:
    round_id: int
    city_id: int
    city: str
    country: str
    closes_at: datetime
    reason: str
    granted_by: str | None
    granted_at: datetime


def round_extensions(session: Session, round_: Round, scope: ColumnElement[bool]) -> list[ExtensionRow]:
    """The extensions of ``round_`` for the cities in ``scope`` (``access.city_scope``), by city."""
    granter = aliased(User)
    rows = session.execute(
        select(DeadlineExtension, City.name, Country.name, granter.name, granter.email)
        .join(City, City.id == DeadlineExtension.city_id)
        .join(Country, Country.id == City.country_id)
        .outerjoin(granter, granter.id == DeadlineExtension.granted_by_id)
        .where(DeadlineExtension.round_id == round_.id, scope)
        .order_by(City.name, City.id)
    )
    return [
        ExtensionRow(extension.round_id, extension.city_id, city, country,
                     extension.closes_at.astimezone(round_.zone), extension.reason,
                     (name or email) if email else None, extension.granted_at)
        for extension, city, country, name, email in rows
    ]
