"""Problems found in a questionnaire file, and the small helpers that word them.

A problem is located by file, line and path: the place in the file written as
``elements[2].questions[4].levels`` (counting from 0), so that the person editing the file
can find it without knowing YAML.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass

# A place in the file: mapping keys and list positions, from the top.
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


def format_path(path: Path_) -> str:
    """``("elements", 2, "questions")`` as ``elements[2].questions``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def describe(value: object) -> str:
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


def is_number(value: object) -> bool:
    """A finite int or float; true/false is never a number here, though bool is an int."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def suggest(word: str, choices: Sequence[str]) -> str:
    """The end of a message: a did-you-mean for the closest choice, or a full stop."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else "."


def join(items: Sequence[str]) -> str:
    """``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
