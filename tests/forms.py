"""Filling in forms the way a browser would: read a page's own fields, then change some.

Shared by every test folder that posts the questionnaire's pages.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from assessment.assessments.models import Assessment
from assessment.questionnaire import Question


class _FormReader(HTMLParser):
    """The fields of the first form on a page whose action contains ``action``, as a browser
    would send them with no change: checked radios/boxes, text inputs, textareas, hidden."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.done = False
        self.pairs: list[tuple[str, str]] = []
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "form" and not self.done and self.action in attrs.get("action", ""):
            self.inside = True
        if not self.inside or "disabled" in attrs:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.pairs.append((attrs["name"], attrs.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.pairs.append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea" and attrs.get("name"):
            self.textarea, self.text = attrs["name"], []

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None:
            # Browsers drop the first newline after <textarea>.
            value = "".join(self.text).replace("\r\n", "\n")
            self.pairs.append((self.textarea, value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(html: str, action: str) -> MultiDict[str, str]:
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.done, f"no form posting to {action!r} on the page"
    return MultiDict(reader.pairs)


def csrf_token(html: str) -> str:
    for tag in re.findall(r"<input[^>]*>", html):
        if 'name="csrf_token"' in tag:
            match = re.search(r'value="([^"]+)"', tag)
            if match:
                return match.group(1)
    raise AssertionError("no CSRF token on the page")


def set_answer(data: MultiDict[str, str], question: Question, value: str | list[str] | None) -> None:
    """Change one question in posted data as a person would (radios/boxes/text)."""
    name = question.field_name
    data.poplist(name)
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            data.add(name, item)
    else:
        data[name] = value


def element_url(assessment: Assessment, element_id: str) -> str:
    return f"/assessments/{assessment.id}/elements/{element_id}"


def load_form(client: FlaskClient, assessment: Assessment, element_id: str) -> MultiDict[str, str]:
    """GET an element page and return what its form would post unchanged."""
    response = client.get(element_url(assessment, element_id))
    assert response.status_code == 200, response.status_code
    return form_fields(response.get_data(as_text=True), element_url(assessment, element_id))
