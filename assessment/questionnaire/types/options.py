"""What single- and multiple-choice questions share: reading their options, checking keys."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assessment.questionnaire.checks import Reader
from assessment.questionnaire.model import Option, Question
from assessment.questionnaire.problems import Path_, describe
from assessment.questionnaire.types.base import (
    N_,
    AnswerChoice,
    AnswerCode,
    AnswerError,
    QuestionKind,
    Translate,
    points_text,
    untranslated,
)

# Option keys are joined with commas when stored, so they use the same safe alphabet.
OPTION_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")
_OPTION_KEYS = ("key", "label", "points", "level", "exclusive")


def read_options(
    reader: Reader, data: dict[str, Any], path: Path_, type_name: str, *, multiple: bool
) -> list[Option] | None:
    """The question's options, each checked; ``None`` when any is wrong or missing.

    Only multiple choice has exclusive options ("none of these") and points that need not
    reach 4 one by one (they add up).
    """
    opath = (*path, "options")
    raw = data.get("options")
    if "options" not in data:
        reader.add(opath, f"a {type_name} question needs 'options' to choose from.")
        return None
    if not isinstance(raw, list) or len(raw) < 2:
        reader.add(opath, f"options must be a list of at least 2 choices; found {describe(raw)}.")
        return None
    options: list[Option] = []
    keys: dict[str, int | None] = {}
    for index, item in enumerate(raw):
        ipath = (*opath, index)
        required = ("key", "label", "points") if multiple else ("key", "label")
        optional = ("exclusive",) if multiple else ("points", "level")
        option = reader.mapping(item, ipath, "an option", required, optional)
        if option is None:
            continue
        key = option.get("key")
        if "key" in option and (not isinstance(key, str) or not OPTION_KEY_PATTERN.match(key)):
            reader.add(
                (*ipath, "key"),
                "an option key must be lower-case letters, digits and "
                f"'_' (no spaces or commas); found {describe(key)}.",
            )
            key = None
        elif isinstance(key, str) and key in keys:
            reader.add(
                (*ipath, "key"),
                f"the option key '{key}' is already used on line {keys[key]} in this question.",
            )
            key = None
        elif isinstance(key, str):
            keys[key] = reader.line((*ipath, "key"))
        label = (
            reader.text(option["label"], (*ipath, "label"), "the option label") if "label" in option else None
        )
        level: int | None = None
        if multiple:
            points = reader.number(option["points"], (*ipath, "points"), "points", low=0) \
                if "points" in option else None
        elif "level" in option and "points" in option:
            reader.add((*ipath, "points"), "an option has either 'level' (the level it evidences) "
                       "or 'points' (earlier versions), not both.")
            points = None
        elif "level" in option:
            level = reader.level(option["level"], (*ipath, "level"), "the option's level")
            points = None if level is None else float(level)
        elif "points" in option:
            points = reader.points(option["points"], (*ipath, "points"))
        else:
            reader.add(ipath, "an option needs 'level': the level of the scale (0 to 4) it evidences.")
            points = None
        exclusive = (
            reader.boolean(option["exclusive"], (*ipath, "exclusive"), "exclusive")
            if "exclusive" in option
            else False
        )
        if exclusive and points:
            reader.add(
                (*ipath, "points"),
                "an exclusive option such as 'none of these' must be worth 0 points.",
            )
        if isinstance(key, str) and label is not None and points is not None and exclusive is not None:
            options.append(Option(key, label, points, exclusive, level))
    if len(options) != len(raw):
        return None
    return options


def option_keys(question: Question) -> list[str]:
    return [option.key for option in question.options]


def in_order(question: Question, keys: Sequence[str]) -> tuple[str, ...]:
    """The chosen keys in questionnaire order (how they are stored and compared)."""
    chosen = set(keys)
    return tuple(key for key in option_keys(question) if key in chosen)


def check_choices(question: Question, keys: Sequence[str]) -> None:
    """Raise ``ValueError`` unless ``keys`` are known, distinct and respect exclusive options."""
    known = option_keys(question)
    for key in keys:
        if key not in known:
            raise AnswerError(N_("'%(choice)s' is not one of the choices for this question."), choice=key)
    if len(set(keys)) != len(keys):
        raise AnswerError(N_("Each choice can be ticked only once."))
    if len(keys) > 1:
        for option in question.options:
            if option.exclusive and option.key in keys:
                raise AnswerError(N_("'%(choice)s' cannot be combined with other choices."),
                                  choice=option.label)


class OptionKind(QuestionKind):
    """What single and multiple choice share: the answers offered are the question's options."""

    positional_codes = True

    def answer_codes(
        self, question: Question, language: str | None = None, translate: Translate = untranslated
    ) -> tuple[AnswerCode, ...]:
        # Options are coded 1, 2, ... in questionnaire order (the tables keep a key's code
        # across versions).
        return tuple(
            AnswerCode("option", o.key, code, o.label.get(language),
                       points=o.points if question.scored else None, level=o.level,
                       exclusive=o.exclusive)
            for code, o in enumerate(question.options, start=1)
        )

    def chosen_keys(self, question: Question, text: str) -> tuple[str, ...]:
        # Stored as one key, or several joined by commas (multiple choice).
        return tuple(key for key in text.split(",") if key)

    def choices(
        self, question: Question, language: str | None = None, translate: Translate = untranslated
    ) -> tuple[AnswerChoice, ...]:
        return tuple(
            AnswerChoice(o.key, o.label.get(language), points=o.points, exclusive=o.exclusive)
            for o in question.options
        )


def options_codebook(question: Question) -> str:
    return " | ".join(
        f"{o.key} = {o.label} ({points_text(o.points)}{', exclusive' if o.exclusive else ''})"
        for o in question.options
    )
