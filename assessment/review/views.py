"""The review's pages: the reviewer's queue and review page, the city's queries page, evidence
documents (attaching and downloading)."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from assessment.assessments import deadlines, review_states
from assessment.assessments import services as assessment_services
from assessment.assessments.labels import status_label
from assessment.assessments.models import EDITABLE, REVIEWABLE, Assessment, AssessmentStatus
from assessment.audit.models import AuditEvent
from assessment.auth.access import can_edit_city, can_view_city, deny_hidden, roles_required
from assessment.auth.models import Role, User
from assessment.database import utcnow
from assessment.extensions import db
from assessment.formatting import moment
from assessment.i18n import localized
from assessment.review import pages, services
from assessment.review.forms import (
    AssignForm,
    DecisionForm,
    DocumentForm,
    EmptyForm,
    ReplyForm,
    ReturnForm,
)
from assessment.review.models import DecisionKind, EvidenceDocument
from assessment.review.storage import DocumentRefused

bp = Blueprint("review", __name__)


def _load(assessment_id: int) -> Assessment:
    """The assessment if the signed-in user may read it (404 otherwise, as if it did not exist)."""
    assessment = assessment_services.get_assessment(db.session, assessment_id)
    if assessment is None:
        abort(404)
    if not (can_view_city(current_user, assessment.city) or services.can_review(current_user, assessment)):
        deny_hidden(current_user)
    return assessment


def _reviewable(assessment_id: int) -> Assessment:
    assessment = _load(assessment_id)
    if not services.can_review(current_user, assessment):
        abort(403)
    return assessment


def _own(assessment_id: int) -> Assessment:
    assessment = _load(assessment_id)
    if not can_edit_city(current_user, assessment.city):
        abort(403)
    return assessment


# --- the reviewer ------------------------------------------------------------------------------


@bp.route("/review")
@roles_required(Role.REGIONAL, Role.ADMIN, Role.ANALYST)
def queue() -> str:
    """Assessments waiting for review, oldest submission first."""
    rows = services.queue(db.session, current_user)
    return render_template("review/queue.html", rows=rows, moment=moment, status_label=status_label)


@bp.route("/assessments/<int:assessment_id>/review")
@login_required
def review(assessment_id: int) -> str:
    assessment = _reviewable(assessment_id)
    return _review_page(assessment)


def _review_page(assessment: Assessment, *, errors: dict[str, str] | None = None,
                 return_form: ReturnForm | None = None, code: int = 200) -> str:
    questionnaire = assessment_services.questionnaire_of(assessment)
    rows = pages.answer_rows(db.session, assessment, questionnaire)
    counts = services.query_counts(db.session, assessment.id)
    return_form = return_form or ReturnForm(formdata=None)
    return_form.show_deadline(assessment.round, deadlines.assessment_deadline(db.session, assessment),
                              utcnow(), assessment.city.name)
    body = render_template(
        "review/review.html", assessment=assessment, rows=rows, counts=counts,
        status=status_label(assessment.status), deciding=assessment.status in REVIEWABLE,
        can_return=assessment.status == AssessmentStatus.IN_REVIEW and counts.open > 0,
        can_validate=assessment.status in REVIEWABLE and not counts.open and not counts.answered,
        decision_form=DecisionForm(formdata=None), return_form=return_form,
        validate_form=EmptyForm(formdata=None),
        assign_form=AssignForm(formdata=None) if current_user.role == Role.ADMIN else None,
        scores=pages.score_lines(db.session, assessment, questionnaire),
        earlier=review_states.earlier_version(db.session, assessment, questionnaire),
        errors=errors or {}, level_choices=range(5))
    return body if code == 200 else (body, code)  # type: ignore[return-value]


@bp.route("/assessments/<int:assessment_id>/review/answers/<question_id>", methods=["POST"])
@login_required
def decide(assessment_id: int, question_id: str) -> str | Response:
    assessment = _reviewable(assessment_id)
    form = DecisionForm()
    questionnaire = assessment_services.questionnaire_of(assessment)
    if not form.validate():
        message = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return _review_page(assessment, errors={question_id: message}, code=422)
    try:
        services.decide(db.session, assessment, current_user, questionnaire, question_id,
                        DecisionKind(form.kind.data), level=int(form.level.data) if form.level.data else None,
                        comment=form.comment.data or "")
    except services.ReviewError as error:
        db.session.rollback()
        assessment = _reviewable(assessment_id)
        return _review_page(assessment, errors={question_id: str(error)}, code=422)
    db.session.commit()
    flash(_("Decision recorded."), "success")
    return redirect(url_for("review.review", assessment_id=assessment_id, _anchor=f"q-{question_id}"))


@bp.route("/assessments/<int:assessment_id>/review/return", methods=["POST"])
@login_required
def return_to_city(assessment_id: int) -> str | Response:
    assessment = _reviewable(assessment_id)
    form = ReturnForm()
    if not form.validate():
        return _review_page(assessment, return_form=form, code=422)
    try:
        returned = services.return_assessment(db.session, assessment, current_user,
                                              message=form.message.data or "",
                                              closes_at=form.new_deadline(assessment.round))
    except (services.ReviewError, deadlines.DeadlineError) as error:
        db.session.rollback()
        assessment = _reviewable(assessment_id)
        form.closes_on.errors = [*form.closes_on.errors, str(error)]
        return _review_page(assessment, return_form=form, code=422)
    db.session.commit()
    if returned:
        flash(_("The assessment is returned to the city with its queries."), "success")
    return redirect(url_for("review.review", assessment_id=assessment_id))


@bp.route("/assessments/<int:assessment_id>/review/validate", methods=["POST"])
@login_required
def validate(assessment_id: int) -> str | Response:
    assessment = _reviewable(assessment_id)
    questionnaire = assessment_services.questionnaire_of(assessment)
    try:
        validated = services.validate_assessment(db.session, assessment, current_user, questionnaire)
    except services.ReviewError as error:
        db.session.rollback()
        assessment = _reviewable(assessment_id)
        return _review_page(assessment, errors={"validate": str(error)}, code=422)
    db.session.commit()
    if validated:
        flash(_("The assessment is validated."), "success")
    return redirect(url_for("review.review", assessment_id=assessment_id))


@bp.route("/assessments/<int:assessment_id>/review/assign", methods=["POST"])
@roles_required(Role.ADMIN)
def assign(assessment_id: int) -> str | Response:
    assessment = _load(assessment_id)
    form = AssignForm()
    email = (form.email.data or "").strip().lower() if form.validate() else ""
    reviewer = None
    if email:
        reviewer = db.session.scalar(select(User).where(func.lower(User.email) == email,
                                                        User.active.is_(True)))
        if reviewer is None or reviewer.role not in (Role.REGIONAL, Role.ANALYST, Role.ADMIN):
            return _review_page(assessment, errors={"assign": _(
                "No active regional office, analyst or administrator account has this address.")}, code=422)
    review_states.assign_reviewer(db.session, assessment, current_user, reviewer)
    db.session.commit()
    flash(_("The reviewer is assigned.") if reviewer else _("No reviewer is assigned now."), "success")
    return redirect(url_for("review.review", assessment_id=assessment_id))


# --- the city ----------------------------------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>/queries")
@login_required
def queries(assessment_id: int) -> str:
    """The reviewer's queries, each where it applies, with the city's replies."""
    assessment = _load(assessment_id)
    return _queries_page(assessment)


def _queries_page(assessment: Assessment, *, errors: dict[str, str] | None = None, code: int = 200) -> str:
    questionnaire = assessment_services.questionnaire_of(assessment)
    rows = pages.answer_rows(db.session, assessment, questionnaire, only_queried=True)
    own = can_edit_city(current_user, assessment.city)
    answering = own and assessment.status == AssessmentStatus.RETURNED
    counts = services.query_counts(db.session, assessment.id)
    body = render_template(
        "review/queries.html", assessment=assessment, rows=rows, counts=counts,
        status=status_label(assessment.status), answering=answering,
        reply_form=ReplyForm(formdata=None), send_form=EmptyForm(formdata=None),
        can_send=answering and counts.open == 0, errors=errors or {},
        message=_latest_message(assessment))
    return body if code == 200 else (body, code)  # type: ignore[return-value]


def _latest_message(assessment: Assessment) -> str | None:
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.assessment_id == assessment.id,
                                                       AuditEvent.action == "review.return")
                              .order_by(AuditEvent.id.desc()).limit(1))
    if event is None or not isinstance(event.detail, dict):
        return None
    return event.detail.get("message") or None


@bp.route("/assessments/<int:assessment_id>/queries/<int:decision_id>", methods=["POST"])
@login_required
def reply(assessment_id: int, decision_id: int) -> str | Response:
    assessment = _own(assessment_id)
    form = ReplyForm()
    key = str(decision_id)
    if not form.validate():
        message = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return _queries_page(assessment, errors={key: message}, code=422)
    questionnaire = assessment_services.questionnaire_of(assessment)
    try:
        upload = request.files.get("document")
        document = ((upload.filename, upload.read())
                    if isinstance(upload, FileStorage) and upload.filename else None)
        services.reply(db.session, assessment, current_user, questionnaire, decision_id,
                       form.text.data or "", document=document)
    except (services.ReviewError, DocumentRefused) as error:
        db.session.rollback()
        assessment = _own(assessment_id)
        return _queries_page(assessment, errors={key: str(error)}, code=422)
    db.session.commit()
    flash(_("Your reply is saved."), "success")
    return redirect(url_for("review.queries", assessment_id=assessment_id))


@bp.route("/assessments/<int:assessment_id>/queries/send", methods=["POST"])
@login_required
def send_back(assessment_id: int) -> str | Response:
    assessment = _own(assessment_id)
    questionnaire = assessment_services.questionnaire_of(assessment)
    try:
        sent = services.resubmit(db.session, assessment, current_user, questionnaire)
    except (services.ReviewError, assessment_services.NotReady, deadlines.DeadlinePassed) as error:
        db.session.rollback()
        assessment = _own(assessment_id)
        text = str(error) if isinstance(error, services.ReviewError) else _(
            "The assessment could not be sent back: see its overview.")
        return _queries_page(assessment, errors={"send": text}, code=422)
    db.session.commit()
    if sent:
        flash(_("The assessment is sent back for review."), "success")
    return redirect(url_for("review.queries", assessment_id=assessment_id))


# --- documents ---------------------------------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>/documents", methods=["GET", "POST"])
@login_required
def documents(assessment_id: int) -> str | Response:
    """An assessment's evidence documents, by answer; its officials attach more while they may
    change the answers."""
    assessment = _load(assessment_id)
    questionnaire = assessment_services.questionnaire_of(assessment)
    can_attach = can_edit_city(current_user, assessment.city) and assessment.status in EDITABLE
    form = DocumentForm()
    form.question_id.choices = [SelectChoice(q.id, f"{localized(e.title)}: {localized(q.text)}")
                                for e in questionnaire.elements for q in e.questions]
    error = None
    code = 200
    if request.method == "POST":
        if not can_attach:
            abort(403)
        upload = request.files.get("document")
        if not form.validate():
            error = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        elif not isinstance(upload, FileStorage) or not upload.filename:
            error = _("Choose a file to attach.")
        else:
            try:
                services.attach_document(db.session, assessment, current_user, questionnaire,
                                         form.question_id.data or "", upload.filename, upload.read())
            except (services.ReviewError, DocumentRefused) as refused:
                db.session.rollback()
                assessment = _load(assessment_id)
                error = str(refused)
            else:
                db.session.commit()
                flash(_("The document is attached."), "success")
                return redirect(url_for("review.documents", assessment_id=assessment_id))
        code = 422
    rows = [row for row in pages.answer_rows(db.session, assessment, questionnaire) if row.documents]
    body = render_template("review/documents.html", assessment=assessment, rows=rows, form=form,
                           can_attach=can_attach, error=error)
    return body if code == 200 else (body, code)  # type: ignore[return-value]


@bp.route("/documents/<int:document_id>")
@login_required
def download(document_id: int) -> Response:
    """A document, as a download with the type its content showed; 404 for anyone who may not
    read its assessment."""
    document = db.session.get(EvidenceDocument, document_id)
    if document is None:
        abort(404)
    assessment = assessment_services.get_assessment(db.session, document.assessment_id)
    if assessment is None or not services.can_read_documents(current_user, assessment):
        deny_hidden(current_user)
    data = services.document_bytes(db.session, document)
    if data is None:
        abort(404)
    response = send_file(io.BytesIO(data), mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
