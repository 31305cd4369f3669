"""Read questionnaire.yaml safely, check every rule, and build the frozen model.

Every problem found is collected and reported at once, each with the file, the line, the
place in the file (``elements[2].questions[4].levels``, counting from 0) and a message meant
for the person editing the file.

The work is split along its seams: ``safe_yaml`` reads the text (size, nesting, anchors,
tags, duplicate keys, the line of every path), ``checks`` holds the generic checks and the
problems found, ``sections`` and ``questions`` read each part of the file, and each question
type's own settings are read by its class in ``types``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from assessment.questionnaire.checks import Reader
from assessment.questionnaire.model import Questionnaire
from assessment.questionnaire.problems import Problem, QuestionnaireError
from assessment.questionnaire.safe_yaml import MAX_BYTES, Converter, compose, too_big
from assessment.questionnaire.sections import read_file

__all__ = ["MAX_BYTES", "Problem", "QuestionnaireError", "load_questionnaire", "method_gaps",
           "parse_questionnaire", "translation_gaps"]


def load_questionnaire(path: str | os.PathLike[str]) -> Questionnaire:
    """Read, check and build the questionnaire in the file at ``path``."""
    file = Path(path)
    name = file.name
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise QuestionnaireError([too_big(name, size)])
        data = file.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise QuestionnaireError(
            [Problem(name, None, "", f"the file could not be read ({reason}).")]
        ) from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise QuestionnaireError(
            [Problem(name, None, "", "the file must be saved as UTF-8 text.")]
        ) from error
    return parse_questionnaire(text, source=name)


def parse_questionnaire(text: str, source: str = "questionnaire.yaml") -> Questionnaire:
    """Check and build a questionnaire from its YAML text (e.g. a version stored as text)."""
    return _read(text, source)[0]


def translation_gaps(questionnaire: Questionnaire) -> dict[str, list[Problem]]:
    """Per language, every text of a valid questionnaire that has no wording in it (with its
    line), in file order; languages without gaps are left out."""
    gaps: dict[str, list[Problem]] = {}
    for language, problem in _read(questionnaire.source_text, questionnaire.source)[1]:
        gaps.setdefault(language, []).append(problem)
    return gaps


def method_gaps(questionnaire: Questionnaire) -> list[Problem]:
    """What the method asks of every scored question and a valid file may still lack: a
    ``source``, and for yes/no and choices the level each answer evidences. Versions stored
    before these rules load without them; ``questionnaire check`` refuses a file that lacks them."""
    problems: list[Problem] = []
    for question in questionnaire.scored_questions:
        if question.source is None:
            problems.append(Problem(questionnaire.source, question.line, question.id,
                                    "a scored question needs a 'source': what it measures and "
                                    "where that comes from."))
        if not question.declares_levels:
            key = {"yes_no": "'yes_level'", "single_choice": "a 'level' on every option",
                   "multiple_choice": "'full_level'"}[question.type.value]
            problems.append(Problem(questionnaire.source, question.line, question.id,
                                    f"a scored {question.type.value} question needs {key}: the "
                                    "level of the scale its answers evidence."))
    return problems


def _read(text: str, source: str) -> tuple[Questionnaire, list[tuple[str, Problem]]]:
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_BYTES:
        raise QuestionnaireError([too_big(source, len(encoded))])
    node = compose(text, source)
    converter = Converter(source)
    data = converter.convert(node, ())
    reader = Reader(source, converter.lines, converter.problems)
    questionnaire = read_file(reader, data, text, hashlib.sha256(encoded).hexdigest())
    if reader.problems or questionnaire is None:
        # Sorted by line so the list reads top to bottom like the file.
        ordered = sorted(reader.problems, key=lambda p: p.line or 0)
        raise QuestionnaireError(ordered)
    return questionnaire, reader.untranslated
