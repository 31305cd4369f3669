"""The main menu for the signed-in user's role, computed before any template runs."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from assessment.auth.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


_MENU = [
    (_l("Our assessments"), "survey.home", {Role.OFFICIAL}),
    (_l("Regional dashboard"), "dashboard.index", {Role.REGIONAL, Role.ANALYST, Role.ADMIN}),
    (_l("Review"), "review.queue", {Role.REGIONAL, Role.ADMIN}),
    (_l("People"), "people.index", {Role.REGIONAL}),
    (_l("Data and API"), "exports.index", {Role.ANALYST, Role.REGIONAL, Role.ADMIN, Role.OFFICIAL}),
    (_l("Administration"), "admin.index", {Role.ADMIN}),
    (_l("Import accounts"), "admin.user_import", {Role.REGIONAL}),
    (_l("Your account"), "account.index", {Role.ANALYST, Role.REGIONAL, Role.ADMIN, Role.OFFICIAL}),
    (_l("Methodology"), "home.methodology", None),
]


def nav_items() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint, roles in _MENU:
        if roles is not None and current_user.role not in roles:
            continue
        url = url_for(endpoint)
        blueprint = endpoint.split(".")[0]
        items.append(NavItem(str(label), url, request.blueprint == blueprint))
    return items


def init_app(app: Flask) -> None:
    @app.context_processor
    def _inject_nav() -> dict[str, object]:
        return {"nav_items": nav_items()}
