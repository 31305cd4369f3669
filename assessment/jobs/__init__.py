"""Background jobs: Celery on Redis when ``REDIS_URL`` is set, in-process otherwise.

A job is a row (:class:`~assessment.jobs.models.Job`) and a registered function. Features
register functions with :func:`task` and ask for work with :func:`enqueue`, in the caller's
transaction: nothing runs unless that transaction commits. After the commit the job is handed to
a Celery worker (``make worker``), or, without Redis, run in this process once the request or
command has finished its own work. Either way the row records attempts and the last error; a job
that fails is tried again with growing delays, and after ``max_attempts`` it stays *failed* on
the admin jobs page, where it can be retried. A job is claimed by one conditional update, so
two workers never run the same attempt; tasks themselves must be safe to run again (mail is:
a message already sent is never sent again).

Periodic work (the reminders) is registered with :func:`periodic`: Celery beat starts it on the
queue's own schedule; in-process, the app starts it after a request when it is due.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from assessment.database import utcnow, write_intent
from assessment.extensions import db
from assessment.jobs.models import Job, JobStatus

__all__ = ["Job", "JobStatus", "enqueue", "init_app", "periodic", "retry", "run", "run_due",
           "run_ready", "task"]

log = logging.getLogger(__name__)

Task = Callable[..., None]
TASKS: dict[str, Task] = {}


@dataclass(frozen=True)
class Periodic:
    name: str
    every_seconds: int


PERIODIC: dict[str, Periodic] = {}

# A job still "running" this long after it started lost its worker: it may be claimed again.
STALE_AFTER = timedelta(hours=1)
# The embedded runner looks for due retries at most this often (per process).
EMBEDDED_TICK_SECONDS = 60


def task(name: str) -> Callable[[Task], Task]:
    """Register ``function(session, **args)`` as the job ``name``."""
    def register(function: Task) -> Task:
        TASKS[name] = function
        return function
    return register


def periodic(name: str, *, every_seconds: int) -> None:
    """Run the registered job ``name`` every ``every_seconds`` (Celery beat, or in-process)."""
    PERIODIC[name] = Periodic(name, every_seconds)


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: 1, 2, 4, 8 ... minutes, at most an hour."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def enqueue(session: Session, name: str, *, max_attempts: int = 5, **args: Any) -> Job:
    """Add the job ``name`` with ``args`` (plain JSON values, never a secret) to ``session``;
    it is dispatched when the session commits."""
    if name not in TASKS:
        raise KeyError(f"no job named {name!r}")
    job = Job(name=name, args=args, max_attempts=max_attempts, status=JobStatus.QUEUED)
    session.add(job)
    session.flush()
    session.info.setdefault("jobs_pending", []).append(job.id)
    return job


# Built once: every job (a mail after each submission, say) runs it.
_CLAIM = (
    update(Job)
    .where(Job.id == bindparam("job_id"),
           or_(Job.status.in_((JobStatus.QUEUED, JobStatus.RETRYING)),
               (Job.status == JobStatus.RUNNING) & (Job.started_at < bindparam("stale_before"))))
    .values(status=JobStatus.RUNNING, attempts=Job.attempts + 1, started_at=bindparam("now"),
            next_attempt_at=None)
    .execution_options(synchronize_session=False))


def _claim(session: Session, job_id: int, now: datetime) -> bool:
    result = session.execute(_CLAIM, {"job_id": job_id, "now": now, "stale_before": now - STALE_AFTER})
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def run(session: Session, job_id: int) -> Job | None:
    """Run one attempt of the job, if it is waiting (or its worker was lost); record the outcome.

    Returns the job as it stands afterwards, or None when it was not there to claim.
    """
    if not _claim(session, job_id, utcnow()):
        return session.get(Job, job_id)
    job = session.get(Job, job_id, populate_existing=True)
    assert job is not None
    function = TASKS.get(job.name)
    try:
        if function is None:
            raise LookupError(f"no job named {job.name!r} in this version of the app")
        function(session, **job.args)
        job.status = JobStatus.DONE
        job.finished_at = utcnow()
        job.last_error = None
        session.commit()
    except Exception as error:  # any failure of a job is recorded, then retried
        session.rollback()
        job = session.get(Job, job_id, populate_existing=True)
        assert job is not None
        job.last_error = f"{type(error).__name__}: {error}"[:2000]
        if job.attempts >= job.max_attempts:
            job.status = JobStatus.FAILED
            job.finished_at = utcnow()
        else:
            job.status = JobStatus.RETRYING
            job.next_attempt_at = utcnow() + backoff(job.attempts)
        session.commit()
        log.warning("job %s #%d failed (attempt %d of %d): %s", job.name, job.id, job.attempts,
                    job.max_attempts, job.last_error)
    return job


def retry(session: Session, job: Job) -> None:
    """An admin's "try again": a failed or waiting job runs again at once, with fresh attempts."""
    if job.status not in (JobStatus.FAILED, JobStatus.RETRYING):
        return
    job.status = JobStatus.QUEUED
    job.max_attempts = max(job.max_attempts, job.attempts + 1)
    job.next_attempt_at = None
    session.info.setdefault("jobs_pending", []).append(job.id)


def due(session: Session, now: datetime) -> list[int]:
    """Ids of jobs waiting for another attempt whose time has come, or whose worker was lost."""
    return list(session.scalars(
        select(Job.id).where(or_(
            (Job.status == JobStatus.RETRYING) & (Job.next_attempt_at <= now),
            (Job.status == JobStatus.QUEUED) & (Job.created_at < now - timedelta(minutes=5)),
            (Job.status == JobStatus.RUNNING) & (Job.started_at < now - STALE_AFTER),
        )).order_by(Job.id)))


def run_due(session: Session, now: datetime | None = None) -> list[Job]:
    """Run every due job in this process (the ``flask jobs run`` command, the embedded runner)."""
    ran = []
    for job_id in due(session, now or utcnow()):
        job = run(session, job_id)
        if job is not None:
            ran.append(job)
    return ran


def run_ready(session: Session | None = None) -> None:
    """In-process mode: run the jobs committed since the last call (requests and commands)."""
    session = session or db.session
    while ready := session.info.pop("jobs_ready", []):
        for job_id in ready:
            run(session, job_id)


# --- dispatch ----------------------------------------------------------------------------


def _after_commit(session: Session) -> None:
    pending = session.info.pop("jobs_pending", [])
    if not pending or not has_app_context():
        # Outside the app (a script on the bare session): the rows wait for `flask jobs run`
        # or the queue's sweep.
        return
    celery = current_app.extensions.get("celery")
    if celery is None:
        session.info.setdefault("jobs_ready", []).extend(pending)
        return
    for job_id in pending:
        try:
            celery.send_task("assessment.run_job", args=(job_id,))
        except Exception as error:  # the broker is down: the sweep sends it later
            log.warning("could not hand job #%d to the queue (%s); it will be sent again", job_id,
                        error)


def _after_rollback(session: Session) -> None:
    session.info.pop("jobs_pending", None)


def init_app(app: Flask) -> None:
    from sqlalchemy import event

    if not event.contains(db.session_factory, "after_commit", _after_commit):
        event.listen(db.session_factory, "after_commit", _after_commit)
        event.listen(db.session_factory, "after_soft_rollback",
                     lambda session, _previous: _after_rollback(session))
    if app.config.get("REDIS_URL"):
        from assessment.jobs.queue import celery_init_app

        celery_init_app(app)
        return
    app.extensions.pop("celery", None)
    ticker = _EmbeddedTicker()
    @app.after_request
    def _run_jobs_in_process(response: Any) -> Any:
        # Jobs run once the response has been sent (the server closes it), so nobody waits for
        # a file or a batch of mail; tests run them before the response, where they can look.
        if not app.config.get("JOBS_AFTER_RESPONSE", not app.testing):
            run_ready()
            return response
        ready = db.session.info.pop("jobs_ready", [])
        response.call_on_close(lambda: _run_after_response(app, ready, ticker))
        return response


def _run_after_response(app: Flask, ready: list[int], ticker: _EmbeddedTicker) -> None:
    with app.app_context():
        write_intent.set(True)
        try:
            for job_id in ready:
                run(db.session, job_id)
            run_ready()
            if not app.testing:
                ticker.tick(db.session)
        except Exception:  # the response is gone: log, the jobs stay queued for a retry
            log.exception("background jobs could not run")


class _EmbeddedTicker:
    """Without a queue: after a request, start periodic jobs and retries when they are due."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_check = 0.0
        self.last_started: dict[str, float] = {}

    def tick(self, session: Session) -> None:
        now = time.monotonic()
        if now - self.last_check < EMBEDDED_TICK_SECONDS or not self.lock.acquire(blocking=False):
            return
        try:
            self.last_check = now
            for item in PERIODIC.values():
                if now - self.last_started.get(item.name, -item.every_seconds) >= item.every_seconds:
                    self.last_started[item.name] = now
                    enqueue(session, item.name)
                    session.commit()
                    run_ready(session)
            run_due(session)
        except Exception:  # never let background work break a page
            session.rollback()
            log.exception("background jobs could not run")
        finally:
            self.lock.release()
