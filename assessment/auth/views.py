from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from assessment.auth import services
from assessment.auth.forms import SignInForm
from assessment.extensions import db, limiter, login_manager
from assessment.security import safe_next

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(token: str) -> object | None:
    return services.user_for_token(db.session, token)


def _login_rate_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is None:
            flash(_("The email or password is not right. Please try again."), "error")
        else:
            # A fresh session cookie at every sign-in (no session fixation).
            next_url = safe_next(request.args.get("next"))
            session.clear()
            services.start_session(db.session, user, current_app.config["SESSION_HOURS"])
            db.session.commit()
            login_user(user)
            return redirect(next_url or url_for("home.index"))
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out() -> Response:
    token = current_user.get_id()
    if token:
        services.end_session(db.session, token)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.sign_in"))
