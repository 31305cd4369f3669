"""The download page and the downloads: the same tables as the API, scoped to the user."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response as BaseResponse

from assessment.audit.services import record_now
from assessment.auth import limits
from assessment.auth.access import deny_hidden
from assessment.auth.models import Role
from assessment.database import utcnow
from assessment.exports import files, formats, services
from assessment.exports.about import About
from assessment.exports.forms import ExportForm
from assessment.exports.models import ExportStatus
from assessment.extensions import db

bp = Blueprint("exports", __name__)

# While one of the reader's files is being prepared, the page reloads itself this often.
RELOAD_SECONDS = 5


def FORMAT_CHOICE() -> str:
    return _("Choose a format: CSV, XLSX, Parquet, JSON, Stata (dta) or SPSS (sav).")


def _choices_from(args: Any) -> tuple[str, services.TableSpec, services.Filters]:
    """The format, table and filters of a download link or form; 400 when one cannot be used."""
    fmt = args.get("format", "csv")
    if fmt not in formats.FORMATS:
        abort(400, FORMAT_CHOICE())
    try:
        return fmt, services.table(args.get("table", "long")), services.Filters.from_mapping(args)
    except services.FilterError as problem:
        abort(400, str(problem))


def _scope_note() -> str:
    user = current_user
    if user.role == Role.OFFICIAL and user.city is not None:
        return _("You can download the data of %(city)s.", city=user.city.name)
    if user.role == Role.REGIONAL and user.region is not None:
        return _("You can download the data of the cities in %(region)s.", region=user.region.name)
    return _("You can download the data of every city.")


@bp.route("/exports")
@login_required
def index() -> str:
    session = db.session
    scope = services.scope_for(current_user)
    error = None
    try:
        filters = services.Filters.from_mapping(request.args)
    except services.FilterError as problem:
        error, filters = str(problem), services.Filters()
    counts = services.row_counts(session, filters, scope)
    form = ExportForm(formdata=request.args)
    form.set_choices(
        services.filter_choices(session, scope),
        [(name, _("%(title)s: %(count)s rows", title=_(spec.title), count=f"{counts[name]:,}"))
         for name, spec in services.TABLES.items()],
    )
    tables = [
        {"name": name, "title": _(spec.title), "summary": _(spec.summary), "rows": counts[name],
         "columns": spec.columns(session, filters)}
        for name, spec in services.TABLES.items()
    ]
    your_files = files.your_files(session, current_user)
    preparing = any(line.status == ExportStatus.PREPARING for line in your_files)
    reload_off = request.args.get("reload") == "off"
    kept: dict[str, Any] = {name: value for name, value in request.args.items() if name != "reload"}
    return render_template(
        "exports/index.html", form=form, tables=tables, error=error, scope_note=_scope_note(),
        filters=filters.describe() if filters.as_query() else _("none"), xlsx_max_rows=formats.XLSX_MAX_ROWS,
        direct_rows=int(current_app.config["EXPORT_DIRECT_ROWS"]), keep_hours=files.keep_hours(),
        openapi_url=url_for("api.openapi"), files=your_files, preparing=preparing,
        reload_seconds=RELOAD_SECONDS if preparing and not reload_off else None,
        reload_url=url_for("exports.index", **kept, _anchor="your-files"),
        stop_reload_url=url_for("exports.index", **kept, reload="off", _anchor="your-files"),
    )


def _too_many(wait: int) -> TooManyRequests:
    return TooManyRequests(_("You have downloaded many tables in a short time. Wait %(seconds)s seconds "
                             "and try again.", seconds=wait), retry_after=wait)


@bp.route("/exports/download")
@login_required
def download() -> BaseResponse:
    session = db.session
    scope = services.scope_for(current_user)
    fmt, spec, filters = _choices_from(request.args)
    bom = request.args.get("bom") in {"y", "1", "true", "on"}
    if fmt in files.PREPARED_FORMATS:
        count = spec.count(session, filters, scope)
        if fmt == "xlsx" and count > formats.XLSX_MAX_ROWS:
            abort(400, _("This table has more rows than an Excel sheet can hold. Narrow the "
                         "filters, or choose CSV or Parquet."))
        if count > int(current_app.config["EXPORT_DIRECT_ROWS"]):
            # Too long for one request: the page offers to prepare it in the background.
            flash(_("This table has %(rows)s rows: a %(format)s file of it is prepared in the "
                    "background. Choose “Prepare the file”; it is listed under “Your files”, with "
                    "its progress, and you get a message when it is ready.",
                    rows=f"{count:,}", format=str(files.FORMAT_WORDS[fmt])), "info")
            kept: dict[str, Any] = {name: value for name, value in request.args.items()
                                    if name != "bom"}
            return redirect(url_for("exports.index", **kept, _anchor="export-form"), 303)
    wait = limits.spend("EXPORT_RATE_LIMIT", "export-user", str(current_user.id))
    if wait is not None:
        raise _too_many(wait)
    now = utcnow()
    name = formats.export_filename(spec.name, fmt, filters, now)
    record_now(db.session, "export.download", current_user, table=spec.name, format=fmt,
               filters=filters.as_query())
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if fmt in formats.STREAMED:
        # The sidecar that describes the file (CSV on the Web: rel="describedby").
        query: dict[str, Any] = request.args.to_dict()
        described = url_for("exports.metadata", **query,
                            exported_at=now.strftime(formats.ISO_FORMAT))
        headers["Link"] = f'<{described}>; rel="describedby"; type="application/csvm+json"'
        chunks = formats.export_chunks(fmt, spec.columns(session, filters),
                                       spec.rows(session, filters, scope), bom=bom)
        return Response(stream_with_context(chunks), mimetype=formats.MEDIA_TYPES[fmt],
                        headers=headers)
    about = About.of(session, spec.name, spec.title, fmt, filters, now)
    # The other formats are assembled in a temporary file, sent from disk, so memory does not
    # grow with the table. The file is unlinked as soon as it is open: nothing is left behind.
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = os.path.join(folder, name)
        formats.write_export(path, session, spec, fmt, filters, scope, about=about)
        target = open(path, "rb")  # noqa: SIM115 (send_file closes it)
    response = send_file(target, mimetype=formats.MEDIA_TYPES[fmt], as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/exports/metadata")
@login_required
def metadata() -> Response:
    """The sidecar of a CSV or JSON download: its filters, versions, export time, app version
    and every column, as CSV on the Web's JSON table description."""
    session = db.session
    fmt, spec, filters = _choices_from(request.args)
    raw = request.args.get("exported_at", "")
    try:
        when = datetime.strptime(raw, formats.ISO_FORMAT).replace(tzinfo=UTC) if raw else utcnow()
    except ValueError:
        abort(400, _("exported_at must be a UTC time such as 2026-03-01T09:30:00Z."))
    name = formats.export_filename(spec.name, fmt, filters, when)
    about = About.of(session, spec.name, spec.title, fmt, filters, when)
    document = formats.metadata_document(about, spec.columns(session, filters), name)
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/csvm+json", headers={
        "Content-Disposition": f'attachment; filename="{formats.metadata_filename(name)}"',
        "Cache-Control": "no-store"})


@bp.post("/exports/prepare")
@login_required
def prepare() -> BaseResponse:
    """Ask for a file to be prepared in the background (Excel, Parquet, Stata, SPSS: any format)."""
    fmt, spec, filters = _choices_from({"format": "xlsx", **request.form.to_dict()})
    wait = limits.spend("EXPORT_RATE_LIMIT", "export-user", str(current_user.id))
    if wait is not None:
        raise _too_many(wait)
    row, new = files.prepare(db.session, current_user, spec, fmt, filters)
    db.session.commit()
    if new:
        flash(_("Your file is being prepared. It is listed under “Your files”, with a download "
                "link once it is ready."), "success")
    else:
        flash(_("This file is already being prepared: it is listed under “Your files”."), "info")
    return redirect(url_for("exports.index", **files.filters_of(row), _anchor="your-files"), 303)


@bp.route("/exports/files/<int:file_id>")
@login_required
def prepared_file(file_id: int) -> Response:
    """A prepared file, for the person who asked for it (or an admin), until it expires."""
    row = files.visible_to(db.session, current_user, file_id)
    if row is None:
        deny_hidden(current_user)
    path = files.path_of(row)
    if files.expired(row) or (row.status == ExportStatus.READY and not path.is_file()):
        abort(410, _("This file has expired: prepared files are kept for %(hours)s hours. Ask "
                     "for it again on the Data and API page.", hours=files.keep_hours()))
    if row.status != ExportStatus.READY:
        abort(404, _("This file is not ready. The Data and API page says how it is going."))
    record_now(db.session, "export.download", current_user, table=row.table, format=row.format,
               filters=files.filters_for(row).as_query(), file=row.id)
    # Sent from disk with Range support, so an interrupted download on a slow link can resume.
    response = send_file(path, mimetype=formats.MEDIA_TYPES[row.format], as_attachment=True,
                         download_name=files.download_name(row), max_age=0, conditional=True)
    response.headers["Cache-Control"] = "no-store"
    return response
