from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("survey", __name__)


@bp.route("/assessments")
@login_required
def home() -> str:
    return render_template("_placeholder.html")
