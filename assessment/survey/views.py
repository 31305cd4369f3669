"""The official's questionnaire: rounds, overview, one page per element, autosave, submit, reopen.

Nothing an official types is thrown away. The views that take typed input (element pages,
autosave, submit, reopen) are exempt from the global CSRF check and check the token
themselves, so an expired token or an ended sign-in re-renders the page with everything that
was posted instead of an error page or a redirect that drops the POST.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user
from flask_wtf.csrf import generate_csrf, validate_csrf
from limits import parse as parse_limit
from werkzeug.wrappers import Response
from wtforms import ValidationError

from assessment.assessments import answers, progress, services
from assessment.assessments.forms import ReopenForm
from assessment.assessments.labels import status_label
from assessment.assessments.models import Assessment, AssessmentStatus, Round, StoredAnswer
from assessment.audit import services as audit
from assessment.auth import services as auth_services
from assessment.auth.access import can_edit_city, can_reopen_city, can_view_city, roles_required
from assessment.auth.models import Role
from assessment.database import utcnow
from assessment.extensions import csrf, db, limiter, login_manager
from assessment.formatting import clock
from assessment.i18n import localized
from assessment.questionnaire import Questionnaire
from assessment.survey import forms, pages, presentation

bp = Blueprint("survey", __name__)

# --- small helpers -----------------------------------------------------------------------------


def csrf_ok() -> bool:
    """Whether the posted CSRF token is valid, without raising (the caller keeps the data)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


def _viewable(assessment_id: int) -> Assessment:
    """The assessment if the signed-in user may see its city; 404 otherwise (no existence leak)."""
    assessment = services.get_assessment(db.session, assessment_id)
    if assessment is None or not can_view_city(current_user, assessment.city):
        abort(404)
    return assessment


def _editable(assessment: Assessment) -> bool:
    return current_user.is_authenticated and can_edit_city(current_user, assessment.city) and (
        assessment.status in services.EDITABLE
    )


def _reopened(assessment: Assessment) -> pages.ReopenNotice | None:
    """The regional office's reason, while a reopened assessment waits to be resubmitted."""
    if assessment.status != AssessmentStatus.REOPENED:
        return None
    return pages.reopen_notice(assessment, audit.latest(db.session, assessment.id, "reopen"))


def _reauthenticate() -> str | None:
    """Sign in again from inside a form; returns an error message, or None when signed in."""
    allowed = limiter.limiter.hit(
        parse_limit(str(current_app.config["LOGIN_RATE_LIMIT"])), "survey-reauth", get_remote_address()
    )
    if not allowed:
        return _("Too many sign-in attempts. Wait a minute and try again: your answers are still here.")
    user = auth_services.authenticate(
        db.session, request.form.get("reauth_email", ""), request.form.get("reauth_password", "")
    )
    if user is None:
        return _("The email or password is not right. Please try again.")
    # A fresh session at every sign-in, as on the sign-in page; the CSRF token is renewed too.
    session.clear()
    g.pop("csrf_token", None)
    auth_services.start_session(db.session, user, current_app.config["SESSION_HOURS"])
    db.session.commit()
    login_user(user)
    return None


# --- home: the city's assessments by round --------------------------------------------------


@bp.route("/assessments")
@roles_required(Role.OFFICIAL)
def home() -> str:
    entries = services.rounds_for_city(db.session, current_user.city_id, utcnow().date())
    return render_template("survey/home.html", rows=[pages.round_row(e) for e in entries],
                           city=current_user.city)


@bp.route("/assessments/start", methods=["POST"])
@roles_required(Role.OFFICIAL)
def start() -> Response:
    round_ = db.session.get(Round, request.form.get("round_id", type=int) or 0)
    if round_ is None:
        abort(404)
    try:
        assessment, created = services.start_assessment(
            db.session, city_id=current_user.city_id, round_=round_, user=current_user,
            today=utcnow().date())
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
    assessment = _viewable(assessment_id)
    questionnaire = services.questionnaire_of(assessment)
    rows = services.load_answers(db.session, assessment.id)
    state = progress.progress(questionnaire, rows)
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
        can_edit=_editable(assessment),
        can_reopen=can_reopen_city(current_user, assessment.city)
        and assessment.status == AssessmentStatus.SUBMITTED,
        report_url=pages.report_url(assessment.id),
        report_label=_("Report") if assessment.status == AssessmentStatus.SUBMITTED else _("Preview report"),
        reopened=_reopened(assessment),
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
                      state: progress.Progress | None = None) -> str:
    """A questions page; ``signed_out`` shows only what was posted (no stored data)."""
    names: dict[int, str] = {}
    state = None
    if not signed_out:
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
        reopened=None if signed_out else _reopened(assessment),
        last_saved=None if signed_out else pages.last_saved(assessment),
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
    assessment = _viewable(assessment_id)
    questionnaire = services.questionnaire_of(assessment)
    scope = _scope_or_404(questionnaire, element_id)
    rows = services.load_answers(db.session, assessment.id)
    notice = None
    readonly = not _editable(assessment)
    if readonly and can_edit_city(current_user, assessment.city):
        notice = _("This assessment is submitted, so its answers cannot be changed. Your regional "
                   "office can reopen it if something needs correcting.")
    elif readonly:
        notice = _("You are viewing this city's answers; only its officials can change them.")
    page = pages.PageState(presentation.stored_values(scope.questions, rows))
    return _render_questions(assessment, questionnaire, scope, page, rows=rows, notice=notice,
                             readonly=readonly)


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
            reauth_error = _reauthenticate() if token_ok else _(
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
        abort(404)
    if not can_edit_city(current_user, assessment.city):
        abort(403)
    if not token_ok:
        if autosave:
            return _json("csrf", _("The page had expired; trying again."), 400, csrf_token=generate_csrf())
        return as_posted(notice=_("This page had expired, so your answers are not saved yet. Everything you "
                                  "entered is still below: check it and press “Save draft” again."))

    services.lock_assessment(db.session, assessment)
    result = answers.save_answers(db.session, assessment, questionnaire, posted, current_user,
                                   element_id=element_id, autosave=autosave)
    submitting = scope.element is None and not autosave and request.form.get("go") == "submit"
    confirmed = forms.ticked(request.form.get("confirm"))
    submitted = not_ready = False
    if submitting and confirmed and result.clean:
        try:  # refused before anything of the submission is written: the answers stay saved
            submitted = services.submit_assessment(db.session, assessment, questionnaire, current_user,
                                                   state=result.progress)
        except services.NotReady:
            not_ready = True
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


# --- submission -------------------------------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>/submit", methods=["GET", "POST"])
def submit(assessment_id: int) -> str | Response:
    if not current_user.is_authenticated:
        if request.method == "POST":
            flash(_("Your sign-in had ended, so nothing was submitted. Your saved answers are safe: "
                    "sign in and submit again."), "warning")
        return login_manager.unauthorized()
    assessment = _viewable(assessment_id)
    if not can_edit_city(current_user, assessment.city):
        abort(403)
    done_url = pages.report_url(assessment.id)
    if assessment.status == AssessmentStatus.SUBMITTED:
        flash(_("This assessment is already submitted (%(submitted)s).",
                submitted=pages.submitted_text(assessment) or ""), "info")
        return redirect(done_url)
    questionnaire = services.questionnaire_of(assessment)
    form = forms.SubmitForm()
    notice = None
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
            else:
                db.session.commit()
                if submitted:
                    flash(_("Thank you: the assessment is submitted. Here is your report."), "success")
                else:
                    flash(_("This assessment was already submitted (%(submitted)s); it was submitted once.",
                            submitted=pages.submitted_text(assessment) or ""), "info")
                return redirect(done_url)
    rows = services.load_answers(db.session, assessment.id)
    state = progress.progress(questionnaire, rows)
    return render_template(
        "survey/submit.html",
        assessment=assessment,
        state=state,
        form=form,
        notice=notice,
        reopened=_reopened(assessment),
        threshold=round(100 * questionnaire.completeness_threshold),
        unknown_count=sum(len(e.dont_know) for e in state.elements),
        short_count=sum(1 for e in state.elements if not e.enough),
        blank_count=sum(len(e.missing) for e in state.elements),
    )


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
    assessment = _viewable(assessment_id)
    if not can_reopen_city(current_user, assessment.city):
        abort(403)
    notice = None
    if request.method == "POST":
        if not csrf_ok():
            notice = _("This page had expired, so the assessment was not reopened. Your reason is kept "
                       "below: press “Reopen” again.")
        elif form.validate():
            reopened = services.reopen_assessment(db.session, assessment, current_user,
                                                  form.reason.data or "")
            db.session.commit()
            if reopened:
                flash(_("The assessment is reopened: the city's officials can change answers and submit "
                        "again."), "success")
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
