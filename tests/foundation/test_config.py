import os
from dataclasses import fields
from pathlib import Path

import pytest

from assessment import config
from assessment.config import ConfigError, Settings, load_settings


def test_development_defaults_are_safe_to_run_locally() -> None:
    settings = load_settings({})
    assert settings.app_env == "development"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("instance/assessment.db")
    assert settings.secret_key
    assert settings.secure_cookies is False
    assert settings.questionnaire_path.name == "questionnaire.yaml"


def test_production_without_secret_key_stops_with_a_clear_message() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_settings({"APP_ENV": "production"})


def test_production_with_secret_key_uses_secure_cookies() -> None:
    settings = load_settings({"APP_ENV": "production", "SECRET_KEY": "x" * 40})
    assert settings.secure_cookies is True
    assert settings.as_flask_config()["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SESSION_HOURS": "soon"}, "SESSION_HOURS must be a whole number"),
        ({"SESSION_HOURS": "0"}, "SESSION_HOURS must be at least 1"),
        ({"SECURE_COOKIES": "maybe"}, "SECURE_COOKIES must be true or false"),
        ({"APP_ENV": "staging"}, "APP_ENV must be one of"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be"),
        ({"DEFAULT_LOCALE": "de"}, "DEFAULT_LOCALE must be one of ar, zh, en, fr, ru, es"),
        ({"LOGIN_ACCOUNT_RATE_LIMIT": "lots"}, "LOGIN_ACCOUNT_RATE_LIMIT must be a rate limit"),
        ({"EXPORT_RATE_LIMIT": "5 per fortnight"}, "EXPORT_RATE_LIMIT must be a rate limit"),
        ({"TRUSTED_PROXIES": "10.0.0.1, proxy.local"}, "TRUSTED_PROXIES must list IP addresses"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be text or json"),
        ({"MAX_CONTENT_LENGTH": "1000"}, "MAX_CONTENT_LENGTH must be at least 65536"),
        ({"SQLITE_BUSY_SECONDS": "forever"}, "SQLITE_BUSY_SECONDS must be a number of seconds"),
    ],
)
def test_malformed_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_explicit_values_are_parsed() -> None:
    settings = load_settings({
        "DATABASE_URL": "postgresql+psycopg://u@h/db", "QUESTIONNAIRE_PATH": "/tmp/q.yaml",
        "REDIS_URL": "redis://127.0.0.1:6379/0", "SESSION_HOURS": "8", "SECURE_COOKIES": "yes",
    })
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.questionnaire_path == Path("/tmp/q.yaml")
    assert settings.as_flask_config()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert settings.session_hours == 8
    assert settings.secure_cookies is True


def test_env_example_documents_every_setting() -> None:
    example = (Path(__file__).parents[2] / ".env.example").read_text()
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for name in [field.name.upper() for field in fields(Settings)]:
        assert name in example, name
        assert f"`{name}`" in readme, name


def test_dotenv_files_fill_in_what_the_environment_does_not_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(config, "INSTANCE_DIR", instance)
    (tmp_path / ".env").write_text("# local settings\nSESSION_HOURS=7\nLOG_LEVEL=debug\n")
    (instance / ".env").write_text("SESSION_HOURS=3\nDEFAULT_LOCALE=fr\n")
    for name in ("SESSION_HOURS", "DEFAULT_LOCALE", "APP_ENV", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")

    settings = load_settings()
    assert settings.session_hours == 7  # the working directory's file comes first
    assert settings.default_locale == "fr"  # the instance folder's fills in the rest
    assert settings.log_level == "WARNING"  # a real environment variable wins over both
    assert "SESSION_HOURS" not in os.environ  # read, not exported


def test_without_dotenv_files_the_environment_alone_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    monkeypatch.setenv("SESSION_HOURS", "5")
    assert load_settings().session_hours == 5
