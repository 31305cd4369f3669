"""The admin blueprint: only administrators get in, and every page gets the section menu.

Regional offices get into the import of accounts only, which limits them to their own region.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from assessment.auth.models import Role
from assessment.auth.services import MIN_PASSWORD_LENGTH
from assessment.extensions import login_manager

bp = Blueprint("admin", __name__, url_prefix="/admin")
REGIONAL_ENDPOINTS = frozenset({"admin.user_import", "admin.user_import_run", "admin.user_import_example"})


@bp.before_request
def _administrators_only() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role == Role.REGIONAL and request.endpoint in REGIONAL_ENDPOINTS:
        return None
    if current_user.role != Role.ADMIN:
        abort(403)
    return None


@dataclass(frozen=True)
class Section:
    label: str
    url: str
    current: bool


_SECTIONS = [
    (_l("Overview"), "index", ("index",)),
    (_l("Regions"), "regions", ("region",)),
    (_l("Countries"), "countries", ("countr",)),
    (_l("Cities"), "cities", ("cit",)),
    (_l("Peer groups"), "peer_groups", ("peer_group",)),
    (_l("Accounts"), "users", ("user",)),
    (_l("Rounds"), "rounds", ("round",)),
    (_l("Questionnaire versions"), "questionnaire", ("questionnaire", "version")),
    (_l("Audit log"), "audit", ("audit",)),
    (_l("Outbox"), "outbox", ("outbox",)),
    (_l("Jobs"), "jobs", ("job", "retry_job")),
]


@bp.context_processor
def _admin_sections() -> dict[str, Any]:
    endpoint = (request.endpoint or "").removeprefix("admin.")
    return {
        "admin_sections": [
            Section(str(label), url_for(f"admin.{target}"), endpoint.startswith(stems))
            for label, target, stems in _SECTIONS
        ] if getattr(current_user, "role", None) == Role.ADMIN else [],
        "min_password_length": MIN_PASSWORD_LENGTH,
    }
