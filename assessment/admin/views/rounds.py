"""Admin pages for assessment rounds."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import true
from werkzeug.wrappers import Response

from assessment.admin import rounds as services
from assessment.admin.forms import RoundForm
from assessment.admin.presentation import HASH_PREFIX
from assessment.admin.views.blueprint import bp
from assessment.admin.views.shared import act, actor, get_or_404, save
from assessment.assessments import deadlines
from assessment.assessments.deadline_text import deadline_notice
from assessment.assessments.models import Round
from assessment.assessments.versions import current_questionnaire
from assessment.database import utcnow
from assessment.extensions import db
from assessment.formatting import moment


@bp.route("/rounds")
def rounds() -> str:
    questionnaire = current_questionnaire()
    return render_template(
        "admin/rounds.html", rows=services.round_rows(db.session, utcnow()),
        current_label=questionnaire.version,
        current_hash=questionnaire.content_hash[:HASH_PREFIX],
    )


def _settings(form: RoundForm) -> services.RoundSettings:
    return services.RoundSettings(
        name=form.name.data or "", opens_on=form.opens_on.data, closes_on=form.closes_on.data,
        opens_time=form.opens_time.data or services.DEFAULT_OPENS,
        closes_time=form.closes_time.data or services.DEFAULT_CLOSES,
        time_zone=form.time_zone.data or "UTC", reminder_days=form.reminder_days.data or "")


def _form_page(form: RoundForm, **context: Any) -> str:
    return render_template("admin/round_form.html", form=form, time_zones=deadlines.time_zone_names(),
                           **context)


@bp.route("/rounds/new", methods=["GET", "POST"])
def round_new() -> str | Response:
    questionnaire = current_questionnaire()
    form = RoundForm()
    if form.validate_on_submit():
        round_ = save(form, lambda: services.create_round(db.session, actor(), _settings(form),
                                                          questionnaire))
        if round_ is not None:
            flash(_("Round %(name)s created with questionnaire version %(label)s.", name=round_.name,
                    label=questionnaire.version), "success")
            return redirect(url_for("admin.rounds"))
    return _form_page(form, round=None, current_label=questionnaire.version,
                      current_hash=questionnaire.content_hash[:HASH_PREFIX])


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def round_edit(round_id: int) -> str | Response:
    round_ = get_or_404(Round, round_id)
    questionnaire = current_questionnaire()
    form = RoundForm(obj=round_)
    if form.validate_on_submit():
        changes = save(form, lambda: services.update_round(db.session, actor(), round_, _settings(form)))
        if changes is not None:
            flash(_("Round %(name)s saved.", name=round_.name), "success")
            return redirect(url_for("admin.rounds"))
        db.session.refresh(round_)  # the refused change was rolled back
    started = services.round_assessment_count(db.session, round_)
    version = round_.questionnaire_version
    now = utcnow()
    return _form_page(
        form, round=round_, started=started,
        version=version, version_hash=version.content_hash[:HASH_PREFIX],
        current_label=questionnaire.version,
        current_hash=questionnaire.content_hash[:HASH_PREFIX],
        can_move=started == 0 and version.content_hash != questionnaire.content_hash,
        status=services.round_status(round_, now),
        deadline=deadline_notice(deadlines.deadline_for(round_), now),
        extensions=[_extension_line(row, round_) for row in
                    deadlines.round_extensions(db.session, round_, true())],
        cities=services.city_options(db.session),
    )


def _extension_line(row: deadlines.ExtensionRow, round_: Round) -> services.ExtensionLine:
    return services.ExtensionLine(
        city=row.city, country=row.country, closes=deadlines.describe_instant(row.closes_at, round_.zone),
        iso=row.closes_at.isoformat(), reason=row.reason,
        granted=_("%(name)s, %(when)s", name=row.granted_by or _("someone"), when=moment(row.granted_at)),
        url=url_for("survey.deadline", round_id=row.round_id, city_id=row.city_id))


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
