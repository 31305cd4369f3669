"""Error responses: HTML for people, JSON for the API and autosave, never a lost form.

When the database cannot serve (down, locked past the busy timeout, disk full, read-only), a
write answers 503 with ``Retry-After`` and the page repeats everything that was posted in a
form that sends it again, so nothing typed is lost. Error pages never need the database: when
it fails while one is drawn, the page is drawn again as for a signed-out visitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc
from werkzeug.exceptions import HTTPException

from assessment.database import unavailable
from assessment.extensions import db
from assessment.i18n import localized

API_PREFIX = "/api/v1"
# Posted fields never written back into a page.
_SECRET_MARKERS = ("password",)
_HIDDEN_PREFIXES = ("csrf_token", "rev_", "was_", "theirs_", "resolve_", "go", "next")


@dataclass(frozen=True)
class PostedField:
    name: str
    value: str
    label: str
    shown: bool  # worth showing to the person (not a technical hidden field)


def wants_json() -> bool:
    """The API (by path: an unknown URL under it matches no blueprint) and autosave speak JSON."""
    path = request.path
    if path == API_PREFIX or path.startswith(API_PREFIX + "/") or path.endswith("/autosave"):
        return True
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _question_label(name: str) -> str:
    """A posted survey field named after its question (``q_``, ``note_``, ``url_``...)."""
    prefix, _sep, question_id = name.partition("_")
    questionnaire = current_app.extensions.get("questionnaire")
    parts = {"q": "", "note": _("note"), "url": _("link to evidence"), "dk": _("don't know"),
             "na": _("not applicable")}
    if questionnaire is None or prefix not in parts or not question_id:
        return name
    try:
        question = questionnaire.question(question_id)
    except KeyError:
        return name
    text = f"{question_id} {localized(question.text)}"
    return f"{text} ({parts[prefix]})" if parts[prefix] else text


def posted_fields() -> list[PostedField]:
    """What the request posted, without secrets, to write back into the error page."""
    if request.method != "POST":
        return []
    try:
        items = list(request.form.items(multi=True))
    except HTTPException:
        return []
    fields = []
    for name, value in items:
        if any(marker in name for marker in _SECRET_MARKERS):
            continue
        shown = bool(value) and not name.startswith(_HIDDEN_PREFIXES)
        fields.append(PostedField(name, value, _question_label(name) if shown else name, shown))
    return fields


def _forget_user() -> None:
    """Draw the next page as for a signed-out visitor (no database needed)."""
    g._login_user = AnonymousUserMixin()


def _rollback() -> None:
    try:
        db.session.rollback()
    except exc.SQLAlchemyError:
        current_app.logger.warning("rollback failed; the connection is discarded")
        db.session.close()


def render_error(template: str, **context: Any) -> str:
    """Render an error page; if the database fails meanwhile, render it signed out."""
    try:
        return render_template(template, **context)
    except exc.SQLAlchemyError as error:
        if not unavailable(error):
            raise
        _rollback()
        _forget_user()
        return render_template(template, **context)


def unavailable_response() -> tuple[str | Response, int, dict[str, str]]:
    _forget_user()  # before any text is translated: the reader's language may need the database
    retry = str(current_app.config["RETRY_AFTER_SECONDS"])
    headers = {"Retry-After": retry, "Cache-Control": "no-store"}
    message = _("The service cannot save right now, so nothing was saved. Please try again in a "
                "minute; what you entered is kept.")
    if wants_json():
        body = {"status": "unavailable", "error": "Service Unavailable", "message": message,
                "detail": message, "retry_after": int(retry)}
        return jsonify(body), 503, headers
    page = render_error("errors/unavailable.html", code=503, message=message,
                        fields=posted_fields(), action=request.full_path if request.query_string
                        else request.path, method=request.method)
    return page, 503, headers


def _unstorable(error: BaseException) -> bool:
    """Text a database refused (NUL for PostgreSQL, half surrogate pairs for both)."""
    cause = getattr(error, "orig", None) or error.__cause__ or error
    return isinstance(cause, UnicodeError) or (
        isinstance(error, exc.DataError) and "0x00" in str(cause))


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> tuple[str, int]:
        message = _("This form has expired. Please go back, reload the page and try again.")
        return render_error("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str | Response, int, list[tuple[str, str]]]:
        code = error.code or 500
        # Keep what the exception says about itself (Allow on a 405, Retry-After on a 429...).
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        if wants_json():
            return jsonify({"error": error.name, "detail": error.description}), code, headers
        return render_error("errors/error.html", code=code, message=error.description), code, headers

    @app.errorhandler(Exception)
    def _server_error(error: Exception) -> Any:
        _rollback()  # leave no half-written transaction behind
        if unavailable(error):
            # Say which statement failed, never with what values (answers stay out of logs).
            app.logger.warning("database unavailable: %s", type(error).__name__)
            return unavailable_response()
        if _unstorable(error):
            app.logger.warning("refused text that the database cannot store at %s", request.path)
            _forget_user()
            message = _("Some of the text sent contains characters that cannot be stored (such as NUL or "
                        "text that is not UTF-8). Nothing was saved.")
            if wants_json():
                return jsonify({"error": "Bad Request", "detail": message}), 400
            return render_error("errors/unavailable.html", code=400, message=message, fields=posted_fields(),
                                action=request.path, method=request.method), 400
        app.logger.exception("unhandled error")
        if wants_json():
            return jsonify({"error": "Internal Server Error",
                            "detail": "Something went wrong on our side."}), 500
        message = _("Something went wrong on our side. Nothing you saved has been lost.")
        return render_error("errors/error.html", code=500, message=message), 500
