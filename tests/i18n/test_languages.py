"""Choosing the language: profile, then the switch's cookie, then Accept-Language, then the default."""

from __future__ import annotations

import re

import pytest

from assessment.auth.models import Role
from assessment.i18n import LANGUAGE_COOKIE, LANGUAGES


def html_tag(page: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)"', page)
    assert match, "the page has no <html lang dir>"
    return match.group(1), match.group(2)


@pytest.mark.parametrize(("code", "tag", "direction"), [
    ("ar", "ar", "rtl"), ("zh", "zh-Hans", "ltr"), ("en", "en", "ltr"),
    ("fr", "fr", "ltr"), ("ru", "ru", "ltr"), ("es", "es", "ltr"),
])
def test_accept_language_sets_lang_and_dir(client, code, tag, direction) -> None:
    page = client.get("/sign-in", headers={"Accept-Language": f"{code};q=0.9, de;q=0.5"}).text
    assert html_tag(page) == (tag, direction)


def test_a_regional_variant_of_a_language_gets_that_language(client) -> None:
    page = client.get("/sign-in", headers={"Accept-Language": "es-PE,es;q=0.9"}).text
    assert html_tag(page)[0] == "es"


def test_an_unknown_language_falls_back_to_the_default(client) -> None:
    page = client.get("/sign-in", headers={"Accept-Language": "de-CH, de;q=0.8"}).text
    assert html_tag(page) == ("en", "ltr")


def test_every_page_offers_the_switch_with_each_language_in_its_own_name(client) -> None:
    page = client.get("/sign-in").text
    assert 'action="/language"' in page
    for language in LANGUAGES.values():
        assert f'value="{language.code}" lang="{language.tag}"' in page
        assert language.name in page


def test_the_switch_works_without_javascript_for_a_visitor(client) -> None:
    response = client.post("/language", data={"language": "fr", "next": "/sign-in"})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    cookie = client.get_cookie(LANGUAGE_COOKIE)
    assert cookie is not None and cookie.value == "fr" and cookie.http_only
    page = client.get("/sign-in", headers={"Accept-Language": "es"}).text
    assert html_tag(page)[0] == "fr"  # the choice wins over the browser's language


def test_the_switch_never_redirects_off_site(client) -> None:
    response = client.post("/language", data={"language": "ru", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_refused_with_a_message(client) -> None:
    response = client.post("/language", data={"language": "xx", "next": "/sign-in"}, follow_redirects=True)
    assert "That language is not available." in response.text
    assert client.get_cookie(LANGUAGE_COOKIE) is None


def test_a_signed_in_choice_is_kept_in_the_profile(client, make, login, db_session) -> None:
    user = login(make.user(Role.ANALYST))
    client.post("/language", data={"language": "zh", "next": "/exports"})
    db_session.refresh(user)
    assert user.language == "zh"
    # Another browser of the same person (no cookie, another Accept-Language) gets Chinese too.
    client.delete_cookie(LANGUAGE_COOKIE)
    page = client.get("/exports", headers={"Accept-Language": "ru"}).text
    assert html_tag(page) == ("zh-Hans", "ltr")


def test_the_methodology_page_is_served_in_the_readers_language(client) -> None:
    english = client.get("/methodology", headers={"Accept-Language": "en"}).text
    french = client.get("/methodology", headers={"Accept-Language": "fr"}).text
    assert english != french
    assert html_tag(french)[0] == "fr"


def test_command_line_messages_follow_the_default_language(app, runner, monkeypatch) -> None:
    from babel.messages.pofile import read_po
    from flask_babel import refresh

    from tests.i18n.test_every_page import TRANSLATIONS

    message = "No cities yet. Add them on the admin pages or run: flask --app assessment seed-demo"
    with (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        french = read_po(handle)[message].string
    assert french and french != message
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "fr")
    result = runner.invoke(args=["cities", "list"])
    assert french in result.output
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")
    refresh()  # the test's app context keeps the language chosen for the first command
    assert message in runner.invoke(args=["cities", "list"]).output


def test_the_settings_know_the_same_languages_as_the_pages() -> None:
    from assessment.config import LOCALES

    assert tuple(LANGUAGES) == LOCALES
