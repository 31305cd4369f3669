"""The six UN languages: which one a page is in, and how people choose it.

The language of a request is, in order: the one a signed-in person saved in their profile,
the one chosen on this browser with the language switch (a cookie), the best match for the
browser's ``Accept-Language``, and ``DEFAULT_LOCALE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from assessment.questionnaire import Text

LANGUAGE_COOKIE = "language"


@dataclass(frozen=True)
class Language:
    code: str  # the catalogue's folder name and the code stored in a profile
    tag: str  # the BCP 47 tag for <html lang> and hreflang
    name: str  # the language's own name for itself, as the switch shows it
    direction: str  # "ltr" or "rtl"


# The official languages of the United Nations, in the UN's order.
LANGUAGES: dict[str, Language] = {
    language.code: language for language in (
        Language("ar", "ar", "العربية", "rtl"),
        Language("zh", "zh-Hans", "中文", "ltr"),
        Language("en", "en", "English", "ltr"),
        Language("fr", "fr", "Français", "ltr"),
        Language("ru", "ru", "Русский", "ltr"),
        Language("es", "es", "Español", "ltr"),
    )
}


def select_locale() -> str:
    """The language of this request (see the module's docstring); commands use the default."""
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    user_choice = getattr(current_user, "language", None) if current_user else None
    if user_choice in LANGUAGES:
        return str(user_choice)
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    best = request.accept_languages.best_match(list(LANGUAGES) + [lang.tag for lang in LANGUAGES.values()])
    if best:
        return best.split("-")[0]
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def current_language() -> Language:
    """The language of this request; outside a request (commands, jobs) the default language."""
    if has_request_context():
        code = str(get_locale() or "en").split("_")[0]
    elif has_app_context():
        code = str(current_app.config["BABEL_DEFAULT_LOCALE"])
    else:
        code = "en"
    return LANGUAGES.get(code, LANGUAGES["en"])


def localized(text: Any) -> str:
    """A questionnaire text in the reader's language (the default language when untranslated)."""
    if isinstance(text, Text):
        return text.get(current_language().code)
    return "" if text is None else str(text)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["tr"] = localized

    @app.context_processor
    def _language() -> dict[str, Any]:
        return {"language": current_language(), "languages": list(LANGUAGES.values())}
