"""Submitting an assessment, and reopening a submitted one."""


from __future__ import annotations

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from assessment.assessments import deadlines, progress, services
from assessment.assessments.forms import ReopenForm, prepare_reopen_form
from assessment.assessments.labels import status_label
from assessment.assessments.models import EDITABLE, AssessmentStatus
from assessment.auth.access import can_edit_city, can_reopen_city
from assessment.database import utcnow
from assessment.extensions import csrf, db, login_manager
from assessment.survey import forms, pages
from assessment.survey.views.blueprint import bp, csrf_ok, deadline_line, deadline_of, reopened, viewable
from assessment.survey.views.questions import CLOSED_STATUS

# --- submission -------------------------------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>/submit", methods=["GET", "POST"])
def submit(assessment_id: int) -> str | Response:
    if not current_user.is_authenticated:
        if request.method == "POST":
            flash(_("Your sign-in had ended, so nothing was submitted. Your saved answers are safe: "
                    "sign in and submit again."), "warning")
        return login_manager.unauthorized()
    assessment = viewable(assessment_id)
    if not can_edit_city(current_user, assessment.city):
        abort(403)
    done_url = pages.report_url(assessment.id)
    if assessment.status == AssessmentStatus.RETURNED:
        # A returned assessment goes back to its reviewer from the queries page, once every
        # query has a reply.
        flash(_("Reply to each of the reviewer's queries, then send the assessment back from this page."),
              "info")
        return redirect(url_for("review.queries", assessment_id=assessment.id))
    if assessment.status not in EDITABLE:
        flash(_("This assessment is already submitted (%(submitted)s).",
                submitted=pages.submitted_text(assessment) or ""), "info")
        return redirect(done_url)
    questionnaire = services.questionnaire_of(assessment)
    form = forms.SubmitForm()
    notice = None
    code = 200
    deadline = None
    if request.method == "POST":
        if not csrf_ok():
            notice = _("This page had expired, so nothing was submitted. Tick the box and submit again.")
        elif form.validate():
            try:
                submitted = services.submit_assessment(db.session, assessment, questionnaire, current_user)
            except services.NotReady:
                db.session.rollback()
                notice = _("Not submitted: an element no longer has enough answers (a colleague may "
                           "have just changed some). See below.")
            except deadlines.DeadlinePassed as passed:
                db.session.rollback()
                deadline = passed.deadline
                notice, code = pages.closed_submit_notice(deadline), CLOSED_STATUS
            else:
                db.session.commit()
                if submitted:
                    flash(_("Thank you: the assessment is submitted. Here is your report."), "success")
                else:
                    flash(_("This assessment was already submitted (%(submitted)s); it was submitted once.",
                            submitted=pages.submitted_text(assessment) or ""), "info")
                return redirect(done_url)
    deadline = deadline or deadline_of(assessment)
    closed = deadline.has_passed(utcnow())
    if closed and notice is None:
        notice = pages.closed_readonly_notice(deadline)
    rows = services.load_answers(db.session, assessment.id)
    state = progress.progress(questionnaire, rows)
    return make_response(render_template(
        "survey/submit.html",
        assessment=assessment,
        state=state,
        form=form,
        notice=notice,
        can_submit=not closed,
        deadline=deadline_line(assessment, deadline),
        reopened=reopened(assessment),
        threshold=round(100 * questionnaire.completeness_threshold),
        unknown_count=sum(len(e.dont_know) for e in state.elements),
        short_count=sum(1 for e in state.elements if not e.enough),
        blank_count=sum(len(e.missing) for e in state.elements),
    ), code)


csrf.exempt(submit)


# --- reopening --------------------------------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>/reopen", methods=["GET", "POST"])
def reopen(assessment_id: int) -> str | Response:
    form = ReopenForm()
    if not current_user.is_authenticated:
        if request.method == "GET":
            return login_manager.unauthorized()
        # Keep the reason typed; nothing about the assessment is shown to a signed-out visitor.
        return render_template("survey/reopen.html", assessment=None, form=form, signed_out=True,
                               notice=_("Your sign-in has ended, so the assessment was not reopened. "
                                        "Sign in again in another tab, then press “Reopen” here: your "
                                        "reason is kept below."))
    assessment = viewable(assessment_id)
    if not can_reopen_city(current_user, assessment.city):
        abort(403)
    notice = None
    deadline = deadline_of(assessment)
    prepare_reopen_form(form, assessment, deadline, utcnow())
    if request.method == "POST":
        if not csrf_ok():
            notice = _("This page had expired, so the assessment was not reopened. Your reason is kept "
                       "below: press “Reopen” again.")
        elif form.validate():
            try:
                reopened = services.reopen_assessment(db.session, assessment, current_user,
                                                      form.reason.data or "",
                                                      closes_at=form.new_deadline(assessment.round),
                                                      deadline=deadline)
            except deadlines.DeadlineError as error:
                db.session.rollback()
                form.closes_on.errors = [*form.closes_on.errors, str(error)]
            else:
                db.session.commit()
                if reopened:
                    flash(_("The assessment is reopened: the city's officials can change answers and "
                            "submit again."), "success")
                else:
                    flash(_("Only a submitted assessment can be reopened; this one is %(status)s.",
                            status=status_label(assessment.status.value).lower()), "info")
                return redirect(url_for("survey.overview", assessment_id=assessment.id))
    elif assessment.status != AssessmentStatus.SUBMITTED:
        flash(_("Only a submitted assessment can be reopened; this one is %(status)s.",
                status=status_label(assessment.status.value).lower()), "info")
        return redirect(url_for("survey.overview", assessment_id=assessment.id))
    return render_template("survey/reopen.html", assessment=assessment, form=form, notice=notice,
                           signed_out=False)


csrf.exempt(reopen)
