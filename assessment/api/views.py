"""The read-only JSON API, version 1: bearer tokens, the same scoping as the web pages.

Every list answers ``{"data": [...], "page", "per_page", "total", "next"}``; ``next`` is the
absolute URL of the following page, or null on the last one. Errors answer
``{"error", "detail"}`` with the HTTP status.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from flask_limiter.util import get_remote_address
from limits import parse
from sqlalchemy import ColumnElement, and_, select

from assessment.api import notices, openapi, services, tokens
from assessment.audit.services import record_now
from assessment.auth import limits
from assessment.auth.access import city_scope
from assessment.auth.models import Role, User
from assessment.exports import services as tables
from assessment.extensions import db, limiter
from assessment.places.models import Region

bp = Blueprint("api", __name__)

REALM = "City Innovation Self-Assessment API"
MAX_PAGE = openapi.MAX_PAGE
_PUBLIC = {"api.openapi"}
# Importing the module registers the notice job and its mail.
NOTICE_KIND = notices.MAIL_KIND


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.error, self.detail, self.headers = status, error, detail, headers or {}


@bp.errorhandler(ApiError)
def _api_error(problem: ApiError) -> Response:
    response = jsonify({"error": problem.error, "detail": problem.detail})
    response.status_code = problem.status
    response.headers.update(problem.headers)
    return response


def _failure_limit() -> Any:
    # Failed token checks allowed per client address (setting API_AUTH_FAILURE_LIMIT).
    return parse(current_app.config["API_AUTH_FAILURE_LIMIT"])


def _unauthorized(detail: str, error: str | None) -> ApiError:
    challenge = f'Bearer realm="{REALM}"'
    if error:
        challenge += f', error="{error}"'
    return ApiError(401, "Unauthorized", detail, {"WWW-Authenticate": challenge})


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in _PUBLIC:
        return
    client = get_remote_address()
    limit = _failure_limit()
    if limiter.enabled and not limiter.limiter.test(limit, "api-token-failures", client):
        raise ApiError(429, "Too Many Requests",
                       "Too many requests with a missing or wrong token. Wait a minute.",
                       {"Retry-After": "60"})
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        found = None
        problem = _unauthorized("Send a personal access token: Authorization: Bearer <token>.", None)
    elif scheme.lower() != "bearer" or not secret.strip():
        found = None
        problem = _unauthorized("Use the Bearer scheme: Authorization: Bearer <token>.",
                                "invalid_request")
    else:
        found = tokens.user_for_secret(db.session, secret.strip())
        problem = _unauthorized("The token is unknown, revoked or expired, or its account is "
                                "inactive. Create a new one on your account page.", "invalid_token")
    if found is None:
        if limiter.enabled:
            limiter.limiter.hit(limit, "api-token-failures", client)
        raise problem
    wait = limits.spend("API_RATE_LIMIT", "api-user", str(found[0].id))
    if wait is not None:
        raise ApiError(429, "Too Many Requests",
                       f"This account has made more requests than API_RATE_LIMIT allows "
                       f"({current_app.config['API_RATE_LIMIT']}). Wait {wait} seconds.",
                       {"Retry-After": str(wait)})
    g.api_user, g.api_token = found
    # The token's last use (if it needed updating) is committed first, then the event.
    record_now(db.session, "api.read", found[0], path=request.path, query=request.args.to_dict(),
               token_id=found[1].id)


def _user() -> User:
    user: User = g.api_user
    return user


def _scope() -> ColumnElement[bool]:
    """The cities this request may read: its account's, narrowed to the token's regions."""
    return and_(city_scope(_user()), tokens.region_scope(g.api_token))


def _int_arg(name: str, default: int, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "Bad Request", f"{name} must be a whole number.") from None
    if value < 1:
        raise ApiError(400, "Bad Request", f"{name} must be at least 1.")
    if maximum is not None and value > maximum:
        raise ApiError(400, "Bad Request", f"{name} must be at most {maximum}.")
    return value


def _pagination() -> tuple[int, int]:
    page = _int_arg("page", 1, MAX_PAGE)
    largest = int(current_app.config["API_MAX_PAGE_SIZE"])
    # Larger pages than allowed are capped, not refused; the answer says the size used.
    per_page = min(_int_arg("per_page", int(current_app.config["API_PAGE_SIZE"])), largest)
    return page, per_page


def _envelope(data: list[dict[str, Any]], page: int, per_page: int, total: int) -> Response:
    next_url = None
    if page * per_page < total:
        args = request.args.to_dict()
        args.update(page=str(page + 1), per_page=str(per_page))
        next_url = url_for(request.endpoint or "", _external=True,
                           **(request.view_args or {}), **args)
    return _json({"data": data, "page": page, "per_page": per_page, "total": total,
                  "next": next_url})


def _json(payload: Any) -> Response:
    """JSON in the columns' own order (jsonify sorts keys)."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return current_app.response_class(body, mimetype="application/json")


def _filters() -> tables.Filters:
    try:
        return tables.Filters.from_mapping(request.args)
    except tables.FilterError as problem:
        raise ApiError(400, "Bad Request", str(problem)) from None


def _text_arg(name: str) -> str | None:
    value = (request.args.get(name) or "").strip()
    if len(value) > tables.MAX_FILTER_LENGTH:
        raise ApiError(400, "Bad Request", f"The {name} filter is too long.")
    return value or None


@bp.route("/openapi.json", endpoint="openapi")
def openapi_document() -> Response:
    """The API description; public, so tools can read it before they have a token."""
    base = url_for("api.openapi", _external=True).removesuffix("/openapi.json")
    return _json(openapi.document(current_app.config, base))


@bp.route("/me")
def me() -> Response:
    token = g.api_token
    regions = None
    if token.region_ids:
        regions = [{"id": rid, "name": name} for rid, name in db.session.execute(
            select(Region.id, Region.name).where(Region.id.in_(token.region_ids))
            .order_by(Region.name))]
    return _json(services.describe_me(_user(), token, regions))


@bp.route("/rounds")
def rounds() -> Response:
    page, per_page = _pagination()
    session = db.session
    data = services.list_rounds(session, _scope(), (page - 1) * per_page, per_page)
    return _envelope(data, page, per_page, services.count_rounds(session))


@bp.route("/regions")
def regions() -> Response:
    page, per_page = _pagination()
    user = _user()
    session = db.session
    global_view = user.role in (Role.ANALYST, Role.ADMIN) and not g.api_token.region_ids
    scope = _scope()
    data = services.list_regions(session, scope, global_view, (page - 1) * per_page, per_page)
    return _envelope(data, page, per_page, services.count_regions(session, scope, global_view))


@bp.route("/cities")
def cities() -> Response:
    page, per_page = _pagination()
    region, country = _text_arg("region"), _text_arg("country")
    session = db.session
    scope = _scope()
    if any(value and "\x00" in value for value in (region, country)):
        return _envelope([], page, per_page, 0)  # no name holds a NUL character
    data = services.list_cities(session, scope, region, country, (page - 1) * per_page, per_page)
    return _envelope(data, page, per_page, services.count_cities(session, scope, region, country))


@bp.route("/tables/<any(long, wide, choices, scores, codebook, actions):name>")
def table(name: str) -> Response:
    if not tokens.may_read_table(g.api_token, name):
        raise ApiError(403, "Forbidden", f"This token may read only these tables: "
                       f"{', '.join(g.api_token.tables or ())}. Create a token for the {name} "
                       "table on your account page.",
                       {"WWW-Authenticate": f'Bearer realm="{REALM}", error="insufficient_scope"'})
    page, per_page = _pagination()
    filters = _filters()
    session = db.session
    spec = tables.table(name)
    scope = _scope()
    names = [column.name for column in spec.columns(session, filters)]
    rows = spec.rows(session, filters, scope, offset=(page - 1) * per_page, limit=per_page)
    data = [dict(zip(names, row, strict=True)) for row in rows]
    return _envelope(data, page, per_page, spec.count(session, filters, scope))
