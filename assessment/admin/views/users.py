"""Admin pages for accounts: create (with an invitation or a password), invite, change, set a
password, end sign-ins, (de)activate, anonymise."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from assessment.admin import users as services
from assessment.admin.forms import (
    SET_PASSWORD,
    AccountPlaceForm,
    AnonymiseForm,
    PasswordForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
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
from assessment.auth.invitations import awaits_invitation
from assessment.auth.labels import ROLE_LABELS, invitation_state
from assessment.auth.limits import count_wrong_password, password_attempts
from assessment.auth.models import Role, User
from assessment.auth.services import live_session_count
from assessment.extensions import db
from assessment.formatting import moment as when
from assessment.places.models import City, Region
from assessment.places.picker import city_options
from assessment.security import safe_next


def _sessions_ended(count: int) -> str:
    return ngettext("%(num)d sign-in was ended.", "%(num)d sign-ins were ended.", count)


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


def _place_choices(form: AccountPlaceForm) -> None:
    form.city.options = city_options(db.session)
    form.region_id.choices = region_choices(_l("No region"))


def _place_of(form: AccountPlaceForm) -> tuple[Role, City | None, Region | None]:
    role = Role(form.role.data)
    city = (get_or_404(City, form.city.city_id)
            if role == Role.OFFICIAL and form.city.city_id else None)
    region = (get_or_404(Region, form.region_id.data)
              if role == Role.REGIONAL and form.region_id.data else None)
    return role, city, region


@bp.route("/users/new", methods=["GET", "POST"])
def user_new() -> str | Response:
    form = UserCreateForm()
    _place_choices(form)
    # "Add an official" on a city's page arrives with the city chosen.
    city_id = request.args.get("city", type=int)
    if request.method == "GET" and city_id is not None:
        form.role.data = Role.OFFICIAL.value
        form.city.show(db.session.get(City, city_id))
    if form.validate_on_submit():
        role, city, region = _place_of(form)
        password = form.password.data or "" if form.first_sign_in.data == SET_PASSWORD else None
        user = save(form, lambda: services.create_account(
            db.session, actor(), email=form.email.data or "", name=form.name.data or "", role=role,
            city=city, region=region, password=password, language=form.language.data or None))
        if user is not None:
            if password is None:
                flash(_("Account %(email)s created, and an invitation sent to that address.",
                        email=user.email), "success")
            else:
                flash(_("Account %(email)s created. Give them their password by a safe channel.",
                        email=user.email), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
def user_invite(user_id: int) -> Response:
    user = get_or_404(User, user_id)
    if act(lambda: services.send_invitation(db.session, actor(), user)) is not None:
        flash(_("An invitation was sent to %(email)s. Earlier invitation links no longer work.",
                email=user.email), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("admin.user_edit", user_id=user_id))


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
        anonymised=services.is_anonymised(user),
        role_label=ROLE_LABELS[user.role], created=when(user.created_at),
        last_login=when(user.last_login_at), invitation=invitation_state(user),
        invitation_pending=user.invitation_pending, may_invite=awaits_invitation(user),
        invited_by=user.invited_by.display_name if user.invited_by else None,
        live_sessions=live_session_count(db.session, user),
    )


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@password_attempts
def user_password(user_id: int) -> str | Response:
    user = get_or_404(User, user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        ended = save(form, lambda: services.set_account_password(
            db.session, actor(), user, form.password.data or "",
            actor_password=form.current_password.data or "", sign_out=form.sign_out.data,
            keep_token=current_user.get_id()))
        if ended is None and form.current_password.errors:
            count_wrong_password()
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


@bp.route("/users/<int:user_id>/anonymise", methods=["GET", "POST"])
def user_anonymise(user_id: int) -> str | Response:
    user = get_or_404(User, user_id)
    if services.is_anonymised(user):
        flash(_("This account is already anonymised."), "info")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    form = AnonymiseForm()
    if form.validate_on_submit():
        done = save(form, lambda: services.anonymise(db.session, user, actor()))
        if done is not None:
            tokens_revoked = ngettext("%(num)d access token was revoked.",
                                      "%(num)d access tokens were revoked.", done.tokens_revoked)
            flash(" ".join([
                _("The account is anonymised: it is now “%(name)s” and can never be used again.",
                  name=user.name),
                _sessions_ended(done.sessions_ended), tokens_revoked,
            ]), "success")
            return redirect(url_for("admin.user_edit", user_id=user_id))
    return render_template("admin/user_anonymise.html", form=form, user=user,
                           is_self=user.id == actor().id)
