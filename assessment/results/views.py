"""The city report: where a city stands on each element, against the targets and its region."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from assessment.assessments.forms import reopen_form_for
from assessment.audit.services import record_now
from assessment.auth.access import can_publish_scores
from assessment.extensions import db
from assessment.results.charts import radar_chart, radar_figure
from assessment.results.pdf import page_margins, render_pdf
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
    assessment = _readable(assessment_id)
    report = build_report(db.session, assessment, request.args.get("peers"))
    return render_template(
        "results/report.html",
        **_report_context(report),
        # Given only to those who may reopen a submitted assessment (regional office, admins).
        reopen_form=reopen_form_for(current_user, assessment),
        annex=request.args.get("annex") == "1",
    )


@bp.route("/assessments/<int:assessment_id>/report.pdf")
@login_required
def report_pdf(assessment_id: int) -> Response:
    """The report as a PDF made on the server: the same page and print stylesheet; with
    ``?annex=1``, followed by the full list of recommendations."""
    assessment = _readable(assessment_id, action="report.pdf")
    report = build_report(db.session, assessment, request.args.get("peers"))
    annex = request.args.get("annex") == "1"
    html = render_template("results/report.html", **_report_context(report), for_pdf=True,
                           annex=annex)
    assert current_app.static_folder is not None
    pdf, _pages = render_pdf(html, request.url_root, Path(current_app.static_folder))
    name = "-".join(part for part in (
        _("report"), assessment.city.name, assessment.round.name, _("annex") if annex else "") if part)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{name}.pdf")


def _readable(assessment_id: int, action: str = "report.view") -> Any:
    assessment = assessment_for_viewer(db.session, assessment_id, current_user)
    if assessment is None:
        abort(404)  # not found, or outside the user's cities: the same answer for both
    if current_user.city_id != assessment.city_id:
        # A regional office, analyst or admin reading a city's report: in the audit trail.
        record_now(db.session, action, current_user, assessment_id=assessment.id)
    return assessment


def _report_context(report: Report) -> dict[str, Any]:
    assessment = report.assessment
    when = assessment.submitted_at if not report.preview and assessment.submitted_at else None
    dated = (_("Submitted %(date)s", date=when.strftime("%Y-%m-%d")) if when else
             _("Preview of %(date)s", date=datetime.now(UTC).strftime("%Y-%m-%d")))
    return {
        "report": report,
        "assessment": assessment,
        # The city's own officials choose whether its scores are published as open data.
        "open_data_url": (url_for("opendata.consent")
                          if can_publish_scores(current_user, assessment.city) else None),
        "radar": radar_chart(_radar(report), [e.short_title for e in report.elements]),
        # The city, round, version and date on top of every printed page, the page number below.
        # Safe in a <style>: page_margins writes every typed character as a CSS escape.
        "page_margins": Markup(page_margins(  # nosec B704 # every character is CSS-escaped
            f"{assessment.city.name} · {assessment.round.name} · "
            + _("Questionnaire %(version)s", version=report.questionnaire_version),
            dated,
            _("Page %(page)s of %(pages)s", page="{page}", pages="{pages}"))),
    }


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
