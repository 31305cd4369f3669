"""Abuse limits: sign-in per client address and per account, password checks and downloads per
user, and the links sent by e-mail (password resets, new invitations) per client and per account.

The per-account limit counts failed sign-ins only, and does not apply to a browser that has
signed in to that account before (it carries a signed "known device" cookie): someone guessing a
password from elsewhere can slow down attempts on the account, but cannot lock its owner out.
Forms that ask a signed-in person for their password again (changing one's own, an admin
setting someone else's) count wrong passwords per user against ``LOGIN_RATE_LIMIT``, on one
shared counter, so a stolen session cannot guess faster through them than through sign-in.
The counters live where Flask-Limiter keeps them (Redis when ``REDIS_URL`` is set, so every
worker and instance shares them).
"""

from __future__ import annotations

import math
import time

from flask import current_app, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many
from werkzeug.wrappers import Response

from assessment.auth.services import hash_token, normalise_email
from assessment.extensions import limiter

DEVICE_COOKIE = "known_device"
DEVICE_DAYS = 180


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _account(email: str) -> str:
    return hash_token(normalise_email(email))[:32]


def posted_account_key() -> str:
    """The limiter's key for the account named in the sign-in form (a hash, not the address)."""
    return "account:" + _account(request.form.get("email", ""))


def known_device() -> bool:
    """Whether this browser signed in to the account in the form before."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return False
    try:
        accounts = _serializer().loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return False
    return isinstance(accounts, list) and _account(request.form.get("email", "")) in accounts


def remember_device(response: Response, email: str) -> None:
    """Mark this browser as one that signed in to ``email`` (kept with up to 5 accounts)."""
    accounts: list[str] = []
    cookie = request.cookies.get(DEVICE_COOKIE)
    if cookie:
        try:
            loaded = _serializer().loads(cookie, max_age=DEVICE_DAYS * 86400)
            accounts = [a for a in loaded if isinstance(a, str)] if isinstance(loaded, list) else []
        except BadSignature:
            accounts = []
    account = _account(email)
    accounts = [account, *[a for a in accounts if a != account]][:5]
    response.set_cookie(DEVICE_COOKIE, _serializer().dumps(accounts), max_age=DEVICE_DAYS * 86400,
                        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])


def failed_sign_in(response: Response) -> bool:
    """A sign-in that did not succeed (success redirects)."""
    return response.status_code != 302


def address_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def account_limit() -> str:
    return str(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])


def spend(setting: str, scope: str, identity: str) -> int | None:
    """Count one use of ``scope`` by ``identity`` against the limits in ``setting``; return the
    seconds to wait when a limit is reached (nothing is counted then), else None."""
    if not limiter.enabled:
        return None
    limits = parse_many(current_app.config[setting])
    strategy = limiter.limiter
    for limit in limits:
        if not strategy.test(limit, scope, identity):
            reset, _remaining = strategy.get_window_stats(limit, scope, identity)
            return max(1, math.ceil(reset - time.time()))
    for limit in limits:
        strategy.hit(limit, scope, identity)
    return None


# --- forms that check the signed-in person's password -------------------------------------------

PASSWORD_CHECK_SCOPE = "password-check"  # nosec B105 # the name of a rate-limit scope, not a secret
# Set on a request whose form held a wrong password (the environ lives exactly one request).
_WRONG = "assessment.wrong_password"


def _password_check_key() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def count_wrong_password() -> None:
    """Count this request's attempt against the limit."""
    request.environ[_WRONG] = True


def _was_wrong(response: Response) -> bool:
    return bool(request.environ.get(_WRONG))


def _too_many_wrong_passwords() -> str:
    return _("Too many wrong passwords. Wait a minute and try again.")


password_attempts = limiter.shared_limit(
    address_limit, scope=PASSWORD_CHECK_SCOPE, key_func=_password_check_key, methods=["POST"],
    deduct_when=_was_wrong, error_message=_too_many_wrong_passwords,
)


# --- links sent by e-mail -------------------------------------------------------------------------


def password_reset_allowed(email: str) -> bool:
    """Count one password-reset request from this client and for this address; False, counting
    nothing more, once either has reached ``PASSWORD_RESET_RATE_LIMIT``."""
    if spend("PASSWORD_RESET_RATE_LIMIT", "password-reset-client", get_remote_address()) is not None:
        return False
    return spend("PASSWORD_RESET_RATE_LIMIT", "password-reset-account", _account(email)) is None


def invitation_renewal_allowed(user_id: int) -> int | None:
    """Count one "send me a new invitation" from this client and for this account, against
    ``PASSWORD_RESET_RATE_LIMIT``; return the seconds to wait once either limit is reached."""
    wait = spend("PASSWORD_RESET_RATE_LIMIT", "invitation-renewal-client", get_remote_address())
    if wait is not None:
        return wait
    return spend("PASSWORD_RESET_RATE_LIMIT", "invitation-renewal-account", str(user_id))
