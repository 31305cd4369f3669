"""Which assessments a table covers: the filters, the user's scope and the WHERE clauses they make."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, false, func, or_, true

from assessment.assessments.models import Assessment, AssessmentStatus, QuestionnaireVersion, Round
from assessment.auth.access import city_scope
from assessment.auth.models import User
from assessment.exports.query import as_text
from assessment.i18n import LANGUAGES
from assessment.places.models import Country, Region

# A filter value longer than this cannot match a stored name.
MAX_FILTER_LENGTH = 200
# Tables are in English unless the analyst chooses another language for the labels.
DEFAULT_EXPORT_LANGUAGE = "en"


class FilterError(ValueError):
    """A filter value that cannot be used; the message is shown to the user."""


@dataclass(frozen=True)
class Filters:
    """Which assessments a table covers. Names, not ids, so the same link works everywhere."""

    round: str | None = None
    region: str | None = None
    country: str | None = None
    status: str | None = None
    version: str | None = None
    # The language of the label columns (answer labels, element titles, question texts); ids,
    # codes and values are the same in every language.
    lang: str = DEFAULT_EXPORT_LANGUAGE

    FIELDS = ("round", "region", "country", "status", "version")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Filters:
        """Read filters from query arguments or options; blanks mean "any"."""
        cleaned: dict[str, str | None] = {}
        for name in cls.FIELDS:
            raw = values.get(name)
            text = str(raw).strip() if raw is not None else ""
            if len(text) > MAX_FILTER_LENGTH:
                raise FilterError(_("The %(name)s filter is too long.", name=name))
            cleaned[name] = text or None
        status = cleaned["status"]
        if status is not None and status not in {s.value for s in AssessmentStatus}:
            choices = ", ".join(s.value for s in AssessmentStatus)
            raise FilterError(_("Status must be one of %(choices)s, not %(value)s.", choices=choices,
                                value=repr(status)))
        lang = str(values.get("lang") or "").strip() or DEFAULT_EXPORT_LANGUAGE
        if lang not in LANGUAGES:
            raise FilterError(_("The label language must be one of %(choices)s, not %(value)s.",
                                choices=", ".join(LANGUAGES), value=repr(lang)))
        return cls(**cleaned, lang=lang)

    def as_query(self) -> dict[str, str]:
        """The filters that are set, as query arguments (the label language when not English)."""
        query = {name: value for name in self.FIELDS if (value := getattr(self, name))}
        if self.lang != DEFAULT_EXPORT_LANGUAGE:
            query["lang"] = self.lang
        return query

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.as_query().items()) or "none"


def scope_for(user: User | None) -> ColumnElement[bool]:
    """The cities a user may export (everything for the command line, which has no user)."""
    return true() if user is None else city_scope(user)


def version_match(value: str) -> ColumnElement[bool]:
    """A version filter matches the label, or the start of the content hash (4+ characters)."""
    clauses: list[ColumnElement[bool]] = [QuestionnaireVersion.label == value]
    prefix = value.lower()
    if len(prefix) >= 4 and all(c in "0123456789abcdef" for c in prefix):
        clauses.append(func.substr(QuestionnaireVersion.content_hash, 1, len(prefix)) == prefix)
    return or_(*clauses)


def filter_conditions(filters: Filters, scope: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """WHERE clauses for a statement that went through ``query.joined``."""
    values = [v for v in filters.as_query().values()]
    if any("\x00" in v for v in values):
        # No stored name holds a NUL character (and PostgreSQL refuses one in a parameter).
        return [false()]
    conditions: list[ColumnElement[bool]] = [scope]
    if filters.round:
        conditions.append(Round.name == filters.round)
    if filters.region:
        conditions.append(Region.name == filters.region)
    if filters.country:
        conditions.append(Country.name == filters.country)
    if filters.status:
        conditions.append(as_text(Assessment.status) == filters.status)
    if filters.version:
        conditions.append(version_match(filters.version))
    return conditions


def conditions_for(filters: Filters, scope: ColumnElement[bool]) -> ColumnElement[bool]:
    """The WHERE clause of a statement joined like the tables (used by the API's lists)."""
    return and_(*filter_conditions(filters, scope))
