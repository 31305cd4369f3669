"""What a regional office needs to follow up a city of the table: when the city last did
anything (its assessment changed, or one of its officials signed in), its own deadline when it
was given more time, and the reminders sent to its officials in the round.

Four queries for the cities of one page of the table, whatever the region's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.assessments.models import Assessment, DeadlineExtension
from assessment.auth.models import Role, User
from assessment.dashboard.table import CityRow
from assessment.formatting import day
from assessment.mail.models import OutgoingMail

REMINDER_KIND = "reminder"


@dataclass(frozen=True)
class CityActivity:
    last_activity: datetime | None
    extended_until: datetime | None
    reminders: int
    last_reminder: datetime | None

    @property
    def last_activity_text(self) -> str:
        return day(self.last_activity) if self.last_activity else ""

    @property
    def extended_text(self) -> str:
        return day(self.extended_until) if self.extended_until else ""

    @property
    def reminders_text(self) -> str:
        if not self.reminders:
            return ""
        return ngettext("%(num)d reminder, the last on %(day)s", "%(num)d reminders, the last on %(day)s",
                        self.reminders, day=day(self.last_reminder))


def _latest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def city_activity(session: Session, rows: Sequence[CityRow], round_id: int) -> dict[int, CityActivity]:
    """The activity of the cities of ``rows`` (one page of the table) in round ``round_id``."""
    city_ids = [row.city_id for row in rows]
    if not city_ids:
        return {}
    assessment_ids = [row.assessment_id for row in rows if row.assessment_id is not None]
    changed = dict(session.execute(
        select(Assessment.city_id, Assessment.updated_at).where(Assessment.id.in_(assessment_ids))
    ).all()) if assessment_ids else {}
    signed_in = dict(session.execute(
        select(User.city_id, func.max(User.last_login_at))
        .where(User.city_id.in_(city_ids), User.role == Role.OFFICIAL)
        .group_by(User.city_id)).all())
    extended = dict(session.execute(
        select(DeadlineExtension.city_id, DeadlineExtension.closes_at)
        .where(DeadlineExtension.round_id == round_id, DeadlineExtension.city_id.in_(city_ids))
    ).all())
    reminders = {city_id: (int(count), last) for city_id, count, last in session.execute(
        select(User.city_id, func.count(OutgoingMail.id), func.max(OutgoingMail.created_at))
        .join(User, User.id == OutgoingMail.user_id)
        .where(OutgoingMail.kind == REMINDER_KIND, User.city_id.in_(city_ids),
               OutgoingMail.params["round_id"].as_integer() == round_id)
        .group_by(User.city_id))}
    found = {}
    for city_id in city_ids:
        count, last = reminders.get(city_id, (0, None))
        found[city_id] = CityActivity(_latest(changed.get(city_id), signed_in.get(city_id)),
                                      extended.get(city_id), count, last)
    return found
