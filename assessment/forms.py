"""The base of every form: Flask-WTF's, plus a check that each text typed can be stored."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from flask import request
from flask_wtf import FlaskForm

from assessment.storable import UNDECODABLE_MESSAGE, problem

_UNDECODABLE_KEY = "assessment.undecodable_fields"


def undecodable_fields() -> frozenset[str]:
    """Names of the posted fields whose bytes are not UTF-8.

    Werkzeug keeps such bytes as ``%XX`` text, which cannot be told from typed text
    afterwards, so the raw body is read once more (it is cached: nothing is read twice).
    """
    found: frozenset[str] | None = request.environ.get(_UNDECODABLE_KEY)
    if found is None:
        found = frozenset()
        if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
            body = request.get_data(cache=True)
            # Fields are separated by ASCII characters, which UTF-8 never uses inside a character:
            # when the whole decoded body is UTF-8, so is every field (the usual case, in one pass).
            if not _is_utf8(unquote_to_bytes(body.replace(b"+", b" "))):
                pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="utf-8",
                                  errors="surrogateescape")
                # surrogateescape turns each byte that is not UTF-8 into U+DC80..U+DCFF.
                found = frozenset(name for name, value in pairs
                                  if any("\udc80" <= c <= "\udcff" for c in value))
        request.environ[_UNDECODABLE_KEY] = found
    return found


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def field_problem(name: str, value: str) -> str | None:
    """Why the posted field ``name`` with ``value`` cannot be stored, or None."""
    if name in undecodable_fields():
        return str(UNDECODABLE_MESSAGE)
    return problem(value)


class AppForm(FlaskForm):
    """A FlaskForm whose text fields refuse what a database cannot store (see ``storable``),
    with the message next to the field; the other fields keep what was typed."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        for field in self:
            values = field.data if isinstance(field.data, list) else [field.data]
            found = next((p for v in values if isinstance(v, str) and (p := field_problem(field.name, v))),
                         None)
            if found:
                field.errors = [*field.errors, found]
                valid = False
        return valid
