"""One class per question type; ``kind_of(question)`` gives the one for a question.

Importing this package registers every type: a new type's module is imported here.
"""

from assessment.questionnaire.types.base import (
    KINDS,
    N_,
    AnswerChoice,
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
    "KINDS",
    "NO",
    "N_",
    "YES",
    "AnswerChoice",
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
