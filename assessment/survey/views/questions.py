"""The questions pages (one element, or every question) and their autosave: nothing typed is lost."""


from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import (
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from assessment.assessments import answers, deadlines, progress, services
from assessment.assessments.labels import status_label
from assessment.assessments.models import EDITABLE, Assessment, StoredAnswer
from assessment.auth.access import can_edit_city, can_view_city, deny_hidden
from assessment.database import utcnow
from assessment.extensions import csrf, db, login_manager
from assessment.formatting import clock
from assessment.questionnaire import Questionnaire
from assessment.survey import forms, pages, presentation
from assessment.survey.views.blueprint import (
    bp,
    csrf_ok,
    deadline_line,
    deadline_of,
    editable,
    reauthenticate,
    reopened,
    viewable,
)

# --- questions pages: one element, or every question on one page -----------------------------


def _scope_or_404(questionnaire: Questionnaire, element_id: str | None) -> pages.Scope:
    if element_id is None:
        return pages.Scope(questionnaire.elements, None)
    try:
        element_ = questionnaire.element(element_id)
    except KeyError:
        abort(404)
    return pages.Scope((element_,), element_)


def _page_url(assessment_id: int, scope: pages.Scope, *, autosave: bool = False) -> str:
    if scope.element is None:
        return url_for("survey.all_autosave" if autosave else "survey.all_questions",
                       assessment_id=assessment_id)
    return url_for("survey.autosave" if autosave else "survey.element", assessment_id=assessment_id,
                   element_id=scope.element.id)


def _render_questions(assessment: Assessment, questionnaire: Questionnaire, scope: pages.Scope,
                      page: pages.PageState, *,
                      rows: Mapping[str, StoredAnswer] | None = None, notice: str | None = None,
                      signed_out: bool = False, reauth_error: str | None = None, readonly: bool = False,
                      locked: bool = False, confirm_error: str | None = None,
                      state: progress.Progress | None = None,
                      deadline: deadlines.Deadline | None = None) -> str:
    """A questions page; ``signed_out`` shows only what was posted (no stored data)."""
    names: dict[int, str] = {}
    state = None
    if not signed_out:
        deadline = deadline or deadline_of(assessment)
        if rows is None:
            rows = services.load_answers(db.session, assessment.id)
        if state is None:
            state = progress.progress(questionnaire, rows)
        if page.result is not None:
            names = services.user_names(db.session, pages.involved_users(page.result))
    page_texts = presentation.texts()
    sections = presentation.sections(
        questionnaire, scope.elements, page.values, page.errors, page.result, rows or {}, names, state,
        level=2 if scope.element else 3, readonly=readonly, page_texts=page_texts)
    questions = [q for section in sections for q in section.questions]
    error_links = [(q.spec.id, q.spec.number, q.spec.text) for q in questions if q.all_errors]
    conflict_links = [(q.spec.id, q.spec.number, q.spec.text) for q in questions if q.conflict]
    context: dict[str, Any] = dict(
        assessment=assessment, sections=sections, texts=page_texts, notice=notice,
        error_links=error_links, conflict_links=conflict_links, signed_out=signed_out,
        reauth_error=reauth_error, readonly=readonly, can_save=not (readonly or locked),
        reopened=None if signed_out else reopened(assessment),
        last_saved=None if signed_out else pages.last_saved(assessment),
        deadline=deadline_line(assessment, deadline) if deadline is not None else None,
        status_label=status_label(assessment.status.value),
        action_url=_page_url(assessment.id, scope),
        autosave_url=_page_url(assessment.id, scope, autosave=True),
    )
    if scope.element is None:
        return render_template(
            "survey/answers.html", **context, state=state, question_count=len(questions),
            confirm_label=forms.CONFIRM_LABEL, confirm_error=confirm_error,
            threshold=round(100 * questionnaire.completeness_threshold))
    elements = questionnaire.elements
    number = elements.index(scope.element) + 1
    return render_template(
        "survey/element.html", **context, element=scope.element, number=number, count=len(elements),
        state=state.element(scope.element.id) if state else None,
        previous_element=elements[number - 2] if number > 1 else None,
        next_element=elements[number] if number < len(elements) else None)


def _show(assessment_id: int, element_id: str | None) -> str | Response:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    assessment = viewable(assessment_id)
    questionnaire = services.questionnaire_of(assessment)
    scope = _scope_or_404(questionnaire, element_id)
    rows = services.load_answers(db.session, assessment.id)
    notice = None
    deadline = deadline_of(assessment)
    readonly = not editable(assessment, deadline)
    if readonly and can_edit_city(current_user, assessment.city) and assessment.status in EDITABLE:
        notice = pages.closed_readonly_notice(deadline)
    elif readonly and can_edit_city(current_user, assessment.city):
        notice = _("This assessment is submitted, so its answers cannot be changed. Your regional "
                   "office can reopen it if something needs correcting.")
    elif readonly:
        notice = _("You are viewing this city's answers; only its officials can change them.")
    page = pages.PageState(presentation.stored_values(scope.questions, rows))
    return _render_questions(assessment, questionnaire, scope, page, rows=rows, notice=notice,
                             readonly=readonly, deadline=deadline)


@bp.route("/assessments/<int:assessment_id>/elements/<element_id>", methods=["GET", "POST"])
def element(assessment_id: int, element_id: str) -> str | Response:
    if request.method == "POST":
        return _save(assessment_id, element_id, autosave=False)
    return _show(assessment_id, element_id)


@bp.route("/assessments/<int:assessment_id>/elements/<element_id>/autosave", methods=["POST"])
def autosave(assessment_id: int, element_id: str) -> Response | str:
    return _save(assessment_id, element_id, autosave=True)


@bp.route("/assessments/<int:assessment_id>/answers", methods=["GET", "POST"])
def all_questions(assessment_id: int) -> str | Response:
    """Every question on one page: fewer round trips on a slow connection, and a submit button."""
    if request.method == "POST":
        return _save(assessment_id, None, autosave=False)
    return _show(assessment_id, None)


@bp.route("/assessments/<int:assessment_id>/answers/autosave", methods=["POST"])
def all_autosave(assessment_id: int) -> Response | str:
    return _save(assessment_id, None, autosave=True)


# These views check the CSRF token themselves, keeping what was posted when it fails.
for _view in (element, autosave, all_questions, all_autosave):
    csrf.exempt(_view)


def _json(status: str, message: str, code: int = 200, **extra: Any) -> Response:
    response = jsonify({"status": status, "message": message, **extra})
    response.status_code = code
    return response


def _save(assessment_id: int, element_id: str | None, *, autosave: bool) -> Response | str:
    assessment = services.get_assessment(db.session, assessment_id)
    if assessment is None:
        abort(404)
    questionnaire = services.questionnaire_of(assessment)
    scope = _scope_or_404(questionnaire, element_id)
    posted = forms.read_questions(scope.questions, request.form)
    token_ok = csrf_ok()

    def posted_page(result: answers.SaveResult | None = None) -> pages.PageState:
        """The page as it was posted, with each question's messages."""
        return pages.PageState(presentation.posted_values(scope.questions, request.form),
                         {p.question_id: p.errors for p in posted if p.errors}, result)

    def as_posted(**kwargs: Any) -> str:
        return _render_questions(assessment, questionnaire, scope, posted_page(), **kwargs)

    if not current_user.is_authenticated:
        reauth_error = None
        if not autosave and request.form.get("reauth_password"):
            reauth_error = reauthenticate() if token_ok else _(
                "This page had expired, so you could not be signed in from it. Sign in again below.")
        if not current_user.is_authenticated:
            if autosave:
                return _json("signed_out", _("You are signed out. Sign in again (in another tab, or with "
                                             "Save draft on this page); your answers stay on this page."),
                             401)
            return as_posted(
                signed_out=True, reauth_error=reauth_error,
                notice=_("Your sign-in has ended, so these answers are not saved yet. Everything you "
                         "entered is still below. Sign in here and it will be saved."))
        token_ok = True  # the sign-in just made was itself checked against a valid token

    if not can_view_city(current_user, assessment.city):
        deny_hidden(current_user)
    if not can_edit_city(current_user, assessment.city):
        abort(403)
    if not token_ok:
        if autosave:
            return _json("csrf", _("The page had expired; trying again."), 400, csrf_token=generate_csrf())
        return as_posted(notice=_("This page had expired, so your answers are not saved yet. Everything you "
                                  "entered is still below: check it and press “Save draft” again."))

    services.lock_assessment(db.session, assessment)
    submitting = scope.element is None and not autosave and request.form.get("go") == "submit"
    confirmed = forms.ticked(request.form.get("confirm"))
    submitted = not_ready = False
    try:
        result = answers.save_answers(db.session, assessment, questionnaire, posted, current_user,
                                       element_id=element_id, autosave=autosave)
        if submitting and confirmed and result.clean:
            try:  # refused before anything of the submission is written: the answers stay saved
                submitted = services.submit_assessment(db.session, assessment, questionnaire,
                                                       current_user, state=result.progress)
            except services.NotReady:
                not_ready = True
    except deadlines.DeadlinePassed as closed:
        # Refused before anything was written: the page comes back with what was typed.
        db.session.rollback()
        return _refused_after_closing(assessment, questionnaire, scope, posted_page(), closed.deadline,
                                      autosave=autosave)
    db.session.commit()
    if autosave:
        names = services.user_names(db.session, pages.involved_users(result))
        reply = pages.autosave_payload(assessment, questionnaire, result, names)
        return _json(reply.status, reply.message, reply.code, **reply.extra)
    if result.locked:
        if submitting and not result.refused:
            # The same "Save and submit" again (a double click, a resent form): it is done.
            flash(_("This assessment is already submitted (%(submitted)s).",
                    submitted=pages.submitted_text(assessment) or ""), "info")
            return redirect(pages.report_url(assessment.id))
        return as_posted(
            locked=True,
            notice=_("%(submitted)s, so answers can no longer be changed. What you entered below was "
                     "not saved; copy anything you need, or ask your regional office to reopen it.",
                     submitted=pages.submitted_text(assessment) or _("This assessment was submitted")))
    if submitted:
        flash(_("Thank you: the assessment is submitted. Here is your report."), "success")
        return redirect(pages.report_url(assessment.id))
    if result.clean and not submitting:
        kept_theirs = [item.question_id for item in posted if item.resolve == answers.KEEP_THEIRS]
        return _after_clean_save(assessment, questionnaire, scope, result, kept_theirs)
    page = posted_page(result)
    for question_id, kept in result.current.items():
        page.values[f"rev_{question_id}"] = str(kept.revision)
        page.values[f"was_{question_id}"] = kept.fingerprint
    for question_id, row in result.refreshed.items():
        page.values.update(forms.answer_data(questionnaire.question(question_id), row))
    notices = [pages.save_notice(result)]
    confirm_error = None
    if submitting and not result.clean:
        notices.append(_("Nothing was submitted: correct the answers listed below first."))
    elif submitting and not_ready:
        notices.append(_("Not submitted yet: some elements do not have enough answers to be scored. "
                         "See the summary at the end of the page."))
    elif submitting and not confirmed:
        confirm_error = str(forms.CONFIRM_MISSING)
        notices.append(_("Not submitted yet: tick the box at the end of the page to confirm the "
                         "submission."))
    return _render_questions(assessment, questionnaire, scope, page, rows=result.answers,
                             notice=" ".join(n for n in notices if n), confirm_error=confirm_error,
                             state=result.progress)


# A save or submission refused because the city's deadline has passed (documented in README).
CLOSED_STATUS = 409


def _refused_after_closing(assessment: Assessment, questionnaire: Questionnaire, scope: pages.Scope,
                           page: pages.PageState, deadline: deadlines.Deadline, *,
                           autosave: bool) -> Response | str:
    """Nothing was saved: say when the round closed and who can extend it; keep what was typed."""
    if autosave:
        return _json("closed", pages.closed_autosave_message(deadline), CLOSED_STATUS,
                     closes_at=deadline.closes_at.isoformat() if deadline.closes_at else None,
                     time_zone=deadline.time_zone)
    html = _render_questions(assessment, questionnaire, scope, page, locked=True, deadline=deadline,
                             notice=pages.closed_save_notice(deadline))
    return make_response(html, CLOSED_STATUS)


def _after_clean_save(assessment: Assessment, questionnaire: Questionnaire, scope: pages.Scope,
                      result: answers.SaveResult, kept_theirs: list[str]) -> Response:
    """Say what the save did (and which colleague's answers were kept by choice), then move on."""
    if result.saved:
        flash(_("Saved at %(time)s.", time=clock(result.saved_at or utcnow())), "success")
    elif not kept_theirs:
        flash(_("Nothing had changed since the last save."), "info")
    if kept_theirs:
        flash(ngettext("As you chose, your colleague's answer is kept for %(num)d question.",
                       "As you chose, your colleagues' answers are kept for %(num)d questions.",
                       len(kept_theirs)), "success")
    unexpected = [qid for qid in result.refreshed if qid not in kept_theirs]
    if unexpected:
        flash(ngettext(
            "A colleague changed %(num)d answer on this page meanwhile; it is shown as they saved it.",
            "Colleagues changed %(num)d answers on this page meanwhile; they are shown as saved.",
            len(unexpected)), "warning")
    target = request.form.get("go", "")
    if target == "overview":
        return redirect(url_for("survey.overview", assessment_id=assessment.id))
    if target == "submit":
        return redirect(url_for("survey.submit", assessment_id=assessment.id))
    if scope.element is None:
        return redirect(_page_url(assessment.id, scope))
    if target and target != scope.element.id:
        try:
            questionnaire.element(target)
        except KeyError:
            target = scope.element.id
    return redirect(url_for("survey.element", assessment_id=assessment.id,
                            element_id=target or scope.element.id))


