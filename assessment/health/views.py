"""A health check for load balancers and monitoring.

Healthy means the app can do its job: the database answers and accepts writes, and the
disk that holds the instance folder (the SQLite database, the mail outbox) has at least
``HEALTH_MIN_FREE_MB`` free.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from assessment.config import INSTANCE_DIR
from assessment.extensions import db

bp = Blueprint("health", __name__)


def _database() -> str:
    """``ok``, ``read-only`` or ``unavailable``."""
    try:
        db.session.execute(text("SELECT 1"))
        return "ok" if _accepts_writes() else "read-only"
    except SQLAlchemyError:
        current_app.logger.warning("health check: database unreachable")
        return "unavailable"
    finally:
        db.session.rollback()


def _accepts_writes() -> bool:
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # A standby, or a server switched to read-only (for example when its disk filled up).
        return connection.execute(text("SELECT current_setting('transaction_read_only')")).scalar() == "off"
    # SQLite: try a write that changes nothing, rolled back by the caller; waiting briefly,
    # since a busy database is not an unhealthy one.
    connection.exec_driver_sql("PRAGMA busy_timeout=200")
    try:
        connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
    except SQLAlchemyError as error:
        busy = "locked" in str(error.orig if hasattr(error, "orig") else error).lower()
        if not busy:
            current_app.logger.warning("health check: the database refuses writes")
        return busy
    finally:
        busy_ms = int(current_app.config["SQLITE_BUSY_SECONDS"] * 1000)
        connection.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
    return True


def _disk() -> tuple[str, int]:
    """``ok`` or ``full``, and the free megabytes on the fullest disk the app writes to: the
    instance folder's and, for SQLite, the database file's."""
    folders = [INSTANCE_DIR if INSTANCE_DIR.exists() else INSTANCE_DIR.parent]
    assert db.engine is not None
    name = db.engine.url.database or ""
    if db.engine.dialect.name == "sqlite" and name and ":memory:" not in name:
        name = name.removeprefix("file:").split("?")[0]  # a URI filename
        folders.append(Path(name).resolve().parent)
    free_mb = min(shutil.disk_usage(folder).free for folder in folders) // (1024 * 1024)
    return ("ok" if free_mb >= current_app.config["HEALTH_MIN_FREE_MB"] else "full"), free_mb


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    questionnaire = current_app.extensions["questionnaire"]
    database = _database()
    disk, free_mb = _disk()
    healthy = database == "ok" and disk == "ok"
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": database,
        "disk": disk,
        "disk_free_mb": free_mb,
        "questionnaire_version": questionnaire.version,
    }
    return jsonify(body), 200 if healthy else 503
