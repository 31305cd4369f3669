"""``flask --app assessment reminders ...``: remind the cities that have not submitted."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from assessment import jobs, reminders
from assessment.assessments.models import Round
from assessment.extensions import db
from assessment.places.models import Region


@click.group("reminders", help="Remind the officials of cities that have not submitted.")
def reminders_cli() -> None:
    pass


@reminders_cli.command("send")
@click.option("--round", "round_name", required=True, help="The round's name, e.g. 2026.")
@click.option("--region", "region_name", help="Only the cities of this region.")
@click.option("--dry-run", is_flag=True, help="List who would be reminded; send nothing.")
@with_appcontext
def send(round_name: str, region_name: str | None, dry_run: bool) -> None:
    """Send a reminder now to the officials of every city (of REGION) that has not submitted
    in ROUND and whose deadline has not passed."""
    round_ = db.session.scalar(select(Round).where(Round.name == round_name))
    if round_ is None:
        raise click.ClickException(_("There is no round named %(name)s.", name=round_name))
    region_id = None
    if region_name:
        region = db.session.scalar(select(Region).where(Region.name == region_name))
        if region is None:
            raise click.ClickException(_("There is no region named %(name)s.", name=region_name))
        region_id = region.id
    if dry_run:
        people = reminders.recipients(db.session, round_, region_id=region_id)
    else:
        people = reminders.remind_now(db.session, None, round_, region_id=region_id)
        db.session.commit()
        jobs.run_ready()
    for person in people:
        click.echo(f"{person.city.name}\t{person.user.email}\t{person.status}")
    if dry_run:
        click.echo(ngettext("Dry run: %(num)d official would be reminded; nothing was sent.",
                            "Dry run: %(num)d officials would be reminded; nothing was sent.",
                            len(people)))
    else:
        click.echo(ngettext("Reminder queued for %(num)d official.",
                            "Reminder queued for %(num)d officials.", len(people)))


@reminders_cli.command("due")
@with_appcontext
def due() -> None:
    """Queue the scheduled reminders that are due now (what the hourly job does)."""
    queued = reminders.send_due(db.session)
    db.session.commit()
    jobs.run_ready()
    click.echo(ngettext("%(num)d scheduled reminder queued.", "%(num)d scheduled reminders queued.",
                        queued))
