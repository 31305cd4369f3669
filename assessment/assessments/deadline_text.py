"""A deadline as people read it: "Closes on 30 November 2026 at 23:59 (Africa/Nairobi) — 5 days
left". Written on the round's clock and named by its time zone, for every page that shows one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from assessment.assessments.deadlines import CLOSED, UPCOMING, Deadline, describe_instant
from assessment.formatting import clock_in

NO_CLOSING = "none"
CLOSING_TODAY = "today"


@dataclass(frozen=True)
class DeadlineNotice:
    """``text`` is the sentence; ``iso`` the instant it is about (for ``<time datetime>``);
    ``detail`` says whose extension holds, when one does; ``state`` is open, today, closed,
    upcoming or none (for a style)."""

    state: str
    text: str
    iso: str | None
    detail: str | None = None

    @property
    def closed(self) -> bool:
        return self.state == CLOSED


def time_left(closes_at: datetime, now: datetime) -> str:
    """"5 days left" (calendar days on the round's clock), "3 hours left", "20 minutes left"."""
    zone = closes_at.tzinfo
    days = (closes_at.date() - now.astimezone(zone).date()).days
    if days >= 1:
        return ngettext("%(num)d day left", "%(num)d days left", days)
    minutes = max(1, int((closes_at - now).total_seconds() // 60))
    if minutes >= 60:
        return ngettext("%(num)d hour left", "%(num)d hours left", minutes // 60)
    return ngettext("%(num)d minute left", "%(num)d minutes left", minutes)


def deadline_notice(deadline: Deadline, now: datetime, *, city: str | None = None) -> DeadlineNotice:
    """The sentence for ``deadline`` at ``now``. ``city`` names the city an extension is for
    (regional offices and admins read it); without it the extension is "your city's"."""
    zone = deadline.zone
    state = deadline.state(now)
    if state == UPCOMING:
        text = _("Opens on %(when)s.", when=describe_instant(deadline.opens_at, zone))
        if deadline.closes_at is not None:
            text += " " + _("Closes on %(when)s.", when=describe_instant(deadline.closes_at, zone))
        return DeadlineNotice(UPCOMING, text, deadline.opens_at.isoformat())
    closes = deadline.closes_at
    if closes is None:
        return DeadlineNotice(NO_CLOSING, _("No closing date."), None)
    detail = None
    if deadline.extended and deadline.round_closes_at is not None:
        round_when = describe_instant(deadline.round_closes_at, zone)
        if deadline.round_has_closed(now):
            detail = (_("Extended for %(city)s; the round itself closed on %(when)s.", city=city,
                        when=round_when) if city else
                      _("Extended for your city; the round itself closed on %(when)s.", when=round_when))
        else:
            detail = (_("Extended for %(city)s; the round itself closes on %(when)s.", city=city,
                        when=round_when) if city else
                      _("Extended for your city; the round itself closes on %(when)s.", when=round_when))
    if state == CLOSED:
        return DeadlineNotice(CLOSED, _("Closed on %(when)s.", when=describe_instant(closes, zone)),
                              closes.isoformat(), detail)
    if closes.date() == now.astimezone(zone).date():
        text = _("Closes today at %(time)s (%(zone)s) — %(left)s.", time=clock_in(closes, zone),
                 zone=zone.key, left=time_left(closes, now))
        return DeadlineNotice(CLOSING_TODAY, text, closes.isoformat(), detail)
    text = _("Closes on %(when)s — %(left)s.", when=describe_instant(closes, zone),
             left=time_left(closes, now))
    return DeadlineNotice("open", text, closes.isoformat(), detail)
