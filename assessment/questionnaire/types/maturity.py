"""Maturity questions: the city picks one level of the 0-4 scale; the value is that ``int``."""

from __future__ import annotations

import random
from typing import Any

from assessment.questionnaire.checks import Reader
from assessment.questionnaire.model import SCALE_MAX, SCALE_MIN, Level, Question, QuestionType
from assessment.questionnaire.problems import Path_
from assessment.questionnaire.types.base import (
    N_,
    AnswerChoice,
    AnswerCode,
    AnswerError,
    AnswerValue,
    CodebookEntry,
    QuestionKind,
    Translate,
    register,
    untranslated,
)

_LEVEL_MESSAGE = N_("Choose a level from 0 to 4.")


@register
class Maturity(QuestionKind):
    type = QuestionType.MATURITY
    widget = "radio"
    summary = N_("maturity levels")
    keys = ("levels",)
    shows_levels = True
    coded = True

    def read(self, reader: Reader, data: dict[str, Any], path: Path_) -> dict[str, Any] | None:
        if "levels" not in data:
            reader.add(
                (*path, "levels"),
                "a maturity question needs 'levels' with a description for every level from 0 to 4.",
            )
            return None
        texts = reader.levels(
            data["levels"], (*path, "levels"), "the maturity scale", "a description for every level"
        )
        if texts is None:
            return None
        # Each level is named by the scale and described by the question.
        return {"levels": tuple(Level(n, reader.scale_labels[n], texts[n]) for n in range(len(texts)))}

    def check(self, question: Question, value: AnswerValue) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not (SCALE_MIN <= value <= SCALE_MAX):
            raise AnswerError(_LEVEL_MESSAGE)

    def parse_text(self, question: Question, text: str) -> AnswerValue:
        if not text.isdigit() or not SCALE_MIN <= int(text) <= SCALE_MAX:
            raise AnswerError(_LEVEL_MESSAGE)
        return int(text)

    def points(self, question: Question, value: AnswerValue) -> float | None:
        assert isinstance(value, int)
        return float(value)

    def choices(
        self, question: Question, language: str | None = None, translate: Translate = untranslated
    ) -> tuple[AnswerChoice, ...]:
        return tuple(
            AnswerChoice(
                str(level.value), level.label.get(language), level.description.get(language),
                float(level.value),
            )
            for level in question.levels
        )

    def choice_text(self, choice: AnswerChoice) -> str:
        return f"{choice.key} · {choice.label}"

    def describe(
        self,
        question: Question,
        value: AnswerValue,
        language: str | None = None,
        translate: Translate = untranslated,
    ) -> str:
        assert isinstance(value, int)
        return f"{value} · {question.level(value).label.get(language)}"

    def codebook(self, question: Question) -> CodebookEntry:
        choices = " | ".join(f"{lvl.value} = {lvl.label}: {lvl.description}" for lvl in question.levels)
        return CodebookEntry("integer", choices)

    def answer_codes(
        self, question: Question, language: str | None = None, translate: Translate = untranslated
    ) -> tuple[AnswerCode, ...]:
        # A level is its own code.
        return tuple(
            AnswerCode("level", str(level.value), level.value, level.label.get(language),
                       level.description.get(language),
                       float(level.value) if question.scored else None, level.value)
            for level in question.levels
        )

    def candidates(self, question: Question) -> tuple[AnswerValue, ...]:
        return tuple(level.value for level in question.levels)

    def sample(self, question: Question, rng: random.Random) -> AnswerValue:
        return rng.randint(SCALE_MIN, SCALE_MAX)
