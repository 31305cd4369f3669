"""Admin pages that import cities and accounts from a CSV file: upload, check, then import.

"Check the file" reads the upload and shows what would happen to every row, writing nothing.
The report page carries the file as checked, signed, so "Import" writes exactly that file, in
one transaction, and shows the report again. Regional offices import accounts for their own
region (the import service limits what they see and change); cities are for administrators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from flask import Response, abort, current_app, flash, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from assessment.admin.forms import ImportConfirmForm, ImportUploadForm
from assessment.admin.views.blueprint import bp
from assessment.admin.views.shared import CLASH, actor
from assessment.auth.models import Role, User
from assessment.extensions import db
from assessment.formatting import number
from assessment.imports import (
    CITY_COLUMNS,
    MAX_ROWS,
    USER_COLUMNS,
    Column,
    ImportAccessError,
    ImportFileError,
    ImportReport,
    Mode,
    RowReport,
    example_csv,
    import_cities,
    import_users,
)
from assessment.imports import cities as city_file
from assessment.imports import users as user_file
from assessment.imports.files import decode
from assessment.places.models import Region
from assessment.storable import storable

# A checked file can be imported for this long; after that it is checked again.
CHECK_VALID_SECONDS = 24 * 3600
# Reports of up to this many rows show every row at once; longer ones fold them away.
_ROWS_SHOWN_OPEN = 50


@dataclass(frozen=True)
class _Kind:
    name: str  # "cities" or "users", as in the URLs and the signed file
    title: LazyString
    columns: tuple[Column, ...]
    example_rows: tuple[tuple[str, ...], ...]
    endpoint: str  # this page's endpoint
    list_endpoint: str  # the admin list it belongs to
    run: Callable[[str, User, Mode, bool, str], ImportReport]


_CITIES = _Kind(
    "cities", _l("Import cities"), CITY_COLUMNS, city_file.EXAMPLE_ROWS, "admin.city_import",
    "admin.cities",
    lambda text, user, mode, _invite, name: import_cities(db.session, text, actor=user, mode=mode,
                                                          filename=name))
_USERS = _Kind(
    "users", _l("Import accounts"), USER_COLUMNS, user_file.EXAMPLE_ROWS, "admin.user_import",
    "admin.users",
    lambda text, user, mode, invite, name: import_users(db.session, text, actor=user, mode=mode,
                                                        invite=invite, filename=name))


@dataclass(frozen=True)
class ColumnRow:
    name: str
    required: bool
    meaning: str


@dataclass(frozen=True)
class ReportPage:
    """A report as the page shows it: sentences made here, rows to loop over."""

    heading: str
    counts: str
    conclusion: str
    written: bool
    checked_only: bool
    valid: int
    refused: int
    refused_rows: tuple[RowReport, ...]
    rows: tuple[RowReport, ...]
    notes: tuple[str, ...]


def _report_page(report: ImportReport) -> ReportPage:
    notes = []
    if report.ignored_columns:
        notes.append(_("Columns ignored: %(names)s", names=", ".join(report.ignored_columns)))
    if report.invited:
        notes.append(ngettext("%(num)d invitation was sent.", "%(num)d invitations were sent.",
                              report.invited))
    checked_only = report.mode == Mode.CHECK
    return ReportPage(
        heading=_("What the import would do") if checked_only else _("What the import did"),
        counts=report.counts(), conclusion=report.conclusion(), written=report.written,
        checked_only=checked_only, valid=report.valid, refused=report.refused,
        refused_rows=report.refused_rows, rows=report.rows, notes=tuple(notes))


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="admin.import")


def _sign(kind: _Kind, name: str, text: str) -> str:
    return _signer().dumps({"kind": kind.name, "by": actor().id, "name": name, "text": text})


def _unsign(kind: _Kind, token: str) -> tuple[str, str] | None:
    """The file name and text of a file checked by this person for this import, or None."""
    try:
        payload = _signer().loads(token, max_age=CHECK_VALID_SECONDS)
    except SignatureExpired:
        flash(_("That check is too old to import. Check the file again."), "error")
        return None
    except BadSignature:
        flash(_("The checked file did not come back intact. Check the file again."), "error")
        return None
    if not isinstance(payload, dict) or payload.get("kind") != kind.name or payload.get("by") != actor().id:
        flash(_("The checked file did not come back intact. Check the file again."), "error")
        return None
    return str(payload["name"]), str(payload["text"])


def _file_name(raw: str | None) -> str:
    name = PurePath((raw or "").replace("\\", "/")).name[:200]
    return name if storable(name) else ""


def _megabytes(size: int) -> str:
    megabytes = size / 1024 / 1024
    return number(megabytes, 0 if megabytes.is_integer() else 1)


def _allowed(kind: _Kind) -> None:
    user = actor()
    if user.role != Role.ADMIN and not (kind is _USERS and user.role == Role.REGIONAL):
        abort(403)


def _page(kind: _Kind, upload: ImportUploadForm, *, report: ImportReport | None = None,
          confirm: ImportConfirmForm | None = None, file_name: str = "") -> str:
    user = actor()
    region = (db.session.get(Region, user.region_id)
              if user.role == Role.REGIONAL and user.region_id is not None else None)
    return render_template(
        "admin/import.html", kind=kind.name, title=kind.title, upload=upload,
        report=_report_page(report) if report is not None else None,
        confirm=confirm, file_name=file_name,
        columns=[ColumnRow(c.name, c.required, str(c.meaning)) for c in kind.columns],
        check_url=url_for(kind.endpoint), run_url=url_for(f"{kind.endpoint}_run"),
        example_url=url_for(f"{kind.endpoint}_example"),
        list_url=url_for(kind.list_endpoint) if user.role == Role.ADMIN else None,
        region=region.name if region is not None else None,
        max_rows=number(MAX_ROWS, 0),
        max_megabytes=_megabytes(current_app.config["MAX_CONTENT_LENGTH"]),
        rows_open=report is not None and len(report.rows) <= _ROWS_SHOWN_OPEN,
    )


def _check(kind: _Kind) -> str:
    _allowed(kind)
    upload = ImportUploadForm()
    if not upload.validate_on_submit():
        return _page(kind, upload)
    name = _file_name(upload.file.data.filename)
    try:
        text = decode(upload.file.data.read())
        report = kind.run(text, actor(), Mode.CHECK, False, name)
    except ImportFileError as error:
        upload.file.errors = [str(error)]
        return _page(kind, upload)
    except ImportAccessError:
        abort(403)
    confirm = ImportConfirmForm(formdata=None, checked=_sign(kind, name, text),
                                rows="all" if not report.refused else "valid")
    return _page(kind, ImportUploadForm(formdata=None), report=report, confirm=confirm,
                 file_name=name)


def _run(kind: _Kind) -> str | Response:
    _allowed(kind)
    confirm = ImportConfirmForm()
    if not confirm.validate_on_submit():
        abort(400)
    checked = _unsign(kind, confirm.checked.data or "")
    if checked is None:
        return _page(kind, ImportUploadForm(formdata=None))
    name, text = checked
    mode = Mode.VALID_ROWS_ONLY if confirm.rows.data == "valid" else Mode.ALL_OR_NOTHING
    try:
        report = kind.run(text, actor(), mode, bool(confirm.invite.data), name)
        db.session.commit()  # the rows written, or only the record of a refused import
    except (ImportFileError, ImportAccessError):
        db.session.rollback()
        abort(400)
    except IntegrityError:
        db.session.rollback()
        flash(str(CLASH), "error")
        return _page(kind, ImportUploadForm(formdata=None))
    flash(report.conclusion(), "success" if report.written else "error")
    return _page(kind, ImportUploadForm(formdata=None), report=report, file_name=name)


def _example(kind: _Kind) -> Response:
    _allowed(kind)
    return Response(example_csv(kind.columns, kind.example_rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{kind.name}-example.csv"'})


# --- routes -------------------------------------------------------------------------------


@bp.route("/cities/import", methods=["GET", "POST"])
def city_import() -> str:
    return _check(_CITIES)


@bp.route("/cities/import/run", methods=["POST"])
def city_import_run() -> str | Response:
    return _run(_CITIES)


@bp.route("/cities/import/example.csv")
def city_import_example() -> Response:
    return _example(_CITIES)


@bp.route("/users/import", methods=["GET", "POST"])
def user_import() -> str:
    return _check(_USERS)


@bp.route("/users/import/run", methods=["POST"])
def user_import_run() -> str | Response:
    return _run(_USERS)


@bp.route("/users/import/example.csv")
def user_import_example() -> Response:
    return _example(_USERS)

