"""Questionnaire versions: the current file, stored by content hash, parsed once per process."""

from __future__ import annotations

import threading

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.assessments.models import QuestionnaireVersion
from assessment.questionnaire import Questionnaire, parse_questionnaire

_parsed: dict[str, Questionnaire] = {}
_lock = threading.Lock()


def current_questionnaire() -> Questionnaire:
    """The questionnaire loaded from QUESTIONNAIRE_PATH when the app started."""
    questionnaire: Questionnaire = current_app.extensions["questionnaire"]
    return questionnaire


class VersionLabelTaken(ValueError):
    """The questionnaire's ``version`` label already names a stored version with other content."""

    def __init__(self, label: str) -> None:
        self.label = label
        super().__init__(f"Questionnaire version {label} is already stored with different content. "
                         f"Give the changed questionnaire a new label: change `version` at the top of "
                         f"questionnaire.yaml (for example to {label}.1), then try again.")


def ensure_version(session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion:
    """Return the stored version for this content, storing it the first time it is used.

    Refused (``VersionLabelTaken``) when another stored version already has the same label:
    reports and exports name versions by label, so two contents must never share one.
    """
    version = session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.content_hash == questionnaire.content_hash
        )
    )
    if version is None:
        taken = session.scalar(select(QuestionnaireVersion.id).where(
            QuestionnaireVersion.label == questionnaire.version))
        if taken is not None:
            raise VersionLabelTaken(questionnaire.version)
        version = QuestionnaireVersion(
            content_hash=questionnaire.content_hash,
            label=questionnaire.version,
            source_text=questionnaire.source_text,
        )
        session.add(version)
        session.flush()
    _remember(questionnaire)
    return version


def _remember(questionnaire: Questionnaire) -> None:
    with _lock:
        _parsed.setdefault(questionnaire.content_hash, questionnaire)


def questionnaire_for(version: QuestionnaireVersion) -> Questionnaire:
    """The questionnaire an assessment was answered under, parsed from its stored text."""
    found = _parsed.get(version.content_hash)
    if found is None:
        found = parse_questionnaire(version.source_text, source=f"questionnaire version {version.label}")
        _remember(found)
    return found
