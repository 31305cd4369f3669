"""Reading the sections of questionnaire.yaml: the top level, languages, scale, scoring and
elements (an element's questions are read in ``questions``).

Texts (titles, questions, level descriptions, option labels, recommendations...) are either
plain text in the default language, or a mapping from language code to text that must contain
the default language, e.g. ``text: {en: "Is there...", fr: "Existe-t-il..."}``. The languages
allowed are listed in the top-level ``languages`` field; ``default_language`` names the one
used when a translation is missing.
"""

from __future__ import annotations

import re
from typing import Any

from assessment.questionnaire.checks import Reader
from assessment.questionnaire.model import (
    DONT_KNOW_FLAG_SHARE,
    SCALE_MAX,
    SCALE_MIN,
    Element,
    Questionnaire,
    Text,
)
from assessment.questionnaire.problems import Path_, describe
from assessment.questionnaire.questions import read_questions

LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")

# Keys each kind of mapping accepts; anything else is reported with a suggestion.
_TOP_REQUIRED = (
    "version",
    "title",
    "languages",
    "default_language",
    "scale",
    "scoring",
    "elements",
)
_SCORING_REQUIRED = ("completeness_threshold", "dont_know_recommendation")
_SCORING_OPTIONAL = ("geometric_offset", "dont_know_flag_share")
_ELEMENT_REQUIRED = ("id", "title", "rationale", "target", "weight", "questions")


def read_file(reader: Reader, data: Any, text: str, content_hash: str) -> Questionnaire | None:
    """The whole questionnaire, or ``None`` when ``reader`` has found any problem."""
    top = reader.mapping(data, (), "the questionnaire", _TOP_REQUIRED)
    if top is None:
        return None
    version = top.get("version")
    if "version" in top and (not isinstance(version, str) or not version.strip()):
        reader.add(
            ("version",),
            f'the version must be text in quotes, e.g. "2026.1"; found {describe(version)}.',
        )
        version = None
    # Languages first: every text after them is checked against them.
    read_languages(reader, top)
    title = reader.text(top["title"], ("title",), "the title") if "title" in top else None
    if "scale" in top:
        read_scale(reader, top["scale"], ("scale",))
    scoring = read_scoring(reader, top["scoring"], ("scoring",)) if "scoring" in top else None
    elements = read_elements(reader, top.get("elements"), ("elements",))
    if reader.problems or None in (version, title, scoring) or elements is None:
        return None
    assert isinstance(version, str) and title is not None and scoring is not None
    threshold, offset, dont_know, flag_share = scoring
    return Questionnaire(
        version=version.strip(),
        title=title,
        languages=reader.languages,
        default_language=reader.default_language,
        scale_labels=reader.scale_labels,
        completeness_threshold=threshold,
        geometric_offset=offset,
        dont_know_recommendation=dont_know,
        elements=elements,
        source_text=text,
        content_hash=content_hash,
        source=reader.source,
        dont_know_flag_share=flag_share,
    )


def read_languages(reader: Reader, top: dict[str, Any]) -> None:
    """Set the reader's languages and default language from the top level, when valid."""
    languages = top.get("languages")
    path: Path_ = ("languages",)
    if "languages" not in top:
        pass
    elif (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(code, str) and LANGUAGE_PATTERN.match(code) for code in languages)
    ):
        reader.add(
            path,
            f"languages must be a list of language codes such as [en, fr]; found {describe(languages)}.",
        )
    elif len(set(languages)) != len(languages):
        reader.add(path, "each language may be listed only once.")
    else:
        reader.languages = tuple(languages)
    default = top.get("default_language")
    if "default_language" not in top:
        return
    if not isinstance(default, str) or default not in reader.languages:
        reader.add(
            ("default_language",),
            f"the default language must be one of the listed languages "
            f"({', '.join(reader.languages)}); found {describe(default)}.",
        )
        return
    reader.default_language = default


def read_scale(reader: Reader, value: Any, path: Path_) -> None:
    """Set the reader's names of the five levels, when valid."""
    labels = reader.levels(value, path, "the scale", "a name for every level")
    if labels is not None:
        reader.scale_labels = labels


def read_scoring(reader: Reader, value: Any, path: Path_) -> tuple[float, float, Text, float] | None:
    """The completeness threshold, the geometric offset, the don't-know recommendation and the
    share of don't knows that flags an element."""
    scoring = reader.mapping(value, path, "the scoring section", _SCORING_REQUIRED, _SCORING_OPTIONAL)
    if scoring is None:
        return None
    threshold = None
    if "completeness_threshold" in scoring:
        threshold = reader.number(
            scoring["completeness_threshold"],
            (*path, "completeness_threshold"),
            "the completeness threshold",
            above=0,
            high=1,
        )
    offset: float | None = 1.0
    if "geometric_offset" in scoring:
        offset = reader.number(
            scoring["geometric_offset"],
            (*path, "geometric_offset"),
            "the geometric offset",
            above=0,
        )
    dont_know = None
    if "dont_know_recommendation" in scoring:
        dont_know = reader.text(
            scoring["dont_know_recommendation"],
            (*path, "dont_know_recommendation"),
            "the don't-know recommendation",
        )
    flag_share: float | None = DONT_KNOW_FLAG_SHARE
    if "dont_know_flag_share" in scoring:
        flag_share = reader.number(scoring["dont_know_flag_share"], (*path, "dont_know_flag_share"),
                                   "the don't-know flag share", low=0, high=1)
    if threshold is None or offset is None or dont_know is None or flag_share is None:
        return None
    return threshold, offset, dont_know, flag_share


def read_elements(reader: Reader, value: Any, path: Path_) -> tuple[Element, ...] | None:
    if value is None and path not in reader.lines:
        return None  # already reported as missing
    if not isinstance(value, list):
        reader.add(
            path,
            f"elements must be a list (lines starting with '- '); found {describe(value)}.",
        )
        return None
    if not value:
        reader.add(path, "the questionnaire needs at least one element.")
        return None
    elements: list[Element] = []
    seen: dict[str, int | None] = {}
    for index, item in enumerate(value):
        element = read_element(reader, item, (*path, index), seen)
        if element is not None:
            elements.append(element)
    return tuple(elements) if len(elements) == len(value) else None


def read_element(reader: Reader, value: Any, path: Path_, seen: dict[str, int | None]) -> Element | None:
    """One element; ``seen`` holds the line of every element id read so far."""
    data = reader.mapping(value, path, "an element", _ELEMENT_REQUIRED)
    if data is None:
        return None
    element_id = None
    if "id" in data:
        element_id = reader.identifier(data["id"], (*path, "id"), "an element id")
        if element_id is not None and element_id in seen:
            reader.add(
                (*path, "id"),
                f"the element id '{element_id}' is already used on line "
                f"{seen[element_id]}; element ids must be unique.",
            )
            element_id = None
        elif element_id is not None:
            seen[element_id] = reader.line((*path, "id"))
    title = reader.text(data["title"], (*path, "title"), "the title") if "title" in data else None
    rationale = (
        reader.text(data["rationale"], (*path, "rationale"), "the rationale")
        if "rationale" in data
        else None
    )
    target = (
        reader.number(data["target"], (*path, "target"), "the target level", low=SCALE_MIN, high=SCALE_MAX)
        if "target" in data
        else None
    )
    weight = (
        reader.number(data["weight"], (*path, "weight"), "the weight", above=0)
        if "weight" in data
        else None
    )
    questions = (
        read_questions(reader, data.get("questions"), (*path, "questions"), element_id or "")
        if "questions" in data
        else None
    )
    if None in (element_id, title, rationale, target, weight, questions):
        return None
    assert element_id is not None and title is not None and rationale is not None
    assert target is not None and weight is not None and questions is not None
    return Element(element_id, title, rationale, target, weight, questions, reader.line(path))
