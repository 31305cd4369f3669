"""Read questionnaire.yaml safely, check every rule, and build the frozen model.

Every problem found is collected and reported at once, each with the file, the line, the
place in the file (``elements[2].questions[4].levels``, counting from 0) and a message meant
for the person editing the file.

Texts (titles, questions, level descriptions, option labels, recommendations...) are either
plain text in the default language, or a mapping from language code to text that must contain
the default language, e.g. ``text: {en: "Is there...", fr: "Existe-t-il..."}``. The languages
allowed are listed in the top-level ``languages`` field; ``default_language`` names the one
used when a translation is missing.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assessment.questionnaire.model import (
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

MAX_BYTES = 1_000_000
MAX_DEPTH = 20
MIN_QUESTIONS_PER_ELEMENT = 5
MAX_QUESTIONS_PER_ELEMENT = 8
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# Option keys are joined with commas when stored, so they use the same safe alphabet.
OPTION_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a questionnaire file, located as precisely as possible."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.path:
            where.append(self.path)
        return f"{', '.join(where)}: {self.message}"


class QuestionnaireError(Exception):
    """The questionnaire cannot be used; ``problems`` lists everything that is wrong."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        count = len(self.problems)
        heading = f"the questionnaire has {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([heading + ":", *(f"  - {p}" for p in self.problems)]))


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans, so texts like ``No`` stay texts."""


_BOOL_TAG = "tag:yaml.org,2002:bool"
_SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SafeLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_questionnaire(path: str | os.PathLike[str]) -> Questionnaire:
    """Read, check and build the questionnaire in the file at ``path``."""
    file = Path(path)
    name = file.name
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise QuestionnaireError([_too_big(name, size)])
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
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_BYTES:
        raise QuestionnaireError([_too_big(source, len(encoded))])
    node = _compose(text, source)
    converter = _Converter(source)
    data = converter.convert(node, ())
    builder = _Builder(source, converter.lines, converter.problems)
    questionnaire = builder.build(data, text, hashlib.sha256(encoded).hexdigest())
    if builder.problems or questionnaire is None:
        # Sorted by line so the list reads top to bottom like the file.
        ordered = sorted(builder.problems, key=lambda p: p.line or 0)
        raise QuestionnaireError(ordered)
    return questionnaire


def _too_big(source: str, size: int) -> Problem:
    return Problem(
        source,
        None,
        "",
        f"the file is {size:,} bytes; a questionnaire may be at most {MAX_BYTES:,} bytes.",
    )


def _line(mark: Any) -> int | None:
    return int(mark.line) + 1 if mark is not None else None


def _compose(text: str, source: str) -> yaml.Node:
    """Parse to a node tree, refusing anchors, aliases and tags before anything is built."""
    problems: list[Problem] = []
    try:
        # The event pass sees aliases before they could be expanded (no alias bombs).
        depth = 0
        for event in yaml.parse(text, Loader=_SafeLoader):
            line = _line(event.start_mark)
            # Building the tree is recursive: refuse absurd nesting before it starts.
            depth += isinstance(event, yaml.CollectionStartEvent)
            depth -= isinstance(event, yaml.CollectionEndEvent)
            if depth > MAX_DEPTH:
                problems.append(
                    Problem(
                        source,
                        line,
                        "",
                        f"lists and sections are nested more than "
                        f"{MAX_DEPTH} levels deep here; the questionnaire never needs that.",
                    )
                )
                break
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                problems.append(
                    Problem(
                        source,
                        line,
                        "",
                        "anchors and aliases (& and *) are not allowed; write the text out "
                        "in full where it is needed.",
                    )
                )
            elif isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent) and event.tag:
                problems.append(
                    Problem(
                        source,
                        line,
                        "",
                        f"YAML tags such as '{event.tag}' are not allowed; remove the '!' part.",
                    )
                )
        if problems:
            raise QuestionnaireError(problems)
        loader = _SafeLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "unreadable text"
        raise QuestionnaireError(
            [
                Problem(
                    source,
                    _line(mark),
                    "",
                    f"the file is not valid YAML here ({reason}); check the indentation, "
                    "and put quotes around texts that contain ':' or '#'.",
                )
            ]
        ) from error
    except yaml.YAMLError as error:
        raise QuestionnaireError(
            [Problem(source, None, "", f"the file is not valid YAML ({error}).")]
        ) from error
    if node is None:
        raise QuestionnaireError([Problem(source, 1, "", "the file is empty.")])
    return node


def _format_path(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _describe(value: object) -> str:
    """How a value found in the file looks, in plain words."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of 'name: value' lines"
    return f"'{value}'"


def _is_number(value: object) -> bool:
    # bool is a subclass of int, but true/false is never a number here.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else "."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class _Converter:
    """Turns YAML nodes into plain Python values, remembering the line of every path."""

    source: str
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # One constructor turns every scalar node into its value (int, float, str, bool, None).
    constructor: yaml.SafeLoader = field(default_factory=lambda: _SafeLoader(""))

    def convert(self, node: yaml.Node, path: Path_) -> Any:
        self.lines.setdefault(path, int(node.start_mark.line) + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key_line = int(key_node.start_mark.line) + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(
                        Problem(
                            self.source,
                            key_line,
                            _format_path(path),
                            "a name before ':' must be plain text, not a list or a mapping.",
                        )
                    )
                    continue
                key = self._scalar(key_node)
                if isinstance(key, float | bool) or key is None:
                    key = str(key_node.value)
                if key in result:
                    self.problems.append(
                        Problem(
                            self.source,
                            key_line,
                            _format_path((*path, key)),
                            f"'{key}' appears twice here, first on line "
                            f"{self.lines.get((*path, key), '?')}; keep only one.",
                        )
                    )
                    continue
                self.lines[(*path, key)] = key_line
                result[key] = self.convert(value_node, (*path, key))
                # The key's line is the one people look for, even for nested blocks.
                self.lines[(*path, key)] = key_line
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        # Only the standard scalar types get here: tags were refused before composing.
        try:
            return self.constructor.construct_object(node)
        except yaml.YAMLError:
            return str(node.value)


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
_SCORING_OPTIONAL = ("geometric_offset",)
_ELEMENT_REQUIRED = ("id", "title", "rationale", "target", "weight", "questions")
_QUESTION_COMMON = ("id", "type", "text", "help")
_SCORED_EXTRA = ("weight", "allow_na", "recommendation")
_TYPE_KEYS: dict[QuestionType, tuple[str, ...]] = {
    QuestionType.MATURITY: ("levels",),
    QuestionType.YES_NO: ("yes_points", "no_points"),
    QuestionType.SINGLE_CHOICE: ("options",),
    QuestionType.MULTIPLE_CHOICE: ("options", "cap"),
    QuestionType.NUMBER: ("min", "max", "integer", "unit", "bands", "scored"),
    QuestionType.EVIDENCE: (),
}
_ALL_QUESTION_KEYS = sorted(
    {*_QUESTION_COMMON, *_SCORED_EXTRA, *(k for keys in _TYPE_KEYS.values() for k in keys)}
)
# Said after "X needs a 'key'" so that people know why the key matters.
_WHY_REQUIRED = {
    "recommendation": ", shown to the city when its answer is below the element's target",
    "id": " that stays the same across versions, since answers are stored under it",
}
_OPTION_KEYS = ("key", "label", "points", "exclusive")
_BAND_KEYS = ("min", "max", "points")


class _Builder:
    """Checks the plain data against the rules and builds the model when nothing is wrong."""

    def __init__(self, source: str, lines: dict[Path_, int], problems: list[Problem]) -> None:
        self.source = source
        self.lines = lines
        self.problems = list(problems)
        self.languages: tuple[str, ...] = ("en",)
        self.default_language = "en"
        self.scale_labels: tuple[Text, ...] = tuple(Text(str(n)) for n in range(SCALE_MAX + 1))
        self.question_lines: dict[str, int | None] = {}

    # -- reporting -------------------------------------------------------------------------

    def line(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest parent found in the file."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def add(self, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.source, self.line(path), _format_path(path), message))

    # -- generic checks ----------------------------------------------------------------------

    def mapping(
        self,
        value: Any,
        path: Path_,
        what: str,
        required: Sequence[str],
        optional: Sequence[str] = (),
        known_elsewhere: Callable[[str], str | None] | None = None,
    ) -> dict[str, Any] | None:
        """Check a mapping's keys: required ones present, unknown ones reported."""
        if not isinstance(value, dict):
            self.add(path, f"{what} must be a set of 'name: value' lines; found {_describe(value)}.")
            return None
        allowed = [*required, *optional]
        for key in value:
            if not isinstance(key, str):
                self.add((*path, key), f"'{key}' is not a valid name here{_suggest(str(key), allowed)}")
            elif key not in allowed:
                hint = known_elsewhere(key) if known_elsewhere else None
                if hint:
                    self.add((*path, key), hint)
                else:
                    self.add(
                        (*path, key),
                        f"'{key}' is not a known setting for {what}{_suggest(key, allowed)}",
                    )
        for key in required:
            if key not in value:
                why = _WHY_REQUIRED.get(key, "")
                self.add((*path, key), f"{what} needs a '{key}'{why}.")
        return {k: v for k, v in value.items() if isinstance(k, str)}

    def text(self, value: Any, path: Path_, what: str) -> Text | None:
        """A translatable text: plain text, or a mapping language -> text with the default."""
        if isinstance(value, str):
            if not value.strip():
                self.add(path, f"{what} must not be empty.")
                return None
            return Text(value.strip())
        if isinstance(value, dict):
            ok = True
            wordings: dict[str, str] = {}
            for language, wording in value.items():
                if language not in self.languages:
                    self.add(
                        (*path, language),
                        f"'{language}' is not one of the questionnaire's languages "
                        f"({', '.join(self.languages)}); add it to 'languages' first.",
                    )
                    ok = False
                elif not isinstance(wording, str) or not wording.strip():
                    self.add((*path, language), f"{what} in '{language}' must be non-empty text.")
                    ok = False
                else:
                    wordings[language] = wording.strip()
            if self.default_language not in value:
                self.add(
                    path,
                    f"{what} needs a wording in the default language '{self.default_language}'.",
                )
                ok = False
            if not ok:
                return None
            return Text(wordings[self.default_language], wordings)
        self.add(path, f"{what} must be text; found {_describe(value)}.")
        return None

    def identifier(self, value: Any, path: Path_, what: str) -> str | None:
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.add(
                path,
                f"{what} must be 2 to 40 characters: lower-case letters, digits and '_', "
                f"starting with a letter; found {_describe(value)}.",
            )
            return None
        return value

    def number(
        self,
        value: Any,
        path: Path_,
        what: str,
        *,
        low: float | None = None,
        high: float | None = None,
        above: float | None = None,
    ) -> float | None:
        """A finite number within the given bounds (``above`` is a strict lower bound)."""
        bounds = []
        if above is not None:
            bounds.append(f"greater than {above:g}")
        if low is not None and high is not None:
            bounds.append(f"from {low:g} to {high:g}")
        elif low is not None:
            bounds.append(f"of at least {low:g}")
        if high is not None and low is None:
            bounds.append(f"at most {high:g}")
        rule = f"{what} must be a number" + (f" {' and '.join(bounds)}" if bounds else "")
        if not _is_number(value):
            self.add(path, f"{rule}; found {_describe(value)}.")
            return None
        number = float(value)
        if (
            (above is not None and number <= above)
            or (low is not None and number < low)
            or (high is not None and number > high)
        ):
            self.add(path, f"{rule}; found {value}.")
            return None
        return number

    def boolean(self, value: Any, path: Path_, what: str) -> bool | None:
        if not isinstance(value, bool):
            self.add(path, f"{what} must be true or false; found {_describe(value)}.")
            return None
        return value

    def points(self, value: Any, path: Path_, what: str = "points") -> float | None:
        return self.number(value, path, what, low=SCALE_MIN, high=SCALE_MAX)

    # -- the file ---------------------------------------------------------------------------

    def build(self, data: Any, text: str, content_hash: str) -> Questionnaire | None:
        top = self.mapping(data, (), "the questionnaire", _TOP_REQUIRED)
        if top is None:
            return None
        version = top.get("version")
        if "version" in top and (not isinstance(version, str) or not version.strip()):
            self.add(
                ("version",),
                f'the version must be text in quotes, e.g. "2026.1"; found {_describe(version)}.',
            )
            version = None
        self.read_languages(top)
        title = self.text(top["title"], ("title",), "the title") if "title" in top else None
        if "scale" in top:
            self.read_scale(top["scale"], ("scale",))
        scoring = self.read_scoring(top["scoring"], ("scoring",)) if "scoring" in top else None
        elements = self.read_elements(top.get("elements"), ("elements",))
        if self.problems or None in (version, title, scoring) or elements is None:
            return None
        assert isinstance(version, str) and title is not None and scoring is not None
        threshold, offset, dont_know = scoring
        return Questionnaire(
            version=version.strip(),
            title=title,
            languages=self.languages,
            default_language=self.default_language,
            scale_labels=self.scale_labels,
            completeness_threshold=threshold,
            geometric_offset=offset,
            dont_know_recommendation=dont_know,
            elements=elements,
            source_text=text,
            content_hash=content_hash,
            source=self.source,
        )

    def read_languages(self, top: dict[str, Any]) -> None:
        languages = top.get("languages")
        path: Path_ = ("languages",)
        if "languages" not in top:
            pass
        elif (
            not isinstance(languages, list)
            or not languages
            or not all(isinstance(code, str) and LANGUAGE_PATTERN.match(code) for code in languages)
        ):
            self.add(
                path,
                f"languages must be a list of language codes such as [en, fr]; found {_describe(languages)}.",
            )
        elif len(set(languages)) != len(languages):
            self.add(path, "each language may be listed only once.")
        else:
            self.languages = tuple(languages)
        default = top.get("default_language")
        if "default_language" not in top:
            return
        if not isinstance(default, str) or default not in self.languages:
            self.add(
                ("default_language",),
                f"the default language must be one of the listed languages "
                f"({', '.join(self.languages)}); found {_describe(default)}.",
            )
            return
        self.default_language = default

    def read_scale(self, value: Any, path: Path_) -> None:
        labels = self.levels(value, path, "the scale", "a name for every level")
        if labels is not None:
            self.scale_labels = labels

    def levels(self, value: Any, path: Path_, what: str, needs: str) -> tuple[Text, ...] | None:
        """A mapping with one text for each level 0..4."""
        if not isinstance(value, dict):
            self.add(path, f"{what} must list levels 0 to 4 as '0: ...' lines; found {_describe(value)}.")
            return None
        texts: dict[int, Text] = {}
        ok = True
        for key, wording in value.items():
            if not isinstance(key, int) or isinstance(key, bool):
                self.add(
                    (*path, key),
                    f"'{key}' is not a level; levels are the numbers {SCALE_MIN} to {SCALE_MAX}.",
                )
                ok = False
            elif not SCALE_MIN <= key <= SCALE_MAX:
                self.add(
                    (*path, key),
                    f"level {key} is outside the scale; levels run from {SCALE_MIN} to {SCALE_MAX}.",
                )
                ok = False
            else:
                text = self.text(wording, (*path, key), f"level {key}")
                if text is None:
                    ok = False
                else:
                    texts[key] = text
        missing = [str(n) for n in range(SCALE_MIN, SCALE_MAX + 1) if n not in value]
        if missing:
            which = f"level {missing[0]} is" if len(missing) == 1 else f"levels {_join(missing)} are"
            self.add(path, f"{what} needs {needs} from {SCALE_MIN} to {SCALE_MAX}; {which} missing.")
            ok = False
        if not ok:
            return None
        return tuple(texts[n] for n in range(SCALE_MIN, SCALE_MAX + 1))

    def read_scoring(self, value: Any, path: Path_) -> tuple[float, float, Text] | None:
        scoring = self.mapping(value, path, "the scoring section", _SCORING_REQUIRED, _SCORING_OPTIONAL)
        if scoring is None:
            return None
        threshold = None
        if "completeness_threshold" in scoring:
            threshold = self.number(
                scoring["completeness_threshold"],
                (*path, "completeness_threshold"),
                "the completeness threshold",
                above=0,
                high=1,
            )
        offset: float | None = 1.0
        if "geometric_offset" in scoring:
            offset = self.number(
                scoring["geometric_offset"],
                (*path, "geometric_offset"),
                "the geometric offset",
                above=0,
            )
        dont_know = None
        if "dont_know_recommendation" in scoring:
            dont_know = self.text(
                scoring["dont_know_recommendation"],
                (*path, "dont_know_recommendation"),
                "the don't-know recommendation",
            )
        if threshold is None or offset is None or dont_know is None:
            return None
        return threshold, offset, dont_know

    def read_elements(self, value: Any, path: Path_) -> tuple[Element, ...] | None:
        if value is None and path not in self.lines:
            return None  # already reported as missing
        if not isinstance(value, list):
            self.add(
                path,
                f"elements must be a list (lines starting with '- '); found {_describe(value)}.",
            )
            return None
        if not value:
            self.add(path, "the questionnaire needs at least one element.")
            return None
        elements: list[Element] = []
        seen: dict[str, int | None] = {}
        for index, item in enumerate(value):
            element = self.read_element(item, (*path, index), seen)
            if element is not None:
                elements.append(element)
        return tuple(elements) if len(elements) == len(value) else None

    def read_element(self, value: Any, path: Path_, seen: dict[str, int | None]) -> Element | None:
        data = self.mapping(value, path, "an element", _ELEMENT_REQUIRED)
        if data is None:
            return None
        element_id = None
        if "id" in data:
            element_id = self.identifier(data["id"], (*path, "id"), "an element id")
            if element_id is not None and element_id in seen:
                self.add(
                    (*path, "id"),
                    f"the element id '{element_id}' is already used on line "
                    f"{seen[element_id]}; element ids must be unique.",
                )
                element_id = None
            elif element_id is not None:
                seen[element_id] = self.line((*path, "id"))
        title = self.text(data["title"], (*path, "title"), "the title") if "title" in data else None
        rationale = (
            self.text(data["rationale"], (*path, "rationale"), "the rationale")
            if "rationale" in data
            else None
        )
        target = (
            self.number(data["target"], (*path, "target"), "the target level", low=SCALE_MIN, high=SCALE_MAX)
            if "target" in data
            else None
        )
        weight = (
            self.number(data["weight"], (*path, "weight"), "the weight", above=0)
            if "weight" in data
            else None
        )
        questions = (
            self.read_questions(data.get("questions"), (*path, "questions"), element_id or "")
            if "questions" in data
            else None
        )
        if None in (element_id, title, rationale, target, weight, questions):
            return None
        assert element_id is not None and title is not None and rationale is not None
        assert target is not None and weight is not None and questions is not None
        return Element(element_id, title, rationale, target, weight, questions, self.line(path))

    def read_questions(self, value: Any, path: Path_, element_id: str) -> tuple[Question, ...] | None:
        if not isinstance(value, list):
            self.add(
                path,
                f"questions must be a list (lines starting with '- '); found {_describe(value)}.",
            )
            return None
        count = len(value)
        if not MIN_QUESTIONS_PER_ELEMENT <= count <= MAX_QUESTIONS_PER_ELEMENT:
            self.add(
                path,
                f"an element needs between {MIN_QUESTIONS_PER_ELEMENT} and "
                f"{MAX_QUESTIONS_PER_ELEMENT} questions; this one has {count}.",
            )
        questions = [self.read_question(item, (*path, i), element_id) for i, item in enumerate(value)]
        built = [q for q in questions if q is not None]
        if len(built) != count:
            return None
        if built and not any(q.scored for q in built):
            self.add(path, "an element needs at least one scored question, or it can never have a score.")
            return None
        return tuple(built)

    def read_question(self, value: Any, path: Path_, element_id: str) -> Question | None:
        if not isinstance(value, dict):
            self.add(path, f"a question must be a set of 'name: value' lines; found {_describe(value)}.")
            return None
        qtype = self.question_type(value.get("type"), (*path, "type")) if "type" in value else None
        scored = qtype is not None and qtype is not QuestionType.EVIDENCE
        if qtype is QuestionType.NUMBER and value.get("scored") is False:
            scored = False
        if qtype is None:
            # Without a type only the common keys can be checked meaningfully.
            allowed: tuple[str, ...] = tuple(_ALL_QUESTION_KEYS)
            what = "a question"
        else:
            allowed = (*_QUESTION_COMMON, *(_SCORED_EXTRA if scored else ()), *_TYPE_KEYS[qtype])
            what = f"{'an' if qtype.value[0] in 'aeiou' else 'a'} {qtype.value} question"

        def elsewhere(key: str) -> str | None:
            if key in _SCORED_EXTRA and not scored:
                return f"'{key}' only applies to scored questions; {what} is not scored."
            owners = [t.value for t, keys in _TYPE_KEYS.items() if key in keys]
            if owners:
                return f"'{key}' only applies to {_join(owners)} questions, not to {what}."
            return None

        required = ("id", "type", "text", *(("recommendation",) if scored else ()))
        data = self.mapping(
            value, path, what, required, tuple(k for k in allowed if k not in required), elsewhere
        )
        assert data is not None
        question_id = None
        if "id" in data:
            question_id = self.identifier(data["id"], (*path, "id"), "a question id")
            if question_id is not None and question_id in self.question_lines:
                self.add(
                    (*path, "id"),
                    f"the question id '{question_id}' is already used on "
                    f"line {self.question_lines[question_id]}; question ids must be unique "
                    "in the whole file.",
                )
                question_id = None
            elif question_id is not None:
                self.question_lines[question_id] = self.line((*path, "id"))
        text = self.text(data["text"], (*path, "text"), "the question text") if "text" in data else None
        help_text = self.text(data["help"], (*path, "help"), "the help text") if "help" in data else None
        recommendation = (
            self.text(data["recommendation"], (*path, "recommendation"), "the recommendation")
            if "recommendation" in data
            else None
        )
        weight = (
            self.number(data["weight"], (*path, "weight"), "the question weight", above=0)
            if "weight" in data
            else 1.0
        )
        allow_na = (
            self.boolean(data["allow_na"], (*path, "allow_na"), "allow_na") if "allow_na" in data else False
        )
        # Type details are checked even when something above is wrong, so that every
        # problem in the question is reported in one pass.
        details = self.type_details(qtype, data, path) if qtype is not None else None
        if qtype is None or question_id is None or text is None or weight is None or allow_na is None:
            return None
        if "help" in data and help_text is None:
            return None
        if (scored and recommendation is None) or details is None:
            return None
        if qtype is QuestionType.NUMBER and not details.get("bands") and scored:
            return None
        return Question(
            id=question_id,
            element_id=element_id,
            type=qtype,
            text=text,
            scored=scored,
            help=help_text,
            recommendation=recommendation,
            weight=weight,
            allow_na=allow_na,
            line=self.line(path),
            **details,
        )

    def question_type(self, value: Any, path: Path_) -> QuestionType | None:
        names = [t.value for t in QuestionType]
        if isinstance(value, str) and value in names:
            return QuestionType(value)
        shown = value if isinstance(value, str) else _describe(value)
        self.add(
            path,
            f"'{shown}' is not a known question type{_suggest(str(value), names)} "
            f"The types are: {', '.join(names)}.",
        )
        return None

    def type_details(self, qtype: QuestionType, data: dict[str, Any], path: Path_) -> dict[str, Any] | None:
        """The fields particular to one question type, checked; ``None`` if any is wrong."""
        before = len(self.problems)
        details: dict[str, Any] = {}
        if qtype is QuestionType.MATURITY:
            if "levels" not in data:
                self.add(
                    (*path, "levels"),
                    "a maturity question needs 'levels' with a description for every level from 0 to 4.",
                )
            else:
                texts = self.levels(
                    data["levels"],
                    (*path, "levels"),
                    "the maturity scale",
                    "a description for every level",
                )
                if texts is not None:
                    details["levels"] = tuple(
                        Level(n, self.scale_labels[n], texts[n]) for n in range(len(texts))
                    )
        elif qtype is QuestionType.YES_NO:
            yes = (
                self.points(data["yes_points"], (*path, "yes_points"), "yes_points")
                if "yes_points" in data
                else 4.0
            )
            no = (
                self.points(data["no_points"], (*path, "no_points"), "no_points")
                if "no_points" in data
                else 0.0
            )
            if yes is not None and no is not None:
                if {yes, no} != {float(SCALE_MIN), float(SCALE_MAX)}:
                    self.add(
                        path,
                        f"one answer must be worth {SCALE_MAX} points and the other "
                        f"{SCALE_MIN}, so that the question spans the whole scale.",
                    )
                details.update(yes_points=yes, no_points=no)
        elif qtype in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            self.choice_details(qtype, data, path, details)
        elif qtype is QuestionType.NUMBER:
            self.number_details(data, path, details)
        if len(self.problems) > before:
            return None
        return details

    def choice_details(
        self, qtype: QuestionType, data: dict[str, Any], path: Path_, details: dict[str, Any]
    ) -> None:
        multiple = qtype is QuestionType.MULTIPLE_CHOICE
        opath = (*path, "options")
        raw = data.get("options")
        if "options" not in data:
            self.add(opath, f"a {qtype.value} question needs 'options' to choose from.")
            return
        if not isinstance(raw, list) or len(raw) < 2:
            self.add(opath, f"options must be a list of at least 2 choices; found {_describe(raw)}.")
            return
        options: list[Option] = []
        keys: dict[str, int | None] = {}
        for index, item in enumerate(raw):
            ipath = (*opath, index)
            allowed = _OPTION_KEYS if multiple else _OPTION_KEYS[:3]
            option = self.mapping(item, ipath, "an option", ("key", "label", "points"), allowed[3:])
            if option is None:
                continue
            key = option.get("key")
            if "key" in option and (not isinstance(key, str) or not OPTION_KEY_PATTERN.match(key)):
                self.add(
                    (*ipath, "key"),
                    "an option key must be lower-case letters, digits and "
                    f"'_' (no spaces or commas); found {_describe(key)}.",
                )
                key = None
            elif isinstance(key, str) and key in keys:
                self.add(
                    (*ipath, "key"),
                    f"the option key '{key}' is already used on line {keys[key]} in this question.",
                )
                key = None
            elif isinstance(key, str):
                keys[key] = self.line((*ipath, "key"))
            label = (
                self.text(option["label"], (*ipath, "label"), "the option label")
                if "label" in option
                else None
            )
            if "points" not in option:
                points = None
            elif multiple:
                points = self.number(option["points"], (*ipath, "points"), "points", low=0)
            else:
                points = self.points(option["points"], (*ipath, "points"))
            exclusive = (
                self.boolean(option["exclusive"], (*ipath, "exclusive"), "exclusive")
                if "exclusive" in option
                else False
            )
            if exclusive and points:
                self.add(
                    (*ipath, "points"),
                    "an exclusive option such as 'none of these' must be worth 0 points.",
                )
            if isinstance(key, str) and label is not None and points is not None and exclusive is not None:
                options.append(Option(key, label, points, exclusive))
        if len(options) != len(raw):
            return
        if multiple:
            if sum(o.exclusive for o in options) > 1:
                self.add(opath, "only one option may be exclusive ('none of these').")
            total = sum(o.points for o in options)
            if total <= 0:
                self.add(opath, "at least one option must be worth more than 0 points.")
                return
            cap: float | None = None
            if "cap" in data:
                cap = self.number(data["cap"], (*path, "cap"), "the cap", above=0, high=total)
                if cap is None:
                    return
            details.update(options=tuple(options), cap=cap)
        else:
            worth = [o.points for o in options]
            if min(worth) != SCALE_MIN or max(worth) != SCALE_MAX:
                self.add(
                    opath,
                    f"the options must span the whole scale: the lowest worth "
                    f"{SCALE_MIN} points and the best worth {SCALE_MAX}.",
                )
            details.update(options=tuple(options))

    def number_details(self, data: dict[str, Any], path: Path_, details: dict[str, Any]) -> None:
        low = self.number(data["min"], (*path, "min"), "min") if "min" in data else None
        high = self.number(data["max"], (*path, "max"), "max") if "max" in data else None
        if low is not None and high is not None and low >= high:
            self.add((*path, "max"), f"max ({high:g}) must be greater than min ({low:g}).")
        integer = self.boolean(data["integer"], (*path, "integer"), "integer") if "integer" in data else False
        unit = self.text(data["unit"], (*path, "unit"), "the unit") if "unit" in data else None
        scored = data.get("scored", True)
        if "scored" in data:
            self.boolean(scored, (*path, "scored"), "scored")
        details.update(min_value=low, max_value=high, integer=bool(integer), unit=unit)
        if scored is False:
            if "bands" in data:
                self.add(
                    (*path, "bands"),
                    "bands only apply to scored number questions; remove them or remove 'scored: false'.",
                )
            return
        if "bands" not in data:
            self.add(
                (*path, "bands"),
                "a scored number question needs 'bands' that turn the "
                "number into points; or mark it 'scored: false' if it only gives context.",
            )
            return
        bands = self.read_bands(data["bands"], (*path, "bands"), low, high)
        if bands is not None:
            details["bands"] = bands

    def read_bands(
        self, value: Any, path: Path_, low: float | None, high: float | None
    ) -> tuple[Band, ...] | None:
        if not isinstance(value, list) or not value:
            self.add(
                path,
                f"bands must be a list of {{min, max, points}} ranges; found {_describe(value)}.",
            )
            return None
        bands: list[Band] = []
        for index, item in enumerate(value):
            ipath = (*path, index)
            band = self.mapping(item, ipath, "a band", ("points",), ("min", "max"))
            if band is None:
                continue
            bmin = self.number(band["min"], (*ipath, "min"), "min") if "min" in band else None
            bmax = self.number(band["max"], (*ipath, "max"), "max") if "max" in band else None
            points = self.points(band["points"], (*ipath, "points")) if "points" in band else None
            if ("min" in band and bmin is None) or ("max" in band and bmax is None) or points is None:
                continue
            if bmin is not None and bmax is not None and bmin >= bmax:
                self.add(ipath, f"the band's max ({bmax:g}) must be greater than its min ({bmin:g}).")
                continue
            bands.append(Band(bmin, bmax, points))
        if len(bands) != len(value):
            return None
        ok = True
        for index, (before, after) in enumerate(itertools.pairwise(bands), start=1):
            if before.max is None or after.min is None or before.max != after.min:
                self.add(
                    (*path, index),
                    "bands must follow each other from low to high without "
                    "gaps or overlaps: each band's min must equal the previous band's max.",
                )
                ok = False
        first, last = bands[0], bands[-1]
        if first.min is not None and (low is None or first.min > low):
            self.add(
                (*path, 0),
                "the first band must start at or below the lowest allowed "
                "number; leave out its min to cover everything below.",
            )
            ok = False
        if last.max is not None and (high is None or last.max <= high):
            self.add(
                (*path, len(bands) - 1),
                "the last band must reach beyond the highest "
                "allowed number; leave out its max to cover everything above.",
            )
            ok = False
        worth = [band.points for band in bands]
        if min(worth) != SCALE_MIN or max(worth) != SCALE_MAX:
            self.add(
                path,
                f"the bands must span the whole scale: the lowest worth {SCALE_MIN} "
                f"points and the best worth {SCALE_MAX}.",
            )
            ok = False
        return tuple(bands) if ok else None
