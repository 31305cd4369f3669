"""Settings: the only module that reads the environment.

Every setting has a documented type and default (see README, "Configuration").
Values are parsed explicitly, never guessed, and a bad value stops the app with a
message that names the variable. A ``.env`` file (see ``.env.example``) fills in what the
environment does not set.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values
from limits import parse_many

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
ENVIRONMENTS = ("development", "testing", "production")
# Never used in production, where SECRET_KEY is required (see load_settings).
_DEV_SECRET = "development-only-secret-key-change-me"  # nosec B105 # a known placeholder, on purpose


# The interface languages (assessment.i18n describes them; config imports nothing of the app).
LOCALES = ("ar", "zh", "en", "fr", "ru", "es")
# The kinds of evidence document an answer can carry, by the name of the type its content shows
# (assessment.review.storage reads the content); DOCUMENT_TYPES chooses among them.
DOCUMENT_TYPES = ("pdf", "docx", "xlsx", "pptx", "odt", "ods", "doc", "xls", "png", "jpg", "webp", "gif")
DOCUMENT_STORAGES = ("database", "folder")


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


def _limit(env: Mapping[str, str], name: str, default: str) -> str:
    """A rate limit such as ``10 per minute`` (several separated by ``;``)."""
    value = _text(env, name, default)
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(f"{name} must be a rate limit such as '10 per minute' (several separated by "
                          f"';'), not {value!r}.") from None
    return value


def _networks(env: Mapping[str, str], name: str, default: str) -> tuple[str, ...]:
    """Addresses or networks (``10.0.0.0/8``), separated by commas."""
    value = _text(env, name, default)
    networks = tuple(part.strip() for part in value.split(",") if part.strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(f"{name} must list IP addresses or networks separated by commas; "
                              f"{network!r} is neither.") from None
    return networks


def _document_types(env: Mapping[str, str]) -> tuple[str, ...]:
    """The document types accepted as evidence, from ``DOCUMENT_TYPES`` ("pdf, docx, png")."""
    raw = env.get("DOCUMENT_TYPES", "").strip()
    if not raw:
        return DOCUMENT_TYPES
    chosen = []
    for part in raw.split(","):
        name = part.strip().lower().lstrip(".")
        name = "jpg" if name == "jpeg" else name
        if not name:
            continue
        if name not in DOCUMENT_TYPES:
            raise ConfigError(f"DOCUMENT_TYPES may list {', '.join(DOCUMENT_TYPES)}; {part.strip()!r} "
                              "is not one of them.")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise ConfigError("DOCUMENT_TYPES lists no document type.")
    return tuple(chosen)


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
    login_account_rate_limit: str
    api_rate_limit: str
    export_rate_limit: str
    trusted_proxies: tuple[str, ...]
    default_locale: str
    api_page_size: int
    api_max_page_size: int
    api_auth_failure_limit: str
    proxy_count: int
    secure_cookies: bool
    log_level: str
    log_format: str
    max_content_length: int
    sqlite_busy_seconds: float
    retry_after_seconds: int
    health_min_free_mb: int
    mail_server: str | None
    mail_port: int
    mail_use_tls: bool
    mail_use_ssl: bool
    mail_username: str | None
    mail_password: str | None
    mail_default_sender: str
    public_url: str
    invitation_hours: int
    reset_hours: int
    password_reset_rate_limit: str
    export_folder: Path
    min_peer_cities: int
    document_max_mb: int = 3
    document_types: tuple[str, ...] = DOCUMENT_TYPES
    document_storage: str = "database"
    document_folder: Path = INSTANCE_DIR / "documents"
    export_keep_hours: int = 24
    export_direct_rows: int = 20_000
    token_days: int = 90
    token_max_days: int = 365
    token_notice_days: int = 7
    open_data_licence: str = "CC-BY-4.0"

    def as_flask_config(self) -> dict[str, object]:
        return {
            "APP_ENV": self.app_env,
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.database_url,
            "QUESTIONNAIRE_PATH": self.questionnaire_path,
            "REDIS_URL": self.redis_url,
            "SESSION_HOURS": self.session_hours,
            "LOGIN_RATE_LIMIT": self.login_rate_limit,
            "LOGIN_ACCOUNT_RATE_LIMIT": self.login_account_rate_limit,
            "API_RATE_LIMIT": self.api_rate_limit,
            "EXPORT_RATE_LIMIT": self.export_rate_limit,
            "TRUSTED_PROXIES": self.trusted_proxies,
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
            "LOG_FORMAT": self.log_format,
            # One ceiling for every request body, whatever its content type; form fields get the
            # same (Flask's own default for them is 500 kB).
            "MAX_CONTENT_LENGTH": self.max_content_length,
            "MAX_FORM_MEMORY_SIZE": self.max_content_length,
            "SQLITE_BUSY_SECONDS": self.sqlite_busy_seconds,
            "RETRY_AFTER_SECONDS": self.retry_after_seconds,
            "HEALTH_MIN_FREE_MB": self.health_min_free_mb,
            "MAIL_SERVER": self.mail_server,
            "MAIL_PORT": self.mail_port,
            "MAIL_USE_TLS": self.mail_use_tls,
            "MAIL_USE_SSL": self.mail_use_ssl,
            "MAIL_USERNAME": self.mail_username,
            "MAIL_PASSWORD": self.mail_password,
            "MAIL_DEFAULT_SENDER": self.mail_default_sender,
            "MAIL_TIMEOUT": 30,
            # SMTP when a server is set; otherwise every message is written to the outbox folder.
            "MAIL_BACKEND": "smtp" if self.mail_server else "assessment.mail.outbox.EmailBackend",
            "MAIL_FILE_PATH": str(INSTANCE_DIR / "outbox"),
            "PUBLIC_URL": self.public_url,
            "INVITATION_HOURS": self.invitation_hours,
            "RESET_HOURS": self.reset_hours,
            "PASSWORD_RESET_RATE_LIMIT": self.password_reset_rate_limit,
            "EXPORT_FOLDER": str(self.export_folder),
            "MIN_PEER_CITIES": self.min_peer_cities,
            "DOCUMENT_MAX_MB": self.document_max_mb,
            "DOCUMENT_TYPES": self.document_types,
            "DOCUMENT_STORAGE": self.document_storage,
            "DOCUMENT_FOLDER": str(self.document_folder),
            "EXPORT_KEEP_HOURS": self.export_keep_hours,
            "EXPORT_DIRECT_ROWS": self.export_direct_rows,
            "TOKEN_DAYS": self.token_days,
            "TOKEN_MAX_DAYS": self.token_max_days,
            "TOKEN_NOTICE_DAYS": self.token_notice_days,
            "OPEN_DATA_LICENCE": self.open_data_licence,
            # Methods a route does not list are refused with 405 and an Allow header, OPTIONS too.
            "PROVIDE_AUTOMATIC_OPTIONS": False,
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
    log_format = _text(env, "LOG_FORMAT", "text").lower()
    if log_format not in {"text", "json"}:
        raise ConfigError(f"LOG_FORMAT must be text or json, not {log_format!r}.")
    busy_raw = _text(env, "SQLITE_BUSY_SECONDS", "30")
    try:
        sqlite_busy_seconds = float(busy_raw)
    except ValueError:
        raise ConfigError(f"SQLITE_BUSY_SECONDS must be a number of seconds, not {busy_raw!r}.") from None
    if not 0 < sqlite_busy_seconds <= 600:
        raise ConfigError(f"SQLITE_BUSY_SECONDS must be between 0 and 600, not {busy_raw}.")
    mail_use_tls = _bool(env, "MAIL_USE_TLS", False)
    mail_use_ssl = _bool(env, "MAIL_USE_SSL", False)
    if mail_use_tls and mail_use_ssl:
        raise ConfigError("MAIL_USE_TLS (STARTTLS) and MAIL_USE_SSL (TLS from the start) exclude "
                          "each other: set one of them.")
    public_url = _text(env, "PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    if not public_url.startswith(("http://", "https://")):
        raise ConfigError(f"PUBLIC_URL must start with http:// or https://, not {public_url!r}.")
    token_max_days = _int(env, "TOKEN_MAX_DAYS", 365, minimum=1)
    token_days = _int(env, "TOKEN_DAYS", 90, minimum=1)
    if token_days > token_max_days:
        raise ConfigError(f"TOKEN_DAYS ({token_days}) cannot be more than TOKEN_MAX_DAYS "
                          f"({token_max_days}).")
    max_content_length = _int(env, "MAX_CONTENT_LENGTH", 4 * 1024 * 1024, minimum=64 * 1024)
    document_max_mb = _int(env, "DOCUMENT_MAX_MB", 3, minimum=1)
    if document_max_mb * 1024 * 1024 + 64 * 1024 > max_content_length:
        needed = document_max_mb * 1024 * 1024 + 64 * 1024
        raise ConfigError(f"DOCUMENT_MAX_MB ({document_max_mb}) does not fit in a request of "
                          f"MAX_CONTENT_LENGTH ({max_content_length} bytes): raise "
                          f"MAX_CONTENT_LENGTH to at least {needed} or lower DOCUMENT_MAX_MB.")
    document_types = _document_types(env)
    document_storage = _text(env, "DOCUMENT_STORAGE", "database").lower()
    if document_storage not in DOCUMENT_STORAGES:
        raise ConfigError(f"DOCUMENT_STORAGE must be database or folder, not {document_storage!r}.")
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
        login_rate_limit=_limit(env, "LOGIN_RATE_LIMIT", "10 per minute"),
        login_account_rate_limit=_limit(env, "LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute; 20 per hour"),
        api_rate_limit=_limit(env, "API_RATE_LIMIT", "300 per minute"),
        export_rate_limit=_limit(env, "EXPORT_RATE_LIMIT", "30 per minute; 300 per day"),
        trusted_proxies=_networks(env, "TRUSTED_PROXIES", "127.0.0.1, ::1"),
        default_locale=default_locale,
        api_page_size=_int(env, "API_PAGE_SIZE", 100, minimum=1),
        api_max_page_size=_int(env, "API_MAX_PAGE_SIZE", 1000, minimum=1),
        api_auth_failure_limit=_limit(env, "API_AUTH_FAILURE_LIMIT", "30 per minute"),
        proxy_count=_int(env, "PROXY_COUNT", 0),
        secure_cookies=_bool(env, "SECURE_COOKIES", app_env == "production"),
        log_level=log_level,
        log_format=log_format,
        max_content_length=max_content_length,
        sqlite_busy_seconds=sqlite_busy_seconds,
        retry_after_seconds=_int(env, "RETRY_AFTER_SECONDS", 30, minimum=1),
        health_min_free_mb=_int(env, "HEALTH_MIN_FREE_MB", 50),
        mail_server=env.get("MAIL_SERVER", "").strip() or None,
        mail_port=_int(env, "MAIL_PORT", 465 if mail_use_ssl else 25, minimum=1),
        mail_use_tls=mail_use_tls,
        mail_use_ssl=mail_use_ssl,
        mail_username=env.get("MAIL_USERNAME", "").strip() or None,
        mail_password=env.get("MAIL_PASSWORD", "") or None,
        mail_default_sender=_text(env, "MAIL_DEFAULT_SENDER",
                                  "City Innovation Self-Assessment <no-reply@localhost>"),
        public_url=public_url,
        invitation_hours=_int(env, "INVITATION_HOURS", 168, minimum=1),
        reset_hours=_int(env, "RESET_HOURS", 2, minimum=1),
        password_reset_rate_limit=_limit(env, "PASSWORD_RESET_RATE_LIMIT", "5 per hour"),
        export_folder=Path(_text(env, "EXPORT_FOLDER", str(INSTANCE_DIR / "exports"))),
        min_peer_cities=_int(env, "MIN_PEER_CITIES", 5, minimum=1),
        document_max_mb=document_max_mb,
        document_types=document_types,
        document_storage=document_storage,
        document_folder=Path(_text(env, "DOCUMENT_FOLDER", str(INSTANCE_DIR / "documents"))),
        export_keep_hours=_int(env, "EXPORT_KEEP_HOURS", 24, minimum=1),
        export_direct_rows=_int(env, "EXPORT_DIRECT_ROWS", 20_000),
        token_days=token_days,
        token_max_days=token_max_days,
        token_notice_days=_int(env, "TOKEN_NOTICE_DAYS", 7, minimum=1),
        open_data_licence=_text(env, "OPEN_DATA_LICENCE", "CC-BY-4.0"),
    )
