"""The admin overview page."""

from __future__ import annotations

from flask import render_template

from assessment.admin.audit import AuditFilters, audit_page
from assessment.admin.overview import overview_counts
from assessment.admin.questionnaire import current_file_status, version_rows
from assessment.admin.views.blueprint import bp
from assessment.assessments.versions import current_questionnaire
from assessment.extensions import db


@bp.route("")
def index() -> str:
    questionnaire = current_questionnaire()
    versions = version_rows(db.session, questionnaire.content_hash)
    recent = audit_page(db.session, AuditFilters(), page=1)
    return render_template(
        "admin/index.html",
        counts=overview_counts(db.session),
        current=current_file_status(versions, questionnaire),
        recent=list(recent.items)[:8],
    )
