"""Number questions: the value is an ``int`` when the question asks for whole numbers, else a
``float``. Bands turn the number into points; a number with ``scored: false`` only gives context.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping
from typing import Any

from assessment.questionnaire.checks import Reader
from assessment.questionnaire.model import SCALE_MAX, SCALE_MIN, Band, Question, QuestionType
from assessment.questionnaire.problems import Path_, describe
from assessment.questionnaire.types.base import (
    LOW_MISSING_CODES,
    MISSING_CODES,
    N_,
    AnswerCode,
    AnswerError,
    AnswerValue,
    CodebookEntry,
    QuestionKind,
    Translate,
    points_text,
    register,
    untranslated,
)

_NOT_A_NUMBER = N_("Enter a number, such as 42 or 12.5.")
_NOT_A_NUMBER_WITH_UNIT = N_("Enter a number, such as 42 or 12.5; “%(unit)s” may follow it.")
_NOT_WHOLE = N_("Enter a whole number.")


def strip_unit(question: Question, text: str) -> str:
    """The number of a typed answer without the unit the field shows beside it ("35%", "35 %"),
    in any of the questionnaire's languages."""
    text = text.strip()
    if question.unit is not None:
        for unit in sorted({str(question.unit), *question.unit.translations.values()}, key=len, reverse=True):
            if unit and text.endswith(unit):
                return text[: -len(unit)].strip()
    return text


@register
class Number(QuestionKind):
    type = QuestionType.NUMBER
    widget = "number"
    summary = N_("a number")
    keys = ("min", "max", "integer", "unit", "bands", "scored")

    def is_scored(self, data: Any) -> bool:
        return data.get("scored") is not False

    def read(self, reader: Reader, data: dict[str, Any], path: Path_) -> dict[str, Any] | None:
        low = reader.number(data["min"], (*path, "min"), "min") if "min" in data else None
        high = reader.number(data["max"], (*path, "max"), "max") if "max" in data else None
        if low is not None and high is not None and low >= high:
            reader.add((*path, "max"), f"max ({high:g}) must be greater than min ({low:g}).")
        integer = (
            reader.boolean(data["integer"], (*path, "integer"), "integer") if "integer" in data else False
        )
        unit = reader.text(data["unit"], (*path, "unit"), "the unit") if "unit" in data else None
        scored = data.get("scored", True)
        if "scored" in data:
            reader.boolean(scored, (*path, "scored"), "scored")
        details: dict[str, Any] = {
            "min_value": low, "max_value": high, "integer": bool(integer), "unit": unit,
        }
        if scored is False:
            if "bands" in data:
                reader.add(
                    (*path, "bands"),
                    "bands only apply to scored number questions; remove them or remove 'scored: false'.",
                )
            return details
        if "bands" not in data:
            reader.add(
                (*path, "bands"),
                "a scored number question needs 'bands' that turn the "
                "number into points; or mark it 'scored: false' if it only gives context.",
            )
            return None
        bands = read_bands(reader, data["bands"], (*path, "bands"), low, high)
        if bands is None:
            return None
        return {**details, "bands": bands}

    def check(self, question: Question, value: AnswerValue) -> None:
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            raise AnswerError(_NOT_A_NUMBER)
        if question.integer and not float(value).is_integer():
            raise AnswerError(_NOT_WHOLE)
        if question.min_value is not None and value < question.min_value:
            raise AnswerError(N_("Enter a number of at least %(min)s."), min=f"{question.min_value:g}")
        if question.max_value is not None and value > question.max_value:
            raise AnswerError(N_("Enter a number of at most %(max)s."), max=f"{question.max_value:g}")

    def encode(self, question: Question, value: AnswerValue) -> str:
        assert isinstance(value, int | float)
        if isinstance(value, int) or (question.integer and float(value).is_integer()):
            return str(int(value))
        return repr(float(value))

    def parse_text(self, question: Question, text: str) -> AnswerValue:
        try:
            number = float(strip_unit(question, text))
        except ValueError:
            if question.unit:
                raise AnswerError(_NOT_A_NUMBER_WITH_UNIT, unit=question.unit) from None
            raise AnswerError(_NOT_A_NUMBER) from None
        if question.integer:
            if not math.isfinite(number) or not number.is_integer():
                raise AnswerError(_NOT_WHOLE)
            value: int | float = int(number)
        else:
            value = number
        self.check(question, value)
        return value

    def form_input(self, question: Question, value: AnswerValue) -> str | list[str]:
        return number_text(value)

    def points(self, question: Question, value: AnswerValue) -> float | None:
        assert isinstance(value, int | float)
        return next(band.points for band in question.bands if band.contains(value))

    def describe(
        self,
        question: Question,
        value: AnswerValue,
        language: str | None = None,
        translate: Translate = untranslated,
    ) -> str:
        number = number_text(value)
        return f"{number} {question.unit.get(language)}" if question.unit else number

    def codebook(self, question: Question) -> CodebookEntry:
        value_type = "integer" if question.integer else "number"
        if not question.bands:
            return CodebookEntry(value_type, None)

        def bound(value: float | None, open_end: str) -> str:
            return open_end if value is None else points_text(value)

        choices = " | ".join(
            f"[{bound(b.min, '-inf')}, {bound(b.max, 'inf')}) = {points_text(b.points)}"
            for b in question.bands
        )
        return CodebookEntry(value_type, choices)

    def answer_codes(
        self, question: Question, language: str | None = None, translate: Translate = untranslated
    ) -> tuple[AnswerCode, ...]:
        # A number is its own value: the codebook lists the bands that turn it into points.
        return tuple(
            AnswerCode("band", f"[{_bound(b.min, '-inf')}, {_bound(b.max, 'inf')})", None,
                       f"[{_bound(b.min, '-inf')}, {_bound(b.max, 'inf')})", points=b.points,
                       low=b.min, high=b.max)
            for b in question.bands
        )

    def wide_type(self, question: Question) -> str | None:
        return "integer" if question.integer else "number"

    def wide_number(self, question: Question, text: str) -> int | float | None:
        try:
            number = float(text)
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return int(number) if question.integer and number.is_integer() else number

    def missing_codes(self, question: Question) -> Mapping[str, int]:
        # -1 to -4 could be answers when the question accepts negative numbers.
        if question.min_value is not None and question.min_value >= 0:
            return MISSING_CODES
        return LOW_MISSING_CODES

    def candidates(self, question: Question) -> tuple[AnswerValue, ...]:
        # The middle of each band (an open band is taken as 10 wide).
        values = []
        for band in question.bands:
            low = band.min if band.min is not None else 0
            high = band.max if band.max is not None else low + 10
            values.append(_fit(question, round((low + high) / 2, 1)))
        return tuple(value for value in values if value is not None)

    def sample(self, question: Question, rng: random.Random) -> AnswerValue:
        # An open end is taken as 100 away from the other end (or from 0).
        low, high = question.min_value, question.max_value
        if low is None:
            low = 0.0 if high is None or high > 0 else high - 100
        if high is None:
            high = low + 100
        number = rng.uniform(low, high)
        return _fit(question, number if question.integer else round(number, 1))


def _bound(value: float | None, open_end: str) -> str:
    return open_end if value is None else points_text(value)


def number_text(value: AnswerValue) -> str:
    """A number as people write it: 50 rather than 50.0, 12.5 as is; ``""`` for none."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fit(question: Question, number: float) -> int | float | None:
    """``number`` moved into the allowed range (and to a whole number when asked for);
    ``None`` when no value fits."""
    low = question.min_value if question.min_value is not None else -math.inf
    high = question.max_value if question.max_value is not None else math.inf
    if not question.integer:
        return min(max(number, low), high)
    whole = round(number)
    if math.isfinite(low):
        whole = max(whole, math.ceil(low))
    if math.isfinite(high):
        whole = min(whole, math.floor(high))
    return whole if low <= whole <= high else None


def read_bands(
    reader: Reader, value: Any, path: Path_, low: float | None, high: float | None
) -> tuple[Band, ...] | None:
    """Ranges that cover every allowed number, low to high, spanning the 0-4 scale."""
    if not isinstance(value, list) or not value:
        reader.add(
            path,
            f"bands must be a list of {{min, max, points}} ranges; found {describe(value)}.",
        )
        return None
    bands: list[Band] = []
    for index, item in enumerate(value):
        ipath = (*path, index)
        band = reader.mapping(item, ipath, "a band", ("points",), ("min", "max"))
        if band is None:
            continue
        bmin = reader.number(band["min"], (*ipath, "min"), "min") if "min" in band else None
        bmax = reader.number(band["max"], (*ipath, "max"), "max") if "max" in band else None
        points = reader.points(band["points"], (*ipath, "points")) if "points" in band else None
        if ("min" in band and bmin is None) or ("max" in band and bmax is None) or points is None:
            continue
        if bmin is not None and bmax is not None and bmin >= bmax:
            reader.add(ipath, f"the band's max ({bmax:g}) must be greater than its min ({bmin:g}).")
            continue
        bands.append(Band(bmin, bmax, points))
    if len(bands) != len(value):
        return None
    ok = True
    for index, (before, after) in enumerate(itertools.pairwise(bands), start=1):
        if before.max is None or after.min is None or before.max != after.min:
            reader.add(
                (*path, index),
                "bands must follow each other from low to high without "
                "gaps or overlaps: each band's min must equal the previous band's max.",
            )
            ok = False
    first, last = bands[0], bands[-1]
    if first.min is not None and (low is None or first.min > low):
        reader.add(
            (*path, 0),
            "the first band must start at or below the lowest allowed "
            "number; leave out its min to cover everything below.",
        )
        ok = False
    if last.max is not None and (high is None or last.max <= high):
        reader.add(
            (*path, len(bands) - 1),
            "the last band must reach beyond the highest "
            "allowed number; leave out its max to cover everything above.",
        )
        ok = False
    worth = [band.points for band in bands]
    if min(worth) != SCALE_MIN or max(worth) != SCALE_MAX:
        reader.add(
            path,
            f"the bands must span the whole scale: the lowest worth {SCALE_MIN} "
            f"points and the best worth {SCALE_MAX}.",
        )
        ok = False
    return tuple(bands) if ok else None
