"""The download page and the downloads: the same tables as the API, scoped to the user."""

from __future__ import annotations

import os
import tempfile

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assessment.auth.models import Role
from assessment.database import utcnow
from assessment.exports import formats, services
from assessment.exports.forms import ExportForm
from assessment.extensions import db

bp = Blueprint("exports", __name__)


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
        [(name, _("%(title)s: %(count)s rows", title=spec.title, count=f"{counts[name]:,}"))
         for name, spec in services.TABLES.items()],
    )
    tables = [
        {"name": name, "title": spec.title, "summary": spec.summary, "rows": counts[name],
         "columns": spec.columns(session, filters)}
        for name, spec in services.TABLES.items()
    ]
    return render_template(
        "exports/index.html", form=form, tables=tables, error=error, scope_note=_scope_note(),
        filters=filters.describe() if filters.as_query() else _("none"), xlsx_max_rows=formats.XLSX_MAX_ROWS,
        openapi_url=url_for("api.openapi"),
    )


@bp.route("/exports/download")
@login_required
def download() -> Response:
    session = db.session
    scope = services.scope_for(current_user)
    fmt = request.args.get("format", "csv")
    if fmt not in formats.FORMATS:
        abort(400, _("Choose a format: CSV, XLSX, Parquet or JSON."))
    try:
        spec = services.table(request.args.get("table", "long"))
        filters = services.Filters.from_mapping(request.args)
    except services.FilterError as problem:
        abort(400, str(problem))
    bom = request.args.get("bom") in {"y", "1", "true", "on"}
    name = formats.export_filename(spec.name, fmt, filters, utcnow())
    current_app.logger.info("export table=%s format=%s filters=%s user=%s", spec.name, fmt,
                            filters.describe(), current_user.id)
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if fmt in ("csv", "json"):
        chunks = formats.export_chunks(fmt, spec.columns(session, filters),
                                       spec.rows(session, filters, scope), bom=bom)
        return Response(stream_with_context(chunks), mimetype=formats.MEDIA_TYPES[fmt],
                        headers=headers)
    if fmt == "xlsx" and spec.count(session, filters, scope) > formats.XLSX_MAX_ROWS:
        abort(400, _("This table has more rows than an Excel sheet can hold. Narrow the filters, "
                     "or choose CSV or Parquet."))
    # XLSX and Parquet are assembled in a temporary file, sent from disk, so memory does not
    # grow with the table. The file is unlinked as soon as it is open: nothing is left behind.
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = os.path.join(folder, name)
        formats.write_export(path, session, spec, fmt, filters, scope)
        target = open(path, "rb")  # noqa: SIM115 (send_file closes it)
    response = send_file(target, mimetype=formats.MEDIA_TYPES[fmt], as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
