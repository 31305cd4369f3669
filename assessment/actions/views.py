"""The action plan pages of an assessment: the list, a new action (blank, or from a report's
recommendation) and a changed one. The city's officials change the plan; its regional office
and administrators read it; nobody else learns that it exists."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from assessment.actions import services
from assessment.actions.forms import ActionForm, PlanFilterForm, element_choices
from assessment.actions.models import Action
from assessment.assessments.models import Assessment
from assessment.assessments.services import get_assessment
from assessment.assessments.versions import questionnaire_for
from assessment.auth.access import can_edit_plan, can_read_plan, deny_hidden
from assessment.auth.models import User
from assessment.extensions import db

bp = Blueprint("actions", __name__)


def _actor() -> User:
    user: User = current_user._get_current_object()
    return user


def _plan_of(assessment_id: int, *, change: bool = False) -> Assessment:
    """The assessment whose plan is asked for: 404 when the user may not see the city's plan
    (as if it did not exist), 403 when they may read it but ``change`` it they may not."""
    assessment = get_assessment(db.session, assessment_id)
    if assessment is None:
        abort(404)
    if not can_read_plan(current_user, assessment.city):
        deny_hidden(current_user)
    if change and not can_edit_plan(current_user, assessment.city):
        abort(403)
    return assessment


def _stamp(action: Action) -> str:
    return action.updated_at.isoformat()


_REPORT_PLANS = "assessment.actions.report_plans"


@bp.app_template_global()
def plan_for_report(assessment: Assessment) -> services.ReportPlan | None:
    """The city's plan for ``assessment``'s report, for a reader who may see it (None for the
    others): its recommendations offer "Add to action plan" and say which are in the plan, and
    ``.actions`` is the list ``templates/actions/_plan_for_report.html`` shows. The report's
    own view needs nothing of the plan; read once per request, however often it is asked for."""
    plans = request.environ.setdefault(_REPORT_PLANS, {})
    if assessment.id not in plans:
        plans[assessment.id] = services.report_plan(db.session, current_user, assessment)
    plan: services.ReportPlan | None = plans[assessment.id]
    return plan


@bp.route("/assessments/<int:assessment_id>/actions")
@login_required
def index(assessment_id: int) -> str:
    assessment = _plan_of(assessment_id)
    key = services.filter_key(request.args.get("status"))
    form = PlanFilterForm(formdata=None, status=key)
    rows = services.action_rows(db.session, assessment,
                                services.plan_actions(db.session, assessment, key))
    return render_template(
        "actions/index.html", assessment=assessment, rows=rows, form=form, filter_key=key,
        filter_label=str(services.FILTERS[key]), default_filter=key == services.CURRENT,
        editable=can_edit_plan(current_user, assessment.city),
    )


@bp.route("/assessments/<int:assessment_id>/actions/new", methods=["GET", "POST"])
@login_required
def new(assessment_id: int) -> str | Response:
    """A new action. The report's "Add to action plan" posts ``prefill`` and the question: the
    form opens filled in with the recommendation, and nothing is saved until the official does."""
    assessment = _plan_of(assessment_id, change=True)
    questionnaire = questionnaire_for(assessment.questionnaire_version)
    prefill = request.method == "POST" and "prefill" in request.form
    question_id = (request.form if request.method == "POST" else request.args).get("question_id") or ""
    draft = services.recommendation_draft(db.session, assessment, question_id) if question_id else None
    if question_id and draft is None:
        abort(404)
    form = ActionForm(formdata=None if prefill else request.form or None)
    del form.seen  # nobody else can have changed an action that does not exist yet
    if draft is not None:
        del form.element_id  # the recommendation's element
        form.question_id.data = draft.question_id
        if prefill or request.method == "GET":
            form.text.data = draft.text
    else:
        form.element_id.choices = element_choices(questionnaire)
    if not prefill and form.validate_on_submit():
        action = services.add_action(
            db.session, assessment, _actor(), form.fields(),
            element_id=draft.element_id if draft is not None else form.element_id.data,
            question_id=draft.question_id if draft is not None else None)
        db.session.commit()
        flash(_("The action is in the plan."), "success")
        return redirect(url_for("actions.index", assessment_id=assessment.id,
                                _anchor=f"action-{action.id}"), 303)
    return render_template(
        "actions/form.html", assessment=assessment, form=form, action=None,
        element_title=services.element_title(questionnaire, draft.element_id) if draft else None,
        question_text=services.question_text(questionnaire, draft.question_id) if draft else None,
        changed_by_colleague=None,
    )


@bp.route("/assessments/<int:assessment_id>/actions/<int:action_id>", methods=["GET", "POST"])
@login_required
def edit(assessment_id: int, action_id: int) -> str | Response:
    assessment = _plan_of(assessment_id, change=True)
    posted = request.method == "POST"
    action = services.action_in_plan(db.session, assessment, action_id, lock=posted)
    if action is None:
        abort(404)
    questionnaire = questionnaire_for(action.questionnaire_version)
    form = ActionForm(formdata=request.form if posted else None, obj=None if posted else action)
    del form.question_id
    if action.question_id is not None:
        del form.element_id
    else:
        form.element_id.choices = element_choices(questionnaire)
    if not posted:
        form.status.data = action.status.value
        form.seen.data = _stamp(action)
    colleague = None
    if form.validate_on_submit():
        if form.seen.data != _stamp(action):
            # A colleague saved this action after the form was opened: show theirs, keep ours.
            colleague = services.action_rows(db.session, assessment, [action])[0]
            form.seen.data = _stamp(action)
            form.form_errors.append(_("A colleague changed this action after you opened it. Their "
                                      "version is shown below; what you typed is kept in the form. "
                                      "Save again to replace theirs with yours."))
        else:
            changes = services.update_action(
                db.session, action, _actor(), form.fields(),
                element_id=form.element_id.data if "element_id" in form else None)
            db.session.commit()
            flash(_("The action is saved.") if changes else _("Nothing was changed."),
                  "success" if changes else "info")
            return redirect(url_for("actions.index", assessment_id=assessment.id,
                                    _anchor=f"action-{action.id}"), 303)
    return render_template(
        "actions/form.html", assessment=assessment, form=form, action=action,
        element_title=services.element_title(questionnaire, action.element_id),
        question_text=services.question_text(questionnaire, action.question_id),
        changed_by_colleague=colleague, round_name=action.assessment.round.name,
    )

