"""The questionnaire and its scoring, in plain Python: no web framework, no database.

``load_questionnaire`` / ``parse_questionnaire`` read and check questionnaire.yaml;
``score_assessment`` turns a set of answers into element scores, an overall score and
ranked recommendations; the ``*_value`` functions convert answers to and from text.
Everything particular to one question type is in its class: ``kind_of(question)``.
"""

from assessment.questionnaire.loader import (
    load_questionnaire,
    method_gaps,
    parse_questionnaire,
    translation_gaps,
)
from assessment.questionnaire.model import (
    PERCENT_PER_LEVEL,
    SCALE_MAX,
    SCALE_MIN,
    Band,
    Element,
    Level,
    Option,
    Question,
    Questionnaire,
    QuestionType,
    Text,
)
from assessment.questionnaire.problems import Problem, QuestionnaireError
from assessment.questionnaire.safe_yaml import MAX_BYTES
from assessment.questionnaire.scoring import (
    Answer,
    AssessmentScore,
    ElementScore,
    Recommendation,
    Strength,
    level_reached,
    score_assessment,
    score_question,
    status_of,
    strengths,
    target_level,
)
from assessment.questionnaire.types import KINDS, AnswerError, QuestionKind, kind_of
from assessment.questionnaire.values import (
    AnswerValue,
    check_value,
    decode_value,
    encode_value,
    parse_form_value,
)

__all__ = [
    "KINDS",
    "MAX_BYTES",
    "PERCENT_PER_LEVEL",
    "SCALE_MAX",
    "SCALE_MIN",
    "Answer",
    "AnswerError",
    "AnswerValue",
    "AssessmentScore",
    "Band",
    "Element",
    "ElementScore",
    "Level",
    "Option",
    "Problem",
    "Question",
    "QuestionKind",
    "QuestionType",
    "Questionnaire",
    "QuestionnaireError",
    "Recommendation",
    "Strength",
    "Text",
    "check_value",
    "decode_value",
    "encode_value",
    "kind_of",
    "level_reached",
    "load_questionnaire",
    "method_gaps",
    "parse_form_value",
    "parse_questionnaire",
    "score_assessment",
    "score_question",
    "status_of",
    "strengths",
    "target_level",
    "translation_gaps",
]
