"""Reading YAML that anyone with an admin account may upload, safely.

The text is refused before anything is built when it is too big, has anchors or aliases (no
alias bombs), tags, or absurd nesting. The node tree is then
turned into plain Python values with the line of every path, and a key given twice in a
mapping is a problem rather than silently the last one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from assessment.questionnaire.problems import Path_, Problem, QuestionnaireError, format_path

MAX_BYTES = 1_000_000
MAX_DEPTH = 20


class SafeLoader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans, so texts like ``No`` stay texts."""


_BOOL_TAG = "tag:yaml.org,2002:bool"
SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SafeLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def too_big(source: str, size: int) -> Problem:
    """The problem of a file over ``MAX_BYTES``, found before it is read or parsed."""
    return Problem(
        source,
        None,
        "",
        f"the file is {size:,} bytes; a questionnaire may be at most {MAX_BYTES:,} bytes.",
    )


def _line(mark: Any) -> int | None:
    return int(mark.line) + 1 if mark is not None else None


def compose(text: str, source: str) -> yaml.Node:
    """Parse to a node tree, refusing anchors, aliases and tags before anything is built."""
    problems: list[Problem] = []
    try:
        # The event pass sees aliases before they could be expanded (no alias bombs).
        depth = 0
        for event in yaml.parse(text, Loader=SafeLoader):
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
        loader = SafeLoader(text)
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


@dataclass
class Converter:
    """Turns YAML nodes into plain Python values, remembering the line of every path."""

    source: str
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # One constructor turns every scalar node into its value (int, float, str, bool, None).
    constructor: yaml.SafeLoader = field(default_factory=lambda: SafeLoader(""))

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
                            format_path(path),
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
                            format_path((*path, key)),
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
