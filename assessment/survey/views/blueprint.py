"""The survey blueprint and what its views share: access to an assessment, the CSRF check, signing in."""


from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    request,
    session,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user
from flask_wtf.csrf import validate_csrf
from limits import parse as parse_limit
from wtforms import ValidationError

from assessment.assessments import deadlines, services
from assessment.assessments.deadline_text import DeadlineNotice, deadline_notice
from assessment.assessments.deadlines import Deadline
from assessment.assessments.models import Assessment, AssessmentStatus
from assessment.audit import services as audit
from assessment.auth import services as auth_services
from assessment.auth.access import can_edit_city, can_view_city, deny_hidden
from assessment.database import utcnow
from assessment.extensions import db, limiter
from assessment.survey import pages

bp = Blueprint("survey", __name__)


# --- small helpers -----------------------------------------------------------------------------


def csrf_ok() -> bool:
    """Whether the posted CSRF token is valid, without raising (the caller keeps the data)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


def viewable(assessment_id: int) -> Assessment:
    """The assessment if the signed-in user may see its city; 404 otherwise (no existence leak)."""
    assessment = services.get_assessment(db.session, assessment_id)
    if assessment is None:
        abort(404)
    if not can_view_city(current_user, assessment.city):
        deny_hidden(current_user)
    return assessment


def editable(assessment: Assessment, deadline: Deadline) -> bool:
    """Whether the signed-in user may change the answers now: the city's own official, a draft
    or reopened assessment, and the city's deadline in the round not passed."""
    return current_user.is_authenticated and can_edit_city(current_user, assessment.city) and (
        assessment.status in services.EDITABLE
    ) and not deadline.has_passed(utcnow())


def deadline_of(assessment: Assessment) -> Deadline:
    return deadlines.assessment_deadline(db.session, assessment)


def deadline_line(assessment: Assessment, deadline: Deadline) -> DeadlineNotice:
    """The deadline as the page says it: the city is named for everyone but its own officials."""
    own = current_user.is_authenticated and can_edit_city(current_user, assessment.city)
    return deadline_notice(deadline, utcnow(), city=None if own else assessment.city.name)


def reopened(assessment: Assessment) -> pages.ReopenNotice | None:
    """The regional office's reason, while a reopened assessment waits to be resubmitted."""
    if assessment.status != AssessmentStatus.REOPENED:
        return None
    return pages.reopen_notice(audit.latest(db.session, assessment.id, "reopen"))


def reauthenticate() -> str | None:
    """Sign in again from inside a form; returns an error message, or None when signed in."""
    allowed = limiter.limiter.hit(
        parse_limit(str(current_app.config["LOGIN_RATE_LIMIT"])), "survey-reauth", get_remote_address()
    )
    if not allowed:
        return _("Too many sign-in attempts. Wait a minute and try again: your answers are still here.")
    user = auth_services.authenticate(
        db.session, request.form.get("reauth_email", ""), request.form.get("reauth_password", "")
    )
    if user is None:
        return _("The email or password is not right. Please try again.")
    # A fresh session at every sign-in, as on the sign-in page; the CSRF token is renewed too.
    session.clear()
    g.pop("csrf_token", None)
    auth_services.start_session(db.session, user, current_app.config["SESSION_HOURS"])
    db.session.commit()
    login_user(user)
    return None


