"""The people pages: a region's accounts, a city's contacts, inviting someone.

Regional offices see their own region whatever the address says (anything else answers 404,
as if it did not exist); administrators see every region.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, select
from werkzeug.wrappers import Response

from assessment.admin.forms import choice
from assessment.admin.views.shared import act, page_number, pager, save
from assessment.auth import access
from assessment.auth.labels import ROLE_LABELS
from assessment.auth.models import Role, User
from assessment.extensions import db, login_manager
from assessment.people import services
from assessment.people.forms import InviteForm, PeopleFilterForm
from assessment.people.services import PEOPLE_ROLES
from assessment.places.models import City, Country, Region
from assessment.places.picker import city_options
from assessment.security import safe_next

bp = Blueprint("people", __name__, url_prefix="/people")


def _viewer() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.before_request
def _regional_offices_and_administrators() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not access.can_manage_people(current_user):
        abort(403)
    return None


@bp.app_template_global()
def contacts_url(city_id: int) -> str | None:
    """The link to a city's contacts for a reader who may see them (the dashboard's city names)."""
    if not current_user.is_authenticated or not access.can_manage_people(current_user):
        return None
    return url_for("people.city", city_id=city_id)


def _regions() -> list[Region]:
    query = select(Region).order_by(Region.name)
    if current_user.role == Role.REGIONAL:
        query = query.where(Region.id == current_user.region_id)
    return list(db.session.scalars(query))


def _city_scope() -> Any:
    return access.city_scope(_viewer())


@bp.route("")
def index() -> str:
    filters = PeopleFilterForm(formdata=request.args)
    is_admin = current_user.role == Role.ADMIN
    filters.region.choices = [choice("", _l("All regions"))] + [choice(r.id, r.name) for r in _regions()]
    filters.validate()
    role = None if filters.role.errors or not filters.role.data else Role(filters.role.data)
    region_id = filters.region.data if is_admin and not filters.region.errors else None
    status = "" if filters.status.errors else (filters.status.data or "")
    text = "" if filters.q.errors else (filters.q.data or "").strip()
    page = services.people_page(db.session, _viewer(), role=role, region_id=region_id, text=text,
                                status=status, page=page_number())
    return render_template("people/index.html", filters=filters, page=page, pager=pager(page),
                           is_admin=is_admin,
                           region_name=None if is_admin else current_user.region.name)


@bp.route("/cities/<int:city_id>")
def city(city_id: int) -> str:
    found = db.session.get(City, city_id)
    if found is None:
        abort(404)
    if not access.can_view_contacts(_viewer(), found):
        access.deny_hidden(_viewer())
    return render_template(
        "people/city.html", city=found, country=found.country.name, region=found.country.region.name,
        contacts=services.city_contacts(db.session, found),
        regional=services.regional_contacts(db.session, found),
        invite_url=url_for("people.invite", city=found.id),
        admin_url=url_for("admin.city_edit", city_id=found.id) if current_user.role == Role.ADMIN else None)


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.role.choices = [choice(role.value, ROLE_LABELS[role]) for role in PEOPLE_ROLES]
    form.city.options = city_options(db.session, _city_scope())
    form.region_id.choices = [choice("", _l("No region"))] + [choice(r.id, r.name) for r in _regions()]
    return form


@bp.route("/invite", methods=["GET", "POST"])
def invite() -> str | Response:
    form = _invite_form()
    city_id = request.args.get("city", type=int)
    if request.method == "GET" and city_id is not None:
        form.role.data = Role.OFFICIAL.value
        chosen = db.session.scalar(select(City).join(Country).where(
            and_(City.id == city_id, _city_scope())))
        form.city.show(chosen)
    if form.validate_on_submit():
        role = Role(form.role.data)
        city_ = (db.session.get(City, form.city.city_id)
                 if role == Role.OFFICIAL and form.city.city_id else None)
        region = (db.session.get(Region, form.region_id.data)
                  if role == Role.REGIONAL and form.region_id.data else None)
        user = save(form, lambda: services.invite_person(
            db.session, _viewer(), email=form.email.data or "", name=form.name.data or "", role=role,
            city=city_, region=region, language=form.language.data or None))
        if user is not None:
            flash(_("An invitation was sent to %(email)s.", email=user.email), "success")
            if user.city_id is not None:
                return redirect(url_for("people.city", city_id=user.city_id))
            return redirect(url_for("people.index"))
    return render_template("people/invite.html", form=form)


@bp.route("/<int:user_id>/invite", methods=["POST"])
def resend(user_id: int) -> Response:
    person = db.session.get(User, user_id)
    if person is None or not access.can_see_person(_viewer(), person):
        access.deny_hidden(_viewer())
    assert person is not None
    if act(lambda: services.resend(db.session, _viewer(), person)) is not None:
        flash(_("An invitation was sent to %(email)s. Earlier invitation links no longer work.",
                email=person.email), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("people.index"))
