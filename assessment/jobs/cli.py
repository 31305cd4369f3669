"""``flask --app assessment jobs ...``: look at the background jobs and run what is due."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from assessment import jobs
from assessment.database import utcnow
from assessment.extensions import db
from assessment.jobs.models import STATUS_LABELS, Job, JobStatus


@click.group("jobs", help="Background jobs: list them, run those that are due, retry failed ones.")
def jobs_cli() -> None:
    pass


@jobs_cli.command("list")
@click.option("--status", type=click.Choice([status.value for status in JobStatus]),
              help="Only jobs in this state.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True,
              help="How many of the newest jobs to show.")
@with_appcontext
def list_jobs(status: str | None, limit: int) -> None:
    """The newest jobs, one per line: id, name, status, attempts, last error."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if status:
        query = query.where(Job.status == status)
    rows = db.session.scalars(query).all()
    if not rows:
        click.echo(_("No jobs."))
    for job in rows:
        error = f"  {job.last_error}" if job.last_error else ""
        click.echo(f"{job.id}\t{job.name}\t{job.status.value}\t{job.attempts}/{job.max_attempts}{error}")


@jobs_cli.command("run")
@with_appcontext
def run_jobs() -> None:
    """Run, in this process, every job that is due: retries whose time has come, and jobs
    that no worker picked up. Without REDIS_URL, run it from cron to retry failed mail."""
    ran = jobs.run_due(db.session, utcnow())
    done = sum(job.status == JobStatus.DONE for job in ran)
    click.echo(ngettext("%(num)d job run, %(done)d done.", "%(num)d jobs run, %(done)d done.",
                        len(ran), done=done))
    if done < len(ran):
        raise SystemExit(1)


@jobs_cli.command("retry")
@click.argument("job_id", type=int)
@with_appcontext
def retry_job(job_id: int) -> None:
    """Run the failed job JOB_ID again now, in this process."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise click.ClickException(_("There is no job %(id)d.", id=job_id))
    if job.status not in (JobStatus.FAILED, JobStatus.RETRYING):
        raise click.ClickException(_("Job %(id)d is %(status)s: there is nothing to retry.",
                                     id=job_id, status=STATUS_LABELS[job.status]))
    jobs.retry(db.session, job)
    db.session.commit()
    outcome = jobs.run(db.session, job_id)
    assert outcome is not None
    click.echo(_("Job %(id)d: %(status)s.", id=job_id, status=STATUS_LABELS[outcome.status]))
    if outcome.status != JobStatus.DONE:
        raise SystemExit(1)
