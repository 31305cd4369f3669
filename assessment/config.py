"""Settings: the only module that reads the environment.

Every setting has a documented type and default (see README, "Configuration").
Values are parsed explicitly, never guessed, and a bad value stops the app with a
message that names the variable. A ``.env`` file (see ``.env.example``) fills in what the
environment does not set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
ENVIRONMENTS = ("development", "testing", "production")
_DEV_SECRET = "development-only-secret-key-change-me"


# The interface languages (assessment.i18n describes them; config imports nothing of the app).
LOCALES = ("ar", "zh", "en", "fr", "ru", "es")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


def _text(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip()
    return value or default


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}.")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}.")


@dataclass(frozen=True)
class Settings:
    """Typed view of the environment, turned into Flask config keys by ``as_flask_config``."""

    app_env: str
    secret_key: str
    database_url: str
    questionnaire_path: Path
    redis_url: str | None
    session_hours: int
    login_rate_limit: str
    default_locale: str
    api_page_size: int
    api_max_page_size: int
    api_auth_failure_limit: str
    proxy_count: int
    secure_cookies: bool
    log_level: str

    def as_flask_config(self) -> dict[str, object]:
        return {
            "APP_ENV": self.app_env,
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.database_url,
            "QUESTIONNAIRE_PATH": self.questionnaire_path,
            "REDIS_URL": self.redis_url,
            "SESSION_HOURS": self.session_hours,
            "LOGIN_RATE_LIMIT": self.login_rate_limit,
            "BABEL_DEFAULT_LOCALE": self.default_locale,
            "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
            "API_PAGE_SIZE": self.api_page_size,
            "API_MAX_PAGE_SIZE": self.api_max_page_size,
            "API_AUTH_FAILURE_LIMIT": self.api_auth_failure_limit,
            "PROXY_COUNT": self.proxy_count,
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "LOG_LEVEL": self.log_level,
            "TESTING": self.app_env == "testing",
            # Rate-limit storage shared by all workers when Redis is configured.
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
            # The CSRF token lives as long as the session: an expired form is handled
            # explicitly by the survey views, which keep what was posted.
            "WTF_CSRF_TIME_LIMIT": self.session_hours * 3600,
            "COMPRESS_MIMETYPES": [
                "text/html", "text/css", "text/csv", "application/javascript",
                "application/json", "image/svg+xml",
            ],
            "COMPRESS_STREAMS": False,
            # gzip level 5: the page with every question compresses to within 3% of level 6's
            # size in two thirds of the time. (Browsers that accept Brotli get it instead.)
            "COMPRESS_LEVEL": 5,
            "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        }


def dotenv_files() -> list[Path]:
    """Where ``.env`` files are read from, the first one winning: the working directory,
    then the instance folder."""
    return [Path.cwd() / ".env", INSTANCE_DIR / ".env"]


def read_environment() -> dict[str, str]:
    """The process environment over the ``.env`` files: a variable already set always wins.

    The files are read, never exported: ``os.environ`` is left as it was.
    """
    values: dict[str, str] = {}
    for path in reversed(dotenv_files()):
        if path.is_file():
            values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    values.update(os.environ)
    return values


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``env`` (default: the environment and the ``.env`` files)."""
    env = read_environment() if env is None else env
    app_env = _text(env, "APP_ENV", "development").lower()
    if app_env not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {app_env!r}.")
    secret_key = env.get("SECRET_KEY", "").strip()
    if not secret_key:
        if app_env == "production":
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value, for example the output "
                "of: python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        secret_key = _DEV_SECRET
    default_db = f"sqlite:///{INSTANCE_DIR / 'assessment.db'}"
    log_level = _text(env, "LOG_LEVEL", "INFO").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {log_level!r}.")
    default_locale = _text(env, "DEFAULT_LOCALE", "en")
    if default_locale not in LOCALES:
        raise ConfigError(f"DEFAULT_LOCALE must be one of {', '.join(LOCALES)}, not {default_locale!r}.")
    return Settings(
        app_env=app_env,
        secret_key=secret_key,
        database_url=_text(env, "DATABASE_URL", default_db),
        questionnaire_path=Path(
            _text(env, "QUESTIONNAIRE_PATH", str(PROJECT_ROOT / "questionnaire.yaml"))
        ),
        redis_url=env.get("REDIS_URL", "").strip() or None,
        session_hours=_int(env, "SESSION_HOURS", 12, minimum=1),
        login_rate_limit=_text(env, "LOGIN_RATE_LIMIT", "10 per minute"),
        default_locale=default_locale,
        api_page_size=_int(env, "API_PAGE_SIZE", 100, minimum=1),
        api_max_page_size=_int(env, "API_MAX_PAGE_SIZE", 1000, minimum=1),
        api_auth_failure_limit=_text(env, "API_AUTH_FAILURE_LIMIT", "30 per minute"),
        proxy_count=_int(env, "PROXY_COUNT", 0),
        secure_cookies=_bool(env, "SECURE_COOKIES", app_env == "production"),
        log_level=log_level,
    )
