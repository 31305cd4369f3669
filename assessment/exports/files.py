"""Export files prepared in the background: asked for on the page, written by a job, downloaded
by the person who asked (or an admin) for ``EXPORT_KEEP_HOURS`` (24 by default), then deleted.

Excel, Parquet, Stata and SPSS files cannot be streamed: the whole file exists before its first
byte can be sent, and the long table of a large programme takes tens of seconds as Excel.
Rather than hold a web worker and a slow connection that long, the page records what was asked
(an ``ExportFile``) and enqueues the ``exports.build`` job, which writes the file under a random
name in ``EXPORT_FOLDER`` (under a temporary name first, renamed when complete). While it
writes, it keeps the rows written so far in a small sidecar file beside it (``<name>.progress``),
which the page shows as a progress bar: the folder is shared by the worker and the web
processes, and the job need not write to the database while it reads. When the file is ready,
its owner gets a message (``export_ready``, which they can turn off). The job reads the account
again when it runs, so the file holds what the person may see then: a deactivated account gets
nothing, a regional office its region only.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assessment import jobs, mail
from assessment.assessments.labels import STATUS_LABELS
from assessment.audit.services import record
from assessment.auth.models import Role, User
from assessment.database import utcnow, write_intent
from assessment.exports import formats, services
from assessment.exports.about import About
from assessment.exports.filters import DEFAULT_EXPORT_LANGUAGE
from assessment.exports.models import ExportFile, ExportStatus
from assessment.formatting import file_size, moment, number
from assessment.i18n import LANGUAGES

# Prepared rather than streamed. Measured on 1,000 cities x 10 rounds: the long table takes
# about 45 s as Excel and 2 s as Parquet, the element scores 5 s as Excel; every CSV and JSON
# download sends its first bytes at once.
PREPARED_FORMATS = frozenset({"xlsx", "parquet", "dta", "sav"})
LISTED = timedelta(days=7)  # then its row stays listed as expired this long, and is deleted
# The progress sidecar is written at most this often (and once more at the end).
PROGRESS_SECONDS = 0.5
PROGRESS_SUFFIX = ".progress"
MAIL_KIND = "export_ready"
BUILD_ATTEMPTS = 3  # a failed build is tried again after 1 and 2 minutes
# A temporary file older than this was left by a worker that stopped in the middle.
ABANDONED_SECONDS = 3 * 3600

STATUS_WORDS = {
    ExportStatus.PREPARING: _l("Being prepared"),
    ExportStatus.READY: _l("Ready"),
    ExportStatus.FAILED: _l("Failed"),
    ExportStatus.EXPIRED: _l("Expired"),
}
FORMAT_WORDS = {
    "xlsx": _l("Excel workbook"),
    "parquet": _l("Parquet file"),
    "csv": _l("CSV file"),
    "json": _l("JSON file"),
    "dta": _l("Stata file"),
    "sav": _l("SPSS file"),
}
FILTER_WORDS = {
    "round": _l("round %(value)s"),
    "region": _l("region %(value)s"),
    "country": _l("country %(value)s"),
    "status": _l("status %(value)s"),
    "version": _l("questionnaire version %(value)s"),
}
ERRORS = {
    "too-large": _l("The table has more rows than an Excel sheet can hold. Narrow the filters, "
                    "or choose CSV or Parquet."),
    "no-access": _l("Your account may no longer download these data."),
    "bad-choice": _l("What was asked could not be read again. Ask for the file once more."),
    "failed": _l("The file could not be prepared because of an error on the server."),
}


class Refused(Exception):
    """A file that cannot be made as asked; trying again would not help. ``code`` is a key of
    ``ERRORS``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def folder() -> Path:
    return Path(current_app.config["EXPORT_FOLDER"])


def path_of(row: ExportFile) -> Path:
    return folder() / row.file_name


def keep() -> timedelta:
    """How long a file can be downloaded once it is ready (``EXPORT_KEEP_HOURS``)."""
    return timedelta(hours=keep_hours())


def keep_hours() -> int:
    return int(current_app.config.get("EXPORT_KEEP_HOURS", 24))


def progress_path(row: ExportFile) -> Path:
    return folder() / (row.file_name + PROGRESS_SUFFIX)


class ProgressFile:
    """Tells the page how far a build is: rows written and rows in all, in a sidecar file
    replaced whole each time (never half written)."""

    def __init__(self, path: Path, total: int) -> None:
        self.path, self.total, self.last = path, total, -PROGRESS_SECONDS

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_SECONDS and done < self.total:
            return
        self.last = now
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps({"done": done, "total": self.total}))
        os.replace(partial, self.path)


def read_progress(row: ExportFile) -> tuple[int, int] | None:
    """Rows written so far and rows in all, while the file is being written; None before."""
    return read_progress_file(progress_path(row))


def read_progress_file(path: Path) -> tuple[int, int] | None:
    try:
        data = json.loads(path.read_text())
        return int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- asking ---------------------------------------------------------------------------------


def prepare(session: Session, user: User, spec: services.TableSpec, fmt: str,
            filters: services.Filters, now: datetime | None = None) -> tuple[ExportFile, bool]:
    """Ask for a file: a row and its job, recorded in the audit trail. Returns the row and
    whether it is new; the same file already being prepared (a second click) is not asked again."""
    now = now or utcnow()
    chosen = {name: value for name, value in filters.as_query().items() if name != "lang"}
    for row in session.scalars(select(ExportFile).where(
            ExportFile.user_id == user.id, ExportFile.status == ExportStatus.PREPARING,
            ExportFile.table == spec.name, ExportFile.format == fmt,
            ExportFile.language == filters.lang, ExportFile.expires_at > now)):
        if row.filters == chosen:
            return row, False
    row = ExportFile(user_id=user.id, table=spec.name, format=fmt, filters=chosen,
                     language=filters.lang, status=ExportStatus.PREPARING, created_at=now,
                     expires_at=now + keep(), file_name=f"{secrets.token_urlsafe(24)}.{fmt}")
    session.add(row)
    session.flush()
    job = jobs.enqueue(session, "exports.build", max_attempts=BUILD_ATTEMPTS, file_id=row.id,
                       user_id=user.id, table=spec.name, format=fmt, filters=chosen,
                       language=filters.lang)
    row.job_id = job.id
    record(session, "export.prepare", user, table=spec.name, format=fmt,
           filters=filters.as_query(), file=row.id)
    return row, True


# --- the job --------------------------------------------------------------------------------


@jobs.task("exports.build")
def build(session: Session, *, file_id: int, user_id: int, table: str, format: str,
          filters: dict[str, str], language: str) -> None:
    """Write the file asked for in row ``file_id``. Safe to run again: a ready file is left as it
    is, and a second build writes the same name, so there is only ever one file."""
    row = session.get(ExportFile, file_id)
    if row is None or row.user_id != user_id or row.status in (ExportStatus.READY,
                                                                ExportStatus.EXPIRED):
        return
    if row.expires_at <= utcnow():
        return  # nobody can download it any more; the expiry job says so
    row.status, row.error = ExportStatus.PREPARING, None
    session.commit()
    try:
        rows = _write(session, row, user_id, table, format, {**filters, "lang": language})
    except Refused as refused:
        session.rollback()
        _finish(session, file_id, ExportStatus.FAILED, error=refused.code)
        return
    except Exception:
        session.rollback()
        _finish(session, file_id, ExportStatus.FAILED, error="failed")
        raise  # the job records the error, and tries again
    finally:
        progress_path(row).unlink(missing_ok=True)
    _finish(session, file_id, ExportStatus.READY, rows=rows, size=path_of(row).stat().st_size)


def _write(session: Session, row: ExportFile, user_id: int, table: str, fmt: str,
           choices: dict[str, str]) -> int:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Refused("no-access")
    try:
        spec = services.table(table)
        filters = services.Filters.from_mapping(choices)
    except services.FilterError:
        raise Refused("bad-choice") from None
    if fmt not in formats.FORMATS:
        raise Refused("bad-choice")
    scope = services.scope_for(user)  # the account as it is now
    target = path_of(row)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _reading(session):
        total = spec.count(session, filters, scope)
        if fmt == "xlsx" and total > formats.XLSX_MAX_ROWS:
            raise Refused("too-large")
        about = About.of(session, spec.name, spec.title, fmt, filters, utcnow())
        try:
            return formats.write_file(target, session, spec, fmt, filters, scope, about=about,
                                      progress=ProgressFile(progress_path(row), total))
        except formats.ExportTooLarge:
            raise Refused("too-large") from None


@contextmanager
def _reading(session: Session) -> Iterator[None]:
    """Read in a transaction of its own that starts with a plain BEGIN: jobs start theirs with
    BEGIN IMMEDIATE, and on SQLite a build must not hold the write lock while it reads."""
    session.commit()
    token = write_intent.set(False)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        write_intent.reset(token)


def _finish(session: Session, file_id: int, status: ExportStatus, *, error: str | None = None,
            rows: int | None = None, size: int | None = None) -> None:
    row = session.get(ExportFile, file_id, populate_existing=True)
    if row is None:
        return
    now = utcnow()
    row.status, row.error, row.rows, row.size, row.finished_at = status, error, rows, size, now
    if status == ExportStatus.READY:
        row.expires_at = now + keep()
        owner = session.get(User, row.user_id)
        if owner is not None and owner.active:
            mail.queue(session, MAIL_KIND, owner, key=f"{MAIL_KIND}-{row.id}", file_id=row.id)
    session.commit()


@mail.kind(MAIL_KIND, label=_l("When a file I asked for on the Data and API page is ready"))
def _ready_mail(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    row = session.get(ExportFile, params["file_id"])
    if row is None or row.status != ExportStatus.READY or expired(row):
        raise mail.Cancel
    line = _line(row, None, utcnow())
    return {
        "subject": gettext("Your file is ready: %(what)s", what=line.what),
        "what": line.what, "filters": line.filters, "size": line.size, "expires": line.expires,
        "url": url_for("exports.index", _anchor="your-files", _external=True),
    }


# --- expiry ---------------------------------------------------------------------------------


def expire(session: Session, now: datetime | None = None) -> list[Path]:
    """Mark the files whose time is up as expired and forget rows expired long ago; returns the
    files to delete once that is committed."""
    now = now or utcnow()
    gone = []
    for row in session.scalars(select(ExportFile).where(
            ExportFile.expires_at <= now, ExportFile.status != ExportStatus.EXPIRED)):
        row.status = ExportStatus.EXPIRED
        gone += [path_of(row), progress_path(row)]
    session.execute(delete(ExportFile).where(ExportFile.expires_at <= now - LISTED))
    return gone


@jobs.task("exports.expire")
def expire_job(session: Session) -> None:
    gone = expire(session)
    session.commit()
    for path in gone:
        path.unlink(missing_ok=True)
    _sweep(session)


jobs.periodic("exports.expire", every_seconds=3600)


def _sweep(session: Session) -> None:
    """Delete what no row accounts for: temporary files of builds that stopped in the middle,
    and files whose row is gone (after a restore, say)."""
    place = folder()
    if not place.is_dir():
        return
    known = set(session.scalars(select(ExportFile.file_name).where(
        ExportFile.status != ExportStatus.EXPIRED)))
    cutoff = time.time() - ABANDONED_SECONDS
    for path in place.iterdir():
        if path.name in known or not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        if path.suffix in (".partial", PROGRESS_SUFFIX, *(f".{fmt}" for fmt in formats.FORMATS)):
            path.unlink(missing_ok=True)


# --- downloading ----------------------------------------------------------------------------


def visible_to(session: Session, user: User, file_id: int) -> ExportFile | None:
    """The file, when ``user`` asked for it or is an admin; None otherwise."""
    row = session.get(ExportFile, file_id)
    if row is None or (row.user_id != user.id and user.role != Role.ADMIN):
        return None
    return row


def expired(row: ExportFile, now: datetime | None = None) -> bool:
    return row.status == ExportStatus.EXPIRED or row.expires_at <= (now or utcnow())


def filters_for(row: ExportFile) -> services.Filters:
    return services.Filters.from_mapping({**row.filters, "lang": row.language})


def download_name(row: ExportFile) -> str:
    """The name the browser saves it as: table, filters and the day it was prepared."""
    return formats.export_filename(row.table, row.format, filters_for(row),
                                   row.finished_at or row.created_at)


def filters_of(row: ExportFile) -> dict[str, Any]:
    """The row's choices as the download form's query arguments."""
    query: dict[str, Any] = {"table": row.table, "format": row.format, **row.filters}
    if row.language != DEFAULT_EXPORT_LANGUAGE:
        query["lang"] = row.language
    return query


# --- the list on the page -------------------------------------------------------------------


@dataclass(frozen=True)
class FileLine:
    """One file as "Your files" shows it, every text in the reader's language."""

    id: int
    what: str
    filters: str
    asked: str
    status: ExportStatus
    status_text: str
    problem: str | None
    size: str
    expires: str
    downloadable: bool
    # While being written: rows so far, rows in all, and the same in words.
    done: int | None = None
    total: int | None = None
    progress_text: str = ""


def your_files(session: Session, user: User, now: datetime | None = None) -> list[FileLine]:
    """The files ``user`` asked for, newest first, as the page lists them."""
    now = now or utcnow()
    rows = list(session.scalars(
        select(ExportFile).where(ExportFile.user_id == user.id)
        .order_by(ExportFile.created_at.desc(), ExportFile.id.desc()).limit(20)))
    job_ids = [row.job_id for row in rows if row.job_id is not None]
    retrying: dict[int, datetime | None] = {
        job_id: at for job_id, at in session.execute(
            select(jobs.Job.id, jobs.Job.next_attempt_at)
            .where(jobs.Job.id.in_(job_ids), jobs.Job.status == jobs.JobStatus.RETRYING))}
    return [_line(row, retrying.get(row.job_id) if row.job_id else None, now) for row in rows]


def _line(row: ExportFile, retry_at: datetime | None, now: datetime) -> FileLine:
    status = ExportStatus.EXPIRED if expired(row, now) else row.status
    problem = None
    if status == ExportStatus.FAILED:
        problem = str(ERRORS.get(row.error or "failed", ERRORS["failed"]))
        if row.error == "failed" and retry_at is not None:
            problem += " " + gettext("It will be tried again at %(time)s.", time=moment(retry_at))
        elif row.error == "failed":
            problem += " " + gettext("Ask for it again later; an administrator can see what went "
                                     "wrong under Administration, Jobs.")
    spec = services.TABLES.get(row.table)
    what = gettext("%(table)s, %(format)s", table=gettext(spec.title) if spec else row.table,
                   format=FORMAT_WORDS.get(row.format, row.format))
    done = total = None
    progress_text = ""
    if status == ExportStatus.PREPARING:
        found = read_progress(row)
        if found is not None:
            done, total = found
            share = done / total if total else 1.0
            progress_text = gettext("%(done)s of %(total)s rows written (%(percent)s%%)",
                                    done=number(done, 0), total=number(total, 0),
                                    percent=number(100 * share, 0))
        else:
            progress_text = gettext("Waiting to start")
    return FileLine(
        id=row.id, what=what, filters=describe(row.filters, row.language),
        asked=moment(row.created_at), status=status, status_text=str(STATUS_WORDS[status]),
        problem=problem, size=file_size(row.size) if status == ExportStatus.READY else "",
        expires=moment(row.expires_at) if status in (ExportStatus.READY, ExportStatus.EXPIRED) else "",
        downloadable=status == ExportStatus.READY, done=done, total=total,
        progress_text=progress_text,
    )


def describe(filters: dict[str, Any], language: str) -> str:
    """The filters in plain words: "round 2026, region Africa; labels in Français"."""
    parts = []
    for name in services.Filters.FIELDS:
        value = filters.get(name)
        if value:
            shown = str(STATUS_LABELS.get(value, value)) if name == "status" else value
            parts.append(str(FILTER_WORDS[name]) % {"value": shown})
    text = ", ".join(parts) if parts else gettext("everything you may see")
    if language != DEFAULT_EXPORT_LANGUAGE and language in LANGUAGES:
        text = gettext("%(filters)s; labels in %(language)s", filters=text,
                       language=LANGUAGES[language].name)
    return text
