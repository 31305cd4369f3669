"""The outbox (every message the app sent or will send) and the background jobs."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from assessment.admin import operations as services
from assessment.admin.views.blueprint import bp
from assessment.admin.views.shared import actor, get_or_404, page_number, pager
from assessment.extensions import db
from assessment.jobs.models import STATUS_LABELS, Job
from assessment.mail.models import OutgoingMail


@bp.route("/outbox")
def outbox() -> str:
    status = request.args.get("status") or None
    page = services.outbox_page(db.session, page_number(), status)
    return render_template("admin/outbox.html", page=page, pager=pager(page), status=status,
                           labels=services.MAIL_STATUS_LABELS,
                           smtp=bool(current_app.config["MAIL_SERVER"]))


@bp.route("/outbox/<int:mail_id>")
def outbox_message(mail_id: int) -> str:
    row = get_or_404(OutgoingMail, mail_id)
    return render_template("admin/outbox_message.html", message=services.message_view(row),
                           labels=services.MAIL_STATUS_LABELS)


@bp.route("/jobs")
def jobs() -> str:
    status = request.args.get("status") or None
    page = services.jobs_page(db.session, page_number(), status)
    return render_template("admin/jobs.html", page=page, pager=pager(page), status=status,
                           labels=STATUS_LABELS, names=services.JOB_LABELS)


@bp.post("/jobs/<int:job_id>/retry")
def retry_job(job_id: int) -> Response:
    job = get_or_404(Job, job_id)
    if services.retry_job(db.session, actor(), job):
        db.session.commit()
        flash(_("Job %(id)d is queued again.", id=job_id), "success")
    else:
        flash(_("Job %(id)d is not waiting for a retry.", id=job_id), "info")
    return redirect(url_for("admin.jobs"))
