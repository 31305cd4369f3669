"""The regional office's "remind now": a preview of the message and the list of recipients,
then one click to send it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from assessment import reminders
from assessment.assessments.models import Round
from assessment.auth.models import Role, User
from assessment.extensions import db
from assessment.i18n import current_language
from assessment.places.models import Region

bp = Blueprint("reminders", __name__)


def _scope() -> tuple[User, Round, Region]:
    user: User = current_user._get_current_object()
    if user.role not in (Role.REGIONAL, Role.ADMIN):
        abort(403)
    round_ = db.session.get(Round, request.args.get("round", type=int) or 0)
    if round_ is None:
        abort(404)
    region_id = user.region_id if user.role == Role.REGIONAL else request.args.get("region", type=int)
    region = db.session.get(Region, region_id or 0)
    if region is None:
        abort(404)
    return user, round_, region


@bp.route("/dashboard/remind", methods=["GET", "POST"])
@login_required
def remind() -> str | Response:
    user, round_, region = _scope()
    back: dict[str, Any] = {"round": round_.id}
    if user.role == Role.ADMIN:
        back["region"] = region.id
    dashboard_url = url_for("dashboard.index", **back)
    everyone = reminders.recipients(db.session, round_, region_id=region.id)
    if request.method == "POST":
        chosen = [int(value) for value in request.form.getlist("city") if value.isdigit()]
        if not chosen:
            flash(_("Choose at least one city to remind."), "error")
        else:
            sent = reminders.remind_now(db.session, user, round_, region_id=region.id, city_ids=chosen)
            db.session.commit()
            flash(ngettext("A reminder is on its way to %(num)d official.",
                           "A reminder is on its way to %(num)d officials.", len(sent)), "success")
            return redirect(dashboard_url)
    cities: dict[int, list[reminders.Recipient]] = {}
    for person in everyone:
        cities.setdefault(person.city.id, []).append(person)
    sample = reminders.preview(db.session, round_, everyone[0], current_language().code) if everyone else None
    return render_template("reminders/remind.html", round=round_, region=region, cities=cities,
                           recipients=everyone, sample=sample, dashboard_url=dashboard_url,
                           labels=reminders.STATUS_LABELS)
