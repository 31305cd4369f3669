"""One class per question type; ``kind_of(question)`` gives the one for a question.

Importing this package registers every type: a new type's module is imported here.
"""

from assessment.questionnaire.types.base import (
    DONT_KNOW,
    KINDS,
    LOW_MISSING_CODES,
    MISSING_CODES,
    MISSING_REASONS,
    MISSING_WORDS,
    N_,
    NOT_ANSWERED,
    NOT_APPLICABLE,
    NOT_ASKED,
    AnswerChoice,
    AnswerCode,
    AnswerError,
    AnswerValue,
    CodebookEntry,
    QuestionKind,
    RawInput,
    Translate,
    Widget,
    kind_of,
    untranslated,
)
from assessment.questionnaire.types.evidence import Evidence
from assessment.questionnaire.types.maturity import Maturity
from assessment.questionnaire.types.multiple_choice import MultipleChoice
from assessment.questionnaire.types.number import Number, number_text
from assessment.questionnaire.types.single_choice import SingleChoice
from assessment.questionnaire.types.yes_no import NO, YES, YesNo

__all__ = [
    "DONT_KNOW",
    "KINDS",
    "LOW_MISSING_CODES",
    "MISSING_CODES",
    "MISSING_REASONS",
    "MISSING_WORDS",
    "NO",
    "NOT_ANSWERED",
    "NOT_APPLICABLE",
    "NOT_ASKED",
    "N_",
    "YES",
    "AnswerChoice",
    "AnswerCode",
    "AnswerError",
    "AnswerValue",
    "CodebookEntry",
    "Evidence",
    "Maturity",
    "MultipleChoice",
    "Number",
    "QuestionKind",
    "RawInput",
    "SingleChoice",
    "Translate",
    "Widget",
    "YesNo",
    "kind_of",
    "number_text",
    "untranslated",
]
