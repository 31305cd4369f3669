"""Admin pages for accounts: create, change, set a password, end sign-ins, (de)activate."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from assessment.admin import places
from assessment.admin import users as services
from assessment.admin.forms import PasswordForm, UserCreateForm, UserEditForm, UserFilterForm, choice
from assessment.admin.views.blueprint import bp
from assessment.admin.views.shared import (
    act,
    actor,
    filter_value,
    get_or_404,
    page_number,
    pager,
    region_choices,
    save,
)
from assessment.auth.labels import ROLE_LABELS
from assessment.auth.models import Role, User
from assessment.auth.services import live_session_count
from assessment.extensions import db
from assessment.formatting import moment as when
from assessment.places.models import City, Region


def _sessions_ended(count: int) -> str:
    return ngettext("%(num)d sign-in was ended.", "%(num)d sign-ins were ended.", count)


def _city_choices(blank: Any) -> list[Any]:
    choices = [choice("", blank)]
    for country_name, cities in places.cities_by_country(db.session):
        choices += [choice(city_id, name, country_name) for city_id, name in cities]
    return choices


@bp.route("/users")
def users() -> str:
    filters = UserFilterForm(formdata=request.args)
    filters.region.choices = region_choices(_l("All regions"))
    filters.validate()
    role = filter_value(filters.role)
    page = services.user_page(
        db.session, role=Role(role) if role else None, region_id=filter_value(filters.region),
        text=(filter_value(filters.q) or "").strip(), status=filter_value(filters.status) or "",
        page=page_number(),
    )
    return render_template("admin/users.html", filters=filters, page=page, pager=pager(page))


def _place_choices(form: UserCreateForm | UserEditForm) -> None:
    form.city_id.choices = _city_choices(_l("No city"))
    form.region_id.choices = region_choices(_l("No region"))


def _place_of(form: UserCreateForm | UserEditForm) -> tuple[Role, City | None, Region | None]:
    role = Role(form.role.data)
    city = (get_or_404(City, form.city_id.data)
            if role == Role.OFFICIAL and form.city_id.data else None)
    region = (get_or_404(Region, form.region_id.data)
              if role == Role.REGIONAL and form.region_id.data else None)
    return role, city, region


@bp.route("/users/new", methods=["GET", "POST"])
def user_new() -> str | Response:
    form = UserCreateForm()
    _place_choices(form)
    # "Add an official" on a city's page arrives with the city chosen.
    if request.method == "GET" and request.args.get("city", type=int) is not None:
        form.role.data = Role.OFFICIAL.value
        form.city_id.data = request.args.get("city", type=int) is not None
    if form.validate_on_submit():
        role, city, region = _place_of(form)
        user = save(form, lambda: services.create_account(
            db.session, actor(), email=form.email.data or "", name=form.name.data or "", role=role,
            city=city, region=region, password=form.password.data or ""))
        if user is not None:
            flash(_("Account %(email)s created. Give them their password by a safe channel.",
                    email=user.email), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int) -> str | Response:
    user = get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    _place_choices(form)
    if form.validate_on_submit():
        role, city, region = _place_of(form)
        changes = save(form, lambda: services.update_account(
            db.session, actor(), user, name=form.name.data or "", role=role, city=city, region=region))
        if changes is not None:
            flash(_("Account %(email)s saved.", email=user.email), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template(
        "admin/user_edit.html", form=form, user=user, is_self=user.id == actor().id,
        role_label=ROLE_LABELS[user.role], created=when(user.created_at),
        last_login=when(user.last_login_at),
        live_sessions=live_session_count(db.session, user),
    )


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id: int) -> str | Response:
    user = get_or_404(User, user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        ended = save(form, lambda: services.set_account_password(
            db.session, actor(), user, form.password.data or "", sign_out=form.sign_out.data,
            keep_token=current_user.get_id()))
        if ended is not None:
            flash(_("New password set for %(email)s.", email=user.email) + " "
                  + _sessions_ended(ended), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_password.html", form=form, user=user)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def user_deactivate(user_id: int) -> Response:
    user = get_or_404(User, user_id)
    ended = act(lambda: services.deactivate_account(db.session, actor(), user))
    if ended is not None:
        flash(_("%(email)s can no longer sign in.", email=user.email) + " " + _sessions_ended(ended),
              "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def user_reactivate(user_id: int) -> Response:
    user = get_or_404(User, user_id)
    if act(lambda: services.reactivate_account(db.session, actor(), user)) is not None:
        flash(_("%(email)s can sign in again.", email=user.email), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/revoke-sessions", methods=["POST"])
def user_revoke_sessions(user_id: int) -> Response:
    user = get_or_404(User, user_id)
    ended = act(lambda: services.revoke_account_sessions(db.session, actor(), user,
                                                          keep_token=current_user.get_id()))
    if ended is not None:
        flash(_sessions_ended(ended), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))
