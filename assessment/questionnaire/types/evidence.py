"""Evidence questions: answered only with the link and note every question carries, so the
value is always ``None`` and they are never scored."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from assessment.questionnaire.checks import Reader
from assessment.questionnaire.model import Question, QuestionType
from assessment.questionnaire.problems import Path_
from assessment.questionnaire.types.base import (
    N_,
    AnswerError,
    AnswerValue,
    CodebookEntry,
    QuestionKind,
    Translate,
    register,
    untranslated,
)

_NO_VALUE = N_("This question takes only a link and a note.")


@register
class Evidence(QuestionKind):
    type = QuestionType.EVIDENCE
    widget = "evidence"
    summary = N_("evidence (a link)")
    has_value = False

    def is_scored(self, data: Mapping[Any, Any]) -> bool:
        return False

    def read(self, reader: Reader, data: dict[str, Any], path: Path_) -> dict[str, Any] | None:
        return {}

    def check(self, question: Question, value: AnswerValue) -> None:
        raise AnswerError(_NO_VALUE)

    def parse_text(self, question: Question, text: str) -> AnswerValue:
        raise AnswerError(_NO_VALUE)

    def points(self, question: Question, value: AnswerValue) -> float | None:
        return None

    def describe(
        self,
        question: Question,
        value: AnswerValue,
        language: str | None = None,
        translate: Translate = untranslated,
    ) -> str:
        return ""

    def codebook(self, question: Question) -> CodebookEntry:
        return CodebookEntry(None, None)

    def candidates(self, question: Question) -> tuple[AnswerValue, ...]:
        return ()

    def sample(self, question: Question, rng: random.Random) -> AnswerValue:
        return None
