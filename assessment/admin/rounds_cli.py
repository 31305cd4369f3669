"""``flask --app assessment rounds``: list, create, open and close rounds from the command line.

Every change goes through the same services as the admin pages (``admin.rounds``) and is
recorded in the audit trail, marked as made on the command line. Dates and times given are on
the clock of the round's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import click
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from assessment import jobs
from assessment.admin import rounds as services
from assessment.admin.errors import AdminError
from assessment.assessments.deadlines import valid_time_zone
from assessment.assessments.models import Round
from assessment.assessments.versions import current_questionnaire
from assessment.database import utcnow
from assessment.extensions import db

VIA = "cli"
_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}:\d{2}))?$")


@dataclass(frozen=True)
class Moment:
    """A date, and a time of day when one was given, as typed (no time zone yet)."""

    day: date
    at: time | None

    def on(self, round_: Round, default: time) -> datetime:
        return datetime.combine(self.day, self.at or default, round_.zone)


class MomentType(click.ParamType):
    name = "YYYY-MM-DD[THH:MM]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Moment:
        if isinstance(value, Moment):
            return value
        match = _MOMENT.match(str(value).strip())
        try:
            if match is None:
                raise ValueError(value)
            day = date.fromisoformat(match.group(1))
            at = time.fromisoformat(match.group(2).zfill(5)) if match.group(2) else None
        except ValueError:
            self.fail(_("“%(value)s” is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM).",
                        value=value), param, ctx)
        return Moment(day, at)


MOMENT = MomentType()


class TimeZoneType(click.ParamType):
    name = "ZONE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        name = str(value).strip()
        if not valid_time_zone(name):
            self.fail(_("“%(zone)s” is not a time zone name. Use an IANA name such as UTC, "
                        "Africa/Nairobi or America/Bogota.", zone=name), param, ctx)
        return name


@click.group("rounds", help="List, create, open and close assessment rounds.")
def rounds_cli() -> None:
    pass


def _round(session: Session, name: str) -> Round:
    round_ = services.round_by_name(session, name)
    if round_ is None:
        raise click.ClickException(_("No round named “%(name)s”. See: flask --app assessment rounds list",
                                     name=name))
    return round_


def _commit(session: Session, write: Any) -> Any:
    """Run ``write`` and commit; a refusal rolls back and ends the command with its message."""
    try:
        result = write()
    except AdminError as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    session.commit()
    jobs.run_ready(session)  # the mail telling cities of a new deadline, without a queue
    return result


def _window(round_: Round) -> str:
    closes = services.on_clock(round_.closes_at)
    if closes is None:
        return _("opens %(opens)s (%(zone)s), no closing date", opens=services.on_clock(round_.opens_at),
                 zone=round_.time_zone)
    return _("opens %(opens)s, closes %(closes)s (%(zone)s)", opens=services.on_clock(round_.opens_at),
             closes=closes, zone=round_.time_zone)


@rounds_cli.command("list")
def rounds_list() -> None:
    """A table of every round, newest first: name, opening, closing with its time zone, status,
    questionnaire version, and assessments submitted of those started."""
    rows = services.round_rows(db.session, utcnow())
    if not rows:
        click.echo(_("No rounds yet. Create one: flask --app assessment rounds create NAME --opens "
                     "YYYY-MM-DD"), err=True)
        return
    header = [_("Round"), _("Opens"), _("Closes"), _("Status"), _("Version"), _("Submitted")]
    table = [header] + [
        [row.name, row.opens,
         f"{row.closes} {row.time_zone}" if row.closes else _("no closing date") + f" ({row.time_zone})",
         row.status, row.version_label, f"{row.submitted}/{row.started}"]
        for row in rows
    ]
    widths = [max(len(line[column]) for line in table) for column in range(len(header))]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


@rounds_cli.command("create")
@click.argument("name")
@click.option("--opens", "opens", required=True, type=MOMENT,
              help="Opening date, and time (default 00:00), on the round's clock.")
@click.option("--closes", "closes", type=MOMENT,
              help="Closing date, and time (default 23:59). Without it the round has no closing date.")
@click.option("--time-zone", "time_zone", default="UTC", show_default=True, type=TimeZoneType(),
              help="IANA time zone of the round's clock, e.g. Africa/Nairobi.")
@click.option("--reminder-days", default=services.DEFAULT_REMINDERS, show_default=True,
              help="Days before the closing on which cities that have not submitted are reminded.")
def rounds_create(name: str, opens: Moment, closes: Moment | None, time_zone: str,
                  reminder_days: str) -> None:
    """Create the round NAME on the current questionnaire version (as the admin page does)."""
    session = db.session
    settings = services.RoundSettings(
        name=name, opens_on=opens.day, opens_time=opens.at or services.DEFAULT_OPENS,
        closes_on=closes.day if closes else None,
        closes_time=(closes.at if closes and closes.at else services.DEFAULT_CLOSES),
        time_zone=time_zone, reminder_days=reminder_days)
    questionnaire = current_questionnaire()
    round_ = _commit(session, lambda: services.create_round(session, None, settings, questionnaire,
                                                            via=VIA))
    click.echo(_("Created round %(name)s: %(window)s; questionnaire version %(label)s.", name=round_.name,
                 window=_window(round_), label=questionnaire.version))


@rounds_cli.command("open")
@click.argument("name")
@click.option("--until", type=MOMENT,
              help="A new closing date, and time (default: the round's closing time), on its clock.")
def rounds_open(name: str, until: Moment | None) -> None:
    """Open the round NAME now: an opening still ahead moves to now, and a closing already past
    is cleared (or set to --until)."""
    session = db.session
    round_ = _round(session, name)
    now = utcnow()
    closing = until.on(round_, round_.closes_time or services.DEFAULT_CLOSES) if until else None
    changes = _commit(session, lambda: services.open_round(session, None, round_, now, until=closing,
                                                           via=VIA))
    if not changes:
        click.echo(_("Round %(name)s is already open (%(window)s); nothing changed.", name=round_.name,
                     window=_window(round_)))
        return
    click.echo(_("Round %(name)s is open: %(window)s.", name=round_.name, window=_window(round_)))


@rounds_cli.command("close")
@click.argument("name")
@click.option("--at", "at", type=MOMENT,
              help="When it closes, on the round's clock (default: now; time default 23:59).")
def rounds_close(name: str, at: Moment | None) -> None:
    """Close the round NAME now, or at --at. Submitted assessments keep their scores, and cities
    given an extension keep it."""
    session = db.session
    round_ = _round(session, name)
    instant = at.on(round_, services.DEFAULT_CLOSES) if at else utcnow()
    changes = _commit(session, lambda: services.close_round(session, None, round_, instant, via=VIA))
    if not changes:
        click.echo(_("Round %(name)s already closes then (%(window)s); nothing changed.", name=round_.name,
                     window=_window(round_)))
        return
    click.echo(_("Round %(name)s closes %(closes)s (%(zone)s).", name=round_.name,
                 closes=services.on_clock(round_.closes_at), zone=round_.time_zone))
