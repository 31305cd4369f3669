"""The signed-in user's account page, with personal access tokens for the JSON API.

Users create and revoke their own tokens; admins can do the same for any account.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from assessment.account.forms import FindUserForm, TokenForm
from assessment.api import tokens
from assessment.api.models import ApiToken
from assessment.auth.access import roles_required
from assessment.auth.labels import ROLE_LABELS
from assessment.auth.models import Role, User
from assessment.auth.services import normalise_email
from assessment.extensions import db
from assessment.formatting import moment

bp = Blueprint("account", __name__)

def _when(value: datetime | None) -> str:
    return moment(value) if value else _("never")


def _token_rows(user: User) -> list[dict[str, Any]]:
    return [
        {"id": t.id, "name": t.name, "prefix": t.prefix, "created": _when(t.created_at),
         "last_used": _when(t.last_used_at), "active": t.revoked_at is None,
         "revoked": _when(t.revoked_at) if t.revoked_at else None}
        for t in tokens.tokens_of(db.session, user, include_revoked=True)[:50]
    ]


def _page(subject: User, form: TokenForm, new_secret: str | None = None, status: int = 200) -> Any:
    is_self = subject.id == current_user.id
    place = subject.city.name if subject.city else (subject.region.name if subject.region else None)
    body = render_template(
        "account/index.html", subject=subject, is_self=is_self, form=form,
        role_label=str(ROLE_LABELS[subject.role]), place=place, tokens=_token_rows(subject),
        new_secret=new_secret, find_form=FindUserForm(formdata=None),
        show_admin=current_user.role == Role.ADMIN and is_self,
        action=url_for("account.index") if is_self else url_for("account.user_tokens",
                                                                 user_id=subject.id),
    )
    # The page may show a new token once: never keep it in any cache.
    return body, status, {"Cache-Control": "no-store"}


def _create(subject: User) -> Any:
    form = TokenForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            new = tokens.create_token(db.session, subject, form.name.data or "", actor=current_user)
        except tokens.TokenError as problem:  # checked before anything is written
            form.name.errors = [str(problem)]
            return _page(subject, form, status=400)
        db.session.commit()
        return _page(subject, TokenForm(formdata=None), new_secret=new.secret, status=201)
    return _page(subject, form, status=400 if request.method == "POST" else 200)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def index() -> Any:
    return _create(current_user)


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
    email = normalise_email(form.email.data or "")
    subject = db.session.scalar(select(User).where(User.email == email)) if email else None
    if subject is None:
        flash(_("No account with that email."), "error")
        return redirect(url_for("account.index"))
    return redirect(url_for("account.user_tokens", user_id=subject.id))


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
