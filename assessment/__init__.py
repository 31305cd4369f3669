"""City Innovation Self-Assessment: the application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from assessment import assets, formatting, i18n, navigation, security
from assessment.config import INSTANCE_DIR, PROJECT_ROOT, load_settings
from assessment.database import write_intent
from assessment.extensions import babel, compress, csrf, db, limiter, login_manager
from assessment.questionnaire import load_questionnaire

__all__ = ["create_app"]

API_PREFIX = "/api/v1"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, then apply ``config`` overrides (tests)."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_mapping(load_settings().as_flask_config())
    if config:
        app.config.from_mapping(config)
    register_logging(app)
    register_questionnaire(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    app.logger.setLevel(app.config["LOG_LEVEL"])
    logging.getLogger("assessment").setLevel(app.config["LOG_LEVEL"])


def register_questionnaire(app: Flask) -> None:
    # Raises QuestionnaireError, listing every problem with file, line and field:
    # the app refuses to start on an invalid questionnaire.
    app.extensions["questionnaire"] = load_questionnaire(app.config["QUESTIONNAIRE_PATH"])


def register_extensions(app: Flask) -> None:
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        INSTANCE_DIR.mkdir(exist_ok=True)
    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    formatting.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = lazy_gettext("Please sign in to continue.")
    login_manager.login_message_category = "info"
    # Sessions are checked against the database on every request; Flask-Login's own
    # IP/user-agent check would sign people out on mobile networks.
    login_manager.session_protection = None
    security.init_app(app)
    assets.init_app(app)
    navigation.init_app(app)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]


def register_blueprints(app: Flask) -> None:
    from assessment.account.views import bp as account_bp
    from assessment.admin.views import bp as admin_bp
    from assessment.api.views import bp as api_bp
    from assessment.auth.views import bp as auth_bp
    from assessment.dashboard.views import bp as dashboard_bp
    from assessment.exports.views import bp as exports_bp
    from assessment.health.views import bp as health_bp
    from assessment.home.views import bp as home_bp
    from assessment.results.views import bp as results_bp
    from assessment.survey.views import bp as survey_bp

    for blueprint in (home_bp, health_bp, auth_bp, survey_bp, results_bp, dashboard_bp,
                      exports_bp, admin_bp, account_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(api_bp, url_prefix=API_PREFIX)
    # The API authenticates with bearer tokens, not cookies, so CSRF does not apply.
    csrf.exempt(api_bp)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _mark_write_intent() -> None:
        write_intent.set(request.method in WRITE_METHODS)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> tuple[str, int]:
        message = _("This form has expired. Please go back, reload the page and try again.")
        return render_template("errors/error.html", code=400, message=message), 400

    def _wants_json() -> bool:
        # By path, not blueprint: an unknown URL under /api/ matches no blueprint.
        return request.path.startswith(API_PREFIX + "/") or request.path == API_PREFIX

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response | tuple[str | Response, int]:
        code = error.code or 500
        if _wants_json():
            return jsonify({"error": error.name, "detail": error.description}), code
        return render_template("errors/error.html", code=code, message=error.description), code

    @app.errorhandler(Exception)
    def _server_error(error: Exception) -> tuple[str | Response, int]:
        # Leave no half-written transaction behind.
        db.session.rollback()
        app.logger.exception("unhandled error")
        if _wants_json():
            return jsonify({"error": "Internal Server Error",
                            "detail": "Something went wrong on our side."}), 500
        message = _("Something went wrong on our side. Nothing you saved has been lost.")
        return render_template("errors/error.html", code=500, message=message), 500


def register_commands(app: Flask) -> None:
    from assessment.cli import register

    register(app)
