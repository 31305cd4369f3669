"""The questionnaire versions a table refers to, and what the tables need to know about their questions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flask_babel import force_locale, gettext
from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from assessment.assessments.models import Assessment, QuestionnaireVersion, Round
from assessment.assessments.versions import questionnaire_for
from assessment.exports.filters import DEFAULT_EXPORT_LANGUAGE, Filters, version_match
from assessment.questionnaire import Questionnaire, kind_of
from assessment.questionnaire.types import untranslated


@dataclass(frozen=True)
class QuestionMeta:
    """What the tables need to know about one question of one version."""

    element_id: str
    position: int
    type: str
    labels: dict[str, str] = field(default_factory=dict, compare=False)
    multiple: bool = False

    def label(self, value: str | None) -> str | None:
        """The answer's label: level name, Yes/No or option labels; None for numbers."""
        if value is None:
            return None
        found = self.labels.get(value)
        if found is None and self.multiple:
            found = "; ".join(self.labels.get(key, key) for key in value.split(","))
            self.labels[value] = found  # a handful of combinations per question
        return found


def translator(language: str) -> Callable[[str], str]:
    """Fixed words (Yes, No) in ``language``, whatever the language of the request."""
    if language == DEFAULT_EXPORT_LANGUAGE:
        return untranslated

    def translate(message: str) -> str:
        with force_locale(language):
            return gettext(message)

    return translate


def _question_meta(questionnaire: Questionnaire, language: str) -> dict[str, QuestionMeta]:
    metas = {}
    translate = translator(language)
    for position, question in enumerate(questionnaire.questions, start=1):
        kind = kind_of(question)
        labels = {choice.key: choice.label for choice in kind.choices(question, language, translate)}
        metas[question.id] = QuestionMeta(
            question.element_id, position, question.type.value, labels, multiple=kind.multiple,
        )
    return metas


@dataclass
class Catalog:
    """The questionnaire versions a table refers to, parsed once per export."""

    versions: list[QuestionnaireVersion]
    questionnaires: dict[int, Questionnaire]
    language: str = DEFAULT_EXPORT_LANGUAGE

    @classmethod
    def load(cls, session: Session, filters: Filters | None = None, *, parse: bool = True) -> Catalog:
        """Versions used by a round or an assessment, narrowed by the round and version filters
        (``parse=False``: the versions only, no questionnaires)."""
        filters = filters or Filters()
        used = or_(
            QuestionnaireVersion.id.in_(select(Round.questionnaire_version_id)),
            QuestionnaireVersion.id.in_(select(Assessment.questionnaire_version_id)),
        )
        stmt = select(QuestionnaireVersion).where(used)
        if filters.round:
            stmt = stmt.where(QuestionnaireVersion.id.in_(
                select(Round.questionnaire_version_id).where(Round.name == filters.round)))
        if filters.version:
            stmt = stmt.where(version_match(filters.version))
        if any("\x00" in v for v in filters.as_query().values()):
            stmt = stmt.where(false())
        versions = list(session.scalars(stmt.order_by(QuestionnaireVersion.created_at,
                                                      QuestionnaireVersion.id)))
        parsed = {v.id: questionnaire_for(v) for v in versions} if parse else {}
        return cls(versions, parsed, filters.lang)

    def question_metas(self) -> dict[tuple[int, str], QuestionMeta]:
        return {
            (version_id, question_id): meta
            for version_id, questionnaire in self.questionnaires.items()
            for question_id, meta in _question_meta(questionnaire, self.language).items()
        }

    def element_order(self) -> list[str]:
        """Element ids in questionnaire order, newest version's elements appended last."""
        return unique(e.id for q in self.questionnaires.values() for e in q.elements)

    def element_titles(self) -> dict[tuple[int, str], str]:
        return {(vid, e.id): e.title.get(self.language)
                for vid, q in self.questionnaires.items() for e in q.elements}


def unique(items: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(items))
