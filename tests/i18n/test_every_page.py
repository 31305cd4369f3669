"""Every page type in every language: no interface text of the English catalogue is left showing.

The reference is the catalogue itself: any text node of a page that is an English message with a
different translation in the page's language means that a string was not translated there.
"""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from assessment.assessments.models import AssessmentStatus
from assessment.auth.models import Role

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
LANGUAGES = ("ar", "zh", "fr", "ru", "es")
# Words that are the same in a language (product names, formats) are skipped by the comparison
# itself: only messages whose translation differs from the English text are looked for.


class _Text(HTMLParser):
    """The visible text nodes of a page, and the text of its labelling attributes."""

    # Scripts, styles and code (column names, ids, commands) are not interface text.
    SKIP = {"script", "style", "code"}

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skipping += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.nodes.append(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._skipping:
            self.nodes.append(text)


def visible_texts(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.nodes


@cache
def english_messages(language: str) -> frozenset[str]:
    """English messages without placeholders whose translation in ``language`` differs."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    found = set()
    for message in catalogue:
        if not message.id or isinstance(message.id, tuple) or "%(" in message.id or "<" in message.id:
            continue
        if not re.search(r"[A-Za-z]{3}", message.id) or message.string == message.id:
            continue
        found.add(" ".join(message.id.split()))
    return frozenset(found)


@pytest.fixture()
def pages(make, db_session):
    """One of every kind of page, with the user who may see it."""
    region = make.region("Eastern Africa")
    city = make.city(name="Kigali", region=region)
    official = make.user(Role.OFFICIAL, city=city)
    regional = make.user(Role.REGIONAL, region=region)
    analyst = make.user(Role.ANALYST)
    admin = make.user(Role.ADMIN)
    earlier = make.round("2025")
    current = make.round("2026")
    submitted = make.answer(make.assessment(city=city, round=earlier), 3.0, submit=True, user=official)
    draft = make.answer(make.assessment(city=city, round=current), 2.0, fill=0.5, user=official)
    assert submitted.status == AssessmentStatus.SUBMITTED
    element = make.questionnaire.elements[0].id
    return {
        None: ["/", "/sign-in", "/methodology", "/no-such-page"],
        official: ["/assessments", f"/assessments/{draft.id}", f"/assessments/{draft.id}/answers",
                   f"/assessments/{draft.id}/elements/{element}", f"/assessments/{draft.id}/submit",
                   f"/assessments/{submitted.id}/report", "/reports", "/account"],
        regional: ["/dashboard", f"/assessments/{submitted.id}/report",
                   f"/assessments/{submitted.id}/reopen", "/admin/users/import"],
        analyst: ["/exports"],
        admin: ["/admin", "/admin/users", f"/admin/users/{official.id}", "/admin/users/new",
                "/admin/regions", f"/admin/regions/{region.id}", "/admin/countries", "/admin/cities",
                f"/admin/cities/{city.id}", "/admin/rounds", f"/admin/rounds/{current.id}",
                "/admin/rounds/new", "/admin/questionnaire", "/admin/audit", "/admin/cities/import",
                "/admin/users/import"],
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_shows_untranslated_interface_text(language, pages, client, login) -> None:
    english = english_messages(language)
    left: dict[str, set[str]] = {}
    for user, urls in pages.items():
        if user is not None:
            login(user)
        for url in urls:
            response = client.get(url, headers={"Accept-Language": language})
            assert response.status_code in (200, 404), (url, response.status_code)
            assert '<html lang="' in response.text
            untranslated = {text for text in visible_texts(response.text) if text in english}
            if untranslated:
                left[url] = untranslated
    assert not left, f"untranslated in {language}: {left}"


@pytest.fixture(scope="module")
def template(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Every message of the code as it is now, extracted as `make messages` does."""
    target = tmp_path_factory.mktemp("catalogue") / "messages.pot"
    subprocess.run([str(Path(sys.executable).with_name("pybabel")), "-q", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-o", str(target), "."], cwd=TRANSLATIONS.parent, check=True,
                   capture_output=True, timeout=120)
    with target.open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_translates_every_message(language, template) -> None:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    def translated(message) -> bool:
        entry = catalogue.get(message.id, message.context)
        if entry is None:
            return False
        return all(entry.string if isinstance(message.id, tuple) else [entry.string])

    missing = [m.id for m in template if m.id and not translated(m)]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not missing, f"{len(missing)} messages not translated in {language}, e.g. {missing[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy translations in {language}, e.g. {fuzzy[:5]}"
