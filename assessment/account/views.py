"""The signed-in user's account page: their password, the mail they receive, and personal access
tokens for the JSON API.

Users change their own password, choose which optional mail they receive, and create and revoke
their own tokens; admins can manage the tokens of any account.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from assessment import mail
from assessment.account import services
from assessment.account.forms import (
    ChangePasswordForm,
    FindUserForm,
    TokenForm,
    mail_field_name,
    mail_preferences_form,
)
from assessment.api import tokens
from assessment.api.models import ApiToken
from assessment.auth.access import roles_required
from assessment.auth.labels import ROLE_LABELS
from assessment.auth.limits import count_wrong_password, password_attempts
from assessment.auth.models import Role, User
from assessment.auth.services import MIN_PASSWORD_LENGTH
from assessment.database import utcnow
from assessment.exports.services import TABLES
from assessment.extensions import db
from assessment.formatting import moment
from assessment.places.models import Region

bp = Blueprint("account", __name__)


def _when(value: datetime | None) -> str:
    return moment(value) if value else _("never")


def _token_rows(user: User) -> list[dict[str, Any]]:
    now = utcnow()
    notice = timedelta(days=int(current_app.config["TOKEN_NOTICE_DAYS"]))
    regions: dict[int, str] = {rid: name for rid, name in db.session.execute(
        select(Region.id, Region.name))}
    rows = []
    for t in tokens.tokens_of(db.session, user, include_revoked=True)[:50]:
        revoked, expired = t.revoked_at is not None, tokens.expired(t, now)
        reads = [_(TABLES[name].title) if name in TABLES else name for name in t.tables or ()]
        places = sorted(regions.get(rid, str(rid)) for rid in t.region_ids or ())
        rows.append({
            "id": t.id, "name": t.name, "prefix": t.prefix, "created": _when(t.created_at),
            "last_used": _when(t.last_used_at), "active": not revoked and not expired,
            "revoked": _when(t.revoked_at) if revoked else None,
            "expired": expired and not revoked, "expires": moment(t.expires_at),
            "expires_soon": not revoked and not expired and t.expires_at - now <= notice,
            "tables": ", ".join(reads) if reads else _("every table"),
            "regions": ", ".join(places) if places else _("every region the account may see"),
        })
    return rows


def _token_form(formdata: Any = ...) -> TokenForm:
    """The new-token form, offering TOKEN_DAYS by default (``formdata=None``: a blank form)."""
    days = int(current_app.config["TOKEN_DAYS"])
    form = TokenForm(days=days) if formdata is ... else TokenForm(formdata=formdata, days=days)
    form.set_choices([(name, _(spec.title)) for name, spec in TABLES.items()],
                     [(rid, name) for rid, name in db.session.execute(
                         select(Region.id, Region.name).order_by(Region.name))],
                     int(current_app.config["TOKEN_MAX_DAYS"]))
    return form


def _page(subject: User, form: TokenForm, new_secret: str | None = None, status: int = 200,
          password_form: ChangePasswordForm | None = None) -> Any:
    is_self = subject.id == current_user.id
    if is_self and password_form is None:
        password_form = ChangePasswordForm(formdata=None)
    optional = mail.optional_kinds()
    mail_form = mail_preferences_form(optional, subject, posted=False)
    place = subject.city.name if subject.city else (subject.region.name if subject.region else None)
    body = render_template(
        "account/index.html", subject=subject, is_self=is_self, form=form,
        role_label=str(ROLE_LABELS[subject.role]), place=place, tokens=_token_rows(subject),
        new_secret=new_secret, find_form=FindUserForm(formdata=None),
        password_form=password_form, min_password_length=MIN_PASSWORD_LENGTH,
        show_admin=current_user.role == Role.ADMIN and is_self,
        token_days=int(current_app.config["TOKEN_DAYS"]),
        token_max_days=int(current_app.config["TOKEN_MAX_DAYS"]),
        token_notice_days=int(current_app.config["TOKEN_NOTICE_DAYS"]),
        mail_form=mail_form, mail_fields=[mail_form[mail_field_name(item.name)] for item in optional],
        essential_mail=[str(item.label) for item in mail.KINDS.values() if item.essential],
        action=url_for("account.index") if is_self else url_for("account.user_tokens",
                                                                 user_id=subject.id),
    )
    # The page may show a new token once: never keep it in any cache.
    return body, status, {"Cache-Control": "no-store"}


def _create(subject: User) -> Any:
    form = _token_form()
    if request.method == "POST" and form.validate_on_submit():
        try:
            new = tokens.create_token(
                db.session, subject, form.name.data or "", actor=current_user,
                days=form.days.data or int(current_app.config["TOKEN_DAYS"]),
                max_days=int(current_app.config["TOKEN_MAX_DAYS"]),
                tables=form.tables.data or None, region_ids=form.regions.data or None)
        except tokens.TokenError as problem:  # checked before anything is written
            form.name.errors = [str(problem)]
            return _page(subject, form, status=400)
        db.session.commit()
        return _page(subject, _token_form(None), new_secret=new.secret, status=201)
    return _page(subject, form, status=400 if request.method == "POST" else 200)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def index() -> Any:
    return _create(current_user)


@bp.route("/account/password", methods=["POST"])
@login_required
@password_attempts
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            ended = services.change_password(
                db.session, current_user, current_password=form.current_password.data or "",
                new_password=form.new_password.data or "",
                end_other_sessions=bool(form.sign_out_others.data), keep_token=current_user.get_id())
        except services.PasswordChangeError as problem:
            db.session.rollback()
            if problem.field == "current_password":
                count_wrong_password()
            getattr(form, problem.field).errors = [str(problem)]
        else:
            db.session.commit()
            message = _("Your password is changed.")
            if ended is None:
                message += " " + _("Your other sign-ins stay signed in.")
            else:
                message += " " + ngettext("%(num)d other sign-in was ended.",
                                          "%(num)d other sign-ins were ended.", ended)
            flash(message, "success")
            return redirect(url_for("account.index"))
    return _page(current_user, _token_form(None), status=400, password_form=form)


@bp.route("/account/mail", methods=["POST"])
@login_required
def mail_preferences() -> Response:
    optional = mail.optional_kinds()
    form = mail_preferences_form(optional, current_user, posted=True)
    if form.validate_on_submit():
        receive = {item.name: bool(form[mail_field_name(item.name)].data) for item in optional}
        services.set_mail_preferences(db.session, current_user, receive)
        db.session.commit()
        flash(_("Your mail choices are saved."), "success")
    else:
        flash(_("Your mail choices could not be saved. Please try again."), "error")
    return redirect(url_for("account.index", _anchor="mail-heading"))


@bp.route("/account/tokens/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_tokens(user_id: int) -> Any:
    subject = db.session.get(User, user_id)
    if subject is None:
        abort(404)
    return _create(subject)


@bp.route("/account/tokens")
@roles_required(Role.ADMIN)
def find_user() -> Response:
    form = FindUserForm(formdata=request.args)
    text = (form.email.data or "").strip() if form.validate() else ""
    found = services.find_accounts(db.session, text) if text else []
    if len(found) == 1:
        return redirect(url_for("account.user_tokens", user_id=found[0].id))
    if found:
        # Several match: the account list, searched, lets the administrator choose one.
        flash(_("Several accounts match “%(text)s”: choose one in the list.", text=text), "info")
        return redirect(url_for("admin.users", q=text))
    flash(_("No account matches “%(text)s”.", text=text) if text else _("Type an email or a name."),
          "error")
    return redirect(url_for("account.index"))


@bp.route("/account/tokens/revoke/<int:token_id>", methods=["POST"])
@login_required
def revoke(token_id: int) -> Response:
    token = db.session.get(ApiToken, token_id)
    is_admin = current_user.role == Role.ADMIN
    if token is None or (token.user_id != current_user.id and not is_admin):
        abort(404)  # someone else's token: do not say it exists
    if tokens.revoke_token(db.session, token, actor=current_user):
        flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "success")
    db.session.commit()
    if token.user_id == current_user.id:
        return redirect(url_for("account.index"))
    return redirect(url_for("account.user_tokens", user_id=token.user_id))
