"""The Celery worker's entry point: ``celery -A assessment.worker worker --beat`` (``make worker``).

Builds the app from the environment, like ``flask`` and gunicorn do; REDIS_URL must be set.
"""

from __future__ import annotations

from celery import Celery

from assessment import create_app

# Not named `app`: `celery -A assessment.worker` would take it for the Celery app.
flask_app = create_app()
if "celery" not in flask_app.extensions:
    raise SystemExit("REDIS_URL is not set: without it, background jobs run inside the app and no "
                     "worker is needed.")
celery: Celery = flask_app.extensions["celery"]
