"""Yes/no questions: the value is ``"yes"`` or ``"no"``. A "yes" is worth the level it evidences
(``yes_level``), a "no" 0; versions without ``yes_level`` gave one answer 4 points and the other 0."""

from __future__ import annotations

import random
from typing import Any

from assessment.questionnaire.checks import Reader
from assessment.questionnaire.model import SCALE_MAX, SCALE_MIN, Question, QuestionType
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
    points_text,
    register,
    untranslated,
)

YES = "yes"
NO = "no"
# The words a page shows for the two answers (the app translates them).
WORDS = {YES: N_("Yes"), NO: N_("No")}


@register
class YesNo(QuestionKind):
    type = QuestionType.YES_NO
    widget = "radio"
    summary = N_("yes or no")
    keys = ("yes_level", "yes_points", "no_points")
    coded = True

    def read(self, reader: Reader, data: dict[str, Any], path: Path_) -> dict[str, Any] | None:
        if "yes_level" in data:
            # The current form: "yes" evidences one level of the scale, "no" level 0.
            for key in ("yes_points", "no_points"):
                if key in data:
                    reader.add((*path, key), f"'{key}' cannot be combined with 'yes_level', "
                               "which already says what a yes and a no are worth.")
            level = reader.level(data["yes_level"], (*path, "yes_level"), "yes_level", low=1)
            if level is None:
                return None
            return {"yes_points": float(level), "no_points": 0.0, "yes_level": level}
        # Earlier versions: points for each answer, one of them 4 and the other 0.
        yes = (
            reader.points(data["yes_points"], (*path, "yes_points"), "yes_points")
            if "yes_points" in data
            else 4.0
        )
        no = (
            reader.points(data["no_points"], (*path, "no_points"), "no_points")
            if "no_points" in data
            else 0.0
        )
        if yes is None or no is None:
            return None
        if {yes, no} != {float(SCALE_MIN), float(SCALE_MAX)}:
            reader.add(
                path,
                f"one answer must be worth {SCALE_MAX} points and the other "
                f"{SCALE_MIN}, so that the question spans the whole scale.",
            )
        return {"yes_points": yes, "no_points": no}

    def check(self, question: Question, value: AnswerValue) -> None:
        if value not in (YES, NO):
            raise AnswerError(N_("Answer yes or no."))

    def parse_text(self, question: Question, text: str) -> AnswerValue:
        answer = text.lower()
        if answer not in (YES, NO):
            raise AnswerError(N_("Answer yes or no."))
        return answer

    def points(self, question: Question, value: AnswerValue) -> float | None:
        return question.yes_points if value == YES else question.no_points

    def choices(
        self, question: Question, language: str | None = None, translate: Translate = untranslated
    ) -> tuple[AnswerChoice, ...]:
        return (
            AnswerChoice(YES, translate(WORDS[YES]), points=question.yes_points),
            AnswerChoice(NO, translate(WORDS[NO]), points=question.no_points),
        )

    def describe(
        self,
        question: Question,
        value: AnswerValue,
        language: str | None = None,
        translate: Translate = untranslated,
    ) -> str:
        return translate(WORDS[YES]) if value == YES else translate(WORDS[NO])

    def codebook(self, question: Question) -> CodebookEntry:
        choices = (
            f"yes = Yes ({points_text(question.yes_points)}) | no = No ({points_text(question.no_points)})"
        )
        return CodebookEntry("string", choices)

    def answer_codes(
        self, question: Question, language: str | None = None, translate: Translate = untranslated
    ) -> tuple[AnswerCode, ...]:
        # A boolean: 1 for yes, 0 for no. A "no" evidences level 0 when the file declares
        # the level a "yes" evidences.
        scored = question.scored
        return (
            AnswerCode("answer", YES, 1, translate(WORDS[YES]),
                       points=question.yes_points if scored else None, level=question.yes_level),
            AnswerCode("answer", NO, 0, translate(WORDS[NO]),
                       points=question.no_points if scored else None,
                       level=0 if question.yes_level is not None else None),
        )

    def candidates(self, question: Question) -> tuple[AnswerValue, ...]:
        return (YES, NO)

    def sample(self, question: Question, rng: random.Random) -> AnswerValue:
        return rng.choice((YES, NO))
