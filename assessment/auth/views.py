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
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from assessment.auth import invitations, limits, resets, services, tokens
from assessment.auth.forms import NewPasswordForm, ResetRequestForm, SignInForm
from assessment.auth.models import User
from assessment.auth.signals import sign_in_failed
from assessment.auth.tokens import Purpose, Status
from assessment.extensions import db, limiter, login_manager
from assessment.security import safe_next

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(token: str) -> object | None:
    return services.user_for_token(db.session, token)


def _too_many_from_here() -> str:
    return _("Too many sign-in attempts from this network. Wait a minute and try again.")


def _too_many_for_account() -> str:
    return _("Too many failed sign-ins to this account from browsers it has not been used on. Wait a "
             "few minutes and try again, or sign in from a browser you used before.")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(limits.address_limit, methods=["POST"], error_message=_too_many_from_here)
@limiter.limit(limits.account_limit, key_func=limits.posted_account_key, methods=["POST"],
               deduct_when=limits.failed_sign_in, exempt_when=limits.known_device,
               error_message=_too_many_for_account)
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is None:
            sign_in_failed.send(current_app._get_current_object(),  # type: ignore[attr-defined]
                                email=form.email.data or "",
                                user=services.user_by_email(db.session, form.email.data or ""))
            db.session.commit()
            flash(_("The email or password is not right. Please try again."), "error")
        else:
            return _signed_in(user, safe_next(request.args.get("next")))
    return render_template("auth/sign_in.html", form=form)


def _signed_in(user: User, next_url: str | None = None, message: str | None = None) -> Response:
    """Start a sign-in for ``user``, commit the request's work with it, and go on."""
    # A fresh session cookie at every sign-in (no session fixation).
    session.clear()
    if message:
        flash(message, "success")
    services.start_session(db.session, user, current_app.config["SESSION_HOURS"])
    login_user(user)  # announces the sign-in to the audit trail
    db.session.commit()
    response = redirect(next_url or url_for("home.index"))
    limits.remember_device(response, user.email)
    return response


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out() -> Response:
    token = current_user.get_id()
    if token:
        services.end_session(db.session, token)
    logout_user()  # announces the sign-out to the audit trail
    db.session.commit()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.sign_in"))


# --- links sent by e-mail: invitations and password resets ---------------------------------------


def _link_problem(purpose: Purpose, status: Status, token: str) -> tuple[str, int]:
    """The page for a link that cannot be used (any more), saying why and what to do instead."""
    renew_url = None
    if purpose == Purpose.INVITATION:
        if status == Status.USED:
            title = _("This invitation has already been used")
            text = _("Its password has been set. Sign in with it, or reset your password if you "
                     "have forgotten it.")
        elif status == Status.SUPERSEDED:
            title = _("A newer invitation was sent")
            text = _("This link was replaced by a newer invitation: use the link in the latest "
                     "message, or ask for a new invitation.")
            renew_url = url_for("auth.renew_invitation", token=token)
        elif status == Status.EXPIRED:
            title = _("This invitation has expired")
            text = _("Invitation links work for %(hours)d hours. Ask for a new one: it goes to the "
                     "address the first one was sent to.",
                     hours=tokens.valid_hours(Purpose.INVITATION))
            renew_url = url_for("auth.renew_invitation", token=token)
        else:
            title = _("This invitation link does not work")
            text = _("Check that the whole address from the message was copied, or ask the person "
                     "who invited you to send a new invitation.")
    elif status == Status.USED:
        title = _("This link has already been used")
        text = _("The password was changed since it was sent. Sign in, or ask for a new link.")
    elif status == Status.EXPIRED:
        title = _("This link has expired")
        text = _("Password reset links work for %(hours)d hours. Ask for a new one.",
                 hours=tokens.valid_hours(Purpose.RESET))
    else:
        title = _("This link does not work")
        text = _("Check that the whole address from the message was copied, or ask for a new link.")
    code = 404 if status == Status.INVALID else 410
    return render_template("auth/link_problem.html", title=title, text=text, renew_url=renew_url,
                           reset_url=url_for("auth.request_reset"),
                           sign_in_url=url_for("auth.sign_in")), code


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> str | Response | tuple[str, int]:
    checked = tokens.check(db.session, token, Purpose.INVITATION)
    if checked.status != Status.VALID or checked.user is None:
        return _link_problem(Purpose.INVITATION, checked.status, token)
    user = checked.user
    form = NewPasswordForm()
    if form.validate_on_submit():
        invitations.accept(db.session, user, form.new_password.data or "",
                           language=str(get_locale() or "") or None)
        return _signed_in(user, message=_("Welcome! Your password is set and you are signed in."))
    return render_template("auth/invitation.html", form=form, user=user,
                           min_password_length=services.MIN_PASSWORD_LENGTH)


@bp.route("/invitation/<token>/renew", methods=["POST"])
def renew_invitation(token: str) -> str | Response | tuple[str, int]:
    checked = tokens.check(db.session, token, Purpose.INVITATION)
    if checked.status == Status.VALID:
        return redirect(url_for("auth.accept_invitation", token=token))  # it still works
    if checked.status not in (Status.EXPIRED, Status.SUPERSEDED) or checked.user is None:
        return _link_problem(Purpose.INVITATION, checked.status, token)
    wait = limits.invitation_renewal_allowed(checked.user.id)
    if wait is not None:
        return render_template(
            "auth/link_problem.html", title=_("Too many new invitations asked for"),
            text=ngettext("Wait %(num)d minute and try again.", "Wait %(num)d minutes and try again.",
                          max(1, -(-wait // 60))),
            renew_url=None, reset_url=None, sign_in_url=url_for("auth.sign_in")), 429
    invitations.renew(db.session, checked.user)
    db.session.commit()
    return render_template("auth/link_sent.html", title=_("A new invitation is on its way"),
                           text=_("It has been sent to the address the first invitation went to. "
                                  "Open the link in the new message to choose your password."))


@bp.route("/reset", methods=["GET", "POST"])
def request_reset() -> str:
    form = ResetRequestForm()
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data or "")
        # Over either limit, the answer is the same and nothing is sent.
        if limits.password_reset_allowed(email):
            resets.request_reset(db.session, email)
            db.session.commit()
        return render_template(
            "auth/link_sent.html", title=_("Check your e-mail"),
            text=_("If an account exists for that address, we have sent a link to choose a new "
                   "password. It works for %(hours)d hours. If nothing arrives within a few minutes, "
                   "check your spam folder or ask your administrator.",
                   hours=tokens.valid_hours(Purpose.RESET)))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    checked = tokens.check(db.session, token, Purpose.RESET)
    if checked.status != Status.VALID or checked.user is None:
        return _link_problem(Purpose.RESET, checked.status, token)
    user = checked.user
    form = NewPasswordForm()
    if form.validate_on_submit():
        resets.complete_reset(db.session, user, form.new_password.data or "")
        return _signed_in(user, message=_("Your password is changed and you are signed in. Every "
                                          "other sign-in of your account was ended."))
    return render_template("auth/reset_password.html", form=form, user=user,
                           min_password_length=services.MIN_PASSWORD_LENGTH)
