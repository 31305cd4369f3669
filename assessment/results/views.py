"""The city report: where a city stands on each element, against the targets and its region."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assessment.assessments.forms import reopen_form_for
from assessment.audit.services import record_now
from assessment.extensions import db
from assessment.results.charts import radar_chart, radar_figure
from assessment.results.services import Report, assessment_for_viewer, build_report, reports_for_viewer
from assessment.results.what_if import WEIGHT_CHOICES
from assessment.results.what_if import what_if as what_if_scores

bp = Blueprint("results", __name__)

@bp.route("/reports")
@login_required
def index() -> str:
    """Every report the signed-in user may read, newest round first."""
    listing = reports_for_viewer(db.session, current_user, request.args.get("page", 1, type=int))
    return render_template("results/index.html", listing=listing)


@bp.route("/assessments/<int:assessment_id>/report")
@login_required
def report(assessment_id: int) -> str:
    assessment = assessment_for_viewer(db.session, assessment_id, current_user)
    if assessment is None:
        abort(404)  # not found, or outside the user's cities: the same answer for both
    if current_user.city_id != assessment.city_id:
        # A regional office, analyst or admin reading a city's report: in the audit trail.
        record_now(db.session, "report.view", current_user, assessment_id=assessment.id)
    report = build_report(db.session, assessment, request.args.get("peers"))
    # Given only to those who may reopen a submitted assessment (regional office, admins).
    reopen_form = reopen_form_for(current_user, assessment)
    return render_template(
        "results/report.html",
        report=report,
        assessment=assessment,
        radar=radar_chart(_radar(report), [e.short_title for e in report.elements]),
        reopen_form=reopen_form,
    )


@bp.route("/assessments/<int:assessment_id>/what-if")
@login_required
def what_if(assessment_id: int) -> str:
    """The city's scores and recommendations under other weights: a form that changes nothing."""
    assessment = assessment_for_viewer(db.session, assessment_id, current_user)
    if assessment is None:
        abort(404)
    result = what_if_scores(db.session, assessment, request.args,
                            minimum=current_app.config["MIN_PEER_CITIES"])
    template = "results/_what_if_results.html" if request.args.get("partial") else "results/what_if.html"
    return render_template(template, assessment=assessment, result=result,
                           weight_choices=WEIGHT_CHOICES)


def _radar(report: Report) -> Any:
    elements = report.elements
    median_name = (_("Regional median (%(region)s, %(count)s other cities)",
                      region=report.peers_label, count=report.regional.cities) if report.by_region
                   else _("Median of %(group)s (%(count)s other cities)", group=report.peers_label,
                          count=report.regional.cities))
    return radar_figure(
        labels=[e.short_title for e in elements],
        titles=[e.title for e in elements],
        scores=[e.score for e in elements],
        targets=[e.target for e in elements],
        city_name=(_("%(name)s (preview)", name=report.city_label) if report.preview
                   else report.city_label),
        median=[e.regional_median for e in elements] if report.regional.shown else None,
        median_name=median_name,
        previous=[e.previous for e in elements] if report.previous else None,
        previous_name=report.previous_label,
    )
