"""The questionnaire as frozen dataclasses, built by the loader and read by scoring and the app."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

# The one scale every scored question maps onto: 0 (not started) to 4 (optimised).
SCALE_MIN = 0
SCALE_MAX = 4
# An element whose share of "don't know" answers is above this is flagged, unless the
# questionnaire sets its own share.
DONT_KNOW_FLAG_SHARE = 0.25
# Element scores are shown as percentages: level x 25.
PERCENT_PER_LEVEL = 100 / SCALE_MAX


class Text(str):
    """A text in the default language that also carries its translations.

    It behaves as a plain ``str`` (the default-language wording), so templates can print it
    directly; ``text.get("fr")`` picks a translation and falls back to the default.
    """

    _translations: Mapping[str, str]

    def __new__(cls, default: str, translations: Mapping[str, str] | None = None) -> Text:
        text = super().__new__(cls, default)
        text._translations = MappingProxyType(dict(translations or {}))
        return text

    @property
    def translations(self) -> Mapping[str, str]:
        """Every wording keyed by language code, including the default one when it was given."""
        return self._translations

    def get(self, language: str | None = None) -> str:
        """The wording in ``language``, or the default wording when there is no translation."""
        if language is not None and language in self._translations:
            return self._translations[language]
        return str(self)


class QuestionType(StrEnum):
    """How a question is answered, and so how its answer maps onto the 0-4 scale."""

    MATURITY = "maturity"
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMBER = "number"
    EVIDENCE = "evidence"


@dataclass(frozen=True)
class Level:
    """One step of a maturity question: its number, the scale's name for it and what it means."""

    value: int
    label: Text
    description: Text


@dataclass(frozen=True)
class Option:
    """One choice of a single- or multiple-choice question."""

    key: str
    label: Text
    points: float
    # An exclusive option ("none of these") cannot be ticked together with others.
    exclusive: bool = False
    # The level on the 0-4 scale a single-choice option evidences, when the file declares
    # it with 'level' (then ``points`` is that level).
    level: int | None = None


@dataclass(frozen=True)
class Band:
    """A range of numbers worth some points: ``min <= value < max``; a missing end is open."""

    min: float | None
    max: float | None
    points: float

    def contains(self, value: float) -> bool:
        """Whether ``value`` falls in this band."""
        return (self.min is None or value >= self.min) and (self.max is None or value < self.max)


@dataclass(frozen=True)
class Question:
    """One question. Only the fields that belong to its ``type`` are filled in."""

    id: str
    element_id: str
    type: QuestionType
    text: Text
    scored: bool
    help: Text | None = None
    recommendation: Text | None = None
    # What the question measures and where it comes from (the report's element, a principle,
    # a framework); it applies to the question and every one of its levels.
    source: Text | None = None
    weight: float = 1.0
    allow_na: bool = False
    line: int | None = None
    levels: tuple[Level, ...] = ()
    options: tuple[Option, ...] = ()
    cap: float | None = None
    yes_points: float = 4.0
    no_points: float = 0.0
    # The level a "yes" evidences, when the file declares it ('yes_level').
    yes_level: int | None = None
    # The level a multiple-choice answer evidences when it reaches the cap ('full_level').
    full_level: int | None = None
    bands: tuple[Band, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    integer: bool = False
    unit: Text | None = None

    @property
    def field_name(self) -> str:
        """The HTML form field name for the answer value."""
        return f"q_{self.id}"

    @property
    def effective_cap(self) -> float:
        """The points a multiple-choice answer needs for the top score (the cap, or all points)."""
        if self.cap is not None:
            return self.cap
        return sum(option.points for option in self.options)

    @property
    def declares_levels(self) -> bool:
        """Whether the file says which level each answer evidences (always true of maturity
        and number questions; yes/no and choices declare it with 'yes_level', an option's
        'level' or 'full_level')."""
        if self.type is QuestionType.YES_NO:
            return self.yes_level is not None
        if self.type is QuestionType.SINGLE_CHOICE:
            return all(option.level is not None for option in self.options)
        if self.type is QuestionType.MULTIPLE_CHOICE:
            return self.full_level is not None
        return True

    def option(self, key: str) -> Option:
        """The option with this key; ``KeyError`` when there is none."""
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(key)

    def level(self, value: int) -> Level:
        """The maturity level with this number; ``KeyError`` when there is none."""
        for level in self.levels:
            if level.value == value:
                return level
        raise KeyError(value)


@dataclass(frozen=True)
class Element:
    """One of the elements of the questionnaire with its questions, target and weight."""

    id: str
    title: Text
    rationale: Text
    target: float
    weight: float
    questions: tuple[Question, ...]
    line: int | None = None

    @property
    def target_percent(self) -> float:
        """The target level on the 0-100 scale used for element scores."""
        return self.target * PERCENT_PER_LEVEL

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        """The questions that count towards the element's score."""
        return tuple(question for question in self.questions if question.scored)


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire, with the exact text it was read from."""

    version: str
    title: Text
    languages: tuple[str, ...]
    default_language: str
    scale_labels: tuple[Text, ...]
    completeness_threshold: float
    geometric_offset: float
    dont_know_recommendation: Text
    elements: tuple[Element, ...]
    source_text: str
    content_hash: str
    source: str = "questionnaire.yaml"
    # An element whose share of "don't know" answers is above this is flagged.
    dont_know_flag_share: float = DONT_KNOW_FLAG_SHARE
    questions: tuple[Question, ...] = field(init=False)
    _by_question: Mapping[str, Question] = field(init=False, repr=False, compare=False)
    _by_element: Mapping[str, Element] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        questions = tuple(q for element in self.elements for q in element.questions)
        # Frozen dataclass: derived lookups are set once, here.
        object.__setattr__(self, "questions", questions)
        object.__setattr__(self, "_by_question", MappingProxyType({q.id: q for q in questions}))
        object.__setattr__(self, "_by_element", MappingProxyType({e.id: e for e in self.elements}))

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        """Every question that counts towards a score, in questionnaire order."""
        return tuple(question for question in self.questions if question.scored)

    def question(self, question_id: str) -> Question:
        """The question with this id; ``KeyError`` when there is none."""
        return self._by_question[question_id]

    def element(self, element_id: str) -> Element:
        """The element with this id; ``KeyError`` when there is none."""
        return self._by_element[element_id]

    def element_of(self, question_id: str) -> Element:
        """The element a question belongs to."""
        return self._by_element[self._by_question[question_id].element_id]

    def summary(self) -> str:
        """One line for people: counts and version."""
        elements = len(self.elements)
        questions = len(self.questions)
        scored = len(self.scored_questions)
        return (
            f"{elements} element{'s' if elements != 1 else ''}, "
            f"{questions} question{'s' if questions != 1 else ''} ({scored} scored), "
            f"version {self.version}"
        )
