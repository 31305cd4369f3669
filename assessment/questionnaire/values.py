"""Answer values: checking them, storing them as text and reading them from form input.

The Python value of an answer depends on the question type; each type's class in
``assessment.questionnaire.types`` says which and does the work, so these functions only
pick the class:

- ``maturity``: ``int`` level 0-4
- ``yes_no``: ``"yes"`` or ``"no"``
- ``single_choice``: the chosen option key (``str``)
- ``multiple_choice``: ``tuple`` of option keys, in questionnaire order, never empty
- ``number``: ``int`` when the question asks for whole numbers, else ``float``
- ``evidence``: always ``None`` (the answer is the link and note every question carries)

``None`` means "no answer". Don't know and not applicable are flags on the answer, not values.
"""

from __future__ import annotations

from assessment.questionnaire.model import Question
from assessment.questionnaire.types import NO, YES, AnswerValue, RawInput, kind_of

__all__ = ["NO", "YES", "AnswerValue", "check_value", "decode_value", "encode_value", "parse_form_value"]


def check_value(question: Question, value: AnswerValue) -> None:
    """Raise ``ValueError`` with a readable message when ``value`` does not fit ``question``."""
    if value is None:
        return
    kind_of(question).check(question, value)


def encode_value(question: Question, value: AnswerValue) -> str | None:
    """The text stored for ``value``; multiple choices are comma-joined in questionnaire order."""
    check_value(question, value)
    if value is None:
        return None
    return kind_of(question).encode(question, value)


def decode_value(question: Question, text: str | None) -> AnswerValue:
    """The value stored as ``text`` by :func:`encode_value`; ``ValueError`` when it is invalid."""
    if text is None or text == "":
        return None
    return kind_of(question).decode(question, text)


def parse_form_value(question: Question, raw: RawInput) -> AnswerValue:
    """Read a form field's raw input (one string, or a list for checkboxes) into a value.

    Empty input means no answer (``None``). Invalid input raises ``ValueError`` with a
    message that can be shown next to the field.
    """
    return kind_of(question).parse(question, raw)
