"""The Celery side of the jobs, after Flask's documented pattern ("Background Tasks with Celery").

Every task runs inside an app context, on the same database as the web app; ``make worker``
starts a worker with its beat scheduler (see ``assessment.worker``).
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task, shared_task
from flask import Flask

from assessment.config import INSTANCE_DIR
from assessment.database import write_intent
from assessment.extensions import db


def celery_init_app(app: Flask) -> Celery:
    from assessment import jobs

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                # Jobs write: on SQLite, take the write lock when a transaction begins.
                write_intent.set(True)
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=app.config["REDIS_URL"],
        task_ignore_result=True,
        # A job is acknowledged when it has run, so a worker that dies mid-job leaves it queued.
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        beat_schedule={
            item.name: {"task": "assessment.start_periodic", "schedule": float(item.every_seconds),
                        "args": (item.name,)}
            for item in jobs.PERIODIC.values()
        } | {"jobs.sweep": {"task": "assessment.sweep", "schedule": 300.0}},
        timezone="UTC",
        # Beat remembers when it last ran each entry here, not in the working directory.
        beat_schedule_filename=str(INSTANCE_DIR / "celerybeat-schedule"),
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


@shared_task(bind=True, name="assessment.run_job")
def run_job(self: Task, job_id: int) -> None:
    """One attempt of a job; a failure comes back after the job's back-off."""
    from assessment import jobs

    job = jobs.run(db.session, job_id)
    if job is not None and job.status == jobs.JobStatus.RETRYING and job.next_attempt_at:
        raise self.retry(eta=job.next_attempt_at, max_retries=None)


@shared_task(name="assessment.start_periodic")
def start_periodic(name: str) -> None:
    from assessment import jobs

    jobs.enqueue(db.session, name)
    db.session.commit()


@shared_task(name="assessment.sweep")
def sweep() -> None:
    """Hand to the queue again what it lost: jobs queued while Redis was down, retries whose
    message went missing, jobs whose worker died."""
    from assessment import jobs
    from assessment.database import utcnow

    for job_id in jobs.due(db.session, utcnow()):
        run_job.delay(job_id)
