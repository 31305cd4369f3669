"""The front door: a short introduction, then each role's own starting page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from assessment.auth.models import Role
from assessment.home.services import render_methodology

bp = Blueprint("home", __name__)

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
    return render_template("home/methodology.html", body=render_methodology())
