"""The generic checks every part of the questionnaire file is read with.

A ``Reader`` holds what one file's reading has found so far (its problems, the line of every
path, the languages and scale names once read) and checks single values: a mapping's keys,
a translatable text, an id, a number within bounds, true/false, the five levels of the scale.
Each check reports what is wrong and returns ``None``, so that reading goes on and every
problem of the file is reported in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from assessment.questionnaire.model import SCALE_MAX, SCALE_MIN, Text
from assessment.questionnaire.problems import (
    Path_,
    Problem,
    describe,
    format_path,
    is_number,
    join,
    suggest,
)

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

# Said after "X needs a 'key'" so that people know why the key matters.
_WHY_REQUIRED = {
    "recommendation": ", shown to the city when its answer is below the element's target",
    "id": " that stays the same across versions, since answers are stored under it",
}


class Reader:
    """Checks the plain data of one file, collecting every problem found."""

    def __init__(self, source: str, lines: dict[Path_, int], problems: list[Problem]) -> None:
        self.source = source
        self.lines = lines
        self.problems = list(problems)
        self.languages: tuple[str, ...] = ("en",)
        self.default_language = "en"
        self.scale_labels: tuple[Text, ...] = tuple(Text(str(n)) for n in range(SCALE_MAX + 1))
        # Question ids are unique in the whole file: the line each one was first seen on.
        self.question_lines: dict[str, int | None] = {}
        # Texts that lack a wording in one of the questionnaire's languages: not an error (the
        # default language is shown instead), but `questionnaire check` fails on them.
        self.untranslated: list[tuple[str, Problem]] = []

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
        self.problems.append(Problem(self.source, self.line(path), format_path(path), message))

    def missing_translations(self, path: Path_, what: str, present: set[str]) -> None:
        for language in self.languages:
            if language not in present:
                self.untranslated.append((language, Problem(
                    self.source, self.line(path), format_path(path),
                    f"{what} has no wording in '{language}'.")))

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
            self.add(path, f"{what} must be a set of 'name: value' lines; found {describe(value)}.")
            return None
        allowed = [*required, *optional]
        for key in value:
            if not isinstance(key, str):
                self.add((*path, key), f"'{key}' is not a valid name here{suggest(str(key), allowed)}")
            elif key not in allowed:
                hint = known_elsewhere(key) if known_elsewhere else None
                if hint:
                    self.add((*path, key), hint)
                else:
                    self.add(
                        (*path, key),
                        f"'{key}' is not a known setting for {what}{suggest(key, allowed)}",
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
            self.missing_translations(path, what, {self.default_language})
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
            self.missing_translations(path, what, set(wordings))
            return Text(wordings[self.default_language], wordings)
        self.add(path, f"{what} must be text; found {describe(value)}.")
        return None

    def identifier(self, value: Any, path: Path_, what: str) -> str | None:
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.add(
                path,
                f"{what} must be 2 to 40 characters: lower-case letters, digits and '_', "
                f"starting with a letter; found {describe(value)}.",
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
        if not is_number(value):
            self.add(path, f"{rule}; found {describe(value)}.")
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
            self.add(path, f"{what} must be true or false; found {describe(value)}.")
            return None
        return value

    def points(self, value: Any, path: Path_, what: str = "points") -> float | None:
        """Points on the 0-4 scale."""
        return self.number(value, path, what, low=SCALE_MIN, high=SCALE_MAX)

    def level(self, value: Any, path: Path_, what: str, *, low: int = SCALE_MIN) -> int | None:
        """A whole level of the scale, from ``low`` to 4."""
        if not is_number(value) or value != int(value) or not low <= value <= SCALE_MAX:
            self.add(path, f"{what} must be a whole level from {low} to {SCALE_MAX}; "
                     f"found {describe(value)}.")
            return None
        return int(value)

    def levels(self, value: Any, path: Path_, what: str, needs: str) -> tuple[Text, ...] | None:
        """A mapping with one text for each level 0..4."""
        if not isinstance(value, dict):
            self.add(path, f"{what} must list levels 0 to 4 as '0: ...' lines; found {describe(value)}.")
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
            which = f"level {missing[0]} is" if len(missing) == 1 else f"levels {join(missing)} are"
            self.add(path, f"{what} needs {needs} from {SCALE_MIN} to {SCALE_MAX}; {which} missing.")
            ok = False
        if not ok:
            return None
        return tuple(texts[n] for n in range(SCALE_MIN, SCALE_MAX + 1))
