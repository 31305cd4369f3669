"""Single-choice questions: one option; the value is its key (``str``), worth its points."""

from __future__ import annotations

import random
from typing import Any

from assessment.questionnaire.checks import Reader
from assessment.questionnaire.model import SCALE_MAX, SCALE_MIN, Question, QuestionType
from assessment.questionnaire.problems import Path_
from assessment.questionnaire.types.base import (
    N_,
    AnswerError,
    AnswerValue,
    CodebookEntry,
    Translate,
    register,
    untranslated,
)
from assessment.questionnaire.types.options import (
    OptionKind,
    option_keys,
    options_codebook,
    read_options,
)


@register
class SingleChoice(OptionKind):
    type = QuestionType.SINGLE_CHOICE
    widget = "radio"
    summary = N_("one option")
    keys = ("options",)
    coded = True

    def read(self, reader: Reader, data: dict[str, Any], path: Path_) -> dict[str, Any] | None:
        options = read_options(reader, data, path, self.type.value, multiple=False)
        if options is None:
            return None
        worth = [o.points for o in options]
        if all(o.level is not None for o in options):
            # Options declare the level they evidence: the lowest is "nothing in place", and
            # the best need not be level 4.
            if min(worth) != SCALE_MIN:
                reader.add((*path, "options"), f"one option must be level {SCALE_MIN} (nothing in place).")
            if worth != sorted(worth):
                reader.add((*path, "options"),
                           "list the options from the lowest level to the highest.")
        elif any(o.level is not None for o in options):
            reader.add((*path, "options"),
                       "either every option declares its 'level' or none does (earlier versions).")
        elif min(worth) != SCALE_MIN or max(worth) != SCALE_MAX:
            reader.add(
                (*path, "options"),
                f"the options must span the whole scale: the lowest worth "
                f"{SCALE_MIN} points and the best worth {SCALE_MAX}.",
            )
        return {"options": tuple(options)}

    def check(self, question: Question, value: AnswerValue) -> None:
        if not isinstance(value, str) or value not in option_keys(question):
            raise AnswerError(N_("'%(choice)s' is not one of the choices for this question."), choice=value)

    def parse_text(self, question: Question, text: str) -> AnswerValue:
        if text not in option_keys(question):
            raise AnswerError(N_("'%(choice)s' is not one of the choices for this question."), choice=text)
        return text

    def points(self, question: Question, value: AnswerValue) -> float | None:
        assert isinstance(value, str)
        return question.option(value).points


    def describe(
        self,
        question: Question,
        value: AnswerValue,
        language: str | None = None,
        translate: Translate = untranslated,
    ) -> str:
        assert isinstance(value, str)
        return question.option(value).label.get(language)

    def codebook(self, question: Question) -> CodebookEntry:
        return CodebookEntry("string", options_codebook(question))

    def candidates(self, question: Question) -> tuple[AnswerValue, ...]:
        return tuple(option_keys(question))

    def sample(self, question: Question, rng: random.Random) -> AnswerValue:
        return rng.choice(option_keys(question))
