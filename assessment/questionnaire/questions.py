"""Reading an element's questions: the settings every question has, then its type's own.

What is particular to a type (its settings, their checks, whether it is scored) comes from
the type's class in ``assessment.questionnaire.types``.
"""

from __future__ import annotations

from typing import Any

from assessment.questionnaire.checks import Reader
from assessment.questionnaire.model import Question, QuestionType
from assessment.questionnaire.problems import Path_, describe, join, suggest
from assessment.questionnaire.types import KINDS

MIN_QUESTIONS_PER_ELEMENT = 5
MAX_QUESTIONS_PER_ELEMENT = 10

_QUESTION_COMMON = ("id", "type", "text", "help", "source")
_SCORED_EXTRA = ("weight", "allow_na", "recommendation")
_ALL_QUESTION_KEYS = sorted(
    {*_QUESTION_COMMON, *_SCORED_EXTRA, *(key for kind in KINDS.values() for key in kind.keys)}
)


def read_questions(reader: Reader, value: Any, path: Path_, element_id: str) -> tuple[Question, ...] | None:
    """The questions of one element; ``None`` when any is wrong."""
    if not isinstance(value, list):
        reader.add(
            path,
            f"questions must be a list (lines starting with '- '); found {describe(value)}.",
        )
        return None
    count = len(value)
    if not MIN_QUESTIONS_PER_ELEMENT <= count <= MAX_QUESTIONS_PER_ELEMENT:
        reader.add(
            path,
            f"an element needs between {MIN_QUESTIONS_PER_ELEMENT} and "
            f"{MAX_QUESTIONS_PER_ELEMENT} questions; this one has {count}.",
        )
    questions = [read_question(reader, item, (*path, i), element_id) for i, item in enumerate(value)]
    built = [q for q in questions if q is not None]
    if len(built) != count:
        return None
    if built and not any(q.scored for q in built):
        reader.add(path, "an element needs at least one scored question, or it can never have a score.")
        return None
    return tuple(built)


def read_question(reader: Reader, value: Any, path: Path_, element_id: str) -> Question | None:
    """One question, with its type's settings; ``None`` when anything is wrong."""
    if not isinstance(value, dict):
        reader.add(path, f"a question must be a set of 'name: value' lines; found {describe(value)}.")
        return None
    qtype = question_type(reader, value.get("type"), (*path, "type")) if "type" in value else None
    kind = KINDS[qtype] if qtype is not None else None
    scored = kind is not None and kind.is_scored(value)
    if kind is None:
        # Without a type only the common keys can be checked meaningfully.
        allowed: tuple[str, ...] = tuple(_ALL_QUESTION_KEYS)
        what = "a question"
    else:
        name = kind.type.value
        allowed = (*_QUESTION_COMMON, *(_SCORED_EXTRA if scored else ()), *kind.keys)
        what = f"{'an' if name[0] in 'aeiou' else 'a'} {name} question"

    def elsewhere(key: str) -> str | None:
        if key in _SCORED_EXTRA and not scored:
            return f"'{key}' only applies to scored questions; {what} is not scored."
        owners = [t.value for t, other in KINDS.items() if key in other.keys]
        if owners:
            return f"'{key}' only applies to {join(owners)} questions, not to {what}."
        return None

    required = ("id", "type", "text", *(("recommendation",) if scored else ()))
    data = reader.mapping(
        value, path, what, required, tuple(k for k in allowed if k not in required), elsewhere
    )
    assert data is not None
    question_id = None
    if "id" in data:
        question_id = reader.identifier(data["id"], (*path, "id"), "a question id")
        if question_id is not None and question_id in reader.question_lines:
            reader.add(
                (*path, "id"),
                f"the question id '{question_id}' is already used on "
                f"line {reader.question_lines[question_id]}; question ids must be unique "
                "in the whole file.",
            )
            question_id = None
        elif question_id is not None:
            reader.question_lines[question_id] = reader.line((*path, "id"))
    text = reader.text(data["text"], (*path, "text"), "the question text") if "text" in data else None
    help_text = reader.text(data["help"], (*path, "help"), "the help text") if "help" in data else None
    source = reader.text(data["source"], (*path, "source"), "the source") if "source" in data else None
    recommendation = (
        reader.text(data["recommendation"], (*path, "recommendation"), "the recommendation")
        if "recommendation" in data
        else None
    )
    weight = (
        reader.number(data["weight"], (*path, "weight"), "the question weight", above=0)
        if "weight" in data
        else 1.0
    )
    allow_na = (
        reader.boolean(data["allow_na"], (*path, "allow_na"), "allow_na") if "allow_na" in data else False
    )
    # Type details are checked even when something above is wrong, so that every
    # problem in the question is reported in one pass.
    details = None
    if kind is not None:
        before = len(reader.problems)
        details = kind.read(reader, data, path)
        if len(reader.problems) > before:
            details = None
    if qtype is None or question_id is None or text is None or weight is None or allow_na is None:
        return None
    if ("help" in data and help_text is None) or ("source" in data and source is None):
        return None
    if (scored and recommendation is None) or details is None:
        return None
    return Question(
        id=question_id,
        element_id=element_id,
        type=qtype,
        text=text,
        scored=scored,
        help=help_text,
        recommendation=recommendation,
        source=source,
        weight=weight,
        allow_na=allow_na,
        line=reader.line(path),
        **details,
    )


def question_type(reader: Reader, value: Any, path: Path_) -> QuestionType | None:
    names = [t.value for t in QuestionType]
    if isinstance(value, str) and value in names:
        return QuestionType(value)
    shown = value if isinstance(value, str) else describe(value)
    reader.add(
        path,
        f"'{shown}' is not a known question type{suggest(str(value), names)} "
        f"The types are: {', '.join(names)}.",
    )
    return None
