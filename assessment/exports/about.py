"""What every exported file says about itself: the table, the filters, the label language, the
questionnaire versions, when it was exported and by which version of the app. With it a file
found on a shared drive months later can be reproduced, or told apart from a newer one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from typing import Any

from sqlalchemy.orm import Session

from assessment.exports.catalog import Catalog
from assessment.exports.columns import HASH_PREFIX
from assessment.exports.filters import Filters

APP_NAME = "City Innovation Self-Assessment"
DISTRIBUTION = "city-innovation-self-assessment"
ISO = "%Y-%m-%dT%H:%M:%SZ"


@cache
def app_version() -> str:
    """The installed version of the app (setup.cfg), or "unknown" when it is not installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class About:
    table: str
    title: str
    format: str
    filters: dict[str, str]  # the filters that are set, the label language aside
    language: str
    versions: tuple[tuple[str, str], ...]  # label and hash prefix of each version the table may hold
    exported_at: datetime
    app_version: str

    @classmethod
    def of(cls, session: Session, table: str, title: str, fmt: str, filters: Filters,
           when: datetime) -> About:
        versions = Catalog.load(session, filters, parse=False).versions
        chosen = {name: value for name, value in filters.as_query().items() if name != "lang"}
        return cls(table, title, fmt, chosen, filters.lang,
                   tuple((v.label, v.content_hash[:HASH_PREFIX]) for v in versions),
                   when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC),
                   app_version())

    @property
    def exported(self) -> str:
        return self.exported_at.strftime(ISO)

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "title": self.title,
            "format": self.format,
            "filters": self.filters,
            "language": self.language,
            "questionnaire_versions": [{"label": label, "hash": digest}
                                       for label, digest in self.versions],
            "exported_at": self.exported,
            "app": APP_NAME,
            "app_version": self.app_version,
        }

    def filter_text(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.filters.items()) or "none"

    def version_text(self) -> str:
        return ", ".join(f"{label} ({digest})" for label, digest in self.versions) or "none"

    def describe(self) -> str:
        return (f"{self.title} ({self.table}); filters: {self.filter_text()}; labels: "
                f"{self.language}; questionnaire versions: {self.version_text()}; exported "
                f"{self.exported} by {APP_NAME} {self.app_version}")

    def lines(self) -> list[tuple[str, str]]:
        """One (name, value) pair per fact, for a sheet or a list of notes."""
        return [
            ("table", f"{self.table}: {self.title}"),
            ("filters", self.filter_text()),
            ("label_language", self.language),
            ("questionnaire_versions", self.version_text()),
            ("exported_at", self.exported),
            ("app_version", f"{APP_NAME} {self.app_version}"),
        ]

    def file_label(self, limit: int) -> str:
        """A short label for the file (Stata keeps 80 characters, SPSS 64)."""
        versions = " ".join(label for label, _ in self.versions)
        text = (f"{self.table}; {self.filter_text()}; q {versions}; {self.exported[:16]}Z; "
                f"app {self.app_version}")
        return text if len(text) <= limit else text[: limit - 1] + "…"
