"""Admin pages for assessment rounds."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from assessment.admin import rounds as services
from assessment.admin.forms import RoundForm
from assessment.admin.presentation import HASH_PREFIX
from assessment.admin.views.blueprint import bp
from assessment.admin.views.shared import act, actor, get_or_404, save
from assessment.assessments.models import Round
from assessment.assessments.versions import current_questionnaire
from assessment.extensions import db


@bp.route("/rounds")
def rounds() -> str:
    questionnaire = current_questionnaire()
    return render_template(
        "admin/rounds.html", rows=services.round_rows(db.session, date.today()),
        current_label=questionnaire.version,
        current_hash=questionnaire.content_hash[:HASH_PREFIX],
    )


@bp.route("/rounds/new", methods=["GET", "POST"])
def round_new() -> str | Response:
    questionnaire = current_questionnaire()
    form = RoundForm()
    if form.validate_on_submit():
        round_ = save(form, lambda: services.create_round(
            db.session, actor(), name=form.name.data or "", opens_on=form.opens_on.data,
            closes_on=form.closes_on.data, questionnaire=questionnaire))
        if round_ is not None:
            flash(_("Round %(name)s created with questionnaire version %(label)s.", name=round_.name,
                    label=questionnaire.version), "success")
            return redirect(url_for("admin.rounds"))
    return render_template("admin/round_form.html", form=form, round=None,
                           current_label=questionnaire.version,
                           current_hash=questionnaire.content_hash[:HASH_PREFIX])


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def round_edit(round_id: int) -> str | Response:
    round_ = get_or_404(Round, round_id)
    questionnaire = current_questionnaire()
    form = RoundForm(obj=round_)
    if form.validate_on_submit():
        changes = save(form, lambda: services.update_round(
            db.session, actor(), round_, name=form.name.data or "", opens_on=form.opens_on.data,
            closes_on=form.closes_on.data))
        if changes is not None:
            flash(_("Round %(name)s saved.", name=round_.name), "success")
            return redirect(url_for("admin.rounds"))
    started = services.round_assessment_count(db.session, round_)
    version = round_.questionnaire_version
    return render_template(
        "admin/round_form.html", form=form, round=round_, started=started,
        version=version, version_hash=version.content_hash[:HASH_PREFIX],
        current_label=questionnaire.version,
        current_hash=questionnaire.content_hash[:HASH_PREFIX],
        can_move=started == 0 and version.content_hash != questionnaire.content_hash,
    )


@bp.route("/rounds/<int:round_id>/version", methods=["POST"])
def round_version(round_id: int) -> Response:
    round_ = get_or_404(Round, round_id)
    version = act(lambda: services.move_round_to_version(db.session, actor(), round_,
                                                          current_questionnaire()))
    if version is not None:
        flash(_("Round %(name)s now uses questionnaire version %(label)s.", name=round_.name,
                label=version.label), "success")
    return redirect(url_for("admin.round_edit", round_id=round_id))


@bp.route("/rounds/<int:round_id>/delete", methods=["POST"])
def round_delete(round_id: int) -> Response:
    round_ = get_or_404(Round, round_id)
    name = act(lambda: services.delete_round(db.session, actor(), round_))
    if name is None:
        return redirect(url_for("admin.round_edit", round_id=round_id))
    flash(_("Round %(name)s deleted.", name=name), "success")
    return redirect(url_for("admin.rounds"))
