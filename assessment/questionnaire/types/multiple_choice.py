"""Multiple-choice questions: several options; the value is a ``tuple`` of option keys, in
questionnaire order and never empty. The points add up to a cap that earns the level the
question declares with ``full_level`` (4 in versions without it), in proportion below it."""

from __future__ import annotations

import math
import random
from typing import Any

from assessment.questionnaire.checks import Reader
from assessment.questionnaire.model import SCALE_MAX, Question, QuestionType
from assessment.questionnaire.problems import Path_
from assessment.questionnaire.types.base import (
    N_,
    AnswerError,
    AnswerValue,
    CodebookEntry,
    RawInput,
    Translate,
    register,
    untranslated,
)
from assessment.questionnaire.types.options import (
    OptionKind,
    check_choices,
    in_order,
    options_codebook,
    read_options,
)


@register
class MultipleChoice(OptionKind):
    type = QuestionType.MULTIPLE_CHOICE
    widget = "checkboxes"
    summary = N_("several options")
    keys = ("options", "cap", "full_level")
    multiple = True

    def read(self, reader: Reader, data: dict[str, Any], path: Path_) -> dict[str, Any] | None:
        options = read_options(reader, data, path, self.type.value, multiple=True)
        if options is None:
            return None
        opath = (*path, "options")
        if sum(o.exclusive for o in options) > 1:
            reader.add(opath, "only one option may be exclusive ('none of these').")
        total = sum(o.points for o in options)
        if total <= 0:
            reader.add(opath, "at least one option must be worth more than 0 points.")
            return None
        cap: float | None = None
        if "cap" in data:
            cap = reader.number(data["cap"], (*path, "cap"), "the cap", above=0, high=total)
            if cap is None:
                return None
        full_level: int | None = None
        if "full_level" in data:
            full_level = reader.level(data["full_level"], (*path, "full_level"), "full_level", low=1)
            if full_level is None:
                return None
        return {"options": tuple(options), "cap": cap, "full_level": full_level}

    def check(self, question: Question, value: AnswerValue) -> None:
        if not isinstance(value, tuple) or not value:
            raise AnswerError(N_("Tick at least one choice."))
        check_choices(question, value)

    def encode(self, question: Question, value: AnswerValue) -> str:
        assert isinstance(value, tuple)
        return ",".join(in_order(question, value))

    def parse(self, question: Question, raw: RawInput) -> AnswerValue:
        # Stored as comma-joined keys, posted as one checkbox value each.
        items = raw.split(",") if isinstance(raw, str) else list(raw)
        keys = [item.strip() for item in items if item.strip()]
        if not keys:
            return None
        check_choices(question, keys)
        return in_order(question, keys)

    def parse_text(self, question: Question, text: str) -> AnswerValue:
        return self.parse(question, text)

    def form_input(self, question: Question, value: AnswerValue) -> str | list[str]:
        return list(value) if isinstance(value, tuple) else []

    def points(self, question: Question, value: AnswerValue) -> float | None:
        assert isinstance(value, tuple)
        cap = question.effective_cap
        total = math.fsum(question.option(key).points for key in value)
        top = SCALE_MAX if question.full_level is None else question.full_level
        return top * min(total, cap) / cap


    def describe(
        self,
        question: Question,
        value: AnswerValue,
        language: str | None = None,
        translate: Translate = untranslated,
    ) -> str:
        assert isinstance(value, tuple)
        return "; ".join(question.option(key).label.get(language) for key in value)

    def codebook(self, question: Question) -> CodebookEntry:
        return CodebookEntry("string", options_codebook(question), question.effective_cap)

    def candidates(self, question: Question) -> tuple[AnswerValue, ...]:
        # "None of these", then the most valuable option, the two most valuable, and so on.
        best_first = [o.key for o in sorted(question.options, key=lambda o: -o.points)
                      if o.points > 0 and not o.exclusive]
        exclusive = [(o.key,) for o in question.options if o.exclusive]
        spread = [in_order(question, best_first[:count]) for count in range(1, len(best_first) + 1)]
        return (*exclusive[:1], *spread)

    def sample(self, question: Question, rng: random.Random) -> AnswerValue:
        exclusive = [o.key for o in question.options if o.exclusive]
        if exclusive and rng.random() < 0.2:
            return (exclusive[0],)
        plain = [o.key for o in question.options if not o.exclusive]
        return in_order(question, rng.sample(plain, rng.randint(1, len(plain))))
