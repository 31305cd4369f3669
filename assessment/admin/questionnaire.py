"""Stored questionnaire versions as the admin pages show them, and storing the current file.

Services flush and never commit; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.admin.presentation import HASH_PREFIX
from assessment.admin.rounds import assessment_counts, stored_version
from assessment.assessments.models import Assessment, QuestionnaireVersion, Round
from assessment.assessments.versions import questionnaire_for
from assessment.audit.services import record
from assessment.auth.models import User
from assessment.formatting import moment as when
from assessment.i18n import localized
from assessment.questionnaire import Questionnaire, kind_of


@dataclass(frozen=True)
class VersionRow:
    id: int
    label: str
    hash_prefix: str
    stored: str
    rounds: list[str]
    assessments: int
    submitted: int
    is_current: bool
    usage: str


def usage_sentence(label: str, rounds: int, assessments: int, submitted: int) -> str:
    """E.g. "3 rounds use version 2026.1. 45 assessments were answered under it (30 submitted)."."""
    if not rounds:
        return _("No round uses version %(label)s yet.", label=label)
    return " ".join([
        ngettext("%(num)d round uses version %(label)s.", "%(num)d rounds use version %(label)s.",
                 rounds, label=label),
        ngettext("%(num)d assessment was answered under it (%(submitted)d submitted).",
                 "%(num)d assessments were answered under it (%(submitted)d submitted).",
                 assessments, submitted=submitted),
    ])


def version_rows(session: Session, current_hash: str) -> list[VersionRow]:
    started, submitted = assessment_counts()
    counts = dict(
        (version_id, (n, int(s))) for version_id, n, s in session.execute(
            select(Assessment.questionnaire_version_id, started, submitted)
            .group_by(Assessment.questionnaire_version_id)
        )
    )
    round_names: dict[int, list[str]] = {}
    for version_id, name in session.execute(
        select(Round.questionnaire_version_id, Round.name).order_by(Round.opens_on, Round.name)
    ):
        round_names.setdefault(version_id, []).append(name)
    rows = []
    for version in session.scalars(
        select(QuestionnaireVersion).order_by(QuestionnaireVersion.created_at.desc(),
                                              QuestionnaireVersion.id.desc())
    ):
        n_assessments, n_submitted = counts.get(version.id, (0, 0))
        names = round_names.get(version.id, [])
        rows.append(VersionRow(
            version.id, version.label, version.content_hash[:HASH_PREFIX], when(version.created_at),
            names, n_assessments, n_submitted, version.content_hash == current_hash,
            usage_sentence(version.label, len(names), n_assessments, n_submitted),
        ))
    return rows


@dataclass(frozen=True)
class CurrentFile:
    label: str
    content_hash: str
    hash_prefix: str
    summary: str
    stored: VersionRow | None
    # A stored version with the same label but other content: the file's label was not changed.
    label_clash: VersionRow | None


def current_file_status(rows: list[VersionRow], questionnaire: Questionnaire) -> CurrentFile:
    stored = next((row for row in rows if row.is_current), None)
    clash = next((row for row in rows if row.label == questionnaire.version and not row.is_current), None)
    return CurrentFile(questionnaire.version, questionnaire.content_hash,
                       questionnaire.content_hash[:HASH_PREFIX], questionnaire.summary(), stored, clash)


def store_current_version(session: Session, actor: User, questionnaire: Questionnaire) -> bool:
    """Store the current file as a version; False when it was already stored."""
    known = session.scalar(select(QuestionnaireVersion.id).where(
        QuestionnaireVersion.content_hash == questionnaire.content_hash))
    if known is not None:
        return False
    version = stored_version(session, questionnaire)
    record(session, "admin.questionnaire.store", actor, version_id=version.id, version=version.label,
           content_hash=version.content_hash)
    return True


@dataclass(frozen=True)
class QuestionRow:
    id: str
    text: str
    answer: str
    scored: bool
    weight: float
    allow_na: bool


@dataclass(frozen=True)
class ElementSection:
    id: str
    title: str
    target_percent: int
    weight: float
    questions: list[QuestionRow]


def version_sections(version: QuestionnaireVersion) -> tuple[Questionnaire, list[ElementSection]]:
    """The elements and questions of a stored version, parsed from its own stored text."""
    questionnaire = questionnaire_for(version)
    sections = []
    for element in questionnaire.elements:
        questions = []
        for question in element.questions:
            answer = _(kind_of(question).summary)
            if question.levels:
                answer = f"{answer} ({len(question.levels)})"
            elif question.options:
                answer = f"{answer} ({len(question.options)})"
            questions.append(QuestionRow(question.id, localized(question.text), answer, question.scored,
                                         question.weight, question.allow_na))
        sections.append(ElementSection(element.id, localized(element.title), round(element.target_percent),
                                       element.weight, questions))
    return questionnaire, sections


def version_rounds(session: Session, version: QuestionnaireVersion) -> list[str]:
    return list(session.scalars(
        select(Round.name).where(Round.questionnaire_version_id == version.id).order_by(Round.opens_on)
    ))
