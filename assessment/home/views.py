"""The front door: a short introduction, then each role's own starting page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from assessment.auth.models import Role
from assessment.extensions import db
from assessment.home.services import render_methodology
from assessment.i18n import LANGUAGE_COOKIE, LANGUAGES, current_language
from assessment.security import safe_next

bp = Blueprint("home", __name__)

LANGUAGE_COOKIE_DAYS = 365

START_PAGE = {
    Role.OFFICIAL: "survey.home",
    Role.REGIONAL: "dashboard.index",
    Role.ANALYST: "exports.index",
    Role.ADMIN: "admin.index",
}


@bp.route("/")
def index() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for(START_PAGE[current_user.role]))
    return render_template("home/index.html")


@bp.route("/methodology")
def methodology() -> str:
    """The scoring method, rendered from docs/methodology.md so there is one text to keep true."""
    return render_template("home/methodology.html", body=render_methodology(current_language().code))


@bp.post("/language")
def choose_language() -> Response:
    """Switch the interface language: kept in the profile when signed in, else in a cookie."""
    code = request.form.get("language", "")
    target = safe_next(request.form.get("next")) or url_for("home.index")
    if code not in LANGUAGES:
        flash(_("That language is not available."), "error")
        return redirect(target)
    if current_user.is_authenticated:
        current_user.language = code
        db.session.commit()
    response = redirect(target)
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=LANGUAGE_COOKIE_DAYS * 86400, secure=request.is_secure,
                        httponly=True, samesite="Lax")
    return response
