"""Response headers that keep pages private and scripts our own.

A handful of fixed headers; a library would bring HTTPS redirects and nonce machinery
this app does not use (TLS is terminated by the reverse proxy in production).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Flask, Response, abort, current_app, request
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

from assessment import storable
from assessment.forms import undecodable_fields

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Plotly sets inline styles on the SVG elements it draws and adds its own rules.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class TrustedProxyFix:
    """Werkzeug's ProxyFix, applied only to requests that come from a trusted proxy.

    Without this, anyone who can reach the app directly could choose their own client address
    (and so escape the per-address limits) by sending an ``X-Forwarded-For`` header.
    """

    def __init__(self, app: Any, *, count: int, trusted: Iterable[str]) -> None:
        self.direct = app
        self.proxied = ProxyFix(app, x_for=count, x_proto=count, x_host=count)
        self.networks = [ipaddress.ip_network(n, strict=False) for n in trusted]

    def _trusted(self, address: str | None) -> bool:
        try:
            peer = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(peer in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self._trusted(environ.get("REMOTE_ADDR")):
            return self.proxied(environ, start_response)
        return self.direct(environ, start_response)


def init_app(app: Flask) -> None:
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = TrustedProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, count=app.config["PROXY_COUNT"], trusted=app.config["TRUSTED_PROXIES"])

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static" and "Cache-Control" not in headers:
            # Pages hold a city's answers, scores or people's names: no cache keeps them.
            headers["Cache-Control"] = "no-store"
        return response


def check_request() -> None:
    """Refuse, before any view runs, what no view can use: an address whose text cannot be
    stored, and a JSON body (no endpoint takes one; a malformed one gets a JSON 400)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and (request.content_length or 0) > limit:
        abort(413)  # whatever the content type, read or not
    texts = [request.path, *request.args.keys(), *request.args.values()]
    found = storable.first_problem(texts)
    if not found:
        try:  # Werkzeug keeps bytes that are not UTF-8 as %XX text: look at the raw query
            parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            found = str(storable.UNDECODABLE_MESSAGE)
    if found:
        abort(400, description=_("The address of this page contains characters that cannot be used. %(why)s",
                                 why=found))
    undecodable_fields()  # reads the raw form body before anything parses it
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype == "application/json":
        try:
            json.loads(request.get_data(cache=True) or b"")
        except ValueError:
            abort(400, description=_("The request body is not valid JSON."))
        abort(415, description=_("This address takes form data, not JSON."))


def safe_next(target: str | None) -> str | None:
    """Only follow a ``next`` that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
