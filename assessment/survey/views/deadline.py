"""One city's deadline in a round: its regional office or an administrator extends, changes or
removes it. Nobody sees or changes the deadline of a city outside their region."""


from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from assessment.assessments import deadlines
from assessment.assessments.deadline_text import deadline_notice
from assessment.assessments.forms import DeadlineForm
from assessment.assessments.models import Assessment, Round
from assessment.auth.access import can_set_deadline, can_view_city, deny_hidden
from assessment.auth.models import Role, User
from assessment.database import utcnow
from assessment.extensions import db
from assessment.formatting import moment
from assessment.places import picker
from assessment.places.models import City, Country
from assessment.survey.views.blueprint import bp


def _round_and_city(round_id: int, city_id: int) -> tuple[Round, City]:
    """The round and the city, if the signed-in user may change the city's deadline; 404 for a
    city they may not see (as if it did not exist), 403 for one they may see but not change."""
    round_ = db.session.get(Round, round_id)
    city = db.session.scalar(select(City).where(City.id == city_id).options(joinedload(City.country)))
    if round_ is None or city is None:
        abort(404)
    if not can_view_city(current_user, city):
        deny_hidden(current_user)
    if not can_set_deadline(current_user, city):
        abort(403)
    return round_, city


@bp.route("/rounds/<int:round_id>/deadline")
@login_required
def deadline_pick(round_id: int) -> Response:
    """The admin round page's "choose a city" form arrives here: a city typed (or picked from
    the list) as "City (Country)", or its id."""
    typed = request.args.get("city", "")
    if typed.isdigit():
        return redirect(url_for("survey.deadline", round_id=round_id, city_id=int(typed)))
    regional = current_user.role == Role.REGIONAL
    # A regional office chooses among its own region's cities only.
    scope = Country.region_id == current_user.region_id if regional else None
    try:
        chosen = picker.resolve(picker.city_options(db.session, scope), typed)
    except picker.NoSuchCity as problem:
        flash(str(problem), "error")
        return redirect(url_for("dashboard.index", round=round_id) if regional
                        else url_for("admin.round_edit", round_id=round_id))
    return redirect(url_for("survey.deadline", round_id=round_id, city_id=chosen.id))


@bp.route("/rounds/<int:round_id>/cities/<int:city_id>/deadline", methods=["GET", "POST"])
@login_required
def deadline(round_id: int, city_id: int) -> str | Response:
    round_, city = _round_and_city(round_id, city_id)
    now = utcnow()
    current = deadlines.city_deadline(db.session, round_, city.id)
    extension = current.extension
    form = DeadlineForm()
    if request.method == "GET" and extension is not None:
        granted = extension.closes_at.astimezone(round_.zone)
        form.closes_on.data, form.closes_time.data = granted.date(), granted.time()
        form.reason.data = extension.reason
    form.show_deadline(round_, current, now, city.name)
    if form.validate_on_submit():
        closes_at = form.new_deadline(round_)
        assert closes_at is not None  # the date is required
        try:
            deadlines.set_city_deadline(db.session, current_user, round_, city, closes_at,
                                        form.reason.data or "", now=now)
        except deadlines.DeadlineError as error:
            db.session.rollback()
            field = getattr(form, error.field or "closes_on", form.closes_on)
            field.errors = [*field.errors, str(error)]
        else:
            db.session.commit()
            flash(_("%(city)s now has until %(when)s in the %(round)s round.", city=city.name,
                    round=round_.name, when=deadlines.describe_instant(closes_at, round_.zone)), "success")
            return redirect(url_for("survey.deadline", round_id=round_.id, city_id=city.id))
    return _page(round_, city, form, current, now)


@bp.route("/rounds/<int:round_id>/cities/<int:city_id>/deadline/remove", methods=["POST"])
@login_required
def deadline_remove(round_id: int, city_id: int) -> Response:
    round_, city = _round_and_city(round_id, city_id)
    removed = deadlines.remove_city_deadline(db.session, current_user, round_, city)
    db.session.commit()
    if removed:
        flash(_("The extension for %(city)s is removed: the round's own closing holds again.",
                city=city.name), "success")
    return redirect(url_for("survey.deadline", round_id=round_.id, city_id=city.id))


def _page(round_: Round, city: City, form: DeadlineForm, current: deadlines.Deadline,
          now: datetime) -> str:
    assessment_id = db.session.scalar(select(Assessment.id).where(Assessment.round_id == round_.id,
                                                                  Assessment.city_id == city.id))
    extension = current.extension
    granted = None
    if extension is not None:
        who = db.session.get(User, extension.granted_by_id) if extension.granted_by_id else None
        granted = _("Granted by %(name)s, %(when)s: “%(reason)s”",
                    name=who.display_name if who else _("someone"), when=moment(extension.granted_at),
                    reason=extension.reason)
    # The round's own closing, when the city's extension is what holds.
    round_closing = deadline_notice(deadlines.deadline_for(round_), now) if current.extended else None
    back_url = (url_for("survey.overview", assessment_id=assessment_id) if assessment_id is not None
                else url_for("dashboard.index"))
    return render_template(
        "survey/deadline.html", round=round_, city=city, form=form,
        deadline=deadline_notice(current, now, city=city.name), round_closing=round_closing,
        granted=granted, has_extension=extension is not None,
        can_extend=round_.closes_at is not None, back_url=back_url,
        admin_url=url_for("admin.round_edit", round_id=round_.id)
        if current_user.role == Role.ADMIN else None,
    )
