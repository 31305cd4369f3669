"""City Innovation Self-Assessment: the application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from flask_babel import lazy_gettext

from assessment import assets, errors, formatting, i18n, jobs, logs, navigation, security
from assessment import mail as _mail  # noqa: F401 - declares the mail.send job
from assessment.audit import trail
from assessment.audit.services import client_address
from assessment.config import INSTANCE_DIR, PROJECT_ROOT, load_settings
from assessment.database import write_intent
from assessment.errors import API_PREFIX
from assessment.exports import files as _export_files  # noqa: F401 - declares the exports jobs
from assessment.extensions import babel, compress, csrf, db, limiter, login_manager, mailman
from assessment.questionnaire import load_questionnaire

__all__ = ["create_app"]

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
    # After the blueprints: the features have declared their jobs, periodic ones included
    # (Celery beat's schedule is built from them).
    jobs.init_app(app)
    register_request_hooks(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    logs.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])


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
    mailman.init_app(app)
    trail.init_app(app)
    assets.init_app(app)
    navigation.init_app(app)


def register_blueprints(app: Flask) -> None:
    from assessment.account.views import bp as account_bp
    from assessment.actions.views import bp as actions_bp
    from assessment.admin.views import bp as admin_bp
    from assessment.api.views import bp as api_bp
    from assessment.auth.views import bp as auth_bp
    from assessment.dashboard.views import bp as dashboard_bp
    from assessment.exports.views import bp as exports_bp
    from assessment.health.views import bp as health_bp
    from assessment.home.views import bp as home_bp
    from assessment.opendata.views import bp as opendata_bp
    from assessment.people.views import bp as people_bp
    from assessment.reminders.views import bp as reminders_bp
    from assessment.results.views import bp as results_bp
    from assessment.review.views import bp as review_bp
    from assessment.survey.views import bp as survey_bp

    for blueprint in (home_bp, health_bp, auth_bp, survey_bp, results_bp, dashboard_bp,
                      exports_bp, admin_bp, account_bp, people_bp, reminders_bp, actions_bp,
                      opendata_bp, review_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(api_bp, url_prefix=API_PREFIX)
    # The API authenticates with bearer tokens, not cookies, so CSRF does not apply.
    csrf.exempt(api_bp)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _mark_write_intent() -> None:
        write_intent.set(request.method in WRITE_METHODS)
        client_address.set(request.remote_addr)

    @app.before_request
    def _refuse_unreadable_requests() -> None:
        security.check_request()


def register_error_handlers(app: Flask) -> None:
    errors.register(app)


def register_commands(app: Flask) -> None:
    from assessment.cli import register

    register(app)
