"""Admin pages for questionnaire versions: the list, storing the current file, one version."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from assessment.admin import questionnaire as services
from assessment.admin.views.blueprint import bp
from assessment.admin.views.shared import act, actor, get_or_404
from assessment.assessments.models import QuestionnaireVersion
from assessment.assessments.versions import current_questionnaire
from assessment.extensions import db


@bp.route("/questionnaire")
def questionnaire() -> str:
    current = current_questionnaire()
    rows = services.version_rows(db.session, current.content_hash)
    return render_template("admin/questionnaire.html", rows=rows,
                           current=services.current_file_status(rows, current))


@bp.route("/questionnaire/store", methods=["POST"])
def questionnaire_store() -> Response:
    current = current_questionnaire()
    stored = act(lambda: services.store_current_version(db.session, actor(), current))
    if stored:
        flash(_("Questionnaire version %(label)s stored.", label=current.version), "success")
    elif stored is not None:
        flash(_("This questionnaire file was already stored."), "info")
    return redirect(url_for("admin.questionnaire"))


@bp.route("/questionnaire/versions/<int:version_id>")
def version(version_id: int) -> str:
    stored = get_or_404(QuestionnaireVersion, version_id)
    parsed, sections = services.version_sections(stored)
    rows = services.version_rows(db.session, current_questionnaire().content_hash)
    row = next(r for r in rows if r.id == stored.id)
    return render_template("admin/version.html", version=stored, row=row, sections=sections,
                           summary=parsed.summary(), content_hash=stored.content_hash)
