"""Answer values: checking them, storing them as text and reading them from form input.

The Python value of an answer depends on the question type:

- ``maturity``: ``int`` level 0-4
- ``yes_no``: ``"yes"`` or ``"no"``
- ``single_choice``: the chosen option key (``str``)
- ``multiple_choice``: ``tuple`` of option keys, in questionnaire order, never empty
- ``number``: ``int`` when the question asks for whole numbers, else ``float``
- ``evidence``: always ``None`` (the answer is the link and note every question carries)

``None`` means "no answer". Don't know and not applicable are flags on the answer, not values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeAlias

from assessment.questionnaire.model import SCALE_MAX, SCALE_MIN, Question, QuestionType

AnswerValue: TypeAlias = int | float | str | tuple[str, ...] | None

YES = "yes"
NO = "no"


def check_value(question: Question, value: AnswerValue) -> None:
    """Raise ``ValueError`` with a readable message when ``value`` does not fit ``question``."""
    if value is None:
        return
    qtype = question.type
    if qtype is QuestionType.EVIDENCE:
        raise ValueError("This question takes only a link and a note.")
    if qtype is QuestionType.MATURITY:
        if not isinstance(value, int) or isinstance(value, bool) or not (SCALE_MIN <= value <= SCALE_MAX):
            raise ValueError(f"Choose a level from {SCALE_MIN} to {SCALE_MAX}.")
    elif qtype is QuestionType.YES_NO:
        if value not in (YES, NO):
            raise ValueError("Answer yes or no.")
    elif qtype is QuestionType.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in _keys(question):
            raise ValueError(f"'{value}' is not one of the choices for this question.")
    elif qtype is QuestionType.MULTIPLE_CHOICE:
        if not isinstance(value, tuple) or not value:
            raise ValueError("Tick at least one choice.")
        _check_choices(question, value)
    elif qtype is QuestionType.NUMBER:
        _check_number(question, value)


def encode_value(question: Question, value: AnswerValue) -> str | None:
    """The text stored for ``value``; multiple choices are comma-joined in questionnaire order."""
    check_value(question, value)
    if value is None:
        return None
    if question.type is QuestionType.MULTIPLE_CHOICE:
        assert isinstance(value, tuple)
        return ",".join(_in_order(question, value))
    if question.type is QuestionType.NUMBER:
        assert isinstance(value, int | float)
        if isinstance(value, int) or (question.integer and float(value).is_integer()):
            return str(int(value))
        return repr(float(value))
    return str(value)


def decode_value(question: Question, text: str | None) -> AnswerValue:
    """The value stored as ``text`` by :func:`encode_value`; ``ValueError`` when it is invalid."""
    if text is None or text == "":
        return None
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return parse_form_value(question, text.split(","))
    return parse_form_value(question, text)


def parse_form_value(question: Question, raw: str | Sequence[str]) -> AnswerValue:
    """Read a form field's raw input (one string, or a list for checkboxes) into a value.

    Empty input means no answer (``None``). Invalid input raises ``ValueError`` with a
    message that can be shown next to the field.
    """
    if question.type is QuestionType.MULTIPLE_CHOICE:
        items = raw.split(",") if isinstance(raw, str) else list(raw)
        keys = [item.strip() for item in items if item.strip()]
        if not keys:
            return None
        _check_choices(question, keys)
        return _in_order(question, keys)
    if isinstance(raw, str):
        text = raw.strip()
    else:
        filled = [item.strip() for item in raw if item.strip()]
        if len(filled) > 1:
            raise ValueError("Choose only one answer.")
        text = filled[0] if filled else ""
    if not text:
        return None
    qtype = question.type
    if qtype is QuestionType.MATURITY:
        if not text.isdigit() or not SCALE_MIN <= int(text) <= SCALE_MAX:
            raise ValueError(f"Choose a level from {SCALE_MIN} to {SCALE_MAX}.")
        return int(text)
    if qtype is QuestionType.YES_NO:
        answer = text.lower()
        if answer not in (YES, NO):
            raise ValueError("Answer yes or no.")
        return answer
    if qtype is QuestionType.SINGLE_CHOICE:
        if text not in _keys(question):
            raise ValueError(f"'{text}' is not one of the choices for this question.")
        return text
    if qtype is QuestionType.NUMBER:
        return _parse_number(question, text)
    raise ValueError("This question takes only a link and a note.")


def _keys(question: Question) -> list[str]:
    return [option.key for option in question.options]


def _in_order(question: Question, keys: Sequence[str]) -> tuple[str, ...]:
    chosen = set(keys)
    return tuple(key for key in _keys(question) if key in chosen)


def _check_choices(question: Question, keys: Sequence[str]) -> None:
    known = _keys(question)
    for key in keys:
        if key not in known:
            raise ValueError(f"'{key}' is not one of the choices for this question.")
    if len(set(keys)) != len(keys):
        raise ValueError("Each choice can be ticked only once.")
    if len(keys) > 1:
        for option in question.options:
            if option.exclusive and option.key in keys:
                raise ValueError(f"'{option.label}' cannot be combined with other choices.")


def _parse_number(question: Question, text: str) -> int | float:
    try:
        number = float(text)
    except ValueError:
        raise ValueError("Enter a number, such as 42 or 12.5.") from None
    if question.integer:
        if not math.isfinite(number) or not number.is_integer():
            raise ValueError("Enter a whole number.")
        value: int | float = int(number)
    else:
        value = number
    _check_number(question, value)
    return value


def _check_number(question: Question, value: object) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError("Enter a number, such as 42 or 12.5.")
    if question.integer and not float(value).is_integer():
        raise ValueError("Enter a whole number.")
    if question.min_value is not None and value < question.min_value:
        raise ValueError(f"Enter a number of at least {question.min_value:g}.")
    if question.max_value is not None and value > question.max_value:
        raise ValueError(f"Enter a number of at most {question.max_value:g}.")
