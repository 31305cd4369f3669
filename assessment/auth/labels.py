"""The words for a role, written once for every page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from assessment.auth.models import Role

ROLE_LABELS = {
    Role.OFFICIAL: _l("City official"),
    Role.REGIONAL: _l("Regional office"),
    Role.ANALYST: _l("Analyst"),
    Role.ADMIN: _l("Administrator"),
}
