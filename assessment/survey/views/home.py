"""The official's rounds and an assessment's overview."""


from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from assessment.assessments import progress, services
from assessment.assessments.labels import status_label
from assessment.assessments.models import EDITABLE, SCORED, AssessmentStatus, Round
from assessment.audit import services as audit
from assessment.auth.access import can_edit_city, can_reopen_city, can_set_deadline, roles_required
from assessment.auth.models import Role
from assessment.database import utcnow
from assessment.extensions import db
from assessment.i18n import localized
from assessment.survey import pages
from assessment.survey.views.blueprint import (
    bp,
    deadline_line,
    deadline_of,
    editable,
    reopened,
    viewable,
)

# --- home: the city's assessments by round --------------------------------------------------


@bp.route("/assessments")
@roles_required(Role.OFFICIAL)
def home() -> str:
    now = utcnow()
    entries = services.rounds_for_city(db.session, current_user.city_id, now)
    return render_template("survey/home.html", rows=[pages.round_row(e, now) for e in entries],
                           city=current_user.city)


@bp.route("/assessments/start", methods=["POST"])
@roles_required(Role.OFFICIAL)
def start() -> Response:
    round_ = db.session.get(Round, request.form.get("round_id", type=int) or 0)
    if round_ is None:
        abort(404)
    try:
        assessment, created = services.start_assessment(
            db.session, city_id=current_user.city_id, round_=round_, user=current_user, now=utcnow())
    except services.RoundClosed:
        flash(_("The %(round)s round is not open, so it cannot be started.", round=round_.name), "error")
        return redirect(url_for("survey.home"))
    db.session.commit()
    if created:
        flash(_("The %(round)s assessment is started. Answer the elements in any order; every "
                "page can be saved as a draft.", round=round_.name), "success")
    return redirect(url_for("survey.overview", assessment_id=assessment.id))


# --- overview -----------------------------------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>")
@login_required
def overview(assessment_id: int) -> str:
    assessment = viewable(assessment_id)
    questionnaire = services.questionnaire_of(assessment)
    rows = services.load_answers(db.session, assessment.id)
    state = progress.progress(questionnaire, rows)
    deadline = deadline_of(assessment)
    can_edit = editable(assessment, deadline)
    history = pages.history_rows(audit.history(db.session, assessment.id, limit=200), questionnaire)
    unfinished = next((e for e in state.elements if e.answered < e.total), state.elements[0])
    return render_template(
        "survey/overview.html",
        assessment=assessment,
        state=state,
        continue_url=url_for("survey.element", assessment_id=assessment.id, element_id=unfinished.element.id),
        continue_title=localized(unfinished.element.title),
        history=history,
        status_label=status_label(assessment.status.value),
        last_saved=pages.last_saved(assessment),
        submitted=pages.submitted_text(assessment),
        can_edit=can_edit,
        closed_notice=pages.closed_readonly_notice(deadline)
        if not can_edit and assessment.status in EDITABLE
        and can_edit_city(current_user, assessment.city) else None,
        deadline=deadline_line(assessment, deadline),
        deadline_url=url_for("survey.deadline", round_id=assessment.round_id, city_id=assessment.city_id)
        if can_set_deadline(current_user, assessment.city) else None,
        can_reopen=can_reopen_city(current_user, assessment.city)
        and assessment.status == AssessmentStatus.SUBMITTED,
        report_url=pages.report_url(assessment.id),
        report_label=_("Report") if assessment.status in SCORED else _("Preview report"),
        reopened=reopened(assessment),
        review=pages.review_links(
            assessment, own_city=can_edit_city(current_user, assessment.city),
            reviewer=can_reopen_city(current_user, assessment.city)
            or assessment.reviewer_id == current_user.id),
    )


